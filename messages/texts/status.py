"""What a focal point asks about their own unit: status of reports, deadlines, inspection schedule."""

COMMAND_STATUS = "Tình trạng nộp báo cáo của đơn vị"
COMMAND_DEADLINES = "Hạn nộp báo cáo của đơn vị"
COMMAND_SCHEDULE = "Lịch kiểm tra CCHC của đơn vị"

# how far a date is, "đúng hạn"/"trễ hạn" and the III.3 list: messages/texts/common.py

# ---- /trangthai -------------------------------------------------------------------------------
STATUS_HEADER = "TÌNH TRẠNG NỘP BÁO CÁO — {unit}\n(tính đến {now})"
STATUS_ITEM = "{n}. {title} ({section})\n   Hạn: {due}"
STATUS_RECEIVED = "   Đã nhận: số {receipt}, lúc {received}, {timeliness}; tệp {name}."
STATUS_VERSIONS = (
    "   Đây là bản thứ {count} (thay {earlier} bản trước; các bản trước vẫn được lưu). "
    "Đúng hạn hay trễ hạn tính theo bản đầu tiên, nhận lúc {first}."
)
STATUS_OWED = "   Chưa nộp — {days}."
STATUS_NOTHING_OWED = "Theo kế hoạch, {unit} không có báo cáo nào phải gửi qua bot."
STATUS_OTHER_HEADER = "Báo cáo khác đã nhận (không còn trong danh sách phải nộp của đơn vị):"
STATUS_OTHER_ITEM = "- {title}: số {receipt}, lúc {received}."
STATUS_HOW = "Gửi tệp báo cáo vào đây (hoặc /nopbaocao) để nộp; xem hạn: /hanchot."
STATUS_ALL_DONE = "Đơn vị đã nộp đủ các báo cáo phải nộp. Gửi tệp mới nếu cần thay bản đã nộp."

# ---- /hanchot ----------------------------------------------------------------------------------
DEADLINES_HEADER = "HẠN NỘP BÁO CÁO — {unit}"
DEADLINE_ITEM = (
    "{n}. {title}\n"
    "   Hạn: {due}{state}\n"
    "   Kế hoạch ghi: “{wording}” ({citation})\n"
    "   Gửi đến: {recipient}"
)
DEADLINE_STATE = " — {state}"
DEADLINE_SUBMITTED = "đã nộp (số {receipt}), {timeliness}"
DEADLINE_UNSET = (
    "Hạn “chưa xác định” tính theo ngày kiểm tra của đơn vị: {announcer} sẽ thông báo thời gian kiểm tra "
    "cụ thể ({section}) trong {window} ({start}–{end}); bot sẽ báo anh/chị ngay khi có lịch."
)
DEADLINES_NONE = "Theo {citation}, {unit} không có báo cáo nào phải gửi theo hạn."

# ---- /lichkiemtra -----------------------------------------------------------------------------
SCHEDULE_HEADER = "LỊCH KIỂM TRA CCHC — {unit}"
SCHEDULE_SET = "Đoàn kiểm tra của {issuer} làm việc tại đơn vị: {when} — {state}."
SCHEDULE_NOT_SET = (
    "{unit} thuộc đối tượng kiểm tra trực tiếp năm {year} ({inspected_section}).\n"
    "Thời gian kiểm tra: {window} ({start}–{end}) ({window_section}).\n"
    "Ngày giờ cụ thể do {announcer} thông báo ({announce_section}); bot sẽ báo anh/chị ngay khi có lịch."
)
SCHEDULE_NOT_INSPECTED = (
    "{unit} không thuộc đối tượng kiểm tra trực tiếp năm {year} ({inspected_section}), "
    "nên không có lịch Đoàn kiểm tra đến làm việc."
)
SCHEDULE_OWN_DUTY = "Nhiệm vụ của đơn vị ({section}): {text}"
SCHEDULE_OWN_DELIVERABLE = "Báo cáo phải gửi: {title} — hạn {due} ({wording}). Xem thêm: /hanchot"
SCHEDULE_MAYBE = (
    "{unit} chưa có tên trong danh sách kiểm tra trực tiếp năm {year}, nhưng có thể được chọn "
    "({section}: {rule}); nếu được chọn, {announcer} sẽ thông báo lịch và bot sẽ báo anh/chị. "
    "Khi chưa được chọn, đơn vị thực hiện như đơn vị không thuộc đối tượng kiểm tra trực tiếp:"
)
