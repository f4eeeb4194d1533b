"""The password page (``/activation/<token>``) in a real browser: Debian's chromium driven by Playwright.

A really started assistant (``tests/conftest.py``) serves the page; a fresh
pending member and a link are written to its store for each test. The page's
inline script must run under its Content-Security-Policy (allowed by hash):
the « Afficher » / « Masquer » buttons switch the field between hidden and
plain text (``aria-pressed``), and after a failed submit the focus lands on
the error summary, whose links focus the field in error. Without JavaScript
the buttons stay hidden and the form still works. A successful submit
activates the member and sends the "activation completed" notice to the
e-mail and mobile on file (the assistant's outbox file). Screenshots go to
``tests/artifacts/password-page-*.png``.

No browser is downloaded: without /usr/bin/chromium the tests are skipped,
unless ASSISTANT_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import re
import secrets
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.activation import tokens
from bot.security import keyed_hash
from bot.settings import load_settings
from bot.store.db import make_engine, session_scope
from bot.store.models import Member

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
BORN = date(1983, 5, 17)
GOOD_PASSWORD = "Velo-Rouge-Plage-42!"

expect.set_options(timeout=30_000)


@dataclass
class Link:
    """A pending member of the running assistant and their password link."""

    url: str
    adherent: str
    email: str
    mobile: str


@dataclass
class Tab:
    page: Page
    errors: List[str] = field(default_factory=list)

    def assert_no_page_errors(self, status: int | None = None) -> None:
        # the browser logs a page answered with an error status: expected after a refused submit
        expected = f"the server responded with a status of {status}"
        errors = [e for e in self.errors if not (status and expected in e)]
        assert errors == [], f"console errors (CSP violations included): {errors}"


@pytest.fixture
def link(browser: Browser, assistants: Dict[str, Any]) -> Link:
    """A fresh pending member (with an e-mail and a mobile) and a valid link, in the assistant's store."""
    miel = assistants["miel"]  # started once the browser is known to exist (skip first)
    settings = load_settings(miel.env)
    suffix = secrets.token_hex(3).upper()
    email = f"yvonne.{suffix.lower()}@example.org"
    mobile = f"+3361{secrets.randbelow(10**7):07d}"
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            row = Member(
                adherent_number=f"B{suffix}",
                nir_hash=keyed_hash(settings.secret_key, "nir", f"browser-{suffix}"),
                nir_masked="2 ** ** ** *** *** 99",
                birth_date=BORN,
                birth_department="35",
                last_name="Kerbrat",
                first_name="Yvonne",
                email=email,
                mobile=mobile,
                status="pending",
            )
            session.add(row)
            session.flush()
            token = tokens.issue_token(session, settings.secret_key, row.id, tokens.SET_PASSWORD, 48).token
    finally:
        engine.dispose()
    return Link(f"{miel.base_url}/activation/{token}", row.adherent_number, email, mobile)


@pytest.fixture
def tab_factory(browser: Browser) -> Iterator[Callable[..., Tab]]:
    contexts = []

    def make(**context_args: Any) -> Tab:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 900}, **context_args)
        contexts.append(context)
        tab = Tab(context.new_page())
        tab.page.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
        tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        return tab

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tab(tab_factory: Callable[..., Tab]) -> Tab:
    return tab_factory()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"password-page-{name}.png"), full_page=True)


def fill_form(page: Page, password: str, birth_date: str = BORN.strftime("%d/%m/%Y")) -> None:
    page.get_by_label("Date de naissance").fill(birth_date)
    page.locator("#password").fill(password)
    page.locator("#password_confirm").fill(password)


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Valider").click()


# ---------------------------------------------------------------- tests


def test_the_page_allows_its_script_by_hash_and_sends_no_hsts_over_http(link: Link) -> None:
    with urllib.request.urlopen(link.url, timeout=30) as resp:  # noqa: S310 - local server
        headers = resp.headers
    csp = headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", script_src), csp
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in csp
    assert headers["Strict-Transport-Security"] is None  # the public URL of the test server is http


def test_show_password_toggle(tab: Tab, link: Link) -> None:
    page = tab.page
    page.goto(link.url)
    password, confirm = page.locator("#password"), page.locator("#password_confirm")
    toggle = page.locator("button[aria-controls=password]")  # its name changes with its state
    expect(page.get_by_role("button", name="Afficher le mot de passe", exact=True)).to_be_visible()
    expect(toggle).to_be_visible()  # shown by the script, so the script ran under the CSP
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_have_attribute("aria-controls", "password")
    expect(toggle).to_have_attribute("type", "button")
    password.fill(GOOD_PASSWORD)
    expect(password).to_have_attribute("type", "password")

    toggle.click()
    expect(password).to_have_attribute("type", "text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle.locator(".toggle-text")).to_have_text("Masquer")
    expect(page.get_by_role("button", name="Masquer le mot de passe", exact=True)).to_be_visible()
    expect(password).to_have_value(GOOD_PASSWORD)
    expect(confirm).to_have_attribute("type", "password")  # each field has its own button
    expect(page).to_have_url(link.url)  # a type="button": nothing was submitted
    screenshot(page, "shown")

    toggle.focus()
    page.keyboard.press("Space")  # a real button: the keyboard works too
    expect(password).to_have_attribute("type", "password")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle.locator(".toggle-text")).to_have_text("Afficher")

    confirm_toggle = page.get_by_role("button", name="Afficher la confirmation du mot de passe", exact=True)
    expect(confirm_toggle).to_have_attribute("aria-controls", "password_confirm")
    confirm_toggle.press("Enter")
    expect(page.get_by_role("button", name="Masquer la confirmation du mot de passe", exact=True)).to_be_visible()
    expect(confirm).to_have_attribute("type", "text")
    tab.assert_no_page_errors()


def test_a_failed_submit_moves_the_focus_to_the_error_summary(tab: Tab, link: Link) -> None:
    page = tab.page
    page.goto(link.url)
    fill_form(page, "Password1!")
    page.get_by_role("button", name="Afficher le mot de passe", exact=True).click()
    submit(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_have_attribute("tabindex", "-1")
    expect(page.get_by_role("heading", name="Le formulaire contient une erreur")).to_be_visible()
    expect(summary).to_contain_text("Ce mot de passe est trop courant")
    expect(page.locator("#password")).to_have_value("")  # never echoed
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password")).to_have_attribute("type", "password")  # a fresh page starts hidden
    screenshot(page, "error")

    summary.get_by_role("link").click()  # the summary's link goes to the field in error
    expect(page.locator("#password")).to_be_focused()
    tab.assert_no_page_errors(status=400)


def test_a_successful_submit_activates_and_sends_the_notice(tab: Tab, link: Link, assistants: Dict[str, Any]) -> None:
    miel = assistants["miel"]
    page = tab.page
    page.goto(link.url)
    fill_form(page, GOOD_PASSWORD)
    page.get_by_role("button", name="Afficher le mot de passe", exact=True).click()
    with page.expect_request(lambda request: request.method == "POST") as posted:
        submit(page)
    assert f"password={GOOD_PASSWORD[:4]}" in (posted.value.post_data or "")  # the shown value is what is sent
    expect(page.get_by_role("heading", name="Votre mot de passe est enregistré")).to_be_visible()
    assert miel.member_status(link.adherent) == "active"
    notices = [m for m in miel.outbox() if m.get("kind") == "notice_activation_completed"]
    assert sorted((m["channel"], m["to"]) for m in notices if m["to"] in (link.email, link.mobile)) == [
        ("email", link.email),
        ("sms", link.mobile),
    ]
    tab.assert_no_page_errors()


def test_without_javascript_the_form_still_works(tab_factory: Callable[..., Tab], link: Link, assistants) -> None:
    tab = tab_factory(java_script_enabled=False)
    page = tab.page
    page.goto(link.url)
    expect(page.locator("button.toggle")).to_have_count(2)
    expect(page.locator("button.toggle").first).to_be_hidden()  # no button that would do nothing
    fill_form(page, "Kerbrat-Velo-42!")
    submit(page)
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Ce mot de passe contient votre nom.")
    expect(summary).to_be_focused()  # autofocus, without the script
    fill_form(page, GOOD_PASSWORD)
    submit(page)
    expect(page.get_by_role("heading", name="Votre mot de passe est enregistré")).to_be_visible()
    assert assistants["miel"].member_status(link.adherent) == "active"
