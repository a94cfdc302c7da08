"""Fixtures of the fair tests. The booth, agenda and statistics set-up (issue #4) lives in ``support.py``."""

from tests.fair.support import (  # noqa: F401 (fixtures)
    company_a,
    company_b,
    exhibitor_a,
    exhibitor_b,
    fair,
    login,
    member_a,
    member_b,
    profession,
    pupil,
    staff,
)
