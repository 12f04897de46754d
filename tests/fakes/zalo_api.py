"""A fake Zalo OA Open API + OAuth v4 server on loopback, and a client that posts signed webhooks.

It speaks the real shapes over real HTTP, so the bot runs its real channel against it
through ``ZALO_API_BASE_URL`` / ``ZALO_OAUTH_BASE_URL`` (both point at this one server):

    from fakes.zalo_api import FakeZalo, Webhook

    async with FakeZalo() as fake:                        # uvicorn on 127.0.0.1:<free port>
        access, refresh = fake.issue_pair()               # the pair an operator would put in the env
        settings = Settings(zalo_app_id=fake.app_id, zalo_app_secret=fake.app_secret, ...,
                            zalo_api_base_url=fake.url, zalo_oauth_base_url=fake.url)
        hook = Webhook(bot_url, fake.app_id, fake.oa_secret_key, now_ms)
        await hook.post(hook.text("u1", "dangky ABC"))    # signed like Zalo: mac=sha256(app_id+body+ts+key)

API       ``POST /v3.0/oa/message/cs`` (header ``access_token``; JSON ``recipient.user_id`` + ``message``:
          text <= 2000 chars else -210, ``template`` buttons <= 5 of known types, ``file`` with an
          uploaded token); ``POST /v2.0/oa/upload/file`` (multipart ``file``: PDF/DOC/DOCX <= 5 MB,
          answers ``data.token``). A bad or expired access token answers ``error -216``.
OAuth     ``POST /v4/oa/access_token`` (header ``secret_key``, form ``app_id``, ``grant_type=refresh_token``,
          ``refresh_token``): rotates the pair; the refresh token is single-use, and a reused or unknown
          one answers ``error -14014`` (recorded in ``reused_refresh``). ``expires_in`` is a quoted string.
Files     ``add_file(name, content)`` serves ``GET /files/<name>`` (``file_url(name)``, hits in ``file_hits``);
          ``GET /redirect?to=URL`` answers 302 to ``URL``. ``hold_files()`` makes file downloads wait
          (``files_waiting`` counts them) until ``release_files()``: a user's slow upload.
Records   ``sent`` (accepted messages: ``Sent(user_id, message, access_token)``), ``texts(user_id)``,
          ``calls`` (every API request), ``uploads``, ``refreshes`` (accepted), ``reused_refresh``.
Faults    ``expire_access_tokens()``; ``fail(code, message, user_id=None, times=1)`` answers a Zalo error
          code to sends (``times=None``: until ``clear_faults()``); ``fail_http(status, times=1)``;
          ``reject_refresh = True`` refuses every refresh; ``fail_oauth(status, body, content_type=...)``
          answers the next refresh with anything (an HTML page, a 404, an unknown error) without
          spending the refresh token; ``oauth_latency`` delays every OAuth answer.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import hashlib
import itertools
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.http import HttpServer

BUTTON_TYPES = {"oa.open.url", "oa.query.show", "oa.query.hide", "oa.open.sms", "oa.open.phone"}
UPLOAD_TYPES = {"pdf", "doc", "docx"}
UPLOAD_MAX = 5 * 1024 * 1024


@dataclass
class Sent:
    user_id: str
    message: dict
    access_token: str

    @property
    def text(self) -> str | None:
        return self.message.get("text")

    @property
    def buttons(self) -> list[dict]:
        attachment = self.message.get("attachment") or {}
        if attachment.get("type") != "template":
            return []
        return list((attachment.get("payload") or {}).get("buttons") or [])

    @property
    def file_token(self) -> str | None:
        attachment = self.message.get("attachment") or {}
        return (attachment.get("payload") or {}).get("token") if attachment.get("type") == "file" else None


@dataclass
class Call:
    path: str
    headers: dict
    body: Any
    answer: dict | None
    status: int = 200


@dataclass
class Fault:
    code: int
    message: str
    user_id: str | None
    times: int | None


@dataclass
class FakeZalo:
    app_id: str = "3608465249409039670"
    app_secret: str = field(default_factory=lambda: "appsecret-" + secrets.token_hex(8))
    oa_secret_key: str = field(default_factory=lambda: "oasecret-" + secrets.token_hex(8))
    expires_in: str = "90000"  # Zalo sends it quoted
    invalidate_old_access: bool = True  # a refresh retires the previous access token
    oauth_latency: float = 0.0  # seconds before the OAuth server answers (a race needs time to happen)

    def __post_init__(self) -> None:
        self.server: HttpServer | None = None
        self.sent: list[Sent] = []
        self.calls: list[Call] = []
        self.uploads: list[dict] = []
        self.refreshes: list[dict] = []
        self.reused_refresh: list[str] = []
        self.files: dict[str, bytes] = {}
        self.file_hits: list[str] = []  # names fetched from the file host
        self.valid_access: set[str] = set()
        self.current_refresh: str | None = None
        self.spent_refresh: set[str] = set()
        self.upload_tokens: set[str] = set()
        self.faults: list[Fault] = []
        self.http_faults: list[int] = []
        self.reject_refresh = False
        self.oauth_faults: list[tuple[int, bytes, str]] = []
        self.file_gate: asyncio.Event | None = None
        self.files_waiting = 0
        self._ids = itertools.count(1)

    # ---- lifecycle --------------------------------------------------------------
    async def __aenter__(self) -> "FakeZalo":
        app = Starlette(routes=[
            Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
            Route("/v2.0/oa/upload/file", self._upload, methods=["POST"]),
            Route("/v4/oa/access_token", self._oauth, methods=["POST"]),
            Route("/files/{name}", self._file, methods=["GET"]),
            Route("/redirect", self._redirect, methods=["GET"]),
        ])
        self.server = HttpServer(app, "127.0.0.1", 0)
        await self.server.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.server is not None:
            await self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    # ---- tokens ---------------------------------------------------------------------
    def issue_pair(self) -> tuple[str, str]:
        """A fresh pair, as after an operator re-authorises the app (older refresh tokens stop working)."""
        access, refresh = "AT-" + secrets.token_urlsafe(16), "RT-" + secrets.token_urlsafe(16)
        if self.current_refresh:
            self.spent_refresh.add(self.current_refresh)
        self.valid_access.add(access)
        self.current_refresh = refresh
        return access, refresh

    def expire_access_tokens(self) -> None:
        self.valid_access.clear()

    # ---- faults -----------------------------------------------------------------------
    def fail(self, code: int, message: str = "error", *, user_id: str | None = None, times: int | None = 1) -> None:
        self.faults.append(Fault(code, message, user_id, times))

    def fail_http(self, status: int, times: int = 1) -> None:
        self.http_faults.extend([status] * times)

    def fail_oauth(self, status: int, body: Any, *, content_type: str = "application/json", times: int = 1) -> None:
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if not isinstance(body, str)
                                                    else body.encode())
        self.oauth_faults.extend([(status, raw, content_type)] * times)

    def clear_faults(self) -> None:
        self.faults.clear()
        self.http_faults.clear()

    def _fault_for(self, user_id: str | None) -> Fault | None:
        for fault in self.faults:
            if fault.user_id is None or fault.user_id == user_id:
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    # ---- files ------------------------------------------------------------------------
    def add_file(self, name: str, content: bytes) -> str:
        self.files[name] = content
        return self.file_url(name)

    def file_url(self, name: str) -> str:
        return f"{self.url}/files/{name}"

    def hold_files(self) -> None:
        self.file_gate = asyncio.Event()

    def release_files(self) -> None:
        if self.file_gate is not None:
            self.file_gate.set()

    async def files_stuck(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` downloads are waiting at the gate."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.files_waiting < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} downloads waiting, got {self.files_waiting}")
            await asyncio.sleep(0.01)

    async def _file(self, request: Request) -> Response:
        self.file_hits.append(request.path_params["name"])
        if self.file_gate is not None and not self.file_gate.is_set():
            self.files_waiting += 1
            try:
                await self.file_gate.wait()
            finally:
                self.files_waiting -= 1
        content = self.files.get(request.path_params["name"])
        if content is None:
            return Response(status_code=404)
        return Response(content, media_type="application/octet-stream")

    async def _redirect(self, request: Request) -> Response:
        return Response(status_code=302, headers={"location": request.query_params["to"]})

    # ---- records ----------------------------------------------------------------------
    def texts(self, user_id: str | None = None) -> list[str]:
        return [s.text for s in self.sent if s.text is not None and (user_id is None or s.user_id == user_id)]

    def to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.user_id == user_id]

    async def wait_for(self, count: int, user_id: str | None = None, timeout: float = 5.0) -> list[Sent]:
        """Wait until at least ``count`` messages were accepted (for ``user_id``)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            got = self.to(user_id) if user_id else list(self.sent)
            if len(got) >= count:
                return got
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} messages, got {len(got)}: {[s.message for s in got]}")
            await asyncio.sleep(0.01)

    # ---- endpoints ----------------------------------------------------------------------
    def _answer(self, path: str, request: Request, body: Any, answer: dict, status: int = 200) -> JSONResponse:
        self.calls.append(Call(path, dict(request.headers), body, answer, status))
        return JSONResponse(answer, status_code=status)

    def _token_ok(self, request: Request) -> str | None:
        token = request.headers.get("access_token")
        return token if token in self.valid_access else None

    async def _send(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return self._answer("send", request, raw, {"error": -201, "message": "Body is not valid JSON"})
        if self.http_faults:
            status = self.http_faults.pop(0)
            return self._answer("send", request, body, {"error": -1, "message": "http fault"}, status)
        token = self._token_ok(request)
        if token is None:
            return self._answer("send", request, body, {"error": -216, "message": "Access token is invalid"})
        user_id = (body.get("recipient") or {}).get("user_id") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(user_id, str) or not user_id or not isinstance(message, dict) or not message:
            return self._answer("send", request, body, {"error": -201, "message": "Parameters are invalid"})
        problem = self._check_message(message)
        if problem is not None:
            return self._answer("send", request, body, {"error": problem[0], "message": problem[1]})
        fault = self._fault_for(user_id)
        if fault is not None:
            return self._answer("send", request, body, {"error": fault.code, "message": fault.message})
        self.sent.append(Sent(user_id, message, token))
        data = {"message_id": f"m{next(self._ids)}", "user_id": user_id,
                "quota": {"quota_type": "reply", "remain": "7", "total": "8"}}
        return self._answer("send", request, body, {"error": 0, "message": "Success", "data": data})

    def _check_message(self, message: dict) -> tuple[int, str] | None:
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or len(text.encode("utf-16-le")) // 2 > 2000):
            return -210, "Parameter exceeds maximum length"
        attachment = message.get("attachment")
        if attachment is None:
            return None if text else (-201, "Message is empty")
        kind = attachment.get("type")
        payload = attachment.get("payload") or {}
        if kind == "template":
            buttons = payload.get("buttons")
            if not isinstance(buttons, list) or not buttons or len(buttons) > 5:
                return -201, "Buttons are invalid"
            for button in buttons:
                if button.get("type") not in BUTTON_TYPES or not button.get("title") or "payload" not in button:
                    return -201, "Button is invalid"
            return None if text else (-201, "Template needs a text")
        if kind == "file":
            return None if payload.get("token") in self.upload_tokens else (-201, "File token is invalid")
        return -201, f"Unsupported attachment {kind}"

    async def _upload(self, request: Request) -> Response:
        raw = await request.body()
        if self._token_ok(request) is None:
            return self._answer("upload", request, None, {"error": -216, "message": "Access token is invalid"})
        parts = _multipart(request.headers.get("content-type", ""), raw)
        file = parts.get("file")
        if file is None:
            return self._answer("upload", request, None, {"error": -201, "message": "No file"})
        name, content = file
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in UPLOAD_TYPES:
            return self._answer("upload", request, {"name": name}, {"error": -210, "message": "File type not supported"})
        if len(content) > UPLOAD_MAX:
            return self._answer("upload", request, {"name": name}, {"error": -210, "message": "File exceeds 5MB"})
        token = "FT-" + secrets.token_urlsafe(12)
        self.upload_tokens.add(token)
        self.uploads.append({"name": name, "content": content, "token": token})
        return self._answer("upload", request, {"name": name, "size": len(content)},
                            {"error": 0, "message": "Success", "data": {"token": token}})

    async def _oauth(self, request: Request) -> Response:
        form = dict(_form(await request.body()))
        if self.oauth_latency:
            await asyncio.sleep(self.oauth_latency)
        if self.oauth_faults:
            status, raw, content_type = self.oauth_faults.pop(0)
            self.calls.append(Call("oauth", dict(request.headers), _masked(form), None, status))
            return Response(raw, status_code=status, media_type=content_type)
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return self._answer("oauth", request, _masked(form), {"error": -14002, "error_name": "Invalid app"})
        if form.get("grant_type") != "refresh_token" or not form.get("refresh_token"):
            return self._answer("oauth", request, _masked(form), {"error": -14001, "error_name": "Invalid params"})
        presented = form["refresh_token"]
        if self.reject_refresh or presented != self.current_refresh:
            if presented in self.spent_refresh:
                self.reused_refresh.append(presented)
            return self._answer("oauth", request, _masked(form),
                                {"error": -14014, "error_name": "Invalid refresh token",
                                 "error_reason": "refresh token is invalid or was used",
                                 "error_description": "Invalid refresh token"})
        self.spent_refresh.add(presented)
        if self.invalidate_old_access:
            self.valid_access.clear()
        self.current_refresh = None
        access, refresh = self.issue_pair()
        self.refreshes.append({"old": presented, "access_token": access, "refresh_token": refresh})
        return self._answer("oauth", request, _masked(form),
                            {"access_token": access, "refresh_token": refresh, "expires_in": self.expires_in})


def _form(raw: bytes) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(raw.decode("utf-8"), keep_blank_values=True)


def _masked(form: dict) -> dict:
    return {k: (v if k != "refresh_token" else v[:6] + "...") for k, v in form.items()}


def _multipart(content_type: str, raw: bytes) -> dict[str, tuple[str, bytes]]:
    """name -> (filename, bytes) for a multipart/form-data body (the stdlib email parser does the work)."""
    if "multipart/form-data" not in content_type:
        return {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename() or ""
        parts[name] = (filename, part.get_payload(decode=True) or b"")
    return parts


# ---- webhooks: what Zalo POSTs to the bot ------------------------------------------------------
def signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()).hexdigest()


class Webhook:
    """Builds Zalo's webhook bodies and posts them signed to the bot, like Zalo does."""

    def __init__(self, url: str, app_id: str, oa_secret_key: str, now_ms, oa_id: str = "388613280878808645"):
        self.url = url
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.now_ms = now_ms  # () -> int: the sender's clock
        self.oa_id = oa_id
        self._ids = itertools.count(1)

    def _base(self, event: str, ts: int | None) -> dict:
        return {"app_id": self.app_id, "event_name": event, "timestamp": str(ts if ts is not None else self.now_ms())}

    def msg_id(self) -> str:
        return hashlib.md5(f"{id(self)}-{next(self._ids)}".encode()).hexdigest()

    def text(self, user_id: str, text: str, *, msg_id: str | None = None, ts: int | None = None) -> dict:
        body = self._base("user_send_text", ts)
        body.update({"sender": {"id": user_id}, "recipient": {"id": self.oa_id},
                     "user_id_by_app": "55" + user_id[-6:],
                     "message": {"text": text, "msg_id": msg_id or self.msg_id()}})
        return body

    def file(self, user_id: str, url: str, name: str, size: int, *, file_type: str | None = None,
             msg_id: str | None = None, ts: int | None = None) -> dict:
        body = self._base("user_send_file", ts)
        payload = {"url": url, "name": name, "size": str(size), "checksum": hashlib.md5(url.encode()).hexdigest(),
                   "type": file_type or name.rsplit(".", 1)[-1]}
        body.update({"sender": {"id": user_id}, "recipient": {"id": self.oa_id},
                     "message": {"attachments": [{"type": "file", "payload": payload}],
                                 "msg_id": msg_id or self.msg_id()}})
        return body

    def image(self, user_id: str, url: str, *, text: str = "", msg_id: str | None = None,
              ts: int | None = None) -> dict:
        body = self._base("user_send_image", ts)
        body.update({"sender": {"id": user_id}, "recipient": {"id": self.oa_id},
                     "message": {"text": text, "msg_id": msg_id or self.msg_id(),
                                 "attachments": [{"type": "image", "payload": {"thumbnail": url, "url": url}}]}})
        return body

    def follow(self, user_id: str, *, ts: int | None = None) -> dict:
        body = self._base("follow", ts)
        body.update({"oa_id": self.oa_id, "follower": {"id": user_id}, "source": "oa_profile",
                     "user_id_by_app": "55" + user_id[-6:]})
        return body

    def unfollow(self, user_id: str, *, ts: int | None = None) -> dict:
        body = self.follow(user_id, ts=ts)
        body["event_name"] = "unfollow"
        return body

    def oa_echo(self, user_id: str, text: str, *, ts: int | None = None) -> dict:
        body = self._base("oa_send_text", ts)
        body.update({"sender": {"id": self.oa_id}, "recipient": {"id": user_id},
                     "message": {"text": text, "msg_id": self.msg_id()}})
        return body

    async def post(self, body: dict, *, sign: bool = True, mac: str | None = None,
                   raw: bytes | None = None) -> httpx.Response:
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"content-type": "application/json"}
        if mac is not None:
            headers["X-ZEvent-Signature"] = mac
        elif sign:
            headers["X-ZEvent-Signature"] = signature(self.app_id, data, str(body.get("timestamp", "")),
                                                      self.oa_secret_key)
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(self.url, content=data, headers=headers)


# ---- the bot side: a real ZaloChannel on a real HTTP endpoint, wired to a FakeZalo -----------------
def zalo_settings(fake: FakeZalo, data_dir, access: str | None, refresh: str, **overrides):
    """Settings for a bot that talks to ``fake`` (files only from loopback, as in tests)."""
    from bot.settings import Settings

    values = dict(
        zalo_app_id=fake.app_id, zalo_app_secret=fake.app_secret, zalo_oa_secret_key=fake.oa_secret_key,
        zalo_oa_access_token=access, zalo_oa_refresh_token=refresh, zalo_api_base_url=fake.url,
        zalo_oauth_base_url=fake.url, zalo_file_hosts=["127.0.0.1"], staff_zalo_ids=["z-staff"],
        data_dir=data_dir, http_port=0,
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class ZaloRig:
    """A ZaloChannel serving its routes on loopback, and a Webhook that posts to it."""

    fake: FakeZalo
    settings: Any
    services: Any
    router: Any
    channel: Any = None
    http: HttpServer | None = None
    hook: Webhook | None = None

    async def __aenter__(self) -> "ZaloRig":
        from bot.channels.zalo import ZaloChannel
        from bot.http import build_app

        self.channel = ZaloChannel(self.settings, self.services, self.router)
        self.services.invite_links["zalo"] = self.channel.invite_link
        self.http = HttpServer(build_app(self.channel.routes(), lambda: {"status": "ok"}), "127.0.0.1", 0)
        await self.http.start()
        self.channel.links.base_url = self.base_url
        await self.channel.start()
        clock = self.services.clock
        self.hook = Webhook(self.base_url + "/zalo/webhook", self.fake.app_id, self.fake.oa_secret_key,
                            lambda: int(clock.real_now().timestamp() * 1000))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.channel.stop()
        await self.http.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http.port}"

    async def post(self, body: dict, **kw) -> httpx.Response:
        """Post one event and wait until the bot has handled it."""
        response = await self.hook.post(body, **kw)
        await self.channel.settle()
        return response

    async def say(self, user_id: str, text: str) -> list[Sent]:
        """A user writes; returns what the bot sent them in answer."""
        before = len(self.fake.to(user_id))
        response = await self.post(self.hook.text(user_id, text))
        assert response.status_code == 200, response.text
        return self.fake.to(user_id)[before:]

    @staticmethod
    def joined(sent: list[Sent]) -> str:
        return "\n".join(s.text or "" for s in sent)
