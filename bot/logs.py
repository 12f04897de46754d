"""Logging that never prints a token: known secrets and anything shaped like a bot token are masked."""

from __future__ import annotations

import logging
import re
import sys
from typing import Iterable

_TOKEN_SHAPES = re.compile(r"\d{6,12}:[A-Za-z0-9_-]{30,}|(?<=access_token=)[^&\s]+|(?<=refresh_token=)[^&\s]+")


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_SHAPES.sub("***", message)
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # request lines carry the bot token in the URL; keep them out even at INFO
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
