"""One-time sign-in links and browser sessions of the staff web pages.

Both are random tokens handed out once (in a chat message, in a cookie) and kept
here only as SHA-256 hashes: a copy of the database signs nobody in. A link is
spent by a conditional update, so two browsers racing for it cannot both win, and
the session it opens is written in the same transaction. All instants are real
time (``Clock.real_now``), never the business clock that rehearsals move.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import WebSession, WebSignInLink

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The form token of a session: derived from its secret cookie, so a page on another site
    (which can make the browser send the cookie but never read it) cannot know it."""
    return hmac.new(session_token.encode("utf-8"), b"csrf", hashlib.sha256).hexdigest()


def issue_link(session: Session, person_id: int, real_now: datetime, valid: timedelta) -> str:
    """A new sign-in token for ``person_id``; only its hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(WebSignInLink(token_hash=hash_token(token), person_id=person_id, created_at=real_now,
                              expires_at=real_now + valid))
    session.commit()
    return token


@dataclass(frozen=True)
class LinkCheck:
    outcome: Literal["ok", "unknown", "used", "expired"]
    person_id: int | None = None


def check_link(session: Session, token: str, real_now: datetime) -> LinkCheck:
    """What a link is worth, without spending it (the page that asks to confirm the sign-in)."""
    row = session.exec(select(WebSignInLink).where(WebSignInLink.token_hash == hash_token(token))).first()
    if row is None:
        return LinkCheck("unknown")
    if row.used_at is not None:
        return LinkCheck("used", row.person_id)
    if row.expires_at <= real_now:
        return LinkCheck("expired", row.person_id)
    return LinkCheck("ok", row.person_id)


@dataclass(frozen=True)
class SignIn:
    outcome: Literal["ok", "unknown", "used", "expired"]
    person_id: int | None = None
    session_token: str | None = None  # the cookie's value (outcome "ok" only)


def redeem_link(session: Session, token: str, real_now: datetime, lifetime: timedelta) -> SignIn:
    """Spend a link and open a session for its person, in one transaction."""
    checked = check_link(session, token, real_now)
    if checked.outcome != "ok":
        return SignIn(checked.outcome, checked.person_id)
    result = session.execute(
        update(WebSignInLink)
        .where(WebSignInLink.token_hash == hash_token(token), WebSignInLink.used_at.is_(None))
        .values(used_at=real_now)
    )
    if result.rowcount != 1:
        session.rollback()
        return SignIn("used", checked.person_id)
    session_token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(WebSession(token_hash=hash_token(session_token), person_id=checked.person_id, created_at=real_now,
                           expires_at=real_now + lifetime))
    session.commit()
    return SignIn("ok", checked.person_id, session_token)


def session_person(session: Session, session_token: str, real_now: datetime) -> int | None:
    """The person a live session belongs to (None: unknown, expired or signed out)."""
    row = session.exec(select(WebSession).where(WebSession.token_hash == hash_token(session_token))).first()
    if row is None or row.ended_at is not None or row.expires_at <= real_now:
        return None
    return row.person_id


def end_session(session: Session, session_token: str, real_now: datetime) -> None:
    session.execute(update(WebSession).where(WebSession.token_hash == hash_token(session_token),
                                             WebSession.ended_at.is_(None)).values(ended_at=real_now))
    session.commit()
