"""parse_email: syntax, lower-case domain, typos of common domains."""

from __future__ import annotations

import pytest

from bot.identity import InvalidEmail, parse_email


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("marie.dupont@gmail.com", "marie.dupont@gmail.com"),
        ("Marie.Dupont@GMAIL.COM", "Marie.Dupont@gmail.com"),
        ("  jean@orange.fr  ", "jean@orange.fr"),
        ("<jean@free.fr>", "jean@free.fr"),
        ("mailto:jean@laposte.net", "jean@laposte.net"),
        ("jean@wanadoo.fr.", "jean@wanadoo.fr"),
        ("jean+mutuelle@hotmail.fr", "jean+mutuelle@hotmail.fr"),
        ("jean@ymail.com", "jean@ymail.com"),
        ("jean@yahoo.es", "jean@yahoo.es"),
        ("jean@entreprise-exemple.fr", "jean@entreprise-exemple.fr"),
        ("hélène@exemple.fr", "hélène@exemple.fr"),
    ],
)
def test_email_is_accepted(typed: str, expected: str) -> None:
    assert parse_email(typed) == expected


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("marie@gmial.com", "marie@gmail.com"),
        ("marie@gmail.con", "marie@gmail.com"),
        ("marie@gmail.fr", "marie@gmail.com"),
        ("marie@gnail.com", "marie@gmail.com"),
        ("marie@hotmial.fr", "marie@hotmail.fr"),
        ("marie@hotmail.cmo", "marie@hotmail.com"),
        ("marie@yahou.fr", "marie@yahoo.fr"),
        ("marie@orang.fr", "marie@orange.fr"),
        ("marie@wanado.fr", "marie@wanadoo.fr"),
        ("marie@laposte.nte", "marie@laposte.net"),
        ("marie@outlok.fr", "marie@outlook.fr"),
        ("marie@iclould.com", "marie@icloud.com"),
        ("marie@sfr.fe", "marie@sfr.fr"),
        ("Marie@FREE.FT", "Marie@free.fr"),
    ],
)
def test_typo_gets_a_suggestion(typed: str, suggestion: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        parse_email(typed)
    assert caught.value.reason == "typo"
    assert caught.value.suggestion == suggestion
    assert caught.value.message.startswith(f"Vouliez-vous dire {suggestion} ?")


def test_confirmed_unusual_domain_is_kept() -> None:
    assert parse_email("marie@gmial.com", allow_unusual_domain=True) == "marie@gmial.com"


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", "Merci d'indiquer votre adresse e-mail"),
        ("mariegmail.com", "Il manque le signe @"),
        ("marie@@gmail.com", "un seul signe @"),
        ("marie dupont@gmail.com", "pas d'espace"),
        ("@gmail.com", "avant le signe @"),
        ("marie@gmail", "après le signe @"),
        ("marie..dupont@gmail.com", "n'est pas valide"),
    ],
)
def test_syntax_errors_say_what_is_wrong(typed: str, fragment: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        parse_email(typed)
    assert caught.value.reason == ("empty" if not typed else "syntax")
    assert fragment in caught.value.message
