"""Reminders: before a deadline, after it, before an inspection date; and the staff listing."""

COMMAND_LIST = "Xem các nhắc hạn sẽ gửi và gửi cho ai: /nhacnho [số ngày]"

# ---- sent to focal points ---------------------------------------------------------
DEADLINE = (
    "NHẮC HẠN: {unit} cần gửi {title} ({section}) về {recipient}.\n"
    "Hạn: {deadline} ({left}).\n"
    "{how}"
)
OVERDUE = (
    "QUÁ HẠN: {unit} chưa gửi {title} ({section}) về {recipient}.\n"
    "Hạn là {deadline} ({left}). Đề nghị anh/chị gửi ngay.\n"
    "{how}"
)
HOW_TO_SUBMIT = (
    "Cách nộp: gửi tệp báo cáo cho bot ngay tại đây "
    "(gõ /nopbaocao để xem hướng dẫn). Nếu đã gửi bằng đường khác, anh/chị có thể bỏ qua tin này."
)
# {left}: how far the date is, worded by handlers/formatting.py (messages/texts/common.py)
# {preparation}: the III.3 list, the same in every message (messages/texts/common.py)

VISIT_SET = (
    "THÔNG BÁO LỊCH KIỂM TRA: Đoàn kiểm tra công tác CCHC của {issuer} làm việc với {unit} "
    "vào {when} ({citation}).\n"
    "{changed}"
    "{preparation}\n"
    "{report}"
)
VISIT_CHANGED = "Lịch này thay cho lịch đã báo trước đây ({previous}).\n"
VISIT_REMINDER = (
    "NHẮC LỊCH KIỂM TRA: Đoàn kiểm tra công tác CCHC làm việc với {unit} vào {when} ({left}).\n"
    "{preparation}\n"
    "{report}"
)
VISIT_REPORT = "\n{title}: chuẩn bị để báo cáo với Đoàn kiểm tra; có thể gửi trước tệp cho bot (/nopbaocao)."

WINDOW_OPEN = (
    "BẮT ĐẦU ĐỢT KIỂM TRA: {unit} thuộc đối tượng kiểm tra trực tiếp ({section}). "
    "Thời gian kiểm tra: {window} (từ {start} đến {end}). "
    "{announcer} sẽ thông báo thời gian làm việc cụ thể ({announce_section}).\n"
    "{preparation}"
)

# ---- why a reminder was not sent (outgoing_message.last_error) ----------------------
NO_FOCAL = "Đơn vị chưa có đầu mối đăng ký"
FOCAL_REGISTERED = "Đơn vị đã có đầu mối đăng ký; nhắc gửi tới đầu mối"
SUBMITTED = "Đơn vị đã nộp báo cáo"
NOT_OWED = "Đơn vị không còn phải thực hiện nội dung này"
DATE_CHANGED = "Lịch kiểm tra đã thay đổi hoặc bị bỏ"
VISIT_PASSED = "Buổi kiểm tra đã diễn ra"
NOT_FOCAL = "Người nhận không còn là đầu mối đang hoạt động của đơn vị"
NOT_PLANNED = "Không còn trong kế hoạch nhắc"
MISSED = "Bot không hoạt động lúc đến hạn ({due}); đã quá {hours} giờ cho phép gửi bù"
SUPERSEDED = "Đã có nhắc mới hơn trong cùng ngày"

# ---- the listing (agency-bot reminders, /nhacnho) --------------------------------------
LIST_HEADER = "Nhắc hạn từ {start} đến {end}: {count} tin tới {people} người nhận."
LIST_EMPTY = "Không có nhắc hạn nào từ {start} đến {end}."
LIST_DAY = "Ngày {date}:"
LIST_LINE = "- {time} · {unit} · {topic} · {recipients}"
LIST_RECIPIENT = "{channel} #{person}"
LIST_OVERDUE_NOW = "Đến hạn, đang chờ gửi:"
LIST_ONLY_NOBODY = ("Từ {start} đến {end} không có nhắc hạn nào gửi được đến người nhận; "
                    "{count} tin của {units} đơn vị không gửi được:")
LIST_NOBODY_HEADER = "Không gửi được: {count} tin của {units} đơn vị:"
LIST_UNSURE_HEADER = "Chưa rõ đã đến: {count} tin của {units} đơn vị (đã gửi nhưng không nhận được xác nhận; không gửi lại):"
LIST_NOBODY_LINE = "- {when} · {unit} · {topic} · {reason}"
LIST_NOBODY_GROUP = "- {unit} · {count} tin từ {first} đến {last} · {reason}"
LIST_MORE = "… và {count} dòng nữa (xem đầy đủ bằng lệnh agency-bot reminders --days {days})."
LIST_USAGE = "Cú pháp: /nhacnho [số ngày], ví dụ /nhacnho 14 (tối đa {max} ngày)."
TOPIC_BEFORE = "{short}, trước hạn {days} ngày"
TOPIC_ON_DAY = "{short}, ngày hạn"
TOPIC_AFTER = "{short}, quá hạn {days} ngày"
TOPIC_VISIT_SET = "báo lịch kiểm tra {when}"
TOPIC_VISIT = "nhắc lịch kiểm tra {when}, trước {days} ngày"
TOPIC_WINDOW = "mở đợt kiểm tra"
