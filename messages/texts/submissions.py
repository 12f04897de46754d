"""Sending reports: instructions, refusals, the receipt, the staff notice."""

COMMAND_SUBMIT = "Nộp báo cáo của đơn vị (gửi tệp)"

ACCEPTED_FORMATS = "PDF, Word (DOC/DOCX), Excel (XLS/XLSX), ODT/ODS, ZIP/RAR (tệp nén ảnh quét), ảnh JPG/PNG"

# kind (storage.filetypes) → how the receipt names it
TYPE_LABELS = {
    "pdf": "PDF", "doc": "Word", "docx": "Word", "xls": "Excel", "xlsx": "Excel",
    "odt": "OpenDocument văn bản", "ods": "OpenDocument bảng tính", "zip": "tệp nén ZIP",
    "rar": "tệp nén RAR", "jpg": "ảnh JPG", "png": "ảnh PNG",
}

# ---- /nopbaocao ------------------------------------------------------------------
HOW_TO_SUBMIT = (
    "Anh/chị gửi tệp {deliverable} của {unit} vào đây (gửi dạng tệp/tài liệu).\n"
    "Hạn: {due}.\n"
    "Định dạng nhận: {formats}; tối đa {limit} MB.\n"
    "Báo cáo nhiều trang ảnh chụp: vui lòng gộp thành một tệp PDF hoặc ZIP. Hủy: /huy"
)
WHICH_TO_SUBMIT = "{unit} có {count} báo cáo phải nộp. Anh/chị muốn nộp báo cáo nào?"
NOTHING_OWED = (
    "Theo {citation}, {unit} không có báo cáo nào phải gửi qua bot. "
    "Nếu cần gửi văn bản khác, vui lòng liên hệ {coordinator}."
)
WAITING_TEXT_HINT = "(Bot vẫn đang chờ tệp {deliverable}; gõ /huy nếu không gửi nữa.)"

# ---- who may send ----------------------------------------------------------------
UNREGISTERED = (
    "Bot chưa nhận tệp này vì anh/chị chưa đăng ký làm đầu mối của đơn vị nào; tệp không được lưu.\n"
    "Để nộp báo cáo, anh/chị nhận mã mời từ {coordinator} rồi gửi: /dangky MÃ, sau đó gửi lại tệp."
)
STAFF_NO_UNIT = (
    "Chỉ đầu mối của đơn vị mới nộp báo cáo qua bot; tài khoản cán bộ {coordinator} chưa gắn với đơn vị nào "
    "nên tệp không được lưu."
)

# ---- refusals ----------------------------------------------------------------------
TOO_LARGE = (
    "Tệp “{name}” lớn hơn giới hạn {limit} MB nên bot chưa nhận. "
    "Anh/chị vui lòng nén hoặc giảm dung lượng (ví dụ quét ảnh ở độ phân giải thấp hơn) rồi gửi lại."
)
EMPTY = "Tệp “{name}” rỗng (0 byte) nên bot không nhận. Anh/chị vui lòng kiểm tra và gửi lại tệp báo cáo."
REFUSED = {
    "executable": (
        "Tệp “{name}” là tệp chương trình, không phải tài liệu, nên bot từ chối nhận (dù tên tệp có thể là PDF/DOC). "
        "Định dạng nhận: {formats}."
    ),
    "zip-executable": (
        "Tệp nén “{name}” có chứa tệp chương trình nên bot từ chối nhận. "
        "Vui lòng chỉ nén các tài liệu, ảnh quét rồi gửi lại."
    ),
    "macro": (
        "Tệp “{name}” có chứa macro (mã lệnh tự chạy) nên bot từ chối nhận để bảo đảm an toàn. "
        "Anh/chị vui lòng lưu lại dưới dạng .docx, .xlsx hoặc PDF (không có macro) rồi gửi lại."
    ),
    "encrypted": (
        "Tệp “{name}” được đặt mật khẩu nên {coordinator} không mở được. "
        "Anh/chị vui lòng gỡ mật khẩu rồi gửi lại."
    ),
    "damaged": "Tệp “{name}” bị lỗi hoặc gửi chưa trọn vẹn, bot không đọc được. Anh/chị vui lòng gửi lại.",
    "unknown": "Bot chưa nhận tệp “{name}” vì không đúng định dạng. Định dạng nhận: {formats}.",
}
NOT_A_PICTURE = "Ảnh anh/chị gửi không đọc được (không phải ảnh JPG/PNG). Vui lòng gửi lại dạng tệp PDF hoặc ảnh."
NOT_KEPT = (
    "Bot chưa lưu được tệp “{name}” do sự cố hệ thống; chưa có biên nhận cho tệp này. "
    "Anh/chị vui lòng gửi lại sau ít phút."
)
FILE_GONE = "Tệp này không còn trên hệ thống (có thể đã quá lâu). Anh/chị vui lòng gửi lại tệp."
CHOICE_OTHER_UNIT = "Lựa chọn này thuộc đơn vị khác với đơn vị anh/chị đang làm đầu mối; vui lòng gửi lại tệp."
NO_LONGER_OWED = "Báo cáo này không còn trong danh sách phải nộp của {unit}. Vui lòng gửi lại tệp để chọn lại."

# ---- choosing the deliverable ---------------------------------------------------------
WHICH_DELIVERABLE = (
    "Đã nhận tệp “{name}”. {unit} có {count} báo cáo phải nộp; tệp này là báo cáo nào?"
)
DELIVERABLE_BUTTON = "{short} — hạn {due}"

# ---- the receipt ----------------------------------------------------------------------
RECEIPT = (
    "BIÊN NHẬN BÁO CÁO\n"
    "Số: {receipt}\n"
    "Đơn vị: {unit}\n"
    "Báo cáo: {deliverable}\n"
    "Tệp: {name} ({type}, {size})\n"
    "Thời điểm nhận: {received}\n"
    "Hạn nộp: {due} — {timeliness}"
)
ON_TIME = "ĐÚNG HẠN"
NO_DEADLINE_YET = "ĐÃ NHẬN (hạn tính theo ngày kiểm tra của đơn vị, chưa có lịch)"
LATE = "TRỄ HẠN {days}"
# a later version: where the report stands (its first version against the deadline)
REPLACEMENT_ON_TIME = "bản thay thế; báo cáo đã nộp ĐÚNG HẠN từ {first}"
REPLACEMENT_LATE = "bản thay thế; báo cáo nộp TRỄ HẠN {days} (bản đầu tiên nhận {first})"
REPLACES = "Bản này thay thế bản số {receipt} nhận ngày {received}; bản cũ vẫn được lưu trong hồ sơ."
PHOTO_HINT = (
    "Lưu ý: mỗi ảnh gửi sau sẽ thay thế ảnh trước. Báo cáo nhiều trang vui lòng gộp thành một tệp PDF "
    "hoặc ZIP rồi gửi."
)
KEEP_RECEIPT = "Anh/chị lưu số biên nhận để đối chiếu khi cần. Xem tình trạng: /trangthai"

ALREADY_RECEIVED = (
    "Tệp này đã nhận ngày {received} với số {receipt} ({deliverable}); bot không ghi nhận thêm lần nữa."
)
ALREADY_RECEIVED_OLD = (
    "Tệp này đã nhận ngày {received} với số {receipt} ({deliverable}), nhưng sau đó đã được thay bằng "
    "bản số {current} nhận ngày {current_received}. Bản đang dùng là bản số {current}."
)
RESTORE_BUTTON = "Dùng lại bản số {receipt}"

# ---- staff chat -----------------------------------------------------------------------
STAFF_NOTICE = "Báo cáo mới: {unit} — {deliverable}. Số {receipt}, nhận {received}, {timeliness}.{replaces}"
STAFF_NOTICE_REPLACES = " Thay bản số {receipt}."
STAFF_NOTICE_FLAG = " Cần xem lại nội dung: {flags}."

# names given to files that arrive without one (photos)
PHOTO_NAME = "anh-chup-{stamp}"
FILE_NAME = "tep-bao-cao"
FETCH_FAILED = "Bot chưa tải được tệp “{name}” (lỗi kết nối). Anh/chị vui lòng gửi lại; chưa có biên nhận cho tệp này."
