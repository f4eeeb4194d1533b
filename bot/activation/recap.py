"""The identity recap of the activation, and corrections in the member's own words (pure Python).

Before the five identity values are matched against the member store, the
member sees what was understood (:func:`recap_lines`: the NIR masked, the
birth date, the department, the names: only what the member typed, nothing
from the member record) and either confirms (« oui ») or corrects one value
alone, as they would say it:

- « l'année c'est 1988 », « ah non, c'est 1988 », « en mars »: a partial date
  merged with the date already known (:func:`merge_partial_date`);
- « non, c'est Le Gall avec deux L »: a name given without saying which one,
  put where it looks like the value it replaces (:func:`name_correction`);
- « le premier », « oui », « non » after « Vouliez-vous dire : Finistère
  (29), Isère (38) ? » (:func:`department_choice`).

:func:`read_identity_answer` is what the activation form calls on every
message: the values of :func:`bot.activation.extract.find_identity`, plus
the corrections above when they apply. :func:`draft_key` tells whether the
values are still those of a failed match (the member must change one before
another check is spent).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Dict, List, Sequence

from bot.activation.extract import (
    IDENTITY_FIELDS,
    Found,
    _name_run,
    _units,
    find_identity,
    split_full_name,
    yes_or_no,
)
from bot.identity import IdentityError, department_label, find_birth_date, find_nir, parse_department
from bot.identity.dates import _MONTH_WORDS
from bot.identity.names import normalize_name
from bot.identity.text import fold

#: the slot of the recap question, asked last by the identity form
RECAP_SLOT = "identity_confirmed"

# what the member says when correcting: « non, c'est … », « pardon, plutôt … »
_CORRECTION_CUE = re.compile(
    r"(?<![^\W\d_])(?:c['’]?\s*est|c\s+est|plut[ôo]t|en\s+fait|pardon|non|erreur|tromp[ée]e?|"
    r"s['’]?\s*[ée]crit|s['’]?\s*appelle|il\s+faut\s+lire|lire)\s*[,:!.]?\s*",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(?![0-9])")
_DAY = re.compile(r"(?<![0-9])(?:le\s+)?(1er|[0-9]{1,2})(?:\s+|$)", re.IGNORECASE)
_ORDINALS = {
    "premier": 0, "premiere": 0, "1er": 0, "1ere": 0, "un": 0,
    "deuxieme": 1, "second": 1, "seconde": 1, "2e": 1, "2eme": 1,
    "troisieme": 2, "3e": 2, "3eme": 2,
}  # fmt: skip
_LAST_WORDS = ("dernier", "derniere")
#: how close a corrected name must be to the value it replaces to be put there
_NAME_LIKENESS = 0.5

#: "oui" with several suggestions: the member must say which one
CHOOSE = "choose"
#: "non" to every suggestion
NONE_OF_THEM = "none"


@dataclass(frozen=True)
class Known:
    """The identity values already given in this conversation (clear names, masked NIR)."""

    birth_date: date | None = None
    last_name: str | None = None
    first_name: str | None = None


# ---- the recap ---------------------------------------------------------------------------


def recap_lines(
    nir_masked: str | None,
    born: date | None,
    department: str | None,
    last_name: str | None,
    first_name: str | None,
    names_guessed: bool = False,
) -> List[str]:
    """The values understood, one per line (French), as the member typed them; the NIR masked."""
    lines = [
        f"- numéro de sécurité sociale : {nir_masked or '?'}",
        f"- date de naissance : {born.strftime('%d/%m/%Y') if born else '?'}",
        f"- département de naissance : {department_label(department) if department else '?'}",
    ]
    if names_guessed and last_name and first_name:
        lines.append(f"- nom et prénom : {last_name} {first_name} (dans un ordre ou dans l'autre)")
    else:
        lines.append(f"- nom : {last_name or '?'}")
        lines.append(f"- prénom : {first_name or '?'}")
    return lines


def draft_key(
    nir_hash: str | None, born: date | None, department: str | None, last: str | None, first: str | None
) -> str:
    """One string for the five values (names compared as :func:`normalize_name` does): to be hashed."""
    parts = [
        nir_hash or "",
        born.isoformat() if born else "",
        (department or "").upper(),
        normalize_name(last or "").replace(" ", ""),
        normalize_name(first or "").replace(" ", ""),
    ]
    return "|".join(parts)


#: what the recap question says, by the mode the last answer left (``identity_recap``)
_RECAP_RESPONSES = {
    "which": "utter_activation_recap_which",
    "unclear": "utter_activation_recap_unclear",
    "corrected": "utter_activation_recap_corrected",
}


def recap_response(mode: str | None, same_as_failed: bool) -> str:
    """The response that asks the recap question: after a failed match with the same
    values, the no-match answer (which names them); else by ``mode``."""
    if same_as_failed:
        return "utter_activation_no_match"
    return _RECAP_RESPONSES.get(mode or "", "utter_activation_recap")


def recap_answer(answer: object, same_as_failed: bool) -> Dict[str, object]:
    """The slots an answer to the recap gives: ``True`` (« oui »), ``"no"``, ``"unclear"``.

    « oui » to the values of a failed match is not a new check: the member
    is asked to correct one first.
    """
    if answer is True:
        if same_as_failed:
            return {RECAP_SLOT: None, "identity_recap": "mismatch"}
        return {RECAP_SLOT: True, "identity_recap": None}
    if answer == "no":
        return {RECAP_SLOT: None, "identity_recap": "which"}
    if answer == "unclear":
        return {RECAP_SLOT: None, "identity_recap": "unclear"}
    return {RECAP_SLOT: None}


# ---- corrections ---------------------------------------------------------------------------


def merge_partial_date(text: str, known: date | None) -> date | None:
    """A date made of the parts of ``text`` (year, month, day) and the rest of ``known``.

    « l'année c'est 1988 » with 14/10/1980 known → 14/10/1988; « en mars » →
    14/03/1980; « le 12 » → 12/10/1980. None when ``known`` is None, when the
    text holds no such part, or a full date or a NIR (the caller reads those),
    or when the result is not a real date or is ``known`` itself.
    """
    if known is None or not text or find_nir(text) or find_birth_date(text):
        return None
    words = fold(text).split()
    year = month = day = None
    year_match = _YEAR.search(text)
    if year_match:
        year = int(year_match.group(1))
    months = [_MONTH_WORDS[word] for word in words if word in _MONTH_WORDS and word not in ("mar", "dec", "sep")]
    if len(months) == 1:
        month = months[0]
    elif "mois" in words:
        number = re.search(r"(?<![0-9])(0?[1-9]|1[0-2])(?![0-9])", text)
        month = int(number.group(1)) if number and not year_match else month
    remaining = _YEAR.sub(" ", text)
    if month is not None or "jour" in words or re.search(r"(?<![^\W\d_])le\s+(?:1er|[0-9]{1,2})(?![0-9])", text, re.I):
        day_match = _DAY.search(remaining)
        if day_match and not (month is not None and "mois" in words):
            day_text = day_match.group(1).lower()
            day = 1 if day_text == "1er" else int(day_text)
    if year is None and month is None and day is None:
        return None
    try:
        merged = date(year or known.year, month or known.month, day or known.day)
    except ValueError:
        return None
    return None if merged == known else merged


def _similarity(left: str, right: str | None) -> float:
    if not right:
        return 0.0
    a, b = normalize_name(left).replace(" ", ""), normalize_name(right).replace(" ", "")
    return difflib.SequenceMatcher(None, a, b).ratio()


def name_correction(text: str, known: Known) -> Dict[str, str]:
    """A name given as a correction, put where it belongs: {"last_name": "Le Gall"}.

    « non, c'est Le Gall avec deux L » with the last name « Le Gal » known
    gives the last name; a full name (« Marie-Hélène Le Gall ») gives both
    when each part looks like one of the names known. Nothing when the text
    says nothing that looks like a name, or when the name looks like neither.
    """
    raw = text or ""
    if "?" in raw or find_nir(raw) or find_birth_date(raw) or _YEAR.search(raw):
        return {}
    cue = None
    for match in _CORRECTION_CUE.finditer(raw):
        cue = match
    starts = [cue.end()] if cue else []
    starts.append(0)
    for start in starts:
        words, _ = _name_run(raw, start)
        if not words:
            continue
        units = _units(words)
        if len(units) == 1:
            name = units[0]
            last, first = _similarity(name, known.last_name), _similarity(name, known.first_name)
            if max(last, first) < _NAME_LIKENESS:
                continue
            return {"last_name": name} if last >= first else {"first_name": name}
        one_last, one_first, _ = split_full_name(words, last_name_first=True)
        two_last, two_first, _ = split_full_name(words, last_name_first=False)
        score_one = _similarity(one_last or "", known.last_name) + _similarity(one_first or "", known.first_name)
        score_two = _similarity(two_last or "", known.last_name) + _similarity(two_first or "", known.first_name)
        last_name, first_name = (one_last, one_first) if score_one >= score_two else (two_last, two_first)
        if max(score_one, score_two) < 2 * _NAME_LIKENESS or not (last_name and first_name):
            continue
        return {"last_name": last_name, "first_name": first_name}
    return {}


def department_choice(text: str, suggestions: Sequence[str]) -> str | None:
    """The answer to « Vouliez-vous dire : Finistère (29), Isère (38) ? » (codes in ``suggestions``).

    A code of the list for « oui » (one suggestion), « le premier », « le
    deuxième », « le dernier » or the name of one of them; :data:`CHOOSE` for
    « oui » with several; :data:`NONE_OF_THEM` for « non »; None otherwise
    (the message is read as a department, as usual).
    """
    if not suggestions:
        return None
    words = fold(text or "").split()
    for word in words:
        if word in _ORDINALS and _ORDINALS[word] < len(suggestions) and word != "un":
            return suggestions[_ORDINALS[word]]
        if word in _LAST_WORDS:
            return suggestions[-1]
    answer = yes_or_no(text)
    if answer is True and len(words) <= 4:
        return suggestions[0] if len(suggestions) == 1 else CHOOSE
    if answer is False and len(words) <= 3:
        return NONE_OF_THEM
    return None


# ---- one message --------------------------------------------------------------------------


def read_identity_answer(
    text: str,
    requested: str | None,
    known: Known,
    *,
    question: bool = False,
) -> Found:
    """The identity values of one message, with corrections in the member's own words.

    ``requested`` is the slot just asked (a field, or :data:`RECAP_SLOT`);
    ``question``: the message is a question or a request (then only values
    with an unmistakable shape count, as in
    :func:`bot.activation.extract.find_identity`).
    """
    other_known = bool(known.first_name if requested == "last_name" else known.last_name)
    found = find_identity(text, requested, take_whole=False, labels=not question, other_name_known=other_known)
    values = dict(found.values)
    if question:
        return found
    if "birth_date" not in values and "nir" not in values:
        merged = merge_partial_date(text, known.birth_date)
        if merged is not None and (requested in ("birth_date", RECAP_SLOT) or _speaks_of_date(text)):
            values["birth_date"] = merged.strftime("%d/%m/%Y")
    names_known = bool(known.last_name or known.first_name)
    if not values and names_known and (requested == RECAP_SLOT or _CORRECTION_CUE.match(text.strip())):
        values.update(name_correction(text, known))
    if not values and requested == RECAP_SLOT and is_department_answer(text):
        values["birth_department"] = text.strip()  # « 29 » or « Finistère » after « quelle information ? »
    if values != found.values:
        return replace(found, values=values)
    if requested in IDENTITY_FIELDS or requested == RECAP_SLOT:
        return find_identity(text, requested, take_whole=True, labels=True, other_name_known=other_known)
    return found


def is_department_answer(text: str) -> bool:
    """Whether a whole message names a department (or a city): « 29 », « Finistère », « Lyon »."""
    if "?" in text or yes_or_no(text) is not None:
        return False
    try:
        parse_department(text)
    except IdentityError:
        return False
    return True


def _speaks_of_date(text: str) -> bool:
    words = set(fold(text).split())
    return bool(words & {"annee", "an", "ne", "nee", "naissance", "mois", "jour", "date"}) or bool(
        _CORRECTION_CUE.search(text)
    )
