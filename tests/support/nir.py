"""Fictional NIR numbers for the tests, with keys computed here (independently
of python-stdnum and :mod:`bot.identity`): key = 97 - (first 13 digits mod 97),
with 2A read as 19 and 2B as 18."""

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
