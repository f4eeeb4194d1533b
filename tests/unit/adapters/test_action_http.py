"""Calls to an endpoint reuse one kept-alive HTTP session (a real server on 127.0.0.1)."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot.adapters.patches.action_http import KEEPALIVE_SECONDS, install_shared_sessions, shared_session_factory


@pytest.fixture
def shared(monkeypatch):
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    install_shared_sessions()
    install_shared_sessions()  # twice: still one wrapper


async def _serve(handler):
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/webhook"


def test_requests_to_an_endpoint_share_one_connection(shared):
    client_ports = []
    seen_headers = []

    async def handler(request: web.Request) -> web.Response:
        client_ports.append(request.transport.get_extra_info("peername")[1])
        seen_headers.append(request.headers.get("X-Test"))
        return web.json_response({"events": [], "responses": [{"text": "ok"}]})

    async def scenario():
        runner, url = await _serve(handler)
        endpoint = EndpointConfig(url, headers={"X-Test": "oui"})
        try:
            replies = [await endpoint.request(json={"n": n}, method="post") for n in range(3)]
        finally:
            for session in endpoint.__dict__.get("_bot_shared_sessions", {}).values():
                await session.close()
            await runner.cleanup()
        return replies

    replies = asyncio.run(scenario())
    assert replies == [{"events": [], "responses": [{"text": "ok"}]}] * 3
    assert len(set(client_ports)) == 1, "the three requests should use one kept-alive connection"
    assert seen_headers == ["oui"] * 3, "the endpoint's headers are still sent"


def test_a_closed_session_is_replaced_and_loops_do_not_share(shared):
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def sessions():
        async with endpoint.session() as first:
            pass
        async with endpoint.session() as again:
            keepalive = again.connector._keepalive_timeout
        await first.close()
        async with endpoint.session() as replaced:
            pass
        await replaced.close()
        return first, again, replaced, keepalive

    first, again, replaced, keepalive = asyncio.run(sessions())
    assert first is again and replaced is not first
    assert keepalive == KEEPALIVE_SECONDS
    other_loop, _, _, _ = asyncio.run(sessions())
    assert other_loop is not first


def test_outside_an_event_loop_each_call_gets_its_own_session():
    made = []
    session = shared_session_factory(lambda _self: made.append(object()) or made[-1])
    assert session(EndpointConfig("http://127.0.0.1:9")) is made[0]
    assert session(EndpointConfig("http://127.0.0.1:9")) is made[1]
