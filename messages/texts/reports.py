"""Overview of submissions (/tonghop) and the Excel export (/xuatexcel, ``agency-bot export``)."""

COMMAND_OVERVIEW = "Tổng hợp đơn vị đã/chưa nộp báo cáo (cán bộ quản lý)"
COMMAND_EXPORT = "Xuất bảng tổng hợp nộp báo cáo ra Excel (cán bộ quản lý)"

# tier names: messages/texts/common.py (TIER, TIER_SHORT)

OVERVIEW_HEADER = "TỔNG HỢP NỘP BÁO CÁO (đến {now})"
OVERVIEW_DELIVERABLE = "▸ {title} — hạn: {due}"
OVERVIEW_DUE_VARIES = "trước buổi kiểm tra của từng đơn vị"
OVERVIEW_TOTALS = "Phải nộp {owed} · đúng hạn {on_time} · trễ hạn {late} · chưa nộp {missing}{overdue}"
OVERVIEW_LEVEL = "  {level}: {owed} — đúng hạn {on_time}, trễ {late}, chưa nộp {missing}{overdue}"
OVERVIEW_OVERDUE = " (quá hạn {n})"
OVERVIEW_MISSING = "Chưa nộp: {names}"
OVERVIEW_MISSING_MORE = "{names} và {more} đơn vị khác"
OVERVIEW_ALL_IN = "Tất cả đơn vị phải nộp đã nộp."
OVERVIEW_FLAGGED = "Cần xem lại nội dung ({n}): {names}"
OVERVIEW_NOBODY_OWES = "Hiện không có đơn vị nào phải nộp."
OVERVIEW_FOOTER = "Bấm nút dưới đây để xem danh sách đầy đủ, hoặc /xuatexcel để tải bảng Excel."
BUTTON_FULL_LIST = "Xem danh sách đầy đủ"

FULL_HEADER = "DANH SÁCH ĐẦY ĐỦ — {title} (đến {now})"
FULL_GROUP = "{label} ({n}):"
FULL_LEVEL = " {level}:"
FULL_LINE = "  - {name}{detail}"
FULL_NO_FOCAL = " [chưa có đầu mối]"
FULL_RECEIVED = " — {receipt}, {when}"
FULL_FLAGGED = " ⚠ cần xem lại: {flags}"
FULL_GROUP_MISSING = "Chưa nộp"
FULL_GROUP_LATE = "Trễ hạn"
FULL_GROUP_ON_TIME = "Đúng hạn"
FULL_NONE = "  (không có)"

EXPORT_DONE = "Bảng tổng hợp nộp báo cáo đến {now} ({units} đơn vị, {deliverables} loại báo cáo)."
EXPORT_FILE_NAME = "TongHop_NopBaoCao_{stamp}.xlsx"

# --- the workbook ---
STATUS_SUBMITTED = "Đã nộp"
STATUS_MISSING = "Chưa nộp"
STATUS_OVERDUE = "Quá hạn, chưa nộp"
ON_TIME = "Đúng hạn"
LATE = "Trễ hạn"
YES = "Có"
NO = "Không"
DEADLINE_UNSET = "Hạn chưa xác định: chưa có lịch kiểm tra"

SUMMARY_SHEET = "Tổng hợp"
SUMMARY_HEADERS = ["Báo cáo", "Căn cứ", "Hạn nộp", "Cấp", "Phải nộp", "Đã nộp", "Đúng hạn", "Trễ hạn",
                   "Chưa nộp", "Quá hạn, chưa nộp", "Tỷ lệ đã nộp"]
SUMMARY_TOTAL = "Tổng cộng"
SUMMARY_PLAN = "Kế hoạch: {citation} — {title}"
SUMMARY_AT = "Số liệu đến:"
SUMMARY_NOTE = "Mỗi loại báo cáo có một trang riêng liệt kê từng đơn vị phải nộp."

UNIT_HEADERS = ["STT", "Mã đơn vị", "Đơn vị", "Cấp", "Thuộc", "Kiểm tra trực tiếp", "Hạn nộp", "Trạng thái",
                "Số biên nhận", "Thời điểm nhận", "Đúng hạn/Trễ hạn", "Tên tệp", "Số lần nộp",
                "Nhận lần đầu", "Số đầu mối đã đăng ký", "Ghi chú", "Kiểm tra nội dung"]
