from django.urls import path

from .views import checkin, documents, manage, public, registration

app_name = "events"

urlpatterns = [
    path("", public.event_list, name="list"),
    path("meine/", registration.my_events, name="mine"),
    path("meine/kalender.ics", registration.my_events_ics, name="mine_ics"),
    path("meine/name/", registration.certificate_name, name="certificate_name"),
    path("meine/bescheinigungen.pdf", documents.certificates_all, name="certificates"),
    path("meine/berufsorientierung.json", documents.portfolio_json, name="portfolio_json"),
    path("meine/berufsorientierung.csv", documents.portfolio_csv, name="portfolio_csv"),
    path("verwalten/", manage.manage_list, name="manage"),
    path("verwalten/neu/", manage.event_edit, name="new"),
    path("anmeldung/<int:pk>/bestaetigen/", registration.confirm, name="confirm"),
    path("anmeldung/<int:pk>/absagen/", registration.cancel, name="cancel"),
    path("anmeldung/<int:pk>/einlass-zuruecknehmen/", manage.checkin_undo, name="checkin_undo"),
    path("anmeldung/<int:pk>/gruppe/", registration.group_edit, name="group"),
    path("anmeldung/<int:pk>/ticket.svg", checkin.ticket_qr, name="ticket_qr"),
    path("anmeldung/<int:pk>/bescheinigung.pdf", documents.certificate, name="certificate"),
    path("anmeldung/<int:pk>/feedback/", documents.feedback, name="feedback"),
    path("anmeldung/<int:pk>/anwesenheit.csv", documents.class_attendance_csv, name="class_attendance"),
    path("<slug:slug>/", public.event_detail, name="detail"),
    path("<slug:slug>/kalender.ics", public.event_ics, name="ics"),
    path("<slug:slug>/anmelden/", registration.register, name="register"),
    path("<slug:slug>/klasse-anmelden/", registration.register_class, name="register_class"),
    path("<slug:slug>/betrieb-anmelden/", registration.register_company, name="register_company"),
    path("<slug:slug>/bearbeiten/", manage.event_edit, name="edit"),
    path("<slug:slug>/anmeldungen/", manage.registrations, name="registrations"),
    path("<slug:slug>/einlass/", checkin.checkin_page, name="checkin"),
    path("<slug:slug>/einlass/pruefen/", checkin.checkin_api, name="checkin_api"),
    path("<slug:slug>/feedback/", documents.feedback_results, name="feedback_results"),
]
