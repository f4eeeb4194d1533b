"""Benchmark our assistant against the stock ``rasa init`` bot, in one run.

For each bot: training time, time from start to ready, per-turn latency
(p50/p95) over REST at 1 and at N concurrent conversations, turns per
second, and peak RSS of its server processes. ``make bench`` runs it.

- Stock bot: ``rasa init --no-prompt --init-dir <tmp>/stock``. Its
  config.yml leaves ``pipeline:``/``policies:`` empty, so Rasa fills in its
  default.v1 configuration (DIET 100 epochs, ResponseSelector 100 epochs,
  UnexpecTEDIntentPolicy and TEDPolicy 100 epochs each, Memoization, Rule).
  The timed training is ``rasa init`` itself: it copies the scaffold
  (< 0.1 s) then calls the same ``rasa.train()`` as ``rasa train``.
  ``--retrain-stock`` deletes that model and times a separate ``rasa train``.
  Served with ``rasa run`` (REST channel of its credentials.yml, in-memory
  tracker store, no action server).
- Our bot: ``rasa train`` (config.yml, domain.yml, data/: Rasa's defaults)
  into a fresh output folder, served by ``python -m bot serve`` (action
  server + Rasa server) with its own temporary SQLite stores and outbox,
  migrated and seeded with the demo members like tests/conftest.py.
- Training from scratch: each training gets an empty Rasa cache
  (RASA_CACHE_DIRECTORY) and an empty output folder.
- Ready: from process start to the first REST reply received (non-empty).
- Latency: POST /webhooks/rest/webhook, one sender id per conversation,
  after two warm-up conversations that are not counted. Our bot only takes
  conversation ids it issued: each conversation first gets one from
  POST /webhooks/rest/session (not timed); the stock bot takes any id.
- RSS: every process of each bot's tree sampled every 0.2 s; peak of the
  sum and of each process. Also the peak RSS of each training.

The servers run one after the other, never together. Traffic goes to
127.0.0.1 only. Every child runs in its own process group and is killed on
exit, Ctrl-C or error. Writes bench/results/latest.json.

    .venv/bin/python bench/run_bench.py [--turns 300] [--concurrency 20] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from importlib.metadata import version
from pathlib import Path
from typing import Any, Dict, List, Tuple

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RASA = str(Path(PY).with_name("rasa"))
SCRIPTS = {
    "ours": ["bonjour", "quels sont vos horaires ?", "comment activer mon compte", "merci", "au revoir"],
    "stock": ["hello", "I am sad", "yes", "bye"],
}
TARGETS = {"training_s": 180.0, "ready_s": 30.0, "rss_mb": 1200.0}
MB = 1e6


class BenchError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _label(proc: psutil.Process) -> str:
    cmd = " ".join(proc.cmdline())
    for needle, label in (
        ("rasa_sdk", "action server"),
        ("bot serve", "bot serve (supervisor)"),
        (" run", "rasa run"),
        (" train", "rasa train"),
        (" init", "rasa init"),
    ):
        if needle in cmd:
            return label
    return proc.name()


class Sampler(threading.Thread):
    """Samples the RSS of registered process trees every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.roots: Dict[str, int] = {}
        self.peaks: Dict[str, Dict[str, float]] = {}
        self.halt = threading.Event()

    def watch(self, name: str, pid: int) -> None:
        self.roots[name] = pid
        self.peaks.setdefault(name, {"total": 0.0})

    def run(self) -> None:
        while not self.halt.wait(0.2):
            for name, pid in list(self.roots.items()):
                by_label: Dict[str, float] = {}
                try:
                    root = psutil.Process(pid)
                    for proc in [root, *root.children(recursive=True)]:
                        label = _label(proc)
                        by_label[label] = by_label.get(label, 0.0) + proc.memory_info().rss / MB
                except psutil.Error:
                    continue  # a process ended between listing and reading
                peaks = self.peaks[name]
                peaks["total"] = max(peaks["total"], sum(by_label.values()))
                for label, rss in by_label.items():
                    peaks[label] = max(peaks.get(label, 0.0), rss)


class Children:
    """Every child process, each in its own session, stopped together."""

    def __init__(self, sampler: Sampler) -> None:
        self.procs: List[subprocess.Popen] = []
        self.sampler = sampler
        self.timings: Dict[str, Dict[str, float]] = {}

    def start(self, name: str, cmd: List[str], cwd: Path, env: Dict[str, str], log: Path) -> subprocess.Popen:
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        self.sampler.watch(name, proc.pid)
        return proc

    def run_timed(self, name: str, cmd: List[str], cwd: Path, env: Dict[str, str], log: Path) -> float:
        """Run to completion; wall time returned, CPU time (user + sys) and load average kept in timings."""
        print(f"[bench] {name}: {' '.join(cmd)}", flush=True)
        load_start, cpu_before = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = self.start(name, cmd, cwd, env, log)
        proc.wait()
        wall = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.sampler.roots.pop(name, None)
        if proc.returncode != 0:
            raise BenchError(f"{name} failed (exit {proc.returncode}):\n{tail(log)}")
        cpu = cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
        self.timings[name] = {
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "load_avg_start": load_start,
            "load_avg_end": os.getloadavg()[0],
        }
        return wall

    def stop(self, proc: subprocess.Popen, grace: float = 20.0) -> None:
        try:  # `bot serve` puts its servers in sessions of their own: remember them
            descendants = psutil.Process(proc.pid).children(recursive=True)
        except psutil.Error:
            descendants = []
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            except ProcessLookupError:
                pass
        try:  # anything left in the group
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for child in psutil.wait_procs(descendants, timeout=grace)[1]:
            child.kill()

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""


def base_env(cache: Path) -> Dict[str, str]:
    drop = ("SMTP_", "SMS_", "TELEGRAM_", "TWILIO_", "ASSISTANT_", "RASA_", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONUNBUFFERED="1",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        RASA_CACHE_DIRECTORY=str(cache),
    )
    return env


def say(url: str, sender: str, text: str, timeout: float = 10.0) -> list:
    request = urllib.request.Request(
        url, data=json.dumps({"sender": sender, "message": text}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - 127.0.0.1 only
        return json.load(resp)


def issued_sender(session_url: str, timeout: float = 10.0) -> str:
    """A conversation id issued by our bot (POST /webhooks/rest/session)."""
    request = urllib.request.Request(session_url, data=b"{}", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - 127.0.0.1 only
        return json.load(resp)["sender"]


def wait_ready(
    proc: subprocess.Popen,
    started: float,
    url: str,
    text: str,
    log: Path,
    timeout: float,
    session_url: str | None = None,
) -> float:
    """Seconds from ``started`` (just before the process was spawned) to the first non-empty REST reply."""
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise BenchError(f"server exited with code {proc.returncode} during start-up:\n{tail(log)}")
        try:
            sender = issued_sender(session_url) if session_url else "bench-ready-probe"
            if say(url, sender, text):
                return time.perf_counter() - started
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.25)
    raise BenchError(f"no REST reply within {timeout:.0f} s:\n{tail(log)}")


async def _load(
    url: str, script: List[str], conversations: int, concurrency: int, session_url: str | None = None
) -> Dict[str, Any]:
    latencies: List[float] = []
    per_message: Dict[str, List[float]] = {text: [] for text in script}
    errors = 0
    pending = list(range(conversations))
    run_id = secrets.token_hex(3)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while pending:
            sender = f"bench-{run_id}-c{concurrency}-{pending.pop()}"
            if session_url:  # our bot: an issued conversation id, fetched before the timed turns
                try:
                    async with session.post(session_url, json={}) as resp:
                        sender = (await resp.json(content_type=None))["sender"]
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError):
                    errors += len(script)
                    continue
            for text in script:
                started = time.perf_counter()
                try:
                    async with session.post(url, json={"sender": sender, "message": text}) as resp:
                        ok = resp.status == 200 and bool(await resp.json(content_type=None))
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    ok = False
                latencies.append(time.perf_counter() - started)
                per_message[text].append(latencies[-1])
                errors += not ok

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=300)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "turns": len(latencies),
        "errors": errors,
        "wall_s": round(wall, 2),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "turns_per_s": round(len(latencies) / wall, 2),
        "p50_ms_by_message": {t: round(statistics.median(v) * 1000, 1) for t, v in per_message.items() if v},
    }


def measure_server(
    name: str,
    children: Children,
    cmd: List[str],
    cwd: Path,
    env: Dict[str, str],
    port: int,
    work: Path,
    args: argparse.Namespace,
) -> Dict[str, Any]:
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    session_url = f"http://127.0.0.1:{port}/webhooks/rest/session" if name == "ours" else None
    script = SCRIPTS[name]
    log = work / f"{name}-server.log"
    print(f"[bench] {name}: starting {' '.join(cmd)}", flush=True)
    started = time.perf_counter()
    proc = children.start(f"{name} server", cmd, cwd, env, log)
    ready_s = wait_ready(proc, started, url, script[0], log, args.ready_timeout, session_url)
    result: Dict[str, Any] = {"ready_s": round(ready_s, 2)}
    print(f"[bench] {name}: ready after {result['ready_s']} s", flush=True)
    asyncio.run(_load(url, script, 2, 1, session_url))  # warm-up, not counted
    for concurrency in (1, args.concurrency):
        conversations = math.ceil(args.turns / len(script))
        result[f"c{concurrency}"] = asyncio.run(_load(url, script, conversations, concurrency, session_url))
        print(f"[bench] {name}: {concurrency} concurrent: {json.dumps(result[f'c{concurrency}'])}", flush=True)
    children.stop(proc)
    children.sampler.roots.pop(f"{name} server", None)
    return result


def train_stock(children: Children, work: Path, retrain: bool) -> Tuple[Path, float]:
    stock = work / "stock"
    stock.mkdir()
    env = base_env(work / "cache-stock")
    seconds = children.run_timed(
        "stock training", [RASA, "init", "--no-prompt", "--init-dir", str(stock)], work, env, work / "stock-init.log"
    )
    if retrain:
        shutil.rmtree(stock / "models")
        env = base_env(work / "cache-stock-retrain")
        seconds = children.run_timed("stock training", [RASA, "train"], stock, env, work / "stock-train.log")
    return stock, seconds


def run(args: argparse.Namespace, work: Path, children: Children) -> Dict[str, Any]:
    results: Dict[str, Any] = {"ours": {}, "stock": {}}
    stock, results["stock"]["training_s"] = train_stock(children, work, args.retrain_stock)
    ours_env = base_env(work / "cache-ours")
    ours_env["PYTHONPATH"] = str(ROOT)
    results["ours"]["training_s"] = children.run_timed(
        "ours training",
        [
            RASA,
            "train",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--out",
            str(work / "models-ours"),
        ],
        ROOT,
        ours_env,
        work / "ours-train.log",
    )
    for name in ("stock", "ours"):
        print(f"[bench] {name}: trained in {results[name]['training_s']:.1f} s", flush=True)

    port = free_port()
    stock_cmd = [
        RASA,
        "run",
        "--model",
        "models",
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
    ]
    results["stock"].update(
        measure_server("stock", children, stock_cmd, stock, base_env(work / "cache-stock"), port, work, args)
    )

    var = work / "ours-var"
    var.mkdir()
    port, actions_port = free_port(), free_port()
    ours_env.update(
        {
            "ASSISTANT_TENANT": args.tenant,
            "ASSISTANT_VAR_DIR": str(var),
            "ASSISTANT_DATABASE_URL": f"sqlite:///{var / 'assistant.db'}",
            "ASSISTANT_TRACKER_DATABASE_URL": f"sqlite:///{var / 'conversations.db'}",
            "ASSISTANT_OUTBOX": str(var / "outbox.jsonl"),
            "ASSISTANT_SECRET_KEY": "bench-" + secrets.token_hex(16),
            "ASSISTANT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
    )
    for step in (["db", "upgrade"], ["members", "demo"]):
        children.run_timed(f"ours {' '.join(step)}", [PY, "-m", "bot", *step], ROOT, ours_env, work / "ours-setup.log")
    model = next((work / "models-ours").glob("*.tar.gz"))
    ours_cmd = [
        PY,
        "-m",
        "bot",
        "serve",
        "--model",
        str(model),
        "--port",
        str(port),
        "--actions-port",
        str(actions_port),
    ]
    results["ours"].update(measure_server("ours", children, ours_cmd, ROOT, ours_env, port, work, args))
    return results


def source_state() -> Dict[str, str]:
    """The commit measured, and whether config/domain/data differ from it."""

    def git(*cmd: str) -> str:
        done = subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else "?"

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_training_inputs": git("status", "--porcelain", "--", "config.yml", "domain.yml", "data"),
    }


def machine() -> Dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "python": sys.version.split()[0],
        "rasa": version("rasa"),
        "load_avg_start": os.getloadavg(),
    }


def verdicts(results: Dict[str, Any], concurrency: int) -> Dict[str, bool]:
    ours, stock = results["ours"], results["stock"]
    return {
        "training_s": ours["training_s"] <= TARGETS["training_s"],
        "ready_s": ours["ready_s"] <= TARGETS["ready_s"],
        "p50_c1": ours["c1"]["p50_ms"] <= stock["c1"]["p50_ms"],
        f"p50_c{concurrency}": ours[f"c{concurrency}"]["p50_ms"] <= stock[f"c{concurrency}"]["p50_ms"],
        "rss_mb": ours["rss_mb"]["total"] <= TARGETS["rss_mb"],
    }


def markdown(report: Dict[str, Any], concurrency: int) -> str:
    ours, stock, met = report["results"]["ours"], report["results"]["stock"], report["targets_met"]
    yes = {True: "yes", False: "**no**"}

    def procs(rss: Dict[str, float]) -> str:
        return ", ".join(f"{k} {v:.0f}" for k, v in sorted(rss.items(), key=lambda kv: -kv[1]) if k != "total")

    rows = [
        (
            "training from scratch",
            f"{ours['training_s']:.0f} s",
            f"{stock['training_s']:.0f} s",
            "≤ 180 s",
            yes[met["training_s"]],
        ),
        (
            "start → first REST reply",
            f"{ours['ready_s']:.1f} s",
            f"{stock['ready_s']:.1f} s",
            "≤ 30 s",
            yes[met["ready_s"]],
        ),
    ]
    for c in (1, concurrency):
        o, s = ours[f"c{c}"], stock[f"c{c}"]
        rows.append(
            (
                f"per turn p50 / p95, {c} concurrent",
                f"{o['p50_ms']:.0f} / {o['p95_ms']:.0f} ms",
                f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f} ms",
                "p50 ≤ stock",
                yes[met[f"p50_c{c}"]],
            )
        )
        rows.append(
            (
                f"turns/s, {c} concurrent ({o['turns']} / {s['turns']} turns, errors {o['errors']} / {s['errors']})",
                f"{o['turns_per_s']:.1f}",
                f"{s['turns_per_s']:.1f}",
                "",
                "",
            )
        )
    rows += [
        (
            "training CPU time (user + sys)",
            f"{ours['training_detail']['cpu_s']:.0f} s",
            f"{stock['training_detail']['cpu_s']:.0f} s",
            "",
            "",
        ),
        (
            "peak RSS of the server tree",
            f"{ours['rss_mb']['total']:.0f} MB",
            f"{stock['rss_mb']['total']:.0f} MB",
            "≤ 1 200 MB",
            yes[met["rss_mb"]],
        ),
        ("peak RSS per process (MB)", procs(ours["rss_mb"]), procs(stock["rss_mb"]), "", ""),
        ("peak RSS while training", f"{ours['training_rss_mb']:.0f} MB", f"{stock['training_rss_mb']:.0f} MB", "", ""),
    ]
    lines = ["| | ours | stock `rasa init` | target | met |", "| --- | ---: | ---: | --- | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="turns per setting (default 300)")
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent conversations (default 20)")
    parser.add_argument("--tenant", default="miel", help="our tenant profile (default miel)")
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    parser.add_argument("--retrain-stock", action="store_true", help="time a separate `rasa train` of the stock bot")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (models, logs)")
    args = parser.parse_args()

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    work = Path(tempfile.mkdtemp(prefix="rasa-bench-"))
    sampler = Sampler()
    sampler.start()
    children = Children(sampler)
    report: Dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "source": source_state(),
        "turns": args.turns,
        "concurrency": args.concurrency,
        "targets": TARGETS,
    }
    try:
        results = run(args, work, children)
    except KeyboardInterrupt:
        print("\n[bench] interrupted", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"[bench] failed: {exc}\n[bench] logs in {work}", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        children.stop_all()
        sampler.halt.set()
        sampler.join()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for name in ("ours", "stock"):
        results[name]["rss_mb"] = {k: round(v, 1) for k, v in sampler.peaks[f"{name} server"].items()}
        results[name]["training_rss_mb"] = round(sampler.peaks[f"{name} training"]["total"], 1)
        results[name]["training_s"] = round(results[name]["training_s"], 1)
        results[name]["training_detail"] = children.timings[f"{name} training"]
    report["machine"]["load_avg_end"] = os.getloadavg()
    report["results"] = results
    report["targets_met"] = verdicts(results, args.concurrency)
    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    m = report["machine"]
    print(
        f"\n{report['date']}, {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"Rasa {m['rasa']}, load average {m['load_avg_start'][0]:.1f} → {m['load_avg_end'][0]:.1f}\n"
    )
    print(
        f"Commit {report['source']['commit']}"
        + (" (config/domain/data modified)" if report["source"]["uncommitted_training_inputs"] else "")
        + "\n"
    )
    print(markdown(report, args.concurrency))
    print(f"\n[bench] written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
