"""Logging that never prints a token: known secrets and anything shaped like a bot token are masked.

``LOG_FORMAT=json`` writes one JSON object per line for log shippers: time, level, logger,
message, the ``key=value`` fields the bot's messages carry (``row=42 kind=reminder``) and any
``extra=`` attributes, as fields of their own; a traceback goes in ``exception``. The same
masking applies to every value.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import datetime, timezone
from typing import Iterable

_TOKEN_SHAPES = re.compile(r"\d{6,12}:[A-Za-z0-9_-]{30,}|(?<=access_token=)[^&\s]+|(?<=refresh_token=)[^&\s]+")


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the whole formatted record, tracebacks included (an exception's
    message may quote a URL with the bot token in it)."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()):
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        text = _TOKEN_SHAPES.sub("***", text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


_FIELD = re.compile(r"(?<![\w.])([a-z][a-z0-9_]{0,30})=([^\s,;]+)")
_RECORD_KEYS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_OWN_KEYS = ("time", "level", "logger", "message", "exception")


class JsonFormatter(RedactingFormatter):
    """One JSON object per record (see the module docstring)."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        message = self.redact(record.getMessage())
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": message,
        }
        for key, value in _FIELD.findall(message):
            if key not in _OWN_KEYS:
                entry.setdefault(key, value.rstrip(".:)"))
        for key, value in vars(record).items():
            if key not in _RECORD_KEYS and key not in _OWN_KEYS:
                entry[key] = value if isinstance(value, (int, float, bool)) or value is None \
                    else self.redact(str(value))
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        elif record.stack_info:
            entry["exception"] = self.redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO", secrets: Iterable[str] = (), fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets) if fmt == "json" else
                         RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # request lines carry the bot token in the URL; keep them out even at INFO
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class RefusalLog:
    """Refused unauthenticated calls, logged without letting a caller fill the disk: the first
    refusal of each reason at once, then at most one line per reason per ``interval`` seconds
    carrying how many were refused in between (anyone can call a webhook 2,000 times)."""

    def __init__(self, logger: logging.Logger, what: str, interval: float = 60.0, clock=time.monotonic):
        self.logger, self.what, self.interval, self._clock = logger, what, interval, clock
        self._next: dict[str, float] = {}  # reason -> when it may be logged again
        self._held: dict[str, int] = {}  # reason -> refusals not yet logged

    def refused(self, reason: str) -> None:
        now = self._clock()
        if now < self._next.get(reason, 0.0):
            self._held[reason] = self._held.get(reason, 0) + 1
            return
        held = self._held.pop(reason, 0)
        self._next[reason] = now + self.interval
        if held:
            self.logger.warning("%s refused: %s (and %d more since the last report)", self.what, reason, held)
        else:
            self.logger.warning("%s refused: %s", self.what, reason)
