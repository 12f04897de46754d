"""Staff notices (/thongbao), their delivery reports and history (/lichsuthongbao)."""

COMMAND_BROADCAST = "Gửi thông báo đến các đơn vị (cán bộ quản lý)"
COMMAND_HISTORY = "Lịch sử thông báo và kết quả gửi (cán bộ quản lý)"

# --- audience -------------------------------------------------------------------------
CHOOSE_AUDIENCE = "Gửi thông báo. Anh/chị chọn đối tượng nhận:"
AUDIENCE_ALL = "Tất cả đơn vị"
# one button per level of the plan that has units, labelled with the level's name
AUDIENCE_INSPECTED = "Đơn vị được kiểm tra trực tiếp"
AUDIENCE_NOT_INSPECTED = "Đơn vị không thuộc đối tượng kiểm tra trực tiếp"
AUDIENCE_OWES = "Chưa nộp: {short}"
AUDIENCE_OWES_LABEL = "Đơn vị chưa nộp {title}"
AUDIENCE_UNIT = "Một đơn vị"
BUTTON_CANCEL = "Hủy"

ASK_UNIT = "Anh/chị nhập tên đơn vị nhận thông báo (ví dụ: {examples}):"
UNIT_WHICH = "Có nhiều đơn vị gần với “{query}”. Anh/chị chọn đơn vị:"
UNIT_UNKNOWN = "Không tìm thấy đơn vị “{query}” trong danh sách. Vui lòng nhập lại tên đơn vị, hoặc /huy để dừng."
UNIT_NEED_TEXT = "Vui lòng nhập tên đơn vị bằng chữ, hoặc /huy để dừng."

# --- the notice -----------------------------------------------------------------------
ASK_TEXT = "Đối tượng: {label}.\nAnh/chị nhập nội dung thông báo (tối đa {max} ký tự):"
TEXT_EMPTY = "Nội dung thông báo đang trống. Vui lòng nhập nội dung, hoặc /huy để dừng."
TEXT_TOO_LONG = (
    "Nội dung dài {length} ký tự, vượt giới hạn {max} ký tự của một thông báo. "
    "Vui lòng rút gọn, hoặc gửi phần chi tiết dưới dạng tệp đính kèm."
)
ASK_DOCUMENT = "Anh/chị gửi tệp đính kèm (PDF, Word, Excel…) nếu có, hoặc bấm “Không đính kèm”."
BUTTON_NO_DOCUMENT = "Không đính kèm"
DOCUMENT_REFUSED = (
    "Tệp này không được chấp nhận làm tệp đính kèm (chỉ nhận PDF, Word, Excel, ODT/ODS, ZIP/RAR, ảnh JPG/PNG). "
    "Vui lòng gửi tệp khác, hoặc bấm “Không đính kèm”."
)
DOCUMENT_TOO_LARGE = "Tệp vượt giới hạn {limit} MB. Vui lòng gửi tệp nhỏ hơn, hoặc bấm “Không đính kèm”."
DOCUMENT_FALLBACK_NAME = "thong-bao"  # a document sent without a name (ASCII: it becomes a file name)
DOCUMENT_FAILED = "Không lưu được tệp đính kèm. Vui lòng gửi lại, hoặc bấm “Không đính kèm”."
WAITING_DOCUMENT = "Đang chờ tệp đính kèm cho thông báo. Anh/chị gửi tệp, hoặc bấm “Không đính kèm”."

# --- preview --------------------------------------------------------------------------
PREVIEW = (
    "XEM TRƯỚC THÔNG BÁO\n"
    "Đối tượng: {label}\n"
    "Số đơn vị: {units}; người nhận: {people} (của {reached} đơn vị)\n"
    "{extra}"
    "Tệp đính kèm: {document}\n"
    "———\n"
    "{notice}\n"
    "———\n"
    "Chưa có tin nào được gửi. Bấm “Xác nhận gửi” để gửi, hoặc “Hủy”."
)
PREVIEW_NO_FOCAL = "Đơn vị chưa có đầu mối (sẽ không nhận được): {n} — {names}\n"
PREVIEW_INACTIVE = "Đầu mối đã chặn bot hoặc ngừng theo dõi (sẽ không nhận được): {n}\n"
PREVIEW_NO_DOCUMENT = "không có"
PREVIEW_NOBODY = (
    "Đối tượng “{label}” hiện không có người nhận nào ({units} đơn vị, chưa đơn vị nào có đầu mối đăng ký). "
    "Thông báo chưa được gửi. Anh/chị có thể cấp mã mời bằng /moi."
)
AUDIENCE_NOBODY = (
    "Đối tượng “{label}” hiện không có người nhận nào ({units} đơn vị, chưa đơn vị nào có đầu mối đăng ký). "
    "Anh/chị chọn đối tượng khác, hoặc cấp mã mời bằng /moi:"
)
BUTTON_CONFIRM = "Xác nhận gửi"
WAITING_CONFIRM = "Thông báo đang chờ xác nhận. Anh/chị bấm “Xác nhận gửi” hoặc “Hủy”."
MORE_NAMES = "{names} và {more} đơn vị khác"

NOTICE = "THÔNG BÁO CỦA {sender}\n\n{text}"

# --- outcome --------------------------------------------------------------------------
CANCELLED = "Đã hủy thông báo. Không có tin nào được gửi."
NOTHING_PENDING = "Không có thông báo nào đang chờ; lựa chọn này không còn hiệu lực."
QUEUED = (
    "Đã xác nhận thông báo số {id}: đang gửi đến {people} người nhận của {reached} đơn vị.{no_focal}\n"
    "Anh/chị sẽ nhận báo cáo kết quả khi gửi xong. Xem lại bằng /lichsuthongbao."
)
QUEUED_NO_FOCAL = " {n} đơn vị chưa có đầu mối sẽ không nhận được."
PROGRESS_SUPERSEDED = "Không gửi: đã có báo cáo kết quả cuối cùng"
PROGRESS = (
    "Thông báo số {id} ({label}): đã xử lý {finished}/{total} ({percent}%) — đã gửi {sent}, lỗi {failed}, "
    "chưa rõ đã đến {uncertain}."
)
SUMMARY = (
    "KẾT QUẢ GỬI THÔNG BÁO SỐ {id}\n"
    "Đối tượng: {label}\n"
    "Xác nhận lúc: {confirmed}\n"
    "Đã gửi: {sent}/{total}\n"
    "Không gửi được: {failed}{reasons}\n"
    "Chưa rõ đã đến hay chưa (không gửi lại để tránh trùng): {uncertain}{uncertain_reasons}\n"
    "Đã chặn bot/ngừng theo dõi: {unreachable}\n"
    "Đơn vị chưa có đầu mối: {no_focal}{no_focal_names}"
)
SUMMARY_REASON = "\n  - {reason}: {n}"
SUMMARY_NAMES = "\n  ({names})"

# --- history --------------------------------------------------------------------------
HISTORY_EMPTY = "Chưa có thông báo nào được gửi."
HISTORY_HEADER = "CÁC THÔNG BÁO GẦN ĐÂY"
HISTORY_LINE = (
    "Số {id} — {when} — {label}\n"
    "  {status}: đã gửi {sent}/{total}, lỗi {failed}, chặn bot {unreachable}, chưa rõ đã đến {uncertain}, "
    "chưa có đầu mối {no_focal}\n"
    "  “{excerpt}”"
)
HISTORY_STATUS = {"sending": "Đang gửi", "done": "Đã xong", "cancelled": "Đã hủy", "draft": "Nháp"}
HISTORY_DETAIL_BUTTON = "Chi tiết số {id}"
HISTORY_NOT_FOUND = "Không tìm thấy thông báo này."
REASON_OTHER = "lỗi khác"
