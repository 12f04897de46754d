"""Zalo outbound: splitting, buttons and typed choices, documents and links, error mapping, attachments in."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fakes.zalo_api import ZaloRig, zalo_settings
from sqlmodel import select

from bot.channels.zalo_api import ZaloTransient
from bot.channels.zalo_files import FileRefused, fetch_attachment, host_allowed
from bot.channels.zalo_render import split_text, zlen
from bot.delivery import OutMessage, Rejected, RetryLater, Uncertain, Unreachable
from handlers.router import Router, takes_args
from handlers.types import FileTooLarge, Reply
from messages.texts import zalo as zalo_texts
from storage.models import OutgoingMessage

PARAGRAPH = "Đoạn {n}: " + "các cơ quan, địa phương tổ chức tự kiểm tra công tác cải cách hành chính. " * 6


def long_text() -> str:
    return "\n\n".join(PARAGRAPH.format(n=n).strip() for n in range(1, 13))


def own_router() -> Router:
    """A router of our own: the adapter's behaviour must not depend on other capabilities."""
    router = Router()

    @router.on_text
    async def echo_long(ctx):
        return [Reply(long_text())]

    @router.command("chon", role="any", description="test")
    @takes_args
    async def chon(ctx):
        n = int(ctx.args or 3)
        return [Reply("Chọn một mục:", options=[ctx.option(f"Mục số {i}", "pick", i=i) for i in range(1, n + 1)])]

    @router.action("pick", role="any")
    async def pick(ctx, payload):
        return [Reply(f"Đã chọn mục {payload['i']}")]

    @router.command("tep", role="any", description="test")
    @takes_args
    async def tep(ctx):
        return [Reply("Tệp của anh/chị:", document=Path(ctx.args), document_name=Path(ctx.args).name)]

    return router


@pytest.fixture
def zalo_router():
    return own_router()


# ---- text ------------------------------------------------------------------------------------
def test_split_text_cuts_at_paragraphs_then_lines_then_words():
    text = long_text()
    parts = split_text(text, 2000)
    assert len(parts) >= 3 and all(zlen(p) <= 2000 for p in parts)
    assert "\n\n".join(parts) == text  # nothing lost, cut between paragraphs
    lines = "\n".join(["dòng " + "x" * 50] * 100)
    assert "\n".join(split_text(lines, 500)) == lines
    words = " ".join(["chữ"] * 1000)
    parts = split_text(words, 300)
    assert " ".join(parts) == words and all(zlen(p) <= 300 for p in parts)
    blob = "a" * 4500
    assert split_text(blob, 2000) == ["a" * 2000, "a" * 2000, "a" * 500]
    assert split_text("😀" * 1500, 2000) == ["😀" * 1000, "😀" * 500]  # Zalo counts UTF-16 units
    assert split_text("   ") == []


async def test_a_long_answer_arrives_in_parts_of_at_most_2000(rig, zalo):
    sent = await rig.say("111", "một câu hỏi dài")
    assert len(sent) >= 3
    assert all(zlen(s.text) <= 2000 for s in sent)
    assert "\n\n".join(s.text for s in sent) == long_text()


# ---- options ----------------------------------------------------------------------------------
async def test_up_to_five_options_are_oa_query_show_buttons_and_a_tap_chooses(rig, zalo):
    sent = await rig.say("111", "chon 3")
    assert len(sent) == 1
    buttons = sent[0].buttons
    assert [b["title"] for b in buttons] == ["Mục số 1", "Mục số 2", "Mục số 3"]
    assert {b["type"] for b in buttons} == {"oa.query.show"}
    assert all(b["payload"].startswith("#c:") for b in buttons)
    # Zalo sends a tapped oa.query.show back as user_send_text whose text is the payload
    sent = await rig.say("111", buttons[1]["payload"])
    assert [s.text for s in sent] == ["Đã chọn mục 2"]


async def test_someone_elses_button_payload_does_nothing_for_them(rig, zalo):
    buttons = (await rig.say("111", "chon 2"))[0].buttons
    sent = await rig.say("222", buttons[0]["payload"])
    assert "Đã chọn" not in ZaloRig.joined(sent)


async def test_more_than_five_options_are_numbered_and_typed_back(rig, zalo):
    sent = await rig.say("111", "chon 7")
    assert all(not s.buttons for s in sent)
    text = ZaloRig.joined(sent)
    assert "1. Mục số 1" in text and "7. Mục số 7" in text and zalo_texts.OPTIONS_HINT in text
    assert [s.text for s in await rig.say("111", "6")] == ["Đã chọn mục 6"]
    # the answer had no options: numbers mean nothing any more
    assert "Đã chọn" not in ZaloRig.joined(await rig.say("111", "2"))
    await rig.say("111", "chon 7")
    assert [s.text for s in await rig.say("111", " 7. ")] == ["Đã chọn mục 7"]
    await rig.say("111", "chon 7")
    assert [s.text for s in await rig.say("111", "muc so 3")] == ["Đã chọn mục 3"]  # the label, folded
    await rig.say("111", "chon 7")
    assert "Đã chọn" not in ZaloRig.joined(await rig.say("111", "9"))  # out of range: just text


async def test_digits_also_work_with_buttons(rig, zalo):
    await rig.say("111", "chon 4")
    assert [s.text for s in await rig.say("111", "4")] == ["Đã chọn mục 4"]


# ---- documents ----------------------------------------------------------------------------------
async def test_a_pdf_is_uploaded_then_sent_as_a_file(rig, zalo, tmp_path):
    pdf = tmp_path / "Báo cáo.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 1000)
    await rig.channel.deliver("111", OutMessage("Kèm theo báo cáo", pdf, "Báo cáo tự kiểm tra.pdf"))
    assert [u["name"] for u in zalo.uploads] == ["Báo cáo tự kiểm tra.pdf"]
    assert zalo.uploads[0]["content"] == pdf.read_bytes()
    sent = zalo.to("111")
    assert sent[0].text == "Kèm theo báo cáo"
    assert sent[1].file_token == zalo.uploads[0]["token"]
    upload_call = next(c for c in zalo.calls if c.path == "upload")
    assert upload_call.headers["access_token"] in zalo.valid_access


async def test_one_upload_serves_a_broadcast_of_the_same_document(rig, zalo, tmp_path):
    pdf = tmp_path / "thong-bao.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"y" * 100)
    for user in ("111", "222", "333"):
        await rig.channel.deliver(user, OutMessage("Thông báo", pdf, "thong-bao.pdf"))
    assert len(zalo.uploads) == 1
    assert {s.user_id for s in zalo.sent if s.file_token} == {"111", "222", "333"}


async def test_an_xlsx_goes_as_a_signed_expiring_link_the_bot_serves(rig, zalo, tmp_path, clock):
    xlsx = tmp_path / "tong-hop.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"z" * 2000)
    await rig.channel.deliver("z-staff", OutMessage("Bảng tổng hợp", xlsx, "Tổng hợp nộp báo cáo.xlsx"))
    assert zalo.uploads == []
    text = zalo.texts("z-staff")[0]
    assert text.startswith("Bảng tổng hợp\n\nTải tệp Tổng hợp nộp báo cáo.xlsx: ")
    url = text.split(": ", 1)[1].split()[0]
    assert url.startswith(rig.base_url + "/zalo/files/") and "sig=" in url and "exp=" in url
    async with httpx.AsyncClient() as client:
        ok = await client.get(url)
        assert ok.status_code == 200 and ok.content == xlsx.read_bytes()
        assert "attachment" in ok.headers["content-disposition"]
        xlsx.unlink()  # the link serves the bot's own copy, not the caller's (maybe temporary) file
        assert (await client.get(url)).status_code == 200
        assert (await client.get(url.replace("sig=", "sig=0"))).status_code == 403
        assert (await client.get(url.replace("exp=", "exp=9"))).status_code == 403
        other = url.replace("T%E1%BB%95ng", "Tong")
        assert (await client.get(other)).status_code == 403
        clock.advance(days=8)
        assert (await client.get(url)).status_code == 410


async def test_a_pdf_over_5_mb_goes_as_a_link(rig, zalo, tmp_path):
    big = tmp_path / "lon.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    await rig.channel.deliver("111", OutMessage("Tệp lớn", big, "lon.pdf"))
    assert zalo.uploads == []
    assert "/zalo/files/" in zalo.texts("111")[0]


async def test_a_reply_with_a_document_uses_the_same_road(rig, zalo, tmp_path):
    doc = tmp_path / "mau.docx"
    doc.write_bytes(b"PK\x03\x04docx")
    sent = await rig.say("111", f"tep {doc}")
    assert sent[0].text == "Tệp của anh/chị:" and sent[1].file_token


# ---- errors -------------------------------------------------------------------------------------
async def test_a_quota_error_is_rejected_with_its_reason(rig, zalo):
    zalo.fail(12002, "Daily quota limited", user_id="222")
    await rig.channel.deliver("111", OutMessage("Nhắc hạn"))
    with pytest.raises(Rejected) as caught:
        await rig.channel.deliver("222", OutMessage("Nhắc hạn"))
    assert "12002" in caught.value.reason
    await rig.channel.deliver("333", OutMessage("Nhắc hạn"))
    assert [s.user_id for s in zalo.sent] == ["111", "333"]


@pytest.mark.parametrize("code", [-230, -232, 12000, 12010, -211])
async def test_window_and_quota_errors_are_rejected(rig, zalo, code):
    zalo.fail(code, "refused")
    with pytest.raises(Rejected):
        await rig.channel.deliver("111", OutMessage("Nhắc hạn"))


@pytest.mark.parametrize("code", [-213, -217])
async def test_a_user_who_unfollowed_or_blocked_is_unreachable(rig, zalo, code):
    zalo.fail(code, "User has not followed OA")
    with pytest.raises(Unreachable):
        await rig.channel.deliver("111", OutMessage("Nhắc hạn"))


async def test_http_429_asks_to_retry_later_and_5xx_is_transient(rig, zalo):
    zalo.fail_http(429)
    with pytest.raises(RetryLater):
        await rig.channel.deliver("111", OutMessage("a"))
    zalo.fail_http(503)
    with pytest.raises(ZaloTransient):
        await rig.channel.deliver("111", OutMessage("a"))
    await rig.channel.deliver("111", OutMessage("a"))
    assert zalo.texts("111") == ["a"]


async def test_a_retry_after_a_transient_failure_skips_the_parts_already_sent(rig, zalo):
    text = long_text()
    parts = split_text(text)
    zalo.fail(-100, "Unknown error", times=1)  # the first part fails...
    zalo.sent.clear()
    with pytest.raises(ZaloTransient):
        await rig.channel.deliver("111", OutMessage(text))
    await rig.channel.deliver("111", OutMessage(text))
    assert zalo.texts("111") == parts
    # now the second part fails: the retry must not send the first again
    zalo.sent.clear()
    original = zalo._fault_for
    calls = {"n": 0}

    def second_fails(user_id):
        calls["n"] += 1
        return original(user_id) if calls["n"] != 2 else type("F", (), {"code": -100, "message": "x"})()

    zalo._fault_for = second_fails
    with pytest.raises(ZaloTransient):
        await rig.channel.deliver("111", OutMessage(text))
    await rig.channel.deliver("111", OutMessage(text))
    assert zalo.texts("111") == parts


async def test_a_reply_that_cannot_go_now_waits_in_the_outbox(rig, zalo, services):
    zalo.fail_http(503)
    await rig.say("111", "chon 7")
    with services.store.session() as s:
        rows = s.exec(select(OutgoingMessage).where(OutgoingMessage.channel == "zalo")).all()
    assert len(rows) == 1 and rows[0].key.startswith("zalo-reply:") and rows[0].chat_id == "111"
    assert "7. Mục số 7" in rows[0].text
    await rig.channel.deliver("111", OutMessage(rows[0].text))
    assert [s.text for s in await rig.say("111", "5")] == ["Đã chọn mục 5"]


# ---- attachments in ------------------------------------------------------------------------------
def test_host_allow_list():
    hosts = [".zadn.vn", "dl.zalo.me", "127.0.0.1"]
    assert host_allowed("https://f21-zpc.zadn.vn/a/b.pdf", hosts)
    assert host_allowed("https://zadn.vn/x", hosts)
    assert host_allowed("https://dl.zalo.me/x", hosts)
    assert host_allowed("http://127.0.0.1:8000/files/x", hosts)
    assert not host_allowed("https://evil.zalo.me/x", hosts)
    assert not host_allowed("https://zadn.vn.evil.com/x", hosts)
    assert not host_allowed("https://evilzadn.vn/x", hosts)
    assert not host_allowed("ftp://f21.zadn.vn/x", hosts)
    assert not host_allowed("https://user@localhost/x", hosts)
    assert not host_allowed("not a url", hosts)


async def test_fetch_streams_from_allowed_hosts_only(zalo, tmp_path):
    url = zalo.add_file("bc.pdf", b"%PDF" + b"1" * 5000)
    hosts = ["127.0.0.1"]
    async with httpx.AsyncClient() as http:
        dest = tmp_path / "ok.bin"
        await fetch_attachment(http, url, hosts, dest, 10_000)
        assert dest.read_bytes() == zalo.files["bc.pdf"]
        # the size is enforced while streaming; no half file is left behind
        dest = tmp_path / "big.bin"
        with pytest.raises(FileTooLarge):
            await fetch_attachment(http, url, hosts, dest, 4_000)
        assert not dest.exists()
        # a redirect inside the allow-list is followed, one leaving it is refused
        inside = f"{zalo.url}/redirect?to={url}"
        await fetch_attachment(http, inside, hosts, tmp_path / "r.bin", 10_000)
        outside = f"{zalo.url}/redirect?to={url.replace('127.0.0.1', 'localhost')}"
        with pytest.raises(FileRefused):
            await fetch_attachment(http, outside, hosts, tmp_path / "r2.bin", 10_000)
        assert not (tmp_path / "r2.bin").exists()
        with pytest.raises(FileRefused):
            await fetch_attachment(http, url.replace("127.0.0.1", "localhost"), hosts, tmp_path / "x", 10_000)


async def test_a_file_from_a_host_off_the_allow_list_is_never_fetched(rig, zalo):
    received = []

    async def on_file(ctx):
        received.append(ctx)
        return [Reply("nhận")]

    rig.router.on_file(on_file)
    body = rig.hook.file("111", "https://evil.example.com/bc.pdf", "bc.pdf", 1000)
    assert (await rig.post(body)).status_code == 200
    assert received == []
    assert zalo.texts("111") == [zalo_texts.FILE_HOST_REFUSED]


async def test_files_and_images_reach_the_file_handler_with_a_working_fetch(rig, zalo, tmp_path):
    seen = []

    async def on_file(ctx):
        dest = tmp_path / f"got-{len(seen)}"
        await ctx.inbound.file.fetch(dest, 1_000_000)
        seen.append((ctx.inbound.file, dest.read_bytes(), ctx.inbound.text))
        return [Reply("đã nhận")]

    rig.router.on_file(on_file)
    pdf_url = zalo.add_file("bao-cao.pdf", b"%PDF-1.7 test")
    jpg_url = zalo.add_file("anh.jpg", b"\xff\xd8\xff\xe0jpg")
    await rig.post(rig.hook.file("111", pdf_url, "Báo cáo tự kiểm tra.pdf", 13))
    await rig.post(rig.hook.image("111", jpg_url, text="ảnh biên bản"))
    doc, image = seen
    assert (doc[0].name, doc[0].size, doc[0].kind, doc[0].mime) == ("Báo cáo tự kiểm tra.pdf", 13, "document",
                                                                     "application/pdf")
    assert doc[1] == b"%PDF-1.7 test"
    assert (image[0].kind, image[0].name, image[1], image[2]) == ("photo", "anh.jpg", b"\xff\xd8\xff\xe0jpg",
                                                                  "ảnh biên bản")
    assert zalo.texts("111") == ["đã nhận", "đã nhận"]


async def test_broken_download_links_are_cleaned_up(rig, tmp_path, clock):
    xlsx = tmp_path / "a.xlsx"
    xlsx.write_bytes(b"PK")
    rig.channel.links.create(xlsx, "a.xlsx")
    root = rig.channel.links.root
    assert len(list(root.iterdir())) == 1
    clock.advance(days=8)
    assert rig.channel.links.purge() == 1
    assert list(root.iterdir()) == []
    assert timedelta(seconds=rig.channel.links.ttl_s) >= timedelta(days=7)


# ---- one copy per document, not one per recipient --------------------------------------------------
def link_in(text: str) -> str:
    return text.split(": ", 1)[1].split()[0]


async def test_a_broadcast_of_one_document_makes_one_copy_and_every_link_works(rig, zalo, tmp_path, clock):
    xlsx = tmp_path / "tong-hop.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"t" * 3000)
    users = [f"u{n}" for n in range(12)]
    for user in users[:6]:
        await rig.channel.deliver(user, OutMessage("Bảng tổng hợp", xlsx, "tong-hop.xlsx", ident=f"row:{user}"))
    # the sender runs deliveries side by side: they wait for the one copy instead of making their own
    await asyncio.gather(*(rig.channel.deliver(u, OutMessage("Bảng tổng hợp", xlsx, "tong-hop.xlsx",
                                                             ident=f"row:{u}")) for u in users[6:]))
    root = rig.channel.links.root
    assert rig.channel.links.copies == 1 and len(list(root.iterdir())) == 1
    urls = [link_in(zalo.texts(u)[0]) for u in users]
    assert len(urls) == 12
    async with httpx.AsyncClient() as client:
        for url in urls:
            got = await client.get(url)
            assert got.status_code == 200 and got.content == xlsx.read_bytes()

    # a new version of the file is another document: another copy, and the old links keep the old file
    xlsx.write_bytes(b"PK\x03\x04" + b"v" * 10)
    await rig.channel.deliver("u0", OutMessage("Bản mới", xlsx, "tong-hop.xlsx"))
    assert rig.channel.links.copies == 2
    async with httpx.AsyncClient() as client:
        assert (await client.get(link_in(zalo.texts("u0")[-1]))).content == xlsx.read_bytes()
        assert (await client.get(urls[0])).content == b"PK\x03\x04" + b"t" * 3000

    # a day later the next recipient gets a fresh copy: no link handed out lives less than six days
    clock.advance(days=1, seconds=1)
    await rig.channel.deliver("u99", OutMessage("Bản mới", xlsx, "tong-hop.xlsx"))
    assert rig.channel.links.copies == 3
    exp = int(link_in(zalo.texts("u99")[0]).split("exp=")[1].split("&")[0])
    assert exp - clock.real_now().timestamp() > 6.9 * 24 * 3600


async def test_concurrent_deliveries_of_one_pdf_upload_it_once(rig, zalo, tmp_path):
    pdf = tmp_path / "thong-bao.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"c" * 500)
    await asyncio.gather(*(rig.channel.deliver(str(u), OutMessage("Thông báo", pdf, "thong-bao.pdf"))
                           for u in range(8)))
    assert len(zalo.uploads) == 1
    assert len({s.user_id for s in zalo.sent if s.file_token}) == 8


async def test_expired_copies_are_purged_by_housekeeping_not_by_sending(zalo, services, tmp_path):
    old = tmp_path / "zalo-links" / "1000-oldcopy"
    old.mkdir(parents=True)
    (old / "a.xlsx").write_bytes(b"PK")
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, own_router()) as rig:
        for _ in range(200):
            if not old.exists():
                break
            await asyncio.sleep(0.01)
        assert not old.exists()  # the housekeeping task ran at start, in a thread
        assert rig.channel._housekeeping_task is not None and not rig.channel._housekeeping_task.done()


async def test_a_forged_link_is_refused_in_vietnamese(rig, zalo, tmp_path):
    xlsx = tmp_path / "x.xlsx"
    xlsx.write_bytes(b"PK")
    await rig.channel.deliver("111", OutMessage("", xlsx, "x.xlsx"))
    url = link_in(zalo.texts("111")[0])
    async with httpx.AsyncClient() as client:
        refused = await client.get(url.replace("sig=", "sig=f"))
    assert refused.status_code == 403 and refused.text == zalo_texts.DOWNLOAD_FORBIDDEN


async def test_a_missing_document_is_rejected_without_its_name_in_the_logs(rig, zalo, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    gone = tmp_path / "Nguyễn Văn Bình - báo cáo.xlsx"
    with pytest.raises(Rejected) as caught:
        await rig.channel.deliver("111", OutMessage("Báo cáo", gone, gone.name))
    assert caught.value.reason == zalo_texts.REJECT_DOCUMENT_MISSING
    assert "Nguy" not in caplog.text and "Bình" not in caplog.text and ".xlsx #" in caplog.text
    assert zalo.sent == []


# ---- retries resume by the outbox row, replies never resend a part -----------------------------------
def second_part_fails(zalo, exc_code=-100):
    original = zalo._fault_for
    calls = {"n": 0}

    def fault(user_id):
        calls["n"] += 1
        return original(user_id) if calls["n"] != 2 else type("F", (), {"code": exc_code, "message": "x"})()

    zalo._fault_for = fault


async def test_a_retried_row_resumes_by_its_id_and_another_row_starts_over(rig, zalo):
    text = long_text()
    parts = split_text(text)
    second_part_fails(zalo)
    with pytest.raises(ZaloTransient):
        await rig.channel.deliver("111", OutMessage(text, ident="row:7"))
    await rig.channel.deliver("111", OutMessage(text, ident="row:7"))
    assert zalo.texts("111") == parts
    # another row with the same words (a second notice) is sent whole
    await rig.channel.deliver("111", OutMessage(text, ident="row:8"))
    assert zalo.texts("111") == parts + parts


async def test_a_reply_cut_short_queues_only_what_did_not_go(rig, zalo, services):
    @rig.router.command("dai", role="any", description="test")
    async def dai(ctx):
        return [Reply(long_text(), options=[ctx.option("Đồng ý", "pick", i=1), ctx.option("Không", "pick", i=2)])]

    parts = split_text(long_text())
    second_part_fails(zalo)
    await rig.say("111", "dai")
    assert zalo.texts("111") == parts[:1]
    with services.store.session() as s:
        rows = s.exec(select(OutgoingMessage).where(OutgoingMessage.channel == "zalo")).all()
    assert len(rows) == 1
    assert not rows[0].text.startswith(parts[0])  # the part that went is not queued again
    assert rows[0].text.startswith(parts[1]) and "1. Đồng ý" in rows[0].text and "2. Không" in rows[0].text
    await rig.channel.deliver("111", OutMessage(rows[0].text, ident=f"row:{rows[0].id}"))
    got = "\n\n".join(zalo.texts("111"))
    for part in parts:
        assert got.count(part) == 1  # every part once, none twice
    assert [s.text for s in await rig.say("111", "2")] == ["Đã chọn mục 2"]  # the numbers work


async def test_a_reply_part_that_may_have_arrived_is_not_queued_again(rig, zalo, services, monkeypatch):
    parts = split_text(long_text())
    send = rig.channel.api.send
    calls = {"n": 0}

    async def flaky(user_id, message):
        calls["n"] += 1
        if calls["n"] == 2:
            await send(user_id, message)  # it arrived, but the answer was lost
            raise Uncertain("read timeout after sending")
        return await send(user_id, message)

    monkeypatch.setattr(rig.channel.api, "send", flaky)
    await rig.say("111", "một câu hỏi dài")
    with services.store.session() as s:
        rows = s.exec(select(OutgoingMessage).where(OutgoingMessage.channel == "zalo")).all()
    assert len(rows) == 1 and rows[0].text == "\n\n".join(parts[2:])
    await rig.channel.deliver("111", OutMessage(rows[0].text, ident=f"row:{rows[0].id}"))
    assert "\n\n".join(zalo.texts("111")) == long_text()
