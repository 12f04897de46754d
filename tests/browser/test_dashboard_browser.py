"""The staff web pages as a person uses them: a real headless Chromium against ``agency-bot run``'s
composition root (the real Telegram channel, sender and HTTP endpoint) and the local fake Bot API.

Sign in through the one-time link from /web, see the overview, filter the units, open a unit,
download its report and compare the bytes, set an inspection date and see the focal point's notice
arrive at the fake Telegram server, compose and confirm a broadcast and see it delivered, attach an
unanswered question to a topic — with no JavaScript console error, and every page readable at 375 px
(nothing wider than the screen). Screenshots of the overview at 1280 px and 375 px are written to
the test's folder, and to ``$AGENCY_BOT_SCREENSHOTS`` when set (how ``docs/screenshots/`` is made).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import Runtime
from bot.clock import Clock

sys.path.append(str(Path(__file__).parents[1] / "channels"))  # telegram_env: the Telegram tests' set-up
from support import TZ  # noqa: E402
from fakes.telegram_api import FakeBotApi, document_update, text_update  # noqa: E402
from telegram_env import STAFF, register_via_deep_link, texts, tg_settings  # noqa: E402

YT, TC, TP = 6101, 6102, 6103  # focal points of Sở Y tế, Sở Tài chính (inspected directly), Sở Tư pháp
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% bao cao tu kiem tra So Tu phap\ntrailer<<>>\n%%EOF\n"
QUESTION = "vụ tháng chín nộp cái gì ấy nhỉ"
TIMEOUT_MS = 10_000
PAGES = ("/web/", "/web/units", "/web/units/so-tu-phap", "/web/invites", "/web/broadcasts", "/web/questions",
         "/web/audit")


@pytest.fixture
async def running(tmp_path):
    async with FakeBotApi() as fake:
        runtime = Runtime.build(tg_settings(fake, tmp_path / "data", http_port=0),
                                clock=Clock(TZ, datetime(2020, 9, 1, 9, 0, tzinfo=TZ)))
        await runtime.start()
        try:
            yield fake, runtime
        finally:
            await runtime.stop()


async def sign_in_link(fake: FakeBotApi) -> str:
    answer = texts(await fake.converse(text_update(STAFF, "/web")))
    return re.search(r"http://\S+/web/signin/\S+", answer).group(0)


async def test_a_staff_member_runs_the_inspection_from_the_browser(running, chromium, tmp_path):
    from playwright.async_api import expect

    fake, runtime = running
    for user, unit in ((YT, "Sở Y tế"), (TC, "Sở Tài chính"), (TP, "Sở Tư pháp")):
        await register_via_deep_link(fake, user, unit)
    fake.add_file("BQACtp0001", PDF)
    receipt = texts(await fake.converse(document_update(TP, "BQACtp0001", "BC tự kiểm tra STP.pdf", size=len(PDF))))
    assert "BIÊN NHẬN" in receipt
    await fake.converse(text_update(YT, QUESTION))

    context = await chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                         locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    # 1. sign in through the one-time link: it lands on the overview
    link = await sign_in_link(fake)
    base = link.split("/web/")[0]
    await page.goto(link)
    await page.wait_for_url(f"{base}/web/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan tình hình nộp báo cáo")
    first_card = page.locator("section.card").first
    await expect(first_card.locator("tfoot")).to_contain_text("1")
    await expect(first_card.locator("svg polyline.line")).to_have_count(1)
    shots = [await shoot(page, tmp_path, "dashboard-desktop.png")]

    # 2. the units: filter by level (htmx swaps the list), then search as people write
    await page.get_by_role("link", name="Đơn vị", exact=True).click()
    await page.wait_for_url(f"{base}/web/units")
    units = runtime.services.roster().units
    districts = sum(u.level == "district" for u in units)
    await expect(page.locator("#unit-count")).to_have_text(f"{len(units)} trên {len(units)} đơn vị")
    await page.locator("#level").select_option("district")
    await expect(page.locator("#unit-count")).to_have_text(f"{districts} trên {len(units)} đơn vị")
    await expect(page).to_have_url(re.compile(r".*level=district.*"))
    await page.locator("#level").select_option("")
    await expect(page.locator("#unit-count")).to_have_text(f"{len(units)} trên {len(units)} đơn vị")
    await page.locator("#q").fill("so tu phap")
    await expect(page.locator("#unit-count")).to_have_text(f"1 trên {len(units)} đơn vị")
    await expect(page.locator("#unit-list tbody tr").first).to_contain_text("Sở Tư pháp")
    await expect(page).to_have_url(re.compile(r".*q=so(\+|%20)tu(\+|%20)phap.*"))

    # 3. open the unit; download its report and compare the bytes
    await page.locator("#unit-list").get_by_role("link", name="Sở Tư pháp").first.click()
    await page.wait_for_url(f"{base}/web/units/so-tu-phap")
    await expect(page.locator("#submissions")).to_contain_text("BC tự kiểm tra STP.pdf")
    async with page.expect_download() as caught:
        await page.locator("#submissions").get_by_role("link", name="Tải về").first.click()
    download = await caught.value
    assert download.suggested_filename == "BC tự kiểm tra STP.pdf"
    assert Path(await download.path()).read_bytes() == PDF

    # 4. set Sở Tài chính's inspection date: its focal point is told on Telegram
    await page.goto(f"{base}/web/units/so-tai-chinh")
    told_before = len(fake.calls_to("sendMessage", TC, ok=True))
    await page.locator("#inspection-date").fill("15/09/2020")
    await page.locator("#inspection-time").fill("08:30")
    await page.locator("#set-date").click()
    await expect(page.locator(".notice").first).to_contain_text("Đã đặt lịch kiểm tra Sở Tài chính: 15/09/2020 08:30")
    await expect(page.locator("#audit")).to_contain_text("Đặt lịch kiểm tra")
    calls = await fake.wait_for("sendMessage", chat_id=TC, count=told_before + 1)
    assert any("15/09/2020 08:30" in (c.params.get("text") or "") for c in calls[told_before:])

    # 5. compose, preview and confirm a broadcast to the units that have not sent their report
    await page.get_by_role("link", name="Thông báo", exact=True).click()
    labels = await page.locator("#audience option").all_inner_texts()
    await page.locator("#audience").select_option(label=next(x for x in labels if x.startswith("Chưa nộp: BC tự")))
    await page.locator("#notice-text").fill("Đề nghị các đơn vị gửi báo cáo tự kiểm tra đúng hạn.")
    await page.locator("#preview").click()
    await expect(page.locator("#preview-people")).to_contain_text("1 (của 1 đơn vị)")
    before = len(fake.calls_to("sendMessage", YT, ok=True))
    await page.locator("#confirm").click()
    await expect(page.locator(".notice").first).to_contain_text("Đã xác nhận thông báo số 1")
    await fake.wait_for("sendMessage", chat_id=YT, count=before + 1)
    assert any("Đề nghị các đơn vị gửi báo cáo" in t for t in fake.texts(YT))
    assert not any("Đề nghị các đơn vị" in t for t in fake.texts(TP) + fake.texts(TC))

    # 6. attach the unanswered question to a topic (htmx replaces its card with the outcome)
    await page.get_by_role("link", name="Câu hỏi", exact=True).click()
    card = page.locator("ul.questions li", has_text=QUESTION)
    await card.locator("select[name=topic]").select_option("han-bao-cao")
    await card.get_by_role("button", name="Gắn", exact=True).click()
    await expect(page.locator("ul.questions li.done")).to_contain_text("Đã gắn câu hỏi")
    assert "trước ngày 30/9/2020" in texts(await fake.converse(text_update(YT, QUESTION)))

    # 7. a phone: every page fits 375 px (nothing wider than the screen), a question waiting included
    await fake.converse(text_update(YT, "báo cáo"))
    await page.set_viewport_size({"width": 375, "height": 812})
    for path in PAGES:
        await page.goto(base + path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    await page.goto(base + "/web/")
    shots.append(await shoot(page, tmp_path, "dashboard-phone.png"))

    await context.close()
    assert problems == []
    assert all(shot.stat().st_size > 10_000 for shot in shots)


async def shoot(page, folder: Path, name: str) -> Path:
    path = folder / name
    await page.screenshot(path=str(path), full_page=name.endswith("phone.png") is False)
    if target := os.environ.get("AGENCY_BOT_SCREENSHOTS"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / name)
    return path
