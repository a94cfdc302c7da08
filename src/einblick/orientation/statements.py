"""The interest check's 30 statements: five for each of Holland's six interest types (RIASEC).

Content lives here in German and English (simple language, "du" form, one idea each); the UI strings around it
are translated with gettext. The order interleaves the types so that no type comes twice in a row.
"""

from dataclasses import dataclass

from django.utils.translation import get_language

DIMENSIONS = ("R", "I", "A", "S", "E", "C")


@dataclass(frozen=True)
class Bilingual:
    de: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "de").startswith("en") else self.de


@dataclass(frozen=True)
class Statement:
    key: str
    dimension: str
    icon: str
    text: Bilingual


def _s(key, dimension, icon, de, en):
    return Statement(key, dimension, icon, Bilingual(de, en))


_BY_TYPE = {
    "R": [
        _s(
            "r1",
            "R",
            "🔧",
            "Etwas mit den Händen bauen oder reparieren",
            "Building or repairing something with my hands",
        ),
        _s("r2", "R", "⚙️", "Mit Maschinen und Werkzeug arbeiten", "Working with machines and tools"),
        _s(
            "r3",
            "R",
            "🌦️",
            "Draußen arbeiten, auch bei Wind und Wetter",
            "Working outdoors, also in wind and rain",
        ),
        _s(
            "r4",
            "R",
            "🚲",
            "Ein Fahrrad, Moped oder Auto selbst reparieren",
            "Repairing a bike, moped or car myself",
        ),
        _s(
            "r5",
            "R",
            "🪵",
            "Aus Holz, Metall oder Stein etwas herstellen",
            "Making something from wood, metal or stone",
        ),
    ],
    "I": [
        _s(
            "i1",
            "I",
            "🔍",
            "Herausfinden, warum etwas nicht funktioniert",
            "Finding out why something does not work",
        ),
        _s("i2", "I", "🧪", "Experimente machen und genau messen", "Doing experiments and measuring exactly"),
        _s("i3", "I", "🧩", "Knifflige Aufgaben und Rätsel lösen", "Solving tricky tasks and puzzles"),
        _s(
            "i4",
            "I",
            "🧠",
            "Verstehen, wie Technik oder der Körper funktioniert",
            "Understanding how technology or the body works",
        ),
        _s(
            "i5",
            "I",
            "💻",
            "Programmieren oder Daten am Computer auswerten",
            "Programming or analysing data on a computer",
        ),
    ],
    "A": [
        _s(
            "a1",
            "A",
            "🎨",
            "Etwas zeichnen, gestalten oder dekorieren",
            "Drawing, designing or decorating something",
        ),
        _s("a2", "A", "📷", "Fotos oder Videos machen und bearbeiten", "Taking and editing photos or videos"),
        _s(
            "a3",
            "A",
            "💡",
            "Eigene Ideen für schöne Dinge entwickeln",
            "Coming up with my own ideas for beautiful things",
        ),
        _s(
            "a4",
            "A",
            "🧵",
            "Mit Farben, Stoffen oder Formen arbeiten",
            "Working with colours, fabrics or shapes",
        ),
        _s(
            "a5",
            "A",
            "🎭",
            "Bei Musik, Theater oder Mode mitmachen",
            "Taking part in music, theatre or fashion",
        ),
    ],
    "S": [
        _s("s1", "S", "🤝", "Anderen Menschen helfen", "Helping other people"),
        _s(
            "s2",
            "S",
            "🧑‍🏫",
            "Jüngeren etwas erklären oder beibringen",
            "Explaining or teaching something to younger people",
        ),
        _s(
            "s3",
            "S",
            "🩺",
            "Mich um kranke oder ältere Menschen kümmern",
            "Caring for sick or elderly people",
        ),
        _s("s4", "S", "👂", "Für andere da sein und zuhören", "Being there for others and listening"),
        _s(
            "s5",
            "S",
            "👥",
            "Im Team mit vielen Menschen zusammenarbeiten",
            "Working in a team with many people",
        ),
    ],
    "E": [
        _s("e1", "E", "📣", "Andere von einer Idee überzeugen", "Convincing others of an idea"),
        _s(
            "e2",
            "E",
            "🏷️",
            "Etwas verkaufen oder einen Preis aushandeln",
            "Selling something or negotiating a price",
        ),
        _s(
            "e3",
            "E",
            "🧭",
            "Eine Gruppe anführen und Entscheidungen treffen",
            "Leading a group and making decisions",
        ),
        _s("e4", "E", "📈", "Ein eigenes kleines Geschäft planen", "Planning a small business of my own"),
        _s("e5", "E", "🛍️", "Kundschaft beraten und bedienen", "Advising and serving customers"),
    ],
    "C": [
        _s("c1", "C", "🗂️", "Ordnung halten und Dinge sortieren", "Keeping things tidy and sorted"),
        _s("c2", "C", "🔢", "Mit Zahlen und Tabellen arbeiten", "Working with numbers and tables"),
        _s("c3", "C", "📋", "Genau nach Plan und Regeln arbeiten", "Working exactly to a plan and rules"),
        _s(
            "c4",
            "C",
            "🧾",
            "Briefe, Rechnungen oder Listen am Computer schreiben",
            "Writing letters, invoices or lists on a computer",
        ),
        _s(
            "c5", "C", "📦", "Waren zählen, prüfen und aufschreiben", "Counting, checking and recording goods"
        ),
    ],
}

STATEMENTS: list[Statement] = [_BY_TYPE[d][n] for n in range(5) for d in DIMENSIONS]
BY_KEY = {s.key: s for s in STATEMENTS}

# How each type is described to the pupil, and the reason phrase "weil du gern …".
TYPE_NAMES = {
    "R": Bilingual("Praktisch", "Practical"),
    "I": Bilingual("Forschend", "Investigative"),
    "A": Bilingual("Kreativ", "Creative"),
    "S": Bilingual("Sozial", "Social"),
    "E": Bilingual("Unternehmerisch", "Enterprising"),
    "C": Bilingual("Ordnend", "Organised"),
}
TYPE_DESCRIPTIONS = {
    "R": Bilingual(
        "Du packst gern mit an und arbeitest mit Werkzeug, Technik und Material.",
        "You like to get stuck in and work with tools, technology and materials.",
    ),
    "I": Bilingual(
        "Du gehst Dingen auf den Grund, tüftelst und löst Probleme.",
        "You get to the bottom of things, tinker and solve problems.",
    ),
    "A": Bilingual(
        "Du gestaltest gern und bringst eigene Ideen ein.",
        "You like designing and bringing in your own ideas.",
    ),
    "S": Bilingual(
        "Du bist gern für andere da, hilfst und erklärst.",
        "You like being there for others, helping and explaining.",
    ),
    "E": Bilingual(
        "Du überzeugst gern, verkaufst und übernimmst Verantwortung.",
        "You like convincing people, selling and taking responsibility.",
    ),
    "C": Bilingual(
        "Du arbeitest gern genau, mit Plan, Zahlen und Listen.",
        "You like working precisely, with plans, numbers and lists.",
    ),
}
REASON_PHRASES = {
    "R": Bilingual("mit den Händen und mit Technik arbeitest", "work with your hands and with technology"),
    "I": Bilingual("Dingen auf den Grund gehst", "get to the bottom of things"),
    "A": Bilingual("kreativ gestaltest", "design creatively"),
    "S": Bilingual("mit Menschen arbeitest und hilfst", "work with people and help them"),
    "E": Bilingual(
        "andere überzeugst und Verantwortung übernimmst", "convince others and take responsibility"
    ),
    "C": Bilingual("genau und mit System arbeitest", "work precisely and systematically"),
}
