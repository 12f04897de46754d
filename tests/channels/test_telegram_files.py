"""Files from Telegram: streamed downloads, limits, photos, and the whole submission path."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pytest
from data.files import samples
from fakes.telegram_api import document_update, photo_update, text_update
from telegram_env import STAFF, register_via_deep_link, texts

from handlers.types import FileTooLarge, Reply
from messages.texts import submissions as sub_texts
from messages.texts import telegram as tg_texts

USER = 5550001
MB = 1024 * 1024


def fetching_handler(router, tmp_path, seen: list, max_bytes: int = 10 * MB):
    """A stand-in file handler: fetch to disk and answer the digest (checks the adapter alone)."""

    @router.on_file
    async def on_file(ctx):
        incoming = ctx.inbound.file
        dest = tmp_path / f"got-{len(seen)}"
        try:
            await incoming.fetch(dest, max_bytes)
        except FileTooLarge as exc:
            seen.append((incoming, None, exc))
            return [Reply(f"quá lớn: {exc}")]
        seen.append((incoming, dest.read_bytes(), None))
        return [Reply(hashlib.sha256(dest.read_bytes()).hexdigest())]


# ---- the adapter's fetch ----------------------------------------------------------------------
async def test_a_document_is_streamed_to_disk_with_its_name_size_and_type(fake, bot, router, tmp_path):
    seen: list = []
    fetching_handler(router, tmp_path, seen)
    data = samples.pdf() * 40  # > one 64 KiB chunk
    fake.add_file("doc-1", data, chunked=True)
    name = unicodedata.normalize("NFD", "Báo cáo tự kiểm tra.pdf")  # as macOS sends it
    answer = await fake.converse(document_update(USER, "doc-1", name, size=len(data)))
    assert texts(answer) == hashlib.sha256(data).hexdigest()
    incoming, content, _ = seen[0]
    assert content == data
    assert (incoming.name, incoming.size, incoming.mime, incoming.kind) == (name, len(data), "application/pdf",
                                                                            "document")
    assert [c.ok for c in fake.calls_to("download")] == [True]


async def test_a_photo_is_its_largest_size_named_after_its_unique_id(fake, bot, router, tmp_path):
    seen: list = []
    fetching_handler(router, tmp_path, seen)
    big = samples.jpeg() + b"\0" * 5000
    fake.add_file("ph-s", samples.jpeg())
    fake.add_file("ph-l", big)
    await fake.converse(photo_update(USER, [("ph-s", "AQADs", 300), ("ph-l", "AQADl", len(big))]))
    incoming, content, _ = seen[0]
    assert (incoming.name, incoming.kind, incoming.mime, incoming.size) == ("anh_AQADl.jpg", "photo", "image/jpeg",
                                                                            len(big))
    assert content == big


async def test_a_declared_size_over_the_limit_is_refused_before_any_download(fake, bot, tmp_path):
    fake.add_file("doc-2", b"x" * 5000)
    incoming = bot.files.document(_document("doc-2", 5000))
    with pytest.raises(FileTooLarge):
        await incoming.fetch(tmp_path / "never", 1000)
    assert fake.calls_to("getFile") == [] and not (tmp_path / "never").exists()


async def test_telegram_refusing_a_big_file_becomes_file_too_large(fake, bot, tmp_path):
    fake.add_file("doc-3", b"%PDF-1.4 small", declared_size=21 * MB)  # getFile: "file is too big"
    incoming = bot.files.document(_document("doc-3", None))
    with pytest.raises(FileTooLarge) as caught:
        await incoming.fetch(tmp_path / "never", 50 * MB)
    assert str(caught.value) == tg_texts.FILE_TOO_BIG_CLOUD.format(limit_mb=20)
    assert [c.status for c in fake.calls_to("getFile")] == [400]


async def test_a_file_growing_past_the_limit_while_streaming_is_cut_and_removed(fake, bot, tmp_path):
    fake.add_file("doc-4", b"y" * (300 * 1024), declared_size=1000, chunked=True)  # lies about its size
    incoming = bot.files.document(_document("doc-4", 1000))
    dest = tmp_path / "partial"
    with pytest.raises(FileTooLarge):
        await incoming.fetch(dest, 100 * 1024)
    assert not dest.exists()


async def test_a_local_bot_api_server_path_is_read_from_disk(fake, bot, tmp_path):
    source = tmp_path / "telegram-bot-api" / "documents" / "file_9.pdf"
    source.parent.mkdir(parents=True)
    source.write_bytes(samples.pdf())
    fake.add_file("doc-5", samples.pdf(), file_path=str(source))  # what `--local` mode answers
    dest = tmp_path / "copy.pdf"
    await bot.files.document(_document("doc-5", None)).fetch(dest, MB)
    assert dest.read_bytes() == samples.pdf() and fake.calls_to("download") == []


def test_only_the_cloud_api_caps_downloads_at_20_mb(fake, services, router, tmp_path):
    from bot.channels.telegram import TelegramChannel
    from telegram_env import tg_settings

    cloud = TelegramChannel(tg_settings(fake, tmp_path, telegram_api_base_url=None,
                                        telegram_api_base_file_url=None), services, router)
    local = TelegramChannel(tg_settings(fake, tmp_path), services, router)
    assert cloud.files.limit(100 * MB) == 20 * MB and local.files.limit(100 * MB) == 100 * MB


def _document(file_id: str, size: int | None):
    from telegram import Document

    return Document(file_id, f"u-{file_id}", file_name="bc.pdf", mime_type="application/pdf", file_size=size)


# ---- through the real submission handler ----------------------------------------------------------
async def test_pdf_receipt_duplicate_exe_photo_and_status_end_to_end(fake, bot):
    await register_via_deep_link(fake, USER, "Sở Y tế")  # owes the self-check report by 30/9/2020
    pdf = samples.pdf()
    fake.add_file("pdf-1", pdf)
    receipt = texts(await fake.converse(document_update(USER, "pdf-1", "Báo cáo tự kiểm tra.pdf", size=len(pdf))))
    assert "BIÊN NHẬN" in receipt and "Sở Y tế" in receipt and "01/09/2020 09:00" in receipt, receipt
    number = re.search(r"Số: (\S+)", receipt).group(1)

    fake.add_file("pdf-1-again", pdf)  # the same content sent again (Telegram gives a new file_id)
    again = texts(await fake.converse(document_update(USER, "pdf-1-again", "bc (1).pdf", size=len(pdf))))
    assert "đã nhận ngày" in again and number in again, again

    exe = samples.exe()
    fake.add_file("exe-1", exe)
    refused = texts(await fake.converse(document_update(USER, "exe-1", "baocao.pdf", size=len(exe))))
    assert refused == sub_texts.REFUSED["executable"].format(name="baocao.pdf", formats=sub_texts.ACCEPTED_FORMATS)

    status = texts(await fake.converse(text_update(USER, "/trangthai")))
    assert number in status, status
    overview = texts(await fake.converse(text_update(STAFF, "/tonghop")))
    assert "đúng hạn 1" in overview, overview
    full = texts(await fake.tap(STAFF, "đầy đủ"))  # the staff's button, through a real callback query
    assert "Sở Y tế" in full, full


async def test_over_limit_files_are_refused_with_the_limit(fake, bot):
    await register_via_deep_link(fake, USER, "Sở Y tế")
    declared = texts(await fake.converse(document_update(USER, "huge", "scan.pdf", size=25 * MB)))
    assert declared == sub_texts.TOO_LARGE.format(name="scan.pdf", limit=20)
    fake.add_file("huge-2", b"%PDF-1.4", declared_size=21 * MB)  # size unknown in the message
    refused = texts(await fake.converse(document_update(USER, "huge-2", "scan2.pdf", size=None)))
    assert refused == sub_texts.TOO_LARGE.format(name="scan2.pdf", limit=20)


async def test_a_photo_is_accepted_as_a_scan(fake, bot):
    await register_via_deep_link(fake, USER, "Sở Y tế")
    picture = samples.png(40, 30)
    fake.add_file("photo-l", picture)
    answer = texts(await fake.converse(photo_update(USER, [("photo-l", "AQADphoto", len(picture))])))
    assert "BIÊN NHẬN" in answer, answer
