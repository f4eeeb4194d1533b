"""Settings: defaults, overrides and one-line errors naming the variable."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture
def base_env(tmp_path):
    return {"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_SECRET_KEY": "k" * 32}


def test_defaults(base_env, tmp_path):
    s = load_settings(base_env)
    assert s.tenant == "miel"
    assert s.port == 5005 and s.actions_port == 5055
    assert s.database_url == f"sqlite:///{tmp_path / 'assistant.db'}"
    assert s.public_url == "http://localhost:5005"
    assert s.outbox_path == tmp_path / "outbox.jsonl"
    assert s.smtp is None and s.sms is None and s.telegram is None
    assert s.enable_api is False


def test_public_url_follows_the_port_override(base_env):
    assert load_settings(base_env, ASSISTANT_PORT=6006).public_url == "http://localhost:6006"


def test_secret_key_generated_once_and_kept(tmp_path):
    env = {"ASSISTANT_VAR_DIR": str(tmp_path)}
    first = load_settings(env).secret_key
    assert first == load_settings(env).secret_key
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "changes, variable",
    [
        ({"ASSISTANT_PORT": "abc"}, "ASSISTANT_PORT"),
        ({"ASSISTANT_PORT": "70000"}, "ASSISTANT_PORT"),
        ({"ASSISTANT_ACTIONS_PORT": "5005"}, "ASSISTANT_ACTIONS_PORT"),
        ({"ASSISTANT_DATABASE_URL": "mysql://x"}, "ASSISTANT_DATABASE_URL"),
        ({"ASSISTANT_PUBLIC_URL": "ftp://x"}, "ASSISTANT_PUBLIC_URL"),
        ({"ASSISTANT_TENANT": "../etc"}, "ASSISTANT_TENANT"),
        ({"ASSISTANT_ENABLE_API": "true"}, "ASSISTANT_API_TOKEN"),
        ({"ASSISTANT_ENABLE_API": "peut-être"}, "ASSISTANT_ENABLE_API"),
        ({"ASSISTANT_SECRET_KEY": "short"}, "ASSISTANT_SECRET_KEY"),
        ({"ASSISTANT_TIMEZONE": "Mars/Olympus"}, "ASSISTANT_TIMEZONE"),
        ({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "x"}, "SMTP_PORT"),
        ({"SMTP_HOST": "h", "SMTP_SSL": "true", "SMTP_STARTTLS": "true"}, "SMTP_STARTTLS"),
        ({"SMS_PROVIDER": "pigeon"}, "SMS_PROVIDER"),
        ({"SMS_PROVIDER": "http"}, "SMS_HTTP_URL"),
        ({"SMS_PROVIDER": "twilio"}, "TWILIO_ACCOUNT_SID"),
        ({"TELEGRAM_TOKEN": "nocolon"}, "TELEGRAM_TOKEN"),
        ({"TELEGRAM_TOKEN": "1:a", "TELEGRAM_WEBHOOK_SECRET": "a b"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"ASSISTANT_LOG_LEVEL": "LOUD"}, "ASSISTANT_LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(base_env, changes, variable):
    with pytest.raises(SettingsError) as info:
        load_settings({**base_env, **changes})
    message = str(info.value)
    assert message.startswith(variable + ":")
    assert "\n" not in message


def test_smtp_and_telegram_configured(base_env):
    s = load_settings(
        {**base_env, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "SMTP_STARTTLS": "false",
         "TELEGRAM_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"}
    )
    assert s.smtp is not None and s.smtp.port == 2525 and s.smtp.starttls is False
    assert s.telegram is not None and s.telegram.api_base_url == "http://127.0.0.1:8081/bot"
    assert "123:abc" not in repr(s)
