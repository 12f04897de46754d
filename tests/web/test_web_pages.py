"""Each page does what its chat command does, on the same store: the overview and units (/tonghop),
the unit page with downloads and the inspection date (/datlich), invitations (/moi), broadcasts
(/thongbao), questions (/chuatraloi, /ganchude), the export (/xuatexcel) — and the audit log."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import select
from support import Talk, register_focal
from web_support import text_of

from data.files import samples
from messages.texts import web as texts
from storage.models import (AuditEntry, Broadcast, InspectionVisit, LearnedPhrasing, OutgoingMessage,
                            Submission)

PDF = samples.pdf("Bao cao tu kiem tra cua So Y te")


async def with_report(talk, services, clock):
    """u1 registers for Sở Y tế and sends its self-inspection report (a PDF) on 01/09/2020."""
    await register_focal(talk, "u1", "Sở Y tế")
    await talk("u1", file=samples.incoming(PDF, "Báo cáo tự kiểm tra (bản ký).pdf"))
    with services.store.session() as s:
        return s.exec(select(Submission)).one()


def audit_rows(services) -> list[AuditEntry]:
    with services.store.session() as s:
        return list(s.exec(select(AuditEntry).order_by(AuditEntry.id)).all())


async def test_overview_counts_like_tonghop_and_draws_the_chart(talk, services, clock, signed_in):
    await with_report(talk, services, clock)
    page = signed_in.get("/web/")
    assert page.status_code == 200
    html = page.text
    first = html.split("<section class=\"card\">")[1]  # the self-inspection report, first in plan order
    totals = re.search(r"<tfoot>(.*?)</tfoot>", first, re.S).group(1)
    assert text_of(totals).split()[-5:] == ["26", "1", "0", "25", "0"]  # owed, on time, late, missing, overdue
    assert "<svg" in first and 'class="deadline"' in first and "Phải nộp: 26" in first
    owing = html.split(texts.OWING_TITLE)[1]
    assert "/web/units/so-tu-phap" in owing and "/web/units/so-y-te" not in owing  # Sở Y tế owes nothing now
    # /tonghop says the same
    assert "Phải nộp 26 · đúng hạn 1 · trễ hạn 0 · chưa nộp 25" in Talk.text(await talk("staff", "/tonghop"))


async def test_units_filter_by_level_status_and_inspected_and_search_as_people_write(talk, services, clock,
                                                                                        signed_in):
    await with_report(talk, services, clock)

    def listed(query: str) -> list[str]:
        html = signed_in.get(f"/web/units?{query}").text
        return re.findall(r'<a href="/web/units/([a-z0-9-]+)">', html.split('id="unit-list"')[1])

    everyone = listed("")
    assert len(everyone) == len(services.roster().units)
    districts = listed("level=district")
    assert districts and all(code.startswith(("ubnd-huyen", "ubnd-thanh-pho", "ubnd-thi-xa")) for code in districts)
    assert listed("status=complete") == ["so-y-te"]
    assert "so-y-te" not in listed("status=missing") and "so-tai-chinh" in listed("status=missing")
    inspected = listed("inspected=yes")
    assert "so-tai-chinh" in inspected and "so-y-te" not in inspected
    assert listed("q=so%20tai%20chinh")[0] == "so-tai-chinh"  # no marks
    assert listed("q=STC")[0] == "so-tai-chinh"  # an abbreviation
    assert listed("q=H.%20An%20Bi%C3%AAn")[0] == "ubnd-huyen-an-bien"  # "H. An Biên"
    assert listed("q=so%20tai%20chinhh")[0] == "so-tai-chinh"  # a typo
    nothing = signed_in.get("/web/units?q=xyzzy").text
    assert listed("q=xyzzy") == [] and texts.SEARCH_NOTHING.format(q="xyzzy") in text_of(nothing)


async def test_unit_page_shows_the_whole_history_and_downloads_the_stored_bytes(talk, services, clock, signed_in):
    row = await with_report(talk, services, clock)
    page = text_of(signed_in.get("/web/units/so-y-te").text)
    assert "Sở Y tế" in page and texts.ACTIVE in page and row.receipt_no in page
    assert "Báo cáo tự kiểm tra (bản ký).pdf" in page and texts.CURRENT in page
    got = signed_in.get(f"/web/files/{row.id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Báo cáo tự kiểm tra (bản ký).pdf"
    [entry] = [e for e in audit_rows(services) if e.action == "file_downloaded"]
    assert (entry.via, entry.unit_code, entry.detail) == ("web", "so-y-te", row.receipt_no)


async def test_downloads_are_by_stored_submission_id_only(talk, services, clock, signed_in, tmp_path):
    row = await with_report(talk, services, clock)
    (tmp_path / "secret.txt").write_text("not a submission")
    for path in (f"/web/files/{row.id + 1}", "/web/files/0", "/web/files/-1", "/web/files/abc",
                 "/web/files/..%2f..%2fsecret.txt", f"/web/files/{row.stored_path}", "/web/files/%2e%2e/db.sqlite3"):
        refused = signed_in.get(path)
        assert refused.status_code == 404, path
        assert b"not a submission" not in refused.content and refused.headers["content-type"].startswith("text/html")


async def test_setting_the_inspection_date_tells_the_focal_point_like_datlich(talk, services, clock, signed_in):
    await register_focal(talk, "u1", "Sở Tài chính")
    done = signed_in.post("/web/units/so-tai-chinh/inspection", {"date": "15/09/2020", "time": "08:30"})
    page = text_of(signed_in.follow(done).text)
    assert "Đã đặt lịch kiểm tra Sở Tài chính: 15/09/2020 08:30." in page
    assert texts.INSPECTION_SET.format(when="15/09/2020 08:30") in page
    with services.store.session() as s:
        visit = s.get(InspectionVisit, "so-tai-chinh")
        told = s.exec(select(OutgoingMessage).where(OutgoingMessage.unit_code == "so-tai-chinh",
                                                    OutgoingMessage.status == "pending")).all()
    assert visit is not None and visit.starts_at.astimezone(services.tz).strftime("%d/%m/%Y %H:%M") == "15/09/2020 08:30"
    assert any("15/09/2020 08:30" in m.text for m in told)  # the announcement, queued for the sender
    assert texts.KIND["reminder"] in page or texts.KIND["notice"] in page  # shown under reminders and notices
    [entry] = [e for e in audit_rows(services) if e.action == "inspection_set"]
    assert (entry.via, entry.unit_code, entry.detail) == ("web", "so-tai-chinh", "15/09/2020 08:30")
    assert texts.AUDIT_ACTIONS["inspection_set"] in page  # the unit page shows its audit log

    bad = signed_in.follow(signed_in.post("/web/units/so-tai-chinh/inspection", {"date": "31/09/2020"}))
    assert "Ngày 31/09/2020 không có trên lịch" in text_of(bad.text)


async def test_a_unit_off_the_plans_lists_needs_the_box_ticked(talk, services, signed_in):
    page = text_of(signed_in.get("/web/units/so-y-te").text)
    assert "Thêm vào danh sách kiểm tra trực tiếp" in page  # the box, for a unit the plan does not select
    refused = text_of(signed_in.follow(signed_in.post("/web/units/so-y-te/inspection", {"date": "15/09/2020"})).text)
    assert "Chưa đặt lịch: Sở Y tế không có trong danh sách kiểm tra trực tiếp (Mục II.2)" in refused
    with services.store.session() as s:
        assert s.get(InspectionVisit, "so-y-te") is None
    done = signed_in.post("/web/units/so-y-te/inspection", {"date": "15/09/2020", "add_to_list": "1"})
    page = text_of(signed_in.follow(done).text)
    assert "Đã thêm Sở Y tế vào danh sách kiểm tra trực tiếp" in page and "Đã đặt lịch kiểm tra Sở Y tế" in page
    assert services.roster().get("so-y-te").inspected


async def test_staff_actions_in_the_chat_are_in_the_same_audit_log(talk, services, signed_in):
    await talk("staff", "/datlich Sở Tư pháp 16/09/2020")
    await talk.tap("staff", "Thêm vào danh sách")
    page = text_of(signed_in.get("/web/units/so-tu-phap").text)
    assert texts.AUDIT_ACTIONS["inspection_set"] in page and "16/09/2020 08:00" in page
    [entry] = [e for e in audit_rows(services) if e.action == "inspection_set"]
    assert entry.via == "test" and entry.person_id is not None
    everything = text_of(signed_in.get("/web/audit").text)
    assert "Sở Tư pháp" in everything and texts.AUDIT_ACTIONS["signin"] in everything


async def test_invitations_for_every_unit_without_a_focal_point_print_with_qr_codes(talk, services, signed_in):
    await register_focal(talk, "u1", "Sở Y tế")
    page = signed_in.get("/web/invites").text
    assert "so-y-te" not in page and "so-tai-chinh" in page
    sheet = signed_in.post("/web/invites", {"all": "1"})
    assert sheet.status_code == 200 and sheet.headers["cache-control"] == "no-store"
    codes = re.findall(r'<span class="code">([2-9A-Z]{10})</span>', sheet.text)
    assert len(codes) == len(services.roster().units) - 1
    assert sheet.text.count('<svg viewBox=') == len(codes) and "data-print" in sheet.text
    # a printed code registers its unit, like one from /moi
    assert "thành công" in Talk.text(await talk("u2", f"/dangky {codes[0]}"))
    assert len([e for e in audit_rows(services) if e.action == "invite_issued"]) == len(codes) + 1  # + /moi

    one = signed_in.post("/web/invites", {"q": "so tai chinh"})
    assert "Sở Tài chính" in text_of(one.text) and len(re.findall(r'class="code"', one.text)) == 1


async def test_broadcast_compose_preview_confirm_and_history(talk, services, clock, signed_in):
    await register_focal(talk, "u1", "Sở Y tế")
    await register_focal(talk, "u2", "Sở Tư pháp")
    await talk("u2", file=samples.incoming(PDF, "bc.pdf"))  # Sở Tư pháp has sent its report
    audiences = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', signed_in.get("/web/broadcasts").text)
    owes = next(value for value, label in audiences if label.startswith("Chưa nộp: BC tự kiểm tra"))
    files = {"document": ("Công văn đôn đốc.pdf", samples.pdf("cong van"), "application/pdf")}
    preview = signed_in.post("/web/broadcasts/preview", {"audience": owes, "text": "Đề nghị gửi báo cáo."},
                             files=files)
    shown = text_of(preview.text)
    assert preview.status_code == 200 and "1 (của 1 đơn vị)" in shown and "Công văn đôn đốc.pdf" in shown
    assert "Đề nghị gửi báo cáo." in shown
    with services.store.session() as s:
        assert s.exec(select(Broadcast)).all() == []  # nothing before confirming
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    done = signed_in.follow(signed_in.post("/web/broadcasts/confirm", {"token": token}))
    assert "Đã xác nhận thông báo số 1" in text_of(done.text)
    with services.store.session() as s:
        [row] = s.exec(select(Broadcast)).all()
        queued = s.exec(select(OutgoingMessage).where(OutgoingMessage.broadcast_id == row.id)).all()
    assert [m.unit_code for m in queued] == ["so-y-te"] and queued[0].document_name == "Công văn đôn đốc.pdf"
    history = text_of(done.text.split('id="history"')[1])
    assert "Đơn vị chưa nộp" in history and "0/1" in history
    # a second confirmation of the same draft sends nothing more
    again = signed_in.follow(signed_in.post("/web/broadcasts/confirm", {"token": token}))
    assert "Không có thông báo nào đang chờ" in text_of(again.text)
    [entry] = [e for e in audit_rows(services) if e.action == "broadcast_confirmed"]
    assert entry.via == "web" and entry.detail.startswith(f"{row.id}:")


async def test_broadcast_to_one_unit_named_as_people_write_it(talk, services, signed_in):
    await register_focal(talk, "u1", "Sở Y tế")
    audiences = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', signed_in.get("/web/broadcasts").text)
    one = audiences[-1][0]
    refused = signed_in.post("/web/broadcasts/preview", {"audience": one, "unit": "xyzzy", "text": "Nhắc."})
    assert refused.status_code == 400 and "Không tìm thấy đơn vị “xyzzy”" in text_of(refused.text)
    preview = signed_in.post("/web/broadcasts/preview", {"audience": one, "unit": "so y te", "text": "Nhắc."})
    assert "Sở Y tế" in text_of(preview.text) and "1 (của 1 đơn vị)" in text_of(preview.text)
    empty = signed_in.post("/web/broadcasts/preview", {"audience": "0", "text": "  "})
    assert empty.status_code == 400


async def test_questions_attach_in_one_click_and_the_bot_learns(talk, services, signed_in):
    await register_focal(talk, "u1", "Sở Y tế")
    await talk("u1", "báo cáo")  # unsure
    await talk("u2", "cho em mượn 500 nghìn")  # not understood
    page = signed_in.get("/web/questions").text
    asked = {text: int(q) for q, text in re.findall(r'<li id="question-(\d+)">.*?<blockquote>(.*?)</blockquote>', page,
                                                    re.S)}
    assert set(asked) == {"báo cáo", "cho em mượn 500 nghìn"} and "Gắn vào: " in text_of(page)  # the suggested topics, one click away
    first = asked["báo cáo"]
    fragment = signed_in.post(f"/web/questions/{first}/attach", {"topic": "han-bao-cao"},
                              headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "Đã gắn câu hỏi" in text_of(fragment.text)
    assert fragment.text.startswith(f'<li id="question-{first}"')
    with services.store.session() as s:
        assert [(p.topic, p.question_id) for p in s.exec(select(LearnedPhrasing)).all()] == [
            ("han-bao-cao", first)]
    assert "“trước ngày 30/9/2020”, hạn chót 29/09/2020" in Talk.text(await talk("u1", "báo cáo"))
    other = asked["cho em mượn 500 nghìn"]
    done = signed_in.follow(signed_in.post(f"/web/questions/{other}/dismiss"))
    assert "<blockquote>cho em mượn 500 nghìn</blockquote>" not in done.text and "Đã bỏ qua" in text_of(done.text)
    assert "báo cáo" in text_of(done.text.split(texts.MOST_ASKED_TITLE)[1])  # asked twice
    actions = [e.action for e in audit_rows(services) if e.action.startswith("question")]
    assert actions == ["question_attached", "question_dismissed"]


async def test_export_is_the_xuatexcel_workbook(talk, services, clock, signed_in):
    await with_report(talk, services, clock)
    got = signed_in.get("/web/export")
    assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(got.content))
    rows = {r[1]: r for r in book["BC tự kiểm tra (Mục III.4)"].iter_rows(min_row=2, values_only=True)}
    assert rows["so-y-te"][7] == "Đã nộp" and rows["so-tu-phap"][7] == "Chưa nộp"
    assert [e.action for e in audit_rows(services)][-1] == "export"


def test_no_page_has_inline_script_or_style(signed_in):
    for path in ("/web/", "/web/units", "/web/units/so-y-te", "/web/invites", "/web/broadcasts",
                 "/web/questions", "/web/audit"):
        html = signed_in.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\sstyle=", html) and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_every_audited_action_has_its_words():
    from handlers.audit import ACTIONS

    assert set(ACTIONS) == set(texts.AUDIT_ACTIONS)
