from django.urls import path

from . import report_views, views

app_name = "tandem"

urlpatterns = [
    path("", views.index, name="index"),
    path("bedarf/<slug:slug>/neu/", views.need_new, name="need_new"),
    path("netzwerk/", views.overview, name="overview"),
    path("netzwerk/bestaetigen/", views.confirm, name="confirm"),
    path("netzwerk/bericht/", report_views.report, name="report"),
    path("netzwerk/bericht.csv", report_views.report_csv, name="report_csv"),
    path("<int:pk>/", views.tandem, name="tandem"),
    path("<int:pk>/datei/<int:file_pk>/", views.tandem_file, name="file"),
    path("bedarf/<int:need_pk>/anfragen/", views.request_offer, name="request"),
    path("seminare/", views.seminars, name="seminars"),
    path("netzwerk/seminar-beauftragen/", views.commission, name="commission"),
    path("anbieter/<int:provider_pk>/angebot/neu/", views.offer_edit, name="offer_new"),
    path("anbieter/<int:provider_pk>/angebot/<int:pk>/", views.offer_edit, name="offer_edit"),
]
