"""The Zalo OA token keeper: one working access token, and a refresh chain that must never break.

Zalo's refresh token is single-use and rotates on every refresh, so:
- refreshes run one at a time — in this process (an asyncio lock) and across the
  processes sharing a PostgreSQL database (the pair's row is locked for the length
  of the refresh, ``storage.tokens.lock``) — and a caller that waited reuses the pair
  the winner stored instead of spending a spent token;
- the new pair is committed to the database before anyone uses it (a crash
  after Zalo answered but before the commit is the only way to lose it);
- the database pair wins over the environment at start-up: the environment only
  seeds an empty database, or replaces the stored pair when it holds a pair the
  bot has never seen (an operator re-authorised the app and put the new pair in
  the environment). A fingerprint of the last seed tells the two cases apart;
- when Zalo rejects the refresh token (a JSON answer whose ``error`` says the
  token is invalid, expired or used) the chain is marked broken — only if the
  refused token is still the stored one: a token another process has already
  rotated away says nothing about the chain — staff are told once, and sends wait
  (``TokenBroken``) instead of hammering the OAuth server.
  Any other failure (network, 429/5xx, an HTML page from a proxy, a 404 from a
  wrong base URL, an unknown error or answer shape) is transient: the pair is
  kept, a warning is logged and the refresh is tried again after a short pause.
Neither token is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import AsyncIterator, Callable

import httpx
from sqlmodel import Session

from storage import tokens as token_store
from storage.db import Store

log = logging.getLogger("agency_bot.zalo.tokens")

PROVIDER = "zalo"
REFRESH_MARGIN = timedelta(minutes=10)  # refresh this long before the access token expires
ENV_TOKEN_GRACE = timedelta(hours=1)  # an access token from the environment has an unknown age
DEFAULT_LIFETIME_S = 25 * 3600
RETRY_AFTER_FAILURE = timedelta(seconds=30)  # a failed refresh is not retried by every waiting send
# OAuth v4 answers that mean "this refresh token is invalid, expired or already used" (-14014 is what
# Zalo answers to a reused token); unknown codes count only when Zalo's words say so
REFRESH_TOKEN_ERRORS = frozenset({-14014})
_REFUSAL_WORDS = ("invalid", "expired", "expire", "used", "revoked", "not found", "not exist")


class TokenBroken(Exception):
    """The refresh chain is broken: the OA must be re-authorised (staff were told)."""


class TokenTransient(Exception):
    """The OAuth server could not be reached or failed; try again later."""


def parse_expires_in(value: object) -> int:
    """``expires_in`` arrives as a number or a quoted string ("90000")."""
    try:
        seconds = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME_S
    return seconds if seconds > 0 else DEFAULT_LIFETIME_S


def _error_of(body: dict) -> tuple[int | None, str]:
    """Zalo's error code and words in an OAuth answer (``error`` may be a number or a numeric string)."""
    raw = body.get("error")
    try:
        code = int(raw) if raw is not None and not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        code = None
    words = [body.get(k) for k in ("error_name", "error_reason", "error_description", "message")]
    return code, " ".join(str(w) for w in words if isinstance(w, str) and w.strip())


def refresh_token_refused(code: int | None, reason: str) -> bool:
    """True only when Zalo said, with a non-zero ``error``, that the refresh token itself is no good."""
    if not code:
        return False
    if code in REFRESH_TOKEN_ERRORS:
        return True
    words = reason.lower().replace("_", " ")
    return "refresh token" in words and any(w in words for w in _REFUSAL_WORDS)


class TokenKeeper:
    def __init__(self, store: Store, http: Callable[[], httpx.AsyncClient], *, app_id: str, app_secret: str,
                 oauth_base_url: str, real_now: Callable[[], datetime],
                 env_access_token: str | None, env_refresh_token: str,
                 on_broken: Callable[[], None] = lambda: None):
        self.store = store
        self._http = http
        self.app_id = app_id
        self._app_secret = app_secret
        self.url = oauth_base_url.rstrip("/") + "/v4/oa/access_token"
        self.real_now = real_now
        self.on_broken = on_broken
        self._lock = asyncio.Lock()
        self.refreshes = 0  # successful refreshes by this keeper (health, tests)
        self._retry_at: datetime | None = None  # after a failed refresh, not before this
        self.pair = self._load(env_access_token, env_refresh_token)

    # ---- start-up: database vs environment ----------------------------------------
    def _load(self, env_access: str | None, env_refresh: str) -> token_store.TokenPair:
        now = self.real_now()
        with self.store.session() as s:
            stored = token_store.get(s, PROVIDER)
            seed = token_store.seed_fingerprint(s, PROVIDER)
            env_fp = token_store.fingerprint(env_refresh)
            if stored is None:
                log.info("zalo token pair seeded from the environment")
                return self._seed(s, env_access, env_refresh, now)
            if seed is None:
                # stored by something that kept no seed: the database wins, remember what env holds now
                token_store.remember_seed(s, PROVIDER, env_refresh)
                return stored
            if env_fp != seed and env_refresh != stored.refresh_token:
                log.warning("zalo: a new token pair was found in the environment (re-authorised); "
                            "it replaces the stored pair")
                return self._seed(s, env_access, env_refresh, now)
            if stored.broken:
                log.error("zalo: the stored token chain is broken; re-authorise the OA and put the new pair "
                          "in ZALO_OA_ACCESS_TOKEN / ZALO_OA_REFRESH_TOKEN")
            return stored

    def _seed(self, s, env_access: str | None, env_refresh: str, now: datetime) -> token_store.TokenPair:
        # without an access token, or with one of unknown age, refresh early rather than trust it long
        expires = now + ENV_TOKEN_GRACE if env_access else now
        return token_store.save(s, PROVIDER, env_access or "", env_refresh, expires, seed=True)

    # ---- use --------------------------------------------------------------------
    def _due(self, pair: token_store.TokenPair) -> bool:
        return not pair.access_token or pair.expires_at - REFRESH_MARGIN <= self.real_now()

    def _expired(self, pair: token_store.TokenPair) -> bool:
        return not pair.access_token or pair.expires_at <= self.real_now()

    @property
    def broken(self) -> bool:
        return self.pair.broken

    async def token(self) -> str:
        """A usable access token, refreshed first when it is about to expire."""
        pair = self.pair
        if pair.broken:
            if not self._expired(pair):
                return pair.access_token  # still good for a while: use it while staff re-authorise
            raise TokenBroken()
        if not self._due(pair):
            return pair.access_token
        try:
            return await self.refresh(None)
        except (TokenTransient, TokenBroken):
            if self.pair.access_token and not self._expired(self.pair):
                return self.pair.access_token  # the early refresh failed; the current token still works
            raise

    async def refresh(self, stale: str | None) -> str:
        """Refresh once. ``stale`` is the token Zalo just refused (None: refresh only if due)."""
        async with self._lock, self._locked_pair() as s:
            pair = self.pair
            if pair.broken:
                if stale is None and not self._expired(pair):
                    return pair.access_token
                raise TokenBroken()
            if stale is not None and pair.access_token != stale and pair.access_token:
                return pair.access_token  # someone refreshed while we waited
            if stale is None and not self._due(pair):
                return pair.access_token
            return await self._refresh_locked(s, pair)

    @asynccontextmanager
    async def _locked_pair(self) -> AsyncIterator[Session]:
        """A session holding the stored pair's row lock (other processes' refreshes wait on it), with
        ``self.pair`` set to the stored pair: the database is the truth. Waiting happens in a worker
        thread, so this process goes on meanwhile."""
        session = Session(self.store.engine, expire_on_commit=False)
        try:
            stored = await asyncio.to_thread(token_store.lock, session, PROVIDER)
            if session.get_bind().dialect.name != "postgresql":
                session.rollback()  # one process per data directory: nothing to hold, no read kept open
            if stored is not None:
                self.pair = stored
            yield session
        finally:
            await asyncio.to_thread(session.close)  # a refresh that stored nothing lets go of the row

    async def _refresh_locked(self, s: Session, pair: token_store.TokenPair) -> str:
        now = self.real_now()
        if self._retry_at is not None and now < self._retry_at:
            raise TokenTransient("the last refresh failed moments ago")  # a burst of sends asks once
        form = {"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": pair.refresh_token}
        try:
            resp = await self._http().post(self.url, data=form, headers={"secret_key": self._app_secret})
        except httpx.HTTPError as exc:
            raise self._transient(f"could not connect ({type(exc).__name__})") from None
        if resp.status_code == 429 or resp.status_code >= 500:
            raise self._transient(f"HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # an HTML page from a proxy, a 404 from a wrong ZALO_OAUTH_BASE_URL: Zalo never saw the token
            raise self._transient(f"HTTP {resp.status_code} without a JSON answer; check ZALO_OAUTH_BASE_URL")
        data = body
        if isinstance(body.get("data"), dict) and "access_token" not in body:
            data = body["data"]
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if isinstance(access, str) and access and isinstance(refresh, str) and refresh:
            expires = self.real_now() + timedelta(seconds=parse_expires_in(data.get("expires_in")))
            self.pair = await asyncio.to_thread(token_store.save, s, PROVIDER, access, refresh, expires)  # committed
            # before anyone uses it (and the row lock goes with the commit)
            self.refreshes += 1
            self._retry_at = None
            log.info("zalo access token refreshed; valid until %s", expires.isoformat(timespec="minutes"))
            return access
        code, reason = _error_of(body)
        if not refresh_token_refused(code, reason):
            # a wrong app secret, a changed answer shape, an error we do not know: the refresh token
            # was not spent (or we cannot tell), so the chain is kept and the refresh tried again later
            raise self._transient(f"HTTP {resp.status_code}, error {code} {reason[:120]}".rstrip())
        first = await asyncio.to_thread(token_store.mark_broken, s, PROVIDER, pair.refresh_token)
        with self.store.session() as fresh:
            self.pair = token_store.get(fresh, PROVIDER) or pair
        if not self.pair.broken and self.pair.refresh_token != pair.refresh_token:
            # another keeper stored a newer pair that this one had not seen: the chain is whole
            log.warning("zalo refused a refresh token that had already been rotated; using the stored pair")
            return self.pair.access_token
        log.error("zalo refused the refresh token (HTTP %s, error %s %s): the OA needs re-authorisation",
                  resp.status_code, code, reason[:120])
        if first:
            try:
                self.on_broken()
            except Exception:  # telling staff must not hide the real problem
                log.exception("could not tell staff that the Zalo OA needs re-authorisation")
        raise TokenBroken()

    def _transient(self, why: str) -> TokenTransient:
        self._retry_at = self.real_now() + RETRY_AFTER_FAILURE
        log.warning("zalo token refresh failed (%s); the stored pair is kept and the refresh tried again later",
                    why)
        return TokenTransient(why)

    # ---- background -------------------------------------------------------------
    async def keep_fresh(self) -> None:
        """Refresh ahead of expiry even when nothing is sent, so the refresh token never ages out."""
        while True:
            pair = self.pair
            delay = (pair.expires_at - REFRESH_MARGIN - self.real_now()).total_seconds()
            await asyncio.sleep(min(max(delay, 30.0), 3600.0))
            if self.pair.broken:
                await asyncio.sleep(3600.0)
                continue
            try:
                await self.token()
            except (TokenBroken, TokenTransient):
                pass
            except Exception:
                log.exception("zalo token keeper")
