"""The web chat in a real browser: Debian's chromium driven by Playwright.

The demo page (``/chat/``) of a really started assistant is opened, the
embedded widget is used like a member would (mouse and keyboard), and the
page must never reach anything but the local server. A few replies are
crafted with ``page.route`` to prove bot text is rendered as text, that the
typing indicator shows, and that an unreachable server gets a French
message. Screenshots go to ``tests/artifacts/webchat-*.png``.

No browser is downloaded: without /usr/bin/chromium the tests are skipped,
unless ASSISTANT_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from bot.tenants import load_tenant
from bot.typography import NBSP, NNBSP, plain_spaces

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "bot" / "web" / "static"
ARTIFACTS = ROOT / "tests" / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WEBHOOK = "**/webhooks/rest/webhook"
SESSION = "**/webhooks/rest/session"
SIGNED_SENDER = r"web-[0-9a-f]{32}\.[0-9a-f]{32}"
UNAVAILABLE = "Le service est momentanément indisponible. Réessayez dans quelques instants."
TYPING = "L'assistant écrit…"
REPLY_TIMEOUT_MS = 60_000

expect.set_options(timeout=REPLY_TIMEOUT_MS)


# ---------------------------------------------------------------- fixtures


@dataclass
class Chat:
    """The demo page with the widget, and what the page did on the network."""

    context: BrowserContext
    page: Page
    base_url: str
    requests: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    dialogs: List[str] = field(default_factory=list)

    # locators (Playwright's CSS and role engines pierce the open shadow root)
    @property
    def launcher(self) -> Locator:
        return self.page.get_by_role("button", name="Ouvrir la discussion")

    @property
    def panel(self) -> Locator:
        return self.page.get_by_role("dialog")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log")

    @property
    def input(self) -> Locator:
        return self.page.get_by_role("textbox", name="Votre message")

    @property
    def bot_messages(self) -> Locator:
        return self.log.locator(".mw-msg-bot")

    @property
    def user_messages(self) -> Locator:
        return self.log.locator(".mw-msg-user")

    @property
    def quick_replies(self) -> Locator:
        return self.log.locator("button.mw-quick")

    @property
    def typing(self) -> Locator:
        return self.page.get_by_role("status", name=TYPING)

    @property
    def error(self) -> Locator:
        return self.page.get_by_role("alert")

    def goto(self) -> None:
        self.page.goto(f"{self.base_url}/chat/")
        expect(self.launcher).to_be_visible()

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        expect(self.input).to_be_focused()

    def wait_idle(self) -> None:
        expect(self.page.locator(".mw-typing")).not_to_have_class(re.compile(r"\bmw-typing-on\b"))

    def open_and_wait_greeting(self) -> None:
        self.open()
        expect(self.bot_messages.first).to_contain_text("Bonjour")
        self.wait_idle()

    def say(self, text: str) -> str:
        """Types ``text``, sends it with Enter; returns the new bot texts."""
        before = self.bot_messages.count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.user_messages.last).to_contain_text(text)
        self.wait_idle()
        return "\n".join(self.bot_texts()[before:])

    def bot_texts(self) -> List[str]:
        """The bot texts, their no-break spaces (French typography) read as plain spaces."""
        return [plain_spaces(text) for text in self.bot_messages.locator(".mw-text").all_inner_texts()]

    def shadow_eval(self, script: str) -> Any:
        """Evaluates ``script`` with ``root`` bound to the widget's shadow root."""
        return self.page.evaluate(
            "(script) => { const root = document.getElementById('mutuelle-assistant-widget').shadowRoot;"
            " return new Function('root', script)(root); }",
            script,
        )

    def assert_only_local(self) -> None:
        assert self.requests, "the page made no request at all"
        remote = [url for url in self.requests if urlsplit(url).hostname not in LOCAL_HOSTS]
        assert remote == [], f"requests left localhost: {remote}"

    def assert_no_page_errors(self) -> None:
        assert self.errors == [], f"console errors (CSP violations included): {self.errors}"
        assert self.dialogs == [], f"the page opened dialogs: {self.dialogs}"


def _new_chat(browser: Browser, base_url: str, **context_args: Any) -> Chat:
    context = browser.new_context(locale="fr-FR", **context_args)
    page = context.new_page()
    chat = Chat(context, page, base_url)
    context.on("request", lambda request: chat.requests.append(request.url))
    page.on("console", lambda msg: chat.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: chat.errors.append(str(exc)))

    def _dialog(dialog: Any) -> None:
        chat.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", _dialog)
    return chat


@pytest.fixture
def chat_factory(browser: Browser, assistants: Dict[str, Any]) -> Iterator[Callable[..., Chat]]:
    # the server starts here, once the browser is known to exist (skip first)
    base_url = assistants["miel"].base_url
    opened: List[Chat] = []

    def make(**context_args: Any) -> Chat:
        chat = _new_chat(browser, base_url, **context_args)
        opened.append(chat)
        return chat

    yield make
    for chat in opened:
        chat.context.close()


@pytest.fixture
def chat(chat_factory: Callable[..., Chat]) -> Chat:
    return chat_factory(viewport={"width": 1280, "height": 800})


@pytest.fixture
def widget_config(chat: Chat) -> Dict[str, Any]:
    with urllib.request.urlopen(f"{chat.base_url}/chat/config.json", timeout=30) as resp:
        return json.load(resp)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"webchat-{name}.png"
    page.screenshot(path=str(path))
    return path


# ---------------------------------------------------------------- static files


@pytest.mark.parametrize(
    "forbidden",
    [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "localStorage",
        "document.cookie",
        "@import",
        "fonts.googleapis",
        "cdn",
    ],
)
def test_widget_source_avoids_html_injection_persistent_storage_and_external_resources(forbidden):
    sources = {name: (STATIC / name).read_text(encoding="utf-8") for name in ("widget.js", "widget.css")}
    offenders = [name for name, text in sources.items() if forbidden.lower() in text.lower()]
    assert offenders == []


@pytest.mark.parametrize("name", ["widget.js", "widget.css", "index.html"])
def test_static_files_name_no_external_url(name):
    text = (STATIC / name).read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s\"'()<>]+", text))
    # the SVG namespace is an identifier, never fetched; *.example (RFC 2606) only in comments
    allowed = {"http://www.w3.org/2000/svg", "https://assistant.example/chat/widget.js"}
    assert urls - allowed == set()


def test_demo_page_has_one_external_script_tag_and_no_inline_script():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S | re.I)
    assert re.findall(r"<script\b[^>]*>", html, flags=re.I) == ['<script src="/chat/widget.js" defer>']
    assert [body.strip() for body in scripts] == [""]
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "no inline event handler"


@pytest.mark.parametrize(
    "path, content_type",
    [("/chat/", "text/html"), ("/chat/widget.js", "javascript"), ("/chat/widget.css", "text/css")],
)
def test_widget_files_are_served_with_a_strict_policy(miel, path, content_type):
    with urllib.request.urlopen(f"{miel.base_url}{path}", timeout=30) as resp:
        assert resp.status == 200
        assert content_type in resp.headers["Content-Type"]
        csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp


# ---------------------------------------------------------------- real conversations


def test_header_shows_the_tenant_name_and_colours(chat, widget_config):
    chat.goto()
    chat.open_and_wait_greeting()
    header = chat.page.locator(".mw-header")
    expect(header).to_contain_text(widget_config["name"])
    primary = widget_config["colors"]["primary"].lstrip("#")
    rgb = tuple(int(primary[i : i + 2], 16) for i in (0, 2, 4))
    expect(header).to_have_css("background-color", f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})")
    # ARIA: the message list is a polite live log, every control is labelled
    expect(chat.log).to_have_attribute("aria-live", "polite")
    for label in ("Fermer la discussion", "Envoyer", "Effacer la conversation"):
        expect(chat.page.get_by_role("button", name=label)).to_be_visible()
    expect(chat.panel).to_have_accessible_name(re.compile(widget_config["name"]))
    # French throughout
    assert chat.page.locator("html").get_attribute("lang") == "fr"
    expect(chat.input).to_have_attribute("placeholder", "Écrivez votre message…")
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_contact_question_is_answered_with_the_phone_number(chat):
    phone = load_tenant("miel").phone.number
    chat.goto()
    chat.open_and_wait_greeting()
    answer = chat.say("Quel est votre numéro de téléphone ?")
    screenshot(chat.page, "contact")
    assert phone in answer
    # the number is a tel: link, its groups held together by no-break spaces
    link = chat.bot_messages.last.locator("a[href^='tel:']")
    expect(link).to_have_attribute("href", load_tenant("miel").phone.e164.replace("+", "tel:+"))
    expect(link).to_have_text(phone.replace(" ", NBSP))
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_quick_reply_button_sends_its_payload_and_is_then_disabled(chat, widget_config):
    chat.goto()
    chat.open_and_wait_greeting()
    contact_title = f"Contacter {widget_config['name']}"
    greeting = chat.bot_messages.first
    expect(greeting.get_by_role("button", name="Activer mon espace")).to_be_enabled()
    contact = greeting.get_by_role("button", name=contact_title)
    expect(contact).to_be_enabled()
    before = chat.bot_messages.count()

    contact.click()

    expect(chat.user_messages.last).to_contain_text(contact_title)
    expect(chat.input).to_be_focused()
    chat.wait_idle()
    expect(chat.bot_messages).not_to_have_count(before)
    for index in range(2):
        expect(greeting.get_by_role("button").nth(index)).to_be_disabled()
    replies = chat.bot_texts()[before:]
    assert any(text.strip() for text in replies)
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_activation_starts_by_asking_for_the_social_security_number(chat):
    chat.goto()
    chat.open_and_wait_greeting()
    answer = chat.say("je veux activer mon compte")
    screenshot(chat.page, "activation")
    assert re.search(r"sécurité sociale", answer, flags=re.I), answer
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_conversation_survives_a_reload_in_session_storage_only(chat, chat_factory):
    chat.goto()
    chat.open_and_wait_greeting()
    chat.say("merci beaucoup")
    shown = chat.log.inner_text()
    users = chat.user_messages.all_inner_texts()

    chat.page.reload()

    expect(chat.panel).to_be_visible()  # reopened as it was
    expect(chat.user_messages).to_have_count(len(users))
    assert chat.log.inner_text() == shown
    storage = chat.page.evaluate(
        "() => ({session: Object.assign({}, sessionStorage), local: localStorage.length, cookie: document.cookie})"
    )
    assert storage["local"] == 0
    assert storage["cookie"] == ""
    assert chat.context.cookies() == []
    [saved] = [json.loads(value) for key, value in storage["session"].items() if key.startswith("mutuelle-assistant")]
    assert re.fullmatch(SIGNED_SENDER, saved["sender"]), "a conversation id issued by the server"
    assert [m["text"] for m in saved["messages"] if m["from"] == "user"] == ["merci beaucoup"]

    # the same conversation continues with the same sender id
    assert "Bonjour" in chat.say("bonjour")
    # another browser session starts from scratch
    other = chat_factory()
    other.goto()
    expect(other.panel).to_be_hidden()
    other.open_and_wait_greeting()
    expect(other.user_messages).to_have_count(0)
    sender = other.page.evaluate(
        "() => JSON.parse(Object.entries(sessionStorage).find(([k]) => k.startsWith('mutuelle-assistant'))[1]).sender"
    )
    assert sender != saved["sender"]
    chat.assert_only_local()
    chat.assert_no_page_errors()
    other.assert_only_local()


def _stored_state(chat: Chat) -> Dict[str, Any]:
    return chat.page.evaluate(
        "() => JSON.parse(Object.entries(sessionStorage).find(([k]) => k.startsWith('mutuelle-assistant'))[1])"
    )


def test_a_refused_stored_conversation_id_is_replaced_and_the_message_still_answered(chat):
    chat.goto()
    chat.open_and_wait_greeting()
    state = _stored_state(chat)
    refused = "web-" + "0" * 32 + "." + "0" * 32  # well formed, but not issued by this server
    state["sender"] = refused
    chat.page.evaluate(
        "(state) => { const key = Object.keys(sessionStorage).find((k) => k.startsWith('mutuelle-assistant'));"
        " sessionStorage.setItem(key, JSON.stringify(state)); }",
        state,
    )
    statuses: List[int] = []
    chat.page.on(
        "response", lambda response: statuses.append(response.status) if "/webhooks/rest/" in response.url else None
    )
    chat.page.reload()
    expect(chat.panel).to_be_visible()

    answer = chat.say("bonjour")

    assert "Bonjour" in answer
    expect(chat.error).to_be_hidden()
    assert statuses == [403, 200, 200], "refused, a new id issued, the message resent"
    sender = _stored_state(chat)["sender"]
    assert sender != refused and re.fullmatch(SIGNED_SENDER, sender)
    chat.assert_only_local()


def test_the_conversation_id_comes_from_the_server_on_the_first_message(chat):
    issued: List[str] = []
    chat.page.on(
        "requestfinished",
        lambda request: issued.append(request.method) if request.url.endswith("/webhooks/rest/session") else None,
    )
    chat.goto()
    expect(chat.launcher).to_be_visible()
    assert issued == [], "nothing is asked before the member opens the chat"
    chat.open_and_wait_greeting()
    chat.say("merci")
    assert issued == ["POST"], "one conversation id for the whole conversation"
    assert re.fullmatch(SIGNED_SENDER, _stored_state(chat)["sender"])
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_keyboard_only_tab_enter_type_escape(chat):
    chat.goto()
    focused_launcher = False
    for _ in range(15):
        chat.page.keyboard.press("Tab")
        if chat.shadow_eval("return root.activeElement && root.activeElement.classList.contains('mw-launcher');"):
            focused_launcher = True
            break
    assert focused_launcher, "the launcher cannot be reached with Tab"
    outline = chat.shadow_eval("return getComputedStyle(root.activeElement).outlineStyle;")
    assert outline not in ("none", ""), "no visible focus style"

    chat.page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()
    expect(chat.bot_messages.first).to_contain_text("Bonjour")
    chat.wait_idle()
    chat.page.keyboard.type("bonjour")
    chat.page.keyboard.press("Enter")
    expect(chat.user_messages.last).to_have_text(re.compile("bonjour"))
    expect(chat.input).to_have_value("")
    chat.wait_idle()
    expect(chat.bot_messages).to_have_count(2)

    chat.page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_visible()
    assert chat.shadow_eval("return root.activeElement.classList.contains('mw-launcher');")
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_small_screen_gets_a_full_screen_readable_panel(chat_factory):
    chat = chat_factory(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    chat.goto()
    screenshot(chat.page, "360-closed")
    chat.open_and_wait_greeting()
    box = chat.panel.bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 360, 740)
    overflow = chat.shadow_eval(
        "const body = root.querySelector('.mw-body');"
        "return {page: document.documentElement.scrollWidth, body: body.scrollWidth - body.clientWidth};"
    )
    assert overflow == {"page": 360, "body": 0}
    for bubble in chat.log.locator(".mw-msg").all():
        bubble_box = bubble.bounding_box()
        assert bubble_box is not None and bubble_box["x"] >= 0 and bubble_box["x"] + bubble_box["width"] <= 360
    font_size = chat.shadow_eval("return getComputedStyle(root.querySelector('.mw-text')).fontSize;")
    assert font_size == "16px"
    screenshot(chat.page, "360")
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_input_is_limited_to_1000_characters(chat):
    chat.goto()
    chat.open_and_wait_greeting()
    chat.input.fill("a" * 1200)
    expect(chat.input).to_have_attribute("maxlength", "1000")
    assert len(chat.input.input_value()) == 1000
    chat.assert_only_local()


# ---------------------------------------------------------------- crafted replies


def _fulfill_with(replies: List[Dict[str, Any]]) -> Callable[[Route], None]:
    def handler(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(replies))

    return handler


def test_bot_text_is_rendered_as_text_with_only_http_links_clickable(chat):
    crafted = (
        'Attention <img src=x onerror="window.__pwned=1;alert(1)"> et <b>gras</b>.\n'
        "Aide : https://example.org/aide.\n"
        "Pas un lien : javascript:alert(1) ni [cliquez](javascript:alert(2)) ni data:text/html,x\n"
        "Voir [le site](https://example.org/site)"
    )
    chat.page.route(WEBHOOK, _fulfill_with([{"recipient_id": "x", "text": crafted}]))
    chat.goto()
    chat.open()
    bubble = chat.bot_messages.first
    expect(bubble).to_contain_text("<img src=x")
    text = bubble.locator(".mw-text")

    assert text.locator("img, b, script").count() == 0
    assert "&lt;img" in text.inner_html() and "&lt;b&gt;gras&lt;/b&gt;" in text.inner_html()
    assert chat.page.evaluate("() => window.__pwned") is None
    links = text.locator("a")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute("href", "https://example.org/aide")
    expect(links.nth(0)).to_have_text("https://example.org/aide")
    expect(links.nth(1)).to_have_attribute("href", "https://example.org/site")
    expect(links.nth(1)).to_have_text("le site")
    for index in range(2):
        expect(links.nth(index)).to_have_attribute("target", "_blank")
        expect(links.nth(index)).to_have_attribute("rel", "noopener noreferrer")
    assert "javascript:alert(1)" in text.inner_text()
    assert "[cliquez](javascript:alert(2))" in text.inner_text()
    # line breaks are preserved
    expect(text).to_have_css("white-space", "pre-wrap")
    assert text.inner_text().count("\n") == 3
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_typing_indicator_shows_while_waiting(chat):
    held: List[Route] = []
    chat.page.route(WEBHOOK, lambda route: held.append(route))
    chat.goto()
    chat.open()
    expect(chat.typing).to_be_visible()
    expect(chat.page.locator(".mw-send")).to_have_attribute("aria-disabled", "true")
    assert len(held) == 1
    held[0].fulfill(
        status=200,
        content_type="application/json",
        body=json.dumps([{"text": "Bonjour, réponse retardée.", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]),
    )
    expect(chat.bot_messages.first).to_contain_text("réponse retardée")
    expect(chat.typing).to_have_count(0)
    expect(chat.log.get_by_role("button", name="Oui")).to_be_enabled()
    chat.assert_only_local()


def test_unreachable_server_gets_a_french_message_and_the_input_is_kept(chat):
    chat.page.route(WEBHOOK, lambda route: route.abort("connectionrefused"))
    chat.goto()
    chat.open()
    expect(chat.error).to_have_text(UNAVAILABLE)
    chat.input.fill("bonjour")
    chat.input.press("Enter")
    expect(chat.error).to_have_text(UNAVAILABLE)
    expect(chat.input).to_have_value("bonjour")
    expect(chat.input).to_be_focused()
    expect(chat.user_messages).to_have_count(0)
    screenshot(chat.page, "unreachable")

    # back online: the kept message is resent with Enter
    chat.page.unroute(WEBHOOK)
    chat.input.press("Enter")
    expect(chat.bot_messages.last).to_contain_text("Bonjour")
    expect(chat.error).to_be_hidden()
    expect(chat.user_messages).to_have_count(1)
    chat.assert_only_local()


def test_a_server_that_does_not_answer_in_time_gets_the_same_message(chat):
    def short_timeout(route: Route) -> None:
        response = route.fetch()
        config = response.json()
        config["timeoutMs"] = 1500
        route.fulfill(response=response, body=json.dumps(config))

    held: List[Route] = []
    chat.page.route("**/chat/config.json", short_timeout)
    chat.page.route(WEBHOOK, lambda route: held.append(route))
    chat.goto()
    chat.open()
    expect(chat.error).to_have_text(UNAVAILABLE, timeout=10_000)
    expect(chat.typing).to_have_count(0)
    chat.input.fill("Quel est votre numéro de téléphone ?")
    chat.input.press("Enter")
    expect(chat.typing).to_be_visible()
    expect(chat.error).to_have_text(UNAVAILABLE, timeout=10_000)
    expect(chat.input).to_have_value("Quel est votre numéro de téléphone ?")
    assert len(held) == 2
    chat.assert_only_local()


def test_long_digit_runs_are_masked_in_the_bubble_and_in_session_storage(chat):
    sent: List[str] = []

    def record(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}").get("message", ""))
        route.fulfill(status=200, content_type="application/json", body="[]")

    chat.page.route(WEBHOOK, record)
    chat.goto()
    chat.open()
    chat.wait_idle()
    chat.input.fill("mon numéro : 1 85 05 78 006 084 91 et le code 123456")
    chat.input.press("Enter")
    chat.wait_idle()
    expect(chat.user_messages.last).to_contain_text("mon numéro : • •• •• •• ••• ••• •• et le code ••••••")
    stored = chat.page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    assert "1 85 05 78 006 084 91" not in stored
    assert "123456" not in stored
    # the assistant itself receives what was typed
    assert sent[-1] == "mon numéro : 1 85 05 78 006 084 91 et le code 123456"


# ---------------------------------------------------------------- erasure (issue 15)

FORGOTTEN = "Votre conversation a été effacée, y compris sur notre serveur."


def _stored_sender(chat: Chat) -> str:
    stored = chat.page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    match = re.search(SIGNED_SENDER, stored)
    assert match, stored
    return match.group(0)


def test_clearing_the_conversation_erases_it_on_the_server_too(chat, assistants):
    miel = assistants["miel"]
    chat.goto()
    chat.open_and_wait_greeting()
    chat.say("Quels sont vos horaires ?")
    sender = _stored_sender(chat)
    assert miel.stored_events(sender), "the conversation should be stored before it is erased"

    chat.page.get_by_role("button", name="Effacer la conversation").click()
    expect(chat.bot_messages.first).to_contain_text(FORGOTTEN)
    expect(chat.bot_messages.nth(1)).to_contain_text("Bonjour")  # a new conversation starts
    chat.wait_idle()
    assert miel.stored_events(sender) == [], "the server must have deleted the conversation"
    assert _stored_sender(chat) != sender
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_clearing_says_so_when_the_server_cannot_erase(chat):
    chat.goto()
    chat.open_and_wait_greeting()
    chat.page.route("**/webhooks/rest/forget", lambda route: route.fulfill(status=503, body="{}"))
    before = chat.bot_texts()
    chat.page.get_by_role("button", name="Effacer la conversation").click()
    expect(chat.error).to_have_text(
        "La conversation n'a pas pu être effacée sur notre serveur. Réessayez dans quelques instants."
    )
    assert chat.bot_texts() == before  # nothing forgotten in the browser either


def test_phone_numbers_e_mails_and_sites_are_links_built_safely(chat):
    crafted = (
        f"Appelez le 04{NBSP}77{NBSP}49{NBSP}35{NBSP}35{NBSP}: du lundi au vendredi.\n"
        "Écrivez à digital.assistance-miel@malakoffhumanis.com ou rendez-vous sur mielmut.fr.\n"
        'Pas des liens : 1 80 10 42 218 123 33, "><img src=x onerror="window.__pwned=1"> 0102030405'
    )
    chat.page.route(WEBHOOK, _fulfill_with([{"recipient_id": "x", "text": crafted}]))
    chat.goto()
    chat.open()
    text = chat.bot_messages.first.locator(".mw-text")
    expect(text).to_contain_text("Appelez")
    links = text.locator("a")
    expect(links).to_have_count(3)
    expect(links.nth(0)).to_have_attribute("href", "tel:+33477493535")
    expect(links.nth(0)).to_have_text(f"04{NBSP}77{NBSP}49{NBSP}35{NBSP}35")
    expect(links.nth(1)).to_have_attribute("href", "mailto:digital.assistance-miel@malakoffhumanis.com")
    expect(links.nth(2)).to_have_attribute("href", "https://mielmut.fr/")
    expect(links.nth(2)).to_have_text("mielmut.fr")
    for index in (0, 1):
        assert links.nth(index).get_attribute("target") is None  # the dialler / mail app, not a new tab
    assert text.locator("img").count() == 0
    assert chat.page.evaluate("() => window.__pwned") is None
    chat.assert_only_local()
    chat.assert_no_page_errors()


def test_real_replies_are_typeset_and_link_the_support_address(chat):
    chat.goto()
    chat.open_and_wait_greeting()
    greeting = chat.bot_messages.first.locator(".mw-text").inner_text()
    assert f"vous{NNBSP}?" in greeting, repr(greeting)  # « Que puis-je faire pour vous ? »
    chat.say("je n'arrive pas à me connecter, à quelle adresse mail je peux vous écrire ?")
    link = chat.bot_messages.last.locator("a[href^='mailto:']")
    expect(link).to_have_attribute("href", "mailto:digital.assistance-miel@malakoffhumanis.com")
    chat.assert_no_page_errors()


@pytest.mark.parametrize("root_size", [16, 24])
def test_widget_sizes_follow_the_browser_text_size(chat, root_size):
    # the browser's text-size setting is the root font size; the widget sizes itself in rem
    chat.goto()
    chat.page.evaluate(f"() => {{ document.documentElement.style.fontSize = '{root_size}px'; }}")
    chat.open_and_wait_greeting()
    sizes = chat.shadow_eval(
        "const px = (sel, prop) => parseFloat(getComputedStyle(root.querySelector(sel))[prop]);"
        "return {text: px('.mw-msg-bot .mw-text', 'fontSize'), input: px('textarea', 'fontSize'),"
        " panel: px('.mw-panel', 'width')};"
    )
    assert sizes["text"] == pytest.approx(root_size, abs=0.5)
    assert sizes["input"] == pytest.approx(root_size, abs=0.5)
    assert sizes["panel"] == pytest.approx(23.75 * root_size, abs=1) or sizes["panel"] < 23.75 * root_size
    css = (STATIC / "widget.css").read_text(encoding="utf-8")
    for prop in ("font-size", "padding", "gap", "min-height", "border-radius"):
        assert not re.search(rf"\b{prop}\s*:[^;]*\d+px", css), f"{prop} in px in widget.css"
