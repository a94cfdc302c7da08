"""Security headers (issue #10, item 4): a Content Security Policy without inline scripts, a Permissions Policy;
pages have no inline scripts or inline event handlers left (the duel card's frame-ancestors: tests/duels)."""

import re
from pathlib import Path

import pytest

import einblick

pytestmark = pytest.mark.django_db
TEMPLATES = Path(einblick.__file__).parent


def test_every_page_sends_the_policies(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'self'"
    assert (
        "camera=(self)" in response["Permissions-Policy"]
        and "microphone=()" in response["Permissions-Policy"]
    )


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", text
        ):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert offenders == []
