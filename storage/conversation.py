"""Buttons on offer and what the bot waits for from each person (both survive restarts)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.models import Choice, ConversationState, utcnow

CHOICE_TTL = timedelta(days=30)  # a button older than this answers "no longer valid"


def offer(session: Session, person_id: int, action: str, payload: dict[str, Any] | None = None) -> str:
    """Store a choice and return its id (short, ASCII: fits Telegram's 64-byte callback data)."""
    choice_id = secrets.token_urlsafe(9)
    session.add(Choice(id=choice_id, person_id=person_id, action=action, payload=payload or {}))
    session.commit()
    return choice_id


def group(session: Session, choice_ids: list[str]) -> None:
    """Tie the buttons of one reply together: spending one spends them all."""
    if len(choice_ids) > 1:
        session.execute(sa.update(Choice).where(Choice.id.in_(choice_ids)).values(group_id=choice_ids[0]))
        session.commit()


def get_choice(session: Session, choice_id: str, person_id: int, now: datetime | None = None) -> Choice | None:
    """A live choice offered to this person (someone else's id, or an old one, yields nothing)."""
    choice = session.get(Choice, choice_id)
    if choice is None or choice.person_id != person_id:
        return None
    if choice.created_at < (now or utcnow()) - CHOICE_TTL:
        return None
    return choice


def mark_used(session: Session, choice: Choice) -> bool:
    """Spend a one-shot choice and the others offered with it; False if already spent (a double
    tap, or a second button of the same set)."""
    now = utcnow()
    result = session.execute(
        sa.update(Choice).where(Choice.id == choice.id, Choice.used_at.is_(None)).values(used_at=now)
    )
    if result.rowcount == 1 and choice.group_id is not None:
        session.execute(
            sa.update(Choice).where(Choice.group_id == choice.group_id, Choice.used_at.is_(None)).values(used_at=now)
        )
    session.commit()
    return result.rowcount == 1


def prune(session: Session, now: datetime | None = None) -> int:
    """Forget choices past their life (the table would otherwise grow with every menu)."""
    result = session.execute(sa.delete(Choice).where(Choice.created_at < (now or utcnow()) - CHOICE_TTL))
    session.commit()
    return result.rowcount


def get_state(session: Session, person_id: int) -> ConversationState | None:
    return session.get(ConversationState, person_id)


def set_state(session: Session, person_id: int, state: str, data: dict[str, Any] | None = None) -> None:
    row = session.get(ConversationState, person_id) or ConversationState(person_id=person_id, state=state)
    row.state, row.data, row.updated_at = state, data or {}, utcnow()
    session.add(row)
    session.commit()


def clear_state(session: Session, person_id: int) -> None:
    row = session.get(ConversationState, person_id)
    if row is not None:
        session.delete(row)
        session.commit()
