"""Search the way pupils type: umlauts either way, gender forms, abbreviations, one typo in longer words.

Stored texts and queries go through the same ``normalise``; a query becomes a list of token alternatives
(``QueryToken``) that the selectors match against ``search_text`` columns — with PostgreSQL full-text search
(German configuration) where available and substring matching everywhere.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
# (m/w/d), (w/m/d), (m/w/x), (d/m/w), (all genders) …
_GENDER_TAG = re.compile(r"\(\s*(?:[mwdx]\s*/\s*){1,3}[mwdx]\s*\)|\(all genders\)", re.IGNORECASE)
# Mechatroniker:in, Mechatroniker*in, Mechatroniker_in, Mechatroniker/in, Mechatroniker/-in, Mechatroniker(in),
# Fachangestellte:r, Koch/Köchin is handled by terms.
_GENDER_SUFFIX = re.compile(r"(?<=\w)(?:[:*_]|/-?|\()(?:in(?:nen)?|r)\)?(?=\W|$)", re.IGNORECASE)
# Binnen-I: MechatronikerIn, MechatronikerInnen
_BINNEN_I = re.compile(r"(?<=[a-zäöüß])In(?:nen)?\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")

STOPWORDS = frozenset(
    [
        "fuer",
        "und",
        "im",
        "in",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "als",
        "zum",
        "zur",
        "zu",
        "bei",
        "mit",
        "von",
        "am",
        "an",
        "auf",
        "m",
        "w",
        "d",
        "x",
        "ausbildung",
        "ausbildungen",
        "ausbildungsplatz",
        "ausbildungsplaetze",
        "azubi",
        "beruf",
        "berufe",
        "lehre",
        "stelle",
        "stellen",
        "job",
        "jobs",
        "for",
        "and",
        "the",
        "of",
    ]
)

# Expansions of abbreviations pupils type that are not already search terms of a profession.
ABBREVIATIONS = {
    "kfz": ["kraftfahrzeug"],
    "it": ["informatik", "it"],
    "elektriker": ["elektroniker"],
    "mechaniker": ["mechaniker", "mechatroniker"],
    "buero": ["buero", "bueromanagement"],
}


def fold(text: str) -> str:
    """Lower-case, German umlauts as ae/oe/ue/ss, other accents removed."""
    text = text.translate(_UMLAUTS).lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """The canonical form for matching: folded, gender markers removed, words separated by single spaces."""
    text = _GENDER_TAG.sub(" ", text or "")
    text = _BINNEN_I.sub("", text)
    text = _GENDER_SUFFIX.sub("", text)
    text = fold(text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def gender_forms(name: str) -> list[str]:
    """Male and female full forms of a gender-fair profession name ("Mechatroniker:in" → both forms)."""
    forms = [name]
    if ":in" in name:
        forms += [name.replace(":in", ""), name.replace(":in", "in")]
    if ":r" in name:  # Steuerfachangestellte:r
        forms += [name.replace(":r", "r"), name.replace(":r", "")]
    if "/-frau" in name:  # Kaufmann/-frau für …
        forms += [
            name.replace("/-frau", ""),
            name.replace("mann/-frau", "frau"),
            name.replace("mann/-frau", "leute"),
        ]
    return forms


def document(*parts: str | Iterable[str]) -> str:
    """Build a ``search_text`` value from strings and lists of strings."""
    words: list[str] = []
    for part in parts:
        for item in [part] if isinstance(part, str) else part:
            words.append(normalise(item))
    return " ".join(w for w in words if w)


def edit_distance_at_most_one(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [k for k in range(la) if a[k] != b[k]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer than a: find the inserted character
    k = 0
    while k < len(a) and a[k] == b[k]:
        k += 1
    return a[k:] == b[k + 1 :]


@dataclass
class QueryToken:
    """One word of the query with the forms that count as a match for it."""

    text: str
    alternatives: list[str] = field(default_factory=list)


MIN_TYPO_LENGTH = 6


def parse_query(query: str, vocabulary: Iterable[str] = ()) -> list[QueryToken]:
    """Turn what a pupil typed into tokens with alternatives (gender forms, abbreviations, typo corrections)."""
    vocab = set(vocabulary)
    tokens: list[QueryToken] = []
    for word in normalise(query[:200]).split():
        if word in STOPWORDS or len(word) < 2:
            continue
        alts = [word]
        if word.endswith("innen") and len(word) > 7:
            alts.append(word[:-5])
        elif word.endswith("in") and len(word) > 5:
            alts.append(word[:-2])
        if word.endswith("frau"):
            alts.append(word[:-4] + "mann")
        if word.endswith("leute"):
            alts.append(word[:-5] + "mann")
        alts += ABBREVIATIONS.get(word, [])
        if vocab and len(word) >= MIN_TYPO_LENGTH and not any(_known(alt, vocab) for alt in alts):
            alts += sorted(
                v for v in vocab if len(v) >= MIN_TYPO_LENGTH - 1 and edit_distance_at_most_one(word, v)
            )
        tokens.append(QueryToken(word, list(dict.fromkeys(alts))))
    return tokens[:8]


def _known(word: str, vocab: set[str]) -> bool:
    return word in vocab or any(v.startswith(word) or word in v for v in vocab if len(v) > len(word))


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    return {word for text in texts for word in text.split() if len(word) >= MIN_TYPO_LENGTH - 1}


def score_text(tokens: list[QueryToken], name_text: str, full_text: str) -> float:
    """Relevance of one document (0 = no match). Every token must match somewhere."""
    name_words = name_text.split()
    total = 0.0
    for token in tokens:
        best = 0.0
        for alt in token.alternatives:
            if alt in name_words:
                best = max(best, 4.0 if alt == token.text else 3.5)
            elif any(w.startswith(alt) for w in name_words):
                best = max(best, 3.0)
            elif alt in name_text:
                best = max(best, 2.5)
            elif f" {alt}" in f" {full_text}":
                best = max(best, 2.0)
            elif alt in full_text:
                best = max(best, 1.0)
        if best == 0.0:
            return 0.0
        total += best
    return total
