"""Stored XSS (issue #10, item 6): payloads stored through the services and the ORM in every place where Einblick
shows text people wrote, then every page that shows them opened in Chromium. No script may run — no
``window.__xss = 1``, no dialog — and each payload must be readable as plain text.

Two passes over the same pages: once with the Content Security Policy bypassed (``bypass_csp``), so that the
template escaping alone has to hold, and once with the policy enforced, where every page must send it and no
violation may be reported (a violation means something tried to run inline code or load from elsewhere).

Talk wishes are not free text (companies and professions are chosen from lists) and are left out.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.e2e.conftest import DESKTOP_VIEWPORT
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    EventFactory,
    MembershipFactory,
    ProfessionFactory,
    PupilFactory,
    SchoolClassFactory,
    SiteFactory,
    StaffFactory,
    TeacherFactory,
)

# Each sets window.__xss = 1 if it ever runs; the last one would also open a dialog.
IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
SVG = "<svg onload=window.__xss=1>"
BREAKOUT = '"><img src=x onerror=window.__xss=1>'
TEXTAREA = "</textarea><script>window.__xss=1</script>"
ALERT = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7|add:42 }} {% now 'Y' %}"
LONG = " ".join([IMG, SCRIPT, SVG, BREAKOUT, TEXTAREA, ALERT, TEMPLATE])
# Nicknames of the duels hold at most 24 characters (sloppy-mode assignment reaches window).
NICK_SHORT = "<svg onload=__xss=1>"
NICK_SHORT_2 = '"><svg onload=__xss=1>'

INIT = """
window.__xss = 0;
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || ""));
});
"""


def _store_payloads() -> dict:
    """Every place with user text gets payloads; returns the people and the pages (role, path, texts, fields)."""
    from einblick.duels import services as duel_services
    from einblick.duels.models import Challenge, Contestant, Episode, Guess, LeaderboardEntry, Player, Season
    from einblick.events import services as event_services
    from einblick.fair import services as fair_services
    from einblick.live import services as live_services
    from einblick.tandem import services as tandem_services
    from einblick.tandem.models import Provider, Topic, TrainingOffer
    from tests.fair.support import make_fair, make_session

    staff = StaffFactory()
    # company profile: name, profile text, contact, site
    company = CompanyFactory(name=BREAKOUT, slug="xss-betrieb", profile=LONG, sector=SVG)
    ContactFactory(company=company, name=IMG, role=SCRIPT)
    SiteFactory(company=company, street=SVG)
    member = MembershipFactory(company=company).user

    # fair booth: intro, an answered public question, an open one
    fair = make_fair()
    exhibitor = fair_services.exhibitor_add(fair=fair, company=company, intro=LONG)
    answered = fair_services.booth_question_ask(exhibitor=exhibitor, nickname=SVG, text=LONG)
    fair_services.booth_question_answer(question=answered, answer=LONG, public=True, by=member)
    fair_services.booth_question_ask(exhibitor=exhibitor, nickname=ALERT, text=TEXTAREA + " " + IMG)

    # live Q&A: a visible answered question and a second one
    session = make_session(
        fair, minutes=-10, company=company, stream_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    question = live_services.question_ask(
        session=session, visitor_id="visitor-0123456789abcdef", nickname=SVG, text=LONG
    )
    live_services.question_answer(question=question, text=LONG, by=member)
    live_services.question_ask(
        session=session, visitor_id="visitor-fedcba9876543210", nickname=IMG, text=BREAKOUT
    )

    # duels: a leaderboard name (with a right guess, so it is listed) and a class-game nickname
    season = Season.objects.create(title="Staffel 1", slug="staffel-1")
    episode = Episode.objects.create(
        season=season, number=1, title="Folge 1", slug="folge-1", publish_at=timezone.now()
    )
    Contestant.objects.create(episode=episode, order=0, name="Lena")
    Contestant.objects.create(episode=episode, order=1, name="Ole")
    profession = ProfessionFactory(name="Mechatroniker:in")
    challenge = Challenge.objects.create(
        episode=episode, order=0, task="Aufgabe", apprentice="Jannik", profession=profession, why="Darum."
    )
    LeaderboardEntry.objects.create(season=season, visitor="v-xss-1", nickname=NICK_SHORT)
    Guess.objects.create(challenge=challenge, visitor="v-xss-1", choice=profession, correct=True)
    teacher = TeacherFactory()
    game = duel_services.class_game_start(teacher=teacher, episode=episode)
    Player.objects.create(game=game, visitor="v-xss-2", nickname=NICK_SHORT_2)

    # Digital-Tandem: the need text and a meeting note; a second, open need for the staff overview
    topic = Topic.objects.create(name="Eigene Videos drehen", parent=Topic.objects.create(name="Recruiting"))
    provider = Provider.objects.create(name="Bildungswerk", radius_km=80)
    offer = TrainingOffer.objects.create(
        provider=provider, title="Azubi-Videos", formats=["online"], capacity=10
    )
    offer.topics.set([topic])
    need_fields = {"topics": [topic], "audience": ["trainers"], "people": 2, "formats": ["online"]}
    need = tandem_services.need_create(company=company, user=member, text=LONG, **need_fields)
    tandem = tandem_services.tandem_confirm(need=need, offer=offer, by=staff)
    tandem_services.note_add(tandem=tandem, author=member, met_on=timezone.localdate(), text=LONG)
    other = MembershipFactory(company=CompanyFactory(name="Tischlerei Brink")).user
    tandem_services.need_create(company=other.memberships.get().company, user=other, text=IMG, **need_fields)

    # events: a class (named with a payload) registered with names; a pupil of the class with a payload nickname
    school_class = SchoolClassFactory(teacher=teacher, name=SVG)
    PupilFactory(school_class=school_class, school=school_class.school, nickname=IMG)
    event = EventFactory(hosts=[company], capacity=50)
    names = "\n".join([IMG, SCRIPT, BREAKOUT, TEXTAREA])
    (registration,) = event_services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=4, names=names
    )

    return {
        "users": {"member": member, "teacher": teacher, "staff": staff},
        "pages": [
            # (who, path, texts that must be readable on the page, {textarea name: exact value})
            (None, f"/betriebe/{company.slug}/", [BREAKOUT, LONG, IMG, SCRIPT], {}),
            (None, exhibitor.get_absolute_url(), [LONG, SVG], {}),
            (
                "member",
                f"/messe/{fair.slug}/stand/{company.slug}/verwalten/",
                [ALERT, TEXTAREA + " " + IMG],
                {},
            ),
            (None, session.get_absolute_url(), [SVG, LONG, IMG, BREAKOUT], {}),
            ("member", f"/live/sessions/{session.pk}/moderation/", [SVG, LONG, IMG, BREAKOUT], {}),
            (None, season.get_absolute_url(), [NICK_SHORT], {}),
            ("teacher", f"/duell/spiel/{game.code}/", [NICK_SHORT_2], {}),
            ("member", f"/tandem/{tandem.pk}/", [LONG], {}),
            ("staff", "/tandem/netzwerk/", [IMG], {}),
            ("teacher", f"/konto/klassen/{school_class.pk}/", [SVG, IMG], {}),
            ("teacher", f"/veranstaltungen/anmeldung/{registration.pk}/gruppe/", [], {"names": names}),
            (
                "staff",
                f"/veranstaltungen/{event.slug}/anmeldungen/",
                [SVG, IMG, SCRIPT, BREAKOUT, TEXTAREA],
                {},
            ),
        ],
    }


def _log_in(context, user, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}])


def _normalised(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("csp", ["bypassed", "enforced"])
def test_stored_payloads_are_shown_as_text_and_never_run(new_context, live_server, csp):
    data = _store_payloads()
    contexts, dialogs, failures = {}, [], []

    def page_for(role):
        if role not in contexts:
            context = new_context(DESKTOP_VIEWPORT, bypass_csp=csp == "bypassed")
            context.add_init_script(INIT)
            if role:
                _log_in(context, data["users"][role], live_server.url)
            page = context.new_page()
            page.on(
                "dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss())
            )
            contexts[role] = page
        return contexts[role]

    # The detector works: the same payloads, inserted as markup into a blank page, do run.
    probe = page_for(None)
    probe.set_content(f"<main>{LONG}</main>")
    probe.wait_for_function("window.__xss === 1")
    assert dialogs, "the alert payload opened no dialog in the probe"
    dialogs.clear()
    probe.evaluate("window.__xss = 0")

    for role, path, texts, fields in data["pages"]:
        page = page_for(role)
        response = page.goto(path)
        assert response.status == 200, f"{path} as {role or 'anonymous'}: {response.status}"
        policy = response.headers.get("content-security-policy", "")
        script_src = re.search(r"script-src ([^;]*)", policy)
        assert script_src and "'self'" in script_src.group(1), f"{path}: no script-src in CSP {policy!r}"
        assert "unsafe-inline" not in script_src.group(1) and "unsafe-eval" not in script_src.group(1), policy
        page.wait_for_load_state("load")
        if "/duell/spiel/" in path:  # the board refreshes its lists from stand.json (game.js, textContent)
            with page.expect_response(re.compile(r"/stand\.json$"), timeout=6000):
                pass
        page.wait_for_timeout(150)  # onerror/onload handlers of broken images fire after "load" at the latest
        shown = _normalised(page.locator("main").inner_text())
        for text in texts:
            if _normalised(text) not in shown:
                failures.append(f"{path}: not readable as text: {text!r}")
        for name, value in fields.items():
            box = page.locator(f"textarea[name={name}]")
            if box.input_value().replace("\r\n", "\n") != value:
                failures.append(f"{path}: textarea {name} holds {box.input_value()!r}")
        if page.evaluate("window.__xss") != 0:
            failures.append(f"{path}: a stored payload ran (window.__xss = 1)")
        violations = page.evaluate("window.__csp")
        if violations:
            failures.append(f"{path}: Content Security Policy violations {violations}")

    assert not dialogs, f"dialogs opened: {dialogs}"
    assert not failures, "\n".join(failures)
