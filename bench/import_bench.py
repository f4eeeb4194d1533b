"""Benchmark of the member import: 100 000 generated rows into SQLite.

Writes a CSV of valid fictional members (NIR keys computed, birth dates and
departments consistent, example.org addresses) in a temporary folder,
migrates an empty SQLite store there, imports the file twice (the second
run must report every row unchanged) and prints, for each run, the wall
time, the rows per second and the memory: the process RSS before the run
and its peak during the run (sampled every 50 ms with psutil; worker
processes counted by their unshared memory), plus the CPU time used.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--batch-size 2000]

Figures are recorded in bench/README.md ("Member import").
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.store import migrate  # noqa: E402
from bot.store.db import make_engine  # noqa: E402
from bot.store.importer import import_members  # noqa: E402

HEADER = "adherent_number,nir,birth_date,birth_department,last_name,first_name,email,mobile,access_code\n"
# metropolitan departments without Corsica (2A/2B/20) nor the historical-code cases
DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20]
LAST_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Le Gall", "Moreau")
FIRST_NAMES = ("Jean", "Marie", "Pierre", "Sophie", "Luc", "Claire", "Paul", "Anne", "Marie-Hélène", "Karim")
SECRET_KEY = secrets.token_urlsafe(32)  # throw-away key for the throw-away store


def generate(path: Path, rows: int, seed: int = 42) -> None:
    """Write ``rows`` valid member rows (streamed: constant memory)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for i in range(rows):
            sex = rng.choice("12")
            year = rng.randint(1970, 2005)
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)
            department = rng.choice(DEPARTMENTS)
            body = f"{sex}{year % 100:02d}{month:02d}{department}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
            nir = f"{body}{97 - int(body) % 97:02d}"
            last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
            code = f"SMIE-{rng.randint(1000, 9999)}" if i % 4 == 0 else ""
            handle.write(
                f"{500000 + i},{nir},{year}-{month:02d}-{day:02d},{department},{last},{first},"
                f"member{i}@example.org,06 12 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d},{code}\n"
            )


class PeakRss:
    """Sample the memory of this process (RSS) plus its forked workers in a thread.

    A worker is counted by its USS (the pages it does not share with this
    process), since forked processes share most of their RSS.  ``peak`` in bytes.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.process = psutil.Process(os.getpid())
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> int:
        total = self.process.memory_info().rss
        for child in self.process.children(recursive=True):
            try:
                total += child.memory_full_info().uss
            except psutil.Error:  # the worker just ended
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _mb(value: int) -> str:
    return f"{value / 1024 / 1024:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None, help="validation processes (default: automatic)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        csv_path = Path(folder) / "members.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows)
        print(
            f"generated {args.rows} rows ({csv_path.stat().st_size / 1024 / 1024:.1f} MiB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        url = f"sqlite:///{Path(folder) / 'store.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        failures = 0
        for label in ("first import", "re-import"):
            before = psutil.Process(os.getpid()).memory_info().rss
            with PeakRss() as rss:
                started, cpu = time.perf_counter(), _cpu_seconds()
                report = import_members(
                    csv_path, engine=engine, secret_key=SECRET_KEY, batch_size=args.batch_size, workers=args.workers
                )
                wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
            print(
                f"{label}: {report.summary()}; {wall:.1f} s wall ({cpu:.1f} s CPU), {report.rows / wall:,.0f} rows/s; "
                f"RSS {_mb(before)} before, peak {_mb(rss.peak)} (+{_mb(rss.peak - before)})"
            )
            expected_changes = args.rows if label == "first import" else 0
            if report.refused or report.added != expected_changes:
                failures += 1
            if wall > 60:
                failures += 1
        engine.dispose()
    print("OK" if not failures else "FAILED (refusals, unexpected counts or over 60 s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
