"""Personal agenda (issue #4): bookmarks with and without an account, anonymous counts, conflicts, ICS download and
subscribable feed (signed, revocable), e-mail reminders sent exactly once."""

import threading
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from einblick.fair import selectors, services
from einblick.fair.models import AgendaItem, Session, SessionCounter
from einblick.fair.tasks import agenda_reminder_task, agenda_reminders_sweep
from tests.factories import CompanyFactory, PupilFactory
from tests.fair.support import make_fair, make_session

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
JSON = {"HTTP_ACCEPT": "application/json"}


def toggle_url(session):
    return reverse("fair:agenda_toggle", args=[session.fair.slug, session.pk])


def agenda_url(fair):
    return reverse("fair:agenda", args=[fair.slug])


@pytest.fixture
def sessions(fair, company_a):
    return [
        make_session(fair, minutes=60, company=company_a, title="Werkstattführung"),
        make_session(fair, minutes=75, stage=1, title="Azubis erzählen"),  # overlaps the first
        make_session(fair, minutes=120, title="Frag uns alles"),
    ]


# --- Bookmarks ----------------------------------------------------------------------------------------------------
def test_account_bookmarks_through_the_button(login, pupil, sessions):
    client = login(pupil)
    response = client.post(toggle_url(sessions[0]), {"action": "add", "next": "/messe/55-stunden/"})
    assert response.status_code == 302 and response["Location"] == "/messe/55-stunden/"
    assert client.post(toggle_url(sessions[1]), {"action": "add"}, **JSON).json() == {
        "session": sessions[1].pk,
        "saved": True,
    }
    assert set(AgendaItem.objects.values_list("session_id", flat=True)) == {sessions[0].pk, sessions[1].pk}
    assert client.post(toggle_url(sessions[0]), {"action": "remove"}, **JSON).json()["saved"] is False
    assert list(AgendaItem.objects.values_list("session_id", flat=True)) == [sessions[1].pk]
    assert not SessionCounter.objects.exists()  # accounts are counted by their agenda entries
    page = client.get(sessions[1].get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page and "Gemerkt" in page


def test_anonymous_add_only_counts_once_per_browser_session(client, sessions):
    for _ in range(3):
        assert client.post(toggle_url(sessions[0]), {"action": "add"}, **JSON).json()["saved"] is True
    client.post(toggle_url(sessions[0]), {"action": "remove"}, **JSON)
    client.post(toggle_url(sessions[0]), {"action": "add"}, **JSON)
    assert SessionCounter.objects.get(session=sessions[0]).agenda_adds == 1
    assert not AgendaItem.objects.exists()
    client.cookies.clear()
    client.post(toggle_url(sessions[0]), {"action": "add"}, **JSON)
    assert SessionCounter.objects.get(session=sessions[0]).agenda_adds == 2
    assert set(client.session.keys()) <= {f"fair:agenda:{sessions[0].fair_id}", "fair:agenda-counted"}


def test_anonymous_without_javascript_keeps_bookmarks_in_the_session(client, fair, sessions):
    response = client.post(toggle_url(sessions[2]), {"action": "add", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == agenda_url(fair)  # no open redirect
    page = client.get(agenda_url(fair))
    assert [row["session"] for day, rows in page.context["days"] for row in rows] == [sessions[2]]
    assert 'aria-pressed="true"' in page.content.decode()


def test_bad_toggles(client, fair, sessions):
    assert client.post(toggle_url(sessions[0]), {"action": "delete-all"}).status_code == 400
    assert client.get(toggle_url(sessions[0])).status_code == 405
    assert (
        client.post(reverse("fair:agenda_toggle", args=[fair.slug, 999999]), {"action": "add"}).status_code
        == 404
    )
    other = make_session(make_fair("andere-messe"), minutes=10)
    assert (
        client.post(reverse("fair:agenda_toggle", args=[fair.slug, other.pk]), {"action": "add"}).status_code
        == 404
    )
    sessions[0].status = Session.Status.DRAFT
    sessions[0].save()
    assert client.post(toggle_url(sessions[0]), {"action": "add"}).status_code == 404


def test_anonymous_agenda_page_renders_the_ids_from_the_browser(client, fair, sessions):
    other_fair_session = make_session(make_fair("andere-messe"), minutes=10, title="Fremde Messe")
    ids = f"{sessions[2].pk},{sessions[0].pk},abc,{other_fair_session.pk},-3"
    response = client.get(agenda_url(fair), {"ids": ids})
    assert response.status_code == 200
    listed = [row["session"] for day, rows in response.context["days"] for row in rows]
    assert listed == [sessions[0], sessions[2]]  # by time; foreign and malformed ids ignored
    content = response.content.decode()
    assert "Fremde Messe" not in content
    assert f"merkliste.ics?ids={sessions[0].pk},{sessions[2].pk}" in content


def test_conflicts_are_marked(client, fair, sessions):
    response = client.get(agenda_url(fair), {"ids": ",".join(str(s.pk) for s in sessions)})
    rows = {row["session"].pk: row for day, rows in response.context["days"] for row in rows}
    assert rows[sessions[0].pk]["conflicts"] == [sessions[1]]
    assert rows[sessions[1].pk]["conflicts"] == [sessions[0]]
    assert rows[sessions[2].pk]["conflicts"] == []
    content = response.content.decode()
    assert "überschneidet sich mit" in content and content.count("has-conflict") == 2


def test_conflict_detection_edges(fair):
    a = make_session(fair, minutes=0, length=30)
    touching = make_session(fair, minutes=30, length=30)  # starts when a ends: no conflict
    inside = make_session(fair, minutes=5, length=10)
    long = make_session(fair, minutes=-60, length=200)
    conflicts = selectors.agenda_conflicts([a, touching, inside, long])
    assert set(conflicts[a.pk]) == {inside, long}
    assert set(conflicts[touching.pk]) == {long}
    assert set(conflicts[long.pk]) == {a, touching, inside}


def test_account_agenda_page_with_reminder_switch_and_import(login, fair, pupil, sessions):
    client = login(pupil)
    services.agenda_add(user=pupil, session=sessions[0])
    page = client.get(agenda_url(fair))
    assert page.status_code == 200 and "Werkstattführung" in page.content.decode()
    assert page.context["feed_url"].startswith("http://testserver/messe/kalender/")
    remind = reverse("fair:agenda_remind", args=[fair.slug, sessions[0].pk])
    assert client.post(remind, {"remind": "1"}).status_code == 302
    assert AgendaItem.objects.get().remind is True
    client.post(remind, {"remind": "0"})
    assert AgendaItem.objects.get().remind is False
    assert (
        client.post(
            reverse("fair:agenda_remind", args=[fair.slug, sessions[1].pk]), {"remind": "1"}
        ).status_code
        == 404
    )
    response = client.post(
        reverse("fair:agenda_import", args=[fair.slug]), {"ids": f"{sessions[0].pk},{sessions[2].pk}"}
    )
    assert response.status_code == 302
    assert set(AgendaItem.objects.values_list("session_id", flat=True)) == {sessions[0].pk, sessions[2].pk}


def test_reminder_needs_an_email_address(login, fair, sessions):
    pupil = PupilFactory(email="")
    services.agenda_add(user=pupil, session=sessions[0])
    response = login(pupil).post(
        reverse("fair:agenda_remind", args=[fair.slug, sessions[0].pk]), {"remind": "1"}
    )
    assert response.status_code == 302
    assert AgendaItem.objects.get().remind is False


def test_agenda_page_has_no_n_plus_1(login, fair, pupil, django_assert_num_queries):
    client = login(pupil)
    companies = [CompanyFactory() for _ in range(3)]
    created = [make_session(fair, minutes=30 + 10 * k, company=companies[k], stage=k % 2) for k in range(3)]
    services.agenda_add(user=pupil, session=created[0])
    client.get(agenda_url(fair))
    with CaptureQueriesContext(connection) as one:
        client.get(agenda_url(fair))
    for session in created[1:]:
        services.agenda_add(user=pupil, session=session)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(agenda_url(fair))
    assert response.context["count"] == 3
    client.logout()
    ids = ",".join(str(s.pk) for s in created)
    with CaptureQueriesContext(connection) as anon_one:
        client.get(agenda_url(fair), {"ids": str(created[0].pk)})
    with django_assert_num_queries(len(anon_one.captured_queries)):
        client.get(agenda_url(fair), {"ids": ids})


# --- Calendar files -----------------------------------------------------------------------------------------------
def parse(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_ics_download_for_anonymous_visitors(client, fair, sessions):
    response = client.get(
        reverse("fair:agenda_ics", args=[fair.slug]), {"ids": f"{sessions[0].pk},{sessions[2].pk}"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="merkliste-55-stunden.ics"'
    calendar = parse(response)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]) for e in events] == ["Werkstattführung", "Frag uns alles"]
    first = events[0]
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    # the same instant (calendar files have whole seconds), written in Berlin time
    assert start == sessions[0].starts_at.replace(microsecond=0) and end == sessions[0].ends_at.replace(
        microsecond=0
    )
    assert str(start.tzinfo) == "Europe/Berlin"
    assert start.astimezone(BERLIN).strftime("%H:%M") == timezone.localtime(sessions[0].starts_at).strftime(
        "%H:%M"
    )
    assert str(first["url"]) == "http://testserver" + sessions[0].get_absolute_url()
    assert str(first["uid"]) == f"fair-session-{sessions[0].pk}@testserver"
    assert "Meyer Maschinenbau GmbH" in str(first["description"])
    assert "Technik & Werkstatt" in str(first["location"])
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert "55 Stunden Zukunft" in str(calendar["x-wr-calname"])


def test_ics_times_across_the_summer_time_change(fair):
    from datetime import datetime

    from einblick.fair import ics

    summer = services.session_save(
        fair=fair,
        title="Sommer",
        starts_at=datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN),  # first day of summer time
        ends_at=datetime(2027, 3, 28, 10, 30, tzinfo=BERLIN),
    )
    winter = services.session_save(
        fair=fair,
        title="Winter",
        starts_at=datetime(2027, 3, 27, 10, 0, tzinfo=BERLIN),
        ends_at=datetime(2027, 3, 27, 10, 30, tzinfo=BERLIN),
    )
    events = {
        str(e["summary"]): e
        for e in Calendar.from_ical(ics.agenda_calendar([winter, summer], name="x")).walk("VEVENT")
    }
    assert events["Sommer"].decoded("dtstart").astimezone(ZoneInfo("UTC")).hour == 8
    assert events["Winter"].decoded("dtstart").astimezone(ZoneInfo("UTC")).hour == 9
    assert events["Sommer"].decoded("dtstart").astimezone(BERLIN).hour == 10


def test_ics_for_an_account_without_ids_uses_the_agenda(login, fair, pupil, sessions):
    services.agenda_add(user=pupil, session=sessions[1])
    calendar = parse(login(pupil).get(reverse("fair:agenda_ics", args=[fair.slug])))
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Azubis erzählen"]


def test_feed_url_works_until_reset_and_rejects_tampering(client, login, fair, pupil, sessions):
    services.agenda_add(user=pupil, session=sessions[0])
    services.agenda_add(user=pupil, session=sessions[2])
    other = make_session(make_fair("herbst"), minutes=24 * 60, title="Herbstmesse")
    services.agenda_add(user=pupil, session=other)
    token = selectors.agenda_feed_token(services.agenda_feed_get(user=pupil))
    url = reverse("fair:agenda_feed", args=[token])
    calendar = parse(client.get(url))  # no login: calendar apps subscribe without cookies
    assert {str(e["summary"]) for e in calendar.walk("VEVENT")} == {
        "Werkstattführung",
        "Frag uns alles",
        "Herbstmesse",
    }
    assert "Content-Disposition" not in client.get(url)

    sessions[2].status = Session.Status.CANCELLED
    sessions[2].save()
    statuses = {str(e["summary"]): str(e["status"]) for e in parse(client.get(url)).walk("VEVENT")}
    assert statuses["Frag uns alles"] == "CANCELLED" and statuses["Werkstattführung"] == "CONFIRMED"

    user_id, key_and_signature = token.split("-", 1)
    key, signature = key_and_signature.rsplit(".", 1)
    stranger = PupilFactory()
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        f"{stranger.pk}-{key}.{signature}",  # other user, same key and signature
        f"{user_id}-{key}x.{signature}",  # key changed
        f"{user_id}-{key}",  # unsigned
        "",
        "garbage",
    ]
    for bad in tampered:
        if bad:
            assert client.get(reverse("fair:agenda_feed", args=[bad])).status_code == 404, bad

    reset = reverse("fair:agenda_feed_reset", args=[fair.slug])
    assert login(pupil).post(reset).status_code == 302
    client.logout()
    assert client.get(url).status_code == 404  # revoked
    new_token = selectors.agenda_feed_token(services.agenda_feed_get(user=pupil))
    assert new_token != token and client.get(reverse("fair:agenda_feed", args=[new_token])).status_code == 200

    pupil.is_active = False
    pupil.save()
    assert client.get(reverse("fair:agenda_feed", args=[new_token])).status_code == 404


# --- Reminders ----------------------------------------------------------------------------------------------------
@pytest.fixture
def soon(fair, company_a):
    return make_session(fair, minutes=10, company=company_a, title="Gleich live")


def reminder_mails():
    return [m for m in mail.outbox if "Gleich live" in m.subject]


def test_reminder_is_queued_for_15_minutes_before_the_start(fair, pupil, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    later = make_session(fair, minutes=120, title="Später")
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_add(user=pupil, session=later, remind=True)
    task = DBTaskResult.objects.get(task_path__endswith="agenda_reminder_task")
    assert task.run_after == later.starts_at - timedelta(minutes=15)
    assert task.args_kwargs["kwargs"] == {"item_id": AgendaItem.objects.get().pk}


def test_reminder_sent_once_even_when_the_task_runs_twice(
    fair, pupil, soon, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = services.agenda_add(user=pupil, session=soon, remind=True)
    run_tasks()  # the reminder task (due: starts in 10 minutes) and then the e-mail
    assert len(reminder_mails()) == 1
    message = reminder_mails()[0]
    assert message.to == ["lea@example.org"]
    assert "Hallo Lea" in message.body and soon.get_absolute_url() in message.body
    assert timezone.localtime(soon.starts_at).strftime("%H:%M") in message.subject
    item.refresh_from_db()
    assert item.reminded_at is not None

    agenda_reminder_task.enqueue(item_id=item.pk)  # worker restarted, task delivered again
    agenda_reminders_sweep.enqueue()
    run_tasks()
    call_command("send_reminders")
    assert services.agenda_reminders_send() == 0
    run_tasks()
    assert len(reminder_mails()) == 1


def test_reminder_sweep_sends_only_due_opted_in_reminders(fair, pupil, soon, run_tasks):
    no_opt_in = PupilFactory(email="ole@example.org")
    no_email = PupilFactory(email="")
    inactive = PupilFactory(email="weg@example.org", is_active=False)
    services.agenda_add(user=pupil, session=soon, remind=True)
    services.agenda_add(user=no_opt_in, session=soon)
    services.agenda_add(user=no_email, session=soon, remind=True)
    AgendaItem.objects.create(user=inactive, session=soon, remind=True)
    far = make_session(fair, minutes=60, title="Gleich live, aber später")
    services.agenda_add(user=pupil, session=far, remind=True)
    cancelled = make_session(fair, minutes=5, title="Gleich live (abgesagt)")
    services.agenda_add(user=pupil, session=cancelled, remind=True)
    Session.objects.filter(pk=cancelled.pk).update(status=Session.Status.CANCELLED)
    started = make_session(fair, minutes=-1, title="Gleich live (läuft schon)")
    services.agenda_add(user=pupil, session=started, remind=True)

    assert services.agenda_reminders_send() == 1
    run_tasks()
    assert [m.subject for m in reminder_mails()] == [mail.outbox[-1].subject]
    assert reminder_mails()[0].to == ["lea@example.org"]
    # 50 minutes later the second session is due
    assert services.agenda_reminders_send(now=timezone.now() + timedelta(minutes=50)) == 1


def test_reminder_race_lost_between_read_and_claim_sends_nothing(fair, pupil, soon, monkeypatch, run_tasks):
    """Another process claims the reminder after this one read it: the conditional update finds nothing."""
    item = services.agenda_add(user=pupil, session=soon, remind=True)
    original = AgendaItem.objects.filter(pk=item.pk).select_related("session")

    from django.db.models.query import QuerySet

    real_first = QuerySet.first

    def first_then_claim_elsewhere(self):
        found = real_first(self)
        if self.model is AgendaItem and found is not None and found.reminded_at is None:
            AgendaItem.objects.filter(pk=found.pk).update(reminded_at=timezone.now())  # the other worker
        return found

    monkeypatch.setattr(QuerySet, "first", first_then_claim_elsewhere)
    assert services.agenda_reminder_send(item_id=item.pk) is False
    monkeypatch.undo()
    run_tasks()
    assert reminder_mails() == [] and original.get().reminded_at is not None


@pytest.mark.django_db(transaction=True)
def test_reminder_sent_once_when_workers_run_concurrently(run_tasks):
    fair_obj = make_fair("parallel")
    soon = make_session(fair_obj, minutes=10, title="Gleich live")
    pupil = PupilFactory(email="lea@example.org", nickname="Lea")
    item = services.agenda_add(user=pupil, session=soon, remind=True)
    workers = 6
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            for attempt in range(200):
                try:
                    results.append(services.agenda_reminder_send(item_id=item.pk))
                    break
                except OperationalError as exc:
                    # SQLite's shared in-memory test database answers a concurrent writer with "table is
                    # locked" at once instead of waiting (a database file waits: busy timeout): try again.
                    if "locked" not in str(exc) or attempt == 199:
                        raise
                    time.sleep(0.01)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(results) == [False] * (workers - 1) + [True]
    run_tasks()
    assert len(reminder_mails()) == 1


def test_moved_session_reschedules_the_reminder(fair, pupil, soon, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    item = services.agenda_add(user=pupil, session=soon, remind=True)
    Session.objects.filter(pk=soon.pk).update(
        starts_at=soon.starts_at + timedelta(hours=2), ends_at=soon.ends_at + timedelta(hours=2)
    )
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.agenda_reminder_send(item_id=item.pk, reschedule=True) is False
    task = DBTaskResult.objects.get()
    assert task.run_after == soon.starts_at + timedelta(hours=2) - timedelta(minutes=15)
    item.refresh_from_db()
    assert item.reminded_at is None


def test_send_reminders_command(fair, pupil, soon, capsys, run_tasks):
    services.agenda_add(user=pupil, session=soon, remind=True)
    call_command("send_reminders", "--enqueue")
    assert "queued" in capsys.readouterr().out
    run_tasks()
    assert len(reminder_mails()) == 1
    call_command("send_reminders")
    assert "0 reminder" in capsys.readouterr().out
