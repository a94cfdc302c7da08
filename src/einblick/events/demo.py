"""Demo data of events (called by ``core.demo``): the series "Your Way 2 Business" with events in every state."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.text import slugify

from . import services
from .models import Event, Registration, Series, Stop


def _at(day, hour: int, minute: int = 0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def events_demo_build(*, rng: random.Random, companies: list, teacher, pupils: list, now=None) -> Series:
    """``companies``: approved companies (the first is the demo login "betrieb"); ``pupils``: the demo pupils,
    the first is "schueler" (class 8a of the demo teacher)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    series = Series.objects.create(
        title=f"Your Way 2 Business {today.year + 1}",
        slug=f"your-way-2-business-{today.year + 1}",
        description="Betriebsbesuche, Workshops, Infoabende und Bustouren für Schüler:innen der Oberschulen.",
    )

    def event(title, kind, day, start, hours, capacity, hosts, **extra) -> Event:
        e = Event.objects.create(
            series=series,
            kind=kind,
            title=title,
            slug=slugify(title)[:170],
            description=extra.pop("description", f"{title}: anschauen, ausprobieren, Fragen stellen. (Demo)"),
            starts_at=_at(day, *start),
            ends_at=_at(day, *start) + timedelta(hours=hours),
            place=hosts[0].place if hasattr(hosts[0], "place") else None,
            address=extra.pop("address", "Industriestraße 12"),
            capacity=capacity,
            grade_min=extra.pop("grade_min", 7),
            grade_max=extra.pop("grade_max", 10),
            registration_opens=extra.pop("opens", now - timedelta(days=14)),
            registration_closes=extra.pop("closes", _at(day, *start) - timedelta(days=1)),
            cancel_until=extra.pop("cancel_until", _at(day, *start) - timedelta(days=2)),
            directions="Bus 510 bis Haltestelle Gewerbegebiet, dann 5 Minuten zu Fuß.",
            what_to_bring="Feste Schuhe, etwas zu trinken.",
            accessibility="Ebenerdiger Zugang, barrierefreies WC.",
            status=Event.Status.PUBLISHED,
            **extra,
        )
        e.hosts.set(hosts)
        e.professions.set([p for c in hosts for p in c.professions.all()][:4])
        if e.place:
            Event.objects.filter(pk=e.pk).update(latitude=e.place.latitude, longitude=e.place.longitude)
        return e

    host = companies[0]
    week = today + timedelta(days=7)
    visit = event("Werkstattbesuch: Ein Tag in der Ausbildung", Event.Kind.VISIT, week, (9, 0), 3, 16, [host])
    workshop = event(
        "Workshop: Löten und Programmieren",
        Event.Kind.WORKSHOP,
        week + timedelta(days=2),
        (13, 0),
        3,
        6,
        [companies[1]],
    )
    event(
        "Infoabend für Eltern und Schüler:innen",
        Event.Kind.EVENING,
        week + timedelta(days=9),
        (18, 0),
        2,
        60,
        [companies[2], companies[3]],
        grade_min=7,
        grade_max=13,
        school_event=False,
    )
    tour = event(
        "Bustour Metall & Elektro",
        Event.Kind.BUS_TOUR,
        week + timedelta(days=14),
        (8, 0),
        7,
        45,
        companies[4:7],
    )
    for order, (company, hour) in enumerate(zip(companies[4:7], (9, 11, 13), strict=False)):
        Stop.objects.create(
            event=tour, order=order, company=company, title=company.name, arrives_at=time(hour, 0)
        )
    # today, starting in an hour: tickets to check in (log in as "betrieb" → Einlass)
    soon = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    today_event = event(
        "Schnuppertag heute",
        Event.Kind.VISIT,
        timezone.localdate(soon),
        (timezone.localtime(soon).hour, 0),
        3,
        20,
        [host],
        opens=now - timedelta(days=20),
        closes=now,
        cancel_until=now,
    )
    # last month, attended: certificates and feedback
    past_day = today - timedelta(days=30)
    past = event(
        "Betriebsbesuch im Herbst",
        Event.Kind.VISIT,
        past_day,
        (9, 0),
        3,
        20,
        [host],
        opens=now - timedelta(days=60),
        closes=now - timedelta(days=31),
        cancel_until=now - timedelta(days=32),
    )

    school_class = teacher.classes.order_by("name").first()
    pupil = pupils[0]
    # registrations, written directly (the registration windows of past events are closed)
    Registration.objects.create(
        event=visit,
        teacher=teacher,
        school_class=school_class,
        places=10,
        status="confirmed",
        confirmed_at=now,
        names="\n".join(p.display_name for p in pupils[1:11]),
    )
    for other in pupils[1:7]:
        Registration.objects.create(
            event=workshop, pupil=other, places=1, status="confirmed", confirmed_at=now
        )
    services.register_pupil(event=workshop, pupil=pupil)  # full: the demo pupil is on the waiting list
    for other in pupils[1:5]:
        Registration.objects.create(
            event=today_event, pupil=other, places=1, status="confirmed", confirmed_at=now
        )
    Registration.objects.create(
        event=today_event, pupil=pupil, places=1, status="confirmed", confirmed_at=now
    )
    Registration.objects.create(
        event=today_event,
        teacher=teacher,
        school_class=school_class,
        places=8,
        status="confirmed",
        confirmed_at=now,
    )
    attended = Registration.objects.create(
        event=past, pupil=pupil, places=1, status="confirmed", confirmed_at=now - timedelta(days=40)
    )
    Registration.objects.filter(pk=attended.pk).update(checked_in_at=past.starts_at, attended=1)
    group = Registration.objects.create(
        event=past,
        teacher=teacher,
        school_class=school_class,
        places=12,
        status="confirmed",
        confirmed_at=now - timedelta(days=40),
        names="\n".join(p.display_name for p in pupils[1:13]),
    )
    group.members.set(pupils[1:6])
    Registration.objects.filter(pk=group.pk).update(checked_in_at=past.starts_at, attended=11)
    for stars, liked in (
        (5, "Die Werkstatt war cool, wir durften selbst schweißen."),
        (4, "Nette Azubis."),
        (3, ""),
    ):
        past.feedback.create(
            voter=f"demo-{stars}",
            stars=stars,
            liked=liked,
            improve="Mehr Zeit zum Ausprobieren." if stars < 5 else "",
        )
    return series
