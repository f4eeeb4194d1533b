"""Where a reply text holds a web address, an e-mail address or a French phone number.

The channels turn them into links a mobile member can tap (``https:``,
``mailto:``, ``tel:``) instead of retyping them: Telegram through
:func:`find_links` (``bot.channels.telegram``); the web widget finds the same
three kinds in JavaScript (``bot/web/static/widget.js``).  Only these three
schemes are ever produced, so a text cannot smuggle a ``javascript:`` link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

# e-mail addresses first: the domain of an address is not a web address
_EMAIL = r"(?P<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
_URL = r"(?P<url>https?://[^\s<>«»\"]+)"
# bare web domains of the profiles: www.mutuellesmie.com, mielmut.fr
_DOMAIN = r"(?P<domain>(?<![\w@./\-])(?:www\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:fr|com|org|net|eu)(?:/[^\s<>«»\"]*)?)"
# 0X XX XX XX XX and +33 X XX XX XX XX, with spaces, no-break spaces or dots
_PHONE = r"(?P<phone>(?<![\w+])(?:\+33[ \u00a0\u202f]?[1-9]|0[1-9])(?:[ \u00a0\u202f.]\d{2}){4}(?!\d))"
_LINK_RE = re.compile("|".join((_EMAIL, _URL, _DOMAIN, _PHONE)), re.IGNORECASE)
# closing punctuation glued to the end of an address belongs to the sentence
_TRAILING = ".,;:!?)»"


@dataclass(frozen=True)
class Link:
    """``text[start:end]`` is ``label``; ``href`` is what a tap opens."""

    start: int
    end: int
    label: str
    href: str


def phone_href(number: str) -> str:
    """``04 77 49 35 35`` -> ``tel:+33477493535``."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("33"):
        return f"tel:+{digits}"
    return f"tel:+33{digits[1:]}"


def find_links(text: str) -> List[Link]:
    """The web addresses, e-mail addresses and phone numbers of ``text``, in order."""
    links: List[Link] = []
    for match in _LINK_RE.finditer(text or ""):
        label = match.group(0)
        start = match.start()
        if match.lastgroup in ("url", "domain"):
            while label and label[-1] in _TRAILING:
                label = label[:-1]
            if not label:
                continue
        end = start + len(label)
        if match.lastgroup == "email":
            href = f"mailto:{label}"
        elif match.lastgroup == "url":
            href = label
        elif match.lastgroup == "domain":
            href = f"https://{label}"
        else:
            href = phone_href(label)
        links.append(Link(start=start, end=end, label=label, href=href))
    return links


__all__ = ["Link", "find_links", "phone_href"]
