"""Every answer ends with the next step, for both tenants.

An answer that only states a fact leaves the member wondering what to do.
Whatever gives the answer (a domain response rendered by Rasa with the
tenant's slots, with the values bot.answers computes from the profile), its last line
tells the member what to do next: where to go, what to say, whom to write
to or call, or it asks them a question.
"""

from __future__ import annotations

import re
from typing import Dict

import pytest
from answers_helpers import paris
from helpers.responses import reply_text
from test_answers_domain import _render

from bot.answers.contact import CONTACT_KEYS, contact_answer
from bot.answers.faq import FAQ_KEYS, answer_faq
from bot.tenants import load_tenant

# what a next step says: an instruction to the member, or a question to them
NEXT_STEP_RE = re.compile(
    r"\b(dites|dites-moi|connectez-vous|reconnectez-vous|rendez-vous|passez par|écrivez|écrire|appelez|appeler|"
    r"cliquez|saisissez|saisissez-le|tapez|demandez|relancez|recommencez|accédez|choisissez|choisissez-le|"
    r"consultez|me taper)\b|\?$",
    re.IGNORECASE,
)
MOMENTS = {"open": paris(2025, 3, 12, 10, 0), "closed": paris(2025, 3, 15, 11, 0)}


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1].strip()


@pytest.fixture(scope="module")
def rendered() -> Dict[str, Dict[str, str]]:
    return {name: _render(load_tenant(name)) for name in ("miel", "smie")}


@pytest.mark.parametrize("tenant_id", ["miel", "smie"])
@pytest.mark.parametrize("key", FAQ_KEYS)
def test_faq_answer_ends_with_the_next_step(rendered, tenant_id: str, key: str) -> None:
    tenant = load_tenant(tenant_id)
    answer = answer_faq(tenant, key)
    text = (
        rendered[tenant_id][answer.response] if answer.response.startswith("utter_faq/") else reply_text(answer, tenant)
    )
    assert NEXT_STEP_RE.search(_last_line(text)), f"{tenant_id} faq/{key} ends without a next step: {text!r}"


@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("tenant_id", ["miel", "smie"])
@pytest.mark.parametrize("key", CONTACT_KEYS)
def test_contact_answer_ends_with_the_next_step(tenant_id: str, key: str, moment: str) -> None:
    tenant = load_tenant(tenant_id)
    text = reply_text(contact_answer(tenant, key, MOMENTS[moment]), tenant)
    assert NEXT_STEP_RE.search(_last_line(text)), f"{tenant_id} contact/{key} ends without a next step: {text!r}"


@pytest.mark.parametrize("tenant_id", ["miel", "smie"])
def test_out_of_scope_and_emergency_end_with_the_next_step(rendered, tenant_id: str) -> None:
    for name in ("utter_out_of_scope", "utter_medical_emergency"):
        text = rendered[tenant_id][name]
        assert NEXT_STEP_RE.search(_last_line(text)) or "je peux" in _last_line(text), f"{name}: {text!r}"


def test_the_pattern_refuses_a_bare_fact() -> None:
    # guards the tests above: a statement alone is not a next step
    assert not NEXT_STEP_RE.search("Votre carte de tiers payant se télécharge depuis votre espace.")
    assert NEXT_STEP_RE.search("Pour y accéder, rendez-vous sur mielmut.fr.")
