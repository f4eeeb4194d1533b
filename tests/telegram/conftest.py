"""Fixtures for the Telegram tests: the fake Bot API and an assistant wired to it.

``telegram_assistant`` is the real ``python -m bot serve`` (tenant miel) with
``TELEGRAM_TOKEN``, ``TELEGRAM_WEBHOOK_SECRET`` and ``TELEGRAM_API_BASE_URL``
pointing at the fake server: updates are POSTed to its webhook and the
replies are read from the fake server's call log.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, Tuple

import pytest

from tests.conftest import Assistant, start_assistant, stop_assistant
from tests.telegram.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST-token_for_the_fake_api"
SECRET = "s3cret"
WEBHOOK = "/webhooks/telegram/webhook"


@pytest.fixture(scope="session")
def fake_api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture(scope="session")
def telegram_assistant(tmp_path_factory: pytest.TempPathFactory, fake_api: FakeBotApi) -> Iterator[Assistant]:
    assistant = start_assistant(
        tmp_path_factory.mktemp("telegram"),
        "miel",
        extra_env={
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": fake_api.base_url,
        },
    )
    yield assistant
    stop_assistant(assistant)


def post_update(
    assistant: Assistant, update: Dict[str, Any], secret: str | None = SECRET, body: bytes | None = None
) -> Tuple[int, Any]:
    """POST an update to the assistant's Telegram webhook; (status, decoded JSON body)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"{assistant.base_url}{WEBHOOK}",
        data=body if body is not None else json.dumps(update).encode("utf-8"),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=90) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except ValueError:
            return exc.code, raw.decode("utf-8", "replace")


def tracker_events(assistant: Assistant, sender_id: str) -> list:
    """Events stored for ``sender_id`` in the assistant's tracker store (SQLite or PostgreSQL)."""
    return assistant.stored_events(sender_id)
