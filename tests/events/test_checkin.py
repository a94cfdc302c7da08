"""Tickets and check-in (issue #6, item 4): the QR code, who may see it, the check-in page without JavaScript,
the JSON endpoint checkin.js talks to (including scans sent late from the offline queue), group check-in and the
counters."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import segno
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from einblick.events import services, tickets
from einblick.events.models import Registration
from tests.factories import EventFactory, MembershipFactory, PupilFactory

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"


# --------------------------------------------------------------------------------------------------- helpers


def make_today(event, *, started_ago=timedelta(minutes=30)):
    """Move the event to now (after the registrations were made: registration closes the day before)."""
    type(event).objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - started_ago, ends_at=timezone.now() - started_ago + timedelta(hours=3)
    )
    event.refresh_from_db()
    return event


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def page_url(event) -> str:
    return reverse("events:checkin", args=[event.slug])


def api_url(event) -> str:
    return reverse("events:checkin_api", args=[event.slug])


def post_json(client, event, payload, **extra):
    return client.post(api_url(event), data=json.dumps(payload), content_type="application/json", **extra)


def counters(html: str) -> dict:
    return {key: int(value) for key, value in re.findall(r'data-count="(\w+)">\s*(\d+)\s*<', html)}


def field_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html, re.S)
    assert match, f"no input {name}"
    return match.group(1)


def result_code(html: str) -> str | None:
    match = re.search(r'id="checkin-result"[^>]*data-result="(\w+)"', html)
    return match.group(1) if match else None


def dark_modules_of_svg(svg: bytes) -> set[tuple[int, int]]:
    """Read the dark modules (row, column) back from segno's SVG path (``M x y``, ``m dx dy``, ``h n``)."""
    root = ET.fromstring(svg)
    line = next(p for p in root.iter(f"{SVG_NS}path") if p.get("stroke"))
    x = y = 0.0
    dark = set()
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", line.get("d")):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            row = int(y - 0.5) - tickets.BORDER  # a line runs through the middle of its row
            dark.update((row, int(x) - tickets.BORDER + i) for i in range(int(numbers[0])))
            x += numbers[0]
    return dark


def dark_modules_of(qr: segno.QRCode) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(qr.matrix) for c, value in enumerate(row) if value}


@pytest.fixture
def ticket(event, pupil):
    """The pupil's confirmed registration."""
    registration = services.register_pupil(event=event, pupil=pupil)
    assert registration.status == Registration.Status.CONFIRMED
    return registration


@pytest.fixture
def group(event, teacher, school_class):
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=5
    )
    assert registration.status == Registration.Status.CONFIRMED
    return registration


@pytest.fixture
def waiting_for_parent(event, young_pupil):
    registration = services.register_pupil(event=event, pupil=young_pupil)
    assert registration.status == Registration.Status.AWAITING_PARENT
    return registration


@pytest.fixture
def other_member(db):
    return MembershipFactory().user  # a member of another company


# --------------------------------------------------------------------------------------------------- tickets


def test_qr_payload_round_trips_through_normalise_code(ticket):
    payload = tickets.qr_payload(ticket)
    assert payload == f"EINBLICK-TICKET:{ticket.ticket}"
    assert services.normalise_code(payload) == ticket.ticket


def test_qr_svg_is_valid_svg_with_title_and_encodes_the_payload(ticket, pupil, event):
    svg = tickets.qr_svg(ticket)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    # the include shows it at 174 × 174 px: version 2 at scale 6 with a border of 2 modules
    assert root.get("viewBox") == "0 0 174 174"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and ticket.ticket_display in title.text
    assert b"href" not in svg and b"<script" not in svg  # nothing is loaded or run
    assert root.find(f".//{SVG_NS}path[@stroke]").get("stroke") == "#000"

    expected = segno.make(tickets.qr_payload(ticket), error="m", micro=False)
    assert expected.version == 2
    assert expected.error in ("M", "Q", "H")  # at least M
    drawn = dark_modules_of_svg(svg)
    assert drawn == dark_modules_of(expected)
    # and not just any QR code: another ticket's code draws differently
    other = services.register_pupil(event=event, pupil=PupilFactory(consent_age_declared_at=timezone.now()))
    assert drawn != dark_modules_of_svg(tickets.qr_svg(other))


def test_qr_png_is_a_png(ticket):
    assert tickets.qr_png(ticket).startswith(b"\x89PNG\r\n\x1a\n")


def test_ticket_image_for_the_pupil(ticket, pupil):
    response = logged_in(pupil).get(reverse("events:ticket_qr", args=[ticket.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response.content == tickets.qr_svg(ticket)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("pupil", 200),
        ("other_pupil", 404),
        ("teacher", 404),
        ("host_member", 200),
        ("staff", 200),
        ("other_member", 404),
    ],
)
def test_ticket_image_permissions(request, ticket, role, expected):
    user = PupilFactory() if role == "other_pupil" else request.getfixturevalue(role)
    response = logged_in(user).get(reverse("events:ticket_qr", args=[ticket.pk]))
    assert response.status_code == expected


def test_ticket_image_needs_login(ticket):
    response = Client().get(reverse("events:ticket_qr", args=[ticket.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_class_ticket_image_for_its_teacher(group, teacher):
    response = logged_in(teacher).get(reverse("events:ticket_qr", args=[group.pk]))
    assert response.status_code == 200
    assert response.content == tickets.qr_svg(group)


def test_no_ticket_image_while_unconfirmed_or_after_cancelling(
    waiting_for_parent, young_pupil, ticket, pupil
):
    assert (
        logged_in(young_pupil).get(reverse("events:ticket_qr", args=[waiting_for_parent.pk])).status_code
        == 404
    )
    services.registration_cancel(registration=ticket)
    assert logged_in(pupil).get(reverse("events:ticket_qr", args=[ticket.pk])).status_code == 404


def test_ticket_include(ticket, group, waiting_for_parent):
    html = render_to_string("events/_ticket.html", {"registration": ticket})
    assert f'src="{reverse("events:ticket_qr", args=[ticket.pk])}"' in html
    assert ticket.ticket_display in html
    assert ticket.pupil.display_name in html
    assert re.search(r'alt="[^"]*' + re.escape(ticket.ticket_display), html)
    group_html = render_to_string("events/_ticket.html", {"registration": group})
    assert group.school_class.name in group_html and "5" in group_html
    assert "<img" not in render_to_string("events/_ticket.html", {"registration": waiting_for_parent})


# ------------------------------------------------------------------------------------------- page permissions


@pytest.mark.parametrize(
    ("role", "expected"),
    [("pupil", 404), ("teacher", 404), ("other_member", 404), ("host_member", 200), ("staff", 200)],
)
def test_checkin_page_permissions(request, event, role, expected):
    user = request.getfixturevalue(role)
    assert logged_in(user).get(page_url(event)).status_code == expected
    # the endpoint alike (a refusal would be 200 with ok: false, a permission failure is 404)
    assert post_json(logged_in(user), event, {"code": "ABCD"}).status_code == expected


def test_checkin_page_needs_login(event):
    response = Client().get(page_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    response = post_json(Client(), event, {"code": "ABCD"})
    assert response.status_code == 401
    assert response.json()["ok"] is False


def test_checkin_page_renders_for_phones(event, host_member):
    make_today(event)
    html = logged_in(host_member).get(page_url(event)).content.decode()
    assert event.title in html
    assert 'src="/static/einblick/checkin.js"' in html and "defer" in html
    assert "data-camera-start" in html and "<video" in html
    assert f'data-api="{api_url(event)}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'id="checkin-messages"' in html  # the texts for the script
    assert 'method="post"' in html and 'name="code"' in html and 'name="attended"' in html
    assert result_code(html) is None
    assert "message-warning" not in html  # check-in is open now


def test_checkin_page_says_when_check_in_opens(event, host_member):
    html = logged_in(host_member).get(page_url(event)).content.decode()
    assert "message-warning" in html
    opens = timezone.localtime(event.starts_at - services.CHECKIN_EARLY)
    assert opens.strftime("%H:%M") in html


# --------------------------------------------------------------------------------------- form without JS


def test_typed_code_checks_in(event, ticket, pupil, host_member):
    make_today(event)
    client = logged_in(host_member)
    response = client.post(page_url(event), {"code": ticket.ticket_display, "attended": ""})
    assert response.status_code == 302 and response["Location"] == page_url(event)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    assert ticket.checked_in_by == host_member
    assert ticket.attended == 1
    page = client.get(page_url(event)).content.decode()
    assert pupil.nickname in page  # the message and the list of the last check-ins
    assert counters(page) == {"checked_in": 1, "confirmed": 1}


def test_typed_code_second_time_is_refused(event, ticket, host_member, staff):
    make_today(event)
    logged_in(host_member).post(page_url(event), {"code": ticket.ticket})
    ticket.refresh_from_db()
    first = ticket.checked_in_at
    response = logged_in(staff).post(page_url(event), {"code": ticket.ticket_display})
    assert response.status_code == 200
    html = response.content.decode()
    assert result_code(html) == "already"
    assert field_value(html, "code") == ticket.ticket_display  # the typed code stays
    ticket.refresh_from_db()
    assert ticket.checked_in_at == first and ticket.checked_in_by == host_member


def test_forged_code_is_refused_and_kept(event, ticket, host_member):
    make_today(event)
    response = logged_in(host_member).post(page_url(event), {"code": "ZZZZ-ZZZZ-ZZZZ"})
    html = response.content.decode()
    assert response.status_code == 200
    assert result_code(html) == "unknown"
    assert gettext("Unknown ticket. Check the code.") in html
    assert field_value(html, "code") == "ZZZZ-ZZZZ-ZZZZ"
    assert 'aria-invalid="true"' in html
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


def test_ticket_of_another_event_is_refused(event, host, host_member):
    elsewhere = EventFactory(hosts=[host], title="Tag der Ausbildung")
    pupil = PupilFactory(consent_age_declared_at=timezone.now())
    foreign = services.register_pupil(event=elsewhere, pupil=pupil)
    make_today(event)
    html = logged_in(host_member).post(page_url(event), {"code": foreign.ticket}).content.decode()
    assert result_code(html) == "other_event"
    assert "Tag der Ausbildung" not in html  # the other event is not named (the host may not host it)
    foreign.refresh_from_db()
    assert foreign.checked_in_at is None


@pytest.mark.parametrize(
    "typed",
    [
        lambda t: t.ticket_display.lower(),
        lambda t: " " + " ".join(t.ticket_display.lower().split("-")) + " ",
        lambda t: tickets.qr_payload(t),  # a USB scanner that types the QR payload
    ],
    ids=["lower-dashes", "spaces", "payload"],
)
def test_typed_code_variants_work(event, ticket, host_member, typed):
    make_today(event)
    response = logged_in(host_member).post(page_url(event), {"code": typed(ticket)})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


def test_unconfirmed_registration_is_refused(event, waiting_for_parent, host_member):
    make_today(event)
    html = logged_in(host_member).post(page_url(event), {"code": waiting_for_parent.ticket}).content.decode()
    assert result_code(html) == "not_confirmed"
    waiting_for_parent.refresh_from_db()
    assert waiting_for_parent.checked_in_at is None


def test_not_on_the_day(event, ticket, host_member):
    html = logged_in(host_member).post(page_url(event), {"code": ticket.ticket}).content.decode()
    assert result_code(html) == "not_today"
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.parametrize("attended", ["0", "abc", "-3"])
def test_bad_number_present_changes_nothing(event, group, host_member, attended):
    make_today(event)
    response = logged_in(host_member).post(
        page_url(event), {"code": group.ticket_display, "attended": attended}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="attended-errors"' in html
    assert field_value(html, "code") == group.ticket_display
    group.refresh_from_db()
    assert group.checked_in_at is None


def test_empty_code(event, host_member):
    make_today(event)
    response = logged_in(host_member).post(page_url(event), {"code": "  "})
    assert response.status_code == 200
    assert result_code(response.content.decode()) == "invalid"


def test_group_check_in_with_the_pupils_present(event, group, ticket, host_member):
    make_today(event)
    client = logged_in(host_member)
    response = client.post(page_url(event), {"code": group.ticket_display, "attended": "4"}, follow=True)
    html = response.content.decode()
    group.refresh_from_db()
    assert group.attended == 4 and group.checked_in_at is not None
    assert group.school_class.name in html
    assert re.search(r"\b4\b[^<]*\b5\b", html)  # "4 of 5"
    assert counters(html) == {"checked_in": 4, "confirmed": 6}


def test_group_without_number_counts_all_places(event, group, host_member):
    make_today(event)
    logged_in(host_member).post(page_url(event), {"code": group.ticket})
    group.refresh_from_db()
    assert group.attended == 5


def test_counters_count_people_of_confirmed_registrations(
    event, ticket, group, waiting_for_parent, host_member
):
    make_today(event)
    client = logged_in(host_member)
    assert counters(client.get(page_url(event)).content.decode()) == {"checked_in": 0, "confirmed": 6}
    client.post(page_url(event), {"code": ticket.ticket})
    client.post(page_url(event), {"code": group.ticket, "attended": "3"})
    assert counters(client.get(page_url(event)).content.decode()) == {"checked_in": 4, "confirmed": 6}


def test_last_check_ins_newest_first_without_extra_queries(event, host_member, django_assert_num_queries):
    pupils = [PupilFactory(nickname=f"Kind{n}", consent_age_declared_at=timezone.now()) for n in range(3)]
    registrations = [services.register_pupil(event=event, pupil=p) for p in pupils]
    make_today(event)
    client = logged_in(host_member)
    services.checkin(event=event, code=registrations[0].ticket, by=host_member)
    with CaptureQueriesContext(connection) as one:
        client.get(page_url(event))
    for registration in registrations[1:]:
        services.checkin(event=event, code=registration.ticket, by=host_member)
    with django_assert_num_queries(len(one)):
        html = client.get(page_url(event)).content.decode()
    assert html.index("Kind2") < html.index("Kind1") < html.index("Kind0")


# ---------------------------------------------------------------------------------------------------- the API


def test_api_checks_in(event, ticket, pupil, host_member):
    make_today(event)
    response = post_json(logged_in(host_member), event, {"code": tickets.qr_payload(ticket)})
    assert response.status_code == 200
    data = response.json()
    ticket.refresh_from_db()
    assert data["ok"] is True
    assert data["name"] == pupil.nickname
    assert data["places"] == 1 and data["attended"] == 1 and data["group"] is False
    assert data["checked_in_at"] == timezone.localtime(ticket.checked_in_at).isoformat()
    assert pupil.nickname in data["message"]
    assert data["counts"] == {"checked_in": 1, "confirmed": 1}


def test_api_accepts_a_form_encoded_body(event, group, host_member):
    make_today(event)
    response = logged_in(host_member).post(
        api_url(event), {"code": group.ticket_display.lower(), "attended": "2"}
    )
    data = response.json()
    assert data["ok"] is True and data["group"] is True
    assert (data["places"], data["attended"]) == (5, 2)
    group.refresh_from_db()
    assert group.attended == 2


def test_api_business_errors_answer_200(event, host, ticket, waiting_for_parent, host_member):
    client = logged_in(host_member)
    not_today = post_json(client, event, {"code": ticket.ticket})
    assert (not_today.status_code, not_today.json()["code"]) == (200, "not_today")
    make_today(event)
    elsewhere = EventFactory(hosts=[host])
    foreign = services.register_pupil(
        event=elsewhere, pupil=PupilFactory(consent_age_declared_at=timezone.now())
    )
    cases = {
        "unknown": "ZZZZ-ZZZZ-ZZZZ",
        "other_event": foreign.ticket,
        "not_confirmed": waiting_for_parent.ticket,
    }
    for code, typed in cases.items():
        response = post_json(client, event, {"code": typed})
        assert response.status_code == 200
        data = response.json()
        assert data["ok"] is False and data["code"] == code
        assert data["message"]
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()
    assert post_json(client, event, {"code": ticket.ticket}).json()["ok"] is True
    again = post_json(client, event, {"code": ticket.ticket}).json()
    assert again["ok"] is False and again["code"] == "already"
    assert again["name"] == ticket.pupil.nickname and again["by_you"] is True
    assert again["message"].startswith(gettext("Already checked in at %(time)s.").split("%")[0])


def test_api_already_checked_in_by_someone_else(event, ticket, host_member, staff):
    make_today(event)
    services.checkin(event=event, code=ticket.ticket, by=staff)
    data = post_json(logged_in(host_member), event, {"code": ticket.ticket}).json()
    assert data["code"] == "already" and data["by_you"] is False


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('{"attended": 2}', "application/json"),
        ('{"code": "ABCD", "attended": "viele"}', "application/json"),
        ('{"code": "ABCD", "attended": 0}', "application/json"),
        ('{"code": "ABCD", "scanned_at": "gestern"}', "application/json"),
        ("code=", "application/x-www-form-urlencoded"),
    ],
)
def test_api_malformed_requests_answer_400(event, ticket, host_member, body, content_type):
    make_today(event)
    response = logged_in(host_member).post(api_url(event), data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["code"] == "invalid"
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_api_get_is_not_allowed(event, host_member):
    response = logged_in(host_member).get(api_url(event))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_api_enforces_csrf(event, ticket, host_member):
    make_today(event)
    client = logged_in(host_member, enforce_csrf_checks=True)
    assert post_json(client, event, {"code": ticket.ticket}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None
    html = client.get(page_url(event)).content.decode()
    page_token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    response = post_json(client, event, {"code": ticket.ticket}, HTTP_X_CSRFTOKEN=page_token)
    assert response.status_code == 200 and response.json()["ok"] is True


def test_api_accepts_the_csrf_cookie_as_header(event, ticket, host_member):
    make_today(event)
    client = logged_in(host_member, enforce_csrf_checks=True)
    client.get(page_url(event))
    cookie = client.cookies["csrftoken"].value
    response = post_json(client, event, {"code": ticket.ticket}, HTTP_X_CSRFTOKEN=cookie)
    assert response.json()["ok"] is True


def test_form_enforces_csrf(event, ticket, host_member):
    make_today(event)
    client = logged_in(host_member, enforce_csrf_checks=True)
    assert client.post(page_url(event), {"code": ticket.ticket}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_queued_scan_keeps_the_time_it_was_scanned(event, ticket, host_member):
    make_today(event)
    scanned = timezone.now() - timedelta(minutes=10)
    data = post_json(
        logged_in(host_member), event, {"code": ticket.ticket, "scanned_at": scanned.isoformat()}
    ).json()
    assert data["ok"] is True
    ticket.refresh_from_db()
    assert abs(ticket.checked_in_at - scanned) < timedelta(seconds=1)


def test_queued_scan_synced_after_the_check_in_window_still_counts(event, ticket, host_member):
    # ended 7 hours ago: check-in closed an hour ago; the phone scanned 2 hours ago and was offline since
    make_today(event, started_ago=timedelta(hours=10))
    client = logged_in(host_member)
    assert post_json(client, event, {"code": ticket.ticket}).json()["code"] == "not_today"
    scanned = timezone.now() - timedelta(hours=2)
    data = post_json(client, event, {"code": ticket.ticket, "scanned_at": scanned.isoformat()}).json()
    assert data["ok"] is True


@pytest.mark.parametrize("offset", [timedelta(hours=2), -timedelta(days=3)], ids=["future", "too-old"])
def test_implausible_scan_time_is_replaced_by_now(event, ticket, host_member, offset):
    make_today(event)
    before = timezone.now()
    scanned = before + offset
    data = post_json(
        logged_in(host_member), event, {"code": ticket.ticket, "scanned_at": scanned.isoformat()}
    ).json()
    assert data["ok"] is True
    ticket.refresh_from_db()
    assert before <= ticket.checked_in_at <= timezone.now()
