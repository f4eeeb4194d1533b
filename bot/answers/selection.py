"""Read the ResponseSelector's choice from a message's parse data.

Rasa stores it under ``parse_data["response_selector"][<selector>]``, where
``<selector>`` is the retrieval intent the selector was trained for (``faq``)
or ``default`` when one selector serves every retrieval intent.  This module
returns the sub-key (``remboursements`` for ``faq/remboursements``) that
belongs to the wanted retrieval intent, or None.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

_DEFAULT_SELECTOR = "default"


def _sub_key(full_key: object, retrieval_intent: str) -> str | None:
    if not isinstance(full_key, str):
        return None
    prefix = f"{retrieval_intent}/"
    if full_key.startswith(prefix) and len(full_key) > len(prefix):
        return full_key[len(prefix) :]
    return None


def _candidates(selector: Mapping[str, Any]) -> Iterable[object]:
    response = selector.get("response") or {}
    if isinstance(response, Mapping):
        yield response.get("intent_response_key")
    for ranked in selector.get("ranking") or []:
        if isinstance(ranked, Mapping):
            yield ranked.get("intent_response_key")


def selected_key(parse_data: Mapping[str, Any] | None, retrieval_intent: str) -> str | None:
    """The selected sub-key of ``retrieval_intent`` (e.g. ``"telephone"``), or None.

    The selector named after the retrieval intent wins; a ``default``
    selector is used otherwise.  If the top response belongs to another
    retrieval intent, the best-ranked one of ``retrieval_intent`` is taken.
    A button payload typed as ``/faq/<key>`` names its key directly.
    """
    text = (parse_data or {}).get("text")
    if isinstance(text, str) and text.startswith("/"):
        key = _sub_key(text[1:].strip(), retrieval_intent)
        if key and key.replace("_", "").isalnum():
            return key
    for selector in _selectors(parse_data, retrieval_intent):
        for full_key in _candidates(selector):
            key = _sub_key(full_key, retrieval_intent)
            if key:
                return key
    return None


def _selectors(parse_data: Mapping[str, Any] | None, retrieval_intent: str) -> Iterator[Mapping[str, Any]]:
    """The response selector outputs of ``parse_data`` for ``retrieval_intent``, then the default one."""
    selectors = (parse_data or {}).get("response_selector") or {}
    if not isinstance(selectors, Mapping):
        return
    for name in (retrieval_intent, _DEFAULT_SELECTOR):
        selector = selectors.get(name)
        if isinstance(selector, Mapping):
            yield selector


# the selector's top answer overrides the intent when it is at least this sure
CROSS_CONFIDENCE = 0.5
RETRIEVAL_INTENTS = ("faq", "contact")


def confident_other_answer(
    parse_data: Mapping[str, Any] | None, retrieval_intent: str, min_confidence: float = CROSS_CONFIDENCE
) -> tuple[str, str] | None:
    """``(other retrieval intent, key)`` when the selector's top answer belongs to the other one.

    The intent classifier tells ``faq`` from ``contact``; the response
    selector, trained on both, chooses among every answer. When they
    disagree ("c koi l'orientation santé" read as ``contact`` while the
    selector is sure of ``faq/bien_etre``), the selector's answer is given if
    its confidence is at least ``min_confidence``; otherwise None.
    """
    for selector in _selectors(parse_data, retrieval_intent):
        response = selector.get("response") or {}
        if not isinstance(response, Mapping):
            continue
        full_key = response.get("intent_response_key")
        confidence = response.get("confidence")
        if not isinstance(full_key, str) or not isinstance(confidence, (int, float)):
            continue
        for other in RETRIEVAL_INTENTS:
            key = _sub_key(full_key, other)
            if other != retrieval_intent and key and confidence >= min_confidence:
                return other, key
        return None
    return None
