"""The interest check's ranking is sensible (unit tests on the pure scoring)."""

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from einblick.catalog.importers import read_professions
from einblick.orientation import scoring, tokens
from einblick.orientation.statements import DIMENSIONS, STATEMENTS


@dataclass
class P:
    name: str
    riasec: dict


CATALOGUE = [P(row["name"], row["riasec"]) for row in read_professions()]


def answers_for(liked: str, disliked: str = "") -> dict[str, str]:
    return {
        s.key: "like" if s.dimension in liked else "dislike" if s.dimension in disliked else "neutral"
        for s in STATEMENTS
    }


def test_thirty_statements_five_per_type_interleaved():
    assert len(STATEMENTS) == 30
    assert {d: sum(s.dimension == d for s in STATEMENTS) for d in DIMENSIONS} == dict.fromkeys(DIMENSIONS, 5)
    assert all(a.dimension != b.dimension for a, b in itertools.pairwise(STATEMENTS))
    assert len({s.key for s in STATEMENTS}) == 30


def test_profile_scales_answers():
    assert scoring.profile_from_answers(answers_for("R", "S")) == {
        "R": 100,
        "I": 50,
        "A": 50,
        "S": 0,
        "E": 50,
        "C": 50,
    }
    assert scoring.profile_from_answers({}) == dict.fromkeys(DIMENSIONS, 50)
    assert scoring.profile_from_answers({"r1": "like", "xx": "like", "r2": "bogus"})["R"] == 60


def test_realistic_investigative_pupil_gets_technical_professions_above_social_ones():
    profile = scoring.profile_from_answers(answers_for("RI", "SE"))
    ranked = [m.profession.name for m in scoring.rank(profile, CATALOGUE, limit=len(CATALOGUE))]
    assert ranked.index("Mechatroniker:in") < ranked.index("Medizinische:r Fachangestellte:r")
    assert ranked.index("Elektroniker:in für Betriebstechnik") < ranked.index(
        "Kaufmann/-frau im Einzelhandel"
    )
    top = scoring.rank(profile, CATALOGUE)
    assert all(m.profession.riasec["R"] + m.profession.riasec["I"] >= 6 for m in top), [
        m.profession.name for m in top
    ]
    assert all("S" not in m.reasons for m in top)


def test_social_pupil_gets_care_and_service_first():
    # The dual catalogue has no school-based care/education professions yet: service and health come first.
    profile = scoring.profile_from_answers(answers_for("S"))
    ranked = scoring.rank(profile, CATALOGUE, limit=len(CATALOGUE))
    assert all(m.profession.riasec["S"] >= 4 for m in ranked[:10]), [m.profession.name for m in ranked[:10]]
    names = [m.profession.name for m in ranked]
    assert names.index("Medizinische:r Fachangestellte:r") < 10 < names.index("Mechatroniker:in")
    assert ranked[0].reasons[0] == "S"
    assert scoring.reason_text(ranked[0].reasons).startswith("weil du gern mit Menschen arbeitest")


def test_conventional_pupil_gets_office_work():
    profile = scoring.profile_from_answers(answers_for("C", "RA"))
    names = [m.profession.name for m in scoring.rank(profile, CATALOGUE, limit=15)]
    assert any("Büromanagement" in n or "Steuerfach" in n or "Verwaltungsfach" in n for n in names), names


def test_ties_are_stable_by_name():
    same = {"R": 5, "I": 1, "A": 0, "S": 0, "E": 0, "C": 2}
    professions = [P("Zimmerer/Zimmerin", same), P("Dachdecker:in", same), P("Maurer:in", same)]
    profile = scoring.profile_from_answers(answers_for("R"))
    assert [m.profession.name for m in scoring.rank(profile, professions)] == [
        "Dachdecker:in",
        "Maurer:in",
        "Zimmerer/Zimmerin",
    ]
    assert [m.profession.name for m in scoring.rank(profile, list(reversed(professions)))] == [
        "Dachdecker:in",
        "Maurer:in",
        "Zimmerer/Zimmerin",
    ]


@given(
    st.lists(st.integers(0, 100), min_size=6, max_size=6), st.lists(st.integers(0, 5), min_size=6, max_size=6)
)
def test_fit_is_bounded(profile_values, riasec_values):
    value = scoring.fit(
        dict(zip(DIMENSIONS, profile_values, strict=False)),
        dict(zip(DIMENSIONS, riasec_values, strict=False)),
    )
    assert 0.0 <= value <= 1.0


def test_neutral_profile_still_ranks_without_error():
    ranked = scoring.rank(dict.fromkeys(DIMENSIONS, 50), CATALOGUE)
    assert len(ranked) == 10 and all(m.reasons == [] or m.reasons for m in ranked)


def test_result_token_round_trip_and_tampering():
    profile = {"R": 90, "I": 70, "A": 10, "S": 0, "E": 30, "C": 50}
    token = tokens.result_token(profile)
    assert tokens.profile_from_token(token) == profile
    assert tokens.profile_from_token(token[:-2] + "xx") is None
    assert tokens.profile_from_token("") is None
    assert tokens.profile_from_token("a" * 5000) is None


@pytest.mark.parametrize("language", ["de", "en"])
def test_reason_text_languages(language):
    text = scoring.reason_text(["R", "I"], language)
    assert text == (
        "weil du gern mit den Händen und mit Technik arbeitest und Dingen auf den Grund gehst"
        if language == "de"
        else "because you like to work with your hands and with technology and get to the bottom of things"
    )
