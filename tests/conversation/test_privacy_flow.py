"""Issue 15 on a really started Miel assistant: NIRs typed in several groupings
(overseas, Corsica, no-break spaces, dots, none), a one-time code typed with
spaces and a password are found neither in the conversation store nor in
the server's log, whatever question was pending when they were typed."""

from __future__ import annotations

import json

import pytest
from helpers.nir import make_nir

pytestmark = pytest.mark.conversation

NIRS = {
    # the number as generated, and how the member types it
    make_nir("2850397112345"): "2 85 03 971 12 345 {key}",  # overseas, as on the card
    make_nir("180102A123456"): "1.80.10.2A.123.456.{key}",  # Corsica, dots
    make_nir("2920899134021"): "29 20 89 91 34 02 1",  # born abroad, pairs, no key
    make_nir("1750675123456"): "1\u00a075\u00a006\u00a075\u00a0123\u00a0456\u00a0{key}",  # no-break spaces
    make_nir("2690513055123"): "2690513055123{key}",  # no separator
}
CODE = "48 29 13"
PASSWORD = "Soleil!2025x"


def _typed(nir: str, pattern: str) -> str:
    return pattern.format(key=nir[13:])


def _compact(text: str) -> str:
    return "".join(c for c in text if c.isalnum()).upper()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_nirs_codes_and_passwords_are_neither_stored_nor_logged(miel):
    sender = miel.new_sender("privacy")
    typed = [_typed(nir, pattern) for nir, pattern in NIRS.items()]
    miel.say(sender, "bonjour")
    miel.say(sender, "je veux activer mon espace")
    miel.say(sender, typed[0])  # the answer to the NIR question
    miel.say(sender, f"mon numéro de sécurité sociale est {typed[1]}")
    miel.say(sender, "stop")
    for text in typed[2:]:
        miel.say(sender, f"voici mon numéro : {text}, merci")
    miel.say(sender, f"j'ai reçu le code {CODE} par SMS")
    miel.say(sender, f"mon mot de passe est {PASSWORD}")
    miel.say(sender, f"mdp {PASSWORD} ça ne marche pas")

    events = [data for _, data in miel.stored_events(sender)]
    assert len(events) > 10
    stored = [_compact(text) for text in _strings(events)]
    assert any("MASQU" in text for text in stored)  # something was masked
    log_lines = [_compact(line) for line in miel.log().splitlines()]
    for nir in NIRS:
        assert not any(nir[:13] in text for text in stored), nir
        assert not any(nir[:13] in line for line in log_lines), nir
    for where in (stored, log_lines):
        assert not any(_compact(CODE) in text for text in where)
    assert PASSWORD not in json.dumps(events, ensure_ascii=False)
    assert PASSWORD not in miel.log()
