"""One kept-alive HTTP client session per endpoint for the Rasa server's calls.

Rasa 3.6's ``EndpointConfig.request`` (every call to the action server)
opens a new ``aiohttp.ClientSession`` and so a new TCP connection for each
request, then closes it: a connection set-up and tear-down on both servers
for every custom action of every turn (bench/README.md).

:func:`install_shared_sessions` makes ``EndpointConfig.session()`` hand out
one session per endpoint and event loop, created the way Rasa creates it
(same headers, basic auth and timeout) and kept open, so connections to
the action server are reused. An idle connection is dropped after
``KEEPALIVE_SECONDS``, before the action server's Sanic closes its end
(5 s by default), so a request never goes out on a connection the server
is closing. Rasa only uses ``session()`` as ``async with
endpoint.session() as session``; leaving that block no longer closes the
shared session. A closed session (or one of another event loop) is replaced.

Patch ``action_http`` (:mod:`bot.adapters.patches`): replaces
``EndpointConfig.session`` and copies what it builds (``headers``,
``basic_auth``, ``DEFAULT_REQUEST_TIMEOUT``); relies on Rasa using it only
as ``async with endpoint.session()`` (docs/upgrading-rasa.md).
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict

from bot.adapters.patches import rasa_version_supported

RASA_VERSION = "3.6.x"
KEEPALIVE_SECONDS = 2.0


class _Borrowed:
    """``async with`` over a shared session, without closing it on exit."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def shared_session_factory(create: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A ``session(self)`` method sharing what ``create(self)`` makes, per instance and loop."""

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return create(self)  # outside a loop: Rasa's behaviour, a fresh session
        sessions: Dict[int, Any] = self.__dict__.setdefault("_bot_shared_sessions", {})
        current = sessions.get(id(loop))
        if current is None or current.closed or getattr(current, "_loop", loop) is not loop:
            current = create(self)
            sessions[id(loop)] = current
        return _Borrowed(current)

    # a marker attribute on aiohttp's session (tests read it); ClientSession declares no such attribute
    session._bot_shared = True  # type: ignore[attr-defined]
    return session


def _kept_alive_session(endpoint: Any) -> Any:
    """Rasa's ``EndpointConfig.session()`` with a connector dropping idle connections early."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )


def install_shared_sessions() -> None:
    """Make ``rasa.utils.endpoints.EndpointConfig.session`` share one session per endpoint."""
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.session, "_bot_shared", False):
        return
    EndpointConfig.session = shared_session_factory(_kept_alive_session)


def is_installed() -> bool:
    from rasa.utils.endpoints import EndpointConfig

    return getattr(EndpointConfig.session, "_bot_shared", False)


def install(rasa_version: str | None = None) -> bool:
    """The patch: :func:`install_shared_sessions`, on the Rasa versions it was written for."""
    if not rasa_version_supported(__name__, RASA_VERSION, rasa_version):
        return False
    install_shared_sessions()
    return True


__all__ = [
    "KEEPALIVE_SECONDS",
    "RASA_VERSION",
    "install",
    "install_shared_sessions",
    "is_installed",
    "shared_session_factory",
]
