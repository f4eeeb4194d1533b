"""Shared helpers of the store tests (a unique module name, importable from the tests)."""

from __future__ import annotations

from datetime import date

from helpers.nir import make_nir

from bot.store.hashing import access_code_hash, nir_hash
from bot.store.members import MemberRecord

SECRET_KEY = "store-tests-secret-key-0123456789"


def make_record(adherent_number: str = "100001", **changes: object) -> MemberRecord:
    """A member record with made-up (already hashed) identity values."""
    values: dict = {
        "adherent_number": adherent_number,
        "nir_hash": nir_hash(SECRET_KEY, f"1801042218{adherent_number[-3:]}00"),
        "nir_masked": "1 80 10 42 *** *** **",
        "birth_date": date(1980, 10, 14),
        "birth_department": "42",
        "last_name": "Martin",
        "first_name": "Jean",
        "email": "jean.martin@example.org",
        "mobile": "+33612345601",
        "access_code_hash": access_code_hash(SECRET_KEY, "SMIE-4821"),
        "status": "inactive",
    }
    values.update(changes)
    return MemberRecord(**values)


HEADER = "adherent_number,nir,birth_date,birth_department,last_name,first_name,email,mobile,access_code"
GOOD_ROWS = (
    "100001,180104221812333,1980-10-14,42,Martin,Jean,jean.martin@example.org,06 12 34 56 01,",
    "100002,2 75 03 29 019 045 16,08/03/1975,Finistère,Le Gall,Marie-Hélène,,,",
    "200001,165117511609175,1965-11-23,75,Durand,Paul,paul.durand@example.com,,smie-4821",
)


def generated_rows(count: int, start: int = 500000) -> list[str]:
    """``count`` valid, varied member rows (deterministic)."""
    rows = []
    for i in range(count):
        year, month, day, department = 1970 + i % 35, 1 + i % 12, 1 + i % 28, f"{1 + i % 19:02d}"
        nir = make_nir(f"{1 + i % 2}{year % 100:02d}{month:02d}{department}{1 + i % 999:03d}{1 + i // 999:03d}")
        rows.append(
            f"{start + i},{nir},{year}-{month:02d}-{day:02d},{department},Martin,Jean,"
            f"m{i}@example.org,06 12 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d},"
        )
    return rows
