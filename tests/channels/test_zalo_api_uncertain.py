"""Zalo network failures: a message that may have reached Zalo is ``Uncertain`` (never resent);
one that certainly did not, and any upload, is ``ZaloTransient`` (retried)."""

from __future__ import annotations

import httpx
import pytest
from fakes.stalled_http import HANG_UP, SILENT, StalledServer, closed_port

from bot.channels.zalo_api import SEND_PATH, UPLOAD_FILE_PATH, ZaloApi, ZaloTransient
from bot.delivery import Uncertain


class Keeper:
    """The token side is not under test here: a fixed access token."""

    async def token(self) -> str:
        return "access-token"

    async def refresh(self, used: str) -> str:  # pragma: no cover - no token errors in these tests
        return "access-token"


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, read=0.3)) as client:
        yield client


def api(url: str, client: httpx.AsyncClient) -> ZaloApi:
    return ZaloApi(url, Keeper(), lambda: client)


TEXT = {"text": "Thông báo"}


async def test_a_message_left_without_an_answer_may_have_arrived(client):
    async with StalledServer(SILENT) as server:
        with pytest.raises(Uncertain, match="ReadTimeout"):
            await api(server.url, client).send("u1", TEXT)
        assert server.paths == [SEND_PATH]  # Zalo got it


async def test_a_message_whose_connection_dropped_before_the_answer_may_have_arrived(client):
    async with StalledServer(HANG_UP) as server:
        with pytest.raises(Uncertain, match="RemoteProtocolError"):
            await api(server.url, client).send("u1", TEXT)
        assert server.requests == 1


async def test_a_message_that_could_not_connect_is_retried(client):
    with pytest.raises(ZaloTransient, match="ConnectError") as caught:
        await api(f"http://127.0.0.1:{closed_port()}", client).send("u1", TEXT)
    assert not isinstance(caught.value, Uncertain)


async def test_an_upload_without_an_answer_is_retried_not_given_up(client, tmp_path):
    """An upload reaches no one: doing it again is harmless, so it never makes a row fail."""
    doc = tmp_path / "ke-hoach.pdf"
    doc.write_bytes(b"%PDF-1.4 test")
    for mode in (SILENT, HANG_UP):
        async with StalledServer(mode) as server:
            with pytest.raises(ZaloTransient) as caught:
                await api(server.url, client).upload_file(doc, doc.name)
            assert server.paths == [UPLOAD_FILE_PATH]
        assert not isinstance(caught.value, Uncertain)
