"""Hypothesis strategies for the redaction tests: valid NIRs of every department
kind (metropolitan 01-95, Corsica 2A/2B, overseas 97x/98x, born abroad 99;
definitive and provisional first digits), with or without key, in random
groupings and separators; one-time and activation codes with separators;
passwords satisfying the tenant policy; random French sentences around them."""

from __future__ import annotations

from hypothesis import strategies as st

from helpers.nir import make_nir

METRO_CODES = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
OVERSEAS_CODES = ["971", "972", "973", "974", "975", "976", "977", "978", "984", "986", "987", "988"]
FIRST_DIGITS = "123478"
# what people put between groups: nothing, spaces, no-break spaces, dots, dashes, slashes, underscores
SEPARATORS = ["", " ", "  ", ".", "-", " - ", "\u00a0", "\u202f", "/", "_", ". "]
CODE_SEPARATORS = ["", " ", "  ", ".", "-", " - ", "\u00a0", "\u202f", "_"]  # "12/03/85" reads as a date
WORDS = (
    "bonjour voici mon numéro de sécurité sociale je suis né en Corse à Fort-de-France le il est "
    "merci beaucoup pour votre aide c'est bien ça mon NIR carte Vitale attestation droits Guadeloupe "
    "Seine-Saint-Denis Réunion madame monsieur voilà alors donc sinon je crois que oui non peut-être "
    "numéro : , ; ( ) « » ! ? … mutuelle remboursement demain hier"
).split()


def nir_bodies() -> st.SearchStrategy[str]:
    """The 13 first characters of a NIR of any department kind."""
    place = st.one_of(
        st.tuples(st.sampled_from(METRO_CODES), st.integers(1, 999).map(lambda n: f"{n:03d}")),
        st.tuples(st.sampled_from(OVERSEAS_CODES), st.integers(1, 99).map(lambda n: f"{n:02d}")),
        st.tuples(st.just("99"), st.integers(100, 599).map(lambda n: f"{n:03d}")),
    ).map(lambda p: p[0] + p[1])
    month = st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)).map(lambda m: f"{m:02d}")
    return st.builds(
        lambda sex, year, month, place, order: sex + f"{year:02d}" + month + place + f"{order:03d}",
        st.sampled_from(FIRST_DIGITS),
        st.integers(0, 99),
        month,
        place,
        st.integers(1, 999),
    )


@st.composite
def nirs(draw: st.DrawFn) -> str:
    """A valid NIR, with its key or (one time in four) without."""
    nir = make_nir(draw(nir_bodies()))
    return nir[:13] if draw(st.integers(0, 3)) == 0 else nir


@st.composite
def grouped(draw: st.DrawFn, value: str, separators: list[str]) -> str:
    """``value`` cut at random places, the pieces joined by random separators."""
    cuts = sorted(draw(st.sets(st.integers(1, len(value) - 1), max_size=len(value) - 1)))
    pieces = [value[a:b] for a, b in zip([0, *cuts], [*cuts, len(value)], strict=True)]
    out = pieces[0]
    for piece in pieces[1:]:
        out += draw(st.sampled_from(separators)) + piece
    if draw(st.booleans()):
        out = out.lower()  # 2a / 2b
    return out


def sentence_around(secret: str) -> st.SearchStrategy[str]:
    """``secret`` inside a random French sentence."""
    words = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
    return st.builds(lambda before, after: f"{before} {secret} {after}".strip(), words, words)


def codes() -> st.SearchStrategy[str]:
    """A one-time code (6 digits) or an activation code (13 digits)."""
    return st.one_of(
        st.text("0123456789", min_size=6, max_size=6),
        st.text("0123456789", min_size=13, max_size=13),
    )


PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!?@#%*-_+=$&.éèàç"


@st.composite
def passwords(draw: st.DrawFn) -> str:
    """A password the Miel policy accepts (8+ characters, upper, lower, digit, special)."""
    chars = [
        draw(st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ")),
        draw(st.sampled_from("abcdefghijkmnopqrstuvwxyz")),
        draw(st.sampled_from("0123456789")),
        draw(st.sampled_from("!?@#%*-_+=$&.")),
        *draw(st.lists(st.sampled_from(PASSWORD_ALPHABET), min_size=4, max_size=16)),
    ]
    return "".join(draw(st.permutations(chars)))


def compact(text: str) -> str:
    """Letters and digits only, upper case: "the characters in sequence, separators removed"."""
    return "".join(c for c in text if c.isalnum()).upper()
