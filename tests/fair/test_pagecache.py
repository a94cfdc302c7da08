"""The page cache of the public pages (issue #11, core/pagecache.py): a hit costs no database query and still counts
the view; an edit shows at once; visitors with an account or a session always get their own page; the CSRF token
of a cached page works for the visitor it is served to; a cache that is down is a miss."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from einblick.catalog.models import Profession
from einblick.core import counts, pagecache
from einblick.core.cache import ResilientRedisCache
from einblick.fair import selectors, services
from einblick.fair.models import BoothVisit
from einblick.fair.views.public import LIVE_PAGE_SECONDS, session_seconds_to_change
from einblick.insights.models import Hit
from tests.fair.support import make_session

pytestmark = pytest.mark.django_db(transaction=True)  # invalidation happens when a transaction commits

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14) Mobile Safari"}


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.EINBLICK_PAGE_CACHE_SECONDS = 300
    settings.EINBLICK_COUNT_FLUSH_SECONDS = 3600  # queued; the test writes them with counts.flush()
    yield
    counts.flush()


def programme_url(fair):
    return reverse("fair:programme", args=[fair.slug])


def booth_url(exhibitor):
    return reverse("fair:booth", args=[exhibitor.fair.slug, exhibitor.company.slug])


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def get(url, client=None, **extra):
    return (client or Client()).get(url, **{**BROWSER, **extra})


@pytest.mark.parametrize("page", ["programme", "session", "booth", "exhibitors", "profession"])
def test_a_hit_costs_no_query_and_still_counts(
    page, fair, exhibitor_a, profession, django_assert_num_queries
):
    session = make_session(fair, minutes=90, company=exhibitor_a.company, title="Roboter programmieren")
    session.professions.add(profession)
    url = {
        "programme": programme_url(fair),
        "session": reverse("fair:session", args=[fair.slug, session.pk]),
        "booth": booth_url(exhibitor_a),
        "exhibitors": reverse("fair:exhibitors", args=[fair.slug]),
        "profession": reverse("catalog:profession", args=[profession.slug]),
    }[page]
    first = get(url)
    assert first.status_code == 200
    assert first[pagecache.HEADER] == "miss"
    with django_assert_num_queries(0):
        second = get(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari", REMOTE_ADDR="198.51.100.9")
    assert second[pagecache.HEADER] == "hit"
    assert without_tokens(second.text) == without_tokens(first.text)  # the same page, each with its own token
    counts.flush()
    if page != "exhibitors":  # the exhibitor list is not a counted page
        assert Hit.objects.count() == 2  # two visitors, both counted, one of them from the cache
    if page == "booth":
        assert BoothVisit.objects.get(exhibitor=exhibitor_a).count == 2


def test_the_same_visitor_is_counted_once_per_day_also_from_the_cache(fair, exhibitor_a):
    for _ in range(3):
        assert get(booth_url(exhibitor_a)).status_code == 200
    counts.flush()
    assert BoothVisit.objects.get(exhibitor=exhibitor_a).count == 1
    assert Hit.objects.values("visitor").distinct().count() == 1


def test_editing_a_session_shows_at_once(fair):
    session = make_session(fair, minutes=60, title="Vorher")
    url = reverse("fair:session", args=[fair.slug, session.pk])
    assert "Vorher" in get(url).text
    assert get(url)[pagecache.HEADER] == "hit"
    services.session_save(fair=fair, session=session, title="Nachher")
    fresh = get(url)
    assert fresh[pagecache.HEADER] == "miss"
    assert "Nachher" in fresh.text and "Vorher" not in fresh.text
    programme = get(programme_url(fair))
    assert "Nachher" in programme.text


def test_edits_by_update_and_in_the_catalogue_also_invalidate(fair, profession):
    session = make_session(fair, minutes=60)
    url = reverse("catalog:profession", args=[profession.slug])
    get(url)
    assert get(url)[pagecache.HEADER] == "hit"
    Profession.objects.filter(pk=profession.pk).first().save()
    assert get(url)[pagecache.HEADER] == "miss"
    get(programme_url(fair))
    services.session_pin(session=session, pinned=True)  # a queryset update, no signal
    assert get(programme_url(fair))[pagecache.HEADER] == "miss"


def test_a_new_booth_question_keeps_the_page_an_answer_renews_it(fair, exhibitor_a):
    get(booth_url(exhibitor_a))
    question = services.booth_question_ask(exhibitor=exhibitor_a, nickname="Kim", text="Wie lange dauert es?")
    assert get(booth_url(exhibitor_a))[pagecache.HEADER] == "hit"
    services.booth_question_answer(question=question, answer="Drei Jahre.", public=True)
    page = get(booth_url(exhibitor_a))
    assert page[pagecache.HEADER] == "miss"
    assert "Drei Jahre." in page.text


def test_logged_in_visitors_get_their_own_page(client, fair, pupil, login):
    session = make_session(fair, minutes=60, title="Mechatronik live")
    get(programme_url(fair))
    assert get(programme_url(fair))[pagecache.HEADER] == "hit"
    services.agenda_add(user=pupil, session=session)
    own = login(pupil).get(programme_url(fair), **BROWSER)
    assert pagecache.HEADER not in own
    assert 'aria-pressed="true"' in own.text  # the pupil's bookmark
    assert f'href="{reverse("accounts:home")}"' in own.text and reverse("accounts:login") not in own.text
    anonymous = get(programme_url(fair))
    assert anonymous[pagecache.HEADER] == "hit"
    assert 'aria-pressed="true"' not in anonymous.text
    assert (
        f'href="{reverse("accounts:home")}"' not in anonymous.text
        and reverse("accounts:login") in anonymous.text
    )


def test_a_visitor_with_a_session_is_not_served_from_the_cache(fair):
    session = make_session(fair, minutes=60)
    get(programme_url(fair))
    browser = Client()
    # bookmarking without an account and without JavaScript keeps the bookmark in the session
    browser.post(reverse("fair:agenda_toggle", args=[fair.slug, session.pk]), {"action": "add"}, **BROWSER)
    assert browser.cookies.get("sessionid")
    page = get(programme_url(fair), browser)
    assert pagecache.HEADER not in page
    assert 'aria-pressed="true"' in page.text


def test_the_csrf_token_of_a_cached_page_works_for_its_visitor(fair, exhibitor_a):
    get(booth_url(exhibitor_a))
    browser = Client(enforce_csrf_checks=True)
    page = get(booth_url(exhibitor_a), browser)
    assert page[pagecache.HEADER] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    assert "\x00" not in page.text
    answer = browser.post(
        reverse("fair:booth_ask", args=[fair.slug, exhibitor_a.company.slug]),
        {"csrfmiddlewaretoken": token, "nickname": "Kim", "text": "Gibt es Praktika?"},
        **BROWSER,
    )
    assert answer.status_code == 302
    assert exhibitor_a.questions.filter(text="Gibt es Praktika?").exists()


def test_errors_and_other_languages_are_kept_apart(fair):
    for _ in range(2):
        missing = get(reverse("fair:programme", args=["gibt-es-nicht"]))
        assert missing.status_code == 404
        assert missing.get(pagecache.HEADER) != "hit"
    german = get(programme_url(fair), HTTP_ACCEPT_LANGUAGE="de")
    english = get(programme_url(fair), HTTP_ACCEPT_LANGUAGE="en")
    assert english[pagecache.HEADER] == "miss"
    assert german.text != english.text
    assert "Accept-Language" in german["Vary"] and "Cookie" in german["Vary"]


def test_pages_that_change_with_the_clock_expire_with_it(fair):
    now = timezone.now()
    soon = make_session(fair, minutes=2, length=30)
    assert 0 < selectors.seconds_to_next_change(fair, now) <= 121
    assert session_seconds_to_change(soon, now) == pytest.approx(120, abs=2)
    assert session_seconds_to_change(soon, now + timedelta(minutes=5)) == LIVE_PAGE_SECONDS  # live: Q&A moves
    assert session_seconds_to_change(soon, now + timedelta(hours=1)) is None


def test_switched_off_nothing_is_cached(settings, fair):
    settings.EINBLICK_PAGE_CACHE_SECONDS = 0
    get(programme_url(fair))
    assert pagecache.HEADER not in get(programme_url(fair))
    assert pagecache.HEADER not in get(programme_url(fair))


def test_a_cache_that_is_down_is_a_miss_not_an_error():
    down = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert down.get("x", "default") == "default"
    assert down.set("x", 1) is None
    assert down.add("x", 1) is True  # fail open: a rate limit refuses nobody while Redis is away
    assert down.incr("x") == 1
    assert down.get_many(["x", "y"]) == {}


def test_tracking_parameters_share_the_page_unknown_ones_are_not_cached(fair):
    url = programme_url(fair)
    get(url + "?buehne=buehne-1&q=Holz")
    same = get(url + "?q=Holz&utm_source=instagram&buehne=buehne-1&fbclid=abc")  # order and tracking ignored
    assert same[pagecache.HEADER] == "hit"
    for _ in range(2):
        odd = get(url + "?x=1")
        assert odd.status_code == 200
        assert pagecache.HEADER not in odd  # rendered, never stored: nobody can fill the cache with junk keys


def test_the_cache_keeps_a_page_only_until_it_changes_by_itself(fair, monkeypatch):
    make_session(fair, minutes=2, length=30)
    stored = []
    real_set = pagecache.cache.set
    monkeypatch.setattr(
        pagecache.cache,
        "set",
        lambda key, value, timeout=None: stored.append(timeout) or real_set(key, value, timeout),
    )
    get(programme_url(fair))
    assert stored and 0 < stored[-1] <= 120  # the session starts in 2 minutes: "now live" changes then


def test_one_new_generation_per_transaction(fair, profession):
    from django.db import connection, transaction

    with transaction.atomic():
        for n in range(3):
            make_session(fair, minutes=60 + n)
        profession.save()
        pending = [func for _, func, _ in connection.run_on_commit if func is pagecache._new_generation]
        assert len(pending) == 1
