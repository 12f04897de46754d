"""A loopback HTTP server that reads whole requests and then never answers, or hangs up.

It makes the network failures that matter for "never sent twice" real rather than mocked:
the request has fully reached the server, and the client gets a read timeout (``SILENT``) or
a connection closed before any answer (``HANG_UP``, httpx's ``RemoteProtocolError``).

    async with StalledServer(HANG_UP) as server:
        await client.post(server.url + "/anything", json={...})   # raises RemoteProtocolError
        assert server.requests == 1                               # it did arrive

``closed_port()`` is a loopback port nothing listens on (connection refused: nothing arrived).
"""

from __future__ import annotations

import asyncio
import socket

SILENT, HANG_UP = "silent", "hang_up"


class StalledServer:
    def __init__(self, mode: str = SILENT):
        self.mode = mode
        self.requests = 0  # complete requests received
        self.paths: list[str] = []
        self._server: asyncio.AbstractServer | None = None
        self._release = asyncio.Event()

    @property
    def url(self) -> str:
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> "StalledServer":
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._release.set()
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            self.requests += 1
            self.paths.append(lines[0].split(" ")[1] if " " in lines[0] else lines[0])
            if self.mode == SILENT:
                await self._release.wait()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def closed_port() -> int:
    """A loopback port that refuses connections (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
