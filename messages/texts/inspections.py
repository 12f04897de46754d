"""Setting an inspection date (/datlich, staff)."""

COMMAND = "Đặt lịch kiểm tra một đơn vị: /datlich ĐƠN_VỊ dd/mm/yyyy [hh:mm]"
USAGE = (
    "Cú pháp: /datlich ĐƠN_VỊ dd/mm/yyyy [hh:mm]\n"
    "Ví dụ: /datlich Sở Tài chính 15/9/2020 08:30 — hoặc /datlich UBND xã Bình Sơn, huyện Hòn Đất 22/9/2020"
)
NO_DATE = "Chưa thấy ngày kiểm tra (dd/mm/yyyy).\n" + USAGE
NO_UNIT = "Chưa ghi tên đơn vị.\n" + USAGE
BAD_DATE = "Ngày {value} không có trên lịch. Vui lòng kiểm tra lại (dd/mm/yyyy)."
BAD_TIME = "Giờ {value} không hợp lệ; ghi dạng hh:mm, ví dụ 08:30."
UNKNOWN_UNIT = (
    "Không tìm thấy đơn vị “{query}”. Vui lòng ghi rõ tên, ví dụ: Sở Tài chính, UBND huyện An Biên, "
    "UBND xã Bình Sơn, huyện Hòn Đất."
)
WHICH_UNIT = "Có nhiều đơn vị khớp với “{query}”. Anh/chị chọn đơn vị cần đặt lịch kiểm tra {when}:"
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
NEW_COMMUNE = "Đã thêm {unit} (thuộc {parent}) vào danh sách đơn vị."
WARN_OUTSIDE_WINDOW = "Lưu ý: ngày này nằm ngoài thời gian kiểm tra {label} ({start}–{end}) của kế hoạch."
WARN_PAST = "Lưu ý: thời điểm này đã qua."
WARN_NOT_LISTED = (
    "Lưu ý: {unit} không có trong danh sách kiểm tra trực tiếp ({section}); lịch vẫn được lưu, "
    "nhưng đơn vị vẫn thực hiện và gửi báo cáo như đơn vị không thuộc đối tượng kiểm tra trực tiếp."
)
WARN_DISTRICT_NOT_LISTED = (
    "Lưu ý: {district} không thuộc các huyện được kiểm tra trực tiếp ({section}); theo {communes_section}, "
    "xã được chọn kiểm tra thuộc các huyện được kiểm tra. Lịch vẫn được lưu."
)
WARN_COMMUNES = (
    "Lưu ý: {district} đã có {count} xã được đặt lịch kiểm tra, nhiều hơn số {expected} xã mỗi huyện "
    "theo {section}."
)
