"""CSV member import: encodings, separators, refusals with line numbers, idempotence,
warnings about access codes too easy to guess."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from helpers.nir import make_nir
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from store_helpers import GOOD_ROWS, HEADER, SECRET_KEY, generated_rows

from bot.store import members, migrate
from bot.store.db import make_engine, session_scope
from bot.store.demo import DEMO_FILE, load_demo_members
from bot.store.hashing import access_code_hash, nir_hash
from bot.store.importer import (
    MAX_KEPT_WARNINGS,
    MemberImportError,
    access_code_weaknesses,
    estimate_bits,
    import_members,
)
from bot.store.models import Member


def _import(engine: Engine, path, **options):  # type: ignore[no-untyped-def]
    return import_members(path, engine=engine, secret_key=SECRET_KEY, **options)


def _count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return members.count_members(session)


def _counts(report) -> tuple:  # type: ignore[no-untyped-def]
    return (report.rows, report.added, report.updated, report.unchanged, report.refused)


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_utf8_with_or_without_bom_and_either_separator(
    engine: Engine, write_csv, delimiter: str, bom: bool, newline: str
) -> None:
    lines = [HEADER, *GOOD_ROWS]
    content = newline.join(line.replace(",", delimiter) for line in lines) + newline
    report = _import(engine, write_csv(content, bom=bom))
    assert _counts(report) == (3, 3, 0, 0, 0)
    assert report.delimiter == delimiter
    with session_scope(engine) as session:
        smie = members.get_by_adherent_number(session, "200001")
        assert smie.access_code_hash == access_code_hash(SECRET_KEY, "SMIE-4821")
        assert (smie.email, smie.mobile) == ("paul.durand@example.com", None)
        le_gall = members.get_by_adherent_number(session, "100002")
        assert (le_gall.last_name, le_gall.first_name, le_gall.birth_department) == ("Le Gall", "Marie-Hélène", "29")
        assert le_gall.nir_hash == nir_hash(SECRET_KEY, "275032901904516")
        assert le_gall.nir_masked.startswith("2 75 03 29") and "019" not in le_gall.nir_masked
        martin = members.get_by_adherent_number(session, "100001")
        assert (martin.mobile, martin.status, martin.version) == ("+33612345601", "inactive", 1)


def test_columns_in_any_order_with_an_ignored_extra_column(engine: Engine, write_csv) -> None:
    content = (
        "first_name,last_name,comment,adherent_number,nir,birth_date,birth_department,email,mobile,access_code\n"
        "Jean,Martin,vip,100001,180104221812333,1980-10-14,Loire,,,\n"
    )
    report = _import(engine, write_csv(content))
    assert _counts(report) == (1, 1, 0, 0, 0)
    assert report.warnings == ["ignored column(s): comment"]


def test_reimporting_the_same_file_changes_nothing(engine: Engine, write_csv) -> None:
    path = write_csv("\n".join([HEADER, *GOOD_ROWS]) + "\n")
    _import(engine, path, batch_size=2)
    with session_scope(engine) as session:
        before = [(m.adherent_number, m.version, m.updated_at) for m in session.execute(select(Member)).scalars()]
    report = _import(engine, path, batch_size=2)
    assert _counts(report) == (3, 0, 0, 3, 0)
    with session_scope(engine) as session:
        after = [(m.adherent_number, m.version, m.updated_at) for m in session.execute(select(Member)).scalars()]
    assert after == before


def test_a_changed_row_is_updated_and_an_empty_optional_cell_keeps_the_value(engine: Engine, write_csv) -> None:
    _import(engine, write_csv("\n".join([HEADER, *GOOD_ROWS]) + "\n"))
    changed = [
        GOOD_ROWS[0].replace("jean.martin@example.org", "jean.martin@example.com"),
        GOOD_ROWS[1],
        GOOD_ROWS[2].replace("paul.durand@example.com", "").replace("smie-4821", ""),
    ]
    report = _import(engine, write_csv("\n".join([HEADER, *changed]) + "\n", name="v2.csv"))
    assert _counts(report) == (3, 0, 1, 2, 0)
    with session_scope(engine) as session:
        assert members.get_by_adherent_number(session, "100001").email == "jean.martin@example.com"
        smie = members.get_by_adherent_number(session, "200001")
        assert smie.email == "paul.durand@example.com" and smie.access_code_hash is not None


BAD_ROWS = [
    ("100010,180104221812334,1980-10-14,42,Martin,Jean,,,", "nir:"),  # wrong key
    ("100011,18010422181,1980-10-14,42,Martin,Jean,,,", "nir:"),  # too short
    (f"100012,{make_nir('1801042218123')},1980-10-14,69,Martin,Jean,,,", "nir:"),  # department mismatch
    (f"100013,{make_nir('1801042218123')},1981-10-14,42,Martin,Jean,,,", "nir:"),  # year mismatch
    (f"100014,{make_nir('1801042218123')},14.10.1980,42,Martin,Jean,,,", "birth_date: format attendu"),
    (f"100015,{make_nir('1800242218123')},31/02/1980,42,Martin,Jean,,,", "birth_date:"),
    (f"100016,{make_nir('1801042218123')},1980-10-14,Atlantide,Martin,Jean,,,", "birth_department:"),
    (f"100017,{make_nir('1801042218123')},1980-10-14,42,Martin2,Jean,,,", "last_name:"),
    (f"100018,{make_nir('1801042218123')},1980-10-14,42,Martin,,,,", "first_name: vide"),
    (f"100019,{make_nir('1801042218123')},1980-10-14,42,Martin,Jean,jean@@example.org,,", "email:"),
    (f"100020,{make_nir('1801042218123')},1980-10-14,42,Martin,Jean,,04 77 12 34 56,", "mobile:"),
    (f"100021,{make_nir('1801042218123')},1980-10-14,42,Martin,Jean,,,a!", "access_code:"),
    (f"12/34,{make_nir('1801042218123')},1980-10-14,42,Martin,Jean,,,", "adherent_number:"),
    (f"100022,{make_nir('1801042218123')},1980-10-14,42,Martin,Jean", "6 colonnes au lieu de 9"),
    (f"100001,{make_nir('1801042218123')},1980-10-14,42,Martin,Jean,,,", "figure déjà ligne 2"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS, ids=[reason for _, reason in BAD_ROWS])
def test_a_bad_row_is_refused_with_its_line_and_reason(engine: Engine, write_csv, row: str, reason: str) -> None:
    content = "\n".join([HEADER, GOOD_ROWS[0], "", row, GOOD_ROWS[2]]) + "\n"
    seen = []
    report = _import(engine, write_csv(content), on_refused=seen.append)
    assert _counts(report) == (3, 2, 0, 0, 1)
    assert [r.line for r in report.refusals] == [4] and seen == report.refusals
    assert reason in report.refusals[0].reason
    assert len(report.refusals[0].reason) > len(reason)  # says what is wrong, not only where
    for digits in ("1801042218", "180104221812334"):
        assert digits not in str(report.refusals[0])
    assert _count(engine) == 2


def test_the_status_column_sets_new_members_only(engine: Engine, write_csv) -> None:
    rows = [f"{row},{status}" for row, status in zip(GOOD_ROWS, ("active", "", "locked"), strict=True)]
    rows.append(GOOD_ROWS[0].replace("100001", "100009") + ",deleted")
    report = _import(engine, write_csv("\n".join([HEADER + ",status", *rows])))
    assert _counts(report) == (4, 3, 0, 0, 1) and "status:" in report.refusals[0].reason
    with session_scope(engine) as session:
        member_id = members.get_by_adherent_number(session, "100002").id
        assert members.start_activation(session, member_id)
    _import(engine, write_csv("\n".join([HEADER + ",status", *[f"{r},inactive" for r in GOOD_ROWS]]), name="b.csv"))
    with session_scope(engine) as session:
        statuses = [members.get_by_adherent_number(session, n).status for n in ("100001", "100002", "200001")]
    assert statuses == ["active", "pending", "locked"]


FILE_ERRORS = [
    ("missing column", (HEADER.replace(",access_code", "") + "\n" + GOOD_ROWS[0][:-1] + "\n").encode(), "access_code"),
    (
        "latin-1",
        ("\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1]]) + "\n").encode("latin-1"),
        "line 3: the file is not UTF-8",
    ),
    ("utf-16", ("\n".join([HEADER, GOOD_ROWS[0]]) + "\n").encode("utf-16"), "UTF-16"),
    ("unterminated quote", ("\n".join([HEADER, GOOD_ROWS[0], '100002,"2750'])).encode(), "line 3: malformed CSV"),
    ("text after a quote", ("\n".join([HEADER, GOOD_ROWS[0], '100002,"27"50,'])).encode(), "line 3: malformed CSV"),
    ("nul byte", ("\n".join([HEADER, GOOD_ROWS[0], "100002,\0"])).encode(), "malformed CSV"),
    ("empty file", b"", "empty"),
    ("duplicate column", (HEADER + ",nir\n").encode(), "column 'nir' appears twice"),
]


@pytest.mark.parametrize(("data", "message"), [case[1:] for case in FILE_ERRORS], ids=[c[0] for c in FILE_ERRORS])
def test_a_broken_file_writes_nothing(engine: Engine, tmp_path, data: bytes, message: str) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(data)
    with pytest.raises(MemberImportError) as error:
        _import(engine, path, batch_size=1)
    assert message in str(error.value)
    assert _count(engine) == 0


def test_a_missing_file(engine: Engine, tmp_path) -> None:
    with pytest.raises(MemberImportError, match="no such file"):
        _import(engine, tmp_path / "nope.csv")


def _refuse_adherent(engine: Engine, number: str) -> None:
    """A real database-side failure for one adherent number (trigger)."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON members "
                    f"WHEN NEW.adherent_number = '{number}' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.adherent_number = '{number}' THEN RAISE EXCEPTION 'refused by trigger'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text("CREATE TRIGGER refuse_one BEFORE INSERT ON members FOR EACH ROW EXECUTE FUNCTION refuse_one()")
            )


def test_a_database_failure_keeps_whole_batches_only(engine: Engine, write_csv) -> None:
    _refuse_adherent(engine, "200001")
    path = write_csv("\n".join([HEADER, *GOOD_ROWS]) + "\n")
    with pytest.raises(MemberImportError) as error:
        _import(engine, path, batch_size=2)
    message = str(error.value)
    assert "stopped at line 4" in message and "refused by trigger" in message
    assert _counts(error.value.report) == (3, 2, 0, 0, 0)
    with pytest.raises(MemberImportError):
        _import(engine, path, batch_size=3)  # one batch: nothing of it is kept
    with session_scope(engine) as session:
        assert [m.adherent_number for m in session.execute(select(Member)).scalars()] == ["100001", "100002"]


def test_no_nir_in_clear_in_the_database(engine: Engine, write_csv) -> None:
    _import(engine, write_csv("\n".join([HEADER, *GOOD_ROWS]) + "\n"))
    with engine.connect() as connection:
        dump = repr(connection.execute(text("SELECT * FROM members")).fetchall())
    for nir in ("180104221812333", "275032901904516", "165117511609175", "SMIE-4821", "smie-4821"):
        assert nir not in dump
        assert nir[:13] not in dump


def test_the_demo_members_import_cleanly(engine: Engine) -> None:
    lines = DEMO_FILE.read_text(encoding="utf-8").splitlines()
    total = len(lines) - 1
    report = load_demo_members(engine, SECRET_KEY)
    assert _counts(report) == (total, total, 0, 0, 0) and report.refusals == []
    # the fictional SMIE codes (SMIE-4821, SMIE-7350) are 4 random digits behind a fixed prefix: warned about
    smie_lines = [number for number, line in enumerate(lines, start=1) if ",SMIE-" in line]
    assert len(smie_lines) == 2
    assert [(w.line, "moins de 40 bits" in w.reason) for w in report.code_warnings] == [(n, True) for n in smie_lines]
    assert _counts(load_demo_members(engine, SECRET_KEY)) == (total, 0, 0, total, 0)
    with session_scope(engine) as session:
        by_number = {m.adherent_number: m for m in session.execute(select(Member)).scalars()}
        assert {n: m.status for n, m in by_number.items() if m.status != "inactive"} == {
            "100006": "active",
            "100007": "locked",
        }
        assert {m.birth_department for m in by_number.values()} >= {"42", "2A", "974", "99"}
        assert all(m.email is None or m.email.endswith(("@example.org", "@example.com")) for m in by_number.values())
        assert all(m.mobile is None or m.mobile.startswith(("+336123456", "+262692")) for m in by_number.values())
        # stored under the keyed hashes the services look them up by
        smie = by_number["200001"]
        assert smie.last_name == "Durand" and smie.access_code_hash == access_code_hash(SECRET_KEY, "SMIE-4821")
        le_gall = by_number["100002"]
        assert le_gall.nir_hash == nir_hash(SECRET_KEY, "275032901904516") and le_gall.birth_department == "29"


def test_validation_in_worker_processes_gives_the_same_result(tmp_path, write_csv) -> None:
    rows = generated_rows(2500)
    rows[1700] = rows[1700].replace("Martin", "Martin2")  # refused, in the second chunk
    rows[2400] = rows[10]  # duplicate, in the third chunk
    path = write_csv("\n".join([HEADER, *rows]) + "\n")
    results = []
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            report = _import(engine, path, workers=workers, batch_size=700)
            with engine.connect() as connection:
                stored = connection.execute(text("SELECT * FROM members ORDER BY adherent_number")).fetchall()
        finally:
            engine.dispose()
        results.append((_counts(report), report.refusals, [row[1:14] for row in stored]))
    assert results[0] == results[1]
    assert results[0][0] == (2500, 2498, 0, 0, 2)
    assert [refusal.line for refusal in results[0][1]] == [1702, 2402]


# ---- access codes too easy to guess (issue 12) ------------------------------------------------

BORN = date(1965, 11, 23)

WEAK_CODES = [
    # code, the weaknesses found (by their first words); adherent 200001, born 23/11/1965
    ("7Q4M-K2XP-9RHD", []),
    ("A7K2P9QX4M8Z", []),
    ("8302917465012", []),  # 13 random digits: 43 bits
    ("K7P2Q9", ["moins de 8", "moins de 40"]),
    ("SMIE-4821", ["moins de 40"]),  # a fixed prefix is no secret: 4 letters + 4 digits = 32 bits
    ("830291746501", ["moins de 40"]),  # 12 digits: 39.9 bits
    ("AAAA-AAAA-AAAA", ["un seul caractère"]),
    ("12121212", ["moins de 40", "un seul caractère"]),
    ("Q7K2-1234-PXM9", ["suite de"]),
    ("Q7K2-DCBA-PXM9", ["suite de"]),
    ("XK7P-200001-QM", ["contient le numéro"]),
    ("XK7P-23111965-Q", ["contient la date"]),
    ("XK7P-19651123-Q", ["contient la date"]),
    ("XK7P9Q-231165", ["contient la date"]),
]


@pytest.mark.parametrize(("code", "expected"), WEAK_CODES, ids=[code for code, _ in WEAK_CODES])
def test_access_code_weaknesses(code: str, expected: list[str]) -> None:
    found = access_code_weaknesses(code, "200001", BORN)
    assert [next(e for e in expected if reason.startswith(e)) for reason in found] == expected
    for reason in found:
        assert code not in reason and code.split("-")[-1] not in reason


def test_entropy_estimate_counts_each_character_for_its_own_alphabet() -> None:
    assert round(estimate_bits("SMIE4821"), 1) == 32.1
    assert round(estimate_bits("1234567890123"), 1) == 43.2
    assert estimate_bits("") == 0


def _rows_with_codes(codes: list[str]) -> list[str]:
    return [row + code for row, code in zip(generated_rows(len(codes)), codes, strict=True)]


def test_weak_codes_are_warned_about_by_line_and_still_imported(engine: Engine, write_csv) -> None:
    rows = _rows_with_codes(["7Q4M-K2XP-9RHD", "SMIE-4821", "", "500003-QX", "A7K2P9QX4M8Z", "K7P2Q9"])
    report = _import(engine, write_csv("\n".join([HEADER, *rows]) + "\n"))
    assert _counts(report) == (6, 6, 0, 0, 0)
    assert [w.line for w in report.code_warnings] == [3, 5, 7]
    assert report.code_warning_count == 3 and report.summary().endswith("0 refused, 3 access code warnings")
    assert str(report.code_warnings[0]) == (
        "line 3: access_code: facile à deviner (moins de 40 bits d'entropie estimés), ligne importée"
    )
    assert "contient le numéro d'adhérent" in report.code_warnings[1].reason
    for warning in report.code_warnings:
        for secret in ("SMIE", "4821", "500003-QX", "K7P2Q9"):
            assert secret not in warning.reason
    with session_scope(engine) as session:
        stored = members.get_by_adherent_number(session, "500005")
        assert stored is not None and stored.access_code_hash == access_code_hash(SECRET_KEY, "K7P2Q9")


def test_a_code_shared_by_many_members_is_warned_about_with_its_lines(engine: Engine, write_csv) -> None:
    shared, pair = "7Q4M-K2XP-9RHD", "A7K2P9QX4M8Z"
    rows = _rows_with_codes([shared, pair, shared, "Z9X8-W7V6-U5T4", shared, pair])
    report = _import(engine, write_csv("\n".join([HEADER, *rows]) + "\n"))
    assert _counts(report) == (6, 6, 0, 0, 0)
    assert [str(w) for w in report.code_warnings] == [
        "line 2: access_code: le même code d'accès est partagé par 3 adhérents (lignes 2, 4, 6), lignes importées"
    ]
    # a later file with one more member of that code: the members already in the store are counted
    more = [row.replace("500000,", "600000,", 1) for row in _rows_with_codes([shared])]
    report = _import(engine, write_csv("\n".join([HEADER, *more]) + "\n", name="more.csv"))
    assert [str(w) for w in report.code_warnings] == [
        "line 2: access_code: le même code d'accès est partagé par 4 adhérents (lignes 2, dont 3 hors de ce fichier), "
        "lignes importées"
    ]


def test_the_report_keeps_the_first_warnings_and_counts_them_all(engine: Engine, write_csv) -> None:
    rows = [row + "SMIE-4821" for row in generated_rows(MAX_KEPT_WARNINGS + 5)]
    report = _import(engine, write_csv("\n".join([HEADER, *rows]) + "\n"))
    assert report.refused == 0 and len(report.code_warnings) == MAX_KEPT_WARNINGS
    # every row weak, plus one code shared by them all
    assert report.code_warning_count == MAX_KEPT_WARNINGS + 5 + 1


def test_the_import_command_prints_the_warnings_without_the_codes(tmp_path, write_csv) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    path = write_csv("\n".join([HEADER, *_rows_with_codes(["7Q4M-K2XP-9RHD", "SMIE-4821"])]) + "\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update(ASSISTANT_DATABASE_URL=url, ASSISTANT_SECRET_KEY=SECRET_KEY, ASSISTANT_VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "members", "import", str(path)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr  # warnings do not fail the import
    assert "warning: line 3: access_code: facile à deviner (moins de 40 bits d'entropie estimés)" in done.stdout
    assert "2 rows: 2 added, 0 updated, 0 unchanged, 0 refused, 1 access code warning" in done.stdout
    assert "SMIE-4821" not in done.stdout + done.stderr and "4821" not in done.stdout + done.stderr
