"""The Zalo OA token chain: refresh on expiry, rotation, restarts, re-authorisation, a broken chain."""

from __future__ import annotations

import asyncio
import logging

import pytest
from support import build_test_services
from fakes.zalo_api import ZaloRig, zalo_settings
from sqlmodel import select

from bot.channels.zalo_api import ZaloTransient
from bot.channels.zalo_tokens import (TokenBroken, TokenKeeper, TokenTransient, parse_expires_in,
                                      refresh_token_refused)
from bot.delivery import OutMessage, RetryLater
from messages.texts import zalo as zalo_texts
from storage import people
from storage import tokens as token_store
from storage.db import Store
from storage.models import OutgoingMessage


def stored(services) -> token_store.TokenPair:
    with services.store.session() as s:
        return token_store.get(s, "zalo")


def restarted(services, plan, clock, tmp_path):
    """A new process on the same database: new Store, new services."""
    return build_test_services(Store(services.store.url), plan, clock, tmp_path)


def test_expires_in_may_be_quoted():
    assert parse_expires_in("90000") == 90000
    assert parse_expires_in(3600) == 3600
    assert parse_expires_in(" 86400 ") == 86400
    assert parse_expires_in(None) == 25 * 3600
    assert parse_expires_in("soon") == 25 * 3600


async def test_the_env_pair_seeds_an_empty_database(zalo, services, router, tmp_path):
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        assert stored(services).access_token == access and stored(services).refresh_token == refresh
        await rig.say("111", "help")
    assert zalo.refreshes == []  # the env access token was good: no refresh spent
    assert zalo.sent[0].access_token == access


async def test_without_an_access_token_the_first_call_refreshes(zalo, services, router, tmp_path):
    _, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, None, refresh), services, router) as rig:
        await rig.say("111", "help")
    assert len(zalo.refreshes) == 1 and zalo.refreshes[0]["old"] == refresh
    assert [c.answer.get("error") for c in zalo.calls if c.path == "send"] == [0]


async def test_an_expired_token_is_refreshed_and_the_call_retried_once(zalo, services, router, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        zalo.expire_access_tokens()
        sent = await rig.say("111", "help")
        assert sent  # the user never notices
    oauth = [c for c in zalo.calls if c.path == "oauth"]
    assert len(oauth) == 1
    assert oauth[0].headers["secret_key"] == zalo.app_secret
    assert oauth[0].headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert oauth[0].body["app_id"] == zalo.app_id and oauth[0].body["grant_type"] == "refresh_token"
    new = zalo.refreshes[0]
    pair = stored(services)
    assert (pair.access_token, pair.refresh_token) == (new["access_token"], new["refresh_token"])
    assert sent[0].access_token == new["access_token"]
    for secret in (access, refresh, new["access_token"], new["refresh_token"]):
        assert secret not in caplog.text


async def test_rotation_across_two_refreshes_and_a_restart(zalo, services, router, plan, clock, tmp_path):
    access, refresh = zalo.issue_pair()
    settings = zalo_settings(zalo, tmp_path, access, refresh)
    async with ZaloRig(zalo, settings, services, router) as rig:
        for _ in range(2):
            zalo.expire_access_tokens()
            assert await rig.say("111", "help")
    assert len(zalo.refreshes) == 2
    assert zalo.refreshes[1]["old"] == zalo.refreshes[0]["refresh_token"]
    # a new process with the same (now spent) pair still in the environment: the database wins
    services2 = restarted(services, plan, clock, tmp_path)
    async with ZaloRig(zalo, settings, services2, router) as rig:
        assert await rig.say("222", "help")
        assert len(zalo.refreshes) == 2  # the stored access token still works
        zalo.expire_access_tokens()
        assert await rig.say("222", "help")
    assert len(zalo.refreshes) == 3
    assert zalo.refreshes[2]["old"] == zalo.refreshes[1]["refresh_token"]
    assert zalo.reused_refresh == []  # no refresh token was ever presented twice
    services2.store.dispose()


async def test_refresh_ahead_of_expiry_on_the_real_clock(zalo, services, router, tmp_path, clock):
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        await rig.channel.deliver("111", OutMessage("a"))
        assert zalo.refreshes == []
        clock.advance(hours=1)  # the env token's age is unknown: it is trusted for an hour at most
        await rig.channel.deliver("111", OutMessage("b"))
        assert len(zalo.refreshes) == 1
        clock.advance(hours=24)  # 90000 s = 25 h: inside the 10-minute margin
        await rig.channel.deliver("111", OutMessage("c"))
        assert len(zalo.refreshes) == 1
        clock.advance(minutes=55)
        await rig.channel.deliver("111", OutMessage("d"))
        assert len(zalo.refreshes) == 2
    assert all(c.answer.get("error") == 0 for c in zalo.calls if c.path == "send")  # never hit -216


async def test_concurrent_token_errors_spend_one_refresh(zalo, services, router, tmp_path):
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        zalo.expire_access_tokens()
        await asyncio.gather(*(rig.channel.deliver(str(u), OutMessage("x")) for u in range(8)))
    assert len(zalo.refreshes) == 1
    assert zalo.reused_refresh == []
    assert len(zalo.sent) == 8


async def test_a_broken_chain_waits_tells_staff_once_and_recovers_after_reauthorisation(
        zalo, services, router, plan, clock, tmp_path):
    with services.store.session() as s:
        people.ensure(s, "telegram", "9001")  # a staff member reachable outside Zalo
    access, refresh = zalo.issue_pair()
    settings = zalo_settings(zalo, tmp_path, access, refresh)
    async with ZaloRig(zalo, settings, services, router) as rig:
        zalo.reject_refresh = True
        zalo.expire_access_tokens()
        with pytest.raises(RetryLater):
            await rig.channel.deliver("111", OutMessage("nhắc hạn"))
        assert stored(services).broken
        oauth_calls = len([c for c in zalo.calls if c.path == "oauth"])
        with pytest.raises(RetryLater):
            await rig.channel.deliver("111", OutMessage("nhắc hạn"))
        assert len([c for c in zalo.calls if c.path == "oauth"]) == oauth_calls  # no hammering
        # an inbound message still gets its answer later: it waits in the outbox
        await rig.say("333", "help")
    with services.store.session() as s:
        rows = s.exec(select(OutgoingMessage)).all()
    notices = [r for r in rows if r.text == zalo_texts.REAUTH_NEEDED]
    assert [r.channel for r in notices] == ["telegram"]  # told once, and not on Zalo, which is broken
    assert any(r.key.startswith("zalo-reply:") and r.chat_id == "333" for r in rows)

    # restarting with the same env pair changes nothing: the chain stays broken, nobody is told again
    services2 = restarted(services, plan, clock, tmp_path)
    async with ZaloRig(zalo, settings, services2, router) as rig:
        with pytest.raises(RetryLater):
            await rig.channel.deliver("111", OutMessage("nhắc hạn"))
    services2.store.dispose()

    # the operator re-authorises and puts the new pair in the environment: it is detected and used
    zalo.reject_refresh = False
    access2, refresh2 = zalo.issue_pair()
    services3 = restarted(services, plan, clock, tmp_path)
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access2, refresh2), services3, router) as rig:
        await rig.channel.deliver("111", OutMessage("nhắc hạn"))
        assert zalo.sent[-1].access_token == access2
        assert not stored(services3).broken
        zalo.expire_access_tokens()
        await rig.channel.deliver("111", OutMessage("nhắc hạn"))
    assert zalo.refreshes[-1]["old"] == refresh2
    services3.store.dispose()
    with services.store.session() as s:
        notices = s.exec(select(OutgoingMessage).where(OutgoingMessage.text == zalo_texts.REAUTH_NEEDED)).all()
    assert len(notices) == 1


async def test_a_waiter_reuses_the_pair_another_refresh_got(zalo, services, tmp_path, clock):
    access, refresh = zalo.issue_pair()
    import httpx

    async with httpx.AsyncClient() as http:
        keeper = TokenKeeper(services.store, lambda: http, app_id=zalo.app_id, app_secret=zalo.app_secret,
                             oauth_base_url=zalo.url, real_now=clock.real_now, env_access_token=access,
                             env_refresh_token=refresh)
        zalo.expire_access_tokens()
        first = await keeper.refresh(access)
        second = await keeper.refresh(access)  # came in with the same stale token: no second refresh
        assert first == second and len(zalo.refreshes) == 1
        # a second keeper on the same database (another process) adopts the stored pair
        other = TokenKeeper(services.store, lambda: http, app_id=zalo.app_id, app_secret=zalo.app_secret,
                            oauth_base_url=zalo.url, real_now=clock.real_now, env_access_token=access,
                            env_refresh_token=refresh)
        assert await other.token() == first
        zalo.expire_access_tokens()
        third = await keeper.refresh(first)
        assert await other.refresh(first) == third
    assert len(zalo.refreshes) == 2 and zalo.reused_refresh == []


async def test_an_oauth_outage_is_not_a_broken_chain(zalo, services, tmp_path, clock):
    import httpx

    access, refresh = zalo.issue_pair()
    async with httpx.AsyncClient() as http:
        keeper = TokenKeeper(services.store, lambda: http, app_id=zalo.app_id, app_secret=zalo.app_secret,
                             oauth_base_url="http://127.0.0.1:9", real_now=clock.real_now,
                             env_access_token=access, env_refresh_token=refresh)
        clock.advance(minutes=55)  # due for an early refresh, still valid: the current token is used
        assert await keeper.token() == access
        clock.advance(minutes=10)
        from bot.channels.zalo_tokens import TokenTransient

        with pytest.raises(TokenTransient):
            await keeper.token()
    assert not stored(services).broken


async def test_pairs_seeds_and_processed_events_on_both_backends(any_store, plan, clock, tmp_path, zalo, router):
    """The token rows and the duplicate guard behave the same on SQLite and PostgreSQL."""
    from datetime import timedelta

    from bot.channels.zalo import ZaloChannel

    now = clock.real_now()
    with any_store.session() as s:
        assert token_store.get(s, "zalo") is None
        token_store.save(s, "zalo", "a1", "r1", now + timedelta(hours=1), seed=True)
        assert token_store.seed_fingerprint(s, "zalo") == token_store.fingerprint("r1")
        token_store.save(s, "zalo", "a2", "r2", now + timedelta(hours=2))
        assert token_store.seed_fingerprint(s, "zalo") == token_store.fingerprint("r1")  # a refresh is no seed
        assert token_store.mark_broken(s, "zalo", refused="r1") is False  # rotated away: says nothing
        assert not token_store.get(s, "zalo").broken
        assert token_store.mark_broken(s, "zalo", refused="r2") is True
        assert token_store.mark_broken(s, "zalo") is False
    with any_store.session() as s:
        pair = token_store.get(s, "zalo")
    assert (pair.access_token, pair.refresh_token, pair.broken) == ("a2", "r2", True)
    assert pair.expires_at == now + timedelta(hours=2)

    services = build_test_services(any_store, plan, clock, tmp_path)
    channel = ZaloChannel(zalo_settings(zalo, tmp_path, "a3", "r3"), services, router)
    assert channel.keeper.pair.refresh_token == "r3"  # a pair never seen before: re-authorised, adopted
    assert channel._claim("msg-1") and not channel._claim("msg-1") and channel._claim("msg-2")
    assert channel._claim("x" * 300) and not channel._claim("x" * 300)  # long ids are hashed to fit


async def test_a_rejected_early_refresh_keeps_using_the_token_until_it_expires(zalo, services, router, tmp_path,
                                                                               clock):
    with services.store.session() as s:
        people.ensure(s, "telegram", "9001")
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        zalo.reject_refresh = True
        clock.advance(minutes=55)  # inside the margin: an early refresh is tried and refused
        await rig.channel.deliver("111", OutMessage("vẫn gửi được"))
        assert stored(services).broken and zalo.texts("111") == ["vẫn gửi được"]
        clock.advance(minutes=10)  # now really expired
        with pytest.raises(RetryLater):
            await rig.channel.deliver("111", OutMessage("chờ cấp quyền lại"))
    with services.store.session() as s:
        notices = s.exec(select(OutgoingMessage).where(OutgoingMessage.text == zalo_texts.REAUTH_NEEDED)).all()
    assert len(notices) == 1


# ---- only a refused refresh token breaks the chain -----------------------------------------------
ODD_ANSWERS = {
    "html-403-from-a-proxy": (403, "<html><body><h1>403 Forbidden</h1></body></html>", "text/html"),
    "html-502-gateway": (502, "<html>Bad gateway</html>", "text/html"),
    "plain-404": (404, "Not Found", "text/plain"),
    "changed-shape": (200, {"error": 0, "message": "Success", "data": {"token": {"value": "x"}}}, "application/json"),
    "wrong-app-secret": (200, {"error": -14002, "error_name": "Invalid app"}, "application/json"),
    "unknown-error": (400, {"error": -14999, "message": "Something went wrong"}, "application/json"),
    "json-list": (200, [1, 2, 3], "application/json"),
}


@pytest.mark.parametrize("case", sorted(ODD_ANSWERS))
async def test_an_odd_oauth_answer_is_transient_and_the_chain_survives(zalo, services, router, tmp_path, clock,
                                                                       case, caplog):
    with services.store.session() as s:
        people.ensure(s, "telegram", "9001")  # staff who would be told, if the chain broke
    status, body, content_type = ODD_ANSWERS[case]
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        zalo.expire_access_tokens()
        zalo.fail_oauth(status, body, content_type=content_type)
        caplog.set_level(logging.WARNING, logger="agency_bot.zalo.tokens")
        with pytest.raises(ZaloTransient):
            await rig.channel.deliver("111", OutMessage("nhắc hạn"))
        assert not stored(services).broken and not rig.channel.keeper.broken
        assert stored(services).refresh_token == refresh  # nothing was spent
        assert "tried again later" in caplog.text and refresh not in caplog.text
        clock.advance(seconds=31)  # past the pause after a failed refresh
        await rig.channel.deliver("111", OutMessage("nhắc hạn"))
    assert zalo.texts("111") == ["nhắc hạn"]
    assert [r["old"] for r in zalo.refreshes] == [refresh] and zalo.reused_refresh == []
    with services.store.session() as s:
        assert s.exec(select(OutgoingMessage).where(OutgoingMessage.text == zalo_texts.REAUTH_NEEDED)).all() == []


async def test_a_wrong_oauth_base_url_never_breaks_the_chain(zalo, services, tmp_path, clock):
    import httpx

    access, refresh = zalo.issue_pair()
    told = []
    async with httpx.AsyncClient() as http:
        keeper = TokenKeeper(services.store, lambda: http, app_id=zalo.app_id, app_secret=zalo.app_secret,
                             oauth_base_url=zalo.url + "/not-zalo", real_now=clock.real_now,
                             env_access_token=access, env_refresh_token=refresh, on_broken=lambda: told.append(1))
        clock.advance(hours=2)
        for _ in range(3):  # e.g. after every restart: still not broken
            with pytest.raises(TokenTransient):
                await keeper.token()
            clock.advance(minutes=1)
    assert not stored(services).broken and told == []
    assert [c.path for c in zalo.calls] == []  # the zalo only ever saw 404s on unknown paths


async def test_a_refused_refresh_token_by_words_breaks_the_chain(zalo, services, tmp_path, clock):
    import httpx

    access, refresh = zalo.issue_pair()
    told = []
    async with httpx.AsyncClient() as http:
        keeper = TokenKeeper(services.store, lambda: http, app_id=zalo.app_id, app_secret=zalo.app_secret,
                             oauth_base_url=zalo.url, real_now=clock.real_now, env_access_token=access,
                             env_refresh_token=refresh, on_broken=lambda: told.append(1))
        clock.advance(hours=2)
        zalo.fail_oauth(200, {"error": "-14020", "error_name": "Refresh token expired"})
        with pytest.raises(TokenBroken):
            await keeper.token()
    assert stored(services).broken and told == [1]


def test_which_answers_mean_the_refresh_token_is_refused():
    assert refresh_token_refused(-14014, "Invalid refresh token")
    assert refresh_token_refused(-14014, "")  # the code alone is enough
    assert refresh_token_refused(-14020, "refresh_token is expired")
    assert refresh_token_refused(-1, "The refresh token was already used")
    assert not refresh_token_refused(0, "Invalid refresh token")  # no error code: not a refusal
    assert not refresh_token_refused(None, "Invalid refresh token")
    assert not refresh_token_refused(-14002, "Invalid app")
    assert not refresh_token_refused(-14999, "Something went wrong")
    assert not refresh_token_refused(-14003, "Invalid redirect uri")


async def test_a_failed_refresh_is_not_repeated_by_every_waiting_send(zalo, services, router, tmp_path, clock):
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        zalo.expire_access_tokens()
        zalo.fail_oauth(503, "busy", content_type="text/plain", times=5)
        results = await asyncio.gather(*(rig.channel.deliver(str(u), OutMessage("x")) for u in range(6)),
                                       return_exceptions=True)
        assert all(isinstance(r, ZaloTransient) for r in results)
        assert len([c for c in zalo.calls if c.path == "oauth"]) == 1  # one try; the others waited for it
        zalo.clear_faults()
        zalo.oauth_faults.clear()
        clock.advance(seconds=31)
        await asyncio.gather(*(rig.channel.deliver(str(u), OutMessage("x")) for u in range(6)))
    assert len(zalo.refreshes) == 1 and len(zalo.sent) == 6


async def test_two_processes_refreshing_at_once_spend_one_refresh_and_keep_the_chain(zalo, pg_url, clock):
    """Two keepers on one PostgreSQL database (two processes), both told the access token expired:
    the second waits on the pair's row lock and uses the pair the first stored. Without the lock
    the second would present the spent refresh token, Zalo would refuse it, and a valid chain
    would be marked broken."""
    import httpx

    from support import make_store

    access, refresh = zalo.issue_pair()
    zalo.oauth_latency = 0.2  # both are in flight at once unless one waits
    stores = [make_store(pg_url), make_store(pg_url)]
    async with httpx.AsyncClient() as http:
        keepers = [TokenKeeper(store, lambda: http, app_id=zalo.app_id, app_secret=zalo.app_secret,
                               oauth_base_url=zalo.url, real_now=clock.real_now, env_access_token=access,
                               env_refresh_token=refresh) for store in stores]
        zalo.expire_access_tokens()
        got = await asyncio.gather(*(k.refresh(access) for k in keepers))
    assert len(zalo.refreshes) == 1 and zalo.reused_refresh == []
    assert got == [zalo.refreshes[0]["access_token"]] * 2
    with stores[0].session() as s:
        pair = token_store.get(s, "zalo")
    assert not pair.broken and pair.refresh_token == zalo.refreshes[0]["refresh_token"]
    for store in stores:
        store.dispose()
