"""The demo region: a deterministic (seeded) network for the Ems-Achse area, relative to today.

Companies and people are fictional; professions, towns, postal codes and districts are real. Each pillar extends
``demo_build`` with its own part. Used by ``python -m einblick demo`` and therefore by ``make run``.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from einblick.accounts import services as accounts
from einblick.accounts.models import School, User
from einblick.catalog import services as catalog
from einblick.catalog.importers import catalog_load, places_import
from einblick.catalog.models import Company, Place, Profession

DEMO_PASSWORD = "einblick-demo"
DEMO_LOGINS = [
    ("network staff (Netzwerk)", "netzwerk"),
    ("teacher (Lehrkraft)", "lehrkraft"),
    ("pupil (Schüler:in)", "schueler"),
    ("company member (Betrieb)", "betrieb"),
    ("company, pending approval", "neuer-betrieb"),
    ("training provider", "bildung"),
]
PLACES_CSV = Path(__file__).resolve().parent / "data" / "demo_places.csv"
SURNAMES = [
    "Janssen",
    "Gerdes",
    "Hinrichs",
    "Eilers",
    "Oltmanns",
    "Tjarks",
    "Ubben",
    "Saathoff",
    "Frerichs",
    "Buss",
    "Heyen",
    "Ahrends",
    "Wübbena",
    "Schoon",
    "Harms",
    "Brink",
    "Kamps",
    "Lübbers",
    "Többen",
    "Wessels",
    "Grote",
    "Evers",
    "Rohde",
    "Bruns",
    "Hilling",
    "Meinders",
    "Schepers",
    "Tieben",
    "Vehring",
    "Wilken",
]
FIRST_NAMES = [
    "Anke",
    "Tjark",
    "Imke",
    "Hauke",
    "Frauke",
    "Enno",
    "Silke",
    "Jannes",
    "Greta",
    "Okko",
    "Wiebke",
    "Fenna",
    "Malte",
    "Rieke",
    "Onno",
    "Merle",
    "Kai",
    "Lena",
    "Jonas",
    "Sina",
    "Thies",
    "Marieke",
    "Hendrik",
    "Femke",
]
NICKNAMES = [
    "Kiwi",
    "Sturmmöwe",
    "Deichläufer",
    "Fehnkind",
    "Lotte",
    "Ben",
    "Mia",
    "Jo",
    "Nele",
    "Emil",
    "Paula",
    "Finn",
]

# (sector, company name pattern, professions trained; the first is the one offered most)
SECTORS = [
    (
        "Maschinenbau",
        "{town} Mechatronik GmbH",
        ["Mechatroniker:in", "Industriemechaniker:in", "Elektroniker:in für Betriebstechnik"],
    ),
    (
        "Schiffbau und Zulieferer",
        "Werft- und Anlagenbau {name} GmbH & Co. KG",
        ["Konstruktionsmechaniker:in", "Mechatroniker:in", "Technische:r Produktdesigner:in"],
    ),
    ("Metallbau", "Metallbau {name}", ["Metallbauer:in", "Feinwerkmechaniker:in"]),
    (
        "Zerspanungstechnik",
        "{name} Präzisionsteile GmbH",
        ["Zerspanungsmechaniker:in", "Industriemechaniker:in"],
    ),
    ("Kfz-Werkstatt", "Autohaus {name}", ["Kraftfahrzeugmechatroniker:in", "Automobilkaufmann/-frau"]),
    ("Landtechnik", "Landtechnik {name}", ["Land- und Baumaschinenmechatroniker:in"]),
    (
        "Sanitär und Heizung",
        "{name} Haustechnik",
        ["Anlagenmechaniker:in für Sanitär-, Heizungs- und Klimatechnik", "Elektroniker:in"],
    ),
    (
        "Elektrohandwerk",
        "Elektro {name}",
        ["Elektroniker:in", "Elektroniker:in für Gebäudesystemintegration"],
    ),
    (
        "IT-Dienstleistung",
        "{name} IT-Systemhaus",
        ["Fachinformatiker:in", "Kaufmann/-frau für IT-System-Management"],
    ),
    ("Tischlerei", "Tischlerei {name}", ["Tischler:in"]),
    (
        "Bauunternehmen",
        "Bauunternehmung {name}",
        ["Maurer:in", "Beton- und Stahlbetonbauer:in", "Bautechnische:r Konstrukteur:in"],
    ),
    ("Zimmerei und Dachdeckerei", "Zimmerei {name}", ["Zimmerer/Zimmerin", "Dachdecker:in"]),
    ("Malerbetrieb", "Malerbetrieb {name}", ["Maler:in und Lackierer:in"]),
    ("Bäckerei", "Bäckerei {name}", ["Bäcker:in", "Konditor:in", "Fachverkäufer:in im Lebensmittelhandwerk"]),
    ("Fleischerei", "Landschlachterei {name}", ["Fleischer:in"]),
    (
        "Lebensmittelindustrie",
        "Ostfriesische Molkerei {name}",
        ["Milchtechnolog:in", "Fachkraft für Lebensmitteltechnik"],
    ),
    ("Einzelhandel", "{name} Markt", ["Kaufmann/-frau im Einzelhandel", "Verkäufer:in"]),
    (
        "Großhandel",
        "{name} Großhandel GmbH",
        ["Kaufmann/-frau im Groß- und Außenhandelsmanagement", "Fachkraft für Lagerlogistik"],
    ),
    (
        "Logistik",
        "Spedition {name}",
        [
            "Berufskraftfahrer:in",
            "Fachkraft für Lagerlogistik",
            "Kaufmann/-frau für Spedition und Logistikdienstleistung",
        ],
    ),
    ("Hotel und Gastronomie", "Hotel {name}", ["Hotelfachmann/-frau", "Koch/Köchin"]),
    ("Friseur", "Salon {name}", ["Friseur:in"]),
    ("Arztpraxis", "Hausarztpraxis {name}", ["Medizinische:r Fachangestellte:r"]),
    ("Zahnarztpraxis", "Zahnarztpraxis {name}", ["Zahnmedizinische:r Fachangestellte:r"]),
    ("Bank", "Volksbank {town} (Demo)", ["Bankkaufmann/-frau"]),
    ("Steuerberatung", "Steuerbüro {name}", ["Steuerfachangestellte:r"]),
    (
        "Industrie",
        "{name} Kunststofftechnik GmbH",
        ["Kunststoff- und Kautschuktechnolog:in", "Industriekaufmann/-frau"],
    ),
    ("Landwirtschaft", "Hof {name}", ["Landwirt:in", "Tierwirt:in"]),
    ("Gartenbau", "Gärtnerei {name}", ["Gärtner:in", "Florist:in"]),
    ("Energie", "{town}er Windservice GmbH", ["Elektroniker:in für Betriebstechnik", "Mechatroniker:in"]),
    (
        "Verwaltung",
        "Samtgemeinde {town} (Demo)",
        ["Verwaltungsfachangestellte:r", "Kaufmann/-frau für Büromanagement"],
    ),
]
SCHOOLS = [
    ("Oberschule am Splitting", School.Kind.OBERSCHULE, "26871"),
    ("Oberschule Meppen-Esterfeld (Demo)", School.Kind.OBERSCHULE, "49716"),
    ("Oberschule Leer-Loga (Demo)", School.Kind.OBERSCHULE, "26789"),
    ("Realschule Nordhorn-Blanke (Demo)", School.Kind.REALSCHULE, "48529"),
    ("Gymnasium am Emsdeich (Demo)", School.Kind.GYMNASIUM, "26725"),
]


def _find(name: str) -> Profession:
    """A profession of the catalogue by its exact name (the demo fails loudly if the catalogue lacks it)."""
    return Profession.objects.get(name=name)


def _place(plz: str) -> Place:
    return Place.objects.filter(plz=plz).order_by("name").first()


def _next_august(today: date) -> date:
    august = date(today.year, 8, 1)
    return august if august - today > timedelta(days=60) else date(today.year + 1, 8, 1)


def _user(username: str, **fields) -> User:
    return accounts.user_create(username=username, password=None, **fields)


def is_empty() -> bool:
    return not Company.objects.exists() and not User.objects.exists()


@transaction.atomic
def demo_build(*, seed: int = 42) -> dict:
    """Build the demo region. Deterministic for a given seed and day."""
    rng = random.Random(seed)
    today = timezone.localdate()
    professions = catalog_load()
    with open(PLACES_CSV, encoding="utf-8", newline="") as handle:
        places_import(csv.DictReader(handle))
    towns = list(Place.objects.order_by("plz", "name"))

    staff = _user(
        "netzwerk",
        email="netzwerk@example.org",
        nickname="Netzwerk-Team",
        first_name="Hanna",
        last_name="Gerdes",
        is_staff=True,
    )
    _user("bildung", email="bildung@example.org", nickname="Bildungswerk Ems (Demo)", is_provider=True)

    schools = [accounts.school_get_or_create(name=n, kind=k, place=_place(plz)) for n, k, plz in SCHOOLS]
    teacher = accounts.teacher_signup(
        first_name="Imke",
        last_name="Saathoff",
        email="lehrkraft@example.org",
        password=None,
        school=schools[0],
    )
    User.objects.filter(pk=teacher.pk).update(username="lehrkraft")
    classes = [
        accounts.class_create(teacher=teacher, name="8a", school_year=8),
        accounts.class_create(teacher=teacher, name="9b", school_year=9),
    ]
    pupil = accounts.pupil_join_class(school_class=classes[0], nickname="Sturmmöwe", password=None)
    User.objects.filter(pk=pupil.pk).update(username="schueler")
    for index, nickname in enumerate(NICKNAMES):
        accounts.pupil_join_class(school_class=classes[index % 2], nickname=nickname, password=None)

    member = _user("betrieb", email="betrieb@example.org", first_name="Tjark", last_name="Oltmanns")

    companies = []
    papenburg = _place("26871")
    for index in range(45):
        sector, pattern, names = SECTORS[index % len(SECTORS)]
        town = papenburg if index == 0 else towns[rng.randrange(len(towns))]
        surname = SURNAMES[(index * 7) % len(SURNAMES)]
        town_word = town.name.split(" (")[0]
        name = pattern.format(name=surname, town=town_word)
        if Company.objects.filter(name=name).exists():
            name = f"{name} {town_word}"
        trained = [_find(n) for n in names]
        company = catalog.company_register(
            user=member if index == 0 else _user(f"betrieb{index}", email=f"betrieb{index}@example.org"),
            name=name,
            profile=(
                f"Wir sind ein {rng.choice(['familiengeführter', 'junger', 'traditionsreicher', 'wachsender'])} "
                f"Betrieb ({sector}) in {town_word}. Bei uns lernst du von Anfang an im Team mit, übernimmst "
                "eigene Aufgaben und hast feste Ansprechpartner:innen. Dieser Betrieb ist ausgedacht (Demo)."
            ),
            sector=sector,
            size=rng.choice(list(Company.Size.values)),
            website="",
            street=f"{rng.choice(['Hauptstraße', 'Am Hafen', 'Industriestraße', 'Kanalstraße', 'Deichweg', 'Gewerbering'])} {rng.randint(1, 120)}",
            place=town,
            professions=trained,
            contact_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {surname}",
            contact_role=rng.choice(
                ["Ausbildungsleitung", "Inhaber:in", "Personalabteilung", "Ausbilder:in"]
            ),
            contact_email=f"ausbildung{index}@example.org",
        )
        if index % 5 == 2:
            catalog.site_create(
                company=company,
                name="Zweigstelle",
                street="Bahnhofstraße 3",
                place=towns[(index * 3) % len(towns)],
            )
        if index < 42:
            catalog.company_approve(company=company, by=staff)
        companies.append(company)
        for n, profession in enumerate(trained[:2]):
            site = company.sites.first()
            catalog.offer_save(
                company=company,
                profession=profession,
                site=site,
                kind="apprenticeship",
                title="",
                start_date=_next_august(today),
                places=rng.randint(1, 4),
                certificate=rng.choice(["hauptschule", "mittlerer", "mittlerer", "abitur"])
                if n
                else profession.certificate,
                pay=[
                    rng.randrange(800, 1000, 10),
                    rng.randrange(900, 1100, 10),
                    rng.randrange(1000, 1200, 10),
                ],
                description=(
                    f"Starte deine Ausbildung als {profession.name} bei {company.name}. Du lernst alle Aufgaben "
                    "Schritt für Schritt kennen, bekommst eine feste Ausbilderin oder einen festen Ausbilder und "
                    "gehst zur Berufsschule in der Region."
                ),
                apply_url="",
                apply_email=f"ausbildung{index}@example.org",
                valid_until=today + timedelta(days=rng.randint(40, 220)),
            )
        if trained and index % 3 == 0:
            catalog.offer_save(
                company=company,
                profession=trained[0],
                site=company.sites.first(),
                kind="internship",
                title=f"Schülerpraktikum {trained[0].name}",
                start_date=today + timedelta(days=rng.randint(10, 80)),
                places=rng.randint(1, 3),
                certificate="ohne",
                pay=[],
                description="Zwei Wochen reinschnuppern: Du arbeitest mit, stellst Fragen und probierst Werkzeuge und Aufgaben selbst aus.",
                apply_url="",
                apply_email=f"ausbildung{index}@example.org",
                valid_until=today + timedelta(days=rng.randint(20, 90)),
            )
    # An expired offer, kept for the company but hidden from listings.
    expired = companies[1].offers.first()
    if expired:
        type(expired).objects.filter(pk=expired.pk).update(valid_until=today - timedelta(days=3))
    pending_member = _user("neuer-betrieb", email="neuer-betrieb@example.org")
    catalog.company_register(
        user=pending_member,
        name="Fehntjer Fahrradwerkstatt (Demo)",
        profile="Kleine Fahrradwerkstatt mit Verkauf. Wir suchen zum ersten Mal eine:n Auszubildende:n.",
        sector="Zweiradhandel",
        size=Company.Size.MICRO,
        street="Hauptkanal rechts 12",
        place=_place("26817"),
        professions=[_find("Zweiradmechatroniker:in")],
        contact_name="Enno Frerichs",
        contact_role="Inhaber",
        contact_email="fahrrad@example.org",
    )
    # The fair "55 Stunden Zukunft", running now.
    from einblick.fair.demo import fair_demo_build

    fair = fair_demo_build(rng=rng, companies=[c for c in companies if c.status == Company.Status.APPROVED])
    # Talks with companies in that fair (issue #5): one round, allocated and published.
    from einblick.talks.demo import talks_demo_build

    talks_demo_build(
        rng=rng,
        fair=fair,
        companies=[e.company for e in fair.exhibitors.select_related("company").order_by("company__name")],
        pupils=list(User.objects.filter(is_pupil=True).order_by("pk")),
    )
    # The event series "Your Way 2 Business" (issue #6).
    from einblick.events.demo import events_demo_build

    events_demo_build(
        rng=rng,
        companies=[c for c in companies if c.status == Company.Status.APPROVED],
        teacher=teacher,
        pupils=list(User.objects.filter(is_pupil=True).order_by("pk")),
    )
    # "Mach mal – das Duell" (issue #7): a season of three episodes.
    from einblick.duels.demo import duels_demo_build

    duels_demo_build(rng=rng, companies=[c for c in companies if c.status == Company.Status.APPROVED])
    # Digital-Tandem (issue #8): needs, providers, offers, two tandems.
    from einblick.tandem.demo import tandem_demo_build

    tandem_demo_build(
        companies=[c for c in companies if c.status == Company.Status.APPROVED],
        provider_user=User.objects.get(username="bildung"),
        staff=staff,
    )
    # Its next edition, with the companies' session requests waiting for the programme planner (issue #4).
    from einblick.fair.demo import planner_demo_build

    planner_demo_build(rng=rng, companies=[c for c in companies if c.status == Company.Status.APPROVED])
    # Insights (issue #9): eight weeks of page views, counted, so the dashboard has figures.
    from einblick.insights.demo import insights_demo_build

    insights_demo_build(rng=rng, companies=[c for c in companies if c.status == Company.Status.APPROVED])
    # The demo's history needs no e-mails: drop what its approvals queued.
    DBTaskResult.objects.filter(status="READY").delete()
    # One hash for all demo logins (hashing each would take seconds).
    User.objects.update(password=make_password(DEMO_PASSWORD))
    return {
        "professions": professions,
        "places": len(towns),
        "companies": Company.objects.count(),
        "offers": sum(c.offers.count() for c in Company.objects.all()),
        "pupils": User.objects.filter(is_pupil=True).count(),
    }
