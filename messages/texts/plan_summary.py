"""``agency-bot plan show``: the loaded plan in a few lines."""

TITLE = "{citation} — {title}"
ISSUER = "Ban hành: {issuer}; ký: {signer}. Đơn vị chủ trì: {coordinator}"
BASES = "Căn cứ:"
BASE = "  - {label}: {subject}"
LEVELS = "Các cấp trong danh sách đơn vị:"
LEVEL = "  - {name}: {count} đơn vị"
INSPECTED = "Kiểm tra trực tiếp ({section}):"
INSPECTED_LEVEL = "  {level} ({count}, {section}): {names}"
INSPECTED_RULE = "  {level}: {rule} ({section}); {announcer} chọn và thông báo"
COVERAGE = "Yêu cầu số lượng kiểm tra: {figures} ({section})"
TARGET_RATIO = "ít nhất {pct}% {level}"
TARGET_COUNT = "{n} {level}"
WINDOW = "Thời gian kiểm tra: {label} ({start}–{end}) ({section})"
DELIVERABLES = "Sản phẩm phải gửi:"
DELIVERABLE = "  - {title} [{section}]\n    Ai gửi: {sender}\n    Gửi đến: {recipient}\n    Hạn: {due}"
DUE_DATE = "ngày cuối cùng {date} (kế hoạch ghi: “{wording}”)"
DUE_AT_INSPECTION = "khi Đoàn kiểm tra làm việc, theo lịch do {announcer} thông báo (kế hoạch ghi: “{wording}”)"
DUE_OFFSET = "{n} {unit} trước ngày kiểm tra do {announcer} thông báo (kế hoạch ghi: “{wording}”)"
WORKING_DAYS = "ngày làm việc"
CALENDAR_DAYS = "ngày"
OBLIGATIONS = "Nhiệm vụ:"
OBLIGATION = "  - [{section}] {audience}: {summary}"
AUDIENCE = {
    "all": "Mọi cơ quan, địa phương",
    "inspected": "Đơn vị được kiểm tra trực tiếp",
    "not_inspected": "Đơn vị không thuộc đối tượng kiểm tra trực tiếp",
    "coordinator": "Đơn vị chủ trì",
}
