"""The masked transcript sent with a support ticket, from literal event lists."""

from __future__ import annotations

import pytest

from bot.support.transcript import BOT, USER, transcript_lines

NIR = "1 80 10 42 218 123 33"


def user(text):
    return {"event": "user", "text": text, "parse_data": {"text": text}}


def bot(text):
    return {"event": "bot", "text": text}


def requested(slot):
    return {"event": "slot", "name": "requested_slot", "value": slot}


@pytest.mark.parametrize(
    "events, expected",
    [
        (
            [user("bonjour"), bot("Bonjour, que puis-je faire ?")],
            [f"{USER} : bonjour", f"{BOT} : Bonjour, que puis-je faire ?"],
        ),
        ([user(f"mon nir est {NIR}")], [f"{USER} : mon nir est [n° de sécurité sociale masqué]"]),
        ([user("écrivez-moi à paul.durand@example.com")], [f"{USER} : écrivez-moi à p***d@example.com"]),
        ([user("appelez le 06 12 34 56 78")], [f"{USER} : appelez le [téléphone masqué se terminant par 78]"]),
        ([user("le code 1753446898276 ne marche pas")], [f"{USER} : le code [code masqué] ne marche pas"]),
        ([requested("access_code"), user("SMIE-4821")], [f"{USER} : [masqué]"]),
        (
            [requested("otp_code"), user("482913"), requested(None), user("482913")],
            [f"{USER} : [masqué]", f"{USER} : [code masqué]"],
        ),
        (
            [requested("nir"), user("c'est 180104221812333"), {"event": "active_loop", "name": None}, user("merci")],
            [f"{USER} : [masqué]", f"{USER} : merci"],
        ),
        ([user("/affirm"), user("/deny")], [f"{USER} : (bouton) oui", f"{USER} : (bouton) non"]),
        ([bot("Ligne 1\nLigne 2\n\nLigne 3")], [f"{BOT} : Ligne 1 / Ligne 2 / Ligne 3"]),
        (
            [
                user(""),
                bot(None),
                {"event": "action", "name": "action_listen"},
                {"event": "slot", "name": "x", "value": 1},
            ],
            [],
        ),
    ],
    ids=[
        "plain",
        "nir",
        "email",
        "phone",
        "activation-code",
        "access-code-answer",
        "otp-then-free",
        "nir-form-closed",
        "buttons",
        "multiline",
        "ignored",
    ],
)
def test_transcript_lines(events, expected):
    assert transcript_lines(events) == expected


def test_long_lines_are_cut():
    (line,) = transcript_lines([user("a" * 5000)])
    assert len(line) < 700 and line.endswith("…")


def test_bot_texts_are_masked_too():
    (line,) = transcript_lines([bot("Le code envoyé au 06 12 34 56 78 est 482913.")])
    assert "482913" not in line and "56 78" not in line


def test_transcript_keeps_dates_and_the_mutuelle_s_contact_details_readable():
    """Issue 15: support reads dates, years, ticket references and the mutuelle's own
    contact details; the member's secrets are still masked."""
    lines = transcript_lines(
        [
            user("je suis née le 12/03/1985, en 1985, à Fort-de-France (972)"),
            bot("Appelez Miel au 04 77 49 35 35 ou écrivez à digital.assistance-miel@malakoffhumanis.com."),
            bot("Service Clients Miel, 33 rue des Docteurs Charcot, 42031 Saint-Etienne Cedex"),
            user(f"ma demande MIEL-2511-ABC234, mon NIR {NIR}, mon mobile 06 12 34 56 78, mdp: Soleil!2025"),
        ]
    )
    assert lines[0] == f"{USER} : je suis née le 12/03/1985, en 1985, à Fort-de-France (972)"
    assert "04 77 49 35 35" in lines[1] and "digital.assistance-miel@malakoffhumanis.com" in lines[1]
    assert "42031 Saint-Etienne" in lines[2]
    assert "MIEL-2511-ABC234" in lines[3] and "[n° de sécurité sociale masqué]" in lines[3]
    assert "06 12 34" not in lines[3] and "Soleil!2025" not in lines[3]
