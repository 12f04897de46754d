"""Logging that never prints a token: known secrets and anything shaped like a bot token are masked."""

from __future__ import annotations

import logging
import re
import sys
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


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # request lines carry the bot token in the URL; keep them out even at INFO
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
