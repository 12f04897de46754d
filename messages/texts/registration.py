"""Greeting, help and registration."""

GREETING = (
    "Kính chào anh/chị. Tôi là trợ lý của {coordinator} về {plan_title} "
    "({citation}).\n"
    "Tôi có thể: trả lời câu hỏi về nhiệm vụ của đơn vị theo kế hoạch, nhận báo cáo (gửi tệp), "
    "cho biết hạn nộp, lịch kiểm tra và tình trạng nộp báo cáo của đơn vị."
)
HOW_TO_REGISTER = (
    "Để làm đầu mối của đơn vị, anh/chị nhận mã mời từ {coordinator} rồi gửi: /dangky MÃ "
    "(hoặc bấm vào đường dẫn mời). Chưa đăng ký vẫn có thể đặt câu hỏi chung."
)
REGISTERED_AS = "Anh/chị đang là đầu mối của {unit}."
STAFF_GREETING = "Anh/chị đang dùng quyền cán bộ {coordinator}. Gõ /help để xem các lệnh quản lý."
HELP_HEADER = "Các lệnh dùng được:"
HELP_STAFF_HEADER = "Lệnh dành cho cán bộ {coordinator}:"
HELP_FOOTER = "Ngoài các lệnh trên, anh/chị có thể gõ câu hỏi bằng tiếng Việt (có dấu hoặc không dấu)."
HELP_LINE = "/{name} — {description}"

REGISTER_USAGE = "Vui lòng gửi kèm mã mời, ví dụ: /dangky K7M2X9PQRS"
REGISTER_OK = (
    "Đăng ký thành công. Anh/chị là đầu mối của {unit}.\n"
    "Từ nay anh/chị có thể hỏi về nhiệm vụ của đơn vị, gửi báo cáo (gửi tệp vào đây) và nhận nhắc hạn. "
    "Gõ /hanchot để xem hạn của đơn vị."
)
REGISTER_SAME = "Anh/chị đã là đầu mối của {unit}; mã mời này không được dùng thêm."
REGISTER_OTHER_UNIT = (
    "Anh/chị đang là đầu mối của {current}. Mỗi người chỉ làm đầu mối cho một đơn vị; "
    "nếu cần chuyển sang {unit}, vui lòng liên hệ {coordinator}."
)
REGISTER_UNKNOWN = "Mã mời không đúng. Vui lòng kiểm tra lại mã (10 ký tự) hoặc liên hệ {coordinator} để được cấp mã."
REGISTER_USED = "Mã mời này đã được sử dụng. Mỗi mã chỉ dùng một lần; vui lòng liên hệ {coordinator} để được cấp mã mới."
REGISTER_EXPIRED = "Mã mời này đã hết hạn. Vui lòng liên hệ {coordinator} để được cấp mã mới."

INVITE_USAGE = "Cú pháp: /moi TÊN HOẶC MÃ ĐƠN VỊ, ví dụ: /moi {example}"
INVITE_OK = (
    "Mã mời cho {unit}: {code}\n"
    "Hiệu lực đến {expires} (dùng một lần).\n"
    "{how}"
)
INVITE_HOW_TELEGRAM = "Telegram: bấm {link}"
INVITE_HOW_ZALO = "Zalo: nhắn cho Official Account: dangky {code}"
INVITE_HOW_ANY = "Gửi cho bot: /dangky {code}"

COMMAND_START = "Bắt đầu, giới thiệu bot (kèm mã mời để đăng ký)"
COMMAND_HELP = "Hướng dẫn sử dụng"
COMMAND_REGISTER = "Đăng ký làm đầu mối bằng mã mời"
COMMAND_CANCEL = "Hủy thao tác đang dở"
COMMAND_INVITE = "Cấp mã mời cho đơn vị (cán bộ quản lý)"
