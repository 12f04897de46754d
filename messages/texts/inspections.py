"""Setting an inspection date (/datlich, staff)."""

COMMAND = "Đặt lịch kiểm tra một đơn vị: /datlich ĐƠN_VỊ dd/mm/yyyy [hh:mm]"
USAGE = "Cú pháp: /datlich ĐƠN_VỊ dd/mm/yyyy [hh:mm]\nVí dụ: /datlich {example} {date} 08:30"
NO_DATE = "Chưa thấy ngày kiểm tra (dd/mm/yyyy)."
NO_UNIT = "Chưa ghi tên đơn vị."
BAD_DATE = "Ngày {value} không có trên lịch. Vui lòng kiểm tra lại (dd/mm/yyyy)."
BAD_TIME = "Giờ {value} không hợp lệ; ghi dạng hh:mm, ví dụ 08:30."
DEFAULT_TIME = "Không ghi giờ nên lấy {time}."
SET_OK = "Đã đặt lịch kiểm tra {unit}: {when}."
SET_CHANGED = "Lịch cũ ({previous}) đã được thay; các nhắc theo lịch cũ chưa gửi đã được hủy."
SET_SAME = "Lịch này đã được đặt từ trước; không gửi thông báo lại."
TOLD = "Đã gửi thông báo tới {count} đầu mối của đơn vị."
NO_FOCAL = (
    "Đơn vị chưa có đầu mối đăng ký nên chưa ai nhận được thông báo. Dùng /moi {unit} để mời đầu mối; "
    "khi đăng ký, họ sẽ được báo lịch này."
)
WILL_REMIND = "Bot sẽ nhắc lại đơn vị: {dates}."

# ---- who is inspected: the plan's selection ------------------------------------------------
CONFIRM_ADD = (
    "{unit} không có trong danh sách kiểm tra trực tiếp của kế hoạch ({section}). "
    "Thêm {unit} vào danh sách được kiểm tra trực tiếp và đặt lịch {when}? Khi được thêm, đơn vị thực hiện "
    "nhiệm vụ của đơn vị được kiểm tra trực tiếp."
)
BUTTON_ADD = "Thêm vào danh sách và đặt lịch"
BUTTON_KEEP_OUT = "Không thêm"
NOT_ADDED = "Chưa đặt lịch: {unit} không được thêm vào danh sách kiểm tra trực tiếp."
CHOSEN = "{unit} được chọn kiểm tra trực tiếp theo {section} ({rule})."
ADDED_TO_LIST = "Đã thêm {unit} vào danh sách kiểm tra trực tiếp (ngoài danh sách tại {section})."

WARN_OUTSIDE_WINDOW = "Lưu ý: ngày này nằm ngoài thời gian kiểm tra {label} ({start}–{end}) của kế hoạch."
WARN_PAST = "Lưu ý: thời điểm này đã qua."
WARN_OVER_SELECTION = (
    "Lưu ý: {where} đã có {count} đơn vị ({level}) được chọn kiểm tra, nhiều hơn số {expected} theo {section}."
)
