"""The report page ``/admin/report`` in a real browser (issue 16).

A Miel assistant with ``ASSISTANT_ADMIN_TOKEN`` plays a small mix over REST
(an answered question rated « Oui, merci », a message not understood, a
complaint).  Then, in Debian's chromium: without the token the page is
refused (401, a login form); with ``Authorization: Bearer`` or after the
login form, it renders, and every figure on it (``data-key`` cells) equals
``python -m bot report --json`` for the same period; the period selector and
the CSV download work; no request leaves the server; and axe-core (pinned in
``tests/browser/package.json``, installed by ``make browser`` with
``npm ci``) finds no WCAG 2.1 A/AA violation on the page or the login form.
Screenshots go to ``tests/artifacts/report-*.png``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from bot.report.render import lookup
from tests.conftest import Assistant, start_assistant, stop_assistant

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
TOKEN = "browser-report-" + secrets.token_hex(12)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assistant = start_assistant(tmp_path_factory.mktemp("report-page"), "miel", {"ASSISTANT_ADMIN_TOKEN": TOKEN})
    try:
        sender = assistant.new_sender()
        assert "8 caractères" in assistant.say_text(sender, "combien de caractères faut-il pour le mot de passe ?")
        assistant.say(sender, "/rate_helpful")
        assert "reformuler" in assistant.say_text(assistant.new_sender(), "asdfgh qwerty zxcvb")
        assistant.say(assistant.new_sender(), "je veux déposer une réclamation concernant mon dossier")
        yield assistant
    finally:
        stop_assistant(assistant)


def _json(assistant: Assistant, *args: str) -> Dict[str, Any]:
    return json.loads(assistant.cli("report", "--json", *args).stdout)


def _page(browser: Browser, headers: Dict[str, str] | None = None) -> tuple[Page, List[str]]:
    # bypass_csp: only so that axe-core can be injected; the page itself runs no script
    context = browser.new_context(
        locale="fr-FR", extra_http_headers=headers or {}, bypass_csp=True, accept_downloads=True
    )
    page = context.new_page()
    requested: List[str] = []
    page.on("request", lambda request: requested.append(request.url))
    return page, requested


def _axe_violations(page: Page) -> List[str]:
    if not AXE.exists():
        message = f"{AXE} missing: `make browser` runs npm ci in tests/browser"
        if os.environ.get("ASSISTANT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def _figures(page: Page) -> Dict[str, str]:
    cells = page.locator("[data-key][data-value]")
    return {
        cells.nth(i).get_attribute("data-key"): cells.nth(i).get_attribute("data-value") for i in range(cells.count())
    }


def test_without_the_token_the_page_is_refused(browser: Browser, reporting: Assistant):
    page, _ = _page(browser)
    answer = page.goto(f"{reporting.base_url}/admin/report")
    assert answer.status == 401
    assert "Conversations" not in page.content()
    assert page.get_by_label("Jeton d'accès").count() == 1
    assert _axe_violations(page) == []
    page, _ = _page(browser, {"Authorization": "Bearer wrong-token-wrong-token"})
    assert page.goto(f"{reporting.base_url}/admin/report").status == 401


def test_the_page_shows_the_figures_of_the_json_report(browser: Browser, reporting: Assistant):
    page, requested = _page(browser, {"Authorization": f"Bearer {TOKEN}"})
    answer = page.goto(f"{reporting.base_url}/admin/report")
    assert answer.status == 200
    report = _json(reporting)
    figures = _figures(page)
    assert figures["conversations"] == "3" and figures["handoffs.offered"] == "1"
    assert figures["satisfaction.helpful"] == "1" and figures["fallback_turns"] == "1"
    for key, raw in figures.items():
        assert raw == json.dumps(lookup(report, key)), key
    # every figure of the JSON that the page has a place for is on the page
    for key in ("conversations", "member_turns", "fallback_rate", "containment_rate", "handoffs.count"):
        assert key in figures
    for step in report["activation"]:
        assert f"activation.{step}" in figures
    assert len([k for k in figures if k.startswith("per_day.") and k.endswith(".conversations")]) == 30
    # charts: SVG with a title and a description, each followed by its table
    charts = page.locator("svg[role=img]")
    assert charts.count() == 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator("title").count() == 1 and chart.locator("desc").count() == 1
    assert page.locator("table").count() >= 7
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in requested), requested
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
    assert _axe_violations(page) == []


def test_login_form_period_selector_and_csv(browser: Browser, reporting: Assistant):
    page, _ = _page(browser)
    page.goto(f"{reporting.base_url}/admin/report")
    page.get_by_label("Jeton d'accès").fill("not the right token")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text() == "Ce jeton n'est pas le bon."
    page.get_by_label("Jeton d'accès").fill(TOKEN)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/admin/report")
    assert _figures(page)["conversations"] == "3"
    # another period: the form, then the figures of that period
    page.get_by_label("Du", exact=True).fill("2026-01-01")
    page.get_by_label("Au", exact=True).fill("2026-01-07")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**since=2026-01-01*")
    figures = _figures(page)
    assert figures["conversations"] == str(
        _json(reporting, "--since", "2026-01-01", "--until", "2026-01-07")["conversations"]
    )
    assert len([k for k in figures if k.startswith("per_day.") and k.endswith(".conversations")]) == 7
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les chiffres (CSV)").click()
    saved = download.value.path()
    text = Path(saved).read_text(encoding="utf-8")
    assert text.startswith("section,item,date,value") and "per_day,conversations,2026-01-07," in text
    assert download.value.suggested_filename == "rapport-2026-01-01-2026-01-07.csv"
