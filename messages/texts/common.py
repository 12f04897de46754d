"""Sentences every part of the conversation may need."""

INTERNAL_ERROR = (
    "Xin lỗi, hệ thống gặp sự cố khi xử lý yêu cầu. Dữ liệu anh/chị đã gửi không bị mất; "
    "vui lòng thử lại sau ít phút hoặc liên hệ Sở Nội vụ."
)
UNKNOWN_COMMAND = "Lệnh /{name} không có. Gõ /help để xem các lệnh dùng được."
STAFF_ONLY = "Lệnh này chỉ dành cho cán bộ Sở Nội vụ."
NOT_REGISTERED = (
    "Anh/chị chưa đăng ký làm đầu mối của đơn vị nào. Vui lòng nhận mã mời từ Sở Nội vụ "
    "rồi gửi: /dangky MÃ"
)
CHOICE_EXPIRED = "Lựa chọn này không còn hiệu lực. Vui lòng thao tác lại."
CHOICE_USED = "Lựa chọn này đã được xử lý trước đó."
CANCELLED = "Đã hủy thao tác đang dở."
NOTHING_TO_CANCEL = "Không có thao tác nào đang dở."
EMPTY_MESSAGE = "Bot chỉ đọc được tin nhắn chữ và tệp đính kèm. Vui lòng gửi câu hỏi bằng chữ."
