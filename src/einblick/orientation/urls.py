from django.urls import path

from . import views

app_name = "orientation"

urlpatterns = [
    path("", views.start, name="start"),
    path("frage/<int:number>/", views.question, name="question"),
    path("auswertung/", views.finish, name="finish"),
    path("ergebnis/<str:token>/", views.result, name="result"),
    path("ergebnis/<str:token>/speichern/", views.result_save, name="result_save"),
    path("ergebnisse/<int:pk>/teilen/", views.result_share, name="result_share"),
]
