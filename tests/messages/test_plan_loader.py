from datetime import date, datetime
from pathlib import Path

import pytest
from support import PLAN_2026

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
    assert [lv.id for lv in plan.levels] == ["province_agency", "district", "commune"]
    assert plan.level("commune").parent == "district" and plan.level("district").places
    assert len(plan.selection("province_agency").units) == 6 and len(plan.selection("district").units) == 5
    assert plan.selection("commune").per_parent == 2 and not plan.selection("commune").units
    targets = {t.level: (t.ratio, t.count) for t in plan.inspection.coverage.targets}
    assert targets == {"province_agency": (0.3, None), "district": (0.3, None), "commune": (None, 10)}
    assert sum(u.level == "district" for u in plan.units) == 15
    assert plan.inspection.window.label == "Quý III/2020"
    report = next(d for d in plan.deliverables if d.section == "III.4")
    assert report.due.wording == "trước ngày 30/9/2020" and report.applies_to == "not_inspected"
    assert report.due.last_day.isoformat() == "2020-09-29"  # "trước ngày 30/9" read literally
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
    assert inspected[0].unset and inspected[0].at is None  # no inspection date yet: no date is invented
    visit = datetime(2020, 9, 15, 8, 30, tzinfo=clock.tz)
    assert deadlines_for(plan, "so-tai-chinh", True, clock.tz, visit)[0].at == visit  # due at the inspection
    assert [d.deliverable.section for d in others] == ["III.4"]
    assert others[0].at.strftime("%d/%m/%Y %H:%M") == "29/09/2020 23:59"
    assert others[0].days_left(clock.now()) == 28


def test_missing_deadline_is_refused_naming_the_field():
    problems = refused(BUNDLED.replace("      last_day: 29/9/2020\n", ""))
    assert any(p.startswith("deliverables[0].due (dòng") and "last_day" in p for p in problems), problems


def test_impossible_date_is_refused():
    problems = refused(BUNDLED.replace("last_day: 29/9/2020", "last_day: 31/9/2020"))
    assert any("deliverables[0].due.last_day" in p and "31/9/2020" in p and "không tồn tại" in p for p in problems)


def test_unknown_unit_in_the_inspected_list_is_refused():
    problems = refused(BUNDLED.replace("        - so-tai-chinh\n", "        - so-tai-chanh\n"))
    assert any("inspection.selection[0].units[3]" in p and "so-tai-chanh" in p for p in problems), problems


def test_lines_point_at_the_fault():
    problems = refused(BUNDLED.replace("  year: 2020", "  year: hai nghin"))
    line = next(i for i, l in enumerate(BUNDLED.splitlines(), 1) if l.startswith("  year:"))
    assert problems == [f"document.year (dòng {line}): phải là số nguyên"]


@pytest.mark.parametrize("text,needle", [
    ("a: [1", "YAML sai cú pháp"),
    ("", "tệp rỗng"),
    (BUNDLED.replace("schema_version: 2", "schema_version: 9"), "phiên bản 9"),
    (BUNDLED + "\nextra_field: 1\n", "extra_field"),
    (BUNDLED.replace("level: district}", "level: huyen}", 1), "cấp 'huyen' không có trong levels"),
    (BUNDLED.replace("    parent: district\n", "    parent: tinh\n"), "levels[2].parent"),
    (BUNDLED.replace("per_parent: 2", "per_parent: 0"), "inspection.selection[2].per_parent"),
    (BUNDLED.replace("      - {level: commune, count: 10}", "      - {level: commune, count: 10, ratio: 0.1}"),
     "inspection.coverage.targets[2]"),
    (BUNDLED.replace("      before_inspection: {days: 0}", "      before_inspection: {days: -1}"),
     "deliverables[1].due.before_inspection.days"),
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
            .replace("last_day: 29/9/2020", "last_day: 15/10/2021").replace("year: 2020", "year: 2021"))
    path = tmp_path / "2021.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    assert plan.document.number == "45/KH-UBND"
    assert plan.deliverables[0].due.last_day.isoformat() == "2021-10-15"


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


# ---- the bundled two-level plan (2026) --------------------------------------------------------------
SEED_2026 = Path(__file__).resolve().parents[1] / "data" / "ke-hoach-28-kh-ubnd-2026.txt"


def test_the_2026_plan_has_two_levels_and_explicit_lists(plan_2026):
    assert [lv.id for lv in plan_2026.levels] == ["province_agency", "commune"]
    assert all(lv.parent is None for lv in plan_2026.levels)
    assert {"xã", "phường", "đặc khu"} == set(plan_2026.level("commune").kinds)
    communes = [u for u in plan_2026.units if u.level == "commune"]
    assert len(communes) >= 30 and all(u.parent is None for u in communes)
    assert len(plan_2026.selection("commune").units) == 20 and not plan_2026.selection("commune").chosen_later
    assert "ubnd-phuong-long-xuyen" in plan_2026.listed_codes
    assert not any("huyen" in u.code for u in plan_2026.units)


def test_a_working_day_offset_skips_weekends_and_public_holidays(plan_2026, clock):
    tz = clock.tz
    report = next(d for d in plan_2026.deliverables if d.due.before_inspection)
    assert (report.due.before_inspection.days, report.due.before_inspection.working) == (5, True)
    # inspection on Thursday 18/6/2026: 5 working days before is Thursday 11/6
    (dl,) = deadlines_for(plan_2026, "ubnd-phuong-long-xuyen", True, tz, datetime(2026, 6, 18, 8, 0, tzinfo=tz))
    assert dl.at == datetime(2026, 6, 11, 23, 59, 59, tzinfo=tz)
    # inspection on Wednesday 6/5/2026: 5/5, 4/5, (weekend, 1/5 and 30/4 holidays) 29/4, 28/4, (27/4 Hùng
    # Kings observed, weekend) 24/4: the fifth working day before is Friday 24/4
    (dl,) = deadlines_for(plan_2026, "ubnd-phuong-long-xuyen", True, tz, datetime(2026, 5, 6, 8, 0, tzinfo=tz))
    assert dl.at.date() == date(2026, 4, 24)


@pytest.mark.parametrize("extra, last_day", [
    ("  days_off: [16/6/2026]", date(2026, 6, 10)),  # 17, (16 off), 15, 12, 11, 10
    ("  days_off: [16/6/2026]\n  working_days: [13/6/2026]", date(2026, 6, 11)),  # a make-up Saturday counts
])
def test_a_plans_own_days_off_and_make_up_days_count(clock, extra, last_day):
    text = Path(PLAN_2026).read_text(encoding="utf-8").replace("calendar:\n  country: VN", f"calendar:\n  country: VN\n{extra}")
    plan = parse_plan(text, "x.yaml")
    (dl,) = deadlines_for(plan, "ubnd-phuong-long-xuyen", True, clock.tz, datetime(2026, 6, 18, 8, 0, tzinfo=clock.tz))
    assert dl.at.date() == last_day


def test_the_2026_sections_are_the_documents_own_words(plan_2026):
    import re

    def squash(text: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"[*#]", "", text)).strip()

    seed = squash(SEED_2026.read_text(encoding="utf-8"))
    for section in plan_2026.sections:
        if section.id in {"preamble", "recipients", "signature", "II.2"}:
            continue  # composed from several places of the document
        assert squash(section.text) in seed, section.id


def test_the_plan_is_composed_by_libyaml_when_present_with_the_same_result(monkeypatch):
    """CSafeLoader (8 ms) instead of the pure-Python loader (100 ms): same data, same line map."""
    import yaml

    from messages import plan_loader

    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    assert plan_loader.YAML_LOADER is yaml.CSafeLoader
    text = plan_loader.bundled_plan_path().read_text(encoding="utf-8")
    fast = plan_loader.parse_plan(text)
    monkeypatch.setattr(plan_loader, "YAML_LOADER", yaml.SafeLoader)
    assert plan_loader.parse_plan(text) == fast
    broken = text.replace("last_day: 29/9/2020", "last_day: 31/9/2020", 1)
    with pytest.raises(plan_loader.PlanError) as pure:
        plan_loader.parse_plan(broken)
    monkeypatch.setattr(plan_loader, "YAML_LOADER", yaml.CSafeLoader)
    with pytest.raises(plan_loader.PlanError) as c:
        plan_loader.parse_plan(broken)
    assert pure.value.problems == c.value.problems and "dòng" in c.value.problems[0]
    with pytest.raises(plan_loader.PlanError) as syntax:
        plan_loader.parse_plan("a: [1, 2\nb: 3\n")
    assert "dòng" in syntax.value.problems[0]
def test_long_dates_follow_decree_30():
    """Nghị định 30/2020/NĐ-CP: a day below 10 and the months 1 and 2 take a leading zero."""
    from datetime import date

    from messages.vntext import long_date

    assert long_date(date(2020, 10, 5)) == "ngày 05 tháng 10 năm 2020"
    assert long_date(date(2021, 2, 14)) == "ngày 14 tháng 02 năm 2021"
    assert long_date(date(2020, 3, 3)) == "ngày 03 tháng 3 năm 2020"
