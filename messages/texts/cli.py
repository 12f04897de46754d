"""What the command line prints (operators and staff read it)."""

from messages.texts.common import TIER_SHORT

PLAN_OK = "Tệp kế hoạch hợp lệ: {source}\n{citation} — {title}; {units} đơn vị, {deliverables} sản phẩm phải gửi, {topics} chủ đề hỏi đáp."
PLAN_BAD = "Tệp kế hoạch không hợp lệ: {source}"
PLAN_PROBLEM = "  - {problem}"

SHOW_TITLE = "{citation} — {title}"
SHOW_ISSUER = "Ban hành: {issuer}; ký: {signer}"
SHOW_BASES = "Căn cứ:"
SHOW_BASE = "  - {label}: {subject}"
SHOW_ROSTER = "Đơn vị trong danh sách: {departments} sở, ban, ngành; {districts} đơn vị cấp huyện; {communes} đơn vị cấp xã"
SHOW_INSPECTED = "Kiểm tra trực tiếp ({section}):"
SHOW_INSPECTED_TIER = "  {label} ({count}): {names}"
SHOW_COMMUNES_RULE = "  Cấp xã: chọn {count:02d} xã thuộc mỗi đơn vị cấp huyện được kiểm tra ({section})"
SHOW_WINDOW = "Thời gian kiểm tra: {label} ({start}–{end}) ({section})"
SHOW_DELIVERABLES = "Sản phẩm phải gửi:"
SHOW_DELIVERABLE = "  - {title} [{section}]\n    Ai gửi: {sender}\n    Gửi đến: {recipient}\n    Hạn: {due}"
SHOW_DUE_DATE = "{date} ({wording})"
SHOW_DUE_INSPECTION = "trước ngày kiểm tra do {announcer} thông báo (chưa có lịch: cuối {window}, {end})"
SHOW_OBLIGATIONS = "Nhiệm vụ:"
SHOW_OBLIGATION = "  - [{section}] {audience}: {summary}"
AUDIENCE = {
    "all": "Mọi cơ quan, địa phương",
    "inspected": "Đơn vị được kiểm tra trực tiếp",
    "not_inspected": "Đơn vị không thuộc đối tượng kiểm tra trực tiếp",
    "coordinator": "Sở Nội vụ",
}
TIER_LABEL = TIER_SHORT  # one place for tier names: messages/texts/common.py

UNKNOWN_UNIT = "Không tìm thấy đơn vị “{query}”."
AMBIGUOUS_UNIT = "“{query}” có thể là: {names}. Vui lòng ghi rõ hơn hoặc dùng mã đơn vị."
DB_UPGRADED = "Cơ sở dữ liệu đã ở phiên bản mới nhất ({revision})."
EXPORTED = "Đã xuất {path}"
NOT_AVAILABLE = "Chức năng này chưa sẵn sàng."

HELP = {
    "prog": "Trợ lý kế hoạch kiểm tra CCHC.",
    "run": "chạy các kênh đã cấu hình, HTTP endpoint và bộ nhắc hạn",
    "chat": "trò chuyện với bot trong cửa sổ dòng lệnh",
    "chat.agency": "đóng vai đầu mối của đơn vị (tên hoặc mã)",
    "chat.staff": "đóng vai cán bộ Sở Nội vụ",
    "ask": "hỏi một câu rồi thoát",
    "ask.json": "in kết quả dạng JSON",
    "plan": "kiểm tra hoặc tóm tắt tệp kế hoạch",
    "plan.check": "kiểm tra một tệp kế hoạch",
    "plan.show": "tóm tắt kế hoạch đang dùng",
    "invite": "cấp mã mời một lần cho đơn vị",
    "reminders": "các nhắc hạn sẽ gửi trong N ngày tới",
    "export": "xuất bảng tổng hợp báo cáo ra Excel",
    "report": "viết dự thảo báo cáo tổng hợp (tệp Word) gửi UBND",
    "db": "cơ sở dữ liệu",
    "db.upgrade": "áp dụng migration",
}
