"""`agency-bot ask` end to end: fresh data dir, the bundled plan, the JSON of product.md."""

import json


from bot.cli import main

KEYS = {"answer", "matched", "score", "topic", "source", "suggestions"}


def ask_json(capsys, *args: str) -> dict:
    assert main(["ask", "--json", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == KEYS
    return out


def test_deadline_of_the_self_inspection_report(capsys):
    out = ask_json(capsys, "han nop bao cao tu kiem tra la ngay nao")
    assert out["matched"] is True and out["topic"] == "han-bao-cao"
    assert "30/9/2020" in out["answer"] and "trước ngày 30/9/2020" in out["answer"]
    assert "III.4" in out["source"] and "Kế hoạch 32/KH-UBND ngày 03/3/2020" in out["source"]
    assert out["answer"].rstrip().endswith(f"({out['source']})")
    assert 0 < out["score"] <= 1 and out["suggestions"] == []


def test_the_same_question_for_an_inspected_department(capsys):
    out = ask_json(capsys, "--agency", "Sở Tài chính", "han nop bao cao tu kiem tra la ngay nao")
    assert out["matched"] is True
    answer = out["answer"]
    assert "Sở Tài chính thuộc đối tượng kiểm tra trực tiếp" in answer
    assert "Quý III/2020" in answer and "Đoàn kiểm tra" in answer
    assert "III.3" in out["source"]


def test_question_words_may_come_as_several_arguments(capsys):
    out = ask_json(capsys, "--agency", "so y te", "hạn", "nộp", "báo", "cáo")
    assert "Sở Y tế" in out["answer"] and "30/9/2020" in out["answer"]


def test_unrelated_question_is_not_answered(capsys):
    out = ask_json(capsys, "giá xăng hôm nay")
    assert out["matched"] is False and out["topic"] is None and out["source"] is None
    assert "Sở Nội vụ" in out["answer"]


def test_plain_output_is_the_answer_text(capsys):
    assert main(["ask", "Sở Y tế có bị kiểm tra trực tiếp không?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sở Y tế không thuộc đối tượng kiểm tra trực tiếp")
    assert "30/9/2020" in out and "(Mục II.2, III.4, Kế hoạch 32/KH-UBND ngày 03/3/2020)" in out


def test_questions_from_the_cli_are_logged(capsys, tmp_path):
    ask_json(capsys, "giá xăng hôm nay")
    ask_json(capsys, "--agency", "Sở Tài chính", "ai ký kế hoạch")
    from sqlmodel import select

    from storage.db import Store
    from storage.models import QuestionLog

    store = Store(f"sqlite:///{tmp_path / 'data' / 'agency-bot.sqlite3'}")
    try:
        with store.session() as s:
            rows = s.exec(select(QuestionLog).order_by(QuestionLog.id)).all()
    finally:
        store.dispose()
    assert [(r.channel, r.matched, r.topic, r.unit_code) for r in rows] == [
        ("cli", False, None, None), ("cli", True, "nguoi-ky", "so-tai-chinh")]


def test_unknown_agency_is_a_clear_error(capsys):
    assert main(["ask", "--agency", "Sở Không Có", "hạn nộp"]) == 2
    assert "Sở Không Có" in capsys.readouterr().err


def test_days_left_use_the_business_clock(capsys, monkeypatch):
    monkeypatch.setenv("BOT_CLOCK_START", "2020-09-25T08:00:00+07:00")
    out = ask_json(capsys, "--agency", "Sở Y tế", "hom nay nop bc con kip ko")
    assert out["topic"] == "con-han" and "còn 4 ngày đến hạn chót 29/09/2020" in out["answer"]


def test_the_coordinator_and_a_sector_name(capsys):
    out = ask_json(capsys, "--agency", "Sở Nội vụ", "bc gui ve dau")
    assert out["topic"] == "noi-gui-bao-cao" and "Sở Nội vụ chủ trì thực hiện kế hoạch" in out["answer"]
    out = ask_json(capsys, "nganh giao duc co bi kiem tra truc tiep ko")
    assert out["matched"] and out["answer"].startswith("Sở Giáo dục và Đào tạo thuộc đối tượng kiểm tra trực tiếp")
