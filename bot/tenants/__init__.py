"""Tenant profiles: the only place where facts about a mutuelle live.

One YAML file per mutuelle in this folder (``miel.yml``, ``smie.yml``...).
``load_tenant(name)`` reads and validates one; a missing or bad field raises
:class:`TenantError` naming the field.  Adding a mutuelle means adding a file
(see the README, "Adding a mutuelle").
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Literal, Tuple
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

TENANTS_DIR = Path(__file__).resolve().parent
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_RANGE_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

KNOWN_SERVICES = (
    "remboursements",
    "carte_tiers_payant",
    "demandes_en_ligne",
    "courriers",
    "bien_etre",
    "kalixia",
    "echeancier",
    "contrat_sante",
    "donnees_personnelles",
    "donnees_bancaires",
    "preferences_communication",
)


class TenantError(ValueError):
    """A tenant profile is missing or invalid (message names file and field)."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Phone(_Strict):
    number: str
    e164: str
    note: str | None = None

    @validator("e164")
    def _e164(cls, value: str) -> str:  # noqa: N805
        if not re.fullmatch(r"\+\d{8,15}", value):
            raise ValueError("must be an E.164 number such as +33477493535")
        return value


class OpeningHours(_Strict):
    timezone: str = "Europe/Paris"
    text: str
    weekly: Dict[str, List[str]]

    @validator("timezone")
    def _tz(cls, value: str) -> str:  # noqa: N805
        try:
            ZoneInfo(value)
        except Exception:  # noqa: BLE001
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @validator("weekly")
    def _weekly(cls, value: Dict[str, List[str]]) -> Dict[str, List[str]]:  # noqa: N805
        for day, ranges in value.items():
            if day not in _DAYS:
                raise ValueError(f"unknown day {day!r} (use {', '.join(_DAYS)})")
            for item in ranges:
                match = _RANGE_RE.match(item)
                if not match:
                    raise ValueError(f"{day}: range {item!r} must look like 08:30-17:30")
                h1, m1, h2, m2 = (int(g) for g in match.groups())
                if not (0 <= h1 < 24 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
                    raise ValueError(f"{day}: range {item!r} is not a valid time range")
        return value

    def ranges(self, weekday: int) -> List[Tuple[time, time]]:
        out = []
        for item in self.weekly.get(_DAYS[weekday], []):
            matched = _RANGE_RE.match(item)
            if matched is None:  # refused when the profile is loaded (validator of weekly)
                continue
            h1, m1, h2, m2 = (int(g) for g in matched.groups())
            out.append((time(h1, m1), time(23, 59, 59) if h2 == 24 else time(h2, m2)))
        return sorted(out)


DEFAULT_SMS_COUNTRIES = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC")


class Otp(_Strict):
    length: int = 6
    lifetime_minutes: int = 10
    max_attempts: int = 3
    max_sends_per_hour: int = 3

    @validator("length")
    def _len(cls, value: int) -> int:  # noqa: N805
        if not 6 <= value <= 8:
            raise ValueError("must be between 6 and 8")
        return value

    @validator("lifetime_minutes", "max_attempts", "max_sends_per_hour")
    def _positive(cls, value: int) -> int:  # noqa: N805
        if value < 1:
            raise ValueError("must be at least 1")
        return value


class LoginCode(_Strict):
    length: int
    lifetime_minutes: int
    sender: str | None = None


class PasswordPolicy(_Strict):
    min_length: int = 8
    upper: int = 1
    lower: int = 1
    digit: int = 1
    special: int = 1


class Cgu(_Strict):
    url: str | None = None
    version: str
    accepted_in_chat: bool = False


class Colors(_Strict):
    primary: str
    on_primary: str = "#ffffff"

    @validator("primary", "on_primary")
    def _hex(cls, value: str) -> str:  # noqa: N805
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError("must be a colour like #c8102e")
        return value


class Tenant(_Strict):
    id: str
    display_name: str
    legal_name: str
    member_space_name: str
    website: str
    member_space_path: str
    support_email: str | None = None
    sender_email: str | None = None
    phone: Phone | None = None
    opening_hours: OpeningHours | None = None
    postal_address: List[str] | None = None
    contact_in_space: str
    activation_flow: Literal["nir_sms", "access_code_email"]
    otp: Otp = Otp()
    activation_link_hours: int = 48
    login_code: LoginCode | None = None
    password_policy: PasswordPolicy = PasswordPolicy()
    cgu: Cgu
    services: List[str] = []
    colors: Colors
    # countries (ISO 3166 codes, as phonenumbers names them) an SMS may go to:
    # metropolitan France and its overseas departments and collectivities
    sms_countries: List[str] = list(DEFAULT_SMS_COUNTRIES)

    @validator("sms_countries", each_item=True)
    def _country(cls, value: str) -> str:  # noqa: N805
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError(f"{value!r} is not a two-letter country code such as FR")
        return value

    @validator("id")
    def _id(cls, value: str) -> str:  # noqa: N805
        if not re.fullmatch(r"[a-z][a-z0-9_-]{1,30}", value):
            raise ValueError("must be lower-case letters, digits, '-' or '_'")
        return value

    @validator("website")
    def _website(cls, value: str) -> str:  # noqa: N805
        if not value.startswith("https://"):
            raise ValueError("must start with https://")
        return value.rstrip("/")

    @validator("support_email", "sender_email")
    def _email(cls, value: str | None) -> str | None:  # noqa: N805
        if value is not None and not _EMAIL_RE.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @validator("services", each_item=True)
    def _service(cls, value: str) -> str:  # noqa: N805
        if value not in KNOWN_SERVICES:
            raise ValueError(f"unknown service {value!r} (known: {', '.join(KNOWN_SERVICES)})")
        return value

    @validator("activation_link_hours")
    def _link_hours(cls, value: int) -> int:  # noqa: N805
        if not 1 <= value <= 24 * 14:
            raise ValueError("must be between 1 and 336 hours")
        return value

    # ---- derived facts used by answers -------------------------------------------------

    @property
    def website_host(self) -> str:
        return self.website.split("://", 1)[1]

    @property
    def address_text(self) -> str | None:
        return ", ".join(self.postal_address) if self.postal_address else None

    def is_open(self, at: datetime) -> bool:
        if self.opening_hours is None:
            return False
        local = at.astimezone(ZoneInfo(self.opening_hours.timezone))
        return any(start <= local.time() < end for start, end in self.opening_hours.ranges(local.weekday()))

    def next_opening(self, at: datetime) -> datetime | None:
        """The next moment the phone line opens after ``at`` (None without hours)."""
        if self.opening_hours is None:
            return None
        tz = ZoneInfo(self.opening_hours.timezone)
        local = at.astimezone(tz)
        for offset in range(0, 8):
            day = (local + timedelta(days=offset)).date()
            for start, _end in self.opening_hours.ranges(day.weekday()):
                candidate = datetime.combine(day, start, tzinfo=tz)
                if candidate > local:
                    return candidate
        return None


def _format_error(path: Path, exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    return f"tenant profile {path.name}: field '{loc}': {first['msg']}"


def available_tenants(directory: Path = TENANTS_DIR) -> List[str]:
    return sorted(p.stem for p in directory.glob("*.yml"))


def load_tenant_file(path: Path) -> Tenant:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TenantError(f"tenant profile {path} not found") from None
    except yaml.YAMLError as exc:
        raise TenantError(f"tenant profile {path.name}: invalid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise TenantError(f"tenant profile {path.name}: expected a mapping of fields")
    try:
        tenant = Tenant(**raw)
    except ValidationError as exc:
        raise TenantError(_format_error(path, exc)) from None
    if tenant.id != path.stem:
        raise TenantError(f"tenant profile {path.name}: field 'id' must be {path.stem!r}, got {tenant.id!r}")
    return tenant


@lru_cache(maxsize=16)
def load_tenant(name: str, directory: Path = TENANTS_DIR) -> Tenant:
    """Load and validate the profile called ``name`` (e.g. ``miel``)."""
    path = directory / f"{name}.yml"
    if not path.exists():
        choices = ", ".join(available_tenants(directory)) or "none"
        raise TenantError(f"ASSISTANT_TENANT: no tenant profile named {name!r} (available: {choices})")
    return load_tenant_file(path)


def current_tenant() -> Tenant:
    """The tenant chosen by the settings of this process."""
    from bot.settings import get_settings

    return load_tenant(get_settings().tenant)
