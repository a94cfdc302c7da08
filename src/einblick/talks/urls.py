from django.urls import path

from .views import company, manage, pupil, teacher

app_name = "talks"

urlpatterns = [
    path("", pupil.round_list, name="rounds"),
    path("<int:pk>/", pupil.my_talks, name="mine"),
    path("<int:pk>/buchen/", pupil.book, name="book"),
    path("<int:pk>/warteliste/", pupil.waitlist, name="waitlist"),
    path("gespraech/<int:talk_pk>/absagen/", pupil.cancel, name="cancel"),
    path("gespraech/<int:talk_pk>/platz/", pupil.hold_answer, name="hold"),
    path("<int:pk>/plan.ics", pupil.plan_ics, name="ics"),
    path("<int:pk>/plan.pdf", pupil.plan_pdf, name="pdf"),
    # staff
    path("neu/", manage.round_edit, name="round_new"),
    path("<int:pk>/verwalten/", manage.manage, name="manage"),
    path("<int:pk>/verwalten/bearbeiten/", manage.round_edit, name="round_edit"),
    path("<int:pk>/verwalten/oeffnen/", manage.round_open, name="open"),
    path("<int:pk>/verwalten/betrieb/", manage.offer_edit, name="offer_new"),
    path("<int:pk>/verwalten/betrieb/<int:offer_pk>/", manage.offer_edit, name="offer_edit"),
    path("<int:pk>/verwalten/betrieb/<int:offer_pk>/entfernen/", manage.offer_delete, name="offer_delete"),
    path("<int:pk>/verwalten/zuteilen/", manage.allocate_start, name="allocate"),
    path("<int:pk>/verwalten/status/", manage.run_status, name="run_status"),
    path("<int:pk>/verwalten/veroeffentlichen/", manage.publish, name="publish"),
    path("<int:pk>/verwalten/gespraech/", manage.talk_place, name="talk_add"),
    path("<int:pk>/verwalten/gespraech/<int:talk_pk>/", manage.talk_place, name="talk_move"),
    path("<int:pk>/verwalten/gespraech/<int:talk_pk>/entfernen/", manage.talk_remove, name="talk_remove"),
    # companies
    path("<int:pk>/betrieb/<int:company_pk>/", company.talk_list, name="company"),
    path("<int:pk>/betrieb/<int:company_pk>/angebot/", company.offer_edit, name="company_offer"),
    path("gespraech/<int:talk_pk>/anwesenheit/", company.attendance, name="attendance"),
    # teachers
    path("<int:pk>/klasse/<int:class_pk>/", teacher.class_overview, name="class"),
    path("<int:pk>/klasse/<int:class_pk>/schueler/<int:pupil_pk>/", teacher.class_pupil, name="class_pupil"),
]
