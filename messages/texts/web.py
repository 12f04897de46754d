"""The staff web pages (bot/web): every word they show, and the /web sign-in link.

Templates read these as ``t.NAME``; nothing here names a plan's units, dates or offices
(the coordinator's name comes from the plan: ``{coordinator}``).
"""

# ---- the sign-in link (chat and ``agency-bot web-link``) ----------------------------------
COMMAND_WEB = "Đường dẫn đăng nhập trang quản trị trên trình duyệt (cán bộ)"
LINK_MESSAGE = (
    "Đường dẫn đăng nhập trang quản trị (dùng một lần, hiệu lực {minutes} phút, đến {expires}):\n"
    "{url}\n"
    "Vui lòng không chuyển tiếp đường dẫn này cho người khác."
)
CLI_NOT_STAFF = "Mã {id} không thuộc danh sách cán bộ (STAFF_TELEGRAM_IDS, STAFF_ZALO_IDS)."
CLI_NO_STAFF = "Chưa cấu hình cán bộ nào: đặt STAFF_TELEGRAM_IDS hoặc STAFF_ZALO_IDS, hoặc ghi --staff MÃ."

# ---- frame -------------------------------------------------------------------------------
APP_TITLE = "Trang quản trị kế hoạch kiểm tra"
PLAN_LINE = "{citation} — {title}"
NAV = {
    "overview": "Tổng quan",
    "units": "Đơn vị",
    "invites": "Mời đầu mối",
    "broadcasts": "Thông báo",
    "questions": "Câu hỏi",
    "audit": "Nhật ký",
    "export": "Xuất Excel",
}
SIGNED_IN_AS = "Đăng nhập: {name}"
SIGN_OUT = "Đăng xuất"
FOOTER = "Giờ hiển thị theo múi giờ {tz}. Số liệu lúc {now}."
SKIP_TO_CONTENT = "Chuyển đến nội dung"

# ---- sign-in and refusals -------------------------------------------------------------------
SIGNIN_TITLE = "Đăng nhập trang quản trị"
SIGNIN_PROMPT = "Bấm “Đăng nhập” để vào trang quản trị với tư cách {name}."
SIGNIN_BUTTON = "Đăng nhập"
LINK_UNKNOWN = "Đường dẫn đăng nhập không hợp lệ. Vui lòng gửi /web cho bot để nhận đường dẫn mới."
LINK_USED = (
    "Đường dẫn đăng nhập này đã được dùng. Mỗi đường dẫn chỉ dùng được một lần; "
    "vui lòng gửi /web cho bot để nhận đường dẫn mới."
)
LINK_EXPIRED = "Đường dẫn đăng nhập đã hết hạn. Vui lòng gửi /web cho bot để nhận đường dẫn mới."
NOT_SIGNED_IN = (
    "Anh/chị chưa đăng nhập hoặc phiên làm việc đã hết hạn. "
    "Vui lòng gửi /web cho bot để nhận đường dẫn đăng nhập."
)
FORBIDDEN = "Trang này chỉ dành cho cán bộ của {coordinator}."
CSRF_FAILED = "Biểu mẫu đã hết hiệu lực hoặc không hợp lệ. Vui lòng tải lại trang rồi thao tác lại."
NOT_FOUND = "Không tìm thấy trang hoặc tệp được yêu cầu."
TOO_LARGE = "Dữ liệu gửi lên quá lớn."
SIGNED_OUT = "Anh/chị đã đăng xuất."
ERROR_TITLE = "Không thực hiện được"
BACK_HOME = "Về trang tổng quan"

# ---- shared words ---------------------------------------------------------------------------
STATUS = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "missing": "Chưa nộp",
    "overdue": "Quá hạn",
    "not_owed": "Không phải nộp",
}
YES = "Có"
NO = "Không"
ALL = "Tất cả"
NONE_YET = "chưa có"
VERSIONS = "{n} phiên bản"
RECEIPT = "Số {receipt}"
FOCAL_COUNT = "{n} đầu mối"
CHANNEL = {
    "telegram": "Telegram",
    "zalo": "Zalo",
    "console": "Dòng lệnh",
    "web": "Trang quản trị",
    "cli": "Dòng lệnh máy chủ",
}

# ---- overview ---------------------------------------------------------------------------------
OVERVIEW_TITLE = "Tổng quan tình hình nộp báo cáo"
DUE = "Hạn nộp: {due}"
DUE_VARIES = "trước buổi kiểm tra của từng đơn vị"
COL_LEVEL = "Cấp"
COL_OWED = "Phải nộp"
COL_ON_TIME = "Đúng hạn"
COL_LATE = "Trễ hạn"
COL_MISSING = "Chưa nộp"
COL_OVERDUE = "Quá hạn"
TOTAL = "Tổng cộng"
NOBODY_OWES = "Hiện không có đơn vị nào phải nộp báo cáo này."
CHART_TITLE = "Số đơn vị đã nộp theo ngày"
CHART_LABEL = "{title}: {submitted}/{owed} đơn vị đã nộp đến {today}; hạn {due}"
CHART_DEADLINE = "Hạn"
CHART_TODAY = "Hôm nay"
CHART_OWED = "Phải nộp: {n}"
CHART_EMPTY = "Chưa nhận báo cáo nào."
OWING_TITLE = "Đơn vị còn nợ báo cáo (gấp nhất trước)"
OWING_NONE = "Không còn đơn vị nào nợ báo cáo."
OWING_MORE = "Còn {n} trường hợp khác — xem trang Đơn vị."
COL_UNIT = "Đơn vị"
COL_REPORT = "Báo cáo"
COL_DUE = "Hạn"
COL_STATE = "Tình trạng"
COL_FOCAL = "Đầu mối"

# ---- units ------------------------------------------------------------------------------------
UNITS_TITLE = "Danh sách đơn vị"
SEARCH_LABEL = "Tìm theo tên"
SEARCH_HINT = "Gõ tên như thường viết: có dấu hay không dấu, viết tắt đều được"
FILTER_LEVEL = "Cấp"
FILTER_STATUS = "Tình trạng"
FILTER_INSPECTED = "Kiểm tra trực tiếp"
FILTER_STATUSES = {
    "missing": "Còn thiếu báo cáo",
    "overdue": "Có báo cáo quá hạn",
    "late": "Có báo cáo nộp trễ",
    "complete": "Đã nộp đủ",
    "no_focal": "Chưa có đầu mối",
}
FILTER_BUTTON = "Lọc"
FILTER_RESET = "Bỏ lọc"
UNITS_COUNT = "{shown} trên {total} đơn vị"
UNITS_NONE = "Không có đơn vị nào khớp điều kiện lọc."
SEARCH_NOTHING = "Không tìm thấy đơn vị nào khớp “{q}”."
SEARCH_NEW_UNIT = "“{q}” chưa có trong danh sách đơn vị ({name})."
COL_INSPECTED = "KT trực tiếp"
PAGE_PREV = "Trang trước"
PAGE_NEXT = "Trang sau"
PAGE_OF = "Trang {page}/{pages}"

# ---- one unit -------------------------------------------------------------------------------------
UNIT_PARENT = "Thuộc"
FOCAL_TITLE = "Đầu mối"
FOCAL_NONE = "Đơn vị chưa có đầu mối đăng ký."
FOCAL_INVITE = "Cấp mã mời cho đơn vị này"
COL_CHANNEL = "Kênh"
COL_NAME = "Tên hiển thị"
COL_REGISTERED = "Đăng ký lúc"
COL_REACH = "Trạng thái"
ACTIVE = "Đang nhận tin"
BLOCKED = "Đã chặn bot hoặc ngừng theo dõi"
NO_NAME = "(không có tên)"
SUBMISSIONS_TITLE = "Báo cáo đã nhận"
SUBMISSIONS_NONE = "Chưa nhận báo cáo nào."
NOT_OWED_NOTE = "Đơn vị không phải nộp báo cáo này theo kế hoạch."
COL_RECEIPT = "Số tiếp nhận"
COL_FILE = "Tệp"
COL_SIZE = "Dung lượng"
COL_RECEIVED = "Nhận lúc"
COL_VERSION = "Phiên bản"
CURRENT = "Đang dùng"
SUPERSEDED = "Đã thay thế"
DOWNLOAD = "Tải về"
INSPECTION_TITLE = "Lịch kiểm tra trực tiếp"
INSPECTION_SET = "Ngày kiểm tra: {when}"
INSPECTION_NOT_SET = "Chưa đặt ngày kiểm tra."
DATE_LABEL = "Ngày (dd/mm/yyyy)"
TIME_LABEL = "Giờ (hh:mm, không bắt buộc)"
SET_DATE = "Đặt lịch"
CHANGE_DATE = "Đổi lịch"
SET_DATE_HINT = "Đầu mối của đơn vị được báo ngay và được nhắc trước ngày kiểm tra."
MESSAGES_TITLE = "Nhắc hạn và thông báo"
MESSAGES_NONE = "Chưa có tin nhắc hạn hay thông báo nào cho đơn vị."
COL_KIND = "Loại"
COL_DUE_AT = "Gửi lúc"
COL_TO = "Người nhận"
COL_CONTENT = "Nội dung"
COL_NOTE = "Ghi chú"
KIND = {"reminder": "Nhắc hạn", "notice": "Tin báo", "broadcast": "Thông báo"}
OUTBOX_STATUS = {
    "pending": "Chờ gửi",
    "sending": "Đang gửi",
    "sent": "Đã gửi",
    "failed": "Không gửi được",
    "cancelled": "Đã hủy",
    "undeliverable": "Không có người nhận",
}
AUDIT_TITLE = "Nhật ký thao tác"
AUDIT_NONE = "Chưa có thao tác nào."
COL_AT = "Thời gian"
COL_WHO = "Người thực hiện"
COL_VIA = "Qua"
COL_ACTION = "Thao tác"
COL_DETAIL = "Chi tiết"
OPERATOR = "Quản trị viên máy chủ"
PERSON = "{name} ({channel} {id})"
AUDIT_ACTIONS = {
    "inspection_set": "Đặt lịch kiểm tra",
    "invite_issued": "Cấp mã mời",
    "broadcast_confirmed": "Gửi thông báo",
    "question_attached": "Gắn câu hỏi vào chủ đề",
    "question_dismissed": "Bỏ qua câu hỏi",
    "export": "Xuất bảng Excel",
    "file_downloaded": "Tải tệp báo cáo",
    "signin_link": "Cấp đường dẫn đăng nhập",
    "signin": "Đăng nhập trang quản trị",
    "signout": "Đăng xuất trang quản trị",
}

# ---- invitations ----------------------------------------------------------------------------------
INVITES_TITLE = "Mời đầu mối đăng ký"
INVITES_INTRO = (
    "{n} đơn vị chưa có đầu mối. Cấp mã mời cho từng đơn vị hoặc cho tất cả, "
    "rồi in trang mã mời để gửi kèm công văn."
)
INVITES_NONE = "Tất cả đơn vị đã có đầu mối đăng ký."
INVITE_ONE = "Cấp mã"
INVITE_ALL = "Cấp mã cho tất cả ({n} đơn vị)"
INVITE_BY_NAME = "Cấp mã cho một đơn vị khác"
INVITE_BY_NAME_LABEL = "Tên đơn vị"
INVITE_UNKNOWN = "Không tìm thấy đơn vị “{q}”."
ADD_TO_LIST = "Thêm vào danh sách kiểm tra trực tiếp (đơn vị không có trong danh sách tại {section})"
CONFIRM_ADD_FIRST = (
    "Chưa đặt lịch: {unit} không có trong danh sách kiểm tra trực tiếp ({section}). Đánh dấu ô “Thêm vào danh "
    "sách kiểm tra trực tiếp” rồi đặt lịch lại nếu đúng là đơn vị được kiểm tra."
)
INVITE_NEW = (
    "“{q}” chưa có trong danh sách đơn vị ({name}). Đơn vị mới được thêm khi nạp danh sách "
    "(agency-bot units import) hoặc khi cán bộ xác nhận qua lệnh /moi."
)
INVITE_WHICH = "Có nhiều đơn vị khớp với “{q}”; vui lòng chọn:"
PRINT_TITLE = "Mã mời đăng ký đầu mối"
PRINT_INTRO = (
    "Mỗi mã dùng một lần, có hiệu lực đến {expires}. Đầu mối quét mã QR hoặc mở đường dẫn bằng Telegram; "
    "trên Zalo hoặc nếu không mở được đường dẫn, gửi cho bot: dangky MÃ."
)
PRINT_WARNING = "Mã chỉ hiện trên trang này một lần; vui lòng in hoặc lưu trước khi rời trang."
PRINT_BUTTON = "In trang này"
COL_CODE = "Mã mời"
COL_LINK = "Đường dẫn"
COL_QR = "Mã QR"
NO_LINK = "(gửi cho bot: dangky {code})"
QR_LABEL = "Mã QR đăng ký của {unit}"

# ---- broadcasts -----------------------------------------------------------------------------------
BROADCASTS_TITLE = "Gửi thông báo"
COMPOSE_TITLE = "Soạn thông báo"
AUDIENCE_LABEL = "Đối tượng nhận"
AUDIENCE_UNIT_LABEL = "Tên đơn vị (khi chọn “{one}”)"
TEXT_LABEL = "Nội dung (tối đa {max} ký tự)"
DOCUMENT_LABEL = "Tệp đính kèm (không bắt buộc)"
PREVIEW_BUTTON = "Xem trước"
PREVIEW_TITLE = "Xem trước thông báo"
PREVIEW_AUDIENCE = "Đối tượng"
PREVIEW_UNITS = "Số đơn vị"
PREVIEW_PEOPLE = "Người nhận"
PREVIEW_PEOPLE_VALUE = "{people} (của {reached} đơn vị)"
PREVIEW_NO_FOCAL = "Đơn vị chưa có đầu mối (sẽ không nhận được)"
PREVIEW_INACTIVE = "Đầu mối đã chặn bot hoặc ngừng theo dõi (sẽ không nhận được)"
PREVIEW_DOCUMENT = "Tệp đính kèm"
PREVIEW_NO_DOCUMENT = "không có"
PREVIEW_NOTICE = "Nội dung người nhận sẽ đọc"
PREVIEW_NOTE = "Chưa có tin nào được gửi."
CONFIRM_BUTTON = "Xác nhận gửi"
CANCEL_BUTTON = "Hủy"
CANCELLED = "Đã hủy bản nháp thông báo. Không có tin nào được gửi."
UNIT_REQUIRED = "Vui lòng nhập tên đơn vị nhận thông báo."
HISTORY_TITLE = "Các thông báo đã gửi"
HISTORY_NONE = "Chưa có thông báo nào được gửi."
COL_NO = "Số"
COL_CONFIRMED = "Xác nhận lúc"
COL_AUDIENCE = "Đối tượng"
COL_STATUS = "Trạng thái"
COL_DELIVERED = "Đã gửi"
COL_FAILED = "Không gửi được"
COL_UNCERTAIN = "Chưa chắc đã đến"
COL_UNDELIVERABLE = "Chặn bot / không có người nhận"
COL_TOTAL = "Tổng"
BROADCAST_STATUS = {"sending": "Đang gửi", "done": "Đã xong", "cancelled": "Đã hủy", "draft": "Nháp"}

# ---- questions ------------------------------------------------------------------------------------
QUESTIONS_TITLE = "Câu hỏi chưa trả lời được"
QUESTIONS_INTRO = "{n} câu hỏi đang chờ xem xét. Gắn câu hỏi vào chủ đề đúng để bot trả lời được từ nay về sau."
QUESTIONS_NONE = "Không có câu hỏi nào đang chờ xem xét."
QUESTIONS_MORE = "Còn {n} câu hỏi khác; xử lý các câu trên để xem tiếp."
ASKED_BY = "{unit} · {when}"
GUEST = "Người chưa đăng ký"
UNSURE = "Bot đã trả lời theo “{topic}” nhưng chưa chắc chắn (điểm {score:.2f})"
MISSED = "Bot chưa trả lời được (điểm {score:.2f})"
ATTACH_TO = "Gắn vào: {title}"
ATTACH_OTHER = "Chủ đề khác"
ATTACH_BUTTON = "Gắn"
DISMISS_BUTTON = "Bỏ qua"
MOST_ASKED_TITLE = "Được hỏi nhiều nhất"
MOST_TOPICS = "Chủ đề"
MOST_TEXTS = "Câu hỏi lặp lại"
COL_TIMES = "Số lần"
COL_QUESTION = "Câu hỏi"
COL_TOPIC = "Chủ đề"
NOT_ANSWERED = "(chưa trả lời được)"

# ---- ``agency-bot web-link`` -----------------------------------------------------------------------
CLI_HELP = "in đường dẫn đăng nhập trang quản trị (dùng một lần) cho một cán bộ"
CLI_HELP_STAFF = "mã Telegram hoặc Zalo của cán bộ (mặc định: cán bộ đầu tiên trong cấu hình)"
CLI_LINK = "Đường dẫn đăng nhập trang quản trị cho {who} (dùng một lần, hiệu lực {minutes} phút, đến {expires}):"
