"""Sentences only the Telegram adapter says (everything else comes from the handlers' texts)."""

# shown under a message whose button was tapped, in place of the keyboard
CHOSEN = "✔ Đã chọn: {label}"

# a sticker, voice note, video, location… in a private chat
UNSUPPORTED_MEDIA = (
    "Tôi chưa đọc được loại tin này (nhãn dán, ghi âm, video, vị trí…). "
    "Anh/chị vui lòng gõ câu hỏi bằng chữ, hoặc gửi báo cáo dưới dạng tệp "
    "(biểu tượng ghim 📎 → Tệp) hay ảnh chụp."
)

# FileTooLarge detail when Telegram itself refuses the download (cloud Bot API)
FILE_TOO_BIG_CLOUD = (
    "Tệp lớn hơn {limit_mb} MB, vượt giới hạn tải tệp của Telegram đối với bot."
)
FILE_TOO_BIG = "Tệp lớn hơn giới hạn {limit_mb} MB."

# `agency-bot invite` could not ask Telegram for the bot's name (printed on stderr)
DEEP_LINK_UNAVAILABLE = (
    "Không lấy được tên bot từ Telegram ({reason}), nên chưa có đường dẫn mời; "
    "mã mời vẫn dùng được bằng lệnh /dangky MÃ."
)
REASON_TOKEN = "token bị từ chối"
REASON_NETWORK = "không kết nối được máy chủ Bot API"
REASON_OTHER = "lỗi {error}"

# start-up problems, printed as one sentence by `agency-bot run`
TOKEN_REJECTED = (
    "TELEGRAM_BOT_TOKEN bị máy chủ Bot API ({server}) từ chối; vui lòng kiểm tra lại token lấy từ @BotFather."
)
SERVER_UNREACHABLE = (
    "Không kết nối được máy chủ Bot API {server} ({error}). Kiểm tra mạng hoặc TELEGRAM_API_BASE_URL."
)
WEBHOOK_REFUSED = "Máy chủ Bot API không nhận địa chỉ webhook {url}: {error}. Kiểm tra TELEGRAM_WEBHOOK_URL."
