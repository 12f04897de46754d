"""The question engine against the bundled plan: facts, unit-awareness, derived numbers, honesty."""

import math
from datetime import datetime
from string import Formatter
from zoneinfo import ZoneInfo

import pytest

from messages.knowledge import Engine
from messages.units import Roster
from storage import units as unit_store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def engine():
    from messages.plan_loader import load_plan_cached

    return Engine(load_plan_cached(None))


def test_deadline_for_nobody_in_particular_states_both_cases(engine, plan):
    a = engine.answer("hạn nộp báo cáo tự kiểm tra là ngày nào")
    assert a.matched and a.topic == "han-bao-cao" and a.kind == "unit"
    assert "trước ngày 30/9/2020" in a.answer and "hạn chót 29/09/2020" in a.answer and "Đoàn kiểm tra" in a.answer
    assert a.source == "Mục III.4, III.3.a, Kế hoạch 32/KH-UBND ngày 03/3/2020"
    assert a.answer.endswith(f"({a.source})")


def test_answers_follow_the_unit_inspected_or_not(engine, services):
    roster = services.roster()
    health = engine.answer("hạn nộp báo cáo", roster.get("so-y-te"), services)
    finance = engine.answer("hạn nộp báo cáo", roster.get("so-tai-chinh"), services)
    assert "Sở Y tế" in health.answer and "trước ngày 30/9/2020" in health.answer
    assert "Sở Tài chính thuộc đối tượng kiểm tra trực tiếp" in finance.answer
    assert "Quý III/2020" in finance.answer and "Sở Nội vụ thông báo" in finance.answer


def test_inspection_date_set_by_staff_is_given(engine, services, store):
    with store.session() as s:
        unit_store.set_inspection(s, "so-tai-chinh", datetime(2020, 8, 25, 8, 30, tzinfo=TZ), None)
    a = engine.answer("khi nào đoàn xuống kiểm tra đơn vị tôi", services.roster().get("so-tai-chinh"), services)
    assert a.topic == "thoi-gian-kiem-tra" and "25/08/2020 08:30" in a.answer


def test_a_unit_named_in_the_question_wins_over_the_asker(engine, services):
    a = engine.answer("Sở Y tế có bị kiểm tra trực tiếp không?", services.roster().get("so-tai-chinh"), services)
    assert a.topic == "don-vi-co-bi-kiem-tra"
    assert a.answer.startswith("Sở Y tế không thuộc đối tượng kiểm tra trực tiếp")
    assert "trước ngày 30/9/2020" in a.answer and "III.4" in a.source


def test_several_units_in_one_question(engine, services):
    a = engine.answer("Sở Y tế và STC có bị kiểm tra không", None, services)
    lines = a.answer.splitlines()
    assert lines[0].startswith("Sở Y tế không thuộc") and lines[1].startswith("Sở Tài chính thuộc")


def test_the_coordinator_can_be_asked_about(engine, services):
    a = engine.answer("Sở Nội vụ có bị kiểm tra không", None, services)
    assert a.topic == "don-vi-co-bi-kiem-tra" and a.answer.startswith("Sở Nội vụ không thuộc")


def test_a_commune_may_be_chosen_when_its_district_is_inspected(engine, plan):
    roster = Roster.from_plan(plan)
    may = roster.resolve("UBND xã Bình Sơn, huyện Hòn Đất").new_unit
    far = roster.resolve("UBND xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao").new_unit
    assert "có thể được chọn" in engine.answer("xã mình có bị kiểm tra không", may).answer
    a = engine.answer("xã mình có bị kiểm tra không", far)
    assert "không thuộc đối tượng kiểm tra trực tiếp" in a.answer and "30/9/2020" in a.answer


@pytest.mark.parametrize("question, n", [
    ("đơn vị tôi có 10 đơn vị trực thuộc thì phải kiểm tra bao nhiêu", 10),
    ("có 7 phòng chuyên môn thì phải kiểm tra mấy phòng", 7),
    ("huyện tôi có 17 xã, kiểm tra 30% là mấy xã", 17),
    ("sở có 9 phòng và 3 chi cục thì phải kiểm tra bao nhiêu đơn vị", 12),
    ("bên em có mười lăm đơn vị trực thuộc thì kiểm tra mấy đơn vị", 15),
])
def test_subordinate_units_to_inspect_are_computed_from_the_plan_ratio(engine, plan, question, n):
    ratio = next(o.ratio for o in plan.obligations if o.ratio is not None)
    a = engine.answer(question)
    assert a.topic == "kiem-tra-truc-thuoc" and a.source.startswith("Mục III.1")
    assert f"ít nhất {math.ceil(round(ratio * n, 6))} đơn vị" in a.answer and f"Với {n} đơn vị" in a.answer


def test_counts_come_from_the_plan_lists(engine):
    a = engine.answer("tỉnh kiểm tra bao nhiêu phần trăm số sở và huyện")
    assert "ít nhất 30% Sở, ban, ngành tỉnh" in a.answer and "(6 sở)" in a.answer
    assert "(5: 3 huyện, 2 thành phố)" in a.answer and "(10 đơn vị; kế hoạch không nêu tên, Sở Nội vụ thông báo danh sách)" in a.answer and "21 đơn vị" in a.answer


@pytest.mark.parametrize("question, topic, says", [
    ("kinh phí kiểm tra là bao nhiêu", "kinh-phi", "không nêu số tiền"),
    ("trưởng đoàn kiểm tra là ai", "truong-doan", "không nêu trưởng đoàn"),
    ("có mẫu báo cáo không", "mau-bao-cao", "không kèm mẫu"),
    ("nộp báo cáo muộn có bị phạt không", "nop-muon", "không quy định hình thức xử lý"),
    # the list of who is inspected says it too, beside the rule: either topic answers
    ("những xã nào được kiểm tra", "xa-duoc-chon|doi-tuong-kiem-tra", "không nêu tên"),
    ("ngày cụ thể đoàn về là ngày nào", "thoi-gian-kiem-tra", "không nêu ngày cụ thể"),
    ("báo cáo lấy số liệu tính đến ngày nào", "moc-so-lieu", "không nêu mốc thời gian lấy số liệu"),
    ("mỗi buổi làm việc với đoàn kéo dài bao lâu", "thoi-luong-lam-viec", "không nêu thời lượng"),
    ("sau kết luận kiểm tra phải khắc phục trong bao nhiêu ngày", "thoi-han-khac-phuc", "không nêu thời hạn khắc phục"),
])
def test_questions_the_plan_does_not_answer_say_so_and_point_to_the_coordinator(engine, question, topic, says):
    a = engine.answer(question)
    assert a.matched and a.topic in topic.split("|")
    assert says in a.answer and "Sở Nội vụ" in a.answer and a.source


@pytest.mark.parametrize("question", [
    "giá xăng hôm nay", "thời tiết Rạch Giá ngày mai", "nộp thuế môn bài hạn cuối khi nào",
    "kế hoạch kiểm tra năm 2021 có những đơn vị nào", "tranh chấp đất đai giải quyết sao", "asdfgh",
    "how do I pay my taxes",
])
def test_unrelated_questions_get_a_polite_no(engine, question):
    a = engine.answer(question)
    assert not a.matched and a.topic is None and a.source is None and not a.suggestions
    assert "Sở Nội vụ" in a.answer


def test_small_talk_is_answered_without_a_citation(engine):
    for question, topic in (("xin chào", "chao-hoi"), ("cảm ơn nhiều", "cam-on"), ("bạn là ai", "gioi-thieu")):
        a = engine.answer(question)
        assert a.matched and a.topic == topic and a.source is None and a.kind == "small_talk"
    assert "trả lời" in engine.answer("bạn là ai").answer


def test_unsure_questions_offer_close_topics(engine):
    a = engine.answer("báo cáo")
    assert not a.matched and a.reason == "suggest" and 2 <= len(a.suggestions) <= 3
    assert len(a.suggestion_ids) == len(a.suggestions)
    assert all(title in a.answer for title in a.suggestions)
    chosen = engine.answer_topic(a.suggestion_ids[0])
    assert chosen.matched and chosen.source


def test_english_questions_get_the_same_facts(engine):
    a = engine.answer("When is the self-inspection report due?")
    assert a.topic == "han-bao-cao" and "30/9/2020" in a.answer
    assert engine.answer("who signed the plan").topic == "nguoi-ky"


def test_learned_phrasing_takes_effect(plan):
    engine = Engine(plan)
    before = engine.answer("vụ tháng chín nộp cái gì ấy nhỉ")
    assert before.topic != "han-bao-cao"
    assert engine.learn("han-bao-cao", "vụ tháng chín nộp cái gì ấy nhỉ")
    assert not engine.learn("han-bao-cao", "vụ tháng chín nộp cái gì ấy nhỉ")  # once
    assert not engine.learn("no-such-topic", "x y z")
    assert engine.answer("vụ tháng chín nộp cái gì ấy nhỉ").topic == "han-bao-cao"
    assert Engine(plan, [("han-bao-cao", "vụ tháng chín nộp cái gì ấy nhỉ")]).answer(
        "vụ tháng chín nộp cái gì ấy").topic == "han-bao-cao"


def test_every_answer_variant_renders_for_every_kind_of_unit(engine, plan, services, store):
    """No template is left with a placeholder or a format error, whatever unit asks."""
    roster = services.roster()
    with store.session() as s:
        unit_store.set_inspection(s, "so-tai-chinh", datetime(2020, 8, 25, 8, 30, tzinfo=TZ), None)
    plan_roster = Roster.from_plan(plan)
    askers = [None, roster.get("so-tai-chinh"), roster.get("so-giao-duc-va-dao-tao"), roster.get("so-y-te"),
              roster.get("so-noi-vu"), roster.get("ubnd-huyen-phu-quoc"),
              plan_roster.resolve("UBND xã Bình Sơn, huyện Hòn Đất").new_unit,
              plan_roster.resolve("UBND xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao").new_unit]
    for topic in plan.knowledge.topics:
        for asker in askers:
            for text in ("", "có 12 đơn vị trực thuộc"):
                a = engine.answer_topic(topic.id, asker, services, text)
                assert a is not None and a.answer.strip()
                assert "{" not in a.answer and "}" not in a.answer, (topic.id, a.answer)
                assert (a.source is None) == (topic.kind == "small_talk")


def test_templates_only_use_known_placeholders(plan):
    from messages.knowledge.facts import LAZY, PlanFacts
    from messages.knowledge_schema import PLACEHOLDERS

    facts = PlanFacts(plan)
    assert set(facts.static) | LAZY == set(PLACEHOLDERS)
    for topic in plan.knowledge.topics:
        for answer in topic.answers:
            for _, field, _, _ in Formatter().parse(answer.text):
                if field:
                    assert field.split("[")[0].split(".")[0] in PLACEHOLDERS


# ---- review findings -----------------------------------------------------------------------------
@pytest.mark.parametrize("question", [
    "kiem tra 2 xa moi huyen hay tong 10 xa", "mỗi huyện có 2 xã được kiểm tra à", "tỉnh kiểm tra 10 xã đúng không",
    "kế hoạch có kiểm tra 2 xã mỗi huyện không",
])
def test_the_plans_own_figures_are_not_a_count_of_subordinate_units(engine, question):
    a = engine.answer(question)
    assert engine.parse(question).numbers == []
    assert a.matched and a.topic in ("ty-le-kiem-tra", "xa-duoc-chon", "doi-tuong-kiem-tra"), (a.topic, a.answer)
    assert "02 xã" in a.answer and "Với " not in a.answer


@pytest.mark.parametrize("question, n", [
    ("12 xã trực thuộc thì phải tự kiểm tra bao nhiêu xã", 12), ("nếu có 25 đơn vị trực thuộc thì sao", 25),
    ("We have 14 subordinate units, how many must we inspect?", 14), ("huyện có tổng cộng 20 xã thì kiểm tra mấy xã", 20),
    ("Sở có 17 đầu mối trực thuộc thì phải kiểm tra ít nhất bao nhiêu", 17),
])
def test_a_unit_that_has_subordinates_says_so(engine, question, n):
    assert engine.parse(question).numbers[:1] == [n]


@pytest.mark.parametrize("question, topic", [
    ("mua bao doan kiem tra co hoan lich khong", "thay-doi-lich"),
    ("trời mưa to đoàn có dời lịch kiểm tra không", "thay-doi-lich"),
    ("doan kiem tra co kiem tra ve tien luong khong", "noi-dung-kiem-tra"),
    ("doan kiem tra co kiem tra thu tuc hanh chinh linh vuc dat dai khong", "noi-dung-kiem-tra"),
])
def test_one_unrelated_word_does_not_override_a_clear_question(engine, question, topic):
    a = engine.answer(question)
    assert a.matched and a.topic == topic, (a.topic, a.score, a.reason)


@pytest.mark.parametrize("question", [
    "kết quả bóng đá tối qua", "năm sau có kiểm tra huyện An Biên không", "thời tiết Rạch Giá ngày mai thế nào",
    "báo cáo thuế nộp khi nào", "tiền lương tháng này khi nào có",
])
def test_mostly_unrelated_questions_are_still_refused(engine, question):
    a = engine.answer(question)
    assert not a.matched and a.reason == "out_of_scope" and not a.suggestions


@pytest.mark.parametrize("question, topic, says, never", [
    ("doan kiem tra gom nhung co quan nao", "truong-doan", "không nêu", "Cấp tỉnh (6 sở)"),
    ("tinh co bao nhieu so ban nganh", "tong-so-don-vi", "không nêu tổng số", "21 đơn vị"),
    ("snv bao cao ket qua kiem tra len ubnd tinh khi nao", "sau-kiem-tra", "Sau khi kết thúc kiểm tra", "hạn chót"),
    ("kiem tra co bao truoc khong", "thoi-gian-kiem-tra", "thông báo thời gian kiểm tra cụ thể", "Cấp tỉnh"),
    ("so noi vu o dau", "lien-he", "địa chỉ", "Đoàn kiểm tra"),
    ("dia chi so noi vu", "lien-he", "địa chỉ", "Đoàn kiểm tra"),
    ("ke hoach nay con hieu luc khong", "hieu-luc", "không nêu thời hạn hiệu lực", "người ký"),
    ("ai là người soạn kế hoạch (bntam)", "nguoi-soan", "Lưu: VT, bntam", "Mục III.1"),
])
def test_questions_that_looked_alike_get_their_own_answer(engine, question, topic, says, never):
    a = engine.answer(question)
    assert a.matched and a.topic == topic, (a.topic, a.answer)
    assert says in a.answer and never not in a.answer


@pytest.mark.parametrize("question, topic", [
    ("bc gui ve dau", "noi-gui-bao-cao"), ("han nop bc", "han-bao-cao"),
    ("đơn vị mình phải làm gì", "nhiem-vu-don-vi"), ("bên mình có bị kiểm tra không", "don-vi-co-bi-kiem-tra"),
])
def test_the_coordinator_asking_is_told_it_receives_the_reports(engine, services, question, topic):
    a = engine.answer(question, services.roster().get("so-noi-vu"), services)
    assert a.topic == topic
    assert "Sở Nội vụ gửi báo cáo kết quả tự kiểm tra về Ủy ban nhân dân tỉnh (qua Sở Nội vụ)" not in a.answer
    assert "III.2" in a.source and "III.4" in a.source  # it runs III.2; what III.4 says of it is said too
    assert "không thuộc đối tượng kiểm tra trực tiếp" in a.answer


def test_a_commune_that_may_be_chosen_is_told_who_announces_the_list(engine, plan):
    may = Roster.from_plan(plan).resolve("UBND xã Bình Sơn, huyện Hòn Đất").new_unit
    for question in ("xã mình có bị kiểm tra không", "hạn nộp báo cáo", "xã mình phải làm gì"):
        a = engine.answer(question, may)
        assert "có thể được chọn" in a.answer
        assert "“Chọn 02 xã thuộc Ủy ban nhân dân cấp huyện được chọn kiểm tra”" in a.answer, a.answer
        assert "danh sách do Sở Nội vụ thông báo" in a.answer and "Mục II.2.c" in a.answer


@pytest.mark.parametrize("question, code", [
    ("so gd co bi kiem tra k", "so-giao-duc-va-dao-tao"), ("nganh giao duc co bi kiem tra truc tiep ko", "so-giao-duc-va-dao-tao"),
    ("ngành y tế có bị kiểm tra không", "so-y-te"), ("Sở GD&ĐT có bị kiểm tra không", "so-giao-duc-va-dao-tao"),
    ("Sở KH&ĐT kiểm tra ngày nào", "so-ke-hoach-va-dau-tu"), ("so tnmt co bi kiem tra khong", "so-tai-nguyen-va-moi-truong"),
    ("giáo dục và đào tạo có bị kiểm tra không", "so-giao-duc-va-dao-tao"), ("huyen an bienn co bi kiem tra ko", "ubnd-huyen-an-bien"),
    ("Sở CT có bị KT trực tiếp không ạ?", "so-cong-thuong"), ("so van hoa the thao co bi kiem tra khong", "so-van-hoa-va-the-thao"),
    ("Is the Department of Industry and Trade inspected?", "so-cong-thuong"),
    ("When does the Department of Labour Invalids and Social Affairs send its report?", "so-lao-dong-thuong-binh-va-xa-hoi"),
])
def test_unit_names_in_a_question_are_read_like_the_roster_reads_them(engine, question, code):
    assert [u.code for u in engine.parse(question).mentions] == [code]


@pytest.mark.parametrize("question", ["số văn bản là gì", "sở nào được kiểm tra", "kế hoạch số mấy", "huyện an có không"])
def test_ordinary_words_are_not_read_as_unit_names(engine, question):
    assert engine.parse(question).mentions == []


def test_days_left_come_from_the_business_clock(engine, services, clock):
    health = services.roster().get("so-y-te")
    a = engine.answer("hom nay nop bc con kip ko", health, services)
    assert a.topic == "con-han" and "hôm nay 01/09/2020, còn 28 ngày đến hạn chót 29/09/2020" in a.answer
    clock.set(datetime(2020, 9, 29, 16, 0, tzinfo=TZ))
    assert "hôm nay 29/09/2020 là hạn chót" in engine.answer("còn kịp nộp báo cáo không", health, services).answer
    clock.set(datetime(2020, 10, 5, 8, 0, tzinfo=TZ))
    assert "đã qua 6 ngày" in engine.answer("hôm nay nộp báo cáo còn kịp không", health, services).answer
    general = engine.answer("còn mấy ngày nữa là hết hạn nộp báo cáo")  # no clock: the deadline only
    assert general.topic == "con-han" and "hạn chót 29/09/2020" in general.answer
    finance = engine.answer("còn bao nhiêu ngày nữa đến hạn", services.roster().get("so-tai-chinh"), services)
    assert finance.topic == "con-han" and "Đoàn kiểm tra" in finance.answer


def test_a_greeting_and_a_three_part_question_get_the_deadline_and_the_recipient(engine):
    a = engine.answer("chào ad, em là chuyên viên phòng nội vụ huyện, cho em hỏi huyện em có phải nộp báo cáo tự "
                      "kiểm tra không, trước ngày nào và nộp cho ai ạ")
    assert a.matched and "30/9/2020" in a.answer and "Sở Nội vụ" in a.answer


@pytest.mark.parametrize("message, parts", [
    ("bao nhiêu xã, chọn theo kiểu gì", ["bao nhiêu xã", "chọn theo kiểu gì"]),
    ("Phường Tân Châu kiểm tra ngày 15/7, giờ bên em phải làm những việc gì và báo cáo nộp trước ngày nào ạ?",
     ["Phường Tân Châu kiểm tra ngày 15/7, giờ bên em phải làm những việc gì", "báo cáo nộp trước ngày nào ạ?"]),
    ("huyen em co phai nop bao cao khong, truoc ngay nao va nop cho ai",  # typed without marks
     ["huyen em co phai nop bao cao khong", "truoc ngay nao", "nop cho ai"]),
    # not two questions: one ask with a list, "nào cũng" meaning "every", a premise with no question word
    ("báo cáo và tài liệu gì", ["báo cáo và tài liệu gì"]),
    ("Có bao nhiêu xã, phường, đặc khu bị kiểm tra trực tiếp", ["Có bao nhiêu xã, phường, đặc khu bị kiểm tra trực tiếp"]),
    ("Sao năm nào cũng phải kiểm tra CCHC vậy, để làm gì?", ["Sao năm nào cũng phải kiểm tra CCHC vậy, để làm gì?"]),
    ("xã em không bị kiểm tra, phải nộp báo cáo gì", ["xã em không bị kiểm tra, phải nộp báo cáo gì"]),
])
def test_two_questions_in_one_sentence_are_two_parts(message, parts):
    from messages.knowledge.clauses import clauses

    assert [c.text for c in clauses(message)] == parts


def test_two_questions_in_one_sentence_get_both_answers_and_say_nothing_twice(engine):
    a = engine.answer("thành phố Hà Tiên có bị kiểm tra không, nếu có thì đoàn có xuống các phường xã không")
    assert "thuộc đối tượng kiểm tra trực tiếp" in a.answer and "Chọn 02 xã" in a.answer
    assert "Mục II.2.b" in a.answer and "Mục II.2.c" in a.answer
    both = engine.answer("kế hoạch số mấy, do ai ký")
    assert "32/KH-UBND ngày 03/3/2020 của" in both.answer and both.answer.count("Lê Thị Minh Phụng") == 1


def test_a_period_spanning_the_plans_year_is_not_another_years_plan():
    """"Chương trình tổng thể 2021-2030" names the 2026 plan's basis, not a plan of 2021; "năm 2021" alone does."""
    from support import PLAN_2026

    from messages.plan_loader import load_plan_cached

    engine = Engine(load_plan_cached(PLAN_2026))
    a = engine.answer("Kế hoạch kiểm tra có dựa trên Chương trình tổng thể CCHC 2021-2030 ko?")
    assert a.reason == "answered" and "76/NQ-CP" in a.answer and "Phần căn cứ" in a.source
    assert engine.answer("kế hoạch kiểm tra năm 2021 có những đơn vị nào").reason == "out_of_scope"


def test_the_provinces_share_is_applied_to_a_total_the_asker_gives(engine):
    """"Tỉnh có N …": the plan's coverage of each level, counted; "huyện có N xã" stays the subordinates' share."""
    from support import PLAN_2026

    from messages.plan_loader import load_plan_cached

    a = Engine(load_plan_cached(PLAN_2026)).answer("tỉnh có 102 xã phường thì theo kế hoạch kiểm tra ít nhất bao nhiêu xã")
    assert a.topic == "ty-le-kiem-tra-theo-so" and "Mục I.2.b" in a.source
    assert "UBND cấp xã: 20% × 102 = 20,4, tức ít nhất 21 đơn vị" in a.answer
    district = engine.answer("huyen co 17 xa thi phai kt toi thieu bao nhieu xa")
    assert district.topic == "kiem-tra-truc-thuoc" and "ít nhất 6 đơn vị" in district.answer


def test_the_form_of_the_inspection_is_not_how_to_send_a_report(engine):
    assert engine.answer("kiểm tra theo hình thức nào").topic == "hinh-thuc-kiem-tra"
    assert engine.answer("đoàn có xem hồ sơ trên hệ thống thông tin giải quyết TTHC không").topic == "hinh-thuc-kiem-tra"
    assert engine.answer("gửi báo cáo theo hình thức nào").topic == "cach-gui-bao-cao"


def test_a_turn_typed_without_marks_still_splits_the_premise_from_the_question(engine):
    """", vay …" is ", vậy …": the part before it only sets the scene (here: a unit not inspected)."""
    a = engine.answer("minh ko bi kt truc tiep, vay phai tu kiem tra bao nhieu don vi truc thuoc")
    assert a.topic == "kiem-tra-truc-thuoc" and a.asks


def test_naming_the_plans_year_beside_another_is_still_about_this_plan(engine):
    assert engine.answer("báo cáo lần này là tự kiểm tra CCHC năm 2019 hay năm 2020 ạ").reason != "out_of_scope"
    assert engine.answer("kế hoạch kiểm tra năm 2021 có những đơn vị nào").reason == "out_of_scope"


def test_a_district_speaking_of_its_own_communes_without_registering(engine):
    a = engine.answer("huyen minh can kiem tra may xa vay")
    assert a.topic == "kiem-tra-truc-thuoc" and "30%" in a.answer
