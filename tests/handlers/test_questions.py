"""Questions in a conversation: unit-aware answers, "did you mean" buttons, staff teaching the bot."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from support import Talk, register_focal
from handlers.questions import build_engine
from handlers.types import IncomingFile
from storage import units as unit_store
from storage.models import LearnedPhrasing, QuestionLog

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def logged(services):
    with services.store.session() as s:
        return s.exec(select(QuestionLog).order_by(QuestionLog.id)).all()


async def test_a_registered_focal_point_gets_answers_for_their_unit(talk, services):
    await register_focal(talk, "u1", "Sở Y tế")
    text = Talk.text(await talk("u1", "han nop bc"))
    assert "Sở Y tế" in text and "trước ngày 30/9/2020" in text and "(Mục III.4" in text
    await register_focal(talk, "u2", "Sở Tài chính")
    text = Talk.text(await talk("u2", "han nop bc"))
    assert "Sở Tài chính thuộc đối tượng kiểm tra trực tiếp" in text and "Đoàn kiểm tra" in text
    rows = logged(services)
    assert [(r.unit_code, r.matched, r.topic, r.channel) for r in rows[-2:]] == [
        ("so-y-te", True, "han-bao-cao", "test"), ("so-tai-chinh", True, "han-bao-cao", "test")]
    assert rows[-1].person_id is not None


async def test_inspection_date_set_by_staff_reaches_the_answer(talk, services):
    await register_focal(talk, "u1", "UBND huyện An Biên")
    with services.store.session() as s:
        unit_store.set_inspection(s, "ubnd-huyen-an-bien", datetime(2020, 9, 10, 14, 0, tzinfo=TZ), None)
    text = Talk.text(await talk("u1", "khi nào đoàn về kiểm tra bên em"))
    assert "10/09/2020 14:00" in text


async def test_a_guest_gets_the_general_answer(talk):
    text = Talk.text(await talk("guest", "hạn nộp báo cáo tự kiểm tra"))
    assert "trước ngày 30/9/2020" in text and "Đoàn kiểm tra" in text


async def test_unrelated_and_small_talk(talk, services):
    text = Talk.text(await talk("g", "giá xăng hôm nay"))
    assert "nằm ngoài nội dung" in text and "Sở Nội vụ" in text
    replies = await talk("g", "xin chào")
    assert "Kính chào" in Talk.text(replies) and not replies[0].options
    assert [(r.matched, r.topic) for r in logged(services)] == [(False, None), (True, "chao-hoi")]


async def test_did_you_mean_buttons_answer_the_chosen_topic(talk):
    await register_focal(talk, "u1", "Sở Y tế")
    replies = await talk("u1", "báo cáo")
    assert "chưa chắc" in replies[0].text and 2 <= len(replies[0].options) <= 3
    assert all(len(o.choice_id.encode()) <= 64 for o in replies[0].options)
    text = Talk.text(await talk.tap("u1", "Hạn gửi báo cáo"))
    assert "tự kiểm tra công tác CCHC năm 2020 của Sở Y tế" in text and "Sở Nội vụ" in text and "(Mục III.4" in text


async def test_someone_elses_suggestion_button_is_refused(talk):
    replies = await talk("u1", "báo cáo")
    choice = replies[0].options[0].choice_id
    assert "không còn hiệu lực" in Talk.text(await talk("u2", choice=choice))


async def test_staff_list_unanswered_and_teach_with_a_command(talk, services):
    await register_focal(talk, "u1", "Sở Y tế")
    question = "vụ tháng chín nộp cái gì ấy nhỉ"
    before = await talk("u1", question)
    assert "nằm ngoài nội dung" in Talk.text(before)  # not understood yet
    replies = await talk("staff", "/chuatraloi")
    listed = next(r for r in replies if question in r.text)
    assert "Sở Y tế" in listed.text and "chưa trả lời" in listed.text
    assert [o.label for o in listed.options] == ["Bỏ qua"]  # no sensible guess to offer
    qid = logged(services)[-1].id
    text = Talk.text(await talk("staff", f"/ganchude {qid} han-bao-cao"))
    assert "Đã gắn câu hỏi" in text and "Hạn gửi báo cáo" in text
    # takes effect now ...
    now = Talk.text(await talk("u1", question))
    assert "Sở Y tế" in now and "trước ngày 30/9/2020" in now
    assert "Không có câu hỏi nào" in Talk.text(await talk("staff", "/chuatraloi"))
    # ... and after a restart
    fresh = build_engine(services)
    assert fresh.answer(question, services.roster().get("so-y-te"), services).topic == "han-bao-cao"


async def test_staff_teach_with_a_button(talk, services):
    replies = await talk("u1", "báo cáo")
    assert replies[0].options
    replies = await talk("staff", "/chuatraloi")
    listed = next(r for r in replies if "“báo cáo”" in r.text)
    labels = [o.label for o in listed.options]
    assert labels[-1] == "Bỏ qua" and any(label.startswith("Gắn: ") for label in labels)
    title = next(label for label in labels if label.startswith("Gắn: ")).removeprefix("Gắn: ")
    text = Talk.text(await talk.tap("staff", f"Gắn: {title}"))
    assert "Đã gắn câu hỏi" in text and f"bot hiện trả lời theo chủ đề “{title}”" in text
    replies = await talk("u1", "báo cáo")
    assert not replies[0].options and "chưa chắc" not in Talk.text(replies)  # answered on that topic now


async def test_ganchude_command(talk, services):
    await talk("u1", "cái vụ đầu mối cần hỏi ai ấy")
    qid = logged(services)[-1].id
    usage = Talk.text(await talk("staff", "/ganchude"))
    assert "han-bao-cao" in usage and "lien-he" in usage
    assert "Không có chủ đề" in Talk.text(await talk("staff", f"/ganchude {qid} khong-co"))
    assert "Không có câu hỏi số 99999" in Talk.text(await talk("staff", "/ganchude 99999 lien-he"))
    text = Talk.text(await talk("staff", f"/ganchude {qid} Liên hệ, phản ánh vướng mắc"))  # a title works too
    assert "Đã gắn câu hỏi" in text
    assert "đã được gắn vào chủ đề" in Talk.text(await talk("staff", f"/ganchude {qid} kinh-phi"))
    with services.store.session() as s:
        assert [(p.topic, p.question_id) for p in s.exec(select(LearnedPhrasing)).all()] == [("lien-he", qid)]


async def test_dismiss_button(talk):
    await talk("u1", "cho em mượn 500 nghìn")
    replies = await talk("staff", "/chuatraloi")
    listed = next(r for r in replies if "mượn" in r.text)
    dismiss = next(o for o in listed.options if o.label == "Bỏ qua")
    assert "Đã bỏ qua" in Talk.text(await talk("staff", choice=dismiss.choice_id))
    assert "đã được xử lý" in Talk.text(await talk("staff", choice=dismiss.choice_id))  # once
    assert "Không có câu hỏi nào" in Talk.text(await talk("staff", "/chuatraloi"))


async def test_review_commands_are_for_staff_only(talk):
    await register_focal(talk, "u1", "Sở Y tế")
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("u1", "/chuatraloi"))
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("u1", "/ganchude 1 han-bao-cao"))


async def test_empty_questions_are_logged_but_not_listed_for_review(talk, services):
    text = Talk.text(await talk("u1", "?"))
    assert "vui lòng gõ câu hỏi" in text
    assert [(r.text, r.matched, r.reviewed_at is not None) for r in logged(services)] == [("?", False, True)]
    assert "Không có câu hỏi nào" in Talk.text(await talk("staff", "/chuatraloi"))


async def test_days_left_follow_the_business_clock_for_the_askers_unit(talk, clock):
    await register_focal(talk, "u1", "Sở Y tế")
    text = Talk.text(await talk("u1", "hom nay nop bc con kip ko"))
    assert "Sở Y tế" in text and "hôm nay 01/09/2020, còn 28 ngày đến hạn chót 29/09/2020" in text
    clock.set(datetime(2020, 9, 28, 10, 0, tzinfo=TZ))
    assert "còn 1 ngày" in Talk.text(await talk("u1", "còn mấy ngày nữa là hết hạn nộp báo cáo"))


async def test_a_focal_point_of_the_coordinator_is_told_it_receives_the_reports(talk):
    await register_focal(talk, "u1", "Sở Nội vụ")
    text = Talk.text(await talk("u1", "bc gui ve dau"))
    assert "về Ủy ban nhân dân tỉnh (qua Sở Nội vụ)" in text and "Sở Nội vụ chủ trì thực hiện kế hoạch" in text
    assert "báo cáo của chính Sở Nội vụ cũng gửi theo Mục III.4" in text and "(Mục III.4, III.2, II.2," in text


async def test_the_figure_the_bot_asked_for_is_answered(talk, services):
    """"Anh/chị cho biết số đơn vị trực thuộc…" → "12": the bot computes on the topic it asked about."""
    await register_focal(talk, "u1", "UBND huyện An Biên")
    text = Talk.text(await talk("u1", "phải tự kiểm tra bao nhiêu đơn vị trực thuộc"))
    assert "cho biết số đơn vị trực thuộc" in text
    text = Talk.text(await talk("u1", "12 đơn vị"))
    assert "Với 12 đơn vị trực thuộc" in text and "ít nhất 4 đơn vị" in text and "(Mục III.1" in text
    assert [(r.text, r.topic, r.matched) for r in logged(services)[-2:]] == [
        ("phải tự kiểm tra bao nhiêu đơn vị trực thuộc", "kiem-tra-truc-thuoc", True),
        ("12 đơn vị", "kiem-tra-truc-thuoc", True)]
    # answered once: the same figure again is no longer an answer to the bot
    assert "Không có lựa chọn số 12" in Talk.text(await talk("u1", "12"))


async def test_a_new_question_after_the_request_is_a_new_question(talk):
    await talk("u1", "phải tự kiểm tra bao nhiêu đơn vị trực thuộc")
    text = Talk.text(await talk("u1", "ai ký kế hoạch"))
    assert "Lê Thị Minh Phụng" in text


async def test_an_offered_topic_is_picked_by_its_position(talk):
    replies = await talk("u1", "báo cáo")
    offered = [o.label for o in replies[0].options]
    assert len(offered) >= 2
    text = Talk.text(await talk("u1", "cái thứ hai ạ"))
    assert "chưa chắc" not in text and "(Mục" in text
    # the position picks exactly the topic a tap on the second button gives
    replies = await talk("u1", "báo cáo")
    tapped = Talk.text(await talk.tap("u1", replies[0].options[1].label))
    assert tapped == text
    assert "nằm ngoài nội dung" in Talk.text(await talk("u1", "cái thứ hai"))  # nothing offered any more


async def test_a_position_typed_late_is_not_an_answer(talk, monkeypatch):
    from datetime import timedelta

    import handlers.questions as questions

    await talk("u1", "báo cáo")
    real = questions.utcnow
    monkeypatch.setattr(questions, "utcnow", lambda: real() + questions.FOLLOW_UP_TTL + timedelta(minutes=1))
    assert "Không có lựa chọn số 2" in Talk.text(await talk("u1", "2"))


async def test_a_file_after_a_suggestion_is_a_file(talk, tmp_path):
    pdf = tmp_path / "bc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    async def fetch(dest, max_bytes):
        dest.write_bytes(pdf.read_bytes())

    def sent():
        return IncomingFile(name="bc.pdf", size=pdf.stat().st_size, mime="application/pdf", kind="document", fetch=fetch)

    await talk("u1", "báo cáo")
    assert Talk.text(await talk("u1", file=sent())) == Talk.text(await talk("u2", file=sent()))
