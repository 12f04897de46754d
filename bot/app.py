"""The composition root: settings → store → plan → services → router → channels, leadership, sender, scheduler, HTTP.

Everything is wired here and only here; the parts know each other through the
small interfaces in ``handlers.context``, ``bot.channels.base`` and ``bot.delivery``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from datetime import datetime, timezone

from bot.channels.base import Channel
from bot.clock import Clock
from bot.http import HttpServer, build_app
from bot.settings import Settings
from bot.startup import open_store
from handlers import build_router, subscribe_all
from handlers.context import Services
from handlers.router import Router
from messages.plan_loader import load_plan
from storage import clock_anchor
from storage import units as unit_store

log = logging.getLogger("agency_bot")


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the store (migrating it), load the plan and build what handlers share."""
    from handlers.questions import build_engine
    from storage.files import FileStore

    store = open_store(settings)  # DATA_DIR writable, database reachable and migrated, or one sentence
    plan = load_plan(settings.plan_file)
    start = settings.bot_clock_start
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=settings.tz)
    with store.exclusive("start-up"), store.session() as s:  # processes starting together take turns
        unit_store.sync_plan(s, plan)
        began = clock_anchor.real_start(s, start, datetime.now(timezone.utc)) if clock is None and start else None
    clock = clock or Clock(settings.tz, start, started_at=began)
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
    with store.exclusive("start-up"):
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

        channels["telegram"] = TelegramChannel(settings, services, router, poll_on_start=False)  # leader's duty
    if settings.zalo_enabled:
        from bot.channels.zalo import ZaloChannel

        channels["zalo"] = ZaloChannel(settings, services, router)
    for name, channel in channels.items():
        services.invite_links[name] = channel.invite_link
    return channels


@dataclass
class Runtime:
    """``agency-bot run``: every configured channel and HTTP in every process; the outbox sender, the
    scheduler and Telegram polling in the one that leads (``bot.leader``)."""

    settings: Settings
    services: Services
    router: Router
    channels: dict[str, Channel]
    leadership: object = None
    http: HttpServer | None = None
    sender: object = None
    scheduler: object = None
    metrics: object = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _started: list = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None) -> "Runtime":
        from bot.claimers import Claimer
        from bot.health import health_route
        from bot.scheduler import ReminderScheduler
        from bot.sender import OutboxSender
        from handlers.broadcast_reports import reports_for

        sole = _sole_leadership(settings)  # SQLite: refused here, before anything is touched
        try:
            services = build_services(settings, clock=clock)
            leadership = sole or _pg_leadership(services.store)
        except BaseException:
            if sole is not None:
                sole.release()
            raise
        router = build_router()
        channels = build_channels(settings, services, router)
        runtime = cls(settings, services, router, channels, leadership)
        runtime.sender = OutboxSender(services, channels, settings,
                                      claimer=Claimer(leadership.instance, leadership.alive_elsewhere),
                                      gate=lambda: leadership.leading)
        services.wake_outbox = runtime.wake
        runtime.sender.add_listener(reports_for(services))  # broadcast progress and summaries
        runtime.scheduler = ReminderScheduler(services, runtime.sender, settings)
        routes = [health_route(services.store, runtime.health)]
        if settings.metrics_token is not None:
            from bot.metrics import Metrics

            runtime.metrics = Metrics(services, sorted(channels), settings.metrics_token.get_secret_value(),
                                      lambda: leadership.leading)
            runtime.sender.add_listener(runtime.metrics.on_final)
            routes.append(runtime.metrics.route())
        routes += [route for channel in channels.values() for route in channel.routes()]
        from bot.web import web_routes

        routes += web_routes(services, secure_cookies=settings.web_origin.startswith("https://"))
        app = build_app(routes)
        if runtime.metrics is not None:
            app = runtime.metrics.instrument(app)
        runtime.http = HttpServer(app, settings.http_host, settings.http_port)
        return runtime

    def health(self) -> dict:
        return {
            "role": self.leadership.role,
            "plan": self.services.plan.id,
            "channels": sorted(self.channels),
            "now": self.services.clock.now().isoformat(),
        }

    def wake(self) -> None:
        """New outbox rows: wake the sender here if this process leads, else the leader's."""
        if self.leadership.leading:
            self.sender.wake()
        else:
            self.leadership.wake_leader()

    async def start(self) -> None:
        """HTTP first (a webhook must find its endpoint), then channels, then the bid for leadership,
        whose duties (sender, scheduler, polling) start when it is won. Whatever started is remembered,
        so a failure half-way stops exactly that."""
        steps = [("http", self.http)]
        steps += [(f"channel {name}", channel) for name, channel in self.channels.items()]
        for name, part in steps:
            await part.start()
            self._started.append((name, part))
            if part is self.http and not self.settings.public_base_url:  # HTTP_PORT=0: the port just bound
                self.services.web_url = f"http://{self.settings.http_host}:{self.http.port}"
        await self.leadership.start(self._lead, self._follow, on_wake=self.sender.wake)
        log.info("agency-bot running: channels=%s http=%s:%s role=%s", sorted(self.channels) or "none",
                 self.settings.http_host, self.http.port, self.leadership.role)

    async def _lead(self) -> None:
        """Start what is not running yet (a failed attempt is tried again by ``bot.leader``)."""
        steps = [] if self.sender.running else [self.sender.start]
        steps += [] if self.scheduler.running else [self.scheduler.start]
        steps += [channel.start_leading for channel in self.channels.values() if hasattr(channel, "start_leading")]
        for step in steps:
            if not self.leadership.leading:  # lost on the way: the hand-over follows
                return
            await step()

    async def _follow(self) -> None:
        steps = [channel.stop_leading for channel in self.channels.values() if hasattr(channel, "stop_leading")]
        for step in [*steps, self.scheduler.stop, self.sender.stop]:
            try:
                await step()
            except Exception:
                log.exception("handing over failed at %s", getattr(step, "__qualname__", step))

    async def stop(self) -> None:
        """Stop taking webhooks first (Telegram and Zalo resend what we refuse), then hand the leader's
        work over (in-flight sends finish, the lock goes), then the rest in reverse order; one part
        failing to stop does not keep the others running."""
        http = [(n, p) for n, p in self._started if p is self.http]
        others = [(n, p) for n, p in self._started if p is not self.http]
        for name, part in [*http, ("leadership", self.leadership), *others[::-1]]:
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


def _sole_leadership(settings: Settings):
    """SQLite: the data directory's run lock, or one sentence if another process holds it."""
    if not settings.resolved_database_url().startswith("sqlite"):
        return None
    from bot.leader import SoleLeadership
    from bot.settings import SettingsError
    from messages.texts import operations as texts

    return SoleLeadership(settings.data_dir / "agency-bot.run.lock",
                          lambda path: SettingsError(texts.ALREADY_RUNNING.format(path=settings.data_dir.resolve())))


def _pg_leadership(store: Store):
    from bot.leader import PgLeadership

    return PgLeadership(store)
