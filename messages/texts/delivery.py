"""Why an outgoing message was not delivered: stored in ``outgoing_message.last_error`` and shown to staff.

Other modules (the broadcast summary) may import these to recognise a reason.
"""

BLOCKED = "Người nhận đã chặn bot hoặc bỏ theo dõi OA"
INACTIVE = "Người nhận đã ngừng nhận tin (chặn bot hoặc bỏ theo dõi); bỏ qua"
NO_PERSON = "Người nhận không còn trong hệ thống"
NO_RECIPIENT = "Không có người nhận"
CHANNEL_OFF = "Kênh {channel} chưa được cấu hình trên bot"
INTERRUPTED = (
    "Bot dừng đột ngột đúng lúc đang gửi: tin có thể đã đến hoặc chưa; "
    "không gửi lại để tránh gửi trùng"
)
UNCERTAIN = (
    "Mất kết nối khi đang chờ nền tảng xác nhận: tin có thể đã đến hoặc chưa; "
    "không gửi lại để tránh gửi trùng"
)
FAILED = "Gửi không được sau {attempts} lần thử: {error}"
TEMPORARY = "Lỗi tạm thời ở lần thử {attempt}, sẽ thử lại: {error}"
REJECTED = "Nền tảng từ chối: {reason}"
SLOW_DOWN = "Nền tảng yêu cầu chờ {after:g} giây rồi gửi lại"
CHAT_MOVED = "Nhóm đã chuyển thành siêu nhóm; gửi lại tới nhóm mới"
CHAT_MOVED_LOOP = "Nhóm báo chuyển sang chính nó; không gửi được"
DOCUMENT_MISSING = "Không tìm thấy tệp đính kèm {name}"
