"""Shared fixtures for browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
``live_server``.

Use them like this::

    pytestmark = pytest.mark.e2e

    @pytest.mark.django_db(transaction=True)
    def test_something(page, live_server, world):
        login(page, live_server, "member.a@fr.example", "password")
        page.goto(f"{live_server.url}/consultations/")

Nothing here downloads a browser: ``executable_path`` points at the system ``chromium``; when it is absent,
every e2e test is skipped with the reason shown below.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there unless told
# it is safe (it is: the loop never runs Django code concurrently). Set only for browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium")
# Keep Chromium off the network: no update checks, no sync, no background fetches.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 15_000
# The page's own form button, not the header's (language switch, sign-out).
MAIN_SUBMIT = "#main form button[type=submit]"


def pytest_collection_modifyitems(config, items):
    """Skip browser tests, with a clear reason, when there is no system Chromium to drive."""
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (shutil.which('chromium') is None)")
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at the system Chromium, headless and offline."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """English UI and a fixed viewport, so that texts and layouts are predictable."""
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Browser tests run on a transactional database, which is flushed after each test, taking the reference
    data of the migrations (Parties, Convention articles) with it: load it again when it is missing."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from consultation.models import Party
    from consultation.reference import reference_data_load

    if not Party.objects.exists():
        reference_data_load()


@pytest.fixture
def page(page):
    """The Playwright page with a timeout short enough to fail fast on a broken page."""
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return page


def totp_code_now(secret: str, *, avoid: str | Iterable[str] | None = None) -> str:
    """A real TOTP code for ``secret`` (base32), valid now. allauth refuses a code already used, so pass the codes
    used before as ``avoid``: this returns a neighbouring period's code when ``MFA_TOTP_TOLERANCE`` allows it
    (tests set it to 1), and otherwise waits for the next period rather than reuse one."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    used = {avoid} if isinstance(avoid, str) else set(avoid or ())
    tolerance = app_settings.TOTP_TOLERANCE
    offsets = sorted(range(-tolerance, tolerance + 1), key=lambda offset: (abs(offset), -offset))
    while True:
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        for offset in offsets:
            code = format_hotp_value(hotp_value(secret, counter + offset))
            if code not in used:
                return code
        time.sleep(1)


def totp_secret_of(user) -> str:
    """The decrypted TOTP secret of a user who enrolled (to compute real codes in tests; no bypass code)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def login(
    page,
    live_server,
    email: str,
    password: str,
    *,
    totp_secret: str | None = None,
    totp_avoid: str | Iterable[str] | None = None,
    next_url: str = "",
):
    """Sign in through allauth's log-in form (e-mail + password), then, if the account has TOTP and a secret
    is given, answer the code page. Returns the code used (or None) so a later log-in can avoid reusing it."""
    url = f"{live_server.url}/accounts/login/"
    if next_url:
        url += f"?next={next_url}"
    page.goto(url)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator(MAIN_SUBMIT).first.click()
    page.wait_for_url(lambda current: "/accounts/login/" not in current)
    if totp_secret is None:
        return None
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    code = totp_code_now(totp_secret, avoid=totp_avoid)
    page.fill("input[name=code]", code)
    page.locator(MAIN_SUBMIT).first.click()
    page.wait_for_url(lambda current: "/accounts/2fa/authenticate/" not in current)
    return code


def logout(page, live_server):
    """Sign out through allauth's log-out confirmation form."""
    page.goto(f"{live_server.url}/accounts/logout/")
    page.locator(MAIN_SUBMIT).first.click()
    page.wait_for_url(lambda current: "/accounts/logout/" not in current)


def serious_violations(page) -> list[tuple[str, str, list]]:
    """axe-core's serious and critical accessibility violations on the page: rule, impact and its first targets."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
