"""Browser journeys: Chromium driven by Playwright against pytest-django's live server, axe-core on every page.

Chromium is the system browser (``EINBLICK_CHROMIUM`` or ``/usr/bin/chromium``); Playwright never downloads one.
Without it every test here is skipped with the reason (see ``pytest -rs``). Every test in this folder carries the
``e2e`` marker, so ``pytest -m "not e2e"`` leaves them out.
"""

import os
import re
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # reported as the skip reason by _skip_reason()
    expect = None

CHROMIUM_PATH = os.environ.get("EINBLICK_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PUPIL_VIEWPORT = {"width": 360, "height": 740}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000
E2E_DIR = Path(__file__).resolve().parent

# Violations below "serious" found during the session, reported once at the end (page path, rule, impact, help).
_AXE_NOTES: list[tuple[str, str, str, str, int]] = []


def _skip_reason() -> str | None:
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        return f"Chromium not found at {CHROMIUM_PATH}: browser journeys skipped (set EINBLICK_CHROMIUM)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed: browser journeys skipped (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config, items):
    """Mark the journeys ``e2e`` (skipped without Chromium) and run them last: while Playwright's sync API is
    active its event loop sits in the main thread, which other tests (async_to_sync, ORM) must not meet."""
    reason = _skip_reason()
    journeys, others = [], []
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
            journeys.append(item)
        else:
            others.append(item)
    items[:] = others + journeys


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test body failed, so ``new_context`` can keep screenshots for it."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


def pytest_terminal_summary(terminalreporter):
    if not _AXE_NOTES:
        return
    terminalreporter.section("axe-core: minor and moderate findings (not failing)")
    seen = set()
    for path, rule, impact, help_text, count in _AXE_NOTES:
        if (path, rule) in seen:
            continue
        seen.add((path, rule))
        terminalreporter.line(f"{path}: {rule} ({impact}, {count} node(s)) – {help_text}")


# --- Browser ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; Django would refuse ORM calls from the test
    # (SynchronousOnlyOperation) although they are not run inside that loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser, live_server, request, tmp_path):
    """Factory for fresh browser contexts (own cookies = own person) on the live server, German, Berlin time.

    On a failed test each open page's screenshot and HTML are kept in the test's tmp_path.
    """
    contexts = []

    def make(viewport=PUPIL_VIEWPORT, **kwargs):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            **kwargs,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    failed = request.node.stash.get(_CALL_FAILED, False)
    for n, context in enumerate(contexts):
        if failed:
            for m, page in enumerate(context.pages):
                stem = tmp_path / f"context{n}-page{m}"
                try:
                    page.screenshot(path=f"{stem}.png", full_page=True)
                    Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
                    print(f"kept {page.url} as {stem}.png / .html")
                except Exception as exc:  # the page may have crashed; the test failure says more
                    print(f"could not keep {page.url}: {exc}")
        context.close()


@pytest.fixture
def page(new_context):
    """A pupil's phone: 360 × 740 CSS pixels."""
    return new_context(PUPIL_VIEWPORT).new_page()


@pytest.fixture
def desktop_page(new_context):
    """A desk in a company or the network office: 1280 × 900."""
    return new_context(DESKTOP_VIEWPORT).new_page()


# --- Data -------------------------------------------------------------------------------------------------------
@pytest.fixture
def demo(transactional_db):
    """The demo region (real professions and towns, 45 fictional companies, demo logins)."""
    from einblick.core.demo import demo_build

    return demo_build()


@pytest.fixture
def demo_password():
    from einblick.core.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


# --- Accessibility ----------------------------------------------------------------------------------------------
_axe = None


def axe_check(page) -> None:
    """Run axe-core on the page as it is now: fail on serious/critical violations, note the rest."""
    global _axe
    from urllib.parse import urlsplit

    from axe_playwright_python.sync_playwright import Axe

    if _axe is None:
        _axe = Axe()
    page.wait_for_load_state("load")
    results = _axe.run(page)
    path = urlsplit(page.url).path
    failing, notes = [], []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        line = (
            f"{violation['id']} [{violation['impact']}] {violation['help']} "
            f"({len(violation['nodes'])} node(s), e.g. {'; '.join(targets)}) {violation['helpUrl']}"
        )
        if violation["impact"] in {"serious", "critical"}:
            failing.append(line)
        else:
            notes.append(line)
            _AXE_NOTES.append(
                (
                    path,
                    violation["id"],
                    violation["impact"] or "?",
                    violation["help"],
                    len(violation["nodes"]),
                )
            )
    for line in notes:
        print(f"axe on {path}: {line}")
    if failing:
        pytest.fail(
            f"axe-core found serious accessibility problems on {page.url}:\n  " + "\n  ".join(failing)
        )


def assert_no_horizontal_scroll(page, width: int = PUPIL_VIEWPORT["width"]) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px (scrollWidth {scroll_width})"


def field(scope, label: str):
    """The form control labelled exactly ``label`` (Django's form labels end in a colon, hand-written ones not)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}:?\s*$"))


def log_in(page, username: str, password: str) -> None:
    """Log in through the login form as a person would; lands on "Mein Konto"."""
    page.goto("/konto/anmelden/")
    expect_heading(page, "Anmelden")
    axe_check(page)
    field(page, "Benutzername oder E-Mail").fill(username)
    field(page, "Passwort").fill(password)
    page.get_by_role("main").get_by_role("button", name="Anmelden").click()
    expect_heading(page, re.compile(r"^Hallo\b"))
    axe_check(page)


def log_out(page) -> None:
    """Log out from "Mein Konto" (logging out is a POST button there); lands on the start page."""
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Mein Konto").click()
    expect_heading(page, re.compile(r"^Hallo\b"))
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Anmelden")).to_be_visible()
    axe_check(page)


def expect_heading(page, name) -> None:
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
