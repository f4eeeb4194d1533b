"""Load and soak: two replicas behind nginx against one replica, in the same run (issue 18).

Phase 1, ``python -m bot replicas run`` (nginx on 127.0.0.1 in front of two
``bot serve`` replicas sharing PostgreSQL and Redis); halfway through, a
rolling restart of both replicas (``python -m bot replicas restart``) while
the load goes on. Phase 2, one ``bot serve`` on the same stores (same lock
store), no nginx. Each phase: ``--conversations`` concurrent conversations
(20) for ``--minutes`` (10), closed loop (each conversation sends its next
message when it got the reply), five messages per conversation then a new
conversation id: "bonjour", "quels sont vos horaires ?", "comment activer
mon compte", "merci", "au revoir" (the messages of bench/run_bench.py).

Measured per phase: turns, turns/s, errors (HTTP error, no reply, or the
apology of a degraded service), p50/p95 latency, lost turns (a message
answered 200 whose user event is not in the conversation store), RSS of the
whole process tree (nginx, supervisors, Rasa servers, action servers) at the
start and at the end of the load; for phase 1 also the errors and p95 during
the rolling restart. Writes bench/results/soak-latest.json.

    .venv/bin/python bench/soak.py [--minutes 10] [--conversations 20] [--no-single] [--no-rolling-restart]

Needs PostgreSQL and Redis on 127.0.0.1 (``--database-url``, ``--redis-url``;
the database is created if missing) and nginx (``make nginx``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.replicas import ensure_database  # noqa: E402 - after the path setup
from bot.service_status import SERVICE_APOLOGY  # noqa: E402

MESSAGES = ["bonjour", "quels sont vos horaires ?", "comment activer mon compte", "merci", "au revoir"]


def tree_rss_mb(root_pid: int) -> float:
    """Sum of the RSS of ``root_pid`` and all its descendants, in MB (/proc)."""
    parents: Dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:  # noqa: S310
                body = json.load(resp)
                if body.get("model_loaded") and body.get("status") == "ok":
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(1.0)
    raise RuntimeError(f"not ready on port {port} within {timeout:.0f} s")


class Load:
    """Closed-loop conversations against one base URL; records every turn."""

    def __init__(self, base: str, conversations: int) -> None:
        self.base = base
        self.conversations = conversations
        self.turns: List[Dict[str, Any]] = []  # {t, latency, ok, kind}
        self.answered: Dict[str, int] = {}  # sender -> messages answered 200
        self.stop = False

    async def _conversation(self, session: aiohttp.ClientSession, worker: int) -> None:
        while not self.stop:
            try:
                async with session.post(f"{self.base}/webhooks/rest/session", json={}) as resp:
                    sender = (await resp.json())["sender"]
            except Exception:  # noqa: BLE001 - counted as an error turn
                self.turns.append({"t": time.time(), "latency": 0.0, "ok": False, "kind": "session"})
                await asyncio.sleep(0.5)
                continue
            ip = f"10.77.{worker}.{secrets.randbelow(250) + 1}"
            for message in MESSAGES:
                if self.stop:
                    return
                started = time.perf_counter()
                kind = "ok"
                try:
                    async with session.post(
                        f"{self.base}/webhooks/rest/webhook",
                        json={"sender": sender, "message": message},
                        headers={"X-Forwarded-For": ip},
                    ) as resp:
                        body = await resp.json() if resp.status == 200 else None
                        if resp.status != 200:
                            kind = f"http_{resp.status}"
                        elif not any(r.get("text") for r in body):
                            kind = "no_reply"
                        elif any(r.get("text") == SERVICE_APOLOGY for r in body):
                            kind = "apology"
                        if resp.status == 200:
                            self.answered[sender] = self.answered.get(sender, 0) + 1
                except Exception as error:  # noqa: BLE001 - counted as an error turn
                    kind = type(error).__name__
                self.turns.append(
                    {"t": time.time(), "latency": time.perf_counter() - started, "ok": kind == "ok", "kind": kind}
                )

    async def run(self, seconds: float) -> None:
        timeout = aiohttp.ClientTimeout(total=120)
        connector = aiohttp.TCPConnector(limit=self.conversations * 2)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            tasks = [asyncio.create_task(self._conversation(session, i)) for i in range(self.conversations)]
            await asyncio.sleep(seconds)
            self.stop = True
            await asyncio.gather(*tasks)


def percentile(values: List[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarise(turns: List[Dict[str, Any]], seconds: float) -> Dict[str, Any]:
    latencies = [turn["latency"] * 1000 for turn in turns if turn["ok"]]
    errors: Dict[str, int] = {}
    for turn in turns:
        if not turn["ok"]:
            errors[turn["kind"]] = errors.get(turn["kind"], 0) + 1
    return {
        "turns": len(turns),
        "turns_per_s": round(len(turns) / seconds, 2) if seconds else 0,
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


def lost_turns(tracker_url: str, answered: Dict[str, int]) -> Dict[str, int]:
    """Messages answered 200 whose user event is missing from the conversation store."""
    engine = sa.create_engine(tracker_url, future=True)
    lost, checked = 0, 0
    try:
        with engine.connect() as connection:
            for sender, count in answered.items():
                stored = connection.execute(
                    sa.text("select count(*) from events where sender_id = :s and type_name = 'user'"), {"s": sender}
                ).scalar()
                checked += count
                lost += max(0, count - int(stored or 0))
    finally:
        engine.dispose()
    return {"checked": checked, "lost": lost}


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def phase(
    name: str,
    cmd: List[str],
    env: Dict[str, str],
    port: int,
    args: argparse.Namespace,
    log: Path,
    rolling_restart: bool = False,
) -> Dict[str, Any]:
    print(f"== {name}: starting ({' '.join(cmd[2:])})", flush=True)
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(port, process)
        seconds = args.minutes * 60
        load = Load(f"http://127.0.0.1:{port}", args.conversations)
        rss_start = tree_rss_mb(process.pid)
        load_start = load_average()
        restart: Dict[str, Any] = {}

        def _restart() -> None:
            time.sleep(seconds / 2 - 30 if seconds > 120 else seconds / 4)
            restart["start"] = time.time()
            done = subprocess.run(
                [sys.executable, "-m", "bot", "replicas", "restart"], cwd=ROOT, env=env, capture_output=True, text=True
            )
            restart["end"] = time.time()
            restart["returncode"] = done.returncode
            restart["output"] = (done.stdout + done.stderr).strip()[-500:]

        thread = threading.Thread(target=_restart, daemon=True) if rolling_restart else None
        if thread:
            thread.start()
        print(f"== {name}: load for {args.minutes} min, {args.conversations} conversations", flush=True)
        started = time.monotonic()
        asyncio.run(load.run(seconds))
        elapsed = time.monotonic() - started
        rss_end = tree_rss_mb(process.pid)
        if thread:
            thread.join(timeout=900)
        result = {
            "phase": name,
            **summarise(load.turns, elapsed),
            **lost_turns(env["ASSISTANT_TRACKER_DATABASE_URL"], load.answered),
            "rss_start_mb": round(rss_start),
            "rss_end_mb": round(rss_end),
            "load_average_start": load_start,
            "load_average_end": load_average(),
        }
        if restart.get("start"):
            during = [t for t in load.turns if restart["start"] <= t["t"] <= restart.get("end", time.time())]
            result["rolling_restart"] = {
                "seconds": round(restart.get("end", 0) - restart["start"], 1),
                "returncode": restart.get("returncode"),
                "output": restart.get("output"),
                **summarise(during, max(1.0, restart.get("end", 0) - restart["start"])),
            }
        print(json.dumps(result, indent=2), flush=True)
        return result
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="load duration of each phase (10)")
    parser.add_argument("--conversations", type=int, default=20, help="concurrent conversations (20)")
    parser.add_argument("--port", type=int, default=5405, help="public port of phase 1 (nginx); phase 2 uses port+10")
    parser.add_argument("--database-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/bench_soak")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--no-single", action="store_true", help="skip phase 2 (one replica)")
    parser.add_argument("--no-rolling-restart", action="store_true", help="no rolling restart in phase 1")
    args = parser.parse_args()

    ensure_database(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    env = dict(os.environ)
    env.update(
        {
            "ASSISTANT_DATABASE_URL": args.database_url,
            "ASSISTANT_TRACKER_DATABASE_URL": args.database_url,
            "ASSISTANT_LOCK_STORE_URL": args.redis_url,
            "ASSISTANT_VAR_DIR": str(work),
            "ASSISTANT_OUTBOX": str(work / "outbox.jsonl"),
            "ASSISTANT_SECRET_KEY": "soak-" + secrets.token_hex(16),
            "ASSISTANT_TRUSTED_PROXIES": "127.0.0.1",
            # the bench plays many members from a few addresses: limits out of the way
            "ASSISTANT_LIMIT_CLIENT_ATTEMPTS": "100000",
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(), "phases": []}
    env1 = {**env, "ASSISTANT_PORT": str(args.port), "ASSISTANT_ACTIONS_PORT": str(args.port + 50)}
    results["phases"].append(
        phase(
            "two replicas behind nginx",
            [sys.executable, "-m", "bot", "replicas", "run"],
            env1,
            args.port,
            args,
            work / "replicas.log",
            rolling_restart=not args.no_rolling_restart,
        )
    )
    if not args.no_single:
        port = args.port + 10
        env2 = {**env, "ASSISTANT_PORT": str(port), "ASSISTANT_ACTIONS_PORT": str(port + 50)}
        results["phases"].append(
            phase("one replica", [sys.executable, "-m", "bot", "serve"], env2, port, args, work / "single.log")
        )
    out = ROOT / "bench" / "results" / "soak-latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"written {out}; logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
