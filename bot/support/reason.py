"""Why a conversation is being handed to support, from its events (plain dicts).

The hand-off is reached four ways: « parler à un conseiller »
(``request_human``), an explicit complaint (``complaint``), two
misunderstandings in a row (the fallback sets ``support_reason=fallback``
then forces the offer) and a blocked registration (the registration sets
``support_reason=activation_locked``).  A ``support_reason`` set since the
member's last message wins; otherwise the last message's intent decides.

:data:`REASON_LABELS` says each reason in French for the support team
(the ``Motif`` line of the ticket e-mail).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

REASON_LABELS = {
    "advisor_request": "demande à parler à un conseiller",
    "fallback": "l'assistant n'a pas compris la demande",
    "activation_locked": "activation bloquée après plusieurs essais",
    "account_locked": "compte bloqué dans le dossier (identité vérifiée), à débloquer",
    "contact_not_theirs": "le mobile ou l'e-mail du dossier n'est plus celui de l'adhérent",
    "no_contact_on_file": "aucun mobile ni e-mail dans le dossier pour envoyer un code",
    "code_not_delivered": "le code de vérification n'a pas pu être envoyé",
    "complaint": "réclamation",
    "other": "autre demande",
}
REASONS = tuple(REASON_LABELS)
_BY_INTENT = {"request_human": "advisor_request", "complaint": "complaint"}


def handoff_reason(events: Sequence[Mapping[str, Any]], latest_intent: str | None) -> str:
    """One of :data:`REASONS`."""
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            break
        if kind == "slot" and event.get("name") == "support_reason" and event.get("value") in REASONS:
            return str(event["value"])
    return _BY_INTENT.get(latest_intent or "", "other")
