"""Demo season of "Mach mal – das Duell" (called by ``core.demo``): three published episodes with six challenges
each (fictional people, real professions of the catalog, companies of the demo region), a scheduled fourth one."""

import random
from datetime import timedelta

from django.utils import timezone

from einblick.catalog.models import Company, Profession

from .models import Challenge, Contestant, Episode, Season

# (episode title, teaser, contestants, challenges: (task, apprentice, profession, why, score a, score b))
EPISODES = [
    (
        "Staub, Teig und Strom",
        "Lena und Ole legen Fliesen, kneten Teig und suchen einen Kurzschluss – und raten, wer so etwas jeden Tag macht.",
        (
            ("Lena", "Schülerin, 9. Klasse, will „irgendwas mit Menschen“"),
            ("Ole", "Schüler, 10. Klasse, schraubt gern am Mofa"),
        ),
        [
            (
                "Verlege 1 m² Fliesen in 10 Minuten – gerade!",
                "Jannik (2. Lehrjahr)",
                "Fliesen-, Platten- und Mosaikleger:in",
                "Fliesen schneiden, Kleber auftragen, Fugen setzen: Fliesenleger:innen machen Bäder und Küchen fertig.",
                2,
                3,
            ),
            (
                "Forme 12 Brötchen, die alle gleich schwer sind.",
                "Merle (3. Lehrjahr)",
                "Bäcker:in",
                "Genau wiegen und schnell formen gehört zum Alltag in der Backstube – ab 3 Uhr morgens.",
                3,
                1,
            ),
            (
                "Finde den Fehler im Schaltschrank, ohne etwas anzufassen.",
                "Can (2. Lehrjahr)",
                "Elektroniker:in für Betriebstechnik",
                "Elektroniker:innen für Betriebstechnik halten Maschinen und Anlagen in Betrieb und messen, bevor sie anfassen.",
                1,
                3,
            ),
            (
                "Bau ein Vogelhaus aus einem Brett – ohne Nägel.",
                "Finja (1. Lehrjahr)",
                "Tischler:in",
                "Holzverbindungen wie Zapfen und Schwalbenschwanz sind Handwerk der Tischler:innen.",
                3,
                2,
            ),
            (
                "Schneide einer Puppe einen Bob – in 8 Minuten.",
                "Aylin (3. Lehrjahr)",
                "Friseur:in",
                "Schneiden, Färben, Beraten: Friseur:innen arbeiten mit Schere, Gefühl und viel Gespräch.",
                3,
                0,
            ),
            (
                "Streiche eine Tür ohne Tropfnasen.",
                "Hauke (2. Lehrjahr)",
                "Maler:in und Lackierer:in",
                "Untergrund vorbereiten, abkleben, gleichmäßig lackieren – Maler:innen und Lackierer:innen.",
                2,
                2,
            ),
        ],
    ),
    (
        "Küche, Kühlung, Kabel",
        "Mia und Deniz kochen für zwölf, füllen eine Kälteanlage und verlegen Netzwerkkabel.",
        (
            ("Mia", "Schülerin, 8. Klasse, backt am Wochenende"),
            ("Deniz", "Schüler, 9. Klasse, zockt und baut PCs"),
        ),
        [
            (
                "Schneide in 5 Minuten eine Zwiebel in feine Würfel.",
                "Tom (2. Lehrjahr)",
                "Koch/Köchin",
                "Vorbereiten, Abschmecken, Anrichten: In der Küche zählt jede Minute.",
                3,
                1,
            ),
            (
                "Finde heraus, warum die Kühltheke warm wird.",
                "Sina (3. Lehrjahr)",
                "Mechatroniker:in für Kältetechnik",
                "Mechatroniker:innen für Kältetechnik bauen und warten Kühl- und Klimaanlagen.",
                1,
                2,
            ),
            (
                "Verlege ein Netzwerkkabel und prüfe die Verbindung.",
                "Luca (2. Lehrjahr)",
                "Fachinformatiker:in",
                "Netzwerke planen und einrichten gehört zur Fachinformatik für Systemintegration.",
                1,
                3,
            ),
            (
                "Packe 20 Pakete so, dass sie auf eine Palette passen.",
                "Emre (1. Lehrjahr)",
                "Fachkraft für Lagerlogistik",
                "Waren annehmen, lagern, kommissionieren und verladen – Lagerlogistik.",
                2,
                2,
            ),
            (
                "Berate eine Kundin, die „irgendwas Schönes“ sucht.",
                "Lea (2. Lehrjahr)",
                "Kaufmann/-frau im Einzelhandel",
                "Beraten, verkaufen, Ware präsentieren: Einzelhandelskaufleute.",
                3,
                2,
            ),
            (
                "Binde einen Strauß aus 15 Blumen.",
                "Paula (3. Lehrjahr)",
                "Florist:in",
                "Floristinnen und Floristen binden, stecken und beraten – mit Blick für Farben.",
                3,
                1,
            ),
        ],
    ),
    (
        "Hoch hinaus und tief drunter",
        "Noah und Jule auf dem Dach, unter dem Traktor und im Heizungskeller.",
        (
            ("Noah", "Schüler, 10. Klasse, Fußball und Feuerwehr"),
            ("Jule", "Schülerin, 9. Klasse, reitet und repariert"),
        ),
        [
            (
                "Decke 1 m² Dach mit Ziegeln – gesichert.",
                "Malte (3. Lehrjahr)",
                "Dachdecker:in",
                "Dachdecker:innen arbeiten in der Höhe, mit Sicherung und Blick fürs Wetter.",
                2,
                2,
            ),
            (
                "Wechsle das Hydrauliköl eines Traktors.",
                "Jonas (2. Lehrjahr)",
                "Land- und Baumaschinenmechatroniker:in",
                "Landmaschinen sind voller Hydraulik und Elektronik – das ist ihr Fach.",
                1,
                3,
            ),
            (
                "Dichte eine tropfende Heizungsleitung ab.",
                "Tim (1. Lehrjahr)",
                "Anlagenmechaniker:in für Sanitär-, Heizungs- und Klimatechnik",
                "Heizung, Bad und Lüftung einbauen und warten: Anlagenmechanik SHK.",
                2,
                1,
            ),
            (
                "Schweiße zwei Stahlplatten sauber zusammen.",
                "Kira (3. Lehrjahr)",
                "Metallbauer:in",
                "Metallbauer:innen bauen Treppen, Geländer und Tore – Schweißen inklusive.",
                1,
                2,
            ),
            (
                "Mauere eine Ecke im Lot.",
                "Ben (2. Lehrjahr)",
                "Maurer:in",
                "Wasserwaage, Kelle, Mörtel: Maurer:innen bauen Wände, die stehen.",
                3,
                2,
            ),
            (
                "Pflanze ein Beet nach Plan.",
                "Sophie (2. Lehrjahr)",
                "Gärtner:in",
                "Gärtner:innen im Garten- und Landschaftsbau planen und pflanzen Gärten und Parks.",
                2,
                3,
            ),
        ],
    ),
]


def duels_demo_build(*, rng: random.Random, companies: list[Company], now=None) -> Season:
    now = now or timezone.now()
    season = Season.objects.create(
        title="Mach mal – Staffel 1",
        slug="staffel-1",
        description="Zwei treten an, Azubis stellen die Aufgaben – und alle raten den Beruf.",
    )
    for number, (title, teaser, people, challenges) in enumerate(EPISODES, start=1):
        episode = Episode.objects.create(
            season=season,
            number=number,
            title=title,
            slug=f"folge-{number}",
            teaser=teaser,
            video_url="",
            publish_at=now - timedelta(days=7 * (len(EPISODES) - number + 1)),
        )
        for order, (name, line) in enumerate(people):
            Contestant.objects.create(episode=episode, order=order, name=name, line=line)
        for order, (task, apprentice, profession, why, a, b) in enumerate(challenges):
            prof = Profession.objects.get(name=profession)
            trainers = [c for c in companies if prof in c.professions.all()]
            Challenge.objects.create(
                episode=episode,
                order=order,
                task=task,
                apprentice=apprentice,
                company=trainers[0] if trainers else rng.choice(companies),
                profession=prof,
                why=why,
                score_a=a,
                score_b=b,
            )
    # the next episode is scheduled (staff see it in the editor)
    scheduled = Episode.objects.create(
        season=season,
        number=len(EPISODES) + 1,
        title="Finale: Alle gegen alle",
        slug="finale",
        teaser="Demnächst.",
        publish_at=now + timedelta(days=7),
    )
    for order, name in enumerate(("Lena", "Noah")):
        Contestant.objects.create(episode=scheduled, order=order, name=name)
    return season
