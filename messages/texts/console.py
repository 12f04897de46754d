"""The terminal channel (agency-bot chat)."""

BANNER = (
    "agency-bot — hỏi đáp trong cửa sổ dòng lệnh ({who}).\n"
    "Gõ câu hỏi, lệnh (/help), số để chọn phương án, hoặc đường dẫn một tệp để gửi báo cáo. "
    "Thoát: /thoat hoặc Ctrl-D."
)
WHO_STAFF = "cán bộ {coordinator}"
WHO_UNIT = "đầu mối của {unit}"
WHO_GUEST = "người dùng chưa đăng ký"
PROMPT = "Bạn> "
BOT = "Bot> "
OPTION = "   {n}) {label}"
OPTIONS_HINT = "   (gõ số để chọn)"
DOCUMENT = "   [Tệp đính kèm: {path}]"
BYE = "Tạm biệt."
