"""The digital team's report page: ``/admin/report`` on the assistant's one port.

A Rasa input channel (``credentials.yml``) whose blueprint serves:

- ``GET /admin/report[?since=YYYY-MM-DD&until=YYYY-MM-DD]``: the report page
  (:func:`bot.report.render.html_page`: SVG charts, tables, period selector);
- ``GET /admin/report.csv[?since=…&until=…]``: the same figures as CSV;
- ``POST /admin/login`` (form field ``token``) and ``POST /admin/logout``:
  a session cookie for people using a browser.

Access: without ``ASSISTANT_ADMIN_TOKEN`` every one of these paths answers
404 (the page does not exist).  With it, a request needs either the header
``Authorization: Bearer <token>`` or the session cookie that a correct
login sets (``HttpOnly``, ``SameSite=Strict``, path ``/admin``, ``Secure``
behind https, 8 hours; its value is an expiry and a keyed hash bound to
the token, never the token itself).  Otherwise: 401 (the page offers the
login form).  The token never travels in a URL, so it never reaches an
access log.  Tokens are compared in constant time.  Wrong tokens (login
form or ``Bearer``) are counted per client and in all
(:mod:`bot.security.admin_login`); past the limit every token check answers
429 with the minutes to wait, the right token included.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from html import escape
from typing import Any, Awaitable, Callable, Dict
from urllib.parse import urlencode

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import request_client_key
from bot.security import admin_login, keyed_hash
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

REPORT_PATH = "/admin/report"
CSV_PATH = "/admin/report.csv"
LOGIN_PATH = "/admin/login"
LOGOUT_PATH = "/admin/logout"
COOKIE_NAME = "assistant_admin"
SESSION_SECONDS = 8 * 3600

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}


def _session_mac(settings: Settings, expires: int) -> str:
    return keyed_hash(settings.secret_key, "admin-session", f"{settings.admin_token}|{expires}")


def session_cookie_value(settings: Settings, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_SECONDS)
    return f"{expires}.{_session_mac(settings, expires)}"


def valid_session(settings: Settings, value: str | None, now: float | None = None) -> bool:
    if not value or "." not in value:
        return False
    expires_text, mac = value.split(".", 1)
    if not expires_text.isdigit() or int(expires_text) < (now or time.time()):
        return False
    return hmac.compare_digest(mac, _session_mac(settings, int(expires_text)))


def token_matches(settings: Settings, candidate: str | None) -> bool:
    expected = settings.admin_token
    if not expected or not candidate:
        return False
    return hmac.compare_digest(candidate.strip().encode("utf-8"), expected.encode("utf-8"))


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request has one."""
    scheme, _, credentials = (request.headers.get("authorization") or "").partition(" ")
    return credentials if scheme.lower() == "bearer" else None


def _cookie(settings: Settings, value: str, max_age: int) -> str:
    secure = "; Secure" if settings.public_url.startswith("https://") else ""
    return f"{COOKIE_NAME}={value}; Max-Age={max_age}; Path=/admin; HttpOnly; SameSite=Strict{secure}"


def login_page(error: str | None = None) -> str:
    alert = f'<p class="error" role="alert" id="login-error">{escape(error)}</p>' if error else ""
    described = ' aria-describedby="login-error"' if error else ""
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Rapport de l'assistant : accès réservé</title><style>"
        "body{font-family:system-ui,sans-serif;color:#1a1a1a;max-width:32rem;margin:2rem auto;padding:0 1rem}"
        "label{display:block;font-weight:600;margin:.8rem 0 .3rem}input{font:inherit;padding:.3rem;width:100%;"
        "border:1px solid #595959}button{font:inherit;margin-top:.8rem;padding:.4rem 1rem;background:#1f4e79;"
        "color:#fff;border:0}.error{border-left:4px solid #b00020;padding:.4rem .8rem;background:#fdecee}"
        "</style></head><body><main><h1>Rapport de l'assistant</h1>"
        "<p>Cette page est réservée à l'équipe d'assistance numérique. Saisissez le jeton d'accès.</p>"
        f'{alert}<form method="post" action="{LOGIN_PATH}">'
        f'<label for="token">Jeton d\'accès</label><input type="password" id="token" name="token" '
        f'autocomplete="current-password" required{described}>'
        '<button type="submit">Se connecter</button></form></main></body></html>'
    )


def _period_args(request: Request) -> tuple[str | None, str | None]:
    return request.args.get("since"), request.args.get("until")


def _build(settings: Settings, since: str | None, until: str | None) -> tuple[Dict[str, Any], str | None]:
    """The report of the period asked, or of the default period with the reason it was refused."""
    from bot.report.period import PeriodError, parse_day
    from bot.report.service import build_report, period_for

    error = None
    try:
        period = period_for(settings, parse_day(since, "Début"), parse_day(until, "Fin"))
    except PeriodError as exc:
        error = f"{exc} La période par défaut est affichée."
        period = period_for(settings, None, None)
    return build_report(settings, period), error


def _client(settings: Settings, request: Request) -> str:
    return request_client_key(request, settings.secret_key, settings.trusted_proxies)


def _throttled_page(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return login_page(f"Trop d'essais de jeton incorrects. Réessayez dans {minutes}\u00a0{unit}.")


async def _token_check(settings: Settings, request: Request, candidate: str | None) -> str:
    """``ok``, ``wrong`` (counted), ``throttled``, or ``unavailable`` when the limits cannot be read
    (the check fails closed: no token is tried while the counts are unknown)."""
    loop = asyncio.get_running_loop()
    client = _client(settings, request)
    try:
        until = await loop.run_in_executor(None, admin_login.refused_until, settings, client)
        if until is not None:
            request.ctx.admin_retry_minutes = admin_login.minutes_until(until)
            return "throttled"
        if token_matches(settings, candidate):
            return "ok"
        await loop.run_in_executor(None, admin_login.count_failure, settings, client)
    except Exception:  # noqa: BLE001 - the member store is down: a page, never a traceback
        logger.error("admin token check: the limits could not be read", exc_info=True)
        return "unavailable"
    logger.warning("admin token refused")
    return "wrong"


async def _access(settings: Settings, request: Request) -> str:
    """``ok`` (session cookie or right bearer token), ``wrong``, ``throttled`` or ``none`` (no credentials)."""
    if valid_session(settings, request.cookies.get(COOKIE_NAME)):
        return "ok"
    token = bearer_token(request)
    if token is None:
        return "none"
    return await _token_check(settings, request, token)


class AdminChannel(InputChannel):
    """Serves the report page to the digital team (no messages to Rasa)."""

    @classmethod
    def name(cls) -> str:
        return "admin"

    def url_prefix(self) -> str:
        return "/"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> AdminChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("assistant_admin", __name__)

        async def refused(settings: Settings, request: Request, access: str, as_page: bool = True) -> HTTPResponse:
            if not settings.admin_token:
                return response.text("Page introuvable.", status=404, headers=HEADERS)
            if access == "unavailable":
                if as_page:
                    return response.html(_unavailable(), status=503, headers=HEADERS)
                return response.text("Le rapport est momentanément indisponible.", status=503, headers=HEADERS)
            if access == "throttled":
                minutes = int(getattr(request.ctx, "admin_retry_minutes", 60))
                headers = dict(HEADERS, **{"Retry-After": str(minutes * 60)})
                if as_page:
                    return response.html(_throttled_page(minutes), status=429, headers=headers)
                return response.text(
                    f"Trop d'essais de jeton incorrects. Réessayez dans {minutes} min.", status=429, headers=headers
                )
            headers = dict(HEADERS, **{"WWW-Authenticate": 'Bearer realm="admin"'})
            if as_page:
                return response.html(login_page(), status=401, headers=headers)
            return response.text("Authentification requise.", status=401, headers=headers)

        @bp.route(REPORT_PATH, methods=["GET"])
        async def report_page(request: Request) -> HTTPResponse:
            settings = get_settings()
            access = await _access(settings, request) if settings.admin_token else "none"
            if access != "ok":
                return await refused(settings, request, access)
            from bot.report.render import html_page
            from bot.tenants import current_tenant

            since, until = _period_args(request)
            try:
                report, error = await asyncio.get_running_loop().run_in_executor(None, _build, settings, since, until)
            except Exception:  # noqa: BLE001 - a page, never a traceback
                logger.error("admin report failed", exc_info=True)
                return response.html(_unavailable(), status=503, headers=HEADERS)
            period = report["period"]
            csv_url = f"{CSV_PATH}?{urlencode({'since': period['since'], 'until': period['until']})}"
            page = html_page(
                report, current_tenant().display_name, form_action=REPORT_PATH, csv_url=csv_url, error=error
            )
            return response.html(page, status=400 if error else 200, headers=HEADERS)

        @bp.route(CSV_PATH, methods=["GET"])
        async def report_csv(request: Request) -> HTTPResponse:
            settings = get_settings()
            access = await _access(settings, request) if settings.admin_token else "none"
            if access != "ok":
                return await refused(settings, request, access, as_page=False)
            from bot.report.render import to_csv

            since, until = _period_args(request)
            try:
                report, error = await asyncio.get_running_loop().run_in_executor(None, _build, settings, since, until)
            except Exception:  # noqa: BLE001
                logger.error("admin report (CSV) failed", exc_info=True)
                return response.text("Le rapport est momentanément indisponible.", status=503, headers=HEADERS)
            if error:
                return response.text(error, status=400, headers=HEADERS)
            period = report["period"]
            name = f"rapport-{period['since']}-{period['until']}.csv"
            headers = dict(HEADERS, **{"Content-Disposition": f'attachment; filename="{name}"'})
            return response.text(to_csv(report), headers=headers, content_type="text/csv; charset=utf-8")

        @bp.route(LOGIN_PATH, methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            settings = get_settings()
            if not settings.admin_token:
                return await refused(settings, request, "none")
            access = await _token_check(settings, request, request.form.get("token"))
            if access in ("throttled", "unavailable"):
                return await refused(settings, request, access)
            if access != "ok":
                return response.html(login_page("Ce jeton n'est pas le bon."), status=401, headers=HEADERS)
            headers = dict(HEADERS, **{"Location": REPORT_PATH})
            headers["Set-Cookie"] = _cookie(settings, session_cookie_value(settings), SESSION_SECONDS)
            return response.empty(status=303, headers=headers)

        @bp.route(LOGOUT_PATH, methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            settings = get_settings()
            if not settings.admin_token:
                return await refused(settings, request, "none")
            headers = dict(HEADERS, **{"Location": REPORT_PATH, "Set-Cookie": _cookie(settings, "", 0)})
            return response.empty(status=303, headers=headers)

        return bp


def _unavailable() -> str:
    return (
        '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Rapport indisponible</title>'
        "<p>Le rapport est momentanément indisponible. Réessayez dans quelques minutes.</p></html>"
    )
