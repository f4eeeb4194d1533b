"""``python -m bot db ...`` and ``python -m bot members ...`` run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from db_schemas import with_pg_options
from store_helpers import GOOD_ROWS, HEADER, SECRET_KEY

from bot.settings import PROJECT_ROOT
from bot.store import migrate

# the demo file's data rows, and the newest migration
DEMO_ROWS = len((PROJECT_ROOT / "data" / "demo" / "members.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
HEAD_REVISION = max(p.name[:4] for p in (PROJECT_ROOT / "bot" / "store" / "migrations" / "versions").glob("0*.py"))


def run_cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli_with(url, tmp_path, {}, *args)


def run_cli_with(url: str, tmp_path: Path, extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_DATABASE_URL=url,
        ASSISTANT_SECRET_KEY=SECRET_KEY,
        ASSISTANT_VAR_DIR=str(tmp_path / "var"),
        **extra,
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_operator_session(db_url: str, tmp_path: Path) -> None:
    """From an empty database to an unlocked demo member, as an operator would go."""
    run = lambda *args: run_cli(db_url, tmp_path, *args)  # noqa: E731

    result = run("db", "current")
    assert result.returncode == 0 and "no schema yet" in result.stdout
    result = run("members", "show", "100001")
    assert result.returncode == 1 and "run `python -m bot db upgrade`" in result.stderr

    result = run("db", "upgrade")
    assert result.returncode == 0 and f"schema created (revision {HEAD_REVISION})" in result.stdout
    result = run("db", "upgrade")
    assert result.returncode == 0 and "already up to date" in result.stdout
    assert f"revision {HEAD_REVISION} (up to date)" in run("db", "current").stdout

    result = run("members", "demo", "--if-empty")
    assert result.returncode == 0, result.stderr
    assert f"{DEMO_ROWS} rows: {DEMO_ROWS} added, 0 updated, 0 unchanged, 0 refused" in result.stdout
    assert f"{DEMO_ROWS} unchanged" in run("members", "demo").stdout
    assert f"already has {DEMO_ROWS} member(s)" in run("members", "demo", "--if-empty").stdout

    result = run("members", "show", " 100001 ")
    assert result.returncode == 0
    assert "1 80 10 42" in result.stdout and "***" in result.stdout
    for secret in ("180104221812333", "218 123", "jean.martin@", "0612345601", "33612345601"):
        assert secret not in result.stdout
    assert "j***n@example.org" in result.stdout and "inactive" in result.stdout

    result = run("members", "unlock", "100007")
    assert (result.returncode, result.stdout.strip()) == (0, "member 100007 unlocked (status: inactive)")
    result = run("members", "unlock", "100007")
    assert result.returncode == 0 and "is not locked" in result.stdout
    for command in ("show", "unlock"):
        result = run("members", command, "999999")
        assert result.returncode == 1 and "no member with adherent number '999999'" in result.stderr


IMPORT_CASES = [
    ("good", "\n".join([HEADER, *GOOD_ROWS]), 0, "3 rows: 3 added", ""),
    (
        "bad rows",
        "\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1].replace("Finistère", "69"), "1,2"]),
        3,
        "3 rows: 1 added, 0 updated, 0 unchanged, 2 refused",
        "refused line 3: nir: ",
    ),
    ("missing column", HEADER.replace(",mobile", ""), 1, "", "error: members.csv: missing column(s) mobile"),
    ("latin-1", "\n".join([HEADER, GOOD_ROWS[1]]), 1, "", "line 2: the file is not UTF-8"),
]


@pytest.mark.parametrize(
    ("content", "code", "stdout", "stderr"), [c[1:] for c in IMPORT_CASES], ids=[c[0] for c in IMPORT_CASES]
)
def test_members_import(sqlite_url: str, tmp_path: Path, content: str, code: int, stdout: str, stderr: str) -> None:
    migrate.upgrade(sqlite_url)
    path = tmp_path / "members.csv"
    path.write_bytes(content.encode("latin-1" if "not UTF-8" in stderr else "utf-8"))
    result = run_cli(sqlite_url, tmp_path, "members", "import", str(path))
    assert result.returncode == code, result.stderr
    assert stdout in result.stdout and stderr in result.stderr


def test_import_of_a_missing_file(sqlite_url: str, tmp_path: Path) -> None:
    migrate.upgrade(sqlite_url)
    result = run_cli(sqlite_url, tmp_path, "members", "import", str(tmp_path / "nope.csv"))
    assert result.returncode == 1 and "no such file" in result.stderr


def test_a_database_that_is_down(tmp_path: Path) -> None:
    url = "postgresql+psycopg2://postgres@127.0.0.1:1/test?connect_timeout=3"
    for args in (("db", "upgrade"), ("members", "demo")):
        result = run_cli(url, tmp_path, *args)
        assert result.returncode == 1
        assert result.stderr.startswith("error: cannot reach the database postgresql+psycopg2://postgres@127.0.0.1:1")


def test_a_sqlite_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli(f"sqlite:///{blocker / 'sub' / 'store.db'}", tmp_path, "db", "upgrade")
    assert result.returncode == 1 and result.stderr.startswith("error: ")


def _read_only_url(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///file:{db_url[len('sqlite:///') :]}?mode=ro&uri=true"
    base, _, options = db_url.partition("?options=")
    from urllib.parse import unquote

    return with_pg_options(base, unquote(options), "-cdefault_transaction_read_only=on")


def test_a_read_only_database(db_url: str, tmp_path: Path) -> None:
    migrate.upgrade(db_url)
    result = run_cli(_read_only_url(db_url), tmp_path, "members", "demo")
    assert result.returncode == 1
    assert "is read-only" in result.stderr
    assert "import stopped at line 2: the rows before it are saved, none from it on" in result.stderr
    result = run_cli(db_url, tmp_path, "members", "demo")
    assert f"{DEMO_ROWS} rows: {DEMO_ROWS} added" in result.stdout


DOWN = "postgresql+psycopg2://postgres@127.0.0.1:1/test?connect_timeout=3"


@pytest.mark.parametrize(
    ("args", "store_down", "tracker_down"),
    [
        (("conversations", "export", "web-x"), False, True),
        (("conversations", "forget", "web-x"), False, True),
        (("keys", "rotate"), True, False),
    ],
)
def test_privacy_commands_name_the_database_that_is_down(
    tmp_path: Path, args: tuple, store_down: bool, tracker_down: bool
) -> None:
    """The staff commands of bot/privacy share the store commands' one-line answer (bot/store/cli_errors.py)."""
    up = f"sqlite:///{tmp_path / 'up.db'}"
    migrate.upgrade(up)
    store = DOWN if store_down else up
    tracker = DOWN if tracker_down else up
    result = run_cli_with(store, tmp_path, {"ASSISTANT_TRACKER_DATABASE_URL": tracker}, *args)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database postgresql+psycopg2://postgres@127.0.0.1:1"), (
        result.stderr
    )
    assert "sqlite" not in result.stderr  # only the database the command uses is named


def test_purge_names_both_databases_when_one_is_down(tmp_path: Path) -> None:
    env_url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate.upgrade(env_url)
    result = run_cli_with(env_url, tmp_path, {"ASSISTANT_TRACKER_DATABASE_URL": DOWN}, "purge")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database "), result.stderr
    assert "127.0.0.1:1" in result.stderr and " or " in result.stderr, result.stderr
