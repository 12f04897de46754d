"""Signing in: one-time links stored hashed, the session cookie, and every refusal the issue names
(no session, a non-staff session, a forged or replayed or expired link, a form without its CSRF token)."""

from __future__ import annotations


import pytest
from sqlmodel import select
from starlette.applications import Starlette
from web_support import Browser, text_of

from bot.web import web_routes
from bot.web.auth import COOKIE
from messages.texts import web as texts
from storage import web_auth
from storage.models import AuditEntry, InspectionVisit, WebSession, WebSignInLink

PAGES = ["/web/", "/web/units", "/web/units/so-y-te", "/web/invites", "/web/broadcasts", "/web/questions",
         "/web/audit", "/web/export", "/web/files/1"]
ACTIONS = ["/web/units/so-y-te/inspection", "/web/invites", "/web/broadcasts/preview", "/web/broadcasts/confirm",
           "/web/broadcasts/cancel", "/web/questions/1/attach", "/web/questions/1/dismiss", "/web/signout"]


def test_a_link_signs_in_once_and_sets_a_strict_session_cookie(browser, services):
    url = browser.link_for("telegram", "9001")
    assert url.startswith("http://testserver/web/signin/")
    token = url.rsplit("/", 1)[1]
    page = browser.get(url)
    assert page.status_code == 200 and 'name="token"' in page.text and COOKIE not in page.headers.get("set-cookie", "")
    done = browser.client.post("/web/signin", data={"token": token})
    assert done.status_code == 303 and done.headers["location"] == "/web/"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/web" in cookie
    assert "Max-Age=43200" in cookie and "Secure" not in cookie
    assert texts.OVERVIEW_TITLE in browser.get("/web/").text

    # replayed: the GET and the POST both refuse, clearly, without a 500
    again = browser.get(url)
    assert again.status_code == 410 and texts.LINK_USED in text_of(again.text)
    replay = browser.client.post("/web/signin", data={"token": token})
    assert replay.status_code == 410 and "set-cookie" not in replay.headers

    # only hashes are kept
    with services.store.session() as s:
        link = s.exec(select(WebSignInLink)).one()
        session = s.exec(select(WebSession)).one()
    assert link.token_hash == web_auth.hash_token(token) and token not in link.token_hash
    assert session.token_hash == web_auth.hash_token(browser.client.cookies[COOKIE])


def test_cookies_are_secure_when_the_public_url_is_https(services):
    services.web_url = "https://bot.example.gov.vn"
    with Browser(Starlette(routes=web_routes(services, secure_cookies=True)), services) as b:
        url = b.link_for("telegram", "9001")
        assert url.startswith("https://bot.example.gov.vn/web/signin/")
        done = b.client.post("/web/signin", data={"token": url.rsplit("/", 1)[1]})
    assert done.status_code == 303 and "Secure" in done.headers["set-cookie"]


def test_forged_and_expired_links_are_refused(browser, services, clock):
    forged = browser.get("/web/signin/not-a-real-token")
    assert forged.status_code == 404 and texts.LINK_UNKNOWN in text_of(forged.text)
    assert browser.client.post("/web/signin", data={"token": "not-a-real-token"}).status_code == 404

    url = browser.link_for("telegram", "9001")
    clock.advance(minutes=10, seconds=1)
    expired = browser.get(url)
    assert expired.status_code == 410 and texts.LINK_EXPIRED in text_of(expired.text)
    refused = browser.client.post("/web/signin", data={"token": url.rsplit("/", 1)[1]})
    assert refused.status_code == 410 and COOKIE not in browser.client.cookies


@pytest.mark.parametrize("path", PAGES)
def test_every_page_refuses_without_a_session(browser, path):
    page = browser.get(path)
    assert page.status_code == 401 and texts.NOT_SIGNED_IN in text_of(page.text)


@pytest.mark.parametrize("path", ACTIONS)
def test_every_action_refuses_without_a_session(browser, path):
    assert browser.client.post(path, data={"csrf": "0" * 64}).status_code == 401


def test_a_session_of_someone_who_is_not_staff_is_refused_everywhere(browser):
    browser.sign_in("telegram", "555")  # a link issued for a focal point by mistake, say
    for path in PAGES:
        page = browser.get(path)
        assert page.status_code == 403 and "Trang này chỉ dành cho cán bộ" in text_of(page.text), path
    for path in ACTIONS:
        assert browser.post(path).status_code == 403, path


def test_staff_taken_off_the_list_lose_the_web_at_their_next_click(signed_in, services):
    assert signed_in.get("/web/").status_code == 200
    services.staff_ids["telegram"] = frozenset()
    assert signed_in.get("/web/").status_code == 403


def test_the_session_lasts_twelve_hours(signed_in, clock):
    clock.advance(hours=11, minutes=59)
    assert signed_in.get("/web/").status_code == 200
    clock.advance(minutes=2)
    assert signed_in.get("/web/").status_code == 401


def test_a_form_without_its_csrf_token_changes_nothing(signed_in, services):
    for data in ({}, {"csrf": "0" * 64}, {"csrf": signed_in.csrf[:-1] + "0"}):
        refused = signed_in.post("/web/units/so-y-te/inspection", {"date": "15/09/2020", **data}, csrf=False)
        assert refused.status_code == 403 and texts.CSRF_FAILED in text_of(refused.text)
    with services.store.session() as s:
        assert s.exec(select(InspectionVisit)).all() == []
    # the token of another session is no token for this one
    other = web_auth.csrf_token("someone-elses-session")
    assert signed_in.post("/web/units/so-y-te/inspection", {"date": "15/09/2020", "csrf": other}, csrf=False) \
        .status_code == 403
    # htmx sends it as a header
    ok = signed_in.client.post("/web/units/so-y-te/inspection", data={"date": "15/09/2020"},
                               headers={"X-CSRF-Token": signed_in.csrf})
    assert ok.status_code == 303


def test_signing_out_ends_the_session(signed_in, services):
    cookie = signed_in.client.cookies[COOKIE]
    out = signed_in.post("/web/signout")
    assert out.status_code == 200 and texts.SIGNED_OUT in text_of(out.text)
    signed_in.client.cookies.set(COOKIE, cookie, path="/web")  # a copy of the old cookie
    assert signed_in.get("/web/").status_code == 401
    with services.store.session() as s:
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]
    assert actions == ["signin_link", "signin", "signout"]


def test_pages_forbid_inline_scripts_and_framing(signed_in):
    page = signed_in.get("/web/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


async def test_staff_get_a_link_with_web_in_the_chat_and_others_do_not(talk, services):
    from support import Talk

    answer = Talk.text(await talk("staff", "/web"))
    assert "/web/signin/" in answer.splitlines()[1] and "10 phút" in answer
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("someone", "/web"))
    with services.store.session() as s:
        links = s.exec(select(WebSignInLink)).all()
    assert len(links) == 1


def test_a_form_larger_than_the_file_limit_is_refused_before_it_is_read(signed_in, services):
    services.max_file_bytes["web"] = 1024
    big = {"document": ("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), "application/pdf")}
    refused = signed_in.post("/web/broadcasts/preview", {"audience": "0", "text": "x"}, files=big)
    assert refused.status_code == 413 and texts.TOO_LARGE in text_of(refused.text)


async def test_a_console_staff_member_signs_in_to_the_pages_another_process_serves(services, router, web_app):
    import re

    from support import Talk

    from bot.channels.console import console_identity

    user = console_identity(services, None, True)  # ``agency-bot chat --staff``
    answer = Talk.text(await Talk(services, router, channel="console")(user, "/web"))
    token = re.search(r"/web/signin/(\S+)", answer).group(1)
    services.staff_ids.pop("console")  # ``agency-bot run`` never saw that terminal
    with Browser(web_app, services) as b:
        assert b.client.post("/web/signin", data={"token": token}).status_code == 303
        assert b.get("/web/").status_code == 200
