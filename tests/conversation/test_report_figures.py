"""The digital team's report (issue 16) equals what was played, against a really started server.

A fresh Miel assistant (its own stores: SQLite, or PostgreSQL with
``ASSISTANT_TEST_BACKEND=postgres``) plays a known mix of conversations
over REST: two activations that reach the two e-mails (one goes on to set
its password on the link's page and says the activation went well), a
wrong birth department, a NIR with a wrong key, two wrong codes, a hand-off
to support with a ticket, a message nobody understands, and an answered
question whose satisfaction button says « Pas vraiment ».  Then
``python -m bot report --json`` (and ``--csv``, ``--html``) must give
exactly those figures, and ``/admin/report`` must answer 404 without a
token configured on another server, 401 without the token here.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, Iterator, List

import pytest
import requests
from helpers.nir import make_nir

from bot.report.queries import normalise_message
from tests.conftest import Assistant, start_assistant, stop_assistant

pytestmark = pytest.mark.conversation

TOKEN = "report-token-" + secrets.token_hex(12)
PASSWORD = "Automne-2026!"
START = "bonjour, je souhaiterais ouvrir l'accès à mon compte en ligne"
NOT_UNDERSTOOD = "gloubi boulga patati et patata"


@dataclass(frozen=True)
class Person:
    adherent: str
    nir: str
    born: date
    department: str
    last_name: str
    first_name: str
    mobile: str
    mobile_e164: str
    email: str


def _person(i: int) -> Person:
    born = date(1961 + i, 3 + i, 10 + i)
    body = f"2{born.year % 100:02d}{born.month:02d}69{123 + i:03d}{400 + i:03d}"
    token = secrets.token_hex(3)
    tail = f"{10 + i:02d}"
    return Person(
        f"R{token.upper()}", make_nir(body), born, "69", ["Marchand", "Perrin", "Caron"][i],
        ["Élise", "Margot", "Agathe"][i], f"06 22 33 44 {tail}", f"+336223344{tail}", f"{token}.r{i}@example.org",
    )  # fmt: skip


@dataclass
class Played:
    """What the test played, counted as it goes."""

    turns: int = 0
    senders: List[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    env = {
        "ASSISTANT_ADMIN_TOKEN": TOKEN,
        # the throttling test below speaks as several clients through X-Forwarded-For
        "ASSISTANT_TRUSTED_PROXIES": "127.0.0.1",
        "ASSISTANT_LIMIT_ADMIN_LOGIN_FAILURES": "3",
    }
    assistant = start_assistant(tmp_path_factory.mktemp("report"), "miel", env)
    try:
        yield assistant
    finally:
        stop_assistant(assistant)


def _import(assistant: Assistant, people: List[Person]) -> None:
    path = assistant.workdir / "report-members.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["adherent_number", "nir", "birth_date", "birth_department", "last_name", "first_name",
                         "email", "mobile", "access_code"])  # fmt: skip
        for p in people:
            writer.writerow([p.adherent, p.nir, p.born.isoformat(), p.department, p.last_name, p.first_name,
                             p.email, p.mobile, ""])  # fmt: skip
    assistant.cli("members", "import", str(path))


class Player:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.played = Played()

    def new(self) -> str:
        sender = self.assistant.new_sender("report")
        self.played.senders.append(sender)
        return sender

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        self.played.turns += 1
        return self.assistant.say(sender, text)

    def text(self, sender: str, text: str) -> str:
        return "\n".join(r.get("text", "") for r in self.say(sender, text) if r.get("text"))

    def start_activation(self) -> str:
        sender = self.new()
        assert "numéro de sécurité sociale" in self.text(sender, START)
        return sender

    def identity(self, sender: str, p: Person) -> str:
        """The five facts in one message, then « oui » to the recap shown before the match (when shown)."""
        reply = self.text(sender, f"{p.last_name} {p.first_name}, {p.nir}, née le {p.born:%d/%m/%Y}, {p.department}")
        return self.text(sender, "oui") if RECAP in reply else reply

    def code(self, p: Person) -> str:
        sms = [m for m in self.assistant.outbox_for(p.mobile_e164) if m["channel"] == "sms"]
        return re.search(r"\b(\d{6})\b", sms[-1]["body"]).group(1)

    def up_to_the_code(self, p: Person) -> str:
        sender = self.start_activation()
        reply = self.identity(sender, p)
        assert "retrouvé votre dossier" in reply, reply
        assert "Tapez ici le code" in self.text(sender, "oui"), "the code is sent"
        return sender


RECAP = "Est-ce bien cela ?"  # the recap of the identity facts before the match


def _buttons(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [button for reply in replies for button in reply.get("buttons") or []]


def _set_password(assistant: Assistant, p: Person) -> None:
    mails = [m for m in assistant.outbox_for(p.email) if m["channel"] == "email"]
    link = [re.search(r"https?://\S+/activation/\S+", m["body"]) for m in mails]
    url = [found.group(0) for found in link if found][-1]
    http = requests.Session()
    page = http.get(url, timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": csrf, "birth_date": f"{p.born:%d/%m/%Y}", "password": PASSWORD, "password_confirm": PASSWORD}
    done = http.post(url, data=form, timeout=30)
    assert done.status_code == 200 and "Votre mot de passe est enregistré" in done.text, done.text


@pytest.fixture(scope="module")
def played(reporting: Assistant) -> Played:
    """Play the mix once for the module; what was played."""
    people = [_person(i) for i in range(3)]
    _import(reporting, people)
    player = Player(reporting)

    # 1. a complete activation: e-mails, satisfaction « Oui, merci », password set on the page
    complete, unfinished, wrong_codes = people
    sender = player.up_to_the_code(complete)
    replies = player.say(sender, player.code(complete))
    texts = " ".join(r.get("text") or "" for r in replies)
    assert "Deux e-mails" in texts and "cette activation s'est-elle bien passée" in texts, texts
    payloads = [b["payload"] for b in _buttons(replies)]
    assert payloads == ["/rate_helpful", "/rate_not_helpful"], payloads
    assert "Merci pour votre retour" in player.text(sender, "/rate_helpful")
    _set_password(reporting, complete)
    assert reporting.member_status(complete.adherent) == "active"

    # 2. an activation up to the e-mails, the password never chosen, the question left unanswered
    sender = player.up_to_the_code(unfinished)
    assert "Deux e-mails" in player.text(sender, player.code(unfinished))

    # 3. a birth department that disagrees with the NIR
    sender = player.start_activation()
    p = complete
    player.say(sender, p.nir)
    player.say(sender, f"{p.born:%d/%m/%Y}")
    assert "ne correspond pas" in player.text(sender, "Finistère")

    # 4. a NIR whose key is wrong
    sender = player.start_activation()
    wrong_key = p.nir[:13] + f"{(int(p.nir[13:]) % 97) + 1:02d}"
    assert "La clé de votre numéro" in player.text(sender, wrong_key)

    # 5. two wrong codes, then the member gives up
    sender = player.up_to_the_code(wrong_codes)
    right = player.code(wrong_codes)
    for shift in (1, 2):
        wrong = f"{(int(right) + shift) % 1_000_000:06d}"
        assert "ne correspond pas" in player.text(sender, wrong)

    # 6. a hand-off to support, with a ticket
    sender = player.new()
    assert "?" in player.text(sender, "est-ce que je peux échanger avec une vraie personne s'il vous plaît")
    assert "Décrivez votre demande" in player.text(sender, "/affirm")
    assert "adresse e-mail" in player.text(sender, "Mon espace affiche une erreur depuis ce matin.")
    assert "Réponse à" in player.text(sender, "contact.report@example.org")
    assert re.search(r"[A-Z0-9]{3,}-[A-Z0-9]", player.text(sender, "/affirm")), "a ticket reference"

    # 7. a message nobody understands (once: no hand-off offered)
    sender = player.new()
    assert "reformuler" in player.text(sender, NOT_UNDERSTOOD)

    # 8. an answered question, « Pas vraiment »
    sender = player.new()
    replies = player.say(sender, "quelles sont les règles pour le mot de passe ?")
    texts = " ".join(r.get("text") or "" for r in replies)
    assert "8 caractères" in texts and "Cette réponse vous a-t-elle été utile" in texts, texts
    assert "parler à un conseiller" in player.text(sender, "/rate_not_helpful")
    # a second answer in the same conversation: no second question
    again = player.text(sender, "où je vois mes remboursements")
    assert "utile" not in again, again
    return player.played


def _report(assistant: Assistant, *args: str) -> Dict[str, Any]:
    done = assistant.cli("report", "--json", *args)
    return json.loads(done.stdout)


def test_report_figures_equal_what_was_played(reporting, played):
    report = _report(reporting)
    assert report["conversations"] == len(played.senders) == 8
    assert report["member_turns"] == played.turns
    assert report["activation"] == {
        "started": 5,
        "identity_verified": 3,
        "code_sent": 3,
        "code_verified": 2,
        "emails_sent": 2,
        "password_set": 1,
    }
    assert set(report["registration"].values()) == {0}
    assert report["handoffs"] == {"count": 1, "conversations": 1, "offered": 1, "by_reason": {"advisor_request": 1}}
    assert report["fallback_turns"] == 1
    assert report["fallback_rate"] == round(1 / played.turns, 4)
    assert report["containment_rate"] == round(7 / 8, 4)
    assert report["top_fallback_messages"] == [{"text": normalise_message(NOT_UNDERSTOOD), "count": 1}]
    satisfaction = report["satisfaction"]
    assert (satisfaction["asked"], satisfaction["answered"]) == (3, 2)
    assert (satisfaction["helpful"], satisfaction["not_helpful"]) == (1, 1)
    assert satisfaction["by_topic"] == {
        "activation": {"asked": 2, "helpful": 1, "not_helpful": 0},
        "answer": {"asked": 1, "helpful": 0, "not_helpful": 1},
    }
    today = [day for day in report["per_day"] if day["conversations"]]
    assert len(today) == 1 and today[0]["conversations"] == 8 and today[0]["handoffs"] == 1
    assert today[0]["activations_started"] == 5 and today[0]["activations_password_set"] == 1
    assert sum(day["member_turns"] for day in report["per_day"]) == played.turns


def test_a_period_without_the_conversations_is_empty(reporting, played):
    report = _report(reporting, "--since", "2020-01-01", "--until", "2020-01-31")
    assert report["conversations"] == 0 and report["activation"]["started"] == 0
    assert len(report["per_day"]) == 31 and report["fallback_rate"] is None


def test_csv_and_html_files_carry_the_same_figures(reporting, played):
    csv_path, html_path = reporting.workdir / "report.csv", reporting.workdir / "report.html"
    reporting.cli("report", "--csv", str(csv_path), "--html", str(html_path))
    report = _report(reporting)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    values = {(r["section"], r["item"]): r["value"] for r in rows if not r["date"]}
    assert values[("summary", "conversations")] == str(report["conversations"])
    assert values[("activation", "password_set")] == "1"
    assert values[("handoffs_by_reason", "advisor_request")] == "1"
    page = html_path.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "<script" not in page and "<svg" in page
    assert 'data-key="activation.started" data-value="5"' in page


def test_bad_period_is_a_one_line_error(reporting):
    done = reporting.cli("report", "--since", "2026-13-01", check=False)
    assert done.returncode == 1 and "date invalide" in done.stderr and "Traceback" not in done.stderr


def _get(assistant: Assistant, path: str, headers: Dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"{assistant.base_url}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310 - local server
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_the_page_needs_the_token(reporting, played):
    assert _get(reporting, "/admin/report")[0] == 401
    assert _get(reporting, "/admin/report.csv")[0] == 401
    assert _get(reporting, "/admin/report", {"Authorization": "Bearer not-the-token-at-all"})[0] == 401
    status, page = _get(reporting, "/admin/report", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and 'data-key="conversations" data-value="8"' in page
    status, body = _get(
        reporting, "/admin/report.csv?since=2020-01-01&until=2020-01-02", {"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200 and body.startswith("section,item,date,value")
    assert TOKEN not in reporting.log()


def test_no_token_configured_means_no_page(miel):
    assert _get(miel, "/admin/report")[0] == 404
    assert _get(miel, "/admin/report", {"Authorization": f"Bearer {TOKEN}"})[0] == 404


def _login(assistant: Assistant, token: str, client: str) -> requests.Response:
    return requests.post(
        f"{assistant.base_url}/admin/login",
        data={"token": token},
        headers={"X-Forwarded-For": client},
        allow_redirects=False,
        timeout=60,
    )


def test_wrong_tokens_are_limited_per_client(reporting):
    """Three wrong tokens from one client (ASSISTANT_LIMIT_ADMIN_LOGIN_FAILURES=3): then every
    token check from it answers 429, the right token included, by form or Bearer; another
    client still logs in."""
    guesser, colleague = "203.0.113.7", "198.51.100.20"
    for attempt in range(3):
        wrong = _login(reporting, f"guess-{attempt}-" + secrets.token_hex(8), guesser)
        assert wrong.status_code == 401 and "Ce jeton n'est pas le bon." in html.unescape(wrong.text)
    stopped = _login(reporting, TOKEN, guesser)
    assert stopped.status_code == 429, stopped.status_code
    assert "Trop d'essais de jeton incorrects. Réessayez dans" in html.unescape(stopped.text)
    assert 60 <= int(stopped.headers["Retry-After"]) <= 3600
    assert "Set-Cookie" not in stopped.headers
    bearer = requests.get(
        f"{reporting.base_url}/admin/report",
        headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": guesser},
        timeout=60,
    )
    assert bearer.status_code == 429
    allowed = _login(reporting, TOKEN, colleague)
    assert allowed.status_code == 303 and "assistant_admin=" in allowed.headers["Set-Cookie"]
    assert TOKEN not in reporting.log() and guesser not in reporting.log()
