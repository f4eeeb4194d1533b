"""Helpers of the delivery tests: clock, databases, a real SMTP server, an HTTP sink."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from db_schemas import database_urls as shared_database_urls

SECRET_KEY = "notify-test-secret-key-0123456789"
POSTGRES_ENV = "ASSISTANT_TEST_POSTGRES_URL"
START = datetime(2025, 11, 24, 9, 0, 0, tzinfo=timezone.utc)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Clock:
    def __init__(self, path: Path, start: datetime = START) -> None:
        self.path = path
        self.set(start)

    def set(self, instant: datetime) -> None:
        self.now = instant
        self.path.write_text(instant.isoformat(), encoding="utf-8")

    def advance(self, **delta: float) -> datetime:
        self.set(self.now + timedelta(**delta))
        return self.now


def database_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    yield from shared_database_urls(request, tmp_path, "notify_test")


def read_outbox(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``refuse`` answers 550 to RCPT."""

    def __init__(self, port: int | None = None, refuse: bool = False, **smtp_kwargs: Any) -> None:
        self.port = port or free_port()
        self.refuse = refuse
        self.smtp_kwargs = smtp_kwargs
        self.messages: list[tuple[list[str], Any, str]] = []
        self._controller: Any = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        raw = envelope.original_content or envelope.content
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(raw, policy=default), envelope.mail_from))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.smtp_kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class HttpSink:
    """A tiny HTTP server that records requests and answers a fixed status/body."""

    def __init__(self, status: int = 200, body: dict[str, Any] | None = None) -> None:
        self.status = status
        self.body = body or {"ok": True}
        self.requests: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server hook
                length = int(self.headers.get("Content-Length") or 0)
                sink.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                payload = json.dumps(sink.body).encode("utf-8")
                self.send_response(sink.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
