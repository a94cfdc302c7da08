"""Parental consent for pupils under CONSENT_AGE (design.md §7): states, e-mails, the parent's page, the form."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from einblick.accounts import selectors, services
from einblick.accounts.forms import ConsentForm
from einblick.accounts.models import ParentalConsent
from tests.factories import PupilFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db

PURPOSE = "talks.round.12"
LABEL = "Gespräche mit Betrieben: Speed-Dating Papenburg"


def ask(pupil, email="mama@example.org", purpose=PURPOSE):
    return services.consent_request(pupil=pupil, purpose=purpose, label=LABEL, parent_email=email)


def age(consent, **delta):
    """Move the request into the past (as if it had been sent earlier)."""
    ParentalConsent.objects.filter(pk=consent.pk).update(
        created_at=consent.created_at - timedelta(**delta), expires_at=consent.expires_at - timedelta(**delta)
    )
    consent.refresh_from_db()
    return consent


def link_path(message) -> str:
    line = next(line for line in message.body.splitlines() if "/konto/einwilligung/" in line)
    return line.strip().replace("http://testserver", "")


# ------------------------------------------------------------------------------------------------ states


def test_without_anything_the_state_is_missing():
    pupil = PupilFactory()
    assert selectors.consent_state(pupil, PURPOSE) == "missing"
    assert selectors.consent_ok(pupil, PURPOSE) is False
    assert selectors.consent_state(None, PURPOSE) == "missing"


def test_declaring_the_age_makes_the_pupil_self_for_every_purpose(django_assert_num_queries):
    pupil = PupilFactory()
    services.consent_age_declare(user=pupil)
    pupil.refresh_from_db()
    assert pupil.consent_age_declared_at is not None
    with django_assert_num_queries(0):
        assert selectors.consent_state(pupil, PURPOSE) == "self"
        assert selectors.consent_state(pupil, "events.event.3") == "self"
        assert selectors.consent_ok(pupil, PURPOSE) is True


def test_declaring_twice_keeps_the_first_moment():
    pupil = PupilFactory()
    services.consent_age_declare(user=pupil)
    first = pupil.consent_age_declared_at
    services.consent_age_declare(user=pupil)
    pupil.refresh_from_db()
    assert pupil.consent_age_declared_at == first


def test_state_walks_from_pending_to_parent_to_declined(django_assert_num_queries):
    pupil = PupilFactory()
    consent = ask(pupil)
    with django_assert_num_queries(1):
        assert selectors.consent_state(pupil, PURPOSE) == "pending"
    assert not selectors.consent_ok(pupil, PURPOSE)
    assert selectors.consent_state(pupil, "other.purpose") == "missing"

    services.consent_answer(token=consent.token, accept=True)
    assert selectors.consent_state(pupil, PURPOSE) == "parent"
    assert selectors.consent_ok(pupil, PURPOSE)

    services.consent_answer(token=consent.token, accept=False)  # withdrawal
    consent.refresh_from_db()
    assert selectors.consent_state(pupil, PURPOSE) == "declined"
    assert not selectors.consent_ok(pupil, PURPOSE)
    assert consent.confirmed_at is not None and consent.declined_at >= consent.confirmed_at


def test_a_declined_request_can_still_be_agreed_to_before_it_expires():
    pupil = PupilFactory()
    consent = ask(pupil)
    services.consent_answer(token=consent.token, accept=False)
    assert selectors.consent_state(pupil, PURPOSE) == "declined"
    consent = services.consent_answer(token=consent.token, accept=True)
    assert consent.declined_at is None and consent.confirmed_at is not None
    assert selectors.consent_state(pupil, PURPOSE) == "parent"


def test_an_unanswered_request_expires(settings):
    pupil = PupilFactory()
    consent = ask(pupil)
    assert consent.expires_at - consent.created_at == timedelta(
        days=settings.EINBLICK["CONSENT_REQUEST_DAYS"]
    )
    age(consent, days=settings.EINBLICK["CONSENT_REQUEST_DAYS"], seconds=1)
    assert selectors.consent_state(pupil, PURPOSE) == "expired"
    with pytest.raises(ValidationError) as error:
        services.consent_answer(token=consent.token, accept=True)
    assert error.value.code == "expired"
    consent.refresh_from_db()
    assert consent.confirmed_at is None and consent.declined_at is None


def test_request_days_come_from_the_setting(settings):
    settings.EINBLICK = {**settings.EINBLICK, "CONSENT_REQUEST_DAYS": 3}
    consent = ask(PupilFactory())
    assert consent.expires_at - consent.created_at == timedelta(days=3)


def test_a_confirmed_consent_stays_valid_and_can_be_withdrawn_after_the_answer_period(settings):
    pupil = PupilFactory()
    consent = ask(pupil)
    services.consent_answer(token=consent.token, accept=True)
    age(consent, days=settings.EINBLICK["CONSENT_REQUEST_DAYS"] + 30)
    assert selectors.consent_state(pupil, PURPOSE) == "parent"
    services.consent_answer(token=consent.token, accept=False)
    assert selectors.consent_state(pupil, PURPOSE) == "declined"
    with pytest.raises(ValidationError) as error:  # agreeing again needs a new request now
        services.consent_answer(token=consent.token, accept=True)
    assert error.value.code == "expired"


def test_bulk_check_agrees_with_the_single_check(django_assert_num_queries):
    self_declared, confirmed, withdrawn, pending, missing = PupilFactory.create_batch(5)
    services.consent_age_declare(user=self_declared)
    services.consent_answer(token=ask(confirmed).token, accept=True)
    token = ask(withdrawn).token
    services.consent_answer(token=token, accept=True)
    services.consent_answer(token=token, accept=False)
    ask(pending)
    services.consent_answer(token=ask(missing, purpose="other.purpose").token, accept=True)
    pupils = [self_declared, confirmed, withdrawn, pending, missing]
    with django_assert_num_queries(2):
        ok = selectors.consent_ok_ids([p.pk for p in pupils], PURPOSE)
    assert ok == {self_declared.pk, confirmed.pk}
    assert ok == {p.pk for p in pupils if selectors.consent_ok(p, PURPOSE)}


def test_unknown_token_is_refused():
    with pytest.raises(ValidationError) as error:
        services.consent_answer(token="no-such-token", accept=True)
    assert error.value.code == "unknown"
    with pytest.raises(ValidationError) as error:
        services.consent_answer(token="", accept=False)
    assert error.value.code == "unknown"


def test_deleting_the_pupil_deletes_the_consents():
    pupil = PupilFactory()
    ask(pupil)
    pupil.delete()
    assert not ParentalConsent.objects.exists()


# ------------------------------------------------------------------------------------------------ requests


def test_request_sends_the_parent_a_plain_e_mail_with_the_link(run_tasks):
    pupil = PupilFactory(nickname="Kiwi")
    consent = ask(pupil, email=" Mama@Example.org ")
    assert consent.parent_email == "mama@example.org"
    assert mail.outbox == []  # queued, not sent inside the request
    assert run_tasks() == 1
    message = mail.outbox[0]
    assert message.to == ["mama@example.org"]
    assert "Kiwi" in message.subject
    url = "http://testserver" + reverse("accounts:consent", args=[consent.token])
    assert url in message.body
    assert "Kiwi" in message.body
    assert LABEL in message.body
    assert "16" in message.body


def test_own_address_is_refused_and_nothing_is_sent(run_tasks):
    pupil = PupilFactory(email="kiwi@example.org")
    with pytest.raises(ValidationError) as error:
        ask(pupil, email="KIWI@example.org")
    assert error.value.code == "own_address"
    assert error.value.messages == [gettext("Please enter the e-mail address of a parent, not your own.")]
    assert not ParentalConsent.objects.exists()
    assert run_tasks() == 0


@pytest.mark.parametrize("email", ["", "keine-adresse", "mama@", "a b@example.org"])
def test_a_bad_address_is_refused(email):
    with pytest.raises(ValidationError) as error:
        ask(PupilFactory(), email=email)
    assert error.value.code == "invalid"
    assert not ParentalConsent.objects.exists()


def test_resending_to_the_same_address_waits_ten_minutes(run_tasks):
    pupil = PupilFactory()
    first = ask(pupil)
    with pytest.raises(ValidationError) as error:
        ask(pupil, email="MAMA@example.org")
    assert error.value.code == "too_soon"
    assert "10" in error.value.messages[0]
    assert ParentalConsent.objects.get().token == first.token
    age(first, minutes=11)
    second = ask(pupil)
    assert second.pk == first.pk and second.token != first.token
    run_tasks()
    assert [m.to for m in mail.outbox] == [["mama@example.org"], ["mama@example.org"]]
    assert second.token in mail.outbox[1].body
    # the old link is dead, the new one works
    with pytest.raises(ValidationError):
        services.consent_answer(token=first.token, accept=True)
    services.consent_answer(token=second.token, accept=True)


def test_another_address_may_be_asked_at_once_and_replaces_the_request():
    pupil = PupilFactory()
    first = ask(pupil, email="mama@example.org")
    services.consent_answer(token=first.token, accept=False)
    second = ask(pupil, email="papa@example.org")
    assert ParentalConsent.objects.count() == 1
    assert (second.parent_email, second.confirmed_at, second.declined_at) == ("papa@example.org", None, None)
    assert selectors.consent_state(pupil, PURPOSE) == "pending"


def test_each_purpose_has_its_own_request():
    pupil = PupilFactory()
    ask(pupil, purpose="talks.round.1")
    ask(pupil, purpose="talks.round.2")
    assert ParentalConsent.objects.filter(pupil=pupil).count() == 2


def test_the_pupil_learns_the_answer_by_e_mail(run_tasks):
    pupil = PupilFactory(email="kiwi@example.org")
    consent = ask(pupil)
    services.consent_answer(token=consent.token, accept=True)
    services.consent_answer(token=consent.token, accept=True)  # the same answer twice: no second e-mail
    services.consent_answer(token=consent.token, accept=False)
    run_tasks()
    to_pupil = [m for m in mail.outbox if m.to == ["kiwi@example.org"]]
    assert len(to_pupil) == 2
    assert all(LABEL in m.body for m in to_pupil)
    assert to_pupil[0].subject != to_pupil[1].subject


def test_a_pupil_without_e_mail_gets_no_answer_mail(run_tasks):
    pupil = PupilFactory(email="", school_class=SchoolClassFactory())
    consent = ask(pupil)
    services.consent_answer(token=consent.token, accept=True)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["mama@example.org"]]


# ------------------------------------------------------------------------------------------------ parent's page


def test_parent_page_shows_who_asks_for_what(client, run_tasks):
    pupil = PupilFactory(nickname="Kiwi", school_class=SchoolClassFactory(name="8b"))
    ask(pupil)
    run_tasks()
    response = client.get(link_path(mail.outbox[0]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kiwi" in html and LABEL in html and "8b" in html
    assert html.count("<h1") == 1
    assert 'value="agree"' in html and 'value="decline"' in html
    assert 'value="withdraw"' not in html
    assert "noindex" in html
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_parent_agrees_then_withdraws_through_the_same_link(client):
    pupil = PupilFactory()
    consent = ask(pupil)
    url = reverse("accounts:consent", args=[consent.token])
    response = client.post(url, {"answer": "agree"})
    assert response.status_code == 200
    assert "accounts/consent_done.html" in [t.name for t in response.templates]
    assert selectors.consent_state(pupil, PURPOSE) == "parent"

    html = client.get(url).content.decode()
    assert 'value="withdraw"' in html and 'value="agree"' not in html

    response = client.post(url, {"answer": "withdraw"})
    assert response.status_code == 200
    assert selectors.consent_state(pupil, PURPOSE) == "declined"


def test_parent_declines(client):
    pupil = PupilFactory()
    consent = ask(pupil)
    url = reverse("accounts:consent", args=[consent.token])
    response = client.post(url, {"answer": "decline"})
    assert response.status_code == 200
    assert selectors.consent_state(pupil, PURPOSE) == "declined"
    html = client.get(url).content.decode()
    assert 'value="agree"' in html and 'value="decline"' not in html  # may still change their mind


def test_page_without_a_valid_answer_changes_nothing(client):
    pupil = PupilFactory()
    consent = ask(pupil)
    response = client.post(reverse("accounts:consent", args=[consent.token]), {"answer": "yes please"})
    assert response.status_code == 400
    assert selectors.consent_state(pupil, PURPOSE) == "pending"


def test_unknown_token_answers_404_with_a_friendly_page(client):
    response = client.get(reverse("accounts:consent", args=["no-such-token"]))
    assert response.status_code == 404
    assert response.templates[0].name == "accounts/consent_invalid.html"
    assert (
        client.post(reverse("accounts:consent", args=["no-such-token"]), {"answer": "agree"}).status_code
        == 404
    )


def test_expired_token_answers_410_and_changes_nothing(client, settings):
    pupil = PupilFactory()
    consent = age(ask(pupil), days=settings.EINBLICK["CONSENT_REQUEST_DAYS"] + 1)
    url = reverse("accounts:consent", args=[consent.token])
    response = client.get(url)
    assert response.status_code == 410
    assert response.templates[0].name == "accounts/consent_expired.html"
    assert client.post(url, {"answer": "agree"}).status_code == 410
    assert selectors.consent_state(pupil, PURPOSE) == "expired"


def test_parent_page_needs_csrf(settings):
    from django.test import Client

    consent = ask(PupilFactory())
    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:consent", args=[consent.token]), {"answer": "agree"}
    )
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.confirmed_at is None


# ------------------------------------------------------------------------------------------------ form + handle


def consent_form(data, **kwargs):
    return ConsentForm({f"consent-{key}": value for key, value in data.items()}, prefix="consent", **kwargs)


@pytest.mark.parametrize(
    "data", [{}, {"of_age": "on", "parent_email": "mama@example.org"}], ids=["neither", "both"]
)
def test_consent_form_needs_exactly_one_answer(data):
    form = consent_form(data)
    assert not form.is_valid()
    assert form.has_error(NON_FIELD_ERRORS, "consent_choice")


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"of_age": "on"}, {"of_age": True, "parent_email": ""}),
        ({"parent_email": " Mama@Example.org "}, {"of_age": False, "parent_email": "mama@example.org"}),
    ],
)
def test_consent_form_accepts_one_answer(data, expected):
    form = consent_form(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == expected


def test_consent_form_checks_the_address_and_the_pupils_own_address():
    assert consent_form({"parent_email": "keine-adresse"}).has_error("parent_email")
    form = consent_form({"parent_email": "kiwi@example.org"}, pupil=PupilFactory(email="kiwi@example.org"))
    assert form.has_error("parent_email", "own_address")


def test_consent_form_may_stay_empty_when_not_required():
    form = consent_form({}, required=False)
    assert form.is_valid()
    assert not consent_form({"of_age": "on", "parent_email": "a@example.org"}, required=False).is_valid()


def test_consent_form_label_names_the_age(settings):
    settings.EINBLICK = {**settings.EINBLICK, "CONSENT_AGE": 14}
    form = ConsentForm(prefix="consent")
    assert "14" in str(form.fields["of_age"].label)
    html = str(form["of_age"]) + str(form["parent_email"])
    assert 'name="consent-of_age"' in html and 'name="consent-parent_email"' in html


def test_consent_handle_declares_the_age():
    pupil = PupilFactory()
    form = consent_form({"of_age": "on"})
    assert form.is_valid()
    state = services.consent_handle(pupil=pupil, purpose=PURPOSE, label=LABEL, cleaned_data=form.cleaned_data)
    assert state == "self"
    assert not ParentalConsent.objects.exists()


def test_consent_handle_asks_a_parent(run_tasks):
    pupil = PupilFactory()
    form = consent_form({"parent_email": "mama@example.org"})
    assert form.is_valid()
    state = services.consent_handle(pupil=pupil, purpose=PURPOSE, label=LABEL, cleaned_data=form.cleaned_data)
    assert state == "pending"
    assert ParentalConsent.objects.get().label == LABEL
    assert run_tasks() == 1


def test_consent_handle_keeps_a_given_consent_and_passes_errors_on():
    pupil = PupilFactory(email="kiwi@example.org")
    consent = ask(pupil)
    services.consent_answer(token=consent.token, accept=True)
    data = {"of_age": False, "parent_email": "papa@example.org"}
    assert services.consent_handle(pupil=pupil, purpose=PURPOSE, label=LABEL, cleaned_data=data) == "parent"
    consent.refresh_from_db()
    assert consent.parent_email == "mama@example.org" and consent.confirmed_at is not None
    data = {"of_age": False, "parent_email": "kiwi@example.org"}
    with pytest.raises(ValidationError) as error:
        services.consent_handle(pupil=pupil, purpose="other.purpose", label=LABEL, cleaned_data=data)
    assert error.value.code == "own_address"
    data = {"of_age": False, "parent_email": ""}
    assert (
        services.consent_handle(pupil=pupil, purpose="other.purpose", label=LABEL, cleaned_data=data)
        == "missing"
    )


@pytest.mark.parametrize("state", ["missing", "pending", "declined", "expired"])
def test_include_renders_the_fields_and_the_state(state, rf):
    from django.template.loader import render_to_string

    html = render_to_string(
        "accounts/_consent_fields.html",
        {"consent_form": ConsentForm(prefix="consent"), "consent_state": state},
        request=rf.get("/"),
    )
    assert 'name="consent-of_age"' in html and 'name="consent-parent_email"' in html
    assert "<legend>" in html and "<label" in html
    assert ('role="status"' in html) == (state != "missing")


@pytest.mark.parametrize("state", ["self", "parent"])
def test_include_asks_nothing_once_consent_is_given(state):
    from django.template.loader import render_to_string

    html = render_to_string(
        "accounts/_consent_fields.html",
        {"consent_form": ConsentForm(prefix="consent"), "consent_state": state},
    )
    assert "consent-of_age" not in html and "consent-parent_email" not in html


def test_export_lists_the_consents_without_the_link_key():
    pupil = PupilFactory()
    consent = ask(pupil)
    services.consent_answer(token=consent.token, accept=True)
    [row] = selectors.consents_export(pupil)
    assert row["purpose"] == PURPOSE and row["label"] == LABEL and row["parent_email"] == "mama@example.org"
    assert row["state"] == "parent" and row["confirmed_at"] is not None and row["declined_at"] is None
    assert consent.token not in str(row)


def test_admin_lists_consents_read_only(admin_client):
    consent = ask(PupilFactory(nickname="Kiwi"))
    response = admin_client.get(reverse("admin:accounts_parentalconsent_changelist"))
    assert response.status_code == 200
    assert "Kiwi" in response.content.decode() and PURPOSE in response.content.decode()
    response = admin_client.get(reverse("admin:accounts_parentalconsent_change", args=[consent.pk]))
    assert response.status_code == 200
    assert consent.token not in response.content.decode()
    assert admin_client.get(reverse("admin:accounts_parentalconsent_add")).status_code == 403
