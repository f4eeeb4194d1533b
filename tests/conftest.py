"""Shared fixtures: a really started assistant (action server + Rasa server).

``assistant(tenant)`` starts ``python -m bot serve`` once per tenant for the
test session, on free ports, with its own SQLite databases, outbox file and
clock file under a temporary folder, migrated and seeded with the demo
members. Conversation tests talk to it over REST like any channel would:
conversation ids are issued by the server (``POST /webhooks/rest/session``),
and the server trusts ``X-Forwarded-For`` from 127.0.0.1
(``ASSISTANT_TRUSTED_PROXIES``) so a test chooses the client address each
message comes from (``Assistant.say(..., client_ip=...)``).

Backends: with ``ASSISTANT_TEST_BACKEND=postgres`` (``make test-conversation-pg``)
every started assistant keeps its members and its conversations in two fresh
PostgreSQL schemas of ``ASSISTANT_TEST_POSTGRES_URL`` (dropped when it stops)
and its locks in the Redis of ``ASSISTANT_TEST_REDIS_URL``; otherwise SQLite
files and in-memory locks. Tests read what a server stored through
``Assistant.stored_events`` and ``Assistant.member_rows``, whichever the backend.

The layer guards (``--layer``, floors in tests/test_floors.yml, strict markers)
are in tests/layer_guard.py.
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
import sqlalchemy as sa
from db_schemas import with_pg_options
from helpers.outbox import read_outbox
from helpers.ports import free_port
from hypothesis import settings as hypothesis_settings
from layer_guard import (  # noqa: F401 - the layer guard hooks, registered with this conftest
    add_session_check,
    current_layer,
    pytest_addoption,
    pytest_collection_finish,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_deselected,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Property tests (hypothesis): the same examples on every run by default, so a build
# fails only for a change, never for a draw; HYPOTHESIS_PROFILE=explore draws new
# examples each run (run it when changing bot/privacy/, and keep what it finds as a case).
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


# The first message of every conversation a test opens with ``Assistant.say``: a conversation
# test must reach a flow with a sentence of its own, not with a training example of data/nlu
# (that would prove only that the model remembers its data). Typed payloads and fixed phrases
# of one or two words (« bonjour », « merci beaucoup », « au revoir ») are exempt.
_OPENERS: Dict[str, tuple] = {}
FIXED_PHRASE_WORDS = 2


def _record_opener(sender: str, message: str) -> None:
    if sender not in _OPENERS:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
        _OPENERS[sender] = (message, test)


def openers_copied_from_training() -> List[str]:
    """Conversations opened with a training example, one line each (a session check)."""
    if not _OPENERS:
        return []
    from check_test_sentences import normalise, training_examples

    trained = training_examples()
    found = set()
    for message, test in _OPENERS.values():
        if message.lstrip().startswith("/") or len(message.split()) <= FIXED_PHRASE_WORDS:
            continue
        intent = trained.get(normalise(message))
        if intent:
            found.add(
                f"{test} opens a conversation with {message!r}, a training example of {intent} in data/nlu: "
                "write a fresh phrasing that reaches the same flow"
            )
    return sorted(found)


add_session_check(openers_copied_from_training)


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
    # PostgreSQL schemas created for this assistant (postgres backend), dropped by stop_assistant
    pg_schemas: List[str] = field(default_factory=list)

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
        The replies' no-break spaces (French typography, ``bot.typography``) are
        read as plain spaces, so tests match on words; :meth:`say_raw` keeps them.
        """
        return [_plain_reply(reply) for reply in self.say_raw(sender, message, metadata, client_ip)]

    def say_raw(
        self,
        sender: str,
        message: str,
        metadata: Dict[str, Any] | None = None,
        client_ip: str | None = None,
    ) -> List[Dict[str, Any]]:
        """The bot's replies to ``message`` exactly as the REST channel sends them."""
        _record_opener(sender, message)
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
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``: where this assistant keeps its conversations."""
        return sa.engine.make_url(self.env["ASSISTANT_TRACKER_DATABASE_URL"]).get_backend_name()

    def _rows(self, url: str, sql: str, table: str | None, **params: Any) -> List[tuple]:
        """Rows of ``sql`` on the database of ``url`` (SQLite or PostgreSQL); none while ``table`` is missing."""
        if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
            return []
        engine = sa.create_engine(url, poolclass=NullPool, future=True)
        try:
            with engine.connect() as connection:
                if table and not sa.inspect(connection).has_table(table):
                    return []
                return [tuple(row) for row in connection.execute(sa.text(sql), params)]
        finally:
            engine.dispose()

    def stored_events(self, sender: str) -> List[tuple]:
        """``(type_name, event dict)`` of every event stored for ``sender``, in order, from the tracker store in use."""
        rows = self._rows(
            self.env["ASSISTANT_TRACKER_DATABASE_URL"],
            "select type_name, data from events where sender_id = :sender order by id",
            "events",
            sender=sender,
        )
        return [(name, json.loads(data) if data else {}) for name, data in rows]

    def stored_senders(self) -> set:
        """Every conversation id the tracker store holds events for."""
        rows = self._rows(self.env["ASSISTANT_TRACKER_DATABASE_URL"], "select distinct sender_id from events", "events")
        return {sender for (sender,) in rows}

    def member_rows(self, sql: str, **params: Any) -> List[tuple]:
        """Rows of ``sql`` (``:name`` parameters) on the member store in use, SQLite or PostgreSQL."""
        return self._rows(self.env["ASSISTANT_DATABASE_URL"], sql, None, **params)


def _plain_reply(reply: Dict[str, Any]) -> Dict[str, Any]:
    """A reply with the no-break spaces of its text and button titles made plain."""
    from bot.typography import plain_spaces

    plain = dict(reply)
    if isinstance(plain.get("text"), str):
        plain["text"] = plain_spaces(plain["text"])
    if isinstance(plain.get("buttons"), list):
        plain["buttons"] = [
            {**button, "title": plain_spaces(button["title"])}
            if isinstance(button, dict) and isinstance(button.get("title"), str)
            else button
            for button in plain["buttons"]
        ]
    return plain


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


BACKEND_ENV = "ASSISTANT_TEST_BACKEND"
POSTGRES_ENV = "ASSISTANT_TEST_POSTGRES_URL"
REDIS_ENV = "ASSISTANT_TEST_REDIS_URL"


def store_backend() -> str:
    """Where started assistants keep their data: ``sqlite`` (default) or ``postgres`` (``ASSISTANT_TEST_BACKEND``)."""
    backend = (os.environ.get(BACKEND_ENV) or "sqlite").strip().lower()
    if backend not in ("sqlite", "postgres"):
        pytest.fail(f"{BACKEND_ENV}={backend!r}: expected sqlite or postgres")
    return backend


def _create_schemas(base: str, schemas: List[str]) -> None:
    admin = sa.create_engine(base, poolclass=NullPool, future=True)
    try:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - asked for but unusable is a failure, not a skip
        pytest.fail(f"{BACKEND_ENV}=postgres but {POSTGRES_ENV} cannot be used: {exc}")
    finally:
        admin.dispose()


def _drop_schemas(base: str, schemas: List[str]) -> None:
    admin = sa.create_engine(base, poolclass=NullPool, future=True)
    try:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def backend_env(tenant: str) -> tuple:
    """``(environment, created schemas)`` of the stores of one assistant on the chosen backend.

    ``postgres``: the member store and the conversations (tracker store) each in a fresh
    schema of ``ASSISTANT_TEST_POSTGRES_URL`` (reached through libpq's ``search_path``
    option, as production would use a dedicated database), the locks in the Redis of
    ``ASSISTANT_TEST_REDIS_URL``. ``sqlite``: files set by the caller, locks in memory.
    """
    if store_backend() == "sqlite":
        return {}, []
    base, redis = os.environ.get(POSTGRES_ENV), os.environ.get(REDIS_ENV)
    if not base or not redis:
        pytest.fail(f"{BACKEND_ENV}=postgres needs {POSTGRES_ENV} and {REDIS_ENV}")
    tag = f"conv_{re.sub(r'[^a-z0-9]', '', tenant.lower())}_{secrets.token_hex(5)}"
    schemas = [f"{tag}_members", f"{tag}_tracker"]
    _create_schemas(base, schemas)
    env = {
        "ASSISTANT_DATABASE_URL": with_pg_options(base, f"-csearch_path={schemas[0]}"),
        "ASSISTANT_TRACKER_DATABASE_URL": with_pg_options(base, f"-csearch_path={schemas[1]}"),
        "ASSISTANT_LOCK_STORE_URL": redis,
    }
    return env, schemas


def start_assistant(tmp_root: Path, tenant: str, extra_env: Dict[str, str] | None = None) -> Assistant:
    if current_layer() == "unit":
        pytest.fail("a unit-layer test starts a server: mark it @pytest.mark.conversation (tests/layer_guard.py)")
    model = latest_model()
    if model is None:
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    workdir = tmp_root / f"assistant-{tenant}-{secrets.token_hex(3)}"
    workdir.mkdir(parents=True)
    port, actions_port = free_port(), free_port()
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("SMTP_", "SMS_", "TELEGRAM_", "TWILIO_")) or key == "ASSISTANT_LOCK_STORE_URL":
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
    stores, schemas = backend_env(tenant)
    env.update(stores)
    env.update(extra_env or {})
    (workdir / "clock.txt").write_text("", encoding="utf-8")
    try:
        for args in (["db", "upgrade"], ["members", "demo"]):
            done = subprocess.run(
                [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True
            )
            if done.returncode != 0:
                pytest.fail(f"python -m bot {' '.join(args)} failed: {done.stderr or done.stdout}")
    except BaseException:
        if schemas:
            _drop_schemas(os.environ[POSTGRES_ENV], schemas)
        raise
    log_path = workdir / "server.log"
    log = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--model", str(model)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assistant = Assistant(tenant, port, actions_port, workdir, env, process, log_path, pg_schemas=schemas)
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
    if assistant.pg_schemas:
        _drop_schemas(os.environ[POSTGRES_ENV], assistant.pg_schemas)
        assistant.pg_schemas = []


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
