"""``python -m bot outbox list|retry``: masked recipients, never bodies."""

from __future__ import annotations

import argparse

import pytest
from notify_helpers import SECRET_KEY

from bot.cli import CliError
from bot.notify import cli as outbox_cli
from bot.settings import reset_settings_cache


@pytest.fixture
def run(monkeypatch, db_url, outbox_path, tmp_path, engine):
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", db_url)
    monkeypatch.setenv("ASSISTANT_OUTBOX", str(outbox_path))
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASSISTANT_TENANT", "miel")
    reset_settings_cache()

    def call(*argv: str) -> int:
        parser = argparse.ArgumentParser(prog="python -m bot")
        outbox_cli.register(parser.add_subparsers(dest="command"))
        args = parser.parse_args(list(argv))
        return args.handler(args)

    yield call
    reset_settings_cache()


def test_list_shows_masked_recipients_and_no_body(run, notifier, capsys):
    notifier.send_email("marie.dupont@example.org", "Votre identifiant", "A100001 secret-body", kind="identifier")
    notifier.send_sms("+33612345678", "Votre code : 654321.", kind="activation_code")
    assert run("outbox", "list") == 0
    out = capsys.readouterr().out
    assert "m***t@example.org" in out and "+33 ******* 78" in out and "sent" in out
    for secret in ("marie.dupont", "secret-body", "654321", "+33612345678", "Votre identifiant"):
        assert secret not in out


def test_list_by_state_and_retry(run, make_notifier, tmp_path, capsys, clock):
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    make_notifier(ASSISTANT_OUTBOX=str(blocked)).send_email("a@example.org", "s", "b", kind="identifier")
    assert run("outbox", "list", "--state", "failed") == 0
    assert "a***@example.org" in capsys.readouterr().out
    clock.advance(minutes=2)
    assert run("outbox", "retry") == 0
    assert "sent: 1" in capsys.readouterr().out
    assert run("outbox", "list", "--state", "failed") == 0
    assert "no message in state 'failed'" in capsys.readouterr().out


def test_unmigrated_database_is_a_clean_error(run, engine):
    from bot.store.models import Base

    Base.metadata.drop_all(engine)
    with pytest.raises(CliError, match="is the database migrated"):
        run("outbox", "list")
