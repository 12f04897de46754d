"""`agency-bot report --out FILE.docx`: the draft for the bundled plan, rehearsed after its deadline."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document

from bot.cli import main

sys.path.append(str(Path(__file__).parents[1] / "handlers"))  # broadcast_helpers
from broadcast_helpers import add_submission, set_inspection  # noqa: E402
from support import TZ  # noqa: E402

SELF_REPORT = "bao-cao-tu-kiem-tra"


def test_cli_report_rehearsed_after_the_deadline(fresh_dir, monkeypatch, capsys):
    monkeypatch.setenv("BOT_CLOCK_START", "2020-10-05T09:00:00+07:00")
    from bot.app import build_services
    from bot.settings import load_settings

    services = build_services(load_settings())
    add_submission(services, "so-y-te", SELF_REPORT, at=datetime(2020, 9, 29, 16, 0, tzinfo=TZ))
    add_submission(services, "so-tu-phap", SELF_REPORT, at=datetime(2020, 10, 1, 8, 0, tzinfo=TZ))
    set_inspection(services, "ubnd-thanh-pho-ha-tien", datetime(2020, 9, 22, 8, 0, tzinfo=TZ))
    plan = services.plan
    services.store.dispose()

    out = fresh_dir / "bao-cao"  # the extension is added
    assert main(["report", "--out", str(out)]) == 0
    written = fresh_dir / "bao-cao.docx"
    assert str(written) in capsys.readouterr().out
    document = Document(written)
    texts = [p.text for p in document.paragraphs]
    assert document.tables[0].rows[0].cells[1].text.splitlines()[-1] == "Kiên Giang, ngày 05 tháng 10 năm 2020"
    owes = [u.name for u in plan.units if u.code not in plan.listed_codes]
    late = next(t for t in texts if t.startswith("- Sở, ban, ngành tỉnh (1): "))
    assert late == "- Sở, ban, ngành tỉnh (1): Sở Tư pháp (nhận 01/10/2020 08:00, trễ 2 ngày);"
    assert f"b) Đơn vị chưa nộp ({len(owes) - 2}), đã quá hạn:" in texts
    visits = next(t for t in document.tables if t.rows[0].cells[-1].text == "Ngày kiểm tra")
    assert {r.cells[1].text: r.cells[3].text for r in visits.rows[1:]}["UBND thành phố Hà Tiên"] == "22/09/2020 08:00"
    assert not list(fresh_dir.glob(".*.part"))


def test_cli_report_help_is_listed(capsys):
    try:
        main(["--help"])
    except SystemExit:
        pass
    assert "report" in capsys.readouterr().out
