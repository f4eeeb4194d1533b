"""``python -m bot chat`` (``make shell``), the real command against a started server, fed on stdin.

The unit test (tests/unit/channels/test_terminal_chat.py) drives bot.terminal
against a fake server; here the command talks to a real assistant: the
greeting with its numbered buttons, a button chosen by its number (a payload
the server accepts because it offered it), a typed question, Ctrl-D, and the
conversation stored by the server like any other.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers.ports import free_port

from bot.tenants import load_tenant
from bot.typography import plain_spaces
from tests.conftest import ROOT

pytestmark = pytest.mark.conversation

MIEL = load_tenant("miel")


def chat(assistant, stdin: str, url: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--url", url or assistant.base_url],
        cwd=ROOT,
        env=assistant.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_terminal_conversation_with_the_running_assistant(miel):
    before = miel.stored_senders()
    done = chat(miel, "bonjour\n2\nje voudrais ouvrir mon accès en ligne\n")  # then end of input (Ctrl-D)
    assert done.returncode == 0, done.stderr
    out = plain_spaces(done.stdout)  # replies are typeset (no-break spaces, bot.typography)
    assert "Écrivez votre message (Ctrl-D pour quitter)." in out
    # the greeting and its buttons, numbered
    assert "Assistant > Bonjour, je suis l'assistant virtuel de Miel" in out, out
    assert "[1] Activer mon espace" in out and "[2] Contacter Miel" in out, out
    # « 2 » sent the button: the contact answer with the tenant's phone number and hours
    assert MIEL.phone.number in out and MIEL.opening_hours.text in out, out
    # a typed message starts the activation: the first identity question
    assert "numéro de sécurité sociale" in out, out
    # one new conversation, issued and stored by the server
    new = miel.stored_senders() - before
    assert len(new) == 1, new
    (sender,) = new
    assert sender.startswith("web-")
    said = [event["text"] for name, event in miel.stored_events(sender) if name == "user"]
    assert said == ["bonjour", "/contact", "je voudrais ouvrir mon accès en ligne"], said


def test_an_unreachable_assistant_is_one_clear_line(miel):
    done = chat(miel, "bonjour\n", url=f"http://127.0.0.1:{free_port()}")
    assert done.returncode != 0
    assert "cannot reach the assistant" in done.stderr and "make run" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
