"""Insights (issue #9): page views are counted without personal data, rolled up into daily counts (idempotent),
raw views deleted after the retention period; the report's figures, the district filter and the suppression of
small counts."""

from datetime import datetime, time, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from einblick.catalog.models import Company
from einblick.insights import selectors, tracking
from einblick.insights.models import DailyStat, Hit
from einblick.insights.rollup import rollup
from tests.factories import (
    CompanyFactory,
    OfferFactory,
    PlaceFactory,
    ProfessionFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def _at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _hits(n, *, day, kind="profession", profession=None, company=None, district="", visitor=None):
    Hit.objects.bulk_create(
        Hit(
            at=_at(day),
            kind=kind,
            profession_id=getattr(profession, "pk", profession),
            company_id=getattr(company, "pk", company),
            district=district,
            visitor=visitor or f"v{i:015d}",
        )
        for i in range(n)
    )


def test_tracking_stores_no_personal_data_and_skips_bots_and_staff():
    profession = ProfessionFactory()
    place = PlaceFactory.town(1)
    pupil = PupilFactory(school_class=SchoolClassFactory(school=SchoolFactory(place=place)))
    rf = RequestFactory()
    request = rf.get("/berufe/x/", HTTP_USER_AGENT="Mozilla/5.0", REMOTE_ADDR="203.0.113.7")
    request.user = pupil
    tracking.track(request, "profession", profession=profession)
    hit = Hit.objects.get()
    assert (hit.kind, hit.profession_id, hit.district) == ("profession", profession.pk, place.district_code)
    assert (hit.at.minute, hit.at.second, hit.at.microsecond) == (0, 0, 0)  # to the hour only
    stored = Hit.objects.values().get()
    assert set(stored) == {"id", "at", "kind", "profession_id", "company_id", "district", "visitor"}
    assert "203.0.113.7" not in str(stored) and "Mozilla" not in str(stored)
    # the same visitor the same day has the same key; another day another
    today = timezone.localdate()
    assert tracking.visitor_key(request, today) == hit.visitor
    assert tracking.visitor_key(request, today + timedelta(days=1)) != hit.visitor
    bot = rf.get("/berufe/x/", HTTP_USER_AGENT="Googlebot/2.1")
    bot.user = pupil
    tracking.track(bot, "profession", profession=profession)
    staff = rf.get("/berufe/x/", HTTP_USER_AGENT="Mozilla/5.0")
    staff.user = StaffFactory()
    tracking.track(staff, "profession", profession=profession)
    prefetch = rf.get("/berufe/x/", HTTP_USER_AGENT="Mozilla/5.0", HTTP_SEC_PURPOSE="prefetch")
    prefetch.user = pupil
    tracking.track(prefetch, "profession", profession=profession)
    assert Hit.objects.count() == 1


def test_a_past_days_visitor_keys_cannot_be_recomputed():
    from einblick.insights.models import DailySalt

    rf = RequestFactory()
    request = rf.get("/", HTTP_USER_AGENT="Mozilla/5.0", REMOTE_ADDR="203.0.113.7")
    yesterday = timezone.localdate() - timedelta(days=1)
    key = tracking.visitor_key(request, yesterday)
    assert tracking.visitor_key(request, yesterday) == key  # stable within the day
    rollup()
    assert not DailySalt.objects.filter(day=yesterday).exists()
    assert tracking.visitor_key(request, yesterday) != key  # the salt is gone: a new one gives another key


def test_a_recount_after_a_long_pause_counts_before_it_deletes(settings):
    settings.EINBLICK = {**settings.EINBLICK, "INSIGHTS_RAW_DAYS": 30}
    from einblick.insights.models import Rollup

    today = timezone.localdate()
    Rollup.objects.create(
        finished_at=timezone.now() - timedelta(days=40),
        first_day=today - timedelta(days=41),
        last_day=today - timedelta(days=40),
    )
    profession = ProfessionFactory()
    _hits(9, day=today - timedelta(days=35), profession=profession)
    done = rollup()
    assert done.first_day == today - timedelta(days=40)
    assert DailyStat.objects.get(metric="view_profession", day=today - timedelta(days=35)).value == 9
    assert not Hit.objects.exists()  # deleted only after being counted


def test_rates_and_funnel_columns_do_not_reveal_suppressed_counts():
    assert selectors._rate(2, 18) is None  # 2 no-shows are "< 5": no rate that would reveal them
    assert selectors._rate(5, 15) == 25
    rows = [
        selectors.FunnelRow(1, "A", {"entry": 12, "profession": 30, "company": 0, "meet": 0, "contact": 12}),
        selectors.FunnelRow(2, "B", {"entry": 20, "profession": 8, "company": 0, "meet": 0, "contact": 3}),
    ]
    shown_rows = dict(selectors._funnel_rows(rows))
    assert shown_rows["B"][4] is None and shown_rows["A"][4] is None  # the other contact cell hidden too


def test_an_event_with_two_hosts_counts_its_pupils_once():
    from einblick.events import services as event_services
    from tests.factories import EventFactory

    event = EventFactory(hosts=[CompanyFactory(), CompanyFactory()])
    for _ in range(6):
        registration = event_services.register_pupil(
            event=event, pupil=PupilFactory(consent_age_declared_at=timezone.now())
        )
        event_services.checkin(
            event=event,
            code=registration.ticket,
            by=StaffFactory(),
            now=event.starts_at + timedelta(minutes=1),
        )
    day = timezone.localdate(event.starts_at + timedelta(minutes=1))
    rollup(first=day, last=day)
    total = selectors.totals(selectors.Period(day, day), ["event_attended"])["event_attended"]
    per_host = selectors.by_company(selectors.Period(day, day), ["event_attended_host"])
    assert total == 6 and sorted(m["event_attended_host"] for m in per_host.values()) == [6, 6]


def test_rollup_counts_idempotently_and_deletes_old_raw_views(settings):
    settings.EINBLICK = {**settings.EINBLICK, "INSIGHTS_RAW_DAYS": 30}
    today = timezone.localdate()
    profession = ProfessionFactory()
    _hits(7, day=today, profession=profession, district="03454")
    _hits(3, day=today - timedelta(days=1), profession=profession, district="03456", visitor="same")
    _hits(4, day=today - timedelta(days=40), profession=profession)
    rollup(first=today - timedelta(days=45), last=today)
    stat = DailyStat.objects.get(metric="view_profession", day=today)
    assert (stat.value, stat.district, stat.profession_id) == (7, "03454", profession.pk)
    assert (
        DailyStat.objects.get(metric="visitors", day=today - timedelta(days=1)).value == 1
    )  # one visitor key
    # raw views older than 30 days are gone after being counted; their count stays
    assert not Hit.objects.filter(at__lt=_at(today - timedelta(days=30), 0)).exists()
    old = DailyStat.objects.get(metric="view_profession", day=today - timedelta(days=40))
    assert old.value == 4
    # run again: same counts, and the old day (no raw views any more) keeps its count
    before = sorted(DailyStat.objects.values_list("day", "metric", "district", "profession_id", "value"))
    rollup(first=today - timedelta(days=45), last=today)
    after = sorted(DailyStat.objects.values_list("day", "metric", "district", "profession_id", "value"))
    assert before == after


def test_report_suppresses_small_counts_and_filters_by_district():
    today = timezone.localdate()
    profession = ProfessionFactory(name="Mechatroniker:in")
    _hits(12, day=today, profession=profession, district="03454")
    _hits(3, day=today, profession=profession, district="03456")
    _hits(2, day=today, kind="contact", profession=profession, district="03454")
    rollup(first=today, last=today)
    period = selectors.Period(today - timedelta(days=6), today)
    report = selectors.report(period)
    row = dict(report["funnel"]["rows"])["Mechatroniker:in"]
    assert row[1] == 15  # profession page views
    assert row[4] is None  # 2 contacts: "< 5"
    emsland = selectors.report(selectors.Period(period.start, period.end, "03454"))
    assert dict(emsland["funnel"]["rows"])["Mechatroniker:in"][1] == 12
    leer = selectors.report(selectors.Period(period.start, period.end, "03456"))
    assert dict(leer["funnel"]["rows"])["Mechatroniker:in"][1] is None  # 3 → "< 5"
    assert selectors.shown(0) == 0 and selectors.shown(4) is None and selectors.shown(5) == 5


def test_supply_and_demand_lists():
    today = timezone.localdate()
    wanted = ProfessionFactory(name="Tierpfleger:in")
    unseen = ProfessionFactory(name="Verfahrensmechaniker:in")
    OfferFactory(profession=wanted, places=1)
    for _ in range(3):
        OfferFactory(profession=unseen, places=5)
    _hits(40, day=today, profession=wanted)
    _hits(6, day=today, kind="check", profession=unseen)
    rollup(first=today, last=today)
    report = selectors.report(selectors.Period(today - timedelta(days=30), today))
    assert report["wanted"][0][0] == "Tierpfleger:in" and report["wanted"][0][1] == 40
    assert report["unseen"][0][0] == "Verfahrensmechaniker:in" and report["unseen"][0][2] == 15


def test_company_report_counts_only_its_own_figures():
    today = timezone.localdate()
    own, other = CompanyFactory(), CompanyFactory()
    _hits(9, day=today, kind="company", company=own)
    _hits(30, day=today, kind="company", company=other)
    _hits(2, day=today, kind="contact", company=own)
    rollup(first=today, last=today)
    figures = {
        m["metric"]: m["value"]
        for m in selectors.company_report(selectors.Period(today, today), Company.objects.get(pk=own.pk))[
            "metrics"
        ]
    }
    assert figures["view_company"] == 9 and figures["view_contact"] is None and figures["talks_booked"] == 0


def test_a_single_suppressed_part_cannot_be_worked_out_from_the_total():
    assert selectors.shown_group([20, 3, 9, 0]) == [20, None, None, 0]
    assert selectors.shown_group([20, 3, 2]) == [20, None, None]
    assert selectors.shown_group([3, 0]) == [None, 0]
    assert selectors.shown_group([12, 30]) == [12, 30]
