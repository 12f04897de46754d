"""What the command line prints (operators and staff read it)."""

PLAN_OK = "Tệp kế hoạch hợp lệ: {source}\n{citation} — {title}; {units} đơn vị, {deliverables} sản phẩm phải gửi, {topics} chủ đề hỏi đáp."
PLAN_BAD = "Tệp kế hoạch không hợp lệ: {source}"
PLAN_PROBLEM = "  - {problem}"

UNKNOWN_UNIT = "Không tìm thấy đơn vị “{query}”."
AMBIGUOUS_UNIT = "“{query}” có thể là: {names}. Vui lòng ghi rõ hơn hoặc dùng mã đơn vị."
DB_UPGRADED = "Cơ sở dữ liệu đã ở phiên bản mới nhất ({revision})."
EXPORTED = "Đã xuất {path}"
NOT_AVAILABLE = "Chức năng này chưa sẵn sàng."

HELP = {
    "prog": "Trợ lý kế hoạch kiểm tra CCHC.",
    "run": "chạy các kênh đã cấu hình, HTTP endpoint và bộ nhắc hạn",
    "chat": "nhắn tin với bot trong cửa sổ dòng lệnh",
    "chat.agency": "đóng vai đầu mối của đơn vị (tên hoặc mã)",
    "chat.staff": "đóng vai cán bộ quản lý (đơn vị chủ trì kế hoạch)",
    "ask": "hỏi một câu rồi thoát",
    "ask.json": "in kết quả dạng JSON",
    "plan": "kiểm tra hoặc tóm tắt tệp kế hoạch",
    "plan.check": "kiểm tra một tệp kế hoạch",
    "plan.show": "tóm tắt kế hoạch đang dùng",
    "invite": "cấp mã mời một lần cho đơn vị",
    "reminders": "các nhắc hạn sẽ gửi trong N ngày tới",
    "export": "xuất bảng tổng hợp báo cáo ra Excel",
    "report": "viết dự thảo báo cáo tổng hợp (tệp Word) gửi UBND",
    "units": "danh sách đơn vị: nạp từ bảng tính, xem",
    "units.import": "nạp hoặc cập nhật danh sách đơn vị từ tệp .xlsx/.csv (cột: name, level, parent, code, inspected)",
    "units.file": "tệp .xlsx hoặc .csv",
    "units.dry_run": "chỉ cho biết sẽ thay đổi gì, không ghi",
    "units.list": "liệt kê các đơn vị theo cấp",
    "db": "cơ sở dữ liệu",
    "db.upgrade": "áp dụng migration",
}
