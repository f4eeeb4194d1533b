"""Verdicts on messages the NLU should not guess about."""

import pytest

from bot.input_check import BAD_INPUT, OTHER_LANGUAGE, TOO_LONG, classify_input


@pytest.mark.parametrize(
    "text, verdict",
    [
        ("", BAD_INPUT),
        ("   \n ", BAD_INPUT),
        (None, BAD_INPUT),
        ("😀😀😀", BAD_INPUT),
        ("?!...", BAD_INPUT),
        ("<script>alert(1)</script>", BAD_INPUT),
        ("bonjour <b>toi</b>", BAD_INPUT),
        ("x" * 10_000, TOO_LONG),
        ("What is the weather like in London tomorrow?", OTHER_LANGUAGE),
        ("¿Dónde está la estación por favor?", OTHER_LANGUAGE),
        ("bonjour", None),
        ("1 80 10 42 123 456 78", None),
        ("12/03/1980", None),
        ("482913", None),
        ("je veux activer mon compte", None),
        ("mon mot de passe ne marche pas", None),
        ("hello", None),
        ("ok merci", None),
        ("Dupont Marie", None),
        ("j'ai un probleme avec mon password", None),
    ],
)
def test_classify_input(text, verdict):
    assert classify_input(text) == verdict
