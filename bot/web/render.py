"""Jinja2 for the web pages: autoescaping on, the Vietnamese words from ``messages/texts/web.py``
(``t``), dates as dd/mm/yyyy in the bot's time zone."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from handlers.formatting import due_text, fmt_size
from messages.texts import web as texts
from messages.vntext import fmt_date, fmt_datetime

TEMPLATES = Path(__file__).with_name("templates")


def environment(tz, plan) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)

    def local_datetime(value: datetime | None) -> str:
        return fmt_datetime(value.astimezone(tz)) if value is not None else ""

    def local_date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        return fmt_date(value.astimezone(tz) if isinstance(value, datetime) else value)

    env.filters.update(datetime=local_datetime, date=local_date, size=fmt_size, level=plan.level_name, due=due_text,
                       channel=lambda c: texts.CHANNEL.get(c or "", c or ""))
    env.globals.update(t=texts)
    return env


def render(env: Environment, template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
