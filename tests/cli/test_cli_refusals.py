"""Every bad argument or setting gets one Vietnamese sentence (and a hint), never a traceback."""

import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from bot.cli import main


def _err_lines(capsys) -> list[str]:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "usage:" not in captured.err and "error:" not in captured.err
    return [line for line in captured.err.splitlines() if line.strip()]


def test_help_is_vietnamese_and_every_option_is_explained(capsys):
    for argv in (["--help"], ["invite", "--help"], ["reminders", "--help"], ["export", "--help"], ["ask", "--help"],
                 ["chat", "--help"], ["plan", "check", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("Cách dùng: agency-bot")
        assert "usage:" not in out and "show this help" not in out and "options:" not in out
        assert "xem hướng dẫn này rồi thoát" in out
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "--out FILE.xlsx  tệp Excel" in out and "--force" in out and "ghi đè" in out
    with pytest.raises(SystemExit):
        main(["invite", "--help"])
    assert "--days N    số ngày mã còn hiệu lực, từ 1 đến 365" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["invite", "so-y-te", "--days", "-1"], "Tham số --days: phải từ 1 đến 365 (đang là -1)."),
    (["invite", "so-y-te", "--days", "0"], "Tham số --days: phải từ 1 đến 365 (đang là 0)."),
    (["invite", "so-y-te", "--days", "99999"], "Tham số --days: phải từ 1 đến 365 (đang là 99999)."),
    (["invite", "so-y-te", "--days", "abc"], "Tham số --days: phải là số nguyên, không phải “abc”."),
    (["reminders", "--days", "-3"], "Tham số --days: phải từ 1 đến 366 (đang là -3)."),
    (["export"], "Thiếu tham số bắt buộc: --out."),
    (["launch"], "Lệnh hoặc giá trị “launch” không có"),
    (["chat", "--bogus"], "Không hiểu tham số: --bogus."),
    (["invite", "so-y-te", "--days"], "Tham số --days cần kèm một giá trị."),
])
def test_argument_errors_are_one_vietnamese_sentence(capsys, argv, needle):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    lines = _err_lines(capsys)
    assert lines[0].startswith("Cách dùng: agency-bot")
    assert needle in lines[-2] and lines[-1].startswith("Xem hướng dẫn: agency-bot")


def test_invite_with_several_units_is_refused(capsys, fresh_dir):
    assert main(["invite", "STC", "H. An Biên"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "một đơn vị" in lines[0]
    assert "Sở Tài chính" in lines[0] and "An Biên" in lines[0]
    # a name typed without quotes is still one unit
    assert main(["invite", "UBND", "huyện", "An", "Biên", "--days", "3"]) == 0
    assert "Mã mời cho UBND huyện An Biên" in capsys.readouterr().out


def test_invite_days_sets_the_expiry(capsys, fresh_dir, monkeypatch):
    assert main(["invite", "so-y-te", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "Hiệu lực đến" in out


def test_export_refuses_a_folder_a_csv_and_an_existing_file(capsys, fresh_dir):
    folder = fresh_dir / "out"
    folder.mkdir()
    assert main(["export", "--out", str(folder)]) == 2
    assert "là một thư mục" in _err_lines(capsys)[0]
    assert not (fresh_dir / "out.xlsx").exists()

    assert main(["export", "--out", str(fresh_dir / "x.csv")]) == 2
    assert ".xlsx" in _err_lines(capsys)[0]
    assert not (fresh_dir / "x.csv.xlsx").exists() and not (fresh_dir / "x.csv").exists()

    target = fresh_dir / "bao-cao.xlsx"
    target.write_bytes(b"staff's own workbook")
    assert main(["export", "--out", str(target)]) == 2
    line = _err_lines(capsys)[0]
    assert "đã có" in line and "--force" in line
    assert target.read_bytes() == b"staff's own workbook"
    assert main(["export", "--out", str(target), "--force"]) == 0
    capsys.readouterr()
    assert load_workbook(target).sheetnames

    assert main(["export", "--out", str(fresh_dir / "tong-hop")]) == 0  # no extension: .xlsx is added
    assert (fresh_dir / "tong-hop.xlsx").is_file()


@pytest.mark.parametrize("env, needle", [
    ({"DATABASE_URL": "garbage"}, "DATABASE_URL"),
    ({"DATABASE_URL": "mysql://u@h/db"}, "“mysql” không được hỗ trợ"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"INVITE_DAYS": "0"}, "phải từ 1 trở lên"),
    ({"DATA_DIR": "/sys/agency-bot-test"}, "DATA_DIR"),
    ({"DATABASE_URL": "sqlite:////sys/agency-bot-test.sqlite3"}, "Không mở được tệp cơ sở dữ liệu"),
    ({"DATABASE_URL": "postgresql://bot@127.0.0.1:1/test"}, "máy chủ không nhận kết nối"),
])
def test_bad_settings_stop_with_one_sentence(capsys, monkeypatch, env, needle):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["reminders"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and needle in lines[0], lines
    assert lines[0].endswith(".")


def test_a_data_dir_that_is_a_file(capsys, monkeypatch, fresh_dir):
    blocker = fresh_dir / "blocker"
    blocker.write_text("x")
    monkeypatch.setenv("DATA_DIR", str(blocker / "data"))
    assert main(["db", "upgrade"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "DATA_DIR" in lines[0] and "không phải thư mục" in lines[0]


def test_postgresql_without_psycopg_names_the_extra(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as after the README's plain `pip install -e .`
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@127.0.0.1/test")
    assert main(["reminders"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "psycopg" in lines[0] and ".[postgres]" in lines[0]


def test_a_missing_postgresql_database_is_named(capsys, monkeypatch, pg_url):
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(database="agency_bot_no_such_db", query={})
    monkeypatch.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
    assert main(["reminders"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "“agency_bot_no_such_db” chưa có" in lines[0]


def test_the_installed_command_prints_no_traceback(fresh_dir):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))},
           "DATABASE_URL": "garbage"}
    run = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], capture_output=True, text=True, env=env,
                         cwd=fresh_dir, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "DATABASE_URL" in run.stderr
