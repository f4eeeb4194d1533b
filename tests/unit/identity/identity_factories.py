"""Fictional NIR numbers for the identity tests: department codes, the card's
grouping and a strategy for any valid NIR (keys from ``helpers.nir``,
independent of python-stdnum), definitive (first digit 1 or 2) or, with
``first_digits``, provisional (3, 4, 7, 8)."""

from __future__ import annotations

from helpers.nir import make_nir
from hypothesis import strategies as st

METRO_CODES = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
DEFINITIVE_FIRST_DIGITS = "12"
PROVISIONAL_FIRST_DIGITS = "3478"
INVALID_FIRST_DIGITS = "0569"
OVERSEAS_CODES = ["971", "972", "973", "974", "975", "976", "977", "978", "984", "986", "987", "988"]


def format_with_spaces(nir: str) -> str:
    """Grouped like the card: "1 80 10 42 123 456 78" (overseas: "2 85 03 971 12 345 67")."""
    if nir[5:7] in {"97", "98"}:
        parts = (nir[0], nir[1:3], nir[3:5], nir[5:8], nir[8:10], nir[10:13], nir[13:])
    else:
        parts = (nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:])
    return " ".join(parts)


MONTH_CODES = st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)).map(lambda month: f"{month:02d}")


@st.composite
def valid_nirs(draw: st.DrawFn, first_digits: str = DEFINITIVE_FIRST_DIGITS) -> str:
    """Any structurally valid NIR (15 characters) with its correct key, its
    first digit one of ``first_digits``."""
    sex = draw(st.sampled_from(first_digits))
    year = f"{draw(st.integers(0, 99)):02d}"
    month = draw(MONTH_CODES)
    place = draw(
        st.one_of(
            st.tuples(st.sampled_from(METRO_CODES), st.integers(1, 999).map(lambda n: f"{n:03d}")),
            st.tuples(st.sampled_from(OVERSEAS_CODES), st.integers(1, 99).map(lambda n: f"{n:02d}")),
            st.tuples(st.just("99"), st.integers(100, 599).map(lambda n: f"{n:03d}")),
        )
    )
    order = f"{draw(st.integers(1, 999)):03d}"
    return make_nir(sex + year + month + place[0] + place[1] + order)
