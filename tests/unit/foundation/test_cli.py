"""``python -m bot``: every command module listed is there, and a missing one stops the CLI loudly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli

ROOT = Path(__file__).resolve().parents[3]


def test_every_listed_command_module_registers_its_commands():
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices  # where argparse keeps them
    assert {"serve", "chat", "db", "members", "outbox", "telegram"} <= set(commands)


@pytest.fixture
def broken_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A command module that exists but imports a package that is not installed."""
    (tmp_path / "cli_needs_a_package.py").write_text("import package_not_installed_anywhere\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "cli_needs_a_package"


@pytest.mark.parametrize(
    "module, expected",
    [
        ("bot.tenants.cli", "error: command module bot.tenants.cli is missing"),
        ("bot.nowhere.cli", "error: command module bot.nowhere.cli is missing"),
        (None, "error: command module cli_needs_a_package needs the package 'package_not_installed_anywhere'"),
    ],
)
def test_a_command_module_that_cannot_be_imported_stops_the_cli_with_one_line(
    monkeypatch, capsys, broken_module, module, expected
):
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, module or broken_module))
    assert cli.main(["db", "current"]) == cli.MISSING_MODULE_EXIT
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1 and "Traceback" not in err


def test_python_m_bot_runs_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "serve" in done.stdout and "members" in done.stdout
