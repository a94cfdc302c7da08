from django.urls import path

from .views import agenda, booth, manage, public, stats

app_name = "fair"

urlpatterns = [
    path("", public.fair_index, name="index"),
    path("<slug:slug>/", public.programme, name="programme"),
    path("<slug:slug>/sessions/<int:pk>/", public.session_detail, name="session"),
    path("<slug:slug>/aussteller/", public.exhibitor_list, name="exhibitors"),
    path("<slug:slug>/stand/<slug:company>/", booth.booth_page, name="booth"),
    # Booths, agenda, statistics (issue #4)
    path("<slug:slug>/stand/<slug:company>/fragen/", booth.booth_ask, name="booth_ask"),
    path("<slug:slug>/stand/<slug:company>/verwalten/", booth.booth_manage, name="booth_manage"),
    path(
        "<slug:slug>/stand/<slug:company>/verwalten/material/",
        booth.booth_material_upload,
        name="booth_material_upload",
    ),
    path(
        "<slug:slug>/stand/<slug:company>/verwalten/material/<int:pk>/loeschen/",
        booth.booth_material_delete,
        name="booth_material_delete",
    ),
    path(
        "<slug:slug>/stand/<slug:company>/verwalten/fragen/<int:pk>/antworten/",
        booth.booth_question_answer,
        name="booth_question_answer",
    ),
    path(
        "<slug:slug>/stand/<slug:company>/verwalten/fragen/<int:pk>/ausblenden/",
        booth.booth_question_hide,
        name="booth_question_hide",
    ),
    path("<slug:slug>/stand/<slug:company>/statistik/", stats.company_stats, name="company_stats"),
    path("<slug:slug>/stand/<slug:company>/statistik.csv", stats.company_stats_csv, name="company_stats_csv"),
    path("<slug:slug>/statistik/", stats.fair_stats, name="fair_stats"),
    path("<slug:slug>/statistik.csv", stats.fair_stats_csv, name="fair_stats_csv"),
    path("<slug:slug>/merkliste/", agenda.agenda_page, name="agenda"),
    path("<slug:slug>/merkliste.ics", agenda.agenda_ics, name="agenda_ics"),
    path("<slug:slug>/merkliste/<int:pk>/", agenda.agenda_toggle, name="agenda_toggle"),
    path("<slug:slug>/merkliste/<int:pk>/erinnerung/", agenda.agenda_remind, name="agenda_remind"),
    path("<slug:slug>/merkliste/uebernehmen/", agenda.agenda_import, name="agenda_import"),
    path("<slug:slug>/merkliste/abo-erneuern/", agenda.agenda_feed_reset, name="agenda_feed_reset"),
    path("kalender/<str:token>.ics", agenda.agenda_feed, name="agenda_feed"),
    # Programme planner (issue #4): companies' session requests, staff planning
    path("betriebe/<slug:company>/programmwuensche/", manage.company_fairs, name="company_fairs"),
    path("netzwerk/programmplanung/", manage.planner_index, name="planner_index"),
    path("<slug:slug>/programmwuensche/<slug:company>/", manage.request_list, name="request_list"),
    path("<slug:slug>/programmwuensche/<slug:company>/neu/", manage.request_add, name="request_add"),
    path(
        "<slug:slug>/programmwuensche/<slug:company>/<int:pk>/zurueckziehen/",
        manage.request_withdraw,
        name="request_withdraw",
    ),
    path("<slug:slug>/planung/", manage.planner_page, name="planner"),
    path("<slug:slug>/planung/status/", manage.plan_status, name="plan_status"),
    path("<slug:slug>/planung/starten/", manage.plan_start, name="plan_start"),
    path("<slug:slug>/planung/veroeffentlichen/", manage.plan_publish, name="plan_publish"),
    path("<slug:slug>/planung/sessions/<int:pk>/verschieben/", manage.session_move, name="session_move"),
    path("<slug:slug>/planung/sessions/<int:pk>/anheften/", manage.session_pin, name="session_pin"),
    path("<slug:slug>/planung/wuensche/<int:pk>/einplanen/", manage.request_place, name="request_place"),
]
