from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from einblick.talks import services
from einblick.talks.models import AllocationRun, Talk, TalkRound, TalkWish
from tests.factories import StaffFactory, UserFactory
from tests.talks.conftest import close_wishes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return StaffFactory()


def _urls(round, talk=None):
    urls = {
        "mine": ("get", reverse("talks:mine", args=[round.pk])),
        "manage": ("get", reverse("talks:manage", args=[round.pk])),
        "allocate": ("post", reverse("talks:allocate", args=[round.pk])),
        "publish": ("post", reverse("talks:publish", args=[round.pk])),
    }
    if talk:
        urls["cancel"] = ("post", reverse("talks:cancel", args=[talk.pk]))
    return urls


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", {"mine": 302, "manage": 302, "allocate": 302, "publish": 302, "cancel": 302}),
        ("pupil", {"mine": 200, "manage": 404, "allocate": 404, "publish": 404, "cancel": 302}),
        ("other_pupil", {"mine": 200, "manage": 404, "allocate": 404, "publish": 404, "cancel": 404}),
        ("company_user", {"mine": 404, "manage": 404, "allocate": 404, "publish": 404, "cancel": 404}),
        ("staff", {"mine": 404, "manage": 200, "allocate": 302, "publish": 302, "cancel": 404}),
    ],
)
def test_permission_matrix(client, talk_round, offers, pupils, staff, role, expected):
    talk = Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[0], slot=0)
    users = {"pupil": pupils[0], "other_pupil": pupils[1], "company_user": UserFactory(), "staff": staff}
    if role in users:
        client.force_login(users[role])
    for name, (method, url) in _urls(talk_round, talk).items():
        response = getattr(client, method)(url)
        assert response.status_code == expected[name], (name, response.status_code)


def test_draft_round_is_hidden_from_pupils(client, talk_round, pupils):
    talk_round.status = TalkRound.Status.DRAFT
    talk_round.save()
    client.force_login(pupils[0])
    assert client.get(reverse("talks:mine", args=[talk_round.pk])).status_code == 404


def test_pupil_saves_wishes(client, talk_round, offers, pupils):
    client.force_login(pupils[0])
    url = reverse("talks:mine", args=[talk_round.pk])
    page = client.get(url)
    assert "Meine Gespräche" in page.text and offers[0].company.name in page.text
    response = client.post(
        url, {"wish_0": f"c{offers[2].company_id}", "wish_1": f"c{offers[0].company_id}", "slots": ["0", "2"]}
    )
    assert response.status_code == 302
    assert list(TalkWish.objects.values_list("company", flat=True)) == [
        offers[2].company_id,
        offers[0].company_id,
    ]
    assert talk_round.participants.get(pupil=pupils[0]).available_slots == [0, 2]


def test_bad_wishes_keep_values_and_show_german_error(client, talk_round, offers, pupils):
    client.force_login(pupils[0])
    url = reverse("talks:mine", args=[talk_round.pk])
    value = f"c{offers[1].company_id}"
    response = client.post(url, {"wish_0": value, "wish_1": value, "slots": ["0"]})
    assert response.status_code == 200
    assert "zweimal" in response.text and f'value="{value}" selected' in response.text
    assert not TalkWish.objects.exists()


def test_staff_allocates_and_publishes(client, talk_round, offers, pupils, staff, run_tasks):
    for pupil in pupils:
        services.wishes_set(pupil=pupil, round=talk_round, wishes=[o.company for o in offers])
    client.force_login(staff)
    client.post(reverse("talks:allocate", args=[talk_round.pk]))  # before the deadline: refused
    assert not AllocationRun.objects.exists()
    close_wishes(talk_round)
    client.post(reverse("talks:allocate", args=[talk_round.pk]))
    client.post(reverse("talks:allocate", args=[talk_round.pk]))  # the second start is refused
    assert AllocationRun.objects.count() == 1
    run_tasks()
    page = client.get(reverse("talks:manage", args=[talk_round.pk]))
    assert "Schüler:innen mit mindestens einem Gespräch" in page.text and "3 / 3" in page.text
    client.post(reverse("talks:publish", args=[talk_round.pk]))
    talk_round.refresh_from_db()
    assert talk_round.status == TalkRound.Status.PUBLISHED


def _published_with_talk(talk_round, offers, pupil, starts_in):
    talk_round.status = TalkRound.Status.PUBLISHED
    talk_round.first_slot_at = timezone.now() + starts_in
    talk_round.save()
    return Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupil, slot=0)


@pytest.mark.parametrize(
    "starts_in, shown",
    [
        (timedelta(minutes=11), False),
        (timedelta(minutes=9), True),
        (timedelta(minutes=-14), True),
        (timedelta(minutes=-16), False),
    ],
)
def test_video_link_only_around_the_talk(client, talk_round, offers, pupils, starts_in, shown):
    talk = _published_with_talk(talk_round, offers, pupils[0], starts_in)
    client.force_login(pupils[0])
    page = client.get(reverse("talks:mine", args=[talk_round.pk]))
    assert (talk.video_url in page.text) is shown
    assert talk.video_url.startswith("https://meet.jit.si/Einblick-") and len(talk.offer.video_key) >= 30
    client.force_login(pupils[1])
    assert talk.offer.video_key not in client.get(reverse("talks:mine", args=[talk_round.pk])).text


def test_jitsi_base_url_setting(settings, talk_round, offers, pupils):
    settings.EINBLICK_JITSI_BASE_URL = "https://video.example.org/"
    talk = Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[0], slot=0)
    assert (
        talk.video_url
        == f"https://video.example.org/Einblick-{offers[0].video_key}-0-0#config.startWithVideoMuted=true"
    )


def test_ics_of_the_plan(client, talk_round, offers, pupils):
    _published_with_talk(talk_round, offers, pupils[0], timedelta(hours=1))
    client.force_login(pupils[0])
    response = client.get(reverse("talks:ics", args=[talk_round.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 1 and offers[0].company.name in text
    client.force_login(pupils[1])
    assert "BEGIN:VEVENT" not in client.get(reverse("talks:ics", args=[talk_round.pk])).content.decode()


def test_pupil_books_and_cancels_leftover_seat(client, talk_round, offers, pupils):
    talk_round.status = TalkRound.Status.PUBLISHED
    talk_round.save()
    client.force_login(pupils[0])
    page = client.get(reverse("talks:mine", args=[talk_round.pk]))
    assert "Freie Plätze" in page.text
    client.post(reverse("talks:book", args=[talk_round.pk]), {"offer": offers[1].pk, "slot": 2})
    talk = Talk.objects.get()
    assert (talk.pupil, talk.offer, talk.slot, talk.source) == (pupils[0], offers[1], 2, "booking")
    response = client.post(
        reverse("talks:book", args=[talk_round.pk]), {"offer": offers[2].pk, "slot": 2}, follow=True
    )
    assert "Du hast zu dieser Zeit schon ein Gespräch." in response.text
    client.post(reverse("talks:cancel", args=[talk.pk]))
    talk.refresh_from_db()
    assert talk.status == Talk.Status.CANCELLED


def test_manage_page_queries_do_not_grow_with_offers(client, talk_round, offers, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)
    url = reverse("talks:manage", args=[talk_round.pk])
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200
    for offer in offers[1:]:
        offer.delete()
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    assert len(one) == len(three)
