from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("bericht.<str:fmt>", views.report_export, name="export"),
    path("aktualisieren/", views.refresh, name="refresh"),
    path("betrieb/<slug:slug>/", views.company, name="company"),
    path("betrieb/<slug:slug>/bericht.<str:fmt>", views.company_export, name="company_export"),
]
