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
        ({"ASSISTANT_RASA_PATCHES": "turbo"}, "ASSISTANT_RASA_PATCHES"),
        ({"ASSISTANT_RASA_PATCHES": "all,event_types"}, "ASSISTANT_RASA_PATCHES"),
        ({"ASSISTANT_RASA_PATCHES": "none, action_http"}, "ASSISTANT_RASA_PATCHES"),
        ({"ASSISTANT_LIMIT_SMS_PER_HOUR": "beaucoup"}, "ASSISTANT_LIMIT_SMS_PER_HOUR"),
        ({"ASSISTANT_LIMIT_SMS_PER_HOUR": "0"}, "ASSISTANT_LIMIT_SMS_PER_HOUR"),
        ({"ASSISTANT_LIMIT_IDENTITY_MISMATCHES": "-1"}, "ASSISTANT_LIMIT_IDENTITY_MISMATCHES"),
        ({"ASSISTANT_LIMIT_CLIENT_WINDOW_MINUTES": "1441"}, "ASSISTANT_LIMIT_CLIENT_WINDOW_MINUTES"),
        ({"ASSISTANT_LIMIT_TICKETS_PER_CONVERSATION": "101"}, "ASSISTANT_LIMIT_TICKETS_PER_CONVERSATION"),
        ({"ASSISTANT_LIMIT_SMS_NUMBER_WINDOW_HOURS": "2.5"}, "ASSISTANT_LIMIT_SMS_NUMBER_WINDOW_HOURS"),
    ],
)
def test_bad_values_name_the_variable(base_env, changes, variable):
    with pytest.raises(SettingsError) as info:
        load_settings({**base_env, **changes})
    message = str(info.value)
    assert message.startswith(variable + ":")
    assert "\n" not in message


def test_limit_defaults(base_env):
    limits = load_settings(base_env).limits
    assert (limits.identity_mismatches, limits.identity_window_hours) == (5, 24)
    assert (limits.client_attempts, limits.client_window_minutes) == (20, 60)
    assert (limits.sms_per_number, limits.sms_number_window_hours, limits.sms_per_hour) == (5, 24, 300)
    assert limits.access_failures_per_hour == 500
    assert (limits.tickets_per_client, limits.tickets_per_conversation) == (3, 2)


@pytest.mark.parametrize(
    "variable, field, value",
    [
        ("ASSISTANT_LIMIT_IDENTITY_MISMATCHES", "identity_mismatches", 3),
        ("ASSISTANT_LIMIT_IDENTITY_WINDOW_HOURS", "identity_window_hours", 48),
        ("ASSISTANT_LIMIT_CLIENT_ATTEMPTS", "client_attempts", 100),
        ("ASSISTANT_LIMIT_CLIENT_WINDOW_MINUTES", "client_window_minutes", 15),
        ("ASSISTANT_LIMIT_SMS_PER_NUMBER", "sms_per_number", 1),
        ("ASSISTANT_LIMIT_SMS_NUMBER_WINDOW_HOURS", "sms_number_window_hours", 720),
        ("ASSISTANT_LIMIT_SMS_PER_HOUR", "sms_per_hour", 2),
        ("ASSISTANT_LIMIT_ACCESS_FAILURES_PER_HOUR", "access_failures_per_hour", 50),
        ("ASSISTANT_LIMIT_TICKETS_PER_CLIENT", "tickets_per_client", 10),
        ("ASSISTANT_LIMIT_TICKETS_PER_CONVERSATION", "tickets_per_conversation", 1),
    ],
)
def test_each_limit_is_set_by_its_variable(base_env, variable, field, value):
    limits = load_settings({**base_env, variable: f" {value} "}).limits
    assert getattr(limits, field) == value
    others = {name: v for name, v in vars(limits).items() if name != field}
    assert others == {name: v for name, v in vars(load_settings(base_env).limits).items() if name != field}


def test_smtp_and_telegram_configured(base_env):
    s = load_settings(
        {
            **base_env,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": "2525",
            "SMTP_STARTTLS": "false",
            "TELEGRAM_TOKEN": "123:abc",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        }
    )
    assert s.smtp is not None and s.smtp.port == 2525 and s.smtp.starttls is False
    assert s.telegram is not None and s.telegram.api_base_url == "http://127.0.0.1:8081/bot"
    assert "123:abc" not in repr(s)


ALL_PATCHES = ("action_reply", "event_types", "action_http", "tracker_sql", "no_jax")


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ALL_PATCHES),
        ("", ALL_PATCHES),
        ("all", ALL_PATCHES),
        (" ALL ", ALL_PATCHES),
        ("none", ()),
        ("event_types", ("event_types",)),
        ("tracker_sql, action_reply", ("action_reply", "tracker_sql")),
        ("No_Jax,", ("no_jax",)),
    ],
)
def test_rasa_patches_setting(base_env, value, expected):
    env = base_env if value is None else {**base_env, "ASSISTANT_RASA_PATCHES": value}
    assert load_settings(env).rasa_patches == expected
