"""Self-report intake through the real router, a real SQLite store and real files in tmp."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from support import Talk, register_focal
from data.files import samples
from storage.models import OutgoingMessage, Submission

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RECEIPT = re.compile(r"Số: (KG-2020-\d{6})")
SELF_REPORT = "Báo cáo kết quả tự kiểm tra công tác CCHC năm 2020"


def rows(services) -> list[Submission]:
    with services.store.session() as s:
        return list(s.exec(select(Submission).order_by(Submission.id)).all())


def stored_files(services) -> list[Path]:
    """Kept files (the temp area excluded)."""
    root = services.files.root
    return sorted(p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts) if root.exists() else []


def temp_files(services) -> list[Path]:
    temp = services.files.root / ".tmp"
    return list(temp.iterdir()) if temp.exists() else []


def receipt_of(replies) -> str:
    match = RECEIPT.search(Talk.text(replies))
    assert match, Talk.text(replies)
    return match.group(1)


@pytest.fixture
async def focal(talk):
    """u1: focal point of Sở Y tế (not inspected directly: owes the III.4 report by 30/9/2020)."""
    await register_focal(talk, "u1", "Sở Y tế")
    return "u1"


async def test_a_good_pdf_gets_a_receipt_and_is_kept_by_content(talk, services, focal, caplog):
    events = []
    services.on("submission_received", lambda _s, **data: events.append(data))
    data = samples.pdf()
    caplog.set_level(logging.INFO)
    replies = await talk(focal, file=samples.incoming(data, "Báo cáo tự kiểm tra.pdf"))
    text = Talk.text(replies)
    assert "BIÊN NHẬN" in text and "Sở Y tế" in text and SELF_REPORT in text
    assert "Báo cáo tự kiểm tra.pdf" in text and "01/09/2020 09:00" in text and "ĐÚNG HẠN" in text
    assert "29/09/2020" in text
    receipt = receipt_of(replies)
    [row] = rows(services)
    sha = hashlib.sha256(data).hexdigest()
    assert (row.receipt_no, row.unit_code, row.deliverable_id) == (receipt, "so-y-te", "bao-cao-tu-kiem-tra")
    assert row.sha256 == sha and row.size == len(data) and row.detected_type == "pdf" and row.on_time
    assert row.stored_path == f"{sha[:2]}/{sha[2:4]}/{sha}.pdf"
    assert (services.files.root / row.stored_path).read_bytes() == data
    assert stored_files(services) == [services.files.root / row.stored_path] and not temp_files(services)
    assert row.received_at.astimezone(TZ) == datetime(2020, 9, 1, 9, 0, tzinfo=TZ)
    assert events == [{"unit_code": "so-y-te", "deliverable_id": "bao-cao-tu-kiem-tra"}]
    logged = [r.getMessage() for r in caplog.records if r.name == "agency_bot.submissions"]
    assert any(receipt in m and "unit=so-y-te" in m and "type=pdf" in m for m in logged)


async def test_the_same_file_again_is_recognised_without_a_new_row(talk, services, clock, focal):
    data = samples.pdf()
    receipt = receipt_of(await talk(focal, file=samples.incoming(data, "bc.pdf")))
    clock.advance(days=2)
    text = Talk.text(await talk(focal, file=samples.incoming(data, "bc (1).pdf")))
    assert f"đã nhận ngày 01/09/2020 09:00 với số {receipt}" in text
    assert "BIÊN NHẬN" not in text
    assert len(rows(services)) == 1 and len(stored_files(services)) == 1 and not temp_files(services)


async def test_a_new_version_supersedes_and_keeps_history(talk, services, clock, focal):
    first = receipt_of(await talk(focal, file=samples.incoming(samples.pdf("ban 1"), "bc.pdf")))
    clock.advance(days=1, hours=2)
    replies = await talk(focal, file=samples.incoming(samples.pdf("ban 2"), "bc-sua.pdf"))
    second = receipt_of(replies)
    assert second != first
    assert f"thay thế bản số {first} nhận ngày 01/09/2020 09:00" in Talk.text(replies)
    old, new = rows(services)
    assert old.superseded_by == new.id and new.superseded_by is None
    assert len(stored_files(services)) == 2  # both versions kept
    # sending the old version again: recognised, not silently made current; it can be re-instated
    text = Talk.text(await talk(focal, file=samples.incoming(samples.pdf("ban 1"), "bc.pdf")))
    assert first in text and f"thay bằng bản số {second}" in text
    assert len(rows(services)) == 2
    [restore] = [o for r in talk.last for o in r.options]
    replies = await talk(focal, choice=restore.choice_id)
    third = receipt_of(replies)
    assert f"thay thế bản số {second}" in Talk.text(replies)
    with services.store.session() as s:
        current = s.exec(select(Submission).where(Submission.superseded_by.is_(None))).all()
    assert [c.receipt_no for c in current] == [third]
    assert len(stored_files(services)) == 2  # same content, same file
    assert "đã được xử lý" in Talk.text(await talk(focal, choice=restore.choice_id))  # a double tap


@pytest.mark.parametrize("content", [samples.exe, samples.elf, samples.script], ids=["exe", "elf", "script"])
async def test_a_program_renamed_pdf_is_refused(talk, services, focal, content):
    text = Talk.text(await talk(focal, file=samples.incoming(content(), "bao-cao.pdf", mime="application/pdf")))
    assert "chương trình" in text and "từ chối" in text and "BIÊN NHẬN" not in text
    assert rows(services) == [] and stored_files(services) == [] and not temp_files(services)


async def test_a_zip_carrying_a_program_is_refused(talk, services, focal):
    data = samples.zip_of({"scan1.jpg": samples.jpeg(), "setup.exe": samples.exe()})
    text = Talk.text(await talk(focal, file=samples.incoming(data, "scans.zip")))
    assert "chứa tệp chương trình" in text and rows(services) == []


async def test_unknown_and_damaged_files_are_refused_with_the_accepted_formats(talk, services, focal):
    text = Talk.text(await talk(focal, file=samples.incoming(b"plain text, not a report", "bc.pdf")))
    assert "không đúng định dạng" in text and "PDF, Word" in text
    text = Talk.text(await talk(focal, file=samples.incoming(samples.docx()[:300], "bc.docx")))
    assert "bị lỗi" in text
    text = Talk.text(await talk(focal, file=samples.incoming(samples.encrypted_office(), "bc.docx")))
    assert "mật khẩu" in text
    text = Talk.text(await talk(focal, file=samples.incoming(samples.docm(), "bc.docm")))
    assert "có chứa macro" in text and "bc.docm" in text
    assert rows(services) == [] and stored_files(services) == []


async def test_an_empty_file_is_refused(talk, services, focal):
    text = Talk.text(await talk(focal, file=samples.incoming(b"", "bc.pdf")))
    assert "rỗng" in text and "bc.pdf" in text
    assert rows(services) == [] and stored_files(services) == [] and not temp_files(services)


async def test_a_file_declared_too_big_is_refused_before_downloading(talk, services, focal):
    calls: list = []
    big = samples.incoming(samples.pdf(), "bc.pdf", declared=21 * 1024 * 1024, calls=calls)
    text = Talk.text(await talk(focal, file=big))
    assert "giới hạn 20 MB" in text and calls == []
    assert rows(services) == []


async def test_a_file_growing_past_the_limit_while_streaming_is_refused(talk, services, focal):
    services.max_file_bytes["test"] = 1024 * 1024
    data = samples.pdf() + b"%" + b"0" * (1024 * 1024 + 10)
    calls: list = []
    text = Talk.text(await talk(focal, file=samples.incoming(data, "bc.pdf", declared=None, calls=calls)))
    assert "giới hạn 1 MB" in text and len(calls) == 1
    assert rows(services) == [] and stored_files(services) == [] and not temp_files(services)


async def test_a_channel_that_does_not_enforce_the_limit_is_still_caught(talk, services, focal):
    services.max_file_bytes["test"] = int(1.5 * 1024 * 1024)
    data = samples.pdf() + b"%" + b"0" * (2 * 1024 * 1024)

    async def lax_fetch(dest, max_bytes):
        dest.write_bytes(data)

    incoming = samples.incoming(data, "bc.pdf", declared=100)
    incoming.fetch = lax_fetch
    assert "giới hạn 1,5 MB" in Talk.text(await talk(focal, file=incoming))
    assert rows(services) == [] and not temp_files(services)


async def test_a_photo_is_accepted_as_a_scan(talk, services, focal):
    replies = await talk(focal, file=samples.incoming(samples.jpeg(), None, kind="photo", mime="image/jpeg"))
    text = Talk.text(replies)
    assert "BIÊN NHẬN" in text and "anh-chup-01092020-0900.jpg" in text and "ảnh JPG" in text
    assert "gộp thành một tệp PDF" in text  # several pages: one file, not many photos
    [row] = rows(services)
    assert row.detected_type == "jpg" and row.stored_path.endswith(".jpg")


async def test_a_photo_that_is_not_a_picture_is_refused(talk, services, focal):
    text = Talk.text(await talk(focal, file=samples.incoming(samples.exe(), None, kind="photo")))
    assert "không đọc được" in text and rows(services) == []


@pytest.mark.parametrize("make, name, kind, shown", [
    (samples.docx, "Báo cáo.docx", "docx", "Báo cáo.docx"),
    (samples.xlsx, "Bảng tổng hợp.xlsx", "xlsx", "Bảng tổng hợp.xlsx"),
    (samples.xlsx, "bang-tong-hop", "xlsx", "bang-tong-hop.xlsx"),  # no extension: the real one added
    (samples.docx, "bao-cao.pdf", "docx", "bao-cao.pdf.docx"),  # a misleading name
    (samples.odt, "bc.odt", "odt", "bc.odt"),
    (samples.ods, "bc.ods", "ods", "bc.ods"),
    (samples.doc, "bc.doc", "doc", "bc.doc"),
    (samples.doc_with_embedded_sheet, "bc.doc", "doc", "bc.doc"),
    (samples.xls, "bc.xls", "xls", "bc.xls"),
    (lambda: samples.zip_of({"trang1.jpg": samples.jpeg(), "trang2.png": samples.png()}), "scan.zip", "zip",
     "scan.zip"),
    (samples.rar, "scan.rar", "rar", "scan.rar"),
    (samples.png, "Scan.PNG", "png", "Scan.PNG"),
])
async def test_formats_are_recognised_by_content(talk, services, focal, make, name, kind, shown):
    text = Talk.text(await talk(focal, file=samples.incoming(make(), name)))
    assert "BIÊN NHẬN" in text and f"Tệp: {shown} (" in text, text
    [row] = rows(services)
    assert row.detected_type == kind and row.original_name == shown and row.stored_path.endswith(f".{kind}")


async def test_an_unregistered_person_is_told_how_to_register_and_nothing_is_stored(talk, services):
    calls: list = []
    text = Talk.text(await talk("stranger", file=samples.incoming(samples.pdf(), "bc.pdf", calls=calls)))
    assert "chưa đăng ký" in text and "/dangky" in text and "không được lưu" in text
    assert calls == [] and rows(services) == [] and stored_files(services) == []


async def test_staff_without_a_unit_are_told_only_focal_points_submit(talk, services):
    text = Talk.text(await talk("staff", file=samples.incoming(samples.pdf(), "bc.pdf")))
    assert "Chỉ đầu mối" in text and rows(services) == []


async def test_a_late_submission_says_so(talk, services, clock, focal):
    clock.set(datetime(2020, 10, 2, 10, 30, tzinfo=TZ))
    text = Talk.text(await talk(focal, file=samples.incoming(samples.pdf(), "bc.pdf")))
    assert "TRỄ HẠN 3 ngày" in text and "02/10/2020 10:30" in text
    [row] = rows(services)
    assert row.on_time is False


async def test_the_last_minute_of_the_last_day_is_on_time(talk, services, clock, focal):
    """"Trước ngày 30/9/2020" read literally: the last day on time is 29/9, a file of 30/9 is late."""
    clock.set(datetime(2020, 9, 29, 23, 59, tzinfo=TZ))
    assert "ĐÚNG HẠN" in Talk.text(await talk(focal, file=samples.incoming(samples.pdf("a"), "bc.pdf")))
    clock.set(datetime(2020, 9, 30, 0, 1, tzinfo=TZ))
    await register_focal(talk, "tp1", "Sở Tư pháp")
    text = Talk.text(await talk("tp1", file=samples.incoming(samples.pdf("b"), "bc.pdf")))
    assert "Hạn nộp: 29/09/2020 — TRỄ HẠN 1 ngày" in text


@pytest.mark.parametrize("sent, kept", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\cb\\..\\Desktop\\bao cao.pdf", "bao cao.pdf"),
    ("..pdf", "tep-bao-cao.pdf"),
    ("bao\x00cao\n\t2020.pdf", "baocao 2020.pdf"),
    ("report\u202efdp.exe", "reportfdp.exe.pdf"),  # right-to-left override hiding ".exe"
    ("Ba\u0301o ca\u0301o tu\u031b\u0323 kie\u0302\u0309m tra.pdf", "Báo cáo tự kiểm tra.pdf"),  # NFD (macOS)
    ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ("bc<1>:?.pdf", "bc_1___.pdf"),
])
async def test_file_names_are_sanitised_but_recognisable(talk, services, focal, sent, kept):
    text = Talk.text(await talk(focal, file=samples.incoming(samples.pdf(), sent)))
    [row] = rows(services)
    assert row.original_name == kept and f"Tệp: {kept} (" in text
    assert (services.files.root / row.stored_path).resolve().is_relative_to(services.files.root.resolve())


async def test_the_staff_chat_is_told_of_each_new_submission(talk, services, clock, focal):
    woken = []
    services.notify_submissions_to = ("telegram", "-100200300")
    services.wake_outbox = lambda: woken.append(1)
    first = receipt_of(await talk(focal, file=samples.incoming(samples.pdf("v1"), "bc.pdf")))
    assert woken
    before = len(woken)
    await talk(focal, file=samples.incoming(samples.pdf("v1"), "bc.pdf"))  # a repeat tells no one
    assert len(woken) == before
    clock.advance(hours=1)
    second = receipt_of(await talk(focal, file=samples.incoming(samples.pdf("v2"), "bc.pdf")))
    with services.store.session() as s:
        notices = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "notice")
                         .order_by(OutgoingMessage.id)).all()
    assert [(n.channel, n.chat_id, n.kind) for n in notices] == [("telegram", "-100200300", "notice")] * 2
    assert first in notices[0].text and "Sở Y tế" in notices[0].text and "đúng hạn" in notices[0].text
    assert second in notices[1].text and f"Thay bản số {first}" in notices[1].text
    assert notices[0].key != notices[1].key and len(woken) > before


# ---- /nopbaocao --------------------------------------------------------------------------------
async def test_nopbaocao_explains_then_takes_the_next_file(talk, services, focal):
    text = Talk.text(await talk(focal, "/nopbaocao"))
    assert SELF_REPORT in text and "29/09/2020" in text and "trước ngày 30/9/2020" in text and "20 MB" in text
    hint = Talk.text(await talk(focal, "định dạng nào được nhận?"))
    assert "đang chờ tệp" in hint
    assert "BIÊN NHẬN" in Talk.text(await talk(focal, file=samples.incoming(samples.pdf(), "bc.pdf")))
    assert "đang chờ tệp" not in Talk.text(await talk(focal, "cảm ơn"))


async def test_nopbaocao_from_someone_unregistered_is_refused(talk):
    assert "chưa đăng ký" in Talk.text(await talk("stranger", "/nopbaocao"))


# ---- failures between keeping the file and committing the row --------------------------------------
@pytest.fixture
def failing_commit(services):
    """Make any commit that would write a submission row fail, as a database error would."""
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlmodel import Session

    state = {"on": True}

    def before_commit(session):
        if state["on"] and any(isinstance(o, Submission) for o in session.identity_map.values()):
            raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(Session, "before_commit", before_commit)
    yield state
    event.remove(Session, "before_commit", before_commit)


async def test_a_failed_commit_gives_no_receipt_and_leaves_no_row_and_no_file(talk, services, focal,
                                                                               failing_commit):
    services.notify_submissions_to = ("telegram", "-100200300")
    events = []
    services.on("submission_received", lambda _s, **data: events.append(data))
    text = Talk.text(await talk(focal, file=samples.incoming(samples.pdf(), "bc.pdf")))
    assert "chưa lưu được" in text and "gửi lại" in text and "BIÊN NHẬN" not in text and "Số: " not in text
    assert rows(services) == [] and stored_files(services) == [] and not temp_files(services) and events == []
    with services.store.session() as s:
        assert s.exec(select(OutgoingMessage).where(OutgoingMessage.key.startswith("submission:"))).all() == []
    failing_commit["on"] = False  # the database is back: sending again works
    assert "BIÊN NHẬN" in Talk.text(await talk(focal, file=samples.incoming(samples.pdf(), "bc.pdf")))
    assert len(rows(services)) == 1 and len(stored_files(services)) == 1


async def test_a_failed_commit_keeps_a_file_another_row_uses(talk, services, focal, failing_commit):
    data = samples.pdf()
    failing_commit["on"] = False
    await register_focal(talk, "u2", "Sở Tư pháp")
    receipt_of(await talk("u2", file=samples.incoming(data, "bc.pdf")))  # same content, another unit
    failing_commit["on"] = True
    assert "chưa lưu được" in Talk.text(await talk(focal, file=samples.incoming(data, "bc.pdf")))
    [row] = rows(services)
    assert (services.files.root / row.stored_path).read_bytes() == data


async def test_a_failed_move_gives_no_receipt_and_leaves_nothing(talk, services, focal, monkeypatch):
    import storage.files

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.files.os, "replace", broken_replace)
    text = Talk.text(await talk(focal, file=samples.incoming(samples.pdf(), "bc.pdf")))
    assert "chưa lưu được" in text and "BIÊN NHẬN" not in text
    assert rows(services) == [] and stored_files(services) == [] and not temp_files(services)


async def test_a_broken_download_gives_no_receipt(talk, services, focal):
    incoming = samples.incoming(samples.pdf(), "bc.pdf")

    async def broken(dest, max_bytes):
        dest.write_bytes(b"%PDF-1.4 half")
        raise ConnectionResetError("peer went away")

    incoming.fetch = broken
    assert "chưa tải được" in Talk.text(await talk(focal, file=incoming))
    assert rows(services) == [] and not temp_files(services)
