from django.urls import path

from . import views

app_name = "tandem"

urlpatterns = [
    path("", views.index, name="index"),
    path("bedarf/<slug:slug>/neu/", views.need_new, name="need_new"),
    path("netzwerk/", views.overview, name="overview"),
    path("netzwerk/bestaetigen/", views.confirm, name="confirm"),
    path("<int:pk>/", views.tandem, name="tandem"),
    path("anbieter/<int:provider_pk>/angebot/neu/", views.offer_edit, name="offer_new"),
    path("anbieter/<int:provider_pk>/angebot/<int:pk>/", views.offer_edit, name="offer_edit"),
]
