from pathlib import Path

import pytest

from messages.plan_loader import PlanError, bundled_plan_path, load_plan, parse_plan
from messages.deadlines import deadlines_for

BUNDLED = bundled_plan_path().read_text(encoding="utf-8")


def refused(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(text, "bad.yaml")
    return info.value.problems


def test_bundled_plan_matches_the_seed(plan):
    assert plan.document.number == "32/KH-UBND"
    assert plan.document.citation == "Kế hoạch 32/KH-UBND ngày 03/3/2020"
    assert plan.document.signer.name == "Lê Thị Minh Phụng"
    assert [b.number for b in plan.legal_bases] == ["225/QĐ-TTg", "609/QĐ-TTg", "164/KH-UBND"]
    assert len(plan.inspection.departments) == 6 and len(plan.inspection.districts) == 5
    assert plan.inspection.communes_per_district == 2
    assert plan.inspection.coverage.communes == 10
    assert sum(u.tier == "district" for u in plan.units) == 15
    assert plan.inspection.window.label == "Quý III/2020"
    report = next(d for d in plan.deliverables if d.section == "III.4")
    assert report.due.date.isoformat() == "2020-09-30" and report.applies_to == "not_inspected"
    assert plan.cite("III.4") == "Mục III.4, Kế hoạch 32/KH-UBND ngày 03/3/2020"
    sections = {s.id for s in plan.sections}
    assert {"I.1.a", "I.1.b", "I.1.c", "I.2.a", "I.2.b", "I.2.c", "II.1", "II.2.a", "II.2.b", "II.2.c", "II.3",
            "III.1", "III.2", "III.3.a", "III.3.b", "III.4"} <= sections


def test_codes_are_ascii_slugs_of_names(plan):
    from messages.vntext import slug

    for unit in plan.units:
        assert unit.code == slug(unit.name), unit


def test_each_unit_owes_the_deliverable_of_its_group(plan, clock):
    inspected = deadlines_for(plan, "so-tai-chinh", True, clock.tz)
    others = deadlines_for(plan, "so-y-te", False, clock.tz)
    assert [d.deliverable.section for d in inspected] == ["III.3.a"]
    assert inspected[0].provisional and inspected[0].at.date().isoformat() == "2020-09-30"
    assert [d.deliverable.section for d in others] == ["III.4"]
    assert others[0].at.strftime("%d/%m/%Y %H:%M") == "30/09/2020 23:59"
    assert others[0].days_left(clock.now()) == 29


def test_missing_deadline_is_refused_naming_the_field():
    problems = refused(BUNDLED.replace("      date: 30/9/2020\n", ""))
    assert any(p.startswith("deliverables[0].due (dòng") and "date" in p for p in problems), problems


def test_impossible_date_is_refused():
    problems = refused(BUNDLED.replace("date: 30/9/2020", "date: 31/9/2020"))
    assert any("deliverables[0].due.date" in p and "31/9/2020" in p and "không tồn tại" in p for p in problems)


def test_unknown_unit_in_the_inspected_list_is_refused():
    problems = refused(BUNDLED.replace("    - so-tai-chinh\n", "    - so-tai-chanh\n"))
    assert any("inspection.departments[3]" in p and "so-tai-chanh" in p for p in problems), problems


def test_lines_point_at_the_fault():
    problems = refused(BUNDLED.replace("  year: 2020", "  year: hai nghin"))
    line = next(i for i, l in enumerate(BUNDLED.splitlines(), 1) if l.startswith("  year:"))
    assert problems == [f"document.year (dòng {line}): phải là số nguyên"]


@pytest.mark.parametrize("text,needle", [
    ("a: [1", "YAML sai cú pháp"),
    ("", "tệp rỗng"),
    (BUNDLED.replace("schema_version: 1", "schema_version: 9"), "phiên bản 9"),
    (BUNDLED + "\nextra_field: 1\n", "extra_field"),
    (BUNDLED.replace("tier: district}", "tier: huyen}", 1), "units[22].tier"),
    (BUNDLED.replace("end: 30/9/2020", "end: 30/6/2020"), "inspection.window"),
    (BUNDLED.replace("{code: so-y-te,", "{code: so-tai-chinh,"), "bị trùng"),
    (BUNDLED.replace("coordinator: so-noi-vu", "coordinator: so-noi-vu-x"), "coordinator"),
    (BUNDLED.replace("section: III.4\n    applies_to: not_inspected\n    sender",
                     "section: III.9\n    applies_to: not_inspected\n    sender"), "III.9"),
])
def test_broken_files_are_refused(text, needle):
    assert any(needle in p for p in refused(text))


def test_unreadable_file(tmp_path):
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "missing.yaml")
    assert "không đọc được" in info.value.problems[0]
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"t\xean: S\xf5")
    with pytest.raises(PlanError):
        load_plan(bad)


def test_another_plan_is_just_another_file(tmp_path):
    """Next year's plan: change the data, not the code."""
    text = (BUNDLED.replace("number: 32/KH-UBND", "number: 45/KH-UBND")
            .replace("date: 30/9/2020", "date: 15/10/2021").replace("year: 2020", "year: 2021"))
    path = tmp_path / "2021.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    assert plan.document.number == "45/KH-UBND"
    assert plan.deliverables[0].due.date.isoformat() == "2021-10-15"


SEED = Path(__file__).resolve().parents[1] / "data" / "ke-hoach-32-kh-ubnd-2020.txt"  # the source document


def test_signer_and_recipients_as_in_the_document(plan):
    signer = plan.document.signer
    assert (signer.capacity, signer.position, signer.name) == ("KT. Chủ tịch", "Phó Chủ tịch", "Lê Thị Minh Phụng")
    assert plan.document.recipients == ["Bộ Nội vụ", "TT. HĐND tỉnh", "CT và các PCT. UBND tỉnh",
                                        "Các sở, ban, ngành tỉnh", "UBND các huyện, thành phố",
                                        "LĐVP, P. NCPC, P. HCTC", "Trung tâm PVHCC tỉnh", "Lưu: VT, bntam"]


def test_section_texts_are_the_documents_own_words(plan):
    """Each numbered section quotes the seed verbatim (modulo line breaks and markup)."""
    import re

    def squash(text: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"[*#]", "", text)).strip()

    seed = squash(SEED.read_text(encoding="utf-8"))
    for section in plan.sections:
        if section.id in {"preamble", "recipients", "signature", "II.2", "II.3", "III.3"}:
            continue  # composed from several places of the document
        assert squash(section.text) in seed, section.id


def test_long_dates_follow_decree_30():
    """Nghị định 30/2020/NĐ-CP: a day below 10 and the months 1 and 2 take a leading zero."""
    from datetime import date

    from messages.vntext import long_date

    assert long_date(date(2020, 10, 5)) == "ngày 05 tháng 10 năm 2020"
    assert long_date(date(2021, 2, 14)) == "ngày 14 tháng 02 năm 2021"
    assert long_date(date(2020, 3, 3)) == "ngày 03 tháng 3 năm 2020"
