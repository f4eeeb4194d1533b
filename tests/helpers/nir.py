"""Fictional NIR numbers for the tests, with keys computed here (independently
of python-stdnum and :mod:`bot.identity`): key = 97 - (first 13 digits mod 97),
with 2A read as 19 and 2B as 18. The first digit is not checked, so the same
helpers build provisional numbers (first digit 3, 4, 7 or 8)."""

from __future__ import annotations


def nir_key(body: str) -> str:
    """The 2-digit key of a 13-character NIR body."""
    digits = body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:]
    return f"{97 - int(digits) % 97:02d}"


def make_nir(body: str) -> str:
    """A 15-character NIR from its 13 first characters, with spaces removed."""
    body = body.replace(" ", "")
    assert len(body) == 13, body
    return body + nir_key(body)


def group_nir(nir: str) -> str:
    """Grouped like the card: "1 80 10 42 123 456 78" (overseas: "2 85 03 971 12 345 67")."""
    nir = nir.replace(" ", "")
    if nir[5:7] in {"97", "98"}:
        cuts = (0, 1, 3, 5, 8, 10, 13, 15)
    else:
        cuts = (0, 1, 3, 5, 7, 10, 13, 15)
    return " ".join(nir[start:end] for start, end in zip(cuts[:-1], cuts[1:], strict=True))
