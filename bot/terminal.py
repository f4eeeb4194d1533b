"""``python -m bot chat``: chat with a running assistant from the terminal.

Talks to the REST channel of the server started by ``make run`` (or
``python -m bot serve``), so it shares the model, actions and database.
Buttons are listed with numbers; typing the number sends the button.
"""

from __future__ import annotations

import argparse
import json
import secrets
import urllib.error
import urllib.request
from typing import Any, Dict, List


def send(base_url: str, sender: str, message: str, timeout: float = 60.0) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - operator-chosen URL
        f"{base_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - operator-chosen URL
        return json.load(resp)


def _handle(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    base = args.url.rstrip("/")
    sender = f"terminal-{secrets.token_hex(4)}"
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
            replies = send(base, sender, text)
        except (urllib.error.URLError, OSError) as exc:
            raise CliError(f"cannot reach the assistant at {base} ({exc}); start it with `make run`") from None
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
