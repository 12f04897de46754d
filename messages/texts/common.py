"""Sentences every part of the conversation may need."""

INTERNAL_ERROR = (
    "Xin lỗi, hệ thống gặp sự cố khi xử lý yêu cầu. Dữ liệu anh/chị đã gửi không bị mất; "
    "vui lòng thử lại sau ít phút hoặc liên hệ {coordinator}."
)
UNKNOWN_COMMAND = "Lệnh /{name} không có. Gõ /help để xem các lệnh dùng được."
STAFF_ONLY = "Lệnh này chỉ dành cho cán bộ {coordinator}."
NOT_REGISTERED = (
    "Anh/chị chưa đăng ký làm đầu mối của đơn vị nào. Vui lòng nhận mã mời từ {coordinator} "
    "rồi gửi: /dangky MÃ"
)
CHOICE_EXPIRED = "Lựa chọn này không còn hiệu lực. Vui lòng thao tác lại."
CHOICE_USED = "Lựa chọn này đã được xử lý trước đó."
CANCELLED = "Đã hủy thao tác đang dở."
NOTHING_TO_CANCEL = "Không có thao tác nào đang dở."
EMPTY_MESSAGE = "Bot chỉ đọc được tin nhắn chữ và tệp đính kèm. Vui lòng gửi câu hỏi bằng chữ."

# ---- how far a date is (handlers/formatting.py) -------------------------------------------
DAYS_LEFT = "còn {n} ngày"
DUE_TODAY = "hạn là hôm nay"
OVERDUE_DAYS = "đã quá hạn {n} ngày"
OVERDUE_TODAY = "đã quá hạn (hạn lúc {time} hôm nay)"
VISIT_TODAY = "hôm nay"
VISIT_PAST = "đã diễn ra {n} ngày trước"
DUE_UNSET = "chưa xác định (tính theo ngày kiểm tra, chưa có lịch)"
DUE_UNSET_LEFT = "chưa có hạn (chờ lịch kiểm tra)"
LATE_BY_DAYS = "{n} ngày"
LATE_BY_HOURS = "dưới 1 ngày"

# ---- whether a report was sent in time (the first version against today's deadline) --------
ON_TIME = "đúng hạn"
LATE = "trễ hạn"
RECEIVED_BEFORE_DEADLINE = "đã nhận (chưa có hạn)"

# ---- how a plan chooses units it does not name (handlers/formatting.selection_rule) ------------
QUOTED = "“{text}”"
RULE_PER_PARENT = "chọn {n} {level} thuộc mỗi {parent} được kiểm tra"
RULE_COUNT = "chọn {n} {level}"

# ---- what an inspected unit prepares (III.3): reminders, notices and /lichkiemtra ----------
PREPARE_HEADER = "Đơn vị cần chuẩn bị:"
PREPARE_ITEM = "- {text} ({section})"
