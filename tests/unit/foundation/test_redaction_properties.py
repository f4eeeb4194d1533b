"""Property-based tests (hypothesis) of the redaction engine: NIRs of every
department kind in any grouping, codes with separators and passwords, inside
random French sentences, never survive :func:`bot.privacy.mask_text` or the
event redaction; dates, years, ticket references, department names and the
mutuelle's contact details stay readable."""

from __future__ import annotations

import pytest
from helpers.secrets_strategies import (
    CODE_SEPARATORS,
    SEPARATORS,
    codes,
    compact,
    grouped,
    nirs,
    passwords,
    sentence_around,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.passwords import policy_errors
from bot.privacy import mask_text
from bot.privacy.events import redact_events
from bot.tenants import load_tenant

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLICY = load_tenant("miel").password_policy


@st.composite
def nir_sentences(draw: st.DrawFn) -> tuple[str, str]:
    nir = draw(nirs())
    return nir, draw(sentence_around(draw(grouped(nir, SEPARATORS))))


@st.composite
def code_sentences(draw: st.DrawFn) -> tuple[str, str]:
    code = draw(codes())
    prefix = draw(st.sampled_from(["mon code est", "code reçu :", "le code", "j'ai reçu", "voici"]))
    return code, draw(sentence_around(prefix + " " + draw(grouped(code, CODE_SEPARATORS))))


@PROPERTY
@given(nir_sentences())
def test_no_nir_survives_in_any_grouping(case):
    nir, sentence = case
    assert compact(nir[:13]) not in compact(mask_text(sentence)), sentence


@PROPERTY
@given(code_sentences())
def test_no_code_survives_with_separators(case):
    code, sentence = case
    assert code not in compact(mask_text(sentence)), sentence


@PROPERTY
@given(passwords(), st.sampled_from(["mon mot de passe est {}", "mdp : {}", "Mot de passe: {} merci", "mdp {}"]))
def test_no_password_survives_after_a_password_word(password, template):
    assert not policy_errors(password, POLICY)
    sentence = template.format(password)
    assert password not in mask_text(sentence), sentence


@PROPERTY
@given(passwords(), st.sampled_from(["{}", "c'est {}", "voilà {} merci", "{} !"]))
@example("Aa0aaaa!", "{}")  # found by hypothesis: the special character last, like a sentence's end
def test_no_password_survives_while_a_password_question_is_pending(password, template):
    events = [
        {"event": "bot", "text": "Décrivez votre demande. N'indiquez ni mot de passe, ni code reçu."},
        {"event": "user", "text": template.format(password), "parse_data": {"text": template.format(password)}},
    ]
    stored = str([event for _, event in redact_events(events, start=0)])
    assert password not in stored


@pytest.mark.parametrize(
    "text",
    [
        "Je suis né le 12/03/1985 en 1985, le 1985-03-12",
        "Appelez le 04 77 49 35 35 ou le +33 4 77 49 35 35",
        "Écrivez à digital.assistance-miel@malakoffhumanis.com",
        "Service Clients Miel, 33 rue des Docteurs Charcot, 42031 Saint-Etienne Cedex",
        "Votre demande MIEL-2511-ABC234 est transmise",
        "Je suis né en Seine-Saint-Denis (93), ma sœur en Guadeloupe (971) et mon frère en Corse-du-Sud (2A)",
        "remboursement de 1 250 € le 03/2025, 3 essais, 10 minutes",
    ],
)
def test_what_support_needs_stays_readable(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "text, gone",
    [
        ("iban FR76 3000 6000 0112 3456 7890 189", "30006000"),
        ("carte 4111 1111 1111 1111", "41111111"),
        ("mon mobile 06 12 34 56 78", "061234"),
        ("mobile +44 7700 900123", "7700900"),
        ("mon e-mail marie.dupont@example.org", "MARIEDUPONT"),
        ("lien https://x.fr/motdepasse?token=abcdefghijklmnop123", "ABCDEFGHIJKLMNOP"),
    ],
)
def test_bank_phone_and_mail_details_are_masked(text, gone):
    assert gone not in compact(mask_text(text))


def test_every_field_of_every_event_is_walked():
    nir = "2 85 03 971 12 345 67"
    events = [
        {"event": "user", "text": "x", "parse_data": {"text": "x", "entities": [{"entity": "nir", "value": nir}]},
         "metadata": {"note": nir}},
        {"event": "entities", "entities": [{"entity": "nir", "value": nir}]},
        {"event": "slot", "name": "notes", "value": [nir, {"deep": [nir]}]},
        {"event": "bot", "text": nir, "data": {"buttons": [{"title": nir, "payload": "/x"}]}, "metadata": {"a": nir}},
    ]  # fmt: skip
    out = [event for _, event in redact_events(events, start=0)]
    assert "12345" not in compact(str(out))
    assert out[1]["entities"][0]["entity"] == "nir" and out[3]["data"]["buttons"][0]["payload"] == "/x"
