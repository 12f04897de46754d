"""Language data for matching Vietnamese chat questions (all in folded form: no marks, lower case).

This is how people *write*, not what the plan says: abbreviations, chat fillers,
function words. It is the same for every plan, so it lives here rather than in a
plan file; the plan's own vocabulary (concepts, topics) is in its ``knowledge`` section.
"""

from __future__ import annotations

# One token → its spelled-out form. Applied to questions and to the knowledge alike, so
# "bc", "BC" and "báo cáo" meet. Ambiguous ones ("kt", "kh") are decided in context
# (see ``normalize._expand``) and are not listed here.
ABBREVIATIONS: dict[str, str] = {
    "cchc": "cai cach hanh chinh",
    "pvhcc": "phuc vu hanh chinh cong",
    "hcc": "hanh chinh cong",
    "ttpvhcc": "trung tam phuc vu hanh chinh cong",
    "ubnd": "uy ban nhan dan",
    "ubt": "uy ban nhan dan tinh",
    "hdnd": "hoi dong nhan dan",
    "snv": "so noi vu",
    "bnv": "bo noi vu",
    "bc": "bao cao",
    "bcao": "bao cao",
    "baocao": "bao cao",
    "qd": "quyet dinh",
    "ttg": "thu tuong",
    "dkt": "doan kiem tra",
    "tkt": "tu kiem tra",
    "kttt": "kiem tra truc tiep",
    "ktra": "kiem tra",
    "kiemtra": "kiem tra",
    "ktr": "kiem tra",
    "dv": "don vi",
    "dvi": "don vi",
    "donvi": "don vi",
    "ds": "danh sach",
    "dsach": "danh sach",
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "khg": "khong",
    "hok": "khong",
    "hong": "khong",
    "hem": "khong",
    "kh0ng": "khong",
    "hk": "khong",
    "j": "gi",
    "ji": "gi",
    "dc": "duoc",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "bnh": "bao nhieu",
    "tg": "thoi gian",
    "tgian": "thoi gian",
    "vb": "van ban",
    "vban": "van ban",
    "cq": "co quan",
    "dp": "dia phuong",
    "tw": "trung uong",
    "pct": "pho chu tich",
    "ct": "chu tich",
    "cb": "can bo",
    "cbcc": "can bo cong chuc",
    "ng": "nguoi",
    "r": "roi",
    "oke": "ok",
    "okie": "ok",
    "thanks": "thank",
    "thx": "thank",
    "tks": "thank",
    "camon": "cam on",
    "hs": "ho so",
    "tl": "tra loi",
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "dthoai": "dien thoai",
    "mail": "email",
    "gmail": "email",
    "kq": "ket qua",
    "kp": "kinh phi",
    "ki": "ky",  # "kí" is "ký" spelled with i
    "vs": "voi",
    "ns": "ngan sach",
    "qt": "quan tam",
    "lq": "lien quan",
    "dl": "deadline",
    "vd": "vi du",
    "t": "toi",
    "e": "em",
    "mk": "minh",
    "mjnh": "minh",
    "bik": "biet",
    "bit": "biet",
    "wa": "qua",
    "ak": "a",
    "ah": "a",
    "uh": "u",
    "z": "vay",
    "zay": "vay",
    "dzay": "vay",
    "iii": "3",
    "q3": "quy 3",
    "qiii": "quy 3",
    "quy3": "quy 3",
    "pls": "please",
    "plz": "please",
    "thang9": "thang 9",
    "t9": "thang 9",
    "t7": "thang 7",
    "t8": "thang 8",
}

# "kt" means "kiểm tra" except before the signer's title ("KT. Chủ tịch" = "ký thay").
KT_SIGN_NEXT = ("chu tich", "ct", "chu")
# "kh" is "kế hoạch" ("KH 32", "xây dựng KH") but "không" at the end of a question or before these.
KH_NOT_NEXT = frozenset({
    "co", "de", "duoc", "dc", "biet", "phai", "can", "a", "vay", "ha", "nhi", "ta", "z", "v", "nhe",
    "nha", "ak", "ah", "ad", "admin", "ban", "bot", "b", "anh", "chi", "em", "vậy",
})

# Chat fillers: removed before matching (whole phrases, longest first).
FILLERS: tuple[str, ...] = (
    "cho minh hoi chut", "cho em hoi chut", "cho toi hoi chut", "cho minh hoi", "cho em hoi", "cho toi hoi",
    "cho anh hoi", "cho chi hoi", "cho hoi", "xin hoi", "xin phep hoi", "minh muon hoi", "em muon hoi",
    "toi muon hoi", "toi xin hoi", "em xin hoi", "minh xin hoi", "cho minh xin hoi", "cho em xin hoi",
    "ad oi", "admin oi", "bot oi", "ban oi", "anh oi", "chi oi", "em oi", "a oi", "ad", "admin",
    "vui long", "lam on", "giup minh", "giup em", "giup toi", "giup voi", "voi a", "nhe", "nha", "nhen",
    "a", "da", "vay", "nhi", "ha", "hen", "a nha", "ah", "ak", "u", "uhm", "um", "please", "pls",
    "xin cam phien", "cam phien", "lam phien", "hello ad", "dear", "kinh gui", "thua",
)

# Function words that carry no topic signal once concepts have been read.
STOPWORDS = frozenset("""
la thi ma cua cho voi va hay hoac nhu nay do kia ay nhe nha oi vay ha nhi ta roi da dang se
duoc bi co khong phai can nen hoi xin giup luon lam on vui long cac nhung mot moi tat ca
o tai tu den ve trong ngoai tren duoi sau truoc khi neu thi nao gi sao the nao bao nhieu
minh toi em anh chi ban chung ho no ai day do vao ra len xuong lai con cung deu chi van
rat qua lam nhieu it hon nhat hien nay bay gio hom nay ngay mai theo ve cai
a ak ah u uhm um ok z v thi nhen hen nua ne nhau ta tui
the a an is are was were be been do does did to of for in on at by with about from as
what which who whom when where why how my our we i you your me us it this that these those
please tell can could would should will shall must have has had there their they them
take place get go come make happen happens start begin know want like give any some all also just
being doing going having during still yet than then only very much many more most such same other each every both its
here there reach reached help well far near into onto upon within without across again against between through
""".split())

# Words that end or are not a place's own name: "xã nào của huyện An Biên" names no commune.
NOT_PLACE_NAME = frozenset("nao gi cua minh toi em nay kia ay nhung cac duoc bi khong thuoc ben chung".split())

# English question and intent words are matched through concepts; these are English
# words the Telex repair must leave alone (they look like Telex leftovers: "tax" → "ta").
PROTECTED = frozenset("""
tax taxes gas fix box max six mix sex fax sos ads yes bus plus his has was does is its this
lets gets puts sets says pays days ways keys news reports documents units plans dates times
hours years months weeks teams members needs steps goals results rules laws forms templates
and or but not trade industry health finance justice construction agriculture environment science technology culture
sports tourism foreign affairs ethnic religion religions education training home planning investment natural
resources labour labor invalids social transport information communications inspectorate department
""".split())

# Departments named in English → their Vietnamese names, as the roster reads them (the same in every
# province: the government's standard English names of the provincial departments).
ENGLISH_UNITS: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(en.split()): tuple(vi.split()) for en, vi in (
        ("department of industry and trade", "so cong thuong"),
        ("department of finance", "so tai chinh"),
        ("department of health", "so y te"),
        ("department of education and training", "so giao duc va dao tao"),
        ("department of home affairs", "so noi vu"),
        ("department of justice", "so tu phap"),
        ("department of construction", "so xay dung"),
        ("department of agriculture and environment", "so nong nghiep va moi truong"),
        ("department of agriculture and rural development", "so nong nghiep va phat trien nong thon"),
        ("department of science and technology", "so khoa hoc va cong nghe"),
        ("department of culture sports and tourism", "so van hoa the thao va du lich"),
        ("department of culture and sports", "so van hoa va the thao"),
        ("department of tourism", "so du lich"),
        ("department of foreign affairs", "so ngoai vu"),
        ("department of ethnic minorities and religion", "so dan toc va ton giao"),
        ("department of ethnic minorities and religions", "so dan toc va ton giao"),
        ("department of planning and investment", "so ke hoach va dau tu"),
        ("department of natural resources and environment", "so tai nguyen va moi truong"),
        ("department of labour invalids and social affairs", "so lao dong thuong binh va xa hoi"),
        ("department of labor invalids and social affairs", "so lao dong thuong binh va xa hoi"),
        ("department of transport", "so giao thong van tai"),
        ("department of information and communications", "so thong tin va truyen thong"),
        ("provincial inspectorate", "thanh tra tinh"),
    )
}


def english_units(tokens: list[str]) -> list[str]:
    """"department of finance" → "so tai chinh" (folded tokens), longest name first."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for en, vi in _ENGLISH_BY_LENGTH:
            if tuple(tokens[i:i + len(en)]) == en:
                out.extend(vi)
                i += len(en)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


_ENGLISH_BY_LENGTH = sorted(ENGLISH_UNITS.items(), key=lambda kv: -len(kv[0]))

# Vietnamese number words for "we have mười lăm units".
NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}

# Self-reference: the question is about the asker's own unit ("đơn vị tôi", "xã mình", "bên em").
_PRONOUNS = ("toi", "minh", "em", "chung toi", "chung em", "chung minh", "ta")
SELF_NOUNS = ("don vi", "co quan", "ben", "dia phuong", "cua")  # the phrase just means "us"
SELF_TIERS = ("huyen", "xa", "phuong", "thi tran", "so", "thanh pho")  # ... and says which tier we are
SELF_WORDS: tuple[str, ...] = tuple(
    [f"{n} {p}" for n in SELF_NOUNS + SELF_TIERS for p in _PRONOUNS]
    + ["chung toi", "chung em", "my unit", "our unit", "my agency", "our agency", "my department",
       "our department", "my district", "our district", "my commune", "our commune", "we", "our", "my", "us",
       # the office a focal point usually works in speaks for its unit ("phòng nội vụ huyện cần làm gì")
       "phong noi vu"]
)
