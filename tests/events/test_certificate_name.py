"""The optional real name on certificates, and taking back a check-in made by mistake."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from einblick.events import services
from einblick.events.models import Registration

pytestmark = pytest.mark.django_db


def _attended(event, pupil) -> Registration:
    registration = services.register_pupil(event=event, pupil=pupil)
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=timezone.now(), attended=1)
    return registration


def _pdf_text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_certificate_shows_the_nickname_until_a_real_name_is_added(client, event, pupil):
    registration = _attended(event, pupil)
    client.force_login(pupil)
    url = f"/veranstaltungen/anmeldung/{registration.pk}/bescheinigung.pdf"
    assert pupil.nickname in _pdf_text(client.get(url))
    response = client.post("/veranstaltungen/meine/name/", {"first_name": " Lea ", "last_name": "Janßen"})
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert (pupil.first_name, pupil.last_name, pupil.certificate_name) == ("Lea", "Janßen", "Lea Janßen")
    assert "Lea Janßen" in _pdf_text(client.get(url))
    # HTML is refused and nothing changes; empty fields remove the name again
    client.post("/veranstaltungen/meine/name/", {"first_name": "<b>x</b>", "last_name": ""})
    pupil.refresh_from_db()
    assert pupil.first_name == "Lea"
    client.post("/veranstaltungen/meine/name/", {"first_name": "", "last_name": ""})
    pupil.refresh_from_db()
    assert pupil.certificate_name == pupil.nickname


def test_name_form_is_for_pupils_only(client, teacher):
    client.force_login(teacher)
    assert client.post("/veranstaltungen/meine/name/", {"first_name": "X"}).status_code == 404


def test_host_takes_back_a_check_in(client, event, pupil, host_member, staff):
    registration = _attended(event, pupil)
    url = f"/veranstaltungen/anmeldung/{registration.pk}/einlass-zuruecknehmen/"
    client.force_login(pupil)
    assert client.post(url).status_code == 404
    client.force_login(host_member)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_at is None and registration.attended is None
    client.force_login(pupil)
    assert client.get(f"/veranstaltungen/anmeldung/{registration.pk}/bescheinigung.pdf").status_code == 404
