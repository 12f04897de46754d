"""The command line as an operator uses it: fresh data dir, no token."""

import os
import subprocess
import sys

from bot.cli import main
from messages.plan_loader import bundled_plan_path


def test_plan_check_and_show(capsys):
    assert main(["plan", "check"]) == 0
    assert "hợp lệ" in capsys.readouterr().out
    assert main(["plan", "show"]) == 0
    out = capsys.readouterr().out
    for name in ("Sở Kế hoạch và Đầu tư", "Sở Lao động - Thương binh và Xã hội", "Sở Tài nguyên và Môi trường",
                 "Sở Tài chính", "Sở Văn hóa và Thể thao", "Sở Giáo dục và Đào tạo",
                 "An Biên", "Hòn Đất", "Kiên Lương", "Rạch Giá", "Hà Tiên"):
        assert name in out
    assert "Sở, ban, ngành tỉnh (6, Mục II.2.a)" in out and "UBND cấp huyện (5, Mục II.2.b)" in out
    assert "UBND cấp xã: “Chọn 02 xã thuộc Ủy ban nhân dân cấp huyện được chọn kiểm tra” (Mục II.2.c)" in out
    assert "ngày cuối cùng 29/09/2020 (kế hoạch ghi: “trước ngày 30/9/2020”)" in out
    assert "Quý III/2020 (01/07/2020–30/09/2020)" in out


def test_plan_check_refuses_a_broken_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(bundled_plan_path().read_text(encoding="utf-8").replace("last_day: 29/9/2020", "last_day: 31/9/2020"),
                   encoding="utf-8")
    assert main(["plan", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "không hợp lệ" in err and "31/9/2020" in err and "dòng" in err


def test_a_broken_plan_file_stops_start_up(monkeypatch, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 2\n", encoding="utf-8")
    monkeypatch.setenv("PLAN_FILE", str(bad))
    assert main(["plan", "show"]) == 2
    assert "document" in capsys.readouterr().err


def test_db_upgrade(capsys, fresh_dir):
    assert main(["db", "upgrade"]) == 0
    assert "phiên bản mới nhất" in capsys.readouterr().out
    assert (fresh_dir / "data" / "agency-bot.sqlite3").exists()


def test_invite_prints_a_code_and_is_audited(capsys, fresh_dir):
    assert main(["invite", "so", "tai", "chinh"]) == 0
    out = capsys.readouterr().out
    assert "Mã mời cho Sở Tài chính" in out and "/dangky" in out
    from sqlmodel import select

    from storage.db import Store
    from storage.models import AuditEntry

    store = Store(f"sqlite:///{fresh_dir / 'data' / 'agency-bot.sqlite3'}")
    try:
        with store.session() as s:
            entries = [(e.via, e.action, e.unit_code, e.person_id) for e in s.exec(select(AuditEntry)).all()]
    finally:
        store.dispose()
    assert entries == [("cli", "invite_issued", "so-tai-chinh", None)]
    assert main(["invite", "Bộ", "Quốc", "phòng"]) == 2
    assert "Không tìm thấy" in capsys.readouterr().err


def test_chat_from_a_pipe_with_no_token(fresh_dir):
    """What a new operator does first: the README's start command, piped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--agency", "Sở Y tế"],
        input="/start\n/help\n/xuatexcel\n/thoat\n", capture_output=True, text=True, env=env, cwd=fresh_dir, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "đầu mối của Sở Y tế" in run.stdout
    assert "/dangky" in run.stdout and "Tạm biệt" in run.stdout
    assert "chỉ dành cho cán bộ" in run.stdout  # a staff command refused in one sentence...
    assert "Traceback" not in run.stderr and "WARNING" not in run.stderr  # ...not also as a log line


def test_reminders_lists_what_will_go_out_and_what_cannot(monkeypatch, capsys):
    monkeypatch.setenv("BOT_CLOCK_START", "2020-09-20T09:00:00+07:00")
    assert main(["reminders", "--days", "15"]) == 0
    out = capsys.readouterr().out
    # no focal point is registered yet: the III.4 reminders are shown as undeliverable, by unit
    assert "Sở Y tế" in out and "chưa có đầu mối" in out
    assert "Sở Tài chính" not in out.split("Không gửi được")[0]  # inspected directly: no III.4 series


def test_run_with_the_port_taken_says_so_in_one_sentence(monkeypatch, capsys):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        monkeypatch.setenv("HTTP_PORT", str(busy.getsockname()[1]))
        assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "HTTP_PORT" in err and "Traceback" not in err
