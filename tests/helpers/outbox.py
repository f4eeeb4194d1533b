"""Reading the outbox file (one JSON record a line) where messages go when no
SMTP server or SMS provider is configured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_outbox(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
