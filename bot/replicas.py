"""``python -m bot replicas``: nginx in front of two ``bot serve`` replicas, and their rolling restart.

``python -m bot replicas run`` (``make run-replicas``) is the production
topology on one machine, every part on 127.0.0.1:

- nginx (Debian's package, ``make nginx``) listens on the public port
  (``ASSISTANT_PORT``, 5005) and spreads requests over the two replicas,
  with passive health checks (``max_fails``/``fail_timeout``) and
  ``proxy_next_upstream``: a request that cannot reach one replica goes to
  the other. Its configuration is generated in ``var/replicas/`` (not
  ``/etc``) and it runs in the foreground (``daemon off``), owned by this
  command;
- two replicas, ``bot serve`` on the public port + 1 and + 2 (action
  servers on ``ASSISTANT_ACTIONS_PORT`` + 1 and + 2), sharing the member
  store and the conversations in PostgreSQL (``ASSISTANT_DATABASE_URL``,
  ``ASSISTANT_TRACKER_DATABASE_URL``) and the conversation locks in Redis
  (``ASSISTANT_LOCK_STORE_URL``): SQLite or in-memory locks are refused.

``python -m bot replicas restart`` (``make rolling-restart``) asks the
running command to restart the replicas one after the other: the replica
is taken out of nginx (configuration reloaded, in-flight requests finish),
stopped gracefully, started again, and put back once its ``/health`` is
``ok``; then the next one. No request fails (bench/README.md has the run).
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import sqlalchemy as sa

from bot.settings import PROJECT_ROOT, Settings, load_settings

NGINX = "/usr/sbin/nginx"
READY_TIMEOUT = 240.0  # seconds for a replica to load its model on a busy machine
DRAIN_SECONDS = 2.0  # after nginx stopped sending to a replica, before it is stopped


class ReplicasError(RuntimeError):
    pass


@dataclass
class Replica:
    index: int
    port: int
    actions_port: int
    process: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return f"replica {self.index + 1} (port {self.port})"


def state_dir(settings: Settings) -> Path:
    return settings.var_dir / "replicas"


def nginx_config(prefix: Path, port: int, replicas: List[Replica], down: int | None = None) -> str:
    """nginx.conf for the public ``port`` in front of ``replicas``; replica ``down`` takes no new request."""
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    servers = "\n".join(
        f"    server 127.0.0.1:{r.port} max_fails=1 fail_timeout=5s{' down' if r.index == down else ''};"
        for r in replicas
    )
    temp = prefix / "tmp"
    return f"""# Written by `python -m bot replicas run` (bot/replicas.py): do not edit, it is regenerated.
{user}worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  client_body_temp_path {temp / "body"};
  proxy_temp_path {temp / "proxy"};
  fastcgi_temp_path {temp / "fastcgi"};
  uwsgi_temp_path {temp / "uwsgi"};
  scgi_temp_path {temp / "scgi"};
  # no URI in the log: activation links carry one-time tokens
  log_format replicas '$time_iso8601 $request_method $status $request_time $upstream_addr $upstream_status';
  access_log {prefix / "access.log"} replicas;
  server_tokens off;
  upstream assistant {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 64k;
    location / {{
      proxy_pass http://assistant;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      # another replica when one cannot be reached or is shutting down; a POST that
      # reached a replica is never sent twice (no non_idempotent)
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }}
  }}
}}
"""


def check_stores(env: Dict[str, str]) -> None:
    """Refuse stores that two replicas cannot share."""
    for key in ("ASSISTANT_DATABASE_URL", "ASSISTANT_TRACKER_DATABASE_URL"):
        if not env.get(key, "").startswith("postgresql"):
            raise ReplicasError(f"{key}: two replicas need a shared PostgreSQL database (postgresql+psycopg2://...)")
    if not env.get("ASSISTANT_LOCK_STORE_URL", "").startswith(("redis://", "rediss://")):
        raise ReplicasError("ASSISTANT_LOCK_STORE_URL: two replicas need Redis for the conversation locks")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist yet."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("select 1 from pg_database where datname = :name"), {"name": target.database}
            ).first()
            if not exists:
                connection.execute(sa.text(f'create database "{target.database}"'))
    finally:
        admin.dispose()


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:  # noqa: S310 - local
            body = json.load(resp)
            return bool(body.get("model_loaded")) and body.get("status") == "ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Topology:
    """nginx and the replicas, owned by ``python -m bot replicas run``."""

    def __init__(self, settings: Settings, model: str | None = None) -> None:
        self.settings = settings
        self.prefix = state_dir(settings)
        self.model = model
        self.replicas = [Replica(i, settings.port + 1 + i, settings.actions_port + 1 + i) for i in range(2)]
        self.nginx: subprocess.Popen | None = None
        self.restarting = threading.Lock()

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.setdefault("ASSISTANT_TRUSTED_PROXIES", "127.0.0.1")
        env.setdefault("ASSISTANT_PUBLIC_URL", f"http://localhost:{self.settings.port}")
        env["ASSISTANT_SECRET_KEY"] = self.settings.secret_key  # the same on both: conversation ids, tokens
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        return env

    def write_config(self, down: int | None = None) -> Path:
        path = self.prefix / "nginx.conf"
        path.write_text(nginx_config(self.prefix, self.settings.port, self.replicas, down), encoding="utf-8")
        return path

    def start_replica(self, replica: Replica) -> None:
        cmd = [sys.executable, "-m", "bot", "serve", "--interface", "127.0.0.1", "--port", str(replica.port)]
        cmd += ["--actions-port", str(replica.actions_port)]
        if self.model:
            cmd += ["--model", self.model]
        log = (self.prefix / f"replica{replica.index + 1}.log").open("a", encoding="utf-8")
        replica.process = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, replica: Replica) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if replica.process is not None and replica.process.poll() is not None:
                raise ReplicasError(f"{replica.name} exited (see {self.prefix}/replica{replica.index + 1}.log)")
            if _ready(replica.port):
                return
            time.sleep(0.5)
        raise ReplicasError(f"{replica.name} not ready within {READY_TIMEOUT:.0f} s")

    def stop_replica(self, replica: Replica, grace: float = 30.0) -> None:
        process = replica.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # bot serve stops the Rasa server, then the action server
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def reload_nginx(self, down: int | None = None) -> None:
        self.write_config(down)
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGHUP)  # graceful: old workers finish their requests
            time.sleep(0.5)

    def prepare(self) -> None:
        env = self.env()
        check_stores(env)
        ensure_database(env["ASSISTANT_DATABASE_URL"])
        ensure_database(env["ASSISTANT_TRACKER_DATABASE_URL"])
        for args in (["db", "upgrade"], ["members", "demo", "--if-empty"]):
            subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=env, check=True)

    def start(self) -> None:
        if not Path(NGINX).exists():
            raise ReplicasError(f"{NGINX} not found: run `make nginx` (Debian's nginx-light)")
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            path = self.prefix / "tmp" / sub
            path.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:  # nginx workers started by root run as nobody
                os.chown(path, pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid)
        for replica in self.replicas:
            self.start_replica(replica)
        for replica in self.replicas:
            self.wait_ready(replica)
        conf = self.write_config()
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"], start_new_session=True
        )
        time.sleep(0.5)
        if self.nginx.poll() is not None:
            raise ReplicasError(f"nginx exited with code {self.nginx.returncode} (see {self.prefix}/error.log)")

    def rolling_restart(self) -> None:
        """Each replica in turn: out of nginx, drained, stopped, started, back once healthy."""
        with self.restarting:
            status = self.prefix / "rolling.json"
            status.write_text(json.dumps({"state": "running", "started": time.time()}), encoding="utf-8")
            for replica in self.replicas:
                print(f"[replicas] rolling restart: {replica.name} out of nginx", flush=True)
                self.reload_nginx(down=replica.index)
                time.sleep(DRAIN_SECONDS)
                self.stop_replica(replica)
                self.start_replica(replica)
                self.wait_ready(replica)
                self.reload_nginx(down=None)
                print(f"[replicas] rolling restart: {replica.name} back", flush=True)
            status.write_text(json.dumps({"state": "done", "finished": time.time()}), encoding="utf-8")

    def watch(self) -> None:
        """Start again a replica whose ``bot serve`` exited (outside a rolling restart)."""
        if self.restarting.locked():
            return
        for replica in self.replicas:
            if replica.process is not None and replica.process.poll() is not None:
                print(f"[replicas] {replica.name} exited: starting it again", flush=True)
                self.start_replica(replica)
        if self.nginx is not None and self.nginx.poll() is not None:
            raise ReplicasError(f"nginx exited with code {self.nginx.returncode} (see {self.prefix}/error.log)")

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for replica in self.replicas:
            self.stop_replica(replica)


def run(settings: Settings, model: str | None = None) -> int:
    topology = Topology(settings, model)
    prefix = topology.prefix
    prefix.mkdir(parents=True, exist_ok=True)
    pid_file = prefix / "runner.pid"
    pid_file.write_text(str(os.getpid()), encoding="utf-8")
    restart_requested = threading.Event()

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous_term = signal.signal(signal.SIGTERM, _terminate)
    previous_hup = signal.signal(signal.SIGHUP, lambda *_: restart_requested.set())
    try:
        topology.prepare()
        topology.start()
        print(
            f"\n  nginx on http://127.0.0.1:{settings.port}/ in front of "
            + " and ".join(f"127.0.0.1:{r.port}" for r in topology.replicas)
            + f"\n  Web chat: http://localhost:{settings.port}/chat/"
            + "\n  Rolling restart: make rolling-restart (python -m bot replicas restart)"
            + f"\n  Logs: {prefix}/\n  Stop with Ctrl-C.\n",
            flush=True,
        )
        while True:
            if restart_requested.is_set():
                restart_requested.clear()
                threading.Thread(target=topology.rolling_restart, daemon=True).start()
            topology.watch()
            time.sleep(1.0)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        topology.stop()
        pid_file.unlink(missing_ok=True)
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGHUP, previous_hup)


def request_rolling_restart(settings: Settings, timeout: float = 2 * READY_TIMEOUT + 60) -> int:
    """Ask the running ``replicas run`` for a rolling restart and wait until it is done."""
    prefix = state_dir(settings)
    try:
        pid = int((prefix / "runner.pid").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ReplicasError(f"no `python -m bot replicas run` found ({prefix}/runner.pid)") from None
    status = prefix / "rolling.json"
    status.unlink(missing_ok=True)
    os.kill(pid, signal.SIGHUP)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if json.loads(status.read_text(encoding="utf-8")).get("state") == "done":
                print(f"rolling restart done in {time.monotonic() - started:.0f} s")
                return 0
        except (OSError, ValueError):
            pass
        time.sleep(1.0)
    raise ReplicasError(f"rolling restart not finished within {timeout:.0f} s (see {prefix}/)")


def _handle(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    settings = load_settings(ASSISTANT_PORT=args.port)
    try:
        if args.replicas_command == "run":
            return run(settings, args.model)
        if args.replicas_command == "config":
            topology = Topology(settings)
            print(nginx_config(topology.prefix, settings.port, topology.replicas), end="")
            return 0
        return request_rolling_restart(settings)
    except (ReplicasError, subprocess.CalledProcessError, sa.exc.SQLAlchemyError) as exc:
        raise CliError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("replicas", help="nginx in front of two replicas, and their rolling restart")
    parser.add_argument("replicas_command", choices=["run", "restart", "config"], help="run, restart or config")
    parser.add_argument("--port", type=int, default=None, help="public port of nginx (default 5005, ASSISTANT_PORT)")
    parser.add_argument("--model", default=None, help="model archive (default: the latest in models/)")
    parser.set_defaults(handler=_handle)


__all__ = ["Topology", "check_stores", "nginx_config", "register", "request_rolling_restart", "run"]
