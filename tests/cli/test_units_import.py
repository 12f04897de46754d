"""``agency-bot units import|list``: staff load the roster from the spreadsheet they keep."""

from __future__ import annotations

from openpyxl import Workbook
from support import PLAN_2026

from bot.cli import main

COMMUNES_2020 = """name,level,parent,inspected
UBND xã Bình Sơn,xã,UBND huyện Hòn Đất,có
UBND xã Bình Giang,Cấp xã,huyện Hòn Đất,
UBND thị trấn Thứ Ba,commune,H. An Biên,không
Sở Tài chính,sở,,
"""


def test_a_dry_run_shows_what_would_change_and_writes_nothing(fresh_dir, capsys):
    (fresh_dir / "xa.csv").write_text(COMMUNES_2020, encoding="utf-8")
    assert main(["units", "import", "xa.csv", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Chạy thử (chưa ghi gì): sẽ thêm 3, cập nhật 0; 0 không đổi; 1 đã có trong tệp kế hoạch." in out
    assert "+ dòng 2: UBND xã Bình Sơn [ubnd-xa-binh-son] — UBND cấp xã, thuộc UBND huyện Hòn Đất; kiểm tra trực tiếp" in out
    assert main(["units", "list"]) == 0
    assert "Bình Sơn" not in capsys.readouterr().out


def test_import_then_list_then_import_again(fresh_dir, capsys):
    (fresh_dir / "xa.csv").write_text(COMMUNES_2020, encoding="utf-8")
    assert main(["units", "import", "xa.csv"]) == 0
    assert "Đã nạp danh sách: thêm 3" in capsys.readouterr().out
    assert main(["units", "list"]) == 0
    out = capsys.readouterr().out
    assert "UBND cấp xã (3):" in out and "UBND xã Bình Sơn [ubnd-xa-binh-son], thuộc UBND huyện Hòn Đất; kiểm tra" in out
    assert "UBND thị trấn Thứ Ba [ubnd-thi-tran-thu-ba], thuộc UBND huyện An Biên (bổ sung)" in out
    assert main(["units", "import", "xa.csv"]) == 0
    assert "thêm 0, cập nhật 0; 3 không đổi" in capsys.readouterr().out
    # the imported communes are units like any other: an invite needs no confirmation now
    assert main(["invite", "xã Bình Giang, huyện Hòn Đất"]) == 0
    assert "Mã mời cho UBND xã Bình Giang" in capsys.readouterr().out


def test_bad_rows_stop_the_whole_import_with_one_line_each(fresh_dir, capsys):
    (fresh_dir / "bad.csv").write_text(
        "Tên đơn vị;Cấp;Thuộc\n"
        "UBND xã A;thôn;UBND huyện Hòn Đất\n"
        "UBND xã B;xã;UBND huyện Không Có\n"
        "UBND xã C;xã;UBND huyện Hòn Đất\n"
        "UBND xã C;xã;Hòn Đất\n"
        "UBND xã D;xã;\n", encoding="utf-8")
    assert main(["units", "import", "bad.csv"]) == 2
    out = capsys.readouterr().out
    assert "Chưa nạp danh sách: có 4 lỗi" in out
    assert "dòng 2: cấp “thôn” không có trong kế hoạch (các cấp: Sở, ban, ngành tỉnh, UBND cấp huyện, UBND cấp xã)" in out
    assert "dòng 3: đơn vị cấp trên “UBND huyện Không Có” không có trong danh sách UBND cấp huyện" in out
    assert "dòng 5: “UBND xã C” trùng với dòng 4" in out
    assert "dòng 6: đơn vị cấp trên “—”" in out
    assert main(["units", "list"]) == 0
    assert "UBND xã C" not in capsys.readouterr().out  # nothing was written


def test_the_file_itself_is_checked(fresh_dir, capsys):
    assert main(["units", "import", "khongco.xlsx"]) == 2
    assert "Không tìm thấy tệp khongco.xlsx" in capsys.readouterr().err
    (fresh_dir / "x.txt").write_text("name,level\n", encoding="utf-8")
    assert main(["units", "import", "x.txt"]) == 2
    assert "không phải .xlsx hoặc .csv" in capsys.readouterr().err
    (fresh_dir / "cols.csv").write_text("ten,ghi chu\nA,B\n", encoding="utf-8")
    assert main(["units", "import", "cols.csv"]) == 2
    assert "Thiếu cột: level" in capsys.readouterr().err


def test_a_two_level_roster_from_an_xlsx(fresh_dir, monkeypatch, capsys):
    monkeypatch.setenv("PLAN_FILE", PLAN_2026)
    wb = Workbook()
    wb.active.append(["Tên", "Cấp", "Mã"])
    wb.active.append(["UBND xã Vĩnh Gia", "xã", None])
    wb.active.append(["UBND đặc khu Thổ Châu", "đặc khu", None])  # already in the plan file
    wb.active.append(["UBND phường Mới", "phường", "ubnd-phuong-moi"])
    wb.save(fresh_dir / "xa.xlsx")
    assert main(["units", "import", "xa.xlsx"]) == 0
    assert "thêm 2, cập nhật 0; 0 không đổi; 1 đã có trong tệp kế hoạch" in capsys.readouterr().out
    assert main(["units", "list"]) == 0
    out = capsys.readouterr().out
    assert "UBND xã Vĩnh Gia [ubnd-xa-vinh-gia] (bổ sung)" in out and "huyện" not in out
