"""Operator-facing sentences about configuration (shown when start-up is refused)."""

PLACEHOLDER = "vẫn là giá trị mẫu, hãy điền giá trị thật"
BAD_TIMEZONE = "múi giờ '{value}' không tồn tại"
WEBHOOK_NOT_HTTPS = "TELEGRAM_WEBHOOK_URL phải bắt đầu bằng https://"
WEBHOOK_SECRET = "chế độ webhook cần TELEGRAM_WEBHOOK_SECRET dài 16–256 ký tự gồm A-Z, a-z, 0-9, _ và -"
ZALO_INCOMPLETE = "kênh Zalo cần đủ ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET_KEY và ZALO_OA_REFRESH_TOKEN"
NOT_A_NUMBER = "phải là số"
NOT_A_DATETIME = "phải là thời điểm dạng ISO, ví dụ 2025-07-01T08:00:00+07:00"
OUT_OF_RANGE = "ngoài khoảng cho phép ({detail})"
AT_LEAST = "phải từ {bound} trở lên"
AT_MOST = "phải không quá {bound}"
ABOVE = "phải lớn hơn {bound}"
BELOW = "phải nhỏ hơn {bound}"
ONE_OF = "phải là một trong các giá trị {values}"
INVALID = "Cấu hình {name}không hợp lệ: {detail}."
PORT_IN_USE = "Không mở được cổng HTTP {host}:{port} ({reason}). Hãy đổi HTTP_HOST/HTTP_PORT hoặc dừng chương trình đang dùng cổng này."
BAD_LOG_LEVEL = "mức “{value}” không có; dùng một trong {levels}"
BAD_DATABASE_URL = ("không phải địa chỉ cơ sở dữ liệu, ví dụ postgresql://người_dùng@máy_chủ:5432/tên_csdl "
                    "hoặc sqlite:///đường/dẫn/agency-bot.sqlite3")
UNSUPPORTED_DATABASE = "hệ quản trị “{backend}” không được hỗ trợ; dùng PostgreSQL (postgresql://…) hoặc SQLite (sqlite:///…)"

# ---- start-up: the data folder and the database (bot/startup.py) -----------------------------
DATA_DIR_UNUSABLE = "Không dùng được thư mục dữ liệu DATA_DIR “{path}”: {reason}."
DB_DRIVER_MISSING = ("DATABASE_URL dùng PostgreSQL nhưng chưa cài trình điều khiển psycopg; "
                     "hãy cài kèm phần mở rộng postgres: pip install -e \".[postgres]\" (hoặc pip install \"agency-bot[postgres]\").")
DB_UNREACHABLE = "Không kết nối được cơ sở dữ liệu {where}: máy chủ không nhận kết nối; hãy kiểm tra DATABASE_URL và máy chủ PostgreSQL."
DB_MISSING = "Cơ sở dữ liệu “{name}” chưa có trên máy chủ {where}; hãy tạo nó (createdb {name}) hoặc sửa DATABASE_URL."
DB_AUTH = "Máy chủ cơ sở dữ liệu {where} từ chối đăng nhập (sai người dùng hoặc mật khẩu); hãy sửa DATABASE_URL."
DB_FILE = "Không mở được tệp cơ sở dữ liệu {where}: {reason}; hãy kiểm tra DATA_DIR hoặc DATABASE_URL."
DB_OTHER = "Không mở được cơ sở dữ liệu {where}: {reason}."
OS_REASONS = {
    "EACCES": "không có quyền ghi",
    "EPERM": "không được phép ghi",
    "EROFS": "ổ đĩa chỉ cho đọc",
    "ENOENT": "đường dẫn không tồn tại",
    "ENOTDIR": "một phần của đường dẫn là tệp, không phải thư mục",
    "EEXIST": "đã có một tệp trùng tên",
    "ENOSPC": "ổ đĩa đã đầy",
    "EDQUOT": "đã hết hạn mức dung lượng",
    "ENAMETOOLONG": "đường dẫn quá dài",
}
OS_REASON_OTHER = "lỗi hệ thống ({code})"
DB_READONLY = "tệp chỉ cho đọc"
DB_CANNOT_OPEN = "không mở hoặc tạo được tệp"
