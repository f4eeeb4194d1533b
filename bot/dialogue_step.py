"""Where the conversation is: the one ``dialogue_step`` slot, shared by every flow.

A flow that waits for a particular answer says so by setting ``dialogue_step``
to one of the namespaced values below (``<flow>.<step>``); the rules of
``data/rules/`` read it as a slot condition (``- dialogue_step:
activation.code``), and the actions write it only through :func:`at`, so a
conversation is in at most one place at a time: starting the support offer
leaves the activation, answering the CGU question leaves the registration.
``None`` (:data:`NOWHERE`) is « no flow waits for an answer »: an « oui »
then gets the general answer.

The values are the categorical values of the slot in ``domain.yml``
(:data:`STEPS`; a unit test checks both agree).  Kept free of Rasa imports.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

SLOT = "dialogue_step"
NOWHERE = None

# activation (actions/activation.py): which form the rules run next
ACTIVATION_IDENTITY = "activation.identity"
ACTIVATION_CONTACT = "activation.contact"
ACTIVATION_CODE = "activation.code"
# registration (actions/registration.py): the yes/no question just asked
REGISTRATION_CGU = "registration.cgu"
REGISTRATION_CONTACT_ON_FILE = "registration.contact_on_file"
# support (actions/support.py): the offer of a written message
SUPPORT_OFFER = "support.offer"

STEPS = (
    ACTIVATION_IDENTITY,
    ACTIVATION_CONTACT,
    ACTIVATION_CODE,
    REGISTRATION_CGU,
    REGISTRATION_CONTACT_ON_FILE,
    SUPPORT_OFFER,
)


def at(step: str | None) -> Dict[str, Any]:
    """The slot value that puts the conversation at ``step`` (``None``: nowhere)."""
    if step is not None and step not in STEPS:
        raise ValueError(f"unknown dialogue step: {step}")
    return {SLOT: step}


def current(slots: Mapping[str, Any]) -> str | None:
    """The step the conversation is at, from its slot values (an unknown value is nowhere)."""
    value = slots.get(SLOT)
    return value if value in STEPS else None


def flow(step: str | None) -> str | None:
    """The flow a step belongs to: ``activation``, ``registration``, ``support`` or None."""
    return step.split(".", 1)[0] if step else None
