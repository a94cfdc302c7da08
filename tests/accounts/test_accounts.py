"""Accounts: pupil sign-up, class codes, teachers' classes, e-mail change, password reset."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from einblick.accounts import services
from einblick.accounts.models import CLASS_CODE_ALPHABET, SchoolClass, User
from tests.factories import (
    PASSWORD,
    PlaceFactory,
    PupilFactory,
    SchoolClassFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_pupil_signup_stores_minimal_data(client):
    response = client.post(
        reverse("accounts:signup_pupil"),
        {"nickname": "Kiwi", "email": "Kiwi@Example.org", "password": "Deich-2026!", "school_year": "8"},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.nickname, user.email, user.school_year, user.is_pupil) == (
        "Kiwi",
        "kiwi@example.org",
        8,
        True,
    )
    assert (user.first_name, user.last_name) == ("", "")


def test_pupil_signup_rejects_taken_email_and_keeps_input(client):
    UserFactory(email="kiwi@example.org")
    response = client.post(
        reverse("accounts:signup_pupil"),
        {"nickname": "Kiwi", "email": "KIWI@example.org", "password": "Deich-2026!", "school_year": "8"},
    )
    assert response.status_code == 200
    assert 'value="Kiwi"' in response.content.decode()
    assert User.objects.count() == 1


def test_class_code_alphabet_avoids_confusable_characters():
    school_class = SchoolClassFactory()
    assert len(school_class.code) == 8
    assert set(school_class.code) <= set(CLASS_CODE_ALPHABET)
    assert not set("01ILO") & set(CLASS_CODE_ALPHABET)


def test_pupil_joins_with_code_without_email(client):
    school_class = SchoolClassFactory()
    response = client.post(
        reverse("accounts:join_class"),
        {"code": school_class.code.lower(), "nickname": "Sturmmöwe", "password": "Deich-2026!"},
    )
    assert response.status_code == 302
    pupil = User.objects.get(nickname="Sturmmöwe")
    assert (pupil.school_class, pupil.email, pupil.school_year) == (school_class, "", 8)
    page = client.get(reverse("accounts:joined")).content.decode()
    assert pupil.username in page
    assert client.get(reverse("accounts:joined")).status_code == 302  # shown once


@pytest.mark.parametrize(
    ("code", "message"), [("NOPE2345", "gibt es nicht"), ("EXPIRED", "abgelaufen"), ("", "erforderlich")]
)
def test_bad_class_code_gets_a_clear_message(client, code, message):
    if code == "EXPIRED":
        school_class = SchoolClassFactory(code_expires_at=timezone.now() - timedelta(days=1))
        code = school_class.code
    response = client.post(
        reverse("accounts:join_class"), {"code": code, "nickname": "Lotte", "password": "Deich-2026!"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Lotte"' in response.content.decode()
    assert not User.objects.filter(nickname="Lotte").exists()


def test_teacher_signup_creates_school_and_then_classes(client):
    PlaceFactory()
    response = client.post(
        reverse("accounts:signup_teacher"),
        {
            "first_name": "Imke",
            "last_name": "Saathoff",
            "email": "imke@example.org",
            "password": "Klasse-8a-Ems",
            "school_name": "Oberschule am Deich",
            "school_kind": "oberschule",
            "school_place": "26871",
        },
    )
    assert response["Location"] == reverse("accounts:class_create")
    response = client.post(reverse("accounts:class_create"), {"name": "8a", "school_year": "8"})
    school_class = SchoolClass.objects.get()
    assert school_class.school.name == "Oberschule am Deich" and school_class.school.place.plz == "26871"
    assert response["Location"] == reverse("accounts:class_detail", args=[school_class.pk])
    duplicate = client.post(reverse("accounts:class_create"), {"name": "8A", "school_year": "8"})
    assert "bereits" in duplicate.content.decode()


def test_teacher_sees_own_class_members_by_nickname_only_and_others_get_404(client):
    school_class = SchoolClassFactory()
    PupilFactory(nickname="Kiwi", school_class=school_class, email="kiwi@example.org")
    client.force_login(school_class.teacher)
    page = client.get(reverse("accounts:class_detail", args=[school_class.pk])).content.decode()
    assert "Kiwi" in page and "kiwi@example.org" not in page and school_class.code in page
    client.force_login(TeacherFactory())
    assert client.get(reverse("accounts:class_detail", args=[school_class.pk])).status_code == 404
    assert client.post(reverse("accounts:class_code_renew", args=[school_class.pk])).status_code == 404


def test_renewing_the_code_invalidates_the_old_one():
    school_class = SchoolClassFactory()
    old = school_class.code
    services.class_code_renew(school_class=school_class)
    assert school_class.code != old
    from einblick.accounts.selectors import class_by_code

    assert class_by_code(old) is None


def test_email_change_needs_confirmation(client, run_tasks):
    user = UserFactory(email="alt@example.org")
    client.force_login(user)
    client.post(reverse("accounts:email_change"), {"email": "neu@example.org", "password": PASSWORD})
    user.refresh_from_db()
    assert (user.email, user.pending_email) == ("alt@example.org", "neu@example.org")
    run_tasks()
    assert mail.outbox[0].to == ["neu@example.org"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/konto/e-mail/bestaetigen/" in line)
    client.get(link.replace("http://testserver", ""))
    user.refresh_from_db()
    assert (user.email, user.pending_email) == ("neu@example.org", "")
    assert services.email_change_confirm(token="tampered") is None


def test_email_change_with_wrong_password_changes_nothing(client):
    user = UserFactory(email="alt@example.org")
    client.force_login(user)
    response = client.post(
        reverse("accounts:email_change"), {"email": "neu@example.org", "password": "falsch"}
    )
    assert "nicht korrekt" in response.content.decode() or response.status_code == 200
    user.refresh_from_db()
    assert user.pending_email == ""


def test_password_reset_mail_goes_through_the_queue(client, run_tasks):
    UserFactory(email="vergessen@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "vergessen@example.org"})
    assert response.status_code == 302 and mail.outbox == []
    run_tasks()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/konto/passwort/neu/" in line)
    response = client.get(link.replace("http://testserver", ""), follow=True)
    assert response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Neu-Passwort-26", "new_password2": "Neu-Passwort-26"},
    )
    assert response.status_code == 302
    assert client.login(username="vergessen@example.org", password="Neu-Passwort-26")
