"""``python -m bot chat``: chat with a running assistant from the terminal.

Talks to the REST channel of the server started by ``make run`` (or
``python -m bot serve``), so it shares the model, actions and database.
The conversation id is issued by the server (``POST /webhooks/rest/session``)
and replaced if the server refuses it (403, e.g. after a change of
``ASSISTANT_SECRET_KEY``).  Buttons are listed with numbers; typing the
number sends the button.
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from typing import Any, Dict, List

SESSION_PATH = "/webhooks/rest/session"
WEBHOOK_PATH = "/webhooks/rest/webhook"


def _post(url: str, body: Dict[str, Any], timeout: float) -> Any:
    request = urllib.request.Request(  # noqa: S310 - operator-chosen URL
        url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - operator-chosen URL
        return json.load(resp)


def new_sender(base_url: str, timeout: float = 30.0) -> str:
    """A conversation id issued by the assistant at ``base_url``."""
    sender = _post(f"{base_url}{SESSION_PATH}", {}, timeout).get("sender")
    if not isinstance(sender, str) or not sender:
        raise ValueError("the assistant issued no conversation id")
    return sender


def send(base_url: str, sender: str, message: str, timeout: float = 60.0) -> List[Dict[str, Any]]:
    return _post(f"{base_url}{WEBHOOK_PATH}", {"sender": sender, "message": message}, timeout)


def _handle(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    base = args.url.rstrip("/")
    unreachable = f"cannot reach the assistant at {base}; start it with `make run`"
    try:
        sender = new_sender(base)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CliError(f"{unreachable} ({exc})") from None
    buttons: List[Dict[str, str]] = []
    print("Écrivez votre message (Ctrl-D pour quitter).")
    while True:
        try:
            text = input("Vous > ").strip()
        except EOFError:
            print()
            return 0
        if not text:
            continue
        if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            try:
                replies = send(base, sender, text)
            except urllib.error.HTTPError as exc:
                if exc.code != 403:
                    raise
                sender = new_sender(base)  # refused id: a new conversation
                replies = send(base, sender, text)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise CliError(f"{unreachable} ({exc})") from None
        buttons = []
        for reply in replies:
            if reply.get("text"):
                print(f"Assistant > {reply['text']}")
            for button in reply.get("buttons") or []:
                buttons.append(button)
                print(f"   [{len(buttons)}] {button.get('title')}")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="chat in the terminal with the running assistant")
    parser.add_argument("--url", default="http://localhost:5005", help="assistant base URL")
    parser.set_defaults(handler=_handle)
