"""How chat text becomes matching tokens: folding, Telex/VNI leftovers, abbreviations, fillers."""

import unicodedata

import pytest

from messages.knowledge.normalize import Normalizer, fold_raw, is_syllable

VOCAB = ["báo cáo tự kiểm tra", "hạn nộp trước ngày nào", "đoàn kiểm tra gồm những ai", "sở nội vụ",
         "kế hoạch", "report deadline inspection", "thuế"]


@pytest.fixture(scope="module")
def norm():
    return Normalizer.build(VOCAB)


@pytest.mark.parametrize("typed, tokens", [
    ("baos caos gui truwowcs ngayf naof", ["bao", "cao", "gui", "truoc", "ngay", "nao"]),  # Telex leftovers
    ("ddoanf kieemr tra gomf nhuwngx ai", ["doan", "kiem", "tra", "gom", "nhung", "ai"]),
    ("hajn nooj", ["han", "no"]),  # tone key typed before the final consonant
    ("ba1o ca1o", ["bao", "cao"]),  # VNI digits
    ("han chot nop bao caooo", ["han", "chot", "nop", "bao", "cao"]),  # stretched letters
    ("kiemtra tukiemtra", ["kiem", "tra", "tu", "kiem", "tra"]),  # words run together
])
def test_typing_leftovers_are_repaired(norm, typed, tokens):
    assert norm.tokens(typed) == tokens


def test_decomposed_input_and_old_tone_placement_fold_the_same(norm):
    composed = "Hạn nộp báo cáo hoà"
    decomposed = unicodedata.normalize("NFD", composed)
    assert norm.tokens(decomposed) == norm.tokens(composed) == norm.tokens("han nop bao cao hòa")


def test_abbreviations_are_spelled_out_and_fillers_dropped(norm):
    assert norm.tokens("cho e hỏi hạn nộp bc tự kt ạ") == ["han", "nop", "bao", "cao", "tu", "kiem", "tra"]
    assert norm.tokens("SNV nhận BC ko") == ["so", "noi", "vu", "nhan", "bao", "cao", "khong"]
    assert norm.tokens("làm j, ntn") == ["lam", "gi", "nhu", "the", "nao"]


def test_kt_means_signed_on_behalf_before_the_chairman(norm):
    assert norm.tokens("KT. Chủ tịch") == ["ky", "thay", "chu", "tich"]
    assert norm.tokens("đoàn KT") == ["doan", "kiem", "tra"]


def test_kh_is_a_plan_unless_it_ends_a_question(norm):
    assert norm.tokens("kh 32") == ["ke", "hoach", "32"]
    assert norm.tokens("có bị kiểm tra kh") == ["co", "bi", "kiem", "tra", "khong"]


def test_known_words_are_never_rewritten(norm):
    # "thuế" and English words look like Telex leftovers ("tax" → "ta") but are known words
    assert norm.tokens("tax report deadline") == ["tax", "report", "deadline"]
    assert norm.tokens("thuế") == ["thue"]


def test_numbers_and_percent(norm):
    assert fold_raw("30 % số đơn vị, ngày 09/02") == ["30%", "so", "don", "vi", "ngay", "9", "2"]


def test_syllable_shape():
    assert all(is_syllable(w) for w in ["nghieng", "truoc", "bao", "khong", "quy", "gi", "oan"])
    assert not any(is_syllable(w) for w in ["baos", "ddoan", "kieemr", "xyz", "kiemtra"])
