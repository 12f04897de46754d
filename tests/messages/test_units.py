import pytest

from messages.units import Roster
from messages.vntext import fold, nfc


@pytest.fixture
def roster(plan):
    return Roster.from_plan(plan)


@pytest.mark.parametrize("typed,code", [
    ("Sở Tài chính", "so-tai-chinh"),
    ("so tai chinh", "so-tai-chinh"),
    ("STC", "so-tai-chinh"),
    ("sở tài chánh", "so-tai-chinh"),
    ("UBND huyện An Biên", "ubnd-huyen-an-bien"),
    ("H. An Biên", "ubnd-huyen-an-bien"),
    ("huyen an bien", "ubnd-huyen-an-bien"),
    ("TP Rạch Giá", "ubnd-thanh-pho-rach-gia"),
    ("TP. Hà Tiên", "ubnd-thanh-pho-ha-tien"),
    ("ubnd-huyen-an-bien", "ubnd-huyen-an-bien"),
    ("Sở GD&ĐT", "so-giao-duc-va-dao-tao"),
    ("Sở LĐ-TB&XH", "so-lao-dong-thuong-binh-va-xa-hoi"),
    ("sở văn hoá", "so-van-hoa-va-the-thao"),
    ("Sở Giao thông", "so-giao-thong-van-tai"),
    ("SNV", "so-noi-vu"),
    ("Sở CT", "so-cong-thuong"),  # the initials of the name after its kind word
    ("Sở TNMT", "so-tai-nguyen-va-moi-truong"),
    ("Sở TN&MT", "so-tai-nguyen-va-moi-truong"),
    ("huyện HĐ", "ubnd-huyen-hon-dat"),
    (nfc("Sở Y tế").replace("ế", "e\u0302\u0301"), "so-y-te"),  # decomposed input
])
def test_names_as_people_write_them(roster, typed, code):
    assert roster.resolve(typed).unit.code == code


def test_a_commune_not_yet_in_the_roster_is_a_proposal_never_a_unit(roster):
    res = roster.resolve("UBND xã Bình Sơn, huyện Hòn Đất")
    assert res.unit is None
    commune = res.new_unit
    assert commune.code == "ubnd-xa-binh-son-huyen-hon-dat"
    assert commune.level == "commune" and commune.parent == "ubnd-huyen-hon-dat"
    assert commune.name == "UBND xã Bình Sơn, huyện Hòn Đất"
    # once added, the same commune typed another way resolves to it, and a typo is offered as it
    grown = roster.with_units([commune])
    assert grown.resolve("xa binh son, h. hon dat").unit.code == commune.code
    assert grown.resolve("UBND xã Bình Sơn huyện Hòn Đất").unit.code == commune.code
    typo = grown.resolve("UBND xã Bình Sơnn, huyện Hòn Đất")
    assert typo.unit is None and [u.code for u in typo.candidates] == [commune.code]
    assert grown.resolve("Phường Vĩnh Thanh, TP Rạch Giá").new_unit.parent == "ubnd-thanh-pho-rach-gia"
    assert grown.resolve("xã Bình Sơn").unit.code == commune.code  # the only one of that name
    assert roster.resolve("xã Bình Sơn").missing_parent.id == "commune"  # not known: say where it is


def test_unknown_and_ambiguous_names(roster):
    assert roster.resolve("Bộ Quốc phòng").unit is None
    assert roster.resolve("").unit is None
    ambiguous = roster.resolve("Ban Quản lý")
    assert ambiguous.unit is None and len(ambiguous.candidates) == 2
    nowhere = roster.resolve("xã Bình Sơn, huyện Không Có")
    assert nowhere.unit is None and nowhere.new_unit is None
    assert roster.resolve("Huyện Không Có").candidates == ()  # not a typo of any district: nothing to offer
    assert roster.lookup("Sở NV") is None  # Nội vụ or Ngoại vụ: initials two units share name neither


def test_fold():
    assert fold("Đoàn KIỂM TRA, hoà/hòa") == "doan kiem tra hoa hoa"


@pytest.mark.parametrize("typed", ["uy ban tinh", "ủy ban tỉnh", "Ủy ban nhân dân tỉnh"])
def test_an_unsure_name_is_offered_never_picked(roster, typed):
    """"Ủy ban tỉnh" once fuzzily became UBND huyện An Minh; unsure matches are only candidates."""
    res = roster.resolve(typed)
    assert res.unit is None and "ubnd-huyen-an-minh" not in {c.code for c in res.candidates}


def test_common_abbreviations_inside_names(roster):
    assert roster.resolve("Sở Nông nghiệp và PTNT").unit.code == "so-nong-nghiep-va-phat-trien-nong-thon"
    assert roster.resolve("Sở GTVT").unit.code == "so-giao-thong-van-tai"


# ---- a two-level plan (2026): communes, wards and special zones without districts -----------------
@pytest.fixture
def roster_2026(plan_2026):
    return Roster.from_plan(plan_2026)


@pytest.mark.parametrize("typed,code", [
    ("phường Long Xuyên", "ubnd-phuong-long-xuyen"),
    ("UBND phường Long Xuyên", "ubnd-phuong-long-xuyen"),
    ("P. Long Xuyên", "ubnd-phuong-long-xuyen"),
    ("Long Xuyên", "ubnd-phuong-long-xuyen"),
    ("đặc khu Phú Quốc", "ubnd-dac-khu-phu-quoc"),
    ("dac khu phu quoc", "ubnd-dac-khu-phu-quoc"),
    ("ĐK Phú Quốc", "ubnd-dac-khu-phu-quoc"),
    ("xã Tri Tôn", "ubnd-xa-tri-ton"),
    ("Sở Văn hóa", "so-van-hoa-the-thao-va-du-lich"),
    ("Sở Nông nghiệp và Môi trường", "so-nong-nghiep-va-moi-truong"),
])
def test_two_level_names(roster_2026, typed, code):
    assert roster_2026.resolve(typed).unit.code == code


def test_a_new_commune_needs_no_district_where_the_plan_has_none(roster_2026):
    new = roster_2026.resolve("xã Vĩnh Gia").new_unit
    assert (new.code, new.name, new.level, new.parent) == ("ubnd-xa-vinh-gia", "UBND xã Vĩnh Gia", "commune", None)
    special = roster_2026.resolve("đặc khu Hòn Nghệ").new_unit
    assert special.name == "UBND đặc khu Hòn Nghệ" and special.level == "commune"
    typo = roster_2026.resolve("phường Long Xuyênn")
    assert typo.new_unit is not None and [u.code for u in typo.candidates] == ["ubnd-phuong-long-xuyen"]
