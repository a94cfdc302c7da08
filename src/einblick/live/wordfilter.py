"""German word filter for the live Q&A: holds questions with insults and slurs for a moderator.

The list is a data file (``data/wordfilter_de.txt``, format described there). Matching works on a folded form of the
text in which case, umlauts (ä = ae = a), ß, accents, look-alike digits and symbols, letters written apart and
repeated letters no longer matter. A match never drops a question: the caller holds it for moderation.
"""

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

WORDLIST = Path(__file__).resolve().parent / "data" / "wordfilter_de.txt"

# Look-alike characters inside a word: "4rschl0ch", "f!ck", "$past", "h1tler".
LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "!": "i",
        "€": "e",
        "|": "i",
        "+": "t",
    }
)
UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
VOWEL_E = re.compile(r"([aou])e")
REPEATS = re.compile(r"([a-z])\1+")
NON_LETTERS = re.compile(r"[^a-z?]+")
MASKS = re.compile(r"[*#]")  # a letter masked inside a word ("Schw*chtel") matches any letter
EDGE_PUNCTUATION = ".,;:?!\"'«»„“”‚‘’()[]{}<>…-–—_/\\*~^`"


def fold_word(word: str) -> str:
    """One word (no spaces) in its folded form: only the letters a–z (and "?" for a masked letter), no doubled
    letters."""
    word = unicodedata.normalize("NFKC", word).casefold()
    word = MASKS.sub("?", word.strip(EDGE_PUNCTUATION).replace("?", ""))
    if any(ch.isalpha() for ch in word):
        word = word.translate(LEET)
    word = word.translate(UMLAUTS)
    word = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    word = NON_LETTERS.sub("", word)
    word = VOWEL_E.sub(r"\1", word)
    return REPEATS.sub(r"\1", word)


def fold_words(text: str) -> list[str]:
    """The text as folded words; runs of single letters ("a r s c h") are joined into one word."""
    words: list[str] = []
    run: list[str] = []
    for raw in text.split():
        folded = fold_word(raw)
        if not folded:
            continue
        if len(folded) == 1:
            run.append(folded)
            continue
        if len(run) > 1:
            words.append(REPEATS.sub(r"\1", "".join(run)))
        elif run:
            words.append(run[0])
        run = []
        words.append(folded)
    if len(run) > 1:
        words.append(REPEATS.sub(r"\1", "".join(run)))
    elif run:
        words.append(run[0])
    return words


@dataclass(frozen=True)
class WordList:
    whole: frozenset[str]
    prefixes: tuple[str, ...]
    anywhere: tuple[str, ...]

    @cached_property
    def masked(self) -> tuple[tuple[str, str, re.Pattern], ...]:
        """(kind, entry, pattern) where "?" in the text stands for any letter of the entry."""

        def pattern(entry: str) -> str:
            return "".join(f"[{ch}?]" for ch in entry)

        return (
            *(("whole", e, re.compile(pattern(e) + "$")) for e in sorted(self.whole)),
            *(("prefix", e, re.compile(pattern(e))) for e in self.prefixes),
            *(("anywhere", e, re.compile(".*" + pattern(e))) for e in self.anywhere),
        )


def parse(lines) -> WordList:
    whole, prefixes, anywhere = set(), [], []
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith("*") and entry.endswith("*"):
            anywhere.append(fold_word(entry.strip("*")))
        elif entry.endswith("*"):
            prefixes.append(fold_word(entry.rstrip("*")))
        else:
            whole.add(fold_word(entry))
    return WordList(frozenset(whole), tuple(prefixes), tuple(anywhere))


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, ...]:
    with open(WORDLIST, encoding="utf-8") as handle:
        return tuple(handle)


_cache: dict = {}
RELOAD_SECONDS = (
    60  # words staff add reach every process within a minute (at once in the one that saved them)
)


def wordlist() -> WordList:
    """The shipped list plus the words staff added (``BlockedWord``)."""
    import time

    now = time.monotonic()
    cached = _cache.get("list")
    if cached and now - cached[0] < RELOAD_SECONDS:
        return cached[1]
    try:
        from .models import BlockedWord

        added = [f"{w}\n" for w in BlockedWord.objects.values_list("entry", flat=True)]
    except Exception:  # no database yet (e.g. during migrations): the shipped list alone
        added = []
    words = parse([*_shipped(), *added])
    _cache["list"] = (now, words)
    return words


def wordlist_changed() -> None:
    _cache.clear()


def matches(text: str, words: WordList | None = None) -> list[str]:
    """The (folded) list entries found in the text; empty when it is clean."""
    words = words or wordlist()
    found: list[str] = []
    tokens = fold_words(text)
    for token in tokens:
        if "?" in token:
            found.extend(entry for _kind, entry, pattern in words.masked if pattern.match(token))
            continue
        if token in words.whole:
            found.append(token)
        found.extend(prefix for prefix in words.prefixes if token.startswith(prefix))
        found.extend(entry for entry in words.anywhere if entry in token)
    for first, second in itertools.pairwise(tokens):
        found.extend(entry for entry in words.anywhere if entry in first + second)
    return list(dict.fromkeys(found))


def is_clean(text: str) -> bool:
    return not matches(text)


def nickname_key(nickname: str) -> str:
    """A nickname folded for comparisons (bans): "Möwe", "MOEWE" and "m0we" are the same."""
    return "".join(fold_words(nickname))[:80]
