"""The one place where the assistant's configuration is read and validated.

Every knob comes from an environment variable (documented in the README's
configuration table); command-line flags of ``python -m bot serve`` override
them.  A bad value raises :class:`SettingsError` whose one-line message names
the variable, so start-up stops with something an operator can act on.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"


class SettingsError(ValueError):
    """A configuration value is missing or invalid (message names the variable)."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non"}:
        return False
    raise SettingsError(f"{name}: expected true/false, got {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}: expected an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: must be between {low} and {high}, got {value}")
    return value


def _str(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip()


def _url(env: Mapping[str, str], name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    value = _str(env, name, default)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        prefixes = " or ".join(s + "://" for s in schemes)
        raise SettingsError(f"{name}: expected a URL starting with {prefixes}, got {value!r}")
    return value.rstrip("/") if schemes[0].startswith("http") else value


def _database_url(env: Mapping[str, str], name: str, default: str) -> str:
    value = _str(env, name, default) or default
    scheme = value.split(":", 1)[0]
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise SettingsError(f"{name}: only sqlite:/// and postgresql+psycopg2:// URLs are supported, not {scheme!r}")
    return value


def _check_key(name: str, value: str) -> str:
    if len(value) < 16:
        raise SettingsError(f"{name}: must be at least 16 characters long")
    return value


def _generated_key(var_dir: Path) -> str:
    """The laptop key: generated once in ``var/secret.key`` so restarts keep working."""
    path = var_dir / "secret.key"
    try:
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"ASSISTANT_SECRET_KEY: not set and {path} cannot be created ({exc.strerror})") from None


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class SecretKeys:
    """The application keys, newest first, and where they came from."""

    keys: tuple[str, ...] = field(repr=False)
    source: str  # "environment", "file" or "data directory"
    in_data_dir: bool


def _secret_keys(env: Mapping[str, str], var_dir: Path) -> SecretKeys:
    """The key for keyed hashes (NIR look-up), tokens, sealed values and CSRF, and the older
    keys still accepted for reading (rotation).

    In order: ``ASSISTANT_SECRET_KEY`` (the current key), ``ASSISTANT_SECRET_KEY_FILE`` (a
    file of keys, one a line, newest first), then ``ASSISTANT_SECRET_KEYS_PREVIOUS``
    (older keys, comma-separated, newest first) are appended for reading.  Without
    any, a key is generated once in ``var/secret.key`` (laptops).
    """
    keys: list[str] = []
    source = "environment"
    in_data_dir = False
    value = _str(env, "ASSISTANT_SECRET_KEY")
    if value is not None:
        keys.append(_check_key("ASSISTANT_SECRET_KEY", value))
    file_name = _str(env, "ASSISTANT_SECRET_KEY_FILE")
    if file_name is not None:
        path = Path(file_name)
        try:
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        except OSError as exc:
            raise SettingsError(f"ASSISTANT_SECRET_KEY_FILE: cannot read {path} ({exc.strerror})") from None
        from_file = [
            _check_key("ASSISTANT_SECRET_KEY_FILE", line) for line in lines if line and not line.startswith("#")
        ]
        if not from_file:
            raise SettingsError(f"ASSISTANT_SECRET_KEY_FILE: {path} holds no key")
        if not keys:
            source, in_data_dir = "file", _inside(path, var_dir)
        keys.extend(from_file)
    for part in (_str(env, "ASSISTANT_SECRET_KEYS_PREVIOUS") or "").split(","):
        if part.strip():
            keys.append(_check_key("ASSISTANT_SECRET_KEYS_PREVIOUS", part.strip()))
    if not keys or (value is None and file_name is None):
        keys.insert(0, _generated_key(var_dir))
        source, in_data_dir = "data directory", True
    unique = tuple(dict.fromkeys(keys))
    return SecretKeys(unique, source, in_data_dir)


@dataclass(frozen=True)
class RetentionSettings:
    """How many days each class of data is kept (``ASSISTANT_RETENTION_<CLASS>_DAYS``;
    ``python -m bot purge`` deletes what is older; docs/privacy.md)."""

    conversations_days: int = 30
    audit_days: int = 365
    outbox_days: int = 7
    tickets_days: int = 365


def _retention(env: Mapping[str, str]) -> RetentionSettings:
    defaults = RetentionSettings()
    return RetentionSettings(
        conversations_days=_int(env, "ASSISTANT_RETENTION_CONVERSATIONS_DAYS", defaults.conversations_days, 1, 3650),
        audit_days=_int(env, "ASSISTANT_RETENTION_AUDIT_DAYS", defaults.audit_days, 1, 3650),
        outbox_days=_int(env, "ASSISTANT_RETENTION_OUTBOX_DAYS", defaults.outbox_days, 1, 3650),
        tickets_days=_int(env, "ASSISTANT_RETENTION_TICKETS_DAYS", defaults.tickets_days, 1, 3650),
    )


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    starttls: bool
    ssl: bool
    sender: str | None
    timeout: int


@dataclass(frozen=True)
class SmsSettings:
    provider: str  # "twilio" or "http"
    http_url: str | None
    http_token: str | None = field(repr=False)
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    twilio_from: str | None = None


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)
    webhook_secret: str | None = field(repr=False)
    api_base_url: str | None


@dataclass(frozen=True)
class LimitSettings:
    """Abuse limits shared by every conversation and replica (kept in the member store).

    Each is ``ASSISTANT_LIMIT_<NAME>``; the README and docs/security.md give
    the defaults and what a member is told when one trips.
    """

    identity_mismatches: int = 5  # per member (known NIR), then the member is locked
    identity_window_hours: int = 24
    client_attempts: int = 20  # identity or access-code checks per client (IP / chat id)
    client_window_minutes: int = 60
    sms_per_number: int = 5  # SMS to one number
    sms_number_window_hours: int = 24
    sms_per_hour: int = 300  # every SMS the deployment sends, all numbers together
    access_failures_per_hour: int = 500  # wrong SMIE access codes, all numbers together
    access_failures_per_number: int = 10  # wrong SMIE access codes per adherent number and hour
    tickets_per_client: int = 3  # support tickets per client and day
    tickets_per_conversation: int = 2
    admin_login_failures: int = 10  # wrong report-page tokens per client and hour
    admin_login_failures_global: int = 100  # wrong report-page tokens per hour, all clients together


_LIMIT_BOUNDS = {
    "identity_mismatches": (1, 1000),
    "identity_window_hours": (1, 24 * 30),
    "client_attempts": (1, 100000),
    "client_window_minutes": (1, 24 * 60),
    "sms_per_number": (1, 1000),
    "sms_number_window_hours": (1, 24 * 30),
    "sms_per_hour": (1, 10**7),
    "access_failures_per_hour": (1, 10**7),
    "access_failures_per_number": (1, 1000),
    "tickets_per_client": (1, 10000),
    "tickets_per_conversation": (1, 100),
    "admin_login_failures": (1, 10000),
    "admin_login_failures_global": (1, 10**6),
}


def _limits(env: Mapping[str, str]) -> LimitSettings:
    defaults = LimitSettings()
    values = {
        name: _int(env, f"ASSISTANT_LIMIT_{name.upper()}", getattr(defaults, name), low, high)
        for name, (low, high) in _LIMIT_BOUNDS.items()
    }
    return LimitSettings(**values)


def _trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    import ipaddress

    raw = _str(env, "ASSISTANT_TRUSTED_PROXIES") or ""
    out = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(f"ASSISTANT_TRUSTED_PROXIES: not an IP address or network: {part!r}") from None
    return tuple(out)


def _rasa_patches(env: Mapping[str, str]) -> tuple[str, ...]:
    """``ASSISTANT_RASA_PATCHES``: ``all`` (default), ``none`` or a comma-separated list of patch names."""
    from bot.adapters.patches import PATCH_NAMES  # standard library only, no Rasa import

    raw = (_str(env, "ASSISTANT_RASA_PATCHES", "all") or "all").lower()
    if raw == "all":
        return PATCH_NAMES
    if raw == "none":
        return ()
    names = [part.strip() for part in raw.split(",") if part.strip()]
    for name in names:
        if name not in PATCH_NAMES:
            known = ", ".join(PATCH_NAMES)
            raise SettingsError(f"ASSISTANT_RASA_PATCHES: unknown patch {name!r}, expected all, none or any of {known}")
    return tuple(name for name in PATCH_NAMES if name in names)


@dataclass(frozen=True)
class Settings:
    tenant: str
    database_url: str
    tracker_database_url: str
    public_url: str
    port: int
    actions_port: int
    secret_key: str = field(repr=False)
    var_dir: Path
    outbox_path: Path
    clock_file: Path | None
    timezone: str
    enable_api: bool
    api_token: str | None = field(repr=False)
    smtp: SmtpSettings | None
    sms: SmsSettings | None
    telegram: TelegramSettings | None
    log_level: str
    cors_origins: tuple[str, ...] = ()
    limits: LimitSettings = field(default_factory=LimitSettings)
    trusted_proxies: tuple[str, ...] = ()
    # names of the Rasa patches to install (bot.adapters.patches); all by default
    rasa_patches: tuple[str, ...] = field(default_factory=lambda: _rasa_patches({}))
    # token of the digital team's report page /admin/report (issue 16); None: the page does not exist
    admin_token: str | None = field(default=None, repr=False)
    # privacy (issue 15): older keys accepted for reading, newest first; where the key
    # came from; retention; the outbox-file fallback allowed with an https public URL
    previous_keys: tuple[str, ...] = field(default=(), repr=False)
    secret_key_source: str = "environment"  # noqa: S105 - where the key came from, not a key
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    allow_outbox_file: bool = False

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """Every key accepted for reading, newest (the one used for writing) first."""
        return (self.secret_key, *self.previous_keys)

    @property
    def is_production(self) -> bool:
        """An https public URL: members reach this deployment over the internet."""
        return self.public_url.startswith("https://")

    @property
    def outbox_file_refused(self) -> bool:
        """The outbox-file fallback (codes and links in a local file) is refused in production
        unless ``ASSISTANT_ALLOW_OUTBOX_FILE`` allows it."""
        return self.is_production and not self.allow_outbox_file

    def with_overrides(self, **changes: object) -> Settings:
        # dataclasses.replace is typed field by field: mypy cannot check **changes of mixed types
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read and validate every setting; ``overrides`` are command-line values."""
    env = dict(os.environ if env is None else env)
    for key, value in overrides.items():
        if value is not None:
            env[key] = str(value)

    var_dir = Path(_str(env, "ASSISTANT_VAR_DIR", str(VAR_DIR)) or VAR_DIR)
    tenant = (_str(env, "ASSISTANT_TENANT", "miel") or "miel").lower()
    if not tenant.replace("_", "").replace("-", "").isalnum():
        raise SettingsError(f"ASSISTANT_TENANT: invalid tenant name {tenant!r}")
    port = _int(env, "ASSISTANT_PORT", 5005, 1, 65535)
    actions_port = _int(env, "ASSISTANT_ACTIONS_PORT", 5055, 1, 65535)
    if port == actions_port:
        raise SettingsError("ASSISTANT_ACTIONS_PORT: must differ from ASSISTANT_PORT")
    database_url = _database_url(env, "ASSISTANT_DATABASE_URL", f"sqlite:///{var_dir / 'assistant.db'}")
    tracker_url = _database_url(env, "ASSISTANT_TRACKER_DATABASE_URL", f"sqlite:///{var_dir / 'conversations.db'}")
    public_url = _url(env, "ASSISTANT_PUBLIC_URL", f"http://localhost:{port}", ("http", "https"))
    assert public_url is not None
    outbox = Path(_str(env, "ASSISTANT_OUTBOX", str(var_dir / "outbox.jsonl")) or var_dir / "outbox.jsonl")
    clock_raw = _str(env, "ASSISTANT_CLOCK_FILE")
    timezone = _str(env, "ASSISTANT_TIMEZONE", "Europe/Paris") or "Europe/Paris"
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception:  # noqa: BLE001 - any failure means the name is unusable
        raise SettingsError(f"ASSISTANT_TIMEZONE: unknown time zone {timezone!r}") from None

    enable_api = _bool(env, "ASSISTANT_ENABLE_API", False)
    api_token = _str(env, "ASSISTANT_API_TOKEN")
    if enable_api and not api_token:
        raise SettingsError("ASSISTANT_API_TOKEN: required when ASSISTANT_ENABLE_API is true")

    smtp: SmtpSettings | None = None
    smtp_host = _str(env, "SMTP_HOST")
    if smtp_host:
        ssl = _bool(env, "SMTP_SSL", False)
        smtp = SmtpSettings(
            host=smtp_host,
            port=_int(env, "SMTP_PORT", 465 if ssl else 587, 1, 65535),
            user=_str(env, "SMTP_USER"),
            password=_str(env, "SMTP_PASSWORD"),
            starttls=_bool(env, "SMTP_STARTTLS", not ssl),
            ssl=ssl,
            sender=_str(env, "SMTP_SENDER"),
            timeout=_int(env, "SMTP_TIMEOUT", 10, 1, 300),
        )
        if smtp.ssl and smtp.starttls:
            raise SettingsError("SMTP_STARTTLS: cannot be combined with SMTP_SSL")

    sms: SmsSettings | None = None
    provider = _str(env, "SMS_PROVIDER")
    if provider:
        provider = provider.lower()
        if provider == "http":
            url = _url(env, "SMS_HTTP_URL", None, ("https", "http"))
            if not url:
                raise SettingsError("SMS_HTTP_URL: required when SMS_PROVIDER=http")
            sms = SmsSettings(provider="http", http_url=url, http_token=_str(env, "SMS_HTTP_TOKEN"))
        elif provider == "twilio":
            missing = [n for n in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM") if not _str(env, n)]
            if missing:
                raise SettingsError(f"{missing[0]}: required when SMS_PROVIDER=twilio")
            sms = SmsSettings(
                provider="twilio",
                http_url=None,
                http_token=None,
                twilio_account_sid=_str(env, "TWILIO_ACCOUNT_SID"),
                twilio_auth_token=_str(env, "TWILIO_AUTH_TOKEN"),
                twilio_from=_str(env, "TWILIO_FROM"),
            )
        else:
            raise SettingsError(f"SMS_PROVIDER: expected 'twilio' or 'http', got {provider!r}")

    telegram: TelegramSettings | None = None
    token = _str(env, "TELEGRAM_TOKEN")
    if token:
        if ":" not in token:
            raise SettingsError("TELEGRAM_TOKEN: does not look like a bot token (expected '<id>:<secret>')")
        secret = _str(env, "TELEGRAM_WEBHOOK_SECRET")
        if secret is not None and not all(c.isalnum() or c in "_-" for c in secret):
            raise SettingsError("TELEGRAM_WEBHOOK_SECRET: only letters, digits, '_' and '-' are allowed")
        telegram = TelegramSettings(
            token=token,
            webhook_secret=secret,
            api_base_url=_url(env, "TELEGRAM_API_BASE_URL", None, ("https", "http")),
        )

    admin_token = _str(env, "ASSISTANT_ADMIN_TOKEN")
    if admin_token is not None and (len(admin_token) < 16 or not admin_token.isprintable() or " " in admin_token):
        raise SettingsError("ASSISTANT_ADMIN_TOKEN: at least 16 characters, no spaces")

    log_level = (_str(env, "ASSISTANT_LOG_LEVEL", "INFO") or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"ASSISTANT_LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got {log_level!r}")

    keys = _secret_keys(env, var_dir)
    if public_url.startswith("https://") and keys.in_data_dir:
        raise SettingsError(
            "ASSISTANT_SECRET_KEY: with an https public URL the key must come from the environment "
            "(ASSISTANT_SECRET_KEY) or a file outside the data directory (ASSISTANT_SECRET_KEY_FILE), "
            f"not from {var_dir}"
        )

    return Settings(
        tenant=tenant,
        database_url=database_url,
        tracker_database_url=tracker_url,
        public_url=public_url,
        port=port,
        actions_port=actions_port,
        secret_key=keys.keys[0],
        var_dir=var_dir,
        outbox_path=outbox,
        clock_file=Path(clock_raw) if clock_raw else None,
        timezone=timezone,
        enable_api=enable_api,
        api_token=api_token,
        smtp=smtp,
        sms=sms,
        telegram=telegram,
        log_level=log_level,
        cors_origins=tuple(o.strip() for o in (_str(env, "ASSISTANT_CORS_ORIGINS") or "").split(",") if o.strip()),
        limits=_limits(env),
        trusted_proxies=_trusted_proxies(env),
        rasa_patches=_rasa_patches(env),
        admin_token=admin_token,
        previous_keys=keys.keys[1:],
        secret_key_source=keys.source,
        retention=_retention(env),
        allow_outbox_file=_bool(env, "ASSISTANT_ALLOW_OUTBOX_FILE", False),
    )


_cached: Settings | None = None


def get_settings() -> Settings:
    """Process-wide settings, read once from the environment."""
    global _cached
    if _cached is None:
        _cached = load_settings()
    return _cached


def reset_settings_cache() -> None:
    """Forget cached settings (tests change the environment)."""
    global _cached
    _cached = None
