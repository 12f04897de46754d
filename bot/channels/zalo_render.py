"""Plain replies -> Zalo message bodies: 2,000-character parts, ``oa.query.show`` buttons, numbered options.

A tapped ``oa.query.show`` button comes back as an ordinary ``user_send_text``
whose text is the button's payload, so a payload must be recognisable and must
carry only the choice id (the meaning stays in the ``choice`` table): ``#c:<id>``.
"""

from __future__ import annotations

import re

from handlers.types import Option
from messages.texts import zalo as texts

TEXT_LIMIT = 2000  # longer texts fail with -210
MAX_BUTTONS = 5
BUTTON_TITLE_LIMIT = 100
CHOICE_PREFIX = "#c:"
_CHOICE = re.compile(r"^#c:([A-Za-z0-9_-]{1,64})$")


def zlen(text: str) -> int:
    """Length as Zalo counts it (UTF-16 units: an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most ``limit``, cut at paragraph, then line, then word boundaries."""
    text = text.strip()
    if not text:
        return []
    return [p for p in _split(text, limit, ("\n\n", "\n", " ")) if p.strip()]


def _split(text: str, limit: int, seps: tuple[str, ...]) -> list[str]:
    if zlen(text) <= limit:
        return [text]
    if not seps:
        return _hard_cut(text, limit)
    sep, rest = seps[0], seps[1:]
    parts: list[str] = []
    current = ""
    for piece in text.split(sep):
        candidate = piece if not current else current + sep + piece
        if zlen(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if zlen(piece) <= limit:
            current = piece
        else:
            sub = _split(piece, limit, rest)
            parts.extend(sub[:-1])
            current = sub[-1]
    if current:
        parts.append(current)
    return [p.strip("\n") if sep != " " else p.strip() for p in parts]


def _hard_cut(text: str, limit: int) -> list[str]:
    parts, current = [], ""
    for ch in text:
        if zlen(current + ch) > limit:
            parts.append(current)
            current = ""
        current += ch
    if current:
        parts.append(current)
    return parts


def payload_for(option: Option) -> str:
    return CHOICE_PREFIX + option.choice_id


def choice_from_payload(text: str | None) -> str | None:
    """The choice id in a tapped button's payload, if ``text`` is one."""
    if not text:
        return None
    match = _CHOICE.match(text.strip())
    return match.group(1) if match else None


def _title(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= BUTTON_TITLE_LIMIT else label[: BUTTON_TITLE_LIMIT - 1] + "\u2026"


def buttons(options: list[Option]) -> dict:
    return {"type": "template", "payload": {"buttons": [
        {"title": _title(o.label), "type": "oa.query.show", "payload": payload_for(o)} for o in options
    ]}}


def numbered(options: list[Option]) -> str:
    lines = [texts.OPTION_LINE.format(n=i, label=o.label) for i, o in enumerate(options, 1)]
    return "\n".join([*lines, texts.OPTIONS_HINT])


def text_messages(text: str, options: list[Option]) -> list[dict]:
    """The ``message`` objects for a text with options: buttons on the last part, or numbered lines."""
    use_buttons = 0 < len(options) <= MAX_BUTTONS
    body = text.strip()
    if options and not use_buttons:
        body = f"{body}\n\n{numbered(options)}" if body else numbered(options)
    parts = split_text(body)
    if not parts and use_buttons:
        parts = ["\u2026"]
    messages = [{"text": part} for part in parts]
    if use_buttons:
        messages[-1]["attachment"] = buttons(options)
    return messages
