"""``python -m bot telegram ...`` against the fake Bot API (and, for ``poll``, the running assistant)."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest

from tests.conftest import ROOT, free_port
from tests.telegram.conftest import SECRET, TOKEN, WEBHOOK
from tests.telegram.fake_bot_api import callback_update, text_update

pytestmark = [pytest.mark.conversation, pytest.mark.slow]


def run_cli(assistant, *args: str, timeout: float = 120, **env_changes: str | None) -> subprocess.CompletedProcess:
    env = dict(assistant.env)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "bot", "telegram", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_no_secret(done: subprocess.CompletedProcess) -> None:
    output = done.stdout + done.stderr
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert SECRET not in output
    assert "Traceback" not in output


def test_set_webhook_info_and_delete_webhook(telegram_assistant, fake_api):
    done = run_cli(telegram_assistant, "set-webhook")
    assert done.returncode == 0, done.stderr
    expected_url = f"http://127.0.0.1:{telegram_assistant.port}{WEBHOOK}"
    assert fake_api.webhook["url"] == expected_url
    assert fake_api.webhook["secret_token"] == SECRET
    assert fake_api.webhook["allowed_updates"] == ["message", "callback_query"]
    assert expected_url in done.stdout
    assert_no_secret(done)

    done = run_cli(telegram_assistant, "info")
    assert done.returncode == 0, done.stderr
    assert "@assistant_test_bot" in done.stdout
    assert expected_url in done.stdout
    assert "message, callback_query" in done.stdout
    assert "configured" in done.stdout
    assert_no_secret(done)

    done = run_cli(
        telegram_assistant, "set-webhook", "--url", "https://assistant.example.org/webhooks/telegram/webhook"
    )
    assert done.returncode == 0, done.stderr
    assert fake_api.webhook["url"] == "https://assistant.example.org/webhooks/telegram/webhook"

    done = run_cli(telegram_assistant, "delete-webhook")
    assert done.returncode == 0, done.stderr
    assert fake_api.webhook["url"] == ""
    assert "none" in run_cli(telegram_assistant, "info").stdout
    assert [c.method for c in fake_api.calls if c.method in {"setWebhook", "deleteWebhook"}][-3:] == [
        "setWebhook",
        "setWebhook",
        "deleteWebhook",
    ]


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["info"], {"TELEGRAM_TOKEN": None}, "TELEGRAM_TOKEN is not set"),
        (["poll"], {"TELEGRAM_TOKEN": None}, "TELEGRAM_TOKEN is not set"),
        (["set-webhook"], {"TELEGRAM_WEBHOOK_SECRET": None}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        (["poll"], {"TELEGRAM_WEBHOOK_SECRET": None}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        (["info"], {"TELEGRAM_TOKEN": "123456:WRONG"}, "rejected TELEGRAM_TOKEN"),
        (["set-webhook", "--url", "not a url"], {}, "not a web address"),
        (["info"], {"TELEGRAM_API_BASE_URL": "closed-port"}, "cannot reach the Telegram Bot API at 127.0.0.1"),
        (["delete-webhook"], {"TELEGRAM_API_BASE_URL": "closed-port"}, "cannot reach"),
    ],
    ids=[
        "info-no-token",
        "poll-no-token",
        "set-no-secret",
        "poll-no-secret",
        "wrong-token",
        "bad-url",
        "down",
        "down-delete",
    ],
)
def test_expected_failures_are_one_clear_line(telegram_assistant, fake_api, args, env, message):
    env = dict(env)
    if env.get("TELEGRAM_API_BASE_URL") == "closed-port":
        env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}/bot"
    done = run_cli(telegram_assistant, *args, **env)
    assert done.returncode == 1
    assert message in done.stderr
    assert done.stderr.startswith("error: ")
    assert_no_secret(done)


def test_poll_forwards_updates_to_the_running_assistant(telegram_assistant, fake_api):
    assert run_cli(telegram_assistant, "delete-webhook").returncode == 0
    chat_id = 20_000_000 + secrets.randbelow(10_000_000)
    start, press = text_update(chat_id, "/start"), callback_update(chat_id, "/contact")
    fake_api.queue_update(start)
    fake_api.queue_update(press)

    done = run_cli(telegram_assistant, "poll", "--timeout", "1", "--max-updates", "2", timeout=180)
    assert done.returncode == 0, done.stderr
    assert "single instance" in done.stderr
    assert "forwarded 2 update(s)" in done.stderr
    assert_no_secret(done)

    texts = [c.text for c in fake_api.calls_of("sendMessage", chat_id)]
    assert any("Bonjour" in text for text in texts)
    assert [c.params["callback_query_id"] for c in fake_api.calls_of("answerCallbackQuery")][-1] == (
        press["callback_query"]["id"]
    )
    # both updates were confirmed to Telegram (offset past the last one)
    assert fake_api.pending_updates() == []
    assert fake_api.calls_of("getUpdates")[-1].params["offset"] in (press["update_id"] + 1, str(press["update_id"] + 1))


def test_poll_refuses_while_a_webhook_is_set(telegram_assistant, fake_api):
    assert run_cli(telegram_assistant, "set-webhook").returncode == 0
    try:
        done = run_cli(telegram_assistant, "poll", "--timeout", "1", "--max-updates", "1")
        assert done.returncode == 1
        assert "delete-webhook" in done.stderr
    finally:
        assert run_cli(telegram_assistant, "delete-webhook").returncode == 0


def test_poll_stops_when_the_assistant_refuses_the_secret(telegram_assistant, fake_api):
    assert run_cli(telegram_assistant, "delete-webhook").returncode == 0
    fake_api.queue_update(text_update(30_000_000 + secrets.randbelow(1_000_000), "bonjour"))
    done = run_cli(
        telegram_assistant, "poll", "--timeout", "1", "--max-updates", "1", TELEGRAM_WEBHOOK_SECRET="other-secret"
    )
    assert done.returncode == 1
    assert "403" in done.stderr and "TELEGRAM_WEBHOOK_SECRET differs" in done.stderr
    assert "other-secret" not in done.stderr
    # the refused update was not confirmed: the next (correct) poller gets it
    assert len(fake_api.pending_updates()) == 1
    done = run_cli(telegram_assistant, "poll", "--timeout", "1", "--max-updates", "1")
    assert done.returncode == 0, done.stderr
    assert fake_api.pending_updates() == []
