"""``python -m bot chat`` (bot.terminal): an issued conversation id, replaced when the server refuses it."""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, List

import pytest

from bot import terminal


class FakeAssistant(BaseHTTPRequestHandler):
    """Issues ``web-1``, ``web-2``...; refuses ``web-1`` on the webhook as a restarted server with a new key would."""

    issued: List[str] = []
    received: List[Any] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        if self.path == terminal.SESSION_PATH:
            self.issued.append(f"web-{len(self.issued) + 1}")
            self._json(200, {"sender": self.issued[-1]})
        elif body.get("sender") == "web-1":
            self._json(403, {"error": "Cet identifiant de conversation n'a pas été délivré par ce service."})
        else:
            self.received.append(body)
            self._json(
                200,
                [
                    {
                        "recipient_id": body["sender"],
                        "text": "Bonjour !",
                        "buttons": [{"title": "Contacter", "payload": "/contact"}],
                    }
                ],
            )

    def _json(self, status: int, value: Any) -> None:
        data = json.dumps(value).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_assistant() -> Iterator[str]:
    FakeAssistant.issued, FakeAssistant.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAssistant)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_chat_gets_its_conversation_id_from_the_server_and_renews_a_refused_one(
    fake_assistant, monkeypatch, capsys
):
    typed = iter(["bonjour", "1"])

    def fake_input(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    parser = argparse.ArgumentParser()
    terminal.register(parser.add_subparsers())
    args = parser.parse_args(["chat", "--url", fake_assistant])
    assert args.handler(args) == 0
    assert FakeAssistant.issued == ["web-1", "web-2"]
    assert FakeAssistant.received == [
        {"sender": "web-2", "message": "bonjour"},
        {"sender": "web-2", "message": "/contact"},  # the numbered button sends its payload
    ]
    out = capsys.readouterr().out
    assert "Assistant > Bonjour !" in out and "[1] Contacter" in out
