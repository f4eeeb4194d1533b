"""French typography of the replies (bot.typography) and the links the channels make (bot.links)."""

from __future__ import annotations

import asyncio

import pytest

from bot.links import find_links, phone_href
from bot.typography import NBSP, NNBSP, plain_spaces, typeset, typeset_message

N = NNBSP  # narrow no-break space: before ; ! ? and inside « »
B = NBSP  # no-break space: before : and inside phone numbers

TYPESET_CASES = [
    # (written, typeset)
    ("Que puis-je faire pour vous ?", f"Que puis-je faire pour vous{N}?"),
    ("Bonne journée !", f"Bonne journée{N}!"),
    ("Bonne journée!", f"Bonne journée{N}!"),
    ("Vrai ?!", f"Vrai{N}?!"),
    ("d'abord ; ensuite", f"d'abord{N}; ensuite"),
    ("Je peux vous aider à :", f"Je peux vous aider à{B}:"),
    ("Site : https://mielmut.fr", f"Site{B}: https://mielmut.fr"),
    ("dites « activer mon compte ».", f"dites «{N}activer mon compte{N}»."),
    ("dites «oui»", f"dites «{N}oui{N}»"),
    ("au 04 77 49 35 35 (prix d'un appel local)", f"au 04{B}77{B}49{B}35{B}35 (prix d'un appel local)"),
    ("au +33 4 77 49 35 35.", f"au +33{B}4{B}77{B}49{B}35{B}35."),
    ("au 04.77.49.35.35", "au 04.77.49.35.35"),
    # addresses are left alone: their ? and : are not punctuation
    ("https://mielmut.fr/?a=1 ; ok", f"https://mielmut.fr/?a=1{N}; ok"),
    ("Écrivez à a.b@example.org : merci !", f"Écrivez à a.b@example.org{B}: merci{N}!"),
    ("à 8h30, 08:30 ou 10:00", "à 8h30, 08:30 ou 10:00"),
    # a line that starts with punctuation gets no space before it
    ("Voici :\n? rien", f"Voici{B}:\n? rien"),
    # not a phone number: the NIR example, a one-time code
    ("1 80 10 42 XXX XXX XX", "1 80 10 42 XXX XXX XX"),
    ("le code 482913", "le code 482913"),
    ("", ""),
]


@pytest.mark.parametrize(("written", "expected"), TYPESET_CASES)
def test_typeset(written: str, expected: str) -> None:
    assert typeset(written) == expected


@pytest.mark.parametrize(("written", "expected"), TYPESET_CASES)
def test_typeset_is_idempotent(written: str, expected: str) -> None:
    assert typeset(expected) == expected
    assert plain_spaces(expected).replace(" ", "") == written.replace(" ", "")  # only spaces change


def test_typeset_message_touches_text_and_button_titles_only() -> None:
    message = {
        "text": "Que voulez-vous faire ?",
        "buttons": [{"title": "Activer ?", "payload": "/activate_account ?"}, "not a button"],
        "custom": {"text": "brut ?"},
    }
    result = typeset_message(message)
    assert result["text"] == f"Que voulez-vous faire{N}?"
    assert result["buttons"][0] == {"title": f"Activer{N}?", "payload": "/activate_account ?"}
    assert result["buttons"][1] == "not a button"
    assert result["custom"] == {"text": "brut ?"}
    assert message["text"] == "Que voulez-vous faire ?"  # the original is not changed


LINK_CASES = [
    ("appelez le 04 77 49 35 35.", [("04 77 49 35 35", "tel:+33477493535")]),
    (f"appelez le 04{B}77{B}49{B}35{B}35", [(f"04{B}77{B}49{B}35{B}35", "tel:+33477493535")]),
    ("ou le +33 4 77 49 35 35", [("+33 4 77 49 35 35", "tel:+33477493535")]),
    (
        "écrivez à digital.assistance-miel@malakoffhumanis.com.",
        [("digital.assistance-miel@malakoffhumanis.com", "mailto:digital.assistance-miel@malakoffhumanis.com")],
    ),
    ("Site : https://mielmut.fr.", [("https://mielmut.fr", "https://mielmut.fr")]),
    ("sur mielmut.fr, « Espaces Sécurisés »", [("mielmut.fr", "https://mielmut.fr")]),
    ("sur www.mutuellesmie.com, onglet", [("www.mutuellesmie.com", "https://www.mutuellesmie.com")]),
    ("javascript:alert(1) et data:text/html,x", []),
    ("le NIR 1 80 10 42 218 123 33 et le code 482913", []),
]


@pytest.mark.parametrize(("text", "expected"), LINK_CASES)
def test_find_links(text: str, expected: list) -> None:
    links = find_links(text)
    assert [(link.label, link.href) for link in links] == expected
    for link in links:
        assert text[link.start : link.end] == link.label
        assert link.href.startswith(("https://", "http://", "mailto:", "tel:+33"))


def test_phone_href() -> None:
    assert phone_href("04 77 49 35 35") == "tel:+33477493535"
    assert phone_href("+33 4 77 49 35 35") == "tel:+33477493535"


def test_output_boundary_typesets_every_reply() -> None:
    from bot.channels.typeset_output import TypesetCollectingOutputChannel

    channel = TypesetCollectingOutputChannel()
    asyncio.run(channel.send_response("s1", {"text": "Bonjour ! Que puis-je faire ?"}))
    asyncio.run(
        channel.send_response(
            "s1", {"text": "Voulez-vous continuer ?", "buttons": [{"title": "Oui !", "payload": "/x"}]}
        )
    )
    assert channel.messages[0]["text"] == f"Bonjour{N}! Que puis-je faire{N}?"
    assert channel.messages[1]["text"] == f"Voulez-vous continuer{N}?"
    assert channel.messages[1]["buttons"] == [{"title": f"Oui{N}!", "payload": "/x"}]


def test_telegram_html_escapes_and_links() -> None:
    from bot.channels.telegram import to_html

    html = to_html(f"Appelez le 04{B}77{B}49{B}35{B}35 ou écrivez à a.b@example.org <b>&</b> sur mielmut.fr.")
    assert f'<a href="tel:+33477493535">04{B}77{B}49{B}35{B}35</a>' in html
    assert '<a href="mailto:a.b@example.org">a.b@example.org</a>' in html
    assert '<a href="https://mielmut.fr">mielmut.fr</a>.' in html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html
    assert "<b>" not in html
