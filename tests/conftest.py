"""Shared fixtures: a really started assistant (action server + Rasa server).

``assistant(tenant)`` starts ``python -m bot serve`` once per tenant for the
test session, on free ports, with its own SQLite databases, outbox file and
clock file under a temporary folder, migrated and seeded with the demo
members. Conversation tests talk to it over REST like any channel would:
conversation ids are issued by the server (``POST /webhooks/rest/session``),
and the server trusts ``X-Forwarded-For`` from 127.0.0.1
(``ASSISTANT_TRUSTED_PROXIES``) so a test chooses the client address each
message comes from (``Assistant.say(..., client_ip=...)``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from support.outbox import read_outbox
from support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def latest_model() -> Path | None:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


@dataclass
class Assistant:
    """Handle on a running assistant for conversation tests."""

    tenant: str
    port: int
    actions_port: int
    workdir: Path
    env: Dict[str, str]
    process: subprocess.Popen
    log_path: Path
    _outbox_seen: int = field(default=0)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def outbox_path(self) -> Path:
        return Path(self.env["ASSISTANT_OUTBOX"])

    @property
    def clock_path(self) -> Path:
        return Path(self.env["ASSISTANT_CLOCK_FILE"])

    def new_sender(self, prefix: str = "test") -> str:
        """A new conversation id issued by the server (``web-<32 hex>.<signature>``).

        ``prefix`` is kept for the callers' readability; the server chooses the id.
        """
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/session", data=b"{}", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - local server
            return json.load(resp)["sender"]

    @staticmethod
    def default_client_ip(sender: str) -> str:
        """The address a conversation's messages come from unless ``client_ip`` is given.

        One per conversation (a 10.x.y.z address derived from the sender), so
        per-client limits do not add up across unrelated tests.
        """
        digest = hashlib.sha256(sender.encode("utf-8")).digest()
        return f"10.{digest[0]}.{digest[1]}.{digest[2]}"

    def say(
        self,
        sender: str,
        message: str,
        metadata: Dict[str, Any] | None = None,
        client_ip: str | None = None,
    ) -> List[Dict[str, Any]]:
        """The bot's replies to ``message``; ``client_ip`` is sent as ``X-Forwarded-For``.

        Give several conversations the same ``client_ip`` to play one client
        (one browser, one office behind a NAT), or different ones to play several.
        """
        payload: Dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            payload["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=json.dumps(payload).encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "X-Forwarded-For": client_ip or self.default_client_ip(sender),
            },
        )
        with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310 - local server
            return json.load(resp)

    def say_text(self, sender: str, message: str, client_ip: str | None = None) -> str:
        """All the bot's reply texts to ``message`` joined by newlines."""
        return "\n".join(r.get("text", "") for r in self.say(sender, message, client_ip=client_ip) if r.get("text"))

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.base_url}{path}", timeout=30) as resp:  # noqa: S310
            return resp.status, resp.read().decode("utf-8")

    def outbox(self) -> List[Dict[str, Any]]:
        return read_outbox(self.outbox_path)

    def outbox_for(self, to: str) -> List[Dict[str, Any]]:
        return [m for m in self.outbox() if m.get("to") == to]

    def set_clock(self, value: str | None) -> None:
        """Freeze (ISO instant) or shift (+seconds) the servers' clock; None resets it."""
        self.clock_path.write_text(value or "", encoding="utf-8")

    def member_status(self, adherent: str) -> str:
        """A member's status as ``python -m bot members show`` gives it."""
        shown = self.cli("members", "show", adherent).stdout
        return re.search(r"^status\s*:\s*(\S+)", shown, flags=re.M).group(1)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120, check=check,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _wait_ready(assistant: Assistant, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if assistant.process.poll() is not None:
            raise RuntimeError(f"assistant exited early:\n{assistant.log()[-4000:]}")
        try:
            status, body = assistant.get("/health")
            if status == 200 and json.loads(body).get("model_loaded"):
                # the banner is printed once both servers answer
                if "ready" in assistant.log():
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"assistant not ready after {timeout} s:\n{assistant.log()[-4000:]}")


def start_assistant(tmp_root: Path, tenant: str, extra_env: Dict[str, str] | None = None) -> Assistant:
    model = latest_model()
    if model is None:
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    workdir = tmp_root / f"assistant-{tenant}-{secrets.token_hex(3)}"
    workdir.mkdir(parents=True)
    port, actions_port = free_port(), free_port()
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("SMTP_", "SMS_", "TELEGRAM_", "TWILIO_")):
            env.pop(key)
    env.update(
        {
            "ASSISTANT_TENANT": tenant,
            "ASSISTANT_VAR_DIR": str(workdir),
            "ASSISTANT_DATABASE_URL": f"sqlite:///{workdir / 'assistant.db'}",
            "ASSISTANT_TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'conversations.db'}",
            "ASSISTANT_OUTBOX": str(workdir / "outbox.jsonl"),
            "ASSISTANT_CLOCK_FILE": str(workdir / "clock.txt"),
            "ASSISTANT_SECRET_KEY": "test-secret-key-" + secrets.token_hex(8),
            "ASSISTANT_PORT": str(port),
            "ASSISTANT_ACTIONS_PORT": str(actions_port),
            "ASSISTANT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "ASSISTANT_TRUSTED_PROXIES": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    env.update(extra_env or {})
    (workdir / "clock.txt").write_text("", encoding="utf-8")
    for args in (["db", "upgrade"], ["members", "demo"]):
        done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"python -m bot {' '.join(args)} failed: {done.stderr or done.stdout}")
    log_path = workdir / "server.log"
    log = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--model", str(model)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    assistant = Assistant(tenant, port, actions_port, workdir, env, process, log_path)
    try:
        _wait_ready(assistant)
    except Exception:
        stop_assistant(assistant)
        raise
    return assistant


def stop_assistant(assistant: Assistant) -> None:
    if assistant.process.poll() is None:
        assistant.process.terminate()
        try:
            assistant.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(assistant.process.pid, 9)
            assistant.process.wait()


@pytest.fixture(scope="session")
def assistants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Assistant]]:
    """Lazily started assistants, one per tenant, shared by the session."""
    running: Dict[str, Assistant] = {}

    class _Pool(dict):
        def __missing__(self, tenant: str) -> Assistant:
            running[tenant] = start_assistant(tmp_path_factory.mktemp("servers"), tenant)
            self[tenant] = running[tenant]
            return running[tenant]

    pool = _Pool()
    yield pool
    for assistant in running.values():
        stop_assistant(assistant)


@pytest.fixture(scope="session")
def miel(assistants: Dict[str, Assistant]) -> Assistant:
    return assistants["miel"]


@pytest.fixture(scope="session")
def smie(assistants: Dict[str, Assistant]) -> Assistant:
    return assistants["smie"]


@pytest.fixture(params=["miel", "smie"])
def any_tenant(request: pytest.FixtureRequest, assistants: Dict[str, Assistant]) -> Assistant:
    return assistants[request.param]
