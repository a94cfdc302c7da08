"""The demo fair "55 Stunden Zukunft": running now, five opening windows of 11 hours, four stages.

Today's window contains the present moment (it opens four hours before the current hour), so "now live" always has
sessions; earlier sessions have recordings, later ones are bookable. Stages are staggered by 11 minutes so that at
every moment of an opening window at least one stage is live.
"""

import random
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Fair, FairDay, Session, Stage

STAGES = ["Technik & Werkstatt", "Handwerk & Bau", "Gesundheit, Service & Handel", "Büro, IT & Logistik"]
FIELD_STAGE = {
    "metall-maschinenbau": 0,
    "elektro": 0,
    "technik-technologiefelder": 0,
    "naturwissenschaften": 0,
    "bau-architektur-vermessung": 1,
    "produktion-fertigung": 1,
    "kunst-kultur-gestaltung": 1,
    "landwirtschaft-natur-umwelt": 1,
    "gesundheit": 2,
    "dienstleistung": 2,
    "medien": 3,
    "it-computer": 3,
    "verkehr-logistik": 3,
    "wirtschaft-verwaltung": 3,
}
TITLES = {
    Session.Format.PRESENTATION: "{profession}: So läuft deine Ausbildung bei {company}",
    Session.Format.TOUR: "Live aus der Werkstatt: {company} zeigt, wie {profession} arbeiten",
    Session.Format.QA: "Frag uns alles: Ausbildung als {profession}",
    Session.Format.APPRENTICES: "Azubis erzählen: Mein erstes Jahr als {profession}",
    Session.Format.WORKSHOP: "Mitmachen: Eine typische Aufgabe als {profession}",
}
APPRENTICES = [
    "Lena",
    "Jannes",
    "Mia",
    "Okko",
    "Fenna",
    "Tjark",
    "Sina",
    "Malte",
    "Rieke",
    "Enno",
    "Merle",
    "Kai",
]
SLOT_MINUTES, SESSION_MINUTES, WINDOW_HOURS, WINDOWS = 45, 30, 11, 5


def _video(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "https://www.youtube.com/watch?v=" + "".join(rng.choice(alphabet) for _ in range(11))


def fair_demo_build(*, rng: random.Random, companies: list, now=None) -> Fair:
    now = timezone.localtime(now or timezone.now())
    opening = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    fair = Fair.objects.create(
        name="55 Stunden Zukunft",
        slug="55-stunden-zukunft",
        tagline="Die digitale Ausbildungsmesse der Region – live, per Handy, ohne Anmeldung.",
        description="Betriebe der Region zeigen ihre Ausbildungsberufe live: Azubis führen durch die Werkstatt, "
        "Ausbilder:innen beantworten deine Fragen im Chat – auch anonym mit Spitznamen.",
        is_published=True,
    )
    windows = [
        FairDay.objects.create(
            fair=fair,
            starts_at=opening + timedelta(days=k),
            ends_at=opening + timedelta(days=k, hours=WINDOW_HOURS),
        )
        for k in range(-1, WINDOWS - 1)
    ]
    stages = [
        Stage.objects.create(fair=fair, name=name, slug=f"buehne-{n + 1}", position=n)
        for n, name in enumerate(STAGES)
    ]
    by_stage: dict[int, list] = {n: [] for n in range(len(stages))}
    for company in companies:
        services.exhibitor_add(fair=fair, company=company, intro=company.profile)
        for profession in company.professions.all():
            by_stage[FIELD_STAGE.get(profession.field.slug, 3)].append((company, profession))
    formats = list(TITLES)
    for n, stage in enumerate(stages):
        pairs = by_stage[n] or [pair for pairs in by_stage.values() for pair in pairs]
        counter = 0
        for window in windows:
            start = window.starts_at + timedelta(minutes=11 * n)
            while start + timedelta(minutes=SESSION_MINUTES) <= window.ends_at:
                company, profession = pairs[counter % len(pairs)]
                session_format = formats[(counter + n) % len(formats)]
                end = start + timedelta(minutes=SESSION_MINUTES)
                services.session_save(
                    fair=fair,
                    stage=stage,
                    company=company,
                    title=TITLES[session_format].format(profession=profession.name, company=company.name),
                    description=(
                        f"{company.name} stellt den Beruf {profession.name} vor. Stell deine Fragen im Live-Chat – "
                        "mit Spitznamen, ohne Kamera."
                    ),
                    format=session_format,
                    speakers=[
                        {"name": rng.choice(APPRENTICES), "role": "Auszubildende:r"},
                        {
                            "name": company.contacts.first().name.split()[0]
                            if company.contacts.exists()
                            else "Anke",
                            "role": "Ausbildung",
                        },
                    ],
                    audiences=["grade7-10"],
                    starts_at=start,
                    ends_at=end,
                    stream_url=_video(rng),
                    recording_url=_video(rng) if end < now else "",
                    professions=[profession],
                )
                counter += 1
                start += timedelta(minutes=SLOT_MINUTES)
    from .demo_booths import booths_demo_build

    booths_demo_build(fair=fair, now=now)  # booth visits, questions, agendas (issue #4)
    return fair


REQUEST_TITLES = [
    "{profession}: Ein Tag in unserer Ausbildung",
    "Live aus der Werkstatt: {profession} bei {company}",
    "Frag unsere Azubis: {profession}",
    "Mitmachen: Eine typische Aufgabe als {profession}",
    "Für Eltern: Was Ihr Kind als {profession} erwartet",
]


def planner_demo_build(*, rng: random.Random, companies: list, now=None) -> Fair:
    """The next edition, still being planned (not published): five days of 11 hours, five stages and the session
    requests of the demo companies — staff press "Plan" on /messe/netzwerk/programmplanung/ to see the planner."""
    from .models import SessionRequest

    now = timezone.localtime(now or timezone.now())
    later = now + timedelta(days=90)
    monday = (later - timedelta(days=later.weekday())).replace(hour=8, minute=0, second=0, microsecond=0)
    fair = Fair.objects.create(
        name="55 Stunden Zukunft – Frühjahr",
        slug="55-stunden-zukunft-fruehjahr",
        tagline="Die nächste Ausgabe: das Netzwerk-Team plant gerade das Programm.",
        is_published=False,
    )
    days = [
        FairDay.objects.create(
            fair=fair,
            starts_at=monday + timedelta(days=k),
            ends_at=monday + timedelta(days=k, hours=WINDOW_HOURS),
        )
        for k in range(WINDOWS)
    ]
    stages = [
        Stage.objects.create(fair=fair, name=name, slug=f"buehne-{n + 1}", position=n)
        for n, name in enumerate([*STAGES, "Offene Bühne"])
    ]
    formats = list(Session.Format.values)
    for company in companies:
        professions = list(company.professions.all())
        if not professions:
            continue
        for k in range(rng.choice([1, 2, 2, 3])):
            profession = professions[k % len(professions)]
            session_format = rng.choice(formats)
            chosen = sorted(rng.sample(days, k=rng.randint(2, WINDOWS)), key=lambda d: d.starts_at)
            if rng.random() < 0.3:  # some companies can only in the morning or afternoon
                morning = rng.random() < 0.5
                availability = [
                    (d.starts_at, d.starts_at + timedelta(hours=5))
                    if morning
                    else (d.starts_at + timedelta(hours=5), d.ends_at)
                    for d in chosen
                ]
            else:
                availability = [(d.starts_at, d.ends_at) for d in chosen]
            school = session_format != Session.Format.PARENTS and rng.random() < 0.6
            if school and all(
                start + timedelta(minutes=15) > start.replace(hour=13) for start, _ in availability
            ):
                school = False
            request = SessionRequest.objects.create(
                fair=fair,
                company=company,
                title=REQUEST_TITLES[k % len(REQUEST_TITLES)].format(
                    profession=profession.name, company=company.name
                ),
                description=f"{company.name} stellt den Beruf {profession.name} vor.",
                format=session_format,
                duration_minutes=rng.choice([15, 30, 30, 30, 45, 60]),
                preferred_stage=stages[FIELD_STAGE.get(profession.field.slug, 4)]
                if rng.random() < 0.7
                else None,
                school_hours=school,
                availability=[[a.isoformat(), b.isoformat()] for a, b in availability],
            )
            request.professions.set([profession])
    return fair
