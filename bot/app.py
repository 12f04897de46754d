"""The composition root: settings → store → plan → services → router → channels, sender, scheduler, HTTP.

Everything is wired here and only here; the parts know each other through the
small interfaces in ``handlers.context``, ``bot.channels.base`` and ``bot.delivery``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field

from bot.channels.base import Channel
from bot.clock import Clock
from bot.http import HttpServer, build_app
from bot.settings import Settings
from bot.startup import open_store
from handlers import build_router, subscribe_all
from handlers.context import Services
from handlers.router import Router
from messages.plan_loader import load_plan
from storage import units as unit_store

log = logging.getLogger("agency_bot")


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the store (migrating it), load the plan and build what handlers share."""
    from handlers.questions import build_engine
    from storage.files import FileStore

    store = open_store(settings)  # DATA_DIR writable, database reachable and migrated, or one sentence
    plan = load_plan(settings.plan_file)
    with store.session() as s:
        unit_store.sync_plan(s, plan)
    clock = clock or Clock(settings.tz, settings.bot_clock_start)
    services = Services(
        store=store,
        plan=plan,
        clock=clock,
        files=FileStore(settings.files_dir),
        staff_ids={
            "telegram": frozenset(str(i) for i in settings.staff_telegram_ids),
            "zalo": frozenset(settings.staff_zalo_ids),
        },
        max_file_bytes={
            "telegram": settings.telegram_max_file_mb * 1024 * 1024,
            "zalo": settings.zalo_max_file_mb * 1024 * 1024,
            "console": settings.telegram_max_file_mb * 1024 * 1024,
        },
        invite_days=settings.invite_days,
        web_url=settings.web_origin,
    )
    if settings.submission_notify_chat_id is not None:
        services.notify_submissions_to = ("telegram", str(settings.submission_notify_chat_id))
    _ensure_staff_people(services)
    services.questions = build_engine(services)
    subscribe_all(services)
    return services


def _ensure_staff_people(services: Services) -> None:
    """Staff listed in the settings get a person row, so notices can reach them before they write."""
    from storage import people

    with services.store.session() as s:
        for channel, ids in services.staff_ids.items():
            for external_id in ids:
                people.ensure(s, channel, external_id)


def build_channels(settings: Settings, services: Services, router: Router) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    if settings.telegram_enabled:
        from bot.channels.telegram import TelegramChannel

        channels["telegram"] = TelegramChannel(settings, services, router)
    if settings.zalo_enabled:
        from bot.channels.zalo import ZaloChannel

        channels["zalo"] = ZaloChannel(settings, services, router)
    for name, channel in channels.items():
        services.invite_links[name] = channel.invite_link
    return channels


@dataclass
class Runtime:
    """``agency-bot run``: every configured channel, the outbox sender, the scheduler and HTTP."""

    settings: Settings
    services: Services
    router: Router
    channels: dict[str, Channel]
    http: HttpServer | None = None
    sender: object = None
    scheduler: object = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _started: list = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None) -> "Runtime":
        from bot.scheduler import ReminderScheduler
        from bot.sender import OutboxSender

        services = build_services(settings, clock=clock)
        router = build_router()
        channels = build_channels(settings, services, router)
        runtime = cls(settings, services, router, channels)
        runtime.sender = OutboxSender(services, channels, settings)
        services.wake_outbox = runtime.sender.wake
        from handlers.broadcast_reports import reports_for

        runtime.sender.add_listener(reports_for(services))  # broadcast progress and summaries
        runtime.scheduler = ReminderScheduler(services, runtime.sender, settings)
        routes = [route for channel in channels.values() for route in channel.routes()]
        from bot.web import web_routes

        routes += web_routes(services, secure_cookies=settings.web_origin.startswith("https://"))
        runtime.http = HttpServer(build_app(routes, runtime.health), settings.http_host, settings.http_port)
        return runtime

    def health(self) -> dict:
        return {
            "status": "ok",
            "plan": self.services.plan.id,
            "channels": sorted(self.channels),
            "now": self.services.clock.now().isoformat(),
        }

    async def start(self) -> None:
        """HTTP first (a webhook must find its endpoint), then channels, sender, scheduler.
        Whatever started is remembered, so a failure half-way stops exactly that."""
        steps = [("http", self.http)]
        steps += [(f"channel {name}", channel) for name, channel in self.channels.items()]
        steps += [("sender", self.sender), ("scheduler", self.scheduler)]
        for name, part in steps:
            await part.start()
            self._started.append((name, part))
            if part is self.http and not self.settings.public_base_url:  # HTTP_PORT=0: the port just bound
                self.services.web_url = f"http://{self.settings.http_host}:{self.http.port}"
        log.info("agency-bot running: channels=%s http=%s:%s", sorted(self.channels) or "none",
                 self.settings.http_host, self.http.port)

    async def stop(self) -> None:
        """Stop taking webhooks first (Telegram and Zalo resend what we refuse), then the rest in
        reverse order; one part failing to stop does not keep the others running."""
        http = [(n, p) for n, p in self._started if p is self.http]
        others = [(n, p) for n, p in self._started if p is not self.http]
        for name, part in http + others[::-1]:
            try:
                await part.stop()
            except Exception:
                log.exception("stopping %s failed", name)
        self._started.clear()
        self.services.store.dispose()

    async def serve_forever(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._stop.set)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
                pass
        try:
            await self.start()
            await self._stop.wait()
        finally:
            await self.stop()

    def request_stop(self) -> None:
        self._stop.set()
