"""What the command line prints (operators and staff read it)."""

PLAN_OK = "Tệp kế hoạch hợp lệ: {source}\n{citation} — {title}; {units} đơn vị, {deliverables} sản phẩm phải gửi, {topics} chủ đề hỏi đáp."
PLAN_BAD = "Tệp kế hoạch không hợp lệ: {source}"
PLAN_PROBLEM = "  - {problem}"

UNKNOWN_UNIT = "Không tìm thấy đơn vị “{query}”."
AMBIGUOUS_UNIT = "“{query}” có thể là: {names}. Vui lòng ghi rõ hơn hoặc dùng mã đơn vị."
DB_UPGRADED = "Cơ sở dữ liệu đã ở phiên bản mới nhất ({revision})."
EXPORTED = "Đã xuất {path}"
NOT_AVAILABLE = "Chức năng này chưa sẵn sàng."

# ---- argparse in Vietnamese (bot/cli_args.py) -------------------------------------
USAGE_PREFIX = "Cách dùng: "
HEADING_POSITIONALS = "tham số"
HEADING_OPTIONS = "tùy chọn"
HELP_HELP = "xem hướng dẫn này rồi thoát"
ERR_REQUIRED = "Thiếu tham số bắt buộc: {names}."
ERR_UNRECOGNIZED = "Không hiểu tham số: {names}."
ERR_CHOICE = "Lệnh hoặc giá trị “{value}” không có; chọn một trong: {choices}."
ERR_INVALID = "Tham số {name} nhận giá trị không hợp lệ: “{value}”."
ERR_EXPECTED = "Tham số {name} cần kèm một giá trị."
ERR_FLAG_VALUE = "Tùy chọn {name} không nhận giá trị."
ERR_AMBIGUOUS = "Tùy chọn {name} viết tắt chưa rõ; vui lòng viết đầy đủ."
ERR_ARGUMENT = "Tham số {name}: {message}"
ERR_OTHER = "Lệnh không hợp lệ: {message}."
ERR_HINT = "Xem hướng dẫn: {prog} --help"
ERR_NOT_WHOLE = "phải là số nguyên, không phải “{value}”."
ERR_RANGE = "phải từ {low} đến {high} (đang là {value})."

# ---- arguments the command line refuses ---------------------------------------------
SEVERAL_UNITS = ("Mỗi lần chỉ cấp mã mời cho một đơn vị, nhưng lệnh nêu {count} đơn vị ({names}); "
                 "vui lòng chạy lệnh riêng cho từng đơn vị.")
EXPORT_IS_DIR = "“{path}” là một thư mục; vui lòng ghi tên tệp, ví dụ --out {example}."
EXPORT_WRONG_TYPE = "Không ghi được “{path}”: tệp này phải có đuôi {suffix}; vui lòng đặt tên tệp kết thúc bằng {suffix}."
EXPORT_EXISTS = "Tệp “{path}” đã có; thêm --force để ghi đè hoặc chọn tên khác."
EXPORT_PARENT = "Không tạo được tệp “{path}”: {reason}."

HELP = {
    "prog": "Trợ lý kế hoạch kiểm tra CCHC.",
    "run": "chạy các kênh đã cấu hình, HTTP endpoint và bộ nhắc hạn",
    "chat": "nhắn tin với bot trong cửa sổ dòng lệnh",
    "chat.agency": "đóng vai đầu mối của đơn vị (tên hoặc mã)",
    "chat.staff": "đóng vai cán bộ quản lý (đơn vị chủ trì kế hoạch)",
    "ask": "hỏi một câu rồi thoát",
    "ask.json": "in kết quả dạng JSON",
    "ask.agency": "hỏi với tư cách đầu mối của đơn vị (tên hoặc mã)",
    "ask.question": "câu hỏi (có thể viết không dấu)",
    "plan.file": "tệp kế hoạch cần kiểm tra (mặc định: PLAN_FILE hoặc kế hoạch kèm theo)",
    "invite.unit": "tên hoặc mã của một đơn vị",
    "invite.days": "số ngày mã còn hiệu lực, từ 1 đến {max} (mặc định INVITE_DAYS)",
    "reminders.days": "xem các nhắc hạn trong N ngày tới, từ 1 đến {max} (mặc định 14)",
    "export.out": "tệp Excel sẽ ghi, đuôi .xlsx (thư mục chưa có sẽ được tạo)",
    "export.force": "ghi đè nếu tệp đã có",
    "plan": "kiểm tra hoặc tóm tắt tệp kế hoạch",
    "plan.check": "kiểm tra một tệp kế hoạch",
    "plan.show": "tóm tắt kế hoạch đang dùng",
    "invite": "cấp mã mời một lần cho đơn vị",
    "reminders": "các nhắc hạn sẽ gửi trong N ngày tới",
    "export": "xuất bảng tổng hợp báo cáo ra Excel",
    "report": "viết dự thảo báo cáo tổng hợp (tệp Word) của đơn vị chủ trì",
    "report.out": "tệp Word sẽ ghi, đuôi .docx (thư mục chưa có sẽ được tạo)",
    "units": "danh sách đơn vị: nạp từ bảng tính, xem",
    "units.import": "nạp hoặc cập nhật danh sách đơn vị từ tệp .xlsx/.csv (cột: name, level, parent, code, inspected)",
    "units.file": "tệp .xlsx hoặc .csv",
    "units.dry_run": "chỉ cho biết sẽ thay đổi gì, không ghi",
    "units.list": "liệt kê các đơn vị theo cấp",
    "db": "cơ sở dữ liệu",
    "db.upgrade": "áp dụng migration",
}
