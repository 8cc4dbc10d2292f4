"""Tests of the shared HTTP session for action calls, run by pytest in .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_action_http.py``
(``tests/bot/test_rasa_project.py`` does this in ``make test``). A tiny HTTP
server on 127.0.0.1 stands in for the action server and counts connections.
"""

from __future__ import annotations

import asyncio

import components  # noqa: F401  (installs the shared session)
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig


async def _serve(port: int = 0) -> tuple[web.AppRunner, int]:
    """An echo server that also says which client port the request came from."""
    async def handler(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername")[1]
        return web.json_response({"echo": await request.json(), "peer": peer})

    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def test_consecutive_action_calls_reuse_one_connection() -> None:
    async def scenario() -> set:
        runner, port = await _serve()
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
        try:
            replies = [await endpoint.request(json={"n": n}) for n in range(5)]
        finally:
            await runner.cleanup()
        assert [r["echo"]["n"] for r in replies] == list(range(5))
        return {r["peer"] for r in replies}

    assert len(asyncio.run(scenario())) == 1


def test_payloads_arrive_exactly_as_sent() -> None:
    payload = {"tracker": {"sender_id": "web:ü", "latest_message": {
        "text": "đăng ký khai sinh 🙂 <script>\"x\"</script>", "intent": {"confidence": 0.1 + 0.2}},
        "events": [{"timestamp": 1764230400.1234567, "value": None, "list": [1, 2.5e-08, True]}]}}

    async def scenario() -> dict:
        runner, port = await _serve()
        try:
            return await EndpointConfig(url=f"http://127.0.0.1:{port}/webhook").request(
                json=payload)
        finally:
            await runner.cleanup()

    assert asyncio.run(scenario())["echo"] == payload


def test_server_errors_still_raise_like_rasa_expects() -> None:
    async def scenario() -> str:
        runner, port = await _serve()
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/missing")
        try:
            await endpoint.request(json={})
        except Exception as error:  # noqa: BLE001 - the type is the assertion
            return type(error).__name__
        finally:
            await runner.cleanup()
        return "no error"

    assert asyncio.run(scenario()) == "ClientResponseError"


def test_a_restarted_action_server_is_reached_again() -> None:
    async def scenario() -> list:
        runner, port = await _serve()
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
        first = await endpoint.request(json={"n": 1})
        await runner.cleanup()  # the app restarts on the same port
        app_runner, _ = await _serve(port)
        try:
            second = await endpoint.request(json={"n": 2})
        finally:
            await app_runner.cleanup()
        return [first["echo"]["n"], second["echo"]["n"]]

    assert asyncio.run(scenario()) == [1, 2]

