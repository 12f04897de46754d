"""OAuth token pairs (the Zalo OA's): the newest pair lives here, because its refresh token is single-use.

A pair is written in one transaction before it is used, so a crash between a
refresh and the next call cannot lose the only refresh token that still works.
Processes sharing a PostgreSQL database refresh one at a time: ``lock`` takes the
pair's row (``SELECT … FOR UPDATE``) for the length of a refresh, and the one that
waited reads the pair the other stored instead of spending a spent token.
Alongside the pair a second row, ``<provider>:seed``, remembers a fingerprint
(SHA-256, never the token) of the pair that last came from the environment:
that is how a fresh pair put in the environment after re-authorising is told
apart from the stale seed that the database has long since rotated past.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from storage.models import OAuthToken, utcnow

SEED_SUFFIX = ":seed"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime  # real time
    broken: bool = False
    updated_at: datetime | None = None


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _pair(row: OAuthToken | None) -> TokenPair | None:
    if row is None:
        return None
    return TokenPair(row.access_token, row.refresh_token, row.expires_at, row.broken, row.updated_at)


def get(session: Session, provider: str) -> TokenPair | None:
    return _pair(session.get(OAuthToken, provider))


def save(session: Session, provider: str, access_token: str, refresh_token: str, expires_at: datetime,
         *, seed: bool = False) -> TokenPair:
    """Store a new working pair (clears ``broken``) and commit; ``seed`` also records it as the env seed."""
    now = utcnow()
    row = session.get(OAuthToken, provider) or OAuthToken(provider=provider, access_token="", refresh_token="",
                                                          expires_at=expires_at)
    row.access_token, row.refresh_token, row.expires_at = access_token, refresh_token, expires_at
    row.broken, row.updated_at = False, now
    session.add(row)
    if seed:
        _put_seed(session, provider, refresh_token, now)
    session.commit()
    return _pair(row)


def lock(session: Session, provider: str) -> TokenPair | None:
    """The stored pair, its row locked until the session's transaction ends (PostgreSQL; on SQLite,
    where one process runs per data directory, a plain read)."""
    return _pair(session.exec(select(OAuthToken).where(OAuthToken.provider == provider).with_for_update()).first())


def mark_broken(session: Session, provider: str, refused: str | None = None) -> bool:
    """Flag the chain as broken; True if it was not flagged already (tell staff only once).

    With ``refused`` (the refresh token the provider turned down), only if that is still the stored
    one: a token another process already rotated away says nothing about the chain."""
    row = session.get(OAuthToken, provider)
    if row is None or row.broken or (refused is not None and row.refresh_token != refused):
        return False
    row.broken, row.updated_at = True, utcnow()
    session.add(row)
    session.commit()
    return True


def seed_fingerprint(session: Session, provider: str) -> str | None:
    """The fingerprint of the refresh token the environment last gave (None if never recorded)."""
    row = session.get(OAuthToken, provider + SEED_SUFFIX)
    return row.refresh_token if row is not None else None


def remember_seed(session: Session, provider: str, refresh_token: str) -> None:
    _put_seed(session, provider, refresh_token, utcnow())
    session.commit()


def _put_seed(session: Session, provider: str, refresh_token: str, now: datetime) -> None:
    key = provider + SEED_SUFFIX
    row = session.get(OAuthToken, key) or OAuthToken(provider=key, access_token="-", refresh_token="",
                                                     expires_at=now)
    row.refresh_token, row.updated_at, row.expires_at = fingerprint(refresh_token), now, now
    session.add(row)
