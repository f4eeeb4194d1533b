"""Fictional NIR numbers for the identity tests, with keys computed here
(independently of python-stdnum): key = 97 - (first 13 digits mod 97), with
2A read as 19 and 2B as 18."""

from __future__ import annotations

from hypothesis import strategies as st

METRO_CODES = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
OVERSEAS_CODES = ["971", "972", "973", "974", "975", "976", "977", "978", "984", "986", "987", "988"]


def nir_key(body: str) -> str:
    """The 2-digit key of a 13-character NIR body."""
    digits = body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:]
    return f"{97 - int(digits) % 97:02d}"


def make_nir(body: str) -> str:
    """A 15-character NIR from its 13 first characters, with spaces removed."""
    body = body.replace(" ", "")
    assert len(body) == 13, body
    return body + nir_key(body)


def format_with_spaces(nir: str) -> str:
    """Grouped like the card: "1 80 10 42 123 456 78" (overseas: "2 85 03 971 12 345 67")."""
    if nir[5:7] in {"97", "98"}:
        parts = (nir[0], nir[1:3], nir[3:5], nir[5:8], nir[8:10], nir[10:13], nir[13:])
    else:
        parts = (nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:])
    return " ".join(parts)


MONTH_CODES = st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)).map(lambda month: f"{month:02d}")


@st.composite
def valid_nirs(draw: st.DrawFn) -> str:
    """Any structurally valid NIR (15 characters) with its correct key."""
    sex = draw(st.sampled_from("12"))
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
