"""Privacy settings: where the application key may come from, older keys for
reading, retention defaults, ASSISTANT_LOG_LEVEL, and the outbox file refused
in production."""

from __future__ import annotations

import pytest

from bot.notify.base import DeliveryError, Email, Sms
from bot.notify.outbox import RefusedOutboxFile
from bot.serve import child_environment
from bot.settings import SettingsError, load_settings

KEY = "k" * 32


def test_https_refuses_a_key_generated_in_the_data_directory(tmp_path):
    env = {"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_PUBLIC_URL": "https://assistant.example.org"}
    with pytest.raises(SettingsError, match="ASSISTANT_SECRET_KEY.*outside the data directory"):
        load_settings(env)
    # a key file inside the data directory is refused too
    inside = tmp_path / "keys.txt"
    inside.write_text(KEY + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="not from"):
        load_settings({**env, "ASSISTANT_SECRET_KEY_FILE": str(inside)})


def test_https_accepts_a_key_from_the_environment_or_a_file_elsewhere(tmp_path):
    var = tmp_path / "var"
    env = {"ASSISTANT_VAR_DIR": str(var), "ASSISTANT_PUBLIC_URL": "https://assistant.example.org"}
    assert load_settings({**env, "ASSISTANT_SECRET_KEY": KEY}).secret_key_source == "environment"
    keys = tmp_path / "etc" / "keys.txt"
    keys.parent.mkdir()
    keys.write_text("# newest first\nnew-key-0123456789abcdef\nold-key-0123456789abcdef\n", encoding="utf-8")
    settings = load_settings({**env, "ASSISTANT_SECRET_KEY_FILE": str(keys)})
    assert settings.secret_key == "new-key-0123456789abcdef"
    assert settings.secret_keys == ("new-key-0123456789abcdef", "old-key-0123456789abcdef")
    assert not (var / "secret.key").exists()


def test_http_keeps_the_generated_laptop_key(tmp_path):
    settings = load_settings({"ASSISTANT_VAR_DIR": str(tmp_path)})
    assert settings.secret_key_source == "data directory" and (tmp_path / "secret.key").exists()


def test_previous_keys_are_accepted_for_reading(tmp_path):
    settings = load_settings(
        {"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_SECRET_KEY": KEY, "ASSISTANT_SECRET_KEYS_PREVIOUS": "o" * 20}
    )
    assert settings.secret_keys == (KEY, "o" * 20)
    with pytest.raises(SettingsError, match="ASSISTANT_SECRET_KEYS_PREVIOUS"):
        load_settings({"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_SECRET_KEYS_PREVIOUS": "short"})


def test_retention_defaults_and_bounds(tmp_path):
    settings = load_settings({"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_SECRET_KEY": KEY})
    assert (settings.retention.conversations_days, settings.retention.audit_days) == (30, 365)
    assert (settings.retention.outbox_days, settings.retention.tickets_days) == (7, 365)
    with pytest.raises(SettingsError, match="ASSISTANT_RETENTION_AUDIT_DAYS"):
        load_settings({"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_RETENTION_AUDIT_DAYS": "0"})


def test_log_level_reaches_both_servers(tmp_path):
    settings = load_settings({"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_LOG_LEVEL": "warning"})
    env = child_environment(settings)
    assert env["LOG_LEVEL"] == "WARNING" and env["ASSISTANT_LOG_LEVEL"] == "WARNING"


def test_outbox_file_refused_in_production_unless_allowed(tmp_path):
    base = {"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_SECRET_KEY": KEY}
    assert not load_settings(base).outbox_file_refused
    production = {**base, "ASSISTANT_PUBLIC_URL": "https://assistant.example.org"}
    assert load_settings(production).outbox_file_refused
    assert not load_settings({**production, "ASSISTANT_ALLOW_OUTBOX_FILE": "true"}).outbox_file_refused
    with pytest.raises(DeliveryError, match="ASSISTANT_ALLOW_OUTBOX_FILE"):
        RefusedOutboxFile().send_email(Email(to="a@example.org", subject="s", body="b", kind="k"))


def test_notifier_never_writes_the_outbox_file_in_production(tmp_path):
    from bot.notify import Notifier

    outbox = tmp_path / "outbox.jsonl"
    env = {"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_SECRET_KEY": KEY, "ASSISTANT_OUTBOX": str(outbox)}
    notifier = Notifier(None, load_settings({**env, "ASSISTANT_PUBLIC_URL": "https://assistant.example.org"}))
    assert isinstance(notifier.email_sender, RefusedOutboxFile) and isinstance(notifier.sms_sender, RefusedOutboxFile)
    with pytest.raises(DeliveryError):
        notifier.sms_sender.send_sms(Sms(to="+33612345678", body="123456", kind="otp"))
    assert not outbox.exists()
