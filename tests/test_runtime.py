"""`agency-bot run` as a whole: start in order, stop what started, stop webhooks first."""

import socket

import pytest

from bot.app import Runtime
from bot.settings import Settings


class Exploding:
    name = "boom"

    async def start(self):
        raise RuntimeError("cannot connect")

    async def stop(self):  # pragma: no cover - never started, never stopped
        raise AssertionError("stopped a channel that never started")

    def routes(self):
        return []

    def invite_link(self, code):
        return None


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


async def test_a_part_failing_to_start_stops_what_had_started(tmp_path):
    port = free_port()
    runtime = Runtime.build(Settings(data_dir=tmp_path, http_port=port, _env_file=None))
    runtime.channels["boom"] = Exploding()
    with pytest.raises(RuntimeError, match="cannot connect"):
        await runtime.serve_forever()
    with socket.create_server(("127.0.0.1", port)):  # the HTTP endpoint was stopped: the port is free
        pass
    assert runtime._started == []


async def test_start_then_stop(tmp_path):
    import httpx

    runtime = Runtime.build(Settings(data_dir=tmp_path, http_port=free_port(), _env_file=None))
    await runtime.start()
    async with httpx.AsyncClient() as client:
        health = (await client.get(f"http://127.0.0.1:{runtime.http.port}/healthz")).json()
    assert health["status"] == "ok" and health["plan"] == runtime.services.plan.id
    await runtime.stop()
    assert runtime._started == []
