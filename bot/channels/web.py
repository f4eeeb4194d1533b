"""Web channel: chat widget, demo page, activation pages and health check.

A Rasa input channel whose blueprint is mounted at the server root, so one
port serves everything a member's browser reaches:

- ``GET /health``: liveness and what the server really uses (tenant,
  tracker store class) — tests assert the redacting store is active; and
  whether each part it depends on is up (``status`` ``ok`` or
  ``degraded``, ``down``, ``parts``: :mod:`bot.adapters.health`);
- ``GET /chat/`` and ``/chat/<file>``: the demo page and the embeddable
  widget (``bot/web/static``), ``GET /chat/config.json``: tenant name and
  colours for the widget, and the REST paths it uses (``webhook``, and
  ``session`` where it gets its signed conversation id);
- ``GET|POST /activation/<token>``: the secure password page
  (``bot.web.password_page``), with the headers of
  ``password_page.response_headers`` (CSP, HSTS when the public URL is https).

Messages from the widget go through our REST channel (``bot.channels.rest``).
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import FORGET_PATH, SESSION_PATH, WEBHOOK_PATH
from bot.settings import get_settings
from bot.tenants import current_tenant

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


def _tracker_store_name(app: Any) -> str:
    agent = getattr(app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    # Rasa wraps the configured store in a FailSafeTrackerStore
    inner = getattr(store, "_tracker_store", store)
    return f"{type(inner).__module__}.{type(inner).__name__}" if inner is not None else "none"


_UNAVAILABLE_PAGE = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Service indisponible</title>'
    "<p>Le service est momentanément indisponible. Réessayez dans quelques minutes avec le même lien.</p></html>"
)


class WebChannel(InputChannel):
    """Serves the chat widget and the member-facing pages."""

    @classmethod
    def name(cls) -> str:
        return "web"

    def url_prefix(self) -> str:
        return "/"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> WebChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("assistant_web", __name__)

        @bp.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            from bot.adapters import health as parts_health

            settings = get_settings()
            agent = getattr(request.app.ctx, "agent", None)
            return response.json(
                {
                    "status": "ok",
                    "tenant": settings.tenant,
                    "model_loaded": bool(agent and agent.is_ready()),
                    "tracker_store": _tracker_store_name(request.app),
                    # status (ok / degraded), down, parts
                    **await parts_health.report(request.app, settings.actions_port, settings.database_url),
                }
            )

        @bp.route("/chat/", methods=["GET"])
        async def chat_page(request: Request) -> HTTPResponse:
            return await _static("index.html")

        @bp.route("/chat/config.json", methods=["GET"])
        async def chat_config(request: Request) -> HTTPResponse:
            tenant = current_tenant()
            return response.json(
                {
                    "tenant": tenant.id,
                    "name": tenant.display_name,
                    "colors": {"primary": tenant.colors.primary, "onPrimary": tenant.colors.on_primary},
                    "webhook": WEBHOOK_PATH,
                    "session": SESSION_PATH,
                    "forget": FORGET_PATH,
                },
                headers={"Cache-Control": "no-store"},
            )

        @bp.route("/chat/<filename:str>", methods=["GET"])
        async def chat_static(request: Request, filename: str) -> HTTPResponse:
            # Sanic 21.12 routes "/chat/" here with an empty filename
            return await _static(filename or "index.html")

        @bp.route("/activation/<token:str>", methods=["GET", "POST"])
        async def activation_page(request: Request, token: str) -> HTTPResponse:
            from bot.context import get_context
            from bot.web import password_page

            loop = asyncio.get_running_loop()
            ctx = None
            try:
                ctx = get_context()
                if request.method == "GET":
                    page = await loop.run_in_executor(None, password_page.handle_get, ctx, token)
                else:
                    form = {key: request.form.get(key) for key in request.form.keys()}
                    cookie = request.cookies.get(password_page.CSRF_COOKIE_NAME)
                    page = await loop.run_in_executor(None, password_page.handle_post, ctx, token, form, cookie)
                status, body, set_cookie = page
            except Exception:  # noqa: BLE001 - a member must never see a traceback
                logger.error("activation page failed", exc_info=False)
                status, body, set_cookie = 503, _UNAVAILABLE_PAGE, None
            headers = password_page.response_headers(ctx)  # HSTS when the public URL is https
            if set_cookie:
                headers["Set-Cookie"] = set_cookie
            return response.html(body, status=status, headers=headers)

        return bp


async def _static(filename: str) -> HTTPResponse:
    path = (STATIC_DIR / filename).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file():
        return response.text("Page introuvable.", status=404)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mime.startswith("text/") or mime in {"application/javascript", "application/json"}:
        mime += "; charset=utf-8"
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "no-cache"
    # the widget script is embeddable on the mutuelle's own site
    if path.suffix in {".js", ".css"}:
        headers.pop("X-Frame-Options")
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.raw(path.read_bytes(), content_type=mime, headers=headers)
