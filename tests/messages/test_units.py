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
    (nfc("Sở Y tế").replace("ế", "e\u0302\u0301"), "so-y-te"),  # decomposed input
])
def test_names_as_people_write_them(roster, typed, code):
    assert roster.resolve(typed).unit.code == code


def test_a_commune_not_yet_in_the_roster_is_read_from_its_name(roster):
    res = roster.resolve("UBND xã Bình Sơn, huyện Hòn Đất")
    assert res.unit is None
    commune = res.new_commune
    assert commune.code == "ubnd-xa-binh-son-huyen-hon-dat"
    assert commune.tier == "commune" and commune.parent == "ubnd-huyen-hon-dat"
    assert commune.name == "UBND xã Bình Sơn, huyện Hòn Đất"
    # once added, the same commune typed another way resolves to it
    grown = roster.with_units([commune])
    assert grown.resolve("xa binh son, h. hon dat").unit.code == commune.code
    assert grown.resolve("Phường Vĩnh Thanh, TP Rạch Giá").new_commune.parent == "ubnd-thanh-pho-rach-gia"


def test_unknown_and_ambiguous_names(roster):
    assert roster.resolve("Bộ Quốc phòng").found is None
    assert roster.resolve("").found is None
    ambiguous = roster.resolve("Ban Quản lý")
    assert ambiguous.found is None and len(ambiguous.candidates) == 2
    assert roster.resolve("xã Bình Sơn, huyện Không Có").found is None
    assert roster.resolve("Huyện Không Có").candidates == ()  # not a typo of any district: nothing to offer


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
