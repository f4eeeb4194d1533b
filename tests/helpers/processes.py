"""The child processes of a started ``python -m bot serve`` (read from /proc, Linux)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import List


def children(pid: int) -> List[int]:
    """Pids whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def child_with(pid: int, needle: str, timeout: float = 0.0) -> int | None:
    """The child of ``pid`` whose command line contains ``needle`` (waiting up to ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        for child in children(pid):
            if needle in cmdline(child):
                return child
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def kill(pid: int) -> None:
    """SIGKILL ``pid`` (a crash: no clean-up of any kind)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
