"""What the Zalo Official Account channel says itself (everything else comes from the handlers)."""

# follow: greeting is handlers.start.greeting(); then one of these
HOW_TO_REGISTER = (
    "Để làm đầu mối của đơn vị, anh/chị nhận mã mời từ {coordinator} rồi nhắn vào đây: dangky MÃ "
    "(ví dụ: dangky K7M2X9PQRS). Chưa đăng ký vẫn có thể đặt câu hỏi chung."
)
COMMANDS_HINT = "Các lệnh gõ trực tiếp (không cần dấu /): {commands}."

# options rendered as text when there are more than Zalo's buttons allow
OPTION_LINE = "{n}. {label}"
OPTIONS_HINT = "Anh/chị trả lời bằng số thứ tự (ví dụ: 1) để chọn."

# a document that cannot go as a Zalo file (not PDF/DOC/DOCX, or over 5 MB)
DOWNLOAD_LINK = "Tải tệp {name}: {url}\n(Liên kết có hiệu lực đến {expires}.)"
DOWNLOAD_EXPIRED = "Liên kết tải tệp đã hết hạn. Vui lòng yêu cầu lại."
DOWNLOAD_FORBIDDEN = "Liên kết tải tệp không hợp lệ. Vui lòng dùng đúng liên kết được gửi qua Zalo."
DOCUMENT_FALLBACK_NAME = "tep-dinh-kem"

# a user's attachment on a host that is not Zalo's
FILE_HOST_REFUSED = (
    "Không nhận được tệp này: đường dẫn tệp không thuộc máy chủ của Zalo. "
    "Vui lòng gửi lại tệp trực tiếp cho Official Account trên Zalo."
)

FILE_UNREADABLE = "Không đọc được tệp anh/chị vừa gửi. Vui lòng gửi lại tệp."

# told to staff (on their other channels) when the OA token chain breaks
REAUTH_NEEDED = (
    "Kênh Zalo OA của bot đã mất quyền truy cập: Zalo từ chối mã làm mới (refresh token). "
    "Quản trị viên cần cấp quyền lại cho ứng dụng trên Zalo for Developers, đặt ZALO_OA_ACCESS_TOKEN và "
    "ZALO_OA_REFRESH_TOKEN mới rồi khởi động lại bot. Trong thời gian này, tin nhắn gửi qua Zalo được giữ lại "
    "và sẽ được gửi khi kết nối khôi phục."
)

# why the OA refused a message (recorded on the outbox row and shown in delivery summaries)
REJECT_QUOTA = "Zalo: OA đã hết hạn mức gửi tin (mã {code})"
REJECT_WINDOW = "Zalo: người nhận ngoài khung thời gian OA được phép nhắn tin (mã {code})"
REJECT_OTHER = "Zalo: lỗi mã {code} ({message})"
REJECT_TOO_LARGE = "tệp {name} quá lớn để gửi qua Zalo"
REJECT_DOCUMENT_MISSING = "Zalo: không còn tệp đính kèm trên máy chủ để gửi"
