"""One-time invite codes: random, stored hashed, single use, expiring (real time)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import InviteAttempt, InviteCode, Person

# No 0/O/1/I/L: codes are read aloud and typed from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def normalize(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()


def issue(session: Session, unit_code: str, expires_at: datetime, created_by: int | None = None) -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    session.add(InviteCode(code_hash=hash_code(code), unit_code=unit_code, expires_at=expires_at,
                           created_by=created_by))
    session.commit()
    return code


def peek(session: Session, code: str) -> InviteCode | None:
    """The code's row without spending it."""
    return session.exec(select(InviteCode).where(InviteCode.code_hash == hash_code(code))).first()


@dataclass(frozen=True)
class Redemption:
    outcome: Literal["ok", "unknown", "used", "expired"]
    unit_code: str | None = None


def redeem(session: Session, code: str, person: Person, real_now: datetime, *, commit: bool = True) -> Redemption:
    """Spend a code for ``person``. The update is conditional, so two people racing for
    the same code cannot both win. With ``commit=False`` the caller commits, so the spent
    code and what it grants (``people.register``) land together or not at all."""
    row = peek(session, code)
    if row is None:
        return Redemption("unknown")
    if row.used_at is not None:
        return Redemption("used", row.unit_code)
    if row.expires_at <= real_now:
        return Redemption("expired", row.unit_code)
    result = session.execute(
        update(InviteCode)
        .where(InviteCode.id == row.id, InviteCode.used_at.is_(None))
        .values(used_at=real_now, used_by=person.id)
    )
    if commit:
        session.commit()
    if result.rowcount != 1:
        return Redemption("used", row.unit_code)
    return Redemption("ok", row.unit_code)


# ---- guessing ------------------------------------------------------------------------------
def failures(session: Session, scopes: list[str], since: datetime) -> dict[str, list[datetime]]:
    """The wrong codes tried by each scope since ``since``, oldest first (one query)."""
    rows = session.exec(select(InviteAttempt.scope, InviteAttempt.at)
                        .where(InviteAttempt.scope.in_(scopes), InviteAttempt.at >= since)
                        .order_by(InviteAttempt.at)).all()
    out: dict[str, list[datetime]] = {scope: [] for scope in scopes}
    for scope, at in rows:
        out[scope].append(at)
    return out


def record_failure(session: Session, scopes: list[str], at: datetime, *, forget_before: datetime) -> None:
    """A wrong code for each scope; attempts older than ``forget_before`` are dropped on the way."""
    session.execute(sa.delete(InviteAttempt).where(InviteAttempt.at < forget_before))
    session.add_all([InviteAttempt(scope=scope, at=at) for scope in scopes])
    session.commit()
