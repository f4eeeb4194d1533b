"""Mobile phone numbers able to receive the SMS code: :func:`parse_mobile`."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from bot.identity.errors import InvalidMobile

# French overseas regions sharing the national "0" prefix with metropolitan
# France: a number typed the national way ("0690 ...") or with +33 is tried
# against each of them (phonenumbers only accepts them with their own region).
OVERSEAS_REGIONS = ("GP", "MQ", "GF", "RE", "YT")

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_SPECIAL_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
        PhoneNumberType.VOICEMAIL,
        PhoneNumberType.PAGER,
        PhoneNumberType.PERSONAL_NUMBER,
    }
)
_MAX_INPUT = 200


def _overseas(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber | None:
    """The same national number read in a French overseas region: a mobile
    if one region has it as a mobile, else any valid number (to tell why it
    is refused), else None."""
    national = "0" + str(number.national_number)
    valid = []
    for region in OVERSEAS_REGIONS:
        try:
            candidate = phonenumbers.parse(national, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(candidate):
            if phonenumbers.number_type(candidate) in _MOBILE_TYPES:
                return candidate
            valid.append(candidate)
    return valid[0] if valid else None


def _number_in_sentence(text: str, region: str) -> str | None:
    """The only phone number written in a sentence, as typed, or None."""
    if len(text) > _MAX_INPUT:
        return None
    found = [
        match.raw_string
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    ]
    return found[0] if len(found) == 1 else None


def parse_mobile(text: str, region: str = "FR") -> str:
    """Check a mobile number and return it in E.164 form ("+33612345678").

    Accepts "06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678",
    "06.12.34.56.78", foreign mobiles given with their +country code, and
    French overseas mobiles typed the national way or with +33 ("0690 12 34 56"
    → "+590690123456"; 0692/0693 → +262, 0694 → +594, 0696/0697 → +596,
    0639 → +262 Mayotte). Refuses (:class:`InvalidMobile`, reason):
    nothing typed [empty], letters or junk around no single number
    [characters], a French national
    number without 10 digits [length], landlines [landline], 09 and other
    VoIP numbers [voip], 08 and other special numbers [special], numbers
    that do not exist [invalid].
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidMobile("empty", "utter_refused_mobile_empty")
    if any(char.isalpha() for char in raw):
        raw = _number_in_sentence(raw, region) or ""
    if not raw:
        raise InvalidMobile("characters", "utter_refused_mobile_characters")
    try:
        number = phonenumbers.parse(raw, region, keep_raw_input=True)
    except NumberParseException:
        raise _invalid() from None
    digits = "".join(char for char in raw if char.isdigit())
    national_typed = number.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    if national_typed and region == "FR" and digits.startswith("0") and len(digits) != 10:
        raise InvalidMobile("length", "utter_refused_mobile_length", digit_count=str(len(digits)))
    if number.country_code == 33 and not phonenumbers.is_valid_number(number):
        number = _overseas(number) or number
    if not phonenumbers.is_valid_number(number):
        raise _invalid()
    kind = phonenumbers.number_type(number)
    if kind in _MOBILE_TYPES:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == PhoneNumberType.FIXED_LINE:
        raise InvalidMobile("landline", "utter_refused_mobile_landline")
    if kind == PhoneNumberType.VOIP:
        raise InvalidMobile("voip", "utter_refused_mobile_voip")
    if kind in _SPECIAL_TYPES:
        raise InvalidMobile("special", "utter_refused_mobile_special")
    raise _invalid()


def _invalid() -> InvalidMobile:
    return InvalidMobile("invalid", "utter_refused_mobile_invalid")
