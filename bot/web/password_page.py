"""The password page behind ``/activation/<token>``, independent of any web framework.

The web channel maps ``GET`` to :func:`handle_get` and ``POST`` (form
fields decoded into a dict) to :func:`handle_post`, passes the value of the
``CSRF_COOKIE_NAME`` cookie, and answers with the returned
:class:`PageResponse` ``(status, html, set_cookie)`` plus the
``SECURITY_HEADERS``.

- Miel flow (token purpose ``set_password``): fields ``birth_date`` (must be
  the member's; read as in the chat by :func:`bot.identity.parse_birth_date`:
  DD/MM/YYYY, YYYY-MM-DD and the other French forms, never in the future nor
  more than 120 years ago), ``password``, ``password_confirm``.
- SMIE flow (token purpose ``smie_confirm``): fields ``email`` (must be the
  address the link was sent to), ``password``, ``password_confirm``.

The password must follow the tenant's composition rule, must not contain the
member's names, birth date or adherent number, and must not be common or
guessable per zxcvbn (:mod:`bot.passwords`; zxcvbn only runs once everything
else on the form is right, so only the holder of a link who knows the birth
date or e-mail can make the server score passwords).  Each refusal is a
French sentence naming the rule; the password is never echoed.

The page works without JavaScript.  One inline script, allowed by its
SHA-256 hash in the Content-Security-Policy (no ``'unsafe-inline'``), shows
the « Afficher » / « Masquer » buttons (``aria-pressed``, ``aria-controls``)
that switch a password field to plain text, and moves the focus to the error
summary (``tabindex="-1"``, ``role="alert"``, also ``autofocus``) after a
failed submit; its links focus the field in error.  :func:`response_headers`
adds HSTS when the public URL is https.

The page's markup, style and script are files of ``bot/web/templates``
(``password_page.html``, ``_form.html``, ``_errors.html``, ``.css``, ``.js``),
filled with :class:`string.Template`; the script is sent exactly as its file
says (never templated) and :data:`SCRIPT_HASH` is computed from that text
at import, so editing the file keeps the CSP right.

CSRF is a double submit: a random value is set in a cookie and repeated in
the hidden ``csrf_token`` field, signed with an HMAC bound to the link token;
a POST whose field and cookie differ, or whose signature is wrong, gets a
403 page with a fresh form.  On success the token is consumed (conditional
UPDATE), the Argon2id hash stored, the member becomes ``active``,
``password_set`` is audited and the "activation completed" security notice
is queued to the member's e-mail and mobile on file, all in one transaction;
the notice is delivered after the commit, and a delivery failure leaves it
in the outbox for retry without failing the page.  Unknown or forged links
get a 404 page, expired or used ones a 410 page, after 5 wrong birth
dates/e-mails the link is cancelled; nothing here raises to the caller.
Every value put in the HTML goes through ``html.escape``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from string import Template
from typing import Iterable, Mapping, NamedTuple, Sequence, Union

from sqlalchemy import select, update

from bot import clock
from bot.activation import notices, tokens
from bot.context import Context
from bot.deadlines import format_deadline, until
from bot.identity import InvalidBirthDate, parse_birth_date
from bot.notify import DELIVERED
from bot.passwords import MAX_LENGTH, PersonalData, guessability_error, hash_password, password_errors, rule_messages
from bot.reach import contact_sentence
from bot.security import constant_time_equal, keyed_hash
from bot.store import audit
from bot.store.models import Member
from bot.tenants import Tenant

log = logging.getLogger("bot.web.password_page")
_TEMPLATES = Path(__file__).resolve().parent / "templates"

CSRF_COOKIE_NAME = "activation_csrf"
CSRF_MAX_AGE = 3600
MAX_MISMATCHES = 5
FLOW_NIR = "nir_sms"
FLOW_EMAIL = "access_code_email"


def _template(name: str) -> str:
    """A file of ``bot/web/templates``, read once at import."""
    return (_TEMPLATES / name).read_text(encoding="utf-8")


# Progressive enhancement: the page works without it.  Sent as it is, never
# templated: the CSP allows exactly this text (a new line, then the file) by its hash.
PAGE_SCRIPT = "\n" + _template("password_page.js")
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(PAGE_SCRIPT.encode("utf-8")).digest()).decode("ascii")

SECURITY_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        f"default-src 'none'; script-src '{SCRIPT_HASH}'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
# sent only when the public URL is https: over plain http browsers ignore it
HSTS = "max-age=31536000"


class PageResponse(NamedTuple):
    status: int
    html: str
    set_cookie: str | None = None  # a full Set-Cookie header value, or None


@dataclass(frozen=True)
class FieldError:
    field: str | None  # None: about the whole form
    message: str


ErrorLike = Union[FieldError, str, tuple]

_TOGGLE_NAMES = {
    "password": "le mot de passe",
    "password_confirm": "la confirmation du mot de passe",
}

_FIELD_LABELS = {
    "birth_date": "Date de naissance",
    "email": "Adresse e-mail",
    "password": "Mot de passe",
    "password_confirm": "Confirmation du mot de passe",
}


# ---- CSRF -------------------------------------------------------------------------------


def _csrf_sig(secret_key: str, token: str, nonce: str) -> str:
    return keyed_hash(secret_key, "csrf", f"{token}:{nonce}")[:32]


def new_csrf(secret_key: str, token: str) -> str:
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_csrf_sig(secret_key, token, nonce)}"


def check_csrf(secret_key: str, token: str, field_value: str | None, cookie_value: str | None) -> bool:
    if not field_value or not cookie_value or len(field_value) > 200:
        return False
    if not constant_time_equal(field_value, cookie_value):
        return False
    nonce, _, sig = field_value.partition(".")
    return bool(nonce) and constant_time_equal(sig, _csrf_sig(secret_key, token, nonce))


def csrf_cookie(value: str, secure: bool, max_age: int = CSRF_MAX_AGE) -> str:
    cookie = f"{CSRF_COOKIE_NAME}={value}; Path=/activation/; Max-Age={max_age}; HttpOnly; SameSite=Strict"
    return cookie + "; Secure" if secure else cookie


# ---- HTML -------------------------------------------------------------------------------

_PAGE = Template(_template("password_page.html"))
_CSS = Template(_template("password_page.css"))
_FORM = Template(_template("password_page_form.html").removesuffix("\n"))
_ERRORS = Template(_template("password_page_errors.html").removesuffix("\n"))
_SCRIPT_TAG = f"<script>{PAGE_SCRIPT}</script>\n"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _page(tenant: Tenant, title: str, content: str, script: bool = False) -> str:
    """The whole page around ``content`` (HTML already escaped), in the tenant's colours."""
    return _PAGE.substitute(
        title=_e(title),
        tenant_name=_e(tenant.display_name),
        space_name=_e(tenant.member_space_name),
        css=_CSS.substitute(primary=tenant.colors.primary, on_primary=tenant.colors.on_primary),
        content=content,
        script=_SCRIPT_TAG if script else "",
    )


def _as_errors(errors: Iterable[ErrorLike]) -> list[FieldError]:
    out = []
    for item in errors or ():
        if isinstance(item, FieldError):
            out.append(item)
        elif isinstance(item, tuple):
            out.append(FieldError(item[0], item[1]))
        else:
            out.append(FieldError(None, str(item)))
    return out


def _field(
    name: str,
    label: str,
    input_type: str,
    autocomplete: str,
    hint_html: str,
    errors: Sequence[FieldError],
    value: str = "",
    extra: str = "",
    after: str = "",
) -> str:
    mine = [e for e in errors if e.field == name]
    described = [f"{name}-hint"] if hint_html else []
    parts = [f'<label for="{name}">{_e(label)} <span class="required" aria-hidden="true">*</span></label>']
    if hint_html:
        parts.append(f'<div class="hint" id="{name}-hint">{hint_html}</div>')
    if mine:
        described.append(f"{name}-error")
        if len(mine) == 1:
            parts.append(f'<p class="error" id="{name}-error">{_e(mine[0].message)}</p>')
        else:
            items = "".join(f"<li>{_e(e.message)}</li>" for e in mine)
            parts.append(f'<div class="error" id="{name}-error"><ul>{items}</ul></div>')
    attrs = [
        f'id="{name}"',
        f'name="{name}"',
        f'type="{input_type}"',
        f'autocomplete="{autocomplete}"',
        'required aria-required="true"',
    ]
    if described:
        attrs.append(f'aria-describedby="{" ".join(described)}"')
    if mine:
        attrs.append('aria-invalid="true"')
    if value:
        attrs.append(f'value="{_e(value)}"')
    if extra:
        attrs.append(extra)
    parts.append(f"<input {' '.join(attrs)}>")
    if after:
        parts.append(after)
    return "\n".join(parts)


def _toggle(name: str) -> str:
    """The « Afficher » button of a password field, hidden until the script runs."""
    return (
        f'<button type="button" class="toggle" data-password-toggle aria-controls="{name}" aria-pressed="false" '
        f'hidden><span class="toggle-text">Afficher</span>'
        f'<span class="visually-hidden"> {_e(_TOGGLE_NAMES[name])}</span></button>'
    )


_PASSWORD_ADVICE = (
    "Il ne doit contenir ni votre nom, ni votre prénom, ni votre date de naissance, ni votre numéro "
    f"d'adhérent, et ne doit pas être un mot de passe courant. Jusqu'à {MAX_LENGTH} caractères, espaces et "
    "accents compris : une phrase de plusieurs mots est un bon choix."
)
# The browser's maxlength counts UTF-16 units, the server characters: twice the
# limit never truncates an accepted password (an emoji is two units); longer
# input gets the server's « au plus 128 caractères » message.
_PASSWORD_INPUT_EXTRA = f'maxlength="{2 * MAX_LENGTH}" spellcheck="false" autocapitalize="off"'


def render_form(
    token: str,
    csrf_token: str,
    errors: Iterable[ErrorLike] = (),
    flow: str = FLOW_NIR,
    *,
    tenant: Tenant,
    values: Mapping[str, str] | None = None,
    deadline: str | None = None,
) -> str:
    """The form's HTML (French, accessible, no external resource)."""
    errs = _as_errors(errors)
    values = values or {}
    summary = ""
    if errs:
        items = []
        for err in errs:
            if err.field:
                items.append(
                    f'<li><a href="#{_e(err.field)}">{_e(_FIELD_LABELS.get(err.field, ""))} : '
                    f"{_e(err.message)}</a></li>"
                )
            else:
                items.append(f"<li>{_e(err.message)}</li>")
        count = "une erreur" if len(errs) == 1 else f"{len(errs)} erreurs"
        summary = _ERRORS.substitute(count=count, items="".join(items)) + "\n"
    if flow == FLOW_EMAIL:
        intro = (
            "Pour valider votre inscription, confirmez l'adresse e-mail à laquelle vous avez reçu ce lien "
            "et choisissez votre mot de passe."
        )
    else:
        intro = (
            "Pour terminer l'activation de votre espace, renseignez votre date de naissance "
            "et choisissez votre mot de passe."
        )
    validity = ""
    if deadline:
        validity = (
            f"<p>Ce lien est valable jusqu'{_e(until(deadline))} et ne peut être utilisé qu'une seule fois.</p>\n"
        )
    fields = []
    if flow == FLOW_EMAIL:
        fields.append(
            _field(
                "email",
                _FIELD_LABELS["email"],
                "email",
                "email",
                "L'adresse à laquelle vous avez reçu ce lien.",
                errs,
                values.get("email", ""),
                'spellcheck="false" autocapitalize="off" maxlength="254"',
            )
        )
    else:
        fields.append(
            _field(
                "birth_date",
                _FIELD_LABELS["birth_date"],
                "text",
                "bday",
                "Au format JJ/MM/AAAA, par exemple 12/03/1980.",
                errs,
                values.get("birth_date", ""),
                'inputmode="numeric" maxlength="10"',
            )
        )
    rules = "".join(f"<li>{_e(rule)}</li>" for rule in rule_messages(tenant.password_policy))
    fields.append(
        _field(
            "password",
            _FIELD_LABELS["password"],
            "password",
            "new-password",
            f"Votre mot de passe doit contenir :<ul>{rules}</ul><p>{_e(_PASSWORD_ADVICE)}</p>",
            errs,
            extra=_PASSWORD_INPUT_EXTRA,
            after=_toggle("password"),
        )
    )
    fields.append(
        _field(
            "password_confirm",
            _FIELD_LABELS["password_confirm"],
            "password",
            "new-password",
            "Saisissez à nouveau le même mot de passe.",
            errs,
            extra=_PASSWORD_INPUT_EXTRA,
            after=_toggle("password_confirm"),
        )
    )
    form = _FORM.substitute(
        error_summary=summary,
        intro=_e(intro),
        deadline=validity,
        token=_e(token),
        csrf_token=_e(csrf_token),
        fields="\n".join(fields),
    )
    title = "Valider mon inscription" if flow == FLOW_EMAIL else "Choisir mon mot de passe"
    return _page(tenant, title, form, script=True)


def _message_page(tenant: Tenant, title: str, paragraphs: Sequence[str]) -> str:
    return _page(tenant, title, "\n".join(f"<p>{_e(p)}</p>" for p in paragraphs))


def _restart_sentence(flow: str) -> str:
    if flow == FLOW_EMAIL:
        return "Vous pouvez recommencer votre inscription avec l'assistant pour recevoir un nouveau lien."
    return "Vous pouvez recommencer l'activation avec l'assistant pour recevoir un nouveau lien."


def _login_sentence(tenant: Tenant, flow: str) -> list[str]:
    if flow == FLOW_EMAIL:
        out = [
            f"Vous pouvez vous connecter à votre {tenant.member_space_name} ({tenant.member_space_path}) "
            "avec votre adresse e-mail et ce mot de passe."
        ]
        if tenant.login_code:
            out.append(
                "La connexion se fait en deux étapes : un code de sécurité à usage unique, valable "
                f"{tenant.login_code.lifetime_minutes} minutes, vous est ensuite envoyé par e-mail."
            )
        return out
    return [
        f"Vous pouvez dès à présent vous connecter à votre {tenant.member_space_name} "
        f"({tenant.member_space_path}) avec votre identifiant (votre numéro d'adhérent) et ce mot de passe.",
        "Une fois connecté, acceptez les Conditions Générales d'Utilisation en cliquant sur « Valider » en bas "
        "de la page ; vous pourrez aussi choisir vos préférences de communication.",
    ]


def _flow_of(purpose: str | None) -> str:
    return FLOW_EMAIL if purpose == tokens.SMIE_CONFIRM else FLOW_NIR


def _invalid_page(ctx: Context, state: str, flow: str) -> PageResponse:
    tenant = ctx.tenant
    if state == tokens.EXPIRED:
        return PageResponse(
            410,
            _message_page(
                tenant,
                "Ce lien a expiré",
                [
                    f"Pour votre sécurité, ce lien n'est valable que {tenant.activation_link_hours} heures, "
                    "ou a été remplacé par un lien plus récent.",
                    _restart_sentence(flow) + " Utilisez toujours le lien du dernier e-mail reçu.",
                    contact_sentence(tenant),
                ],
            ),
        )
    if state == tokens.USED:
        return PageResponse(
            410,
            _message_page(
                tenant,
                "Ce lien a déjà été utilisé",
                [
                    "Chaque lien ne peut servir qu'une seule fois.",
                    f"Si vous avez déjà choisi votre mot de passe, connectez-vous {tenant.member_space_path}. "
                    + _restart_sentence(flow),
                    contact_sentence(tenant),
                ],
            ),
        )
    if state == "active":
        return PageResponse(
            410,
            _message_page(
                tenant,
                "Votre espace est déjà activé",
                [
                    f"Connectez-vous {tenant.member_space_path}. Si vous avez oublié votre mot de passe, "
                    "utilisez « mot de passe oublié » sur la page de connexion.",
                    contact_sentence(tenant),
                ],
            ),
        )
    if state == "locked":
        return PageResponse(
            403,
            _message_page(
                tenant,
                "Votre compte est bloqué",
                [
                    "Pour votre sécurité, votre compte ne peut pas être activé en ligne pour le moment.",
                    contact_sentence(tenant),
                ],
            ),
        )
    if state == "too_many":
        return PageResponse(
            410,
            _message_page(
                tenant,
                "Ce lien a été désactivé",
                [
                    "Trop d'informations incorrectes ont été saisies : "
                    "pour votre sécurité, ce lien ne fonctionne plus.",
                    _restart_sentence(flow),
                    contact_sentence(tenant),
                ],
            ),
        )
    if state == "error":
        return PageResponse(
            503,
            _message_page(
                tenant,
                "Service momentanément indisponible",
                [
                    "Votre demande n'a pas pu être enregistrée. "
                    "Merci de réessayer dans quelques minutes avec le même lien.",
                    contact_sentence(tenant),
                ],
            ),
        )
    return PageResponse(
        404,
        _message_page(
            tenant,
            "Ce lien n'est pas valide",
            [
                "Vérifiez que vous avez bien copié l'adresse complète du lien reçu par e-mail.",
                _restart_sentence(flow),
                contact_sentence(tenant),
            ],
        ),
    )


def _secure(ctx: Context) -> bool:
    return ctx.settings.public_url.startswith("https://")


def response_headers(ctx: Context | None) -> dict[str, str]:
    """The headers of every page response: ``SECURITY_HEADERS``, plus HSTS when the public URL is https."""
    headers = dict(SECURITY_HEADERS)
    if ctx is not None and _secure(ctx):
        headers["Strict-Transport-Security"] = HSTS
    return headers


# ---- handlers ---------------------------------------------------------------------------


@dataclass
class _Target:
    lookup: tokens.TokenLookup
    status: str | None
    birth_date: date | None
    mismatches: int
    personal: PersonalData | None = None  # what the password must not contain


def _load(ctx: Context, token: str, now: datetime) -> _Target:
    with ctx.session() as session:
        found = tokens.lookup_token(session, ctx.settings.secret_key, token, now)
        if found.member_id is None:
            return _Target(found, None, None, 0)
        member = session.get(Member, found.member_id)
        mismatches = 0
        if found.created_at is not None:
            mismatches = audit.count_since(session, "password_page_mismatch", found.member_id, found.created_at)
        if member is None:
            return _Target(found, None, None, mismatches)
        return _Target(found, member.status, member.birth_date, mismatches, PersonalData.of(member))


def _refusal(ctx: Context, target: _Target) -> PageResponse | None:
    flow = _flow_of(target.lookup.purpose)
    if target.lookup.state != tokens.VALID:
        return _invalid_page(ctx, target.lookup.state, flow)
    if target.status == "active":
        return _invalid_page(ctx, "active", flow)
    if target.status == "locked":
        return _invalid_page(ctx, "locked", flow)
    if target.status is None:
        return _invalid_page(ctx, tokens.UNKNOWN, flow)
    if target.mismatches >= MAX_MISMATCHES:
        return _invalid_page(ctx, "too_many", flow)
    return None


def _form_response(
    ctx: Context,
    token: str,
    target: _Target,
    status: int,
    errors: Sequence[ErrorLike] = (),
    values: Mapping[str, str] | None = None,
) -> PageResponse:
    csrf = new_csrf(ctx.settings.secret_key, token)
    expires = target.lookup.expires_at
    deadline = format_deadline(ctx.tenant, expires, ctx.settings.timezone) if expires else None
    page = render_form(
        token, csrf, errors, _flow_of(target.lookup.purpose), tenant=ctx.tenant, values=values, deadline=deadline
    )
    return PageResponse(status, page, csrf_cookie(csrf, _secure(ctx)))


def handle_get(ctx: Context, token: str) -> PageResponse:
    """The page for ``GET /activation/<token>``."""
    try:
        target = _load(ctx, token, clock.now())
        return _refusal(ctx, target) or _form_response(ctx, token, target, 200)
    except Exception as exc:  # noqa: BLE001 - the member gets a page, the operator a log line
        # only the type: SQL errors carry statement parameters (hashes, e-mail)
        log.error("password page: GET failed (%s)", type(exc).__name__)
        return _invalid_page(ctx, "error", FLOW_NIR)


def _birth_date(value: str) -> date | None:
    """The birth date typed on the page, read as in the chat (``bot.identity.parse_birth_date``), else None."""
    try:
        return parse_birth_date(value)
    except InvalidBirthDate:
        return None


def _field_value(form: Mapping[str, object], name: str) -> str:
    value = form.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def handle_post(ctx: Context, token: str, form: Mapping[str, object], csrf_cookie_value: str | None) -> PageResponse:
    """The page for ``POST /activation/<token>``; see the module docstring."""
    try:
        return _handle_post(ctx, token, form, csrf_cookie_value)
    except Exception as exc:  # noqa: BLE001 - the member gets a page, the operator a log line
        log.error("password page: POST failed (%s)", type(exc).__name__)
        return _invalid_page(ctx, "error", FLOW_NIR)


def _handle_post(ctx: Context, token: str, form: Mapping[str, object], csrf_cookie_value: str | None) -> PageResponse:
    now = clock.now()
    target = _load(ctx, token, now)
    refusal = _refusal(ctx, target)
    if refusal is not None:
        return refusal
    flow = _flow_of(target.lookup.purpose)
    lookup = target.lookup
    assert lookup.member_id is not None and lookup.token_id is not None
    member_id = lookup.member_id
    kept = {"birth_date": _field_value(form, "birth_date")[:20], "email": _field_value(form, "email")[:254]}
    if not check_csrf(ctx.settings.secret_key, token, _field_value(form, "csrf_token"), csrf_cookie_value):
        return _form_response(
            ctx,
            token,
            target,
            403,
            [
                FieldError(
                    None,
                    "Votre formulaire a expiré ou n'a pas pu être vérifié. Merci de saisir à nouveau vos informations.",
                )
            ],
            kept,
        )

    errors: list[FieldError] = []
    mismatch = False
    if flow == FLOW_EMAIL:
        email = kept["email"].strip()
        if not email:
            errors.append(FieldError("email", "Indiquez votre adresse e-mail."))
        elif not lookup.email or email.casefold() != lookup.email.casefold():
            errors.append(FieldError("email", "Cette adresse ne correspond pas à celle de votre inscription."))
            mismatch = True
    else:
        raw = kept["birth_date"].strip()
        parsed = _birth_date(raw)
        if not raw:
            errors.append(FieldError("birth_date", "Indiquez votre date de naissance."))
        elif parsed is None:
            errors.append(FieldError("birth_date", "La date doit être au format JJ/MM/AAAA, par exemple 12/03/1980."))
        elif parsed != target.birth_date:
            errors.append(FieldError("birth_date", "Cette date de naissance ne correspond pas à nos informations."))
            mismatch = True
    password = _field_value(form, "password")
    confirm = _field_value(form, "password_confirm")
    if not password:
        errors.append(FieldError("password", "Choisissez un mot de passe."))
    else:
        for message in password_errors(password, ctx.tenant.password_policy, target.personal, guessability=False):
            errors.append(FieldError("password", message))
    if not confirm:
        errors.append(FieldError("password_confirm", "Confirmez votre mot de passe."))
    elif password and confirm != password:
        errors.append(FieldError("password_confirm", "Les deux mots de passe ne sont pas identiques."))

    if mismatch:
        with ctx.session() as session:
            audit.record(
                session,
                "password_page_mismatch",
                member_id,
                token_id=lookup.token_id,
                field="email" if flow == FLOW_EMAIL else "birth_date",
            )
            count = audit.count_since(session, "password_page_mismatch", member_id, lookup.created_at or now)
            if count >= MAX_MISMATCHES:
                tokens.invalidate_tokens(session, member_id, lookup.purpose, now)
                audit.record(
                    session, "token_invalidated", member_id, token_id=lookup.token_id, reason="too_many_mismatches"
                )
        if count >= MAX_MISMATCHES:
            return _invalid_page(ctx, "too_many", flow)
    if not errors:
        # zxcvbn last: costly, and only for someone who got everything else right
        weak = guessability_error(password, target.personal)
        if weak:
            errors.append(FieldError("password", weak))
    if errors:
        return _form_response(ctx, token, target, 400, errors, kept)

    password_hash = hash_password(password)
    with ctx.session() as session:
        if not tokens.consume_token(session, lookup.token_id, now):
            used = tokens.lookup_token(session, ctx.settings.secret_key, token, now)
            return _invalid_page(ctx, used.state if used.state != tokens.VALID else tokens.USED, flow)
        values = {
            "password_hash": password_hash,
            "status": "active",
            "activated_at": now,
            "version": Member.version + 1,
            "updated_at": now,
        }
        before = session.get(Member, member_id)
        # SMIE: the address of the link becomes the member's only when the record has none
        # (an e-mail on file is never replaced here; the link only ever goes to it)
        added_email = flow == FLOW_EMAIL and lookup.email and before is not None and not before.email
        if added_email:
            values["email"] = lookup.email
        moved = session.execute(
            update(Member)
            .where(Member.id == member_id, Member.status.in_(("inactive", "pending")))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            session.rollback()
            status = session.execute(select(Member.status).where(Member.id == member_id)).scalar_one_or_none()
            return _invalid_page(ctx, status if status in ("active", "locked") else tokens.USED, flow)
        tokens.invalidate_tokens(session, member_id, None, now)
        audit.record(session, "password_set", member_id, token_id=lookup.token_id, flow=flow)
        member = session.get(Member, member_id, populate_existing=True)  # the row as just updated
        notice_ids = notices.queue_notices(ctx, session, member, notices.ACTIVATION_COMPLETED, now=now)
        if added_email and member is not None:
            notice_ids += notices.queue_notices(
                ctx,
                session,
                member,
                notices.CONTACT_CHANGED,
                change=notices.describe_change(None, lookup.email, member.mobile, member.mobile),
                added=[lookup.email or ""],
                now=now,
            )
    _deliver_notices(ctx, notice_ids)
    page = _message_page(
        ctx.tenant,
        "Votre mot de passe est enregistré",
        [
            "Félicitations ! Votre espace est activé.",
            *_login_sentence(ctx.tenant, flow),
        ],
    )
    return PageResponse(200, page, csrf_cookie("", _secure(ctx), max_age=0))


def _deliver_notices(ctx: Context, notice_ids: list[int]) -> None:
    """Deliver the queued notices now; whatever happens, the member still gets the success page."""
    try:
        results = notices.deliver(ctx, notice_ids)
    except Exception as exc:  # noqa: BLE001 - the notice stays in the outbox, the page must not fail
        log.warning("password page: activation notice not delivered (%s); kept in the outbox", type(exc).__name__)
        return
    undelivered = [r for r in results if r.state != DELIVERED]
    if undelivered:
        log.warning("password page: %d of %d activation notices not delivered now", len(undelivered), len(results))
