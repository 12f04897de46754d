"""What running the bot in production says to its operator: processes, backups, copies between databases."""

ALREADY_RUNNING = (
    "Đã có một tiến trình agency-bot run khác đang dùng thư mục dữ liệu {path}; SQLite chỉ cho phép một tiến trình. "
    "Hãy dừng tiến trình đó, hoặc dùng PostgreSQL (DATABASE_URL) để chạy nhiều tiến trình."
)

# --- agency-bot backup / restore ----------------------------------------------------------
BACKUP_DONE = "Đã sao lưu vào {path}: cơ sở dữ liệu ({format}), {files} tệp đã nhận, tổng {size}."
BACKUP_TARGET_NOT_EMPTY = "Thư mục {path} đã có dữ liệu; hãy chọn một thư mục trống hoặc chưa tồn tại để sao lưu."
BACKUP_FAILED = "Không sao lưu được cơ sở dữ liệu: {reason}."
RESTORE_DONE = "Đã khôi phục bản sao lưu {path} ({created}): {files} tệp đã nhận; cơ sở dữ liệu ở phiên bản {revision}."
RESTORE_NO_MANIFEST = "Thư mục {path} không phải bản sao lưu của agency-bot (thiếu manifest.json hợp lệ)."
RESTORE_BAD_CHECKSUM = (
    "Bản sao lưu bị hỏng: tệp {name} không khớp mã kiểm tra sha256 trong manifest.json; không khôi phục."
)
RESTORE_MISSING_FILE = "Bản sao lưu thiếu tệp {name}; không khôi phục."
RESTORE_TARGET_NOT_EMPTY = (
    "Nơi khôi phục đã có dữ liệu ({what}); chỉ khôi phục vào cơ sở dữ liệu và thư mục dữ liệu trống."
)
RESTORE_NEEDS_POSTGRES = "Bản sao lưu này tạo bằng pg_dump, chỉ khôi phục được vào PostgreSQL (đặt DATABASE_URL)."
RESTORE_NEEDS_PG_RESTORE = (
    "Không tìm thấy chương trình pg_restore để khôi phục bản sao lưu pg_dump; hãy cài đặt PostgreSQL client."
)
RESTORE_SCHEMA_MISMATCH = (
    "Bản sao lưu pg_dump thuộc schema {schema}, còn DATABASE_URL đang dùng schema {target}; không khôi phục."
)
RESTORE_FAILED = "Không khôi phục được cơ sở dữ liệu: {reason}."
WHAT_DATABASE = "cơ sở dữ liệu có {count} dòng"
WHAT_FILES = "thư mục {path} không trống"

# --- agency-bot db copy --------------------------------------------------------------------
COPY_DONE = "Đã sao chép {rows} dòng ({tables} bảng) sang {target}."
COPY_SAME = "Cơ sở dữ liệu đích trùng với cơ sở dữ liệu đang dùng; hãy chỉ định một cơ sở dữ liệu khác."
COPY_TARGET_NOT_EMPTY = "Cơ sở dữ liệu đích đã có {count} dòng dữ liệu; chỉ sao chép vào cơ sở dữ liệu trống."
COPY_BAD_URL = "Địa chỉ cơ sở dữ liệu đích không hợp lệ: {url}."
COPY_UNREACHABLE = "Không kết nối được cơ sở dữ liệu đích {target} ({reason})."

HELP = {
    "backup": "sao lưu cơ sở dữ liệu và các tệp đã nhận (kèm mã kiểm tra)",
    "backup.out": "thư mục chứa bản sao lưu (trống hoặc chưa tồn tại)",
    "restore": "khôi phục bản sao lưu vào cơ sở dữ liệu và thư mục dữ liệu trống",
    "restore.dir": "thư mục bản sao lưu",
    "db.copy": "sao chép toàn bộ dữ liệu sang cơ sở dữ liệu khác (SQLite ↔ PostgreSQL)",
    "db.copy.to": "địa chỉ cơ sở dữ liệu đích, ví dụ postgresql://user:pass@host:5432/db",
}
