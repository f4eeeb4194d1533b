"""Finding identity and contact values in what a member types (pure Python).

The activation form asks one thing at a time, but members answer as they
like: "Dupont Marie née le 12/03/1980", "mon numéro c'est 1 80 10 42 ...",
"non, mon prénom c'est Marie-Hélène", "jean@exemple.fr et 06 12 34 56 78".
These functions only *find* candidate values, as typed; :mod:`bot.identity`
checks them and explains, in French, what is wrong.

How values are found, most reliable first:

1. shapes, anywhere in the message: a NIR (:func:`bot.identity.find_nir`),
   a date (:func:`bot.identity.find_birth_date`), an e-mail address, a phone
   number, a one-time code;
2. labels: "mon prénom c'est Marie-Hélène", "nom : Dupont", "né(e) dans la
   Loire", "département 42"; a labelled value also corrects an earlier one;
3. introductions: "je m'appelle Marie Dupont" (first name first) and the
   form's own order "Dupont Marie née le 12/03/1980" (last name first); a
   word written in capitals is the last name ("MARTIN Jean"). Without such a
   hint the order is a guess (``names_guessed``), which the caller may try
   the other way round;
4. the whole message as the answer to the question just asked
   (``requested``), when nothing else was found and the caller allows it
   (``take_whole``: the message is not a question, a request to stop...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from bot.identity import (
    IdentityError,
    find_birth_date,
    find_nir,
    parse_department,
)
from bot.identity.text import fold

IDENTITY_FIELDS = ("nir", "birth_date", "birth_department", "last_name", "first_name")
CONTACT_FIELDS = ("email", "mobile")

# words that are never part of a person's name (folded: no accents, lower case)
_NOT_NAME = frozenset(
    """
    et ou ne nee nes nees mon ma mes ton ta tes votre vos son sa ses je j tu il elle nous vous on suis es est
    c ce ca cela ci a au aux dans en sur pour par avec sans mais donc alors puis car que qu qui quoi pas plus
    prenom prenoms nom noms famille naissance numero date departement dept dpt mail email courriel telephone
    tel portable mobile code oui non ok okay merci svp stp plait bonjour bonsoir salut voila voici aussi sinon
    correction corrige corriger erreur trompe trompee desole desolee pardon enfin plutot bien fait refuse
    refusee accepte faux fausse bon bonne correct incorrect mal ecrit orthographe pourquoi comment quel quelle
    quels quelles ou laisse laissez tomber annuler annule stop arrete arreter aide aidez help besoin veux
    voudrais peux pouvez faut sais connais appelle appelles appelons nomme
    """.split()
)
# words that make a whole message something else than a name ("oui", "laisse tomber")
_NEVER_A_NAME = frozenset(
    """
    oui ouais non nan ok okay merci bonjour bonsoir salut stop annuler annule laisse laissez tomber arrete
    arreter aide aidez help pourquoi comment quoi quel quelle svp stp je j vous tu mon ma mes c est ce ca pas
    veux voudrais sais code numero mail
    """.split()
)
# particles that belong to the next word of a name ("Le Gall", "de la Fontaine")
_PARTICLES = frozenset("le la les de du des d van von der den di da del della dos ben el al ter ten".split())

_NAME_WORD = r"[^\W\d_]+(?:['’\-][^\W\d_]+)*"
_NAME_WORD_RE = re.compile(_NAME_WORD)
_SEP = r"(?:\s*(?:(?:est|c['’]\s*est|c\s+est|sera)(?![^\W\d_])|[:=\-–])\s*|\s+)+"
_FIRST_LABEL = re.compile(rf"(?<![^\W\d_])pr[ée]noms?(?:\s+usuel|\s+d['’]usage)?{_SEP}", re.IGNORECASE)
_LAST_LABEL = re.compile(
    rf"(?<![^\W\d_])nom(?:\s+de\s+(?:famille|naissance|jeune\s+fille)|\s+d['’]usage|\s+patronymique)?{_SEP}",
    re.IGNORECASE,
)
_INTRO = re.compile(
    r"(?<![^\W\d_])(?:je\s+m['’]?\s*appel+e|je\s+me\s+nomme|moi\s+c['’]?\s*est|mon\s+nom\s+complet\s+"
    r"(?:est|c['’]\s*est))\s*:?\s*",
    re.IGNORECASE,
)
_INTRO_JE_SUIS = re.compile(r"(?<![^\W\d_])[Jj]e\s+suis\s+(?=[A-ZÀ-ÖØ-Þ])")
_BORN = re.compile(r"^\s*,?\s*n[ée]e?s?(?![^\W\d_])", re.IGNORECASE)
_DEPARTMENT_CUE = re.compile(
    r"(?<![^\W\d_])(?:d[ée]partement|d[ée]pt|dpt)(?:\s+de\s+naissance)?(?:\s*(?:est|c['’]\s*est|:|=)\s*|\s+)"
    r"|(?<![^\W\d_])n[ée]e?s?\s+(?:dans|en|à|a|au|aux)\s+"
    r"|(?<![^\W\d_])(?:originaire|natif|native)\s+(?:de|du|des|d['’])\s*"
    r"|(?<![^\W\d_])dans\s+(?=(?:le|la|les|l['’])\s*[^\W_])",
    re.IGNORECASE,
)
_DEPARTMENT_TOKEN = re.compile(r"\s*([^\W_]+(?:['’\-][^\W_]+)*['’]?)")
_DEPARTMENT_FILLERS = frozenset("le la les l de du des d n no".split())
_EMAIL = re.compile(r"[^\s<>()\[\],;:\"'«»]+@[^\s<>()\[\],;:\"'«»]+")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[ .\-()\u00a0]{0,2}\d){7,14}(?!\d)")
_TRAILING = " .,;:!?…\"'«»"


@dataclass(frozen=True)
class Found:
    """Candidate values found in one message (slot name → text as typed)."""

    values: Dict[str, str] = field(default_factory=dict)
    #: fields the member named explicitly ("mon prénom c'est …")
    labelled: frozenset = frozenset()
    #: last/first name split by guess (no label, no capitals): may be swapped
    names_guessed: bool = False


def _cut(text: str, start: int, end: int) -> str:
    """``text`` with ``[start:end]`` replaced by a separator (keeps other positions apart)."""
    return text[:start] + " , " + text[end:]


def _name_run(text: str, start: int = 0, limit: int = 5) -> Tuple[List[str], int]:
    """The name words from ``start`` on (spaces only between them), stopping at
    punctuation, digits or a word that is never part of a name."""
    words: List[str] = []
    position = start
    while len(words) < limit:
        spaces = len(text[position:]) - len(text[position:].lstrip(" \t"))
        match = _NAME_WORD_RE.match(text, position + spaces)
        if not match or (words and spaces == 0):
            break
        if fold(match.group(0)) in _NOT_NAME:
            break
        words.append(match.group(0))
        position = match.end()
    while words and fold(words[-1]) in _PARTICLES:  # "Dupont de" → "Dupont"
        words.pop()
    return words, position


def _units(words: List[str]) -> List[str]:
    """Words grouped so that particles stay with the next word: ["Le Gall", "Marie"]."""
    units: List[str] = []
    pending: List[str] = []
    for word in words:
        pending.append(word)
        if fold(word) not in _PARTICLES:
            units.append(" ".join(pending))
            pending = []
    if pending:
        units.append(" ".join(pending))
    return units


def _is_capitals(unit: str) -> bool:
    letters = [char for char in unit if char.isalpha()]
    return len(letters) >= 2 and all(char.isupper() for char in letters)


def split_full_name(words: List[str], last_name_first: bool) -> Tuple[str | None, str | None, bool]:
    """(last name, first name, guessed) from the words of a full name.

    A part in capitals is the last name ("MARTIN Jean", "Marie LE GALL");
    otherwise ``last_name_first`` decides and the split is a guess.
    """
    units = _units(words)
    if not units:
        return None, None, False
    capitals = [unit for unit in units if _is_capitals(unit)]
    others = [unit for unit in units if not _is_capitals(unit)]
    if capitals and others:
        return " ".join(capitals), " ".join(others), False
    if len(units) == 1:
        return (units[0], None, False) if last_name_first else (None, units[0], False)
    if last_name_first:
        return units[0], " ".join(units[1:]), True
    return units[-1], " ".join(units[:-1]), True


def _clean_value(text: str) -> str:
    return text.strip().strip(_TRAILING).strip()


def _looks_like_name(text: str) -> bool:
    """Whether a whole message can be a name ("Le Gall"), not "oui" or "laisse tomber"."""
    words = fold(text).split()
    return 0 < len(words) <= 5 and "?" not in text and not any(word in _NEVER_A_NAME for word in words)


def _department_after(text: str, start: int) -> Tuple[str, int] | None:
    """A department named right after a cue: (as typed, end position), longest match first."""
    tokens: List[Tuple[str, int, int]] = []
    position = start
    while len(tokens) < 5:
        match = _DEPARTMENT_TOKEN.match(text, position)
        if not match:
            break
        tokens.append((match.group(1), match.start(1), match.end(1)))
        position = match.end()
    while tokens and fold(tokens[0][0]) in _DEPARTMENT_FILLERS:  # "dans le 42" → "42"
        tokens = tokens[1:]
    near: Tuple[str, int] | None = None
    for count in range(len(tokens), 0, -1):
        candidate = text[tokens[0][1] : tokens[count - 1][2]]
        try:
            parse_department(candidate)
        except IdentityError as error:
            # "dans le finister": not a department, but close to one (or ambiguous):
            # kept, so that the member hears the suggestions instead of nothing
            if count == 1 and getattr(error, "suggestions", None) and error.reason in ("unknown", "ambiguous"):
                near = (candidate, tokens[0][2])
            continue
        return candidate, tokens[count - 1][2]
    return near


def find_identity(
    text: str,
    requested: str | None = None,
    take_whole: bool = True,
    labels: bool = True,
    other_name_known: bool = False,
) -> Found:
    """Candidates for :data:`IDENTITY_FIELDS` in one message.

    ``requested`` is the field the assistant just asked for; ``take_whole``
    allows the whole message to be that field's answer when nothing else was
    found; ``labels`` allows labels, introductions and names (the caller
    turns it off for a question such as "pourquoi mon nom est refusé ?").
    ``other_name_known``: the name not asked is already known, so a whole
    message of several words answering a name is that name alone
    ("Marie Hélène"); otherwise it is split into both ("Le Gal Marie-Hélène").
    """
    raw = text or ""
    rest = raw
    values: Dict[str, str] = {}
    labelled: set[str] = set()
    guessed = False

    nir = find_nir(rest)
    if nir:
        values["nir"] = nir
        index = rest.find(nir)
        rest = _cut(rest, index, index + len(nir))
    born = find_birth_date(rest)
    if born:
        values["birth_date"] = born
        index = rest.find(born)
        rest = _cut(rest, index, index + len(born))

    if labels:
        for cue in _DEPARTMENT_CUE.finditer(rest):
            found = _department_after(rest, cue.end())
            if found:
                values["birth_department"] = found[0]
                labelled.add("birth_department")
                rest = _cut(rest, cue.start(), found[1])
                break

    if labels and "?" not in raw:
        guessed = _find_names(raw, rest, requested, values, labelled)
        if values and "birth_department" not in values:
            _department_alone(rest, values)

    if not values and take_whole and requested in IDENTITY_FIELDS and "?" not in raw:
        whole = _clean_value(raw)
        if requested in ("last_name", "first_name"):
            if whole and (_looks_like_name(whole) or any(char.isdigit() for char in whole)):
                words = whole.split()
                last, first, split_guessed = split_full_name(words, last_name_first=requested == "last_name")
                several = len(_units(words)) > 1 and bool(last and first) and _looks_like_name(whole)
                if several and (not split_guessed or not other_name_known):
                    values["last_name"], values["first_name"] = str(last), str(first)
                    guessed = split_guessed
                else:
                    values[requested] = whole
        elif whole:
            values[requested] = whole
    return Found(values, frozenset(labelled), guessed)


def is_single_name(text: str) -> bool:
    """Whether a whole message is one name ("Rousseau", "Le Gall", "Marie-Hélène"):
    the answer when a name was just asked, whatever else it may look like."""
    if "?" in (text or ""):
        return False
    cleaned = _clean_value(text or "")
    if not _looks_like_name(cleaned) or not _NAME_WORD_RE.fullmatch(cleaned.replace(" ", "-")):
        return False
    return len(_units(cleaned.split())) == 1


def _department_alone(rest: str, values: Dict[str, str]) -> None:
    """A department given without a cue next to other values ("Martin Jean, 14/10/1980, Loire")."""
    for name in (values.get("last_name"), values.get("first_name")):
        if name and name in rest:
            index = rest.index(name)
            rest = _cut(rest, index, index + len(name))
    for segment in rest.split(","):
        candidate = _clean_value(segment)
        if not candidate or len(candidate.split()) > 4 or not any(char.isalnum() for char in candidate):
            continue
        try:
            parse_department(candidate)
        except IdentityError:
            continue
        values["birth_department"] = candidate
        return


def _find_names(raw: str, rest: str, requested: str | None, values: Dict[str, str], labelled: set[str]) -> bool:
    """Fill last/first names from labels or introductions; True when the split is a guess."""
    for label, slot in ((_FIRST_LABEL, "first_name"), (_LAST_LABEL, "last_name")):
        for match in label.finditer(rest):
            words, _ = _name_run(rest, match.end())
            if words:
                values[slot] = " ".join(words)
                labelled.add(slot)
                break
    if "last_name" in values and "first_name" in values:
        return False

    intro = _INTRO.search(rest) or _INTRO_JE_SUIS.search(rest)
    if intro:
        words, _ = _name_run(rest, intro.end())
        if words:
            last, first, guessed = split_full_name(words, last_name_first=requested == "last_name")
            return _keep_names(values, last, first, guessed)

    # the form's own order at the start of a message that also gives other
    # values: "Dupont Marie née le 12/03/1980", "MARTIN Jean, 1 80 10 42 ..."
    words, end = _name_run(rest, 0)
    after = rest[end:]
    with_values = bool(values.keys() & {"nir", "birth_date"}) and after.lstrip(" ").startswith(",")
    if words and (_BORN.match(after) or with_values):
        last, first, guessed = split_full_name(words, last_name_first=requested != "first_name")
        return _keep_names(values, last, first, guessed)
    # a full name between commas in a message with other values:
    # "1 85 06 2A ..., Santoni Antoine, né le 21 juin 1985"
    if values.keys() & {"nir", "birth_date", "birth_department"}:
        for segment in re.split(r"[,;]", rest):
            segment = segment.strip(" .!")
            words, end = _name_run(segment, 0)
            if words and end == len(segment) and 2 <= len(_units(words)) <= 4:
                last, first, guessed = split_full_name(words, last_name_first=requested != "first_name")
                return _keep_names(values, last, first, guessed)
    return False


def _keep_names(values: Dict[str, str], last: str | None, first: str | None, guessed: bool) -> bool:
    if last and "last_name" not in values:
        values["last_name"] = last
    if first and "first_name" not in values:
        values["first_name"] = first
    return guessed and bool(last and first)


def find_contact(text: str, requested: str | None = None, take_whole: bool = True) -> Dict[str, str]:
    """Candidates for the e-mail address and the mobile number in one message."""
    raw = text or ""
    values: Dict[str, str] = {}
    rest = raw
    email = _EMAIL.search(rest)
    if email:
        values["email"] = email.group(0).rstrip(_TRAILING)
        rest = _cut(rest, email.start(), email.end())
    phone = _PHONE.search(rest)
    if phone:
        values["mobile"] = phone.group(0).strip()
    if not values and take_whole and requested in CONTACT_FIELDS:
        whole = _clean_value(raw)
        if whole:
            values[requested] = whole
    return values


def find_code(text: str, length: int = 6) -> str | None:
    """A one-time code in a message, digits only ("482 913" → "482913").

    When no run of exactly ``length`` digits is found but the message holds
    digits, they are returned together, so that the caller can say the code
    has the wrong number of digits. None when there is no digit at all.
    """
    raw = text or ""
    pattern = re.compile(rf"(?<![\d])(?<!\d[ .\-])\d(?:[ .\-]?\d){{{length - 1}}}(?![ .\-]?\d)")
    match = pattern.search(raw)
    if match:
        return re.sub(r"\D", "", match.group(0))
    digits = re.sub(r"\D", "", raw)
    return digits or None


_YES = (
    "oui", "ouais", "ouep", "yes", "ok", "okay", "d accord", "daccord", "exact", "exactement", "correct",
    "c est correct", "c est bien ca", "c est ca", "c est bon", "parfait", "tout a fait", "absolument",
    "bien sur", "je confirme", "confirme", "valide", "tout est bon",
)  # fmt: skip
_NO = (
    "non", "nan", "no", "pas du tout", "c est faux", "faux", "incorrect", "pas correct", "ce n est pas ca",
    "c est pas ca", "erreur", "il y a une erreur", "je me suis trompe", "je me suis trompee",
)  # fmt: skip


def yes_or_no(text: str) -> bool | None:
    """True for "oui"-like answers, False for "non"-like ones, None otherwise."""
    words = fold(text or "")
    for phrases, answer in ((_NO, False), (_YES, True)):
        for phrase in phrases:
            if words == phrase or words.startswith(phrase + " "):
                return answer
    return None


_FIELD_WORDS = (
    ("birth_department", ("departement", "dept", "dpt")),
    ("birth_date", ("date de naissance", "date")),
    ("nir", ("securite sociale", "secu", "carte vitale", "nir")),
    ("first_name", ("prenom",)),
    ("last_name", ("nom",)),
    ("email", ("mail", "courriel", "adresse")),
    ("mobile", ("portable", "mobile", "telephone", "tel")),
    ("otp_code", ("code", "sms")),
)


def field_mentioned(text: str) -> str | None:
    """The form field a question is about ("pourquoi le département ?"), if any."""
    words = f" {fold(text or '')} "
    for slot, keys in _FIELD_WORDS:
        if any(f" {key} " in words for key in keys):
            return slot
    return None
