"""What the question engine says around the plan's own answers (fallbacks, lists, staff review).

The answers themselves are templates in the shared knowledge pack (``messages/knowledge/pack.yaml``).
"""

# ---- answer pieces filled from the plan -----------------------------------------------
BULLET = "- {text}"
DUTY = "- {text} ({section})"
DEADLINE_DATE = "- {title}: {wording}, hạn chót {date}"
DEADLINE_SCHEDULED = "- {title}: {wording}, hạn của đơn vị {date}"
DEADLINE_UNSET = "- {title}: {wording} (chưa có lịch kiểm tra nên chưa tính được ngày)"
TEAM_DEADLINE_UNSET = "chưa tính được (chưa có lịch kiểm tra)"
DUE_AT_INSPECTION = "báo cáo khi Đoàn kiểm tra làm việc tại đơn vị"
DUE_BEFORE_INSPECTION = "gửi {wording}"
LISTED_LEVEL = "{level} ({n}{kinds}): {names}"
KINDS = ": {counts}"
KIND_ONE = " {kind}"
KIND_COUNT = "{n} {kind}"
LISTED_TOTAL = "Tổng cộng: {n} đơn vị được kiểm tra trực tiếp"
LISTED_RULE = "{level}: {rule} ({n} đơn vị; kế hoạch không nêu tên, {announcer} thông báo danh sách)"
RULE_LINE = "- {level}: {rule} ({section}); danh sách do {announcer} thông báo"
RULE_PER_PARENT = "chọn {n} {level} thuộc mỗi {parent} được kiểm tra"
RULE_COUNT = "chọn {n} {level}"
TARGET_RATIO = "ít nhất {pct} {level}"
TARGET_COUNT = "{n} {level}"
TARGET_GIVEN = "{level}: {pct} × {n} = {exact}, tức ít nhất {required} đơn vị"
PASSAGE_LINE = "- “{text}” ({where})"
PASSAGE_WHERE = "{label} — {title}"
PASSAGE_ANSWER = "Kế hoạch có nội dung liên quan:\n{passage}\nCần hướng dẫn thêm, anh/chị vui lòng liên hệ {coordinator}."
BASIS = "- Căn cứ {label} về việc {subject};"
BASIS_AMENDS = "- {label} sửa đổi, bổ sung {amended};"
IMPLEMENTS = "- Thực hiện {label} về {subject}."
CITATION = "({source})"
SECTIONS_AND = ", "
UNKNOWN_PARENT = "đơn vị cấp trên"
COORDINATOR_LISTED = "cũng thuộc đối tượng kiểm tra trực tiếp ({section})"
COORDINATOR_NOT_LISTED = "không thuộc đối tượng kiểm tra trực tiếp ({section})"
INSPECTION_NOT_SET = "chưa có"
# how early the announcer gives the date, when the plan says so: after "… thông báo"
ANNOUNCE_NOTICE = " {wording}"
ANNOUNCE_NOTICE_DATE = " {wording}, tức chậm nhất ngày {date}"
QUOTED = "“{text}”"  # the plan's own words (its dates stay as the plan writes them)
# how many days are left, counted on the business clock: (ahead, on the day, past); {when} is a date
COUNTDOWN_DEADLINE = (
    "hôm nay {today}, còn {days} ngày đến hạn chót {when}",
    "hôm nay {today} là hạn chót",
    "hôm nay {today}, hạn chót {when} đã qua {days} ngày",
)
COUNTDOWN_INSPECTION = (
    "{when} (hôm nay {today}, còn {days} ngày)",
    "{when} (hôm nay)",
    "{when} (đã qua {days} ngày)",
)
COUNTDOWN_NO_CLOCK = "hạn chót {date}"

# ---- when the bot does not answer from a topic ------------------------------------------
OUT_OF_SCOPE = (
    "Xin lỗi, câu hỏi này nằm ngoài nội dung {citation} ({title}), nên tôi không trả lời được. "
    "Anh/chị vui lòng liên hệ {coordinator} hoặc cơ quan có thẩm quyền."
)
NOT_IN_PLAN = (
    "{citation} không có thông tin để trả lời chính xác câu hỏi này. "
    "Anh/chị vui lòng liên hệ {coordinator} để được hướng dẫn."
)
DID_YOU_MEAN = "Tôi chưa chắc anh/chị muốn hỏi điều nào. Có phải anh/chị muốn hỏi:"
DID_YOU_MEAN_LINE = "- {title}"
DID_YOU_MEAN_FOOTER = "Anh/chị chọn một mục, hoặc hỏi lại cụ thể hơn."
DID_YOU_MEAN_BUTTONS = "Tôi chưa chắc anh/chị muốn hỏi điều nào. Anh/chị chọn một nội dung dưới đây, hoặc hỏi lại cụ thể hơn:"
EMPTY_QUESTION = "Anh/chị vui lòng gõ câu hỏi, ví dụ: “Hạn nộp báo cáo tự kiểm tra là ngày nào?”"

# ---- staff: reviewing unanswered questions ----------------------------------------------
COMMAND_UNANSWERED = "Câu hỏi bot chưa trả lời được (cán bộ quản lý)"
COMMAND_ATTACH = "Gắn câu hỏi vào chủ đề: /ganchude SỐ CHỦ_ĐỀ (cán bộ quản lý)"
UNANSWERED_NONE = "Không có câu hỏi nào đang chờ xem xét."
UNANSWERED_HEADER = "Câu hỏi chưa trả lời được hoặc trả lời chưa chắc ({count} câu, mới nhất trước):"
UNANSWERED_ITEM = "#{id} · {when} · {unit}\n“{text}”\n{status}"
UNANSWERED_MISSED = "Bot chưa trả lời (điểm {score:.2f})."
UNANSWERED_UNSURE = "Bot trả lời theo chủ đề “{topic}” nhưng chưa chắc (điểm {score:.2f})."
UNANSWERED_GUEST = "chưa đăng ký đơn vị"
UNANSWERED_MORE = "Còn {more} câu khác; xử lý các câu trên rồi gõ /chuatraloi để xem tiếp."
UNANSWERED_HOW = "Bấm một chủ đề để gắn câu hỏi vào chủ đề đó, hoặc gõ /ganchude SỐ CHỦ_ĐỀ (gõ /ganchude để xem mã chủ đề)."
ATTACH_BUTTON = "Gắn: {title}"
DISMISS_BUTTON = "Bỏ qua"
ATTACH_USAGE = "Cú pháp: /ganchude SỐ_CÂU_HỎI MÃ_CHỦ_ĐỀ, ví dụ: /ganchude 12 han-bao-cao\nCác chủ đề:"
ATTACH_TOPIC_LINE = "{id} — {title}"
ATTACH_NO_QUESTION = "Không có câu hỏi số {id}. Gõ /chuatraloi để xem danh sách."
ATTACH_NO_TOPIC = "Không có chủ đề “{topic}”. Gõ /ganchude để xem mã các chủ đề."
ATTACH_OK = (
    "Đã gắn câu hỏi #{id} “{text}” vào chủ đề “{title}”. Từ nay bot trả lời câu hỏi tương tự theo chủ đề này.\n"
    "Thử lại: bot hiện trả lời theo chủ đề “{now}”."
)
ATTACH_ALREADY = "Câu hỏi #{id} đã được gắn vào chủ đề “{title}” trước đó."
DISMISS_OK = "Đã bỏ qua câu hỏi #{id}; câu hỏi không còn trong danh sách chờ."
NOT_ANSWERED_NOW = "(chưa trả lời được)"
