"""Buttons on offer and what the bot waits for from each person (both survive restarts)."""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session

from storage.models import Choice, ConversationState, utcnow


def offer(session: Session, person_id: int, action: str, payload: dict[str, Any] | None = None) -> str:
    """Store a choice and return its id (short, ASCII: fits Telegram's 64-byte callback data)."""
    choice_id = secrets.token_urlsafe(9)
    session.add(Choice(id=choice_id, person_id=person_id, action=action, payload=payload or {}))
    session.commit()
    return choice_id


def get_choice(session: Session, choice_id: str, person_id: int) -> Choice | None:
    """A choice offered to this person (someone else's id yields nothing)."""
    choice = session.get(Choice, choice_id)
    return choice if choice is not None and choice.person_id == person_id else None


def mark_used(session: Session, choice: Choice) -> bool:
    """Spend a one-shot choice; False if it was already used (a double tap)."""
    from sqlalchemy import update

    result = session.execute(
        update(Choice).where(Choice.id == choice.id, Choice.used_at.is_(None)).values(used_at=utcnow())
    )
    session.commit()
    return result.rowcount == 1


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
