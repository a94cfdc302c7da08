from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_privacy

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("registrieren/", views.signup, name="signup"),
    path("registrieren/schueler/", views.signup_pupil, name="signup_pupil"),
    path("registrieren/lehrkraft/", views.signup_teacher, name="signup_teacher"),
    path("klasse-beitreten/", views.join_class, name="join_class"),
    path("willkommen/", views.joined, name="joined"),
    path("klassen/", views.class_list, name="class_list"),
    path("klassen/neu/", views.class_create, name="class_create"),
    path("klassen/<int:pk>/", views.class_detail, name="class_detail"),
    path("klassen/<int:pk>/neuer-code/", views.class_code_renew, name="class_code_renew"),
    path("e-mail/", views.email_change, name="email_change"),
    path("e-mail/bestaetigen/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("einwilligung/<str:token>/", views.consent, name="consent"),
    path("datenschutz/", views_privacy.centre, name="privacy"),
    path("protokoll/", views_privacy.audit_log, name="audit_log"),
    path("zwei-faktor/", views_privacy.two_factor, name="two_factor"),
    path("zwei-faktor/pruefen/", views_privacy.two_factor_check, name="two_factor_check"),
    path("datenschutz/meine-daten.json", views_privacy.export, name="privacy_export"),
    path("datenschutz/konto-loeschen/", views_privacy.delete, name="privacy_delete"),
    path(
        "datenschutz/einwilligung/<int:pk>/widerrufen/",
        views_privacy.consent_withdraw,
        name="consent_withdraw",
    ),
    path("passwort/vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "passwort/gesendet/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort/fertig/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
