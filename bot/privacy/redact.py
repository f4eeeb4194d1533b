"""The one redaction engine: free text and any value (lists, dicts) with personal data masked.

:func:`redact_text` masks, in this order of priority (text claimed by one
detector is never touched by the next):

1. kept as they are: ticket references (``MIEL-2511-ABC234``), sealed values,
   the mutuelle's own e-mail addresses;
2. passwords: after "mot de passe", "mdp", "password"..., and, when a
   password question is pending (:attr:`RedactionContext.password_pending`),
   any token that satisfies the password policy or mixes three kinds of
   characters;
3. links: kept up to their path, query strings and token-like segments masked;
4. e-mail addresses (``m***t@example.org``);
5. IBANs (python-stdnum) as ``[IBAN masqué]``;
6. runs of digits in any grouping (:func:`bot.privacy.detectors.number_runs`):
   the mutuelle's own phone numbers and postal codes, dates, years, amounts
   and numbers of 1 to 3 digits are kept; phone numbers (French or
   international) keep their last two digits; NIRs (2A/2B, overseas 97x/98x,
   with or without key), card numbers (Luhn), 13-digit activation codes,
   other long numbers and codes of 4 to 8 digits are masked.

:func:`redact_value` walks any JSON-like value and redacts every string in
it. Department names, dates and words are never touched.  A false positive
costs a little readability; a false negative leaks a secret: the number
rules err on the side of masking.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, List

from bot.privacy.detectors import (
    Span,
    classify_run,
    email_spans,
    iban_spans,
    is_log_number,
    number_runs,
    password_spans,
    sealed_spans,
    ticket_spans,
    url_spans,
)
from bot.security import mask_email


@dataclass(frozen=True)
class PublicFacts:
    """Contact details of the mutuelles that stay readable: digits and e-mail addresses."""

    numbers: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1)
def tenant_public_facts() -> PublicFacts:
    """Phone numbers, postal codes and e-mail addresses of every tenant profile."""
    import re

    from bot.tenants import available_tenants, load_tenant

    numbers: set[str] = set()
    emails: set[str] = set()
    for name in available_tenants():
        try:
            tenant = load_tenant(name)
        except Exception:  # noqa: BLE001, S112 - a broken profile is reported at start-up, not here
            continue
        if tenant.phone is not None:
            national = "".join(c for c in tenant.phone.number if c.isdigit())
            numbers.add(national)
            numbers.add(tenant.phone.e164.lstrip("+"))
        for line in tenant.postal_address or []:
            numbers.update(re.findall(r"\b\d{5}\b", line))
        for address in (tenant.support_email, tenant.sender_email):
            if address:
                emails.add(address.lower())
    return PublicFacts(frozenset(numbers), frozenset(emails))


@dataclass(frozen=True)
class RedactionContext:
    """What the engine knows of the conversation around the text."""

    password_pending: bool = False
    # log lines: dotted versions and IPv4 addresses ("Rasa 3.5.17", "127.0.0.1") and plain
    # numbers of up to 5 digits (ports, ids, counts) stay readable; one-time codes have 6 to 8
    for_logs: bool = False
    # password policy check (True when a token satisfies the tenant's policy)
    password_ok: Callable[[str], bool] | None = None
    public: PublicFacts = field(default_factory=tenant_public_facts)


_BLANK = "\ufffc"  # neither a digit nor a separator


def _spans(text: str, ctx: RedactionContext) -> List[Span]:
    claimed: List[Span] = []

    def add(spans: Iterable[Span]) -> None:
        for span in spans:
            if span.end <= span.start:
                continue
            if any(span.start < c.end and c.start < span.end for c in claimed):
                continue
            claimed.append(span)

    add(ticket_spans(text))
    add(sealed_spans(text))
    add(password_spans(text, ctx.password_pending, ctx.password_ok))
    add(url_spans(text))
    add(email_spans(text, mask_email, ctx.public.emails))
    add(iban_spans(text))
    # numbers, in the text left over: claimed text is blanked out first
    scratch = list(text)
    for c in claimed:
        scratch[c.start : c.end] = _BLANK * (c.end - c.start)
    left = "".join(scratch)
    runs = [
        Span(start, end, left[start:end])
        if ctx.for_logs and is_log_number(left, start, end)
        else classify_run(left, start, end, ctx.public.numbers)
        for start, end in number_runs(left)
    ]
    add(runs)
    return sorted(claimed, key=lambda s: s.start)


DEFAULT_CONTEXT: RedactionContext | None = None


def default_context() -> RedactionContext:
    global DEFAULT_CONTEXT
    if DEFAULT_CONTEXT is None:
        DEFAULT_CONTEXT = RedactionContext()
    return DEFAULT_CONTEXT


def redact_text(text: str | None, ctx: RedactionContext | None = None) -> str:
    """``text`` with every secret and personal detail masked (see the module docstring)."""
    if not text:
        return ""
    ctx = ctx or default_context()
    out: List[str] = []
    position = 0
    for span in _spans(text, ctx):
        out.append(text[position : span.start])
        out.append(span.replacement)
        position = span.end
    out.append(text[position:])
    return "".join(out)


def redact_value(value: Any, ctx: RedactionContext | None = None, keep_keys: frozenset[str] = frozenset()) -> Any:
    """A copy of ``value`` (str, list, tuple, dict, anything JSON-like) with every string redacted.

    Values under a key of ``keep_keys`` (structure: event names, intents,
    timestamps...) are copied unchanged; numbers, booleans and None too.
    """
    if isinstance(value, str):
        return redact_text(value, ctx)
    if isinstance(value, dict):
        return {k: (v if k in keep_keys else redact_value(v, ctx, keep_keys)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v, ctx, keep_keys) for v in value]
    return value


def compact(text: str) -> str:
    """``text`` without separators or case: what "the characters in sequence" means for a secret."""
    return "".join(c for c in text if c.isalnum()).upper()


__all__ = ["PublicFacts", "RedactionContext", "compact", "redact_text", "redact_value", "tenant_public_facts"]
