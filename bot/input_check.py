"""First look at a member's message, before any intent guess.

Messages the NLU cannot sensibly classify get a verdict of their own so the
assistant answers them politely instead of guessing: nothing readable (empty,
emoji only, punctuation), markup (HTML/script), far too long, or clearly
written in another language.  Numbers alone are fine: a NIR, a date or a
code is a valid answer during activation.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 1500

BAD_INPUT = "bad_input"
TOO_LONG = "too_long"
OTHER_LANGUAGE = "other_language"

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:|&lt;\s*script", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_FRENCH = frozenset(
    """je j tu il elle on nous vous ils elles me m te t se s le l les un une des du de d au aux et ou mais donc
    est suis es sont ai as avez ont fait faire pas ne n plus mon ma mes ton ta tes son sa ses votre vos notre nos
    ce cet cette ces qui que qu quoi quel quelle quels quelles comment pourquoi où quand combien avec pour sur dans
    par chez sans bonjour bonsoir salut merci oui non ok svp stp compte espace code mot passe numéro numero
    carte mutuelle remboursement aide besoin veux voudrais peux pouvez aller ça ca c y en à a""".split()
)
_FOREIGN = frozenset(
    """the is are was what how where when why who my your you i can could would please hello hi thanks thank
    weather tomorrow today account password help with and of to in for it this that
    el los las está esta dónde donde qué por favor hola cómo gracias mi es estación tiempo mañana
    der die das ist wie ich nicht und bitte danke wo guten tag""".split()
)


def _has_readable_characters(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in {"L", "N"} for ch in text)


def classify_input(text: str | None) -> str | None:
    """``None`` when the message is fine, else one of the verdict names."""
    if text is None or not text.strip() or not _has_readable_characters(text):
        return BAD_INPUT
    if _MARKUP.search(text):
        return BAD_INPUT
    if len(text) > MAX_LENGTH:
        return TOO_LONG
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) >= 3:
        french = sum(w in _FRENCH for w in words)
        foreign = sum(w in _FOREIGN for w in words)
        if french == 0 and foreign >= 2:
            return OTHER_LANGUAGE
    return None
