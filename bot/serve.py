"""``python -m bot serve``: run the action server and the Rasa server together.

Starts the Rasa SDK action server on 127.0.0.1:<actions-port> and the Rasa
server on <port> (REST webhook, web chat, activation pages, Telegram
webhook), waits until both answer, prints where to chat, and on Ctrl-C or
SIGTERM stops both process groups: nothing is left running.

Once started, a child that stops is started again after a backoff
(:data:`RESTART_FIRST_DELAY` seconds, doubled at each consecutive crash up to
:data:`RESTART_MAX_DELAY`; a child that ran :data:`RESTART_STABLE_AFTER`
seconds starts from the first delay again). Meanwhile ``/health`` says
``degraded`` and members get a short apology (:mod:`bot.adapters.resilience`).

The Rasa server runs through :mod:`bot.adapters.patches.rasa_main` (Rasa
with the speed fixes ``ASSISTANT_RASA_PATCHES`` enables) and reads a copy of
``endpoints.yml`` whose action endpoint is on <actions-port>.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List

import yaml

from bot.service_status import backoff_delays
from bot.settings import PROJECT_ROOT, Settings, load_settings
from bot.tenants import load_tenant

MODELS_DIR = PROJECT_ROOT / "models"
RESTART_FIRST_DELAY = 1.0  # seconds
RESTART_MAX_DELAY = 30.0
RESTART_STABLE_AFTER = 60.0


class ServeError(RuntimeError):
    pass


def latest_model(directory: Path = MODELS_DIR) -> Path | None:
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def endpoints_file(settings: Settings) -> Path:
    """``endpoints.yml`` with the action endpoint on ``settings.actions_port``, written in the var directory."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    action_endpoint = dict(endpoints.get("action_endpoint") or {})
    action_endpoint["url"] = f"http://127.0.0.1:{settings.actions_port}/webhook"
    endpoints["action_endpoint"] = action_endpoint
    path = settings.var_dir / f"endpoints.{settings.actions_port}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by `python -m bot serve` from endpoints.yml (action server port): do not edit.\n"
        + yaml.safe_dump(endpoints, sort_keys=False),
        encoding="utf-8",
    )
    return path


def child_environment(settings: Settings) -> Dict[str, str]:
    """Environment shared by both servers: every setting made explicit."""
    env = dict(os.environ)
    env.update(
        {
            "ASSISTANT_TENANT": settings.tenant,
            "ASSISTANT_DATABASE_URL": settings.database_url,
            "ASSISTANT_TRACKER_DATABASE_URL": settings.tracker_database_url,
            "ASSISTANT_PUBLIC_URL": settings.public_url,
            "ASSISTANT_PORT": str(settings.port),
            "ASSISTANT_ACTIONS_PORT": str(settings.actions_port),
            "ASSISTANT_OUTBOX": str(settings.outbox_path),
            "ASSISTANT_SECRET_KEY": settings.secret_key,
            "ASSISTANT_RASA_PATCHES": ",".join(settings.rasa_patches) or "none",
            # ASSISTANT_LOG_LEVEL, as both servers read it (Rasa and Rasa SDK: LOG_LEVEL)
            "ASSISTANT_LOG_LEVEL": settings.log_level,
            "LOG_LEVEL": settings.log_level,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
            # Rasa and TensorFlow: quiet, offline, no telemetry
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "SANIC_HOST": "127.0.0.1",
            # fewer glibc malloc arenas: TensorFlow's threads otherwise
            # fragment memory (measured in bench/README.md)
            "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"),
        }
    )
    return env


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the serving process dies (Linux)."""
    os.setsid()
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _wait_http(url: str, process: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"{what} exited with code {process.returncode} during start-up (see its log above)")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - local URL
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    raise ServeError(f"{what} did not answer on {url} within {timeout:.0f} s")


def _wait_model(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _wait_http(url, process, max(1.0, deadline - time.monotonic()), "the Rasa server")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - local URL
                if json.load(resp).get("model_loaded"):
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.3)
    raise ServeError(f"the model was not loaded within {timeout:.0f} s")


class Child:
    """One supervised process: how to start it again, and its restart backoff."""

    def __init__(self, name: str, cmd: List[str], env: Dict[str, str]) -> None:
        self.name = name
        self.cmd = cmd
        self.env = env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restarts = 0
        self.restart_at: float | None = None
        self._delays = backoff_delays(RESTART_FIRST_DELAY, 2.0, RESTART_MAX_DELAY)

    def start(self) -> subprocess.Popen:
        self.process = subprocess.Popen(self.cmd, env=self.env, cwd=PROJECT_ROOT, preexec_fn=_die_with_parent)  # noqa: PLW1509
        self.started_at = time.monotonic()
        self.restart_at = None
        return self.process

    def check(self, now: float) -> None:
        """Start the child again after its backoff if it stopped (called every half second)."""
        process = self.process
        if process is None or process.poll() is None:
            return
        if self.restart_at is None:
            if now - self.started_at >= RESTART_STABLE_AFTER:
                self._delays = backoff_delays(RESTART_FIRST_DELAY, 2.0, RESTART_MAX_DELAY)
            delay = next(self._delays)
            self.restart_at = now + delay
            print(
                f"[serve] the {self.name} stopped (exit code {process.returncode}): starting it again in {delay:.0f} s",
                flush=True,
            )
        elif now >= self.restart_at:
            self.restarts += 1
            self.start()
            print(f"[serve] the {self.name} started again (restart {self.restarts})", flush=True)


class Supervisor:
    """Owns the child processes, restarts those that stop, and stops them together."""

    def __init__(self) -> None:
        self.children: List[Child] = []

    def start(self, cmd: List[str], env: Dict[str, str], name: str = "child") -> subprocess.Popen:
        child = Child(name, cmd, env)
        self.children.append(child)
        return child.start()

    def check(self) -> None:
        now = time.monotonic()
        for child in self.children:
            child.check(now)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM each child's process group, the last started first (the Rasa server finishes
        its turns while the action server still answers), SIGKILL after ``grace`` seconds."""
        for child in reversed(self.children):
            process = child.process
            if process is None:
                continue
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()


def _echo_outbox(path: Path, stop: threading.Event) -> None:
    """Print messages appended to the outbox file (``make run`` only)."""
    position = path.stat().st_size if path.exists() else 0
    while not stop.wait(0.5):
        if not path.exists():
            continue
        size = path.stat().st_size
        if size < position:
            position = 0
        if size == position:
            continue
        with path.open(encoding="utf-8") as handle:
            handle.seek(position)
            chunk = handle.read()
            position = handle.tell()
        for line in chunk.splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            header = f"[outbox] {message.get('channel', '?').upper()} to {message.get('to')}"
            if message.get("subject"):
                header += f" — {message['subject']}"
            print(f"\n{header}\n{message.get('body', '')}\n", flush=True)


def serve(
    settings: Settings,
    model: Path | None,
    echo_outbox: bool = False,
    ready_timeout: float = 120.0,
    interface: str | None = None,
) -> int:
    tenant = load_tenant(settings.tenant)  # validated before anything starts
    needs_sms = tenant.activation_flow == "nir_sms"
    if settings.outbox_file_refused and (settings.smtp is None or (needs_sms and settings.sms is None)):
        from bot.notify.outbox import OUTBOX_FILE_REFUSED

        raise ServeError(OUTBOX_FILE_REFUSED)
    model = model or latest_model()
    if model is None or not model.exists():
        raise ServeError("no trained model in models/: run `make train` first")
    env = child_environment(settings)
    python = sys.executable
    supervisor = Supervisor()
    stop_event = threading.Event()

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        actions = supervisor.start(
            [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.actions_port)],
            env,
            "action server",
        )
        _wait_http(f"http://127.0.0.1:{settings.actions_port}/health", actions, ready_timeout, "the action server")
        cmd = [
            python,
            "-m",
            "bot.adapters.patches.rasa_main",
            "run",
            "--model",
            str(model),
            "--port",
            str(settings.port),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
            "--endpoints",
            str(endpoints_file(settings)),
        ]
        if interface:
            cmd += ["--interface", interface]
        if settings.enable_api:
            cmd += ["--enable-api", "--auth-token", settings.api_token or ""]
        if settings.cors_origins:
            cmd += ["--cors", *settings.cors_origins]
        rasa = supervisor.start(cmd, env, "Rasa server")
        _wait_model(f"http://127.0.0.1:{settings.port}/health", rasa, ready_timeout)
        base = f"http://localhost:{settings.port}"
        print(
            "\n"
            f"  Assistant {tenant.display_name} ready.\n"
            f"  Web chat:      {base}/chat/\n"
            f'  REST endpoint: POST {base}/webhooks/rest/session  → {{"sender": "web-…"}}, then\n'
            f'                 POST {base}/webhooks/rest/webhook  {{"sender": "web-…", "message": "bonjour"}}\n'
            f"  Terminal chat: make shell (in another terminal)\n"
            f"  Outbox (codes and e-mails when no SMTP/SMS is configured): {settings.outbox_path}\n"
            "  Stop with Ctrl-C.\n",
            flush=True,
        )
        if echo_outbox:
            threading.Thread(target=_echo_outbox, args=(settings.outbox_path, stop_event), daemon=True).start()
        while True:
            supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        stop_event.set()
        supervisor.stop()
        signal.signal(signal.SIGTERM, previous)


def _handle(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    settings = load_settings(
        ASSISTANT_PORT=args.port,
        ASSISTANT_ACTIONS_PORT=args.actions_port,
        ASSISTANT_TENANT=args.tenant,
        ASSISTANT_DATABASE_URL=args.database_url,
        ASSISTANT_PUBLIC_URL=args.public_url,
    )
    try:
        return serve(
            settings, Path(args.model) if args.model else None, echo_outbox=args.echo_outbox, interface=args.interface
        )
    except ServeError as exc:
        raise CliError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the action server and the Rasa server")
    parser.add_argument("--port", type=int, default=None, help="public port (default 5005, ASSISTANT_PORT)")
    parser.add_argument("--actions-port", type=int, default=None, help="action server port on 127.0.0.1 (default 5055)")
    parser.add_argument("--tenant", default=None, help="tenant profile, e.g. miel or smie (ASSISTANT_TENANT)")
    parser.add_argument("--database-url", default=None, help="member store URL (ASSISTANT_DATABASE_URL)")
    parser.add_argument("--public-url", default=None, help="base URL of links sent to members (ASSISTANT_PUBLIC_URL)")
    parser.add_argument("--model", default=None, help="model archive (default: the latest in models/)")
    parser.add_argument("--echo-outbox", action="store_true", help="print messages written to the outbox")
    parser.add_argument(
        "--interface", default=None, help="address the Rasa server listens on (default 0.0.0.0; replicas: 127.0.0.1)"
    )
    parser.set_defaults(handler=_handle)
