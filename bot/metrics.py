"""``GET /metrics`` in the Prometheus text format, for the monitoring an IT office already runs.

Off unless ``METRICS_TOKEN`` is set, then only for requests bearing that token: the figures
name no person, but delivery failures and queue depth are nobody else's business.

Counters and histograms count what happened in this process (Prometheus adds the replicas
up; only the leader sends); the outbox figures are read from the database at each scrape,
so every replica reports the same queue. Families:

- ``agency_bot_messages_{sent,uncertain,failed,undeliverable}_total{channel,kind}``: outbox rows
  reaching that final state here (uncertain: handed over, no answer; never resent);
- ``agency_bot_outbox_depth{state}``: rows ``due`` now, ``scheduled`` later, ``sending``;
  ``agency_bot_outbox_oldest_due_age_seconds``: how long the oldest due row has waited;
- ``agency_bot_reminder_lateness_seconds``: from a reminder's due time to its delivery;
- ``agency_bot_questions_total{outcome}``: answered / fallback (the bot said it does not know);
- ``agency_bot_submissions_received_total``, ``agency_bot_submissions_refused_total{reason}``;
- ``agency_bot_webhook_request_seconds{channel,status}``: time to answer a webhook call;
- ``agency_bot_leader``: 1 in the process that leads.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from typing import Callable

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers.context import Services
from storage import outbox
from storage.models import OutgoingMessage

KINDS = ("reminder", "broadcast", "notice", "reply")
OUTCOMES = {outbox.SENT: "sent", outbox.UNCERTAIN: "uncertain", outbox.FAILED: "failed",
            outbox.UNDELIVERABLE: "undeliverable"}
WEBHOOKS = {"/telegram/webhook": "telegram", "/zalo/webhook": "zalo"}
LATENESS_BUCKETS = (1, 10, 60, 300, 900, 3600, 6 * 3600, 24 * 3600, 48 * 3600)


class OutboxCollector:
    """Queue depth and the oldest due row's wait, read from the store at scrape time."""

    def __init__(self, services: Services):
        self.services = services

    def describe(self):
        return []

    def collect(self):
        clock = self.services.clock
        now, M = clock.now(), OutgoingMessage
        with self.services.store.session() as s:
            due = s.execute(sa.select(sa.func.count(), sa.func.min(M.due_at))
                            .where(M.status == outbox.PENDING, M.due_at <= now)).one()
            scheduled = s.execute(sa.select(sa.func.count()).where(M.status == outbox.PENDING, M.due_at > now)).scalar()
            sending = s.execute(sa.select(sa.func.count()).where(M.status == outbox.SENDING)).scalar()
        depth = GaugeMetricFamily("agency_bot_outbox_depth", "Outbox rows by state: due now, scheduled later, "
                                  "being sent", labels=["state"])
        for state, value in (("due", due[0]), ("scheduled", scheduled), ("sending", sending)):
            depth.add_metric([state], float(value))
        yield depth
        oldest = due[1]  # UTCDateTime: aware
        yield GaugeMetricFamily("agency_bot_outbox_oldest_due_age_seconds",
                                "Seconds the oldest due outbox row has been waiting (0 when none)",
                                value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)


class Metrics:
    def __init__(self, services: Services, channels: list[str], token: str, leading: Callable[[], bool]):
        self._token = token.encode()
        self.registry = r = CollectorRegistry(auto_describe=False)
        self.messages = {
            outcome: Counter(f"agency_bot_messages_{outcome}_total", f"Outgoing messages {outcome} here",
                             ["channel", "kind"], registry=r)
            for outcome in OUTCOMES.values()}
        for counter in self.messages.values():
            for channel in channels:
                for kind in KINDS:
                    counter.labels(channel, kind)  # present from the first scrape, at 0
        self.lateness = Histogram("agency_bot_reminder_lateness_seconds", "From a reminder's due time to its "
                                  "delivery (business clock)", buckets=LATENESS_BUCKETS, registry=r)
        self.questions = Counter("agency_bot_questions_total", "Questions, answered or fallen back", ["outcome"],
                                 registry=r)
        for outcome in ("answered", "fallback"):
            self.questions.labels(outcome)
        self.received = Counter("agency_bot_submissions_received_total", "Files accepted as submissions",
                                registry=r)
        self.refused = Counter("agency_bot_submissions_refused_total", "Files refused, by reason", ["reason"],
                               registry=r)
        self.webhooks = Histogram("agency_bot_webhook_request_seconds", "Time to answer a webhook call",
                                  ["channel", "status"], registry=r)
        Gauge("agency_bot_leader", "1 if this process leads (scheduler, sender, polling)",
              registry=r).set_function(lambda: 1.0 if leading() else 0.0)
        r.register(OutboxCollector(services))
        services.on("question_asked", lambda _s, matched, **_: self.questions.labels(
            "answered" if matched else "fallback").inc())
        services.on("submission_received", lambda _s, **_: self.received.inc())
        services.on("submission_refused", lambda _s, reason, **_: self.refused.labels(reason).inc())

    def on_final(self, row: OutgoingMessage) -> None:
        """The sender's listener: a row reached a final state."""
        outcome = OUTCOMES.get(row.status)
        if outcome is None:
            return
        self.messages[outcome].labels(row.channel or "?", row.kind).inc()
        if row.status == outbox.SENT and row.kind == "reminder" and row.sent_at is not None:
            self.lateness.observe(max(0.0, (row.sent_at - row.due_at).total_seconds()))

    def route(self) -> Route:
        async def metrics(request: Request) -> Response:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, b"Bearer " + self._token):
                return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
            body = await asyncio.to_thread(generate_latest, self.registry)  # the outbox figures query the store
            return Response(body, media_type=CONTENT_TYPE_LATEST)

        return Route("/metrics", metrics, methods=["GET"])

    def instrument(self, app: ASGIApp) -> ASGIApp:
        """Time the webhook calls answered by ``app``."""
        histogram = self.webhooks

        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            channel = WEBHOOKS.get(scope.get("path", "")) if scope["type"] == "http" else None
            if channel is None:
                await app(scope, receive, send)
                return
            started, status = time.perf_counter(), 500

            async def seen(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, seen)
            finally:
                histogram.labels(channel, str(status)).observe(time.perf_counter() - started)

        return timed
