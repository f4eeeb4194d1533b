"""E-mail addresses: syntax check (no network) and typo detection on common domains."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from bot.identity.errors import InvalidEmail

# Domains most members use: an address whose domain is one or two typing
# mistakes away from one of them is probably a typo.
COMMON_DOMAINS = (
    "gmail.com", "hotmail.fr", "hotmail.com", "yahoo.fr", "yahoo.com", "orange.fr", "wanadoo.fr",
    "free.fr", "laposte.net", "outlook.fr", "outlook.com", "icloud.com", "sfr.fr", "live.fr",
    "bbox.fr", "neuf.fr",
)  # fmt: skip

# Real domains close to a common one: never reported as typos.
KNOWN_DOMAINS = frozenset(COMMON_DOMAINS) | frozenset(
    """
    live.com live.be msn.com aol.com aol.fr gmx.fr gmx.com gmx.de mail.com email.com ymail.com
    rocketmail.com me.com mac.com protonmail.com proton.me numericable.fr club-internet.fr aliceadsl.fr
    hotmail.be hotmail.it hotmail.es hotmail.de hotmail.co.uk yahoo.be yahoo.it yahoo.es yahoo.de
    yahoo.co.uk outlook.be outlook.es outlook.de skynet.be bluewin.ch
    """.split()
)

# Frequent mistakes that are not close enough to be found by distance.
KNOWN_TYPOS = {"gmail.fr": "gmail.com", "icloud.fr": "icloud.com", "gmail.com.fr": "gmail.com"}


def _distance(left: str, right: str) -> int:
    """Edit distance counting an adjacent swap as one edit (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, start=1):
            cost = left_char != right_char
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def suggest_domain(domain: str) -> str | None:
    """The common domain the member probably meant, or None."""
    domain = domain.lower()
    if domain in KNOWN_DOMAINS:
        return None
    if domain in KNOWN_TYPOS:
        return KNOWN_TYPOS[domain]
    allowed = 2 if len(domain) >= 8 else 1
    scored = sorted((_distance(domain, common), common) for common in COMMON_DOMAINS)
    best_distance, best = scored[0]
    return best if best_distance <= allowed else None


def _syntax_error(raw: str) -> InvalidEmail:
    if "@" not in raw:
        response = "utter_refused_email_syntax_missing_at"
    elif raw.count("@") > 1:
        response = "utter_refused_email_syntax_many_at"
    elif any(char.isspace() for char in raw):
        response = "utter_refused_email_syntax_space"
    elif raw.startswith("@"):
        response = "utter_refused_email_syntax_no_local_part"
    elif "." not in raw.rsplit("@", 1)[1]:
        response = "utter_refused_email_syntax_domain"
    else:
        response = "utter_refused_email_syntax"
    return InvalidEmail("syntax", response)


def parse_email(text: str, allow_unusual_domain: bool = False) -> str:
    """Check an e-mail address and return it with its domain in lower case.

    The syntax is checked by email-validator, without any DNS look-up. A
    domain one or two typing mistakes away from a common one ("gmial.com")
    raises ``InvalidEmail(reason="typo")`` whose ``suggestion`` is the
    corrected address; pass ``allow_unusual_domain=True`` once the member has
    confirmed that the address is right as typed. Other reasons: ``empty``,
    ``syntax``.
    """
    raw = (text or "").strip().strip("<>").strip()
    if raw.lower().startswith("mailto:"):
        raw = raw[len("mailto:") :]
    raw = raw.rstrip(".")
    if not raw:
        raise InvalidEmail("empty", "utter_refused_email_empty")
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise _syntax_error(raw) from None
    local, domain = result.local_part, result.domain.lower()
    address = f"{local}@{domain}"
    if not allow_unusual_domain:
        better = suggest_domain(domain)
        if better is not None:
            suggestion = f"{local}@{better}"
            # typed: the address as written, the title of the button that keeps it
            raise InvalidEmail("typo", "utter_refused_email_typo", suggestion=suggestion, address=address, typed=raw)
    return address
