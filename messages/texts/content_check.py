"""What the content check of a submitted file says: one line on the receipt, short labels for staff."""

# ---- the focal point: one line added to the receipt -------------------------------------------------
FLAG_LINE = (
    "Lưu ý về nội dung tệp: {reasons}. Anh/chị vui lòng kiểm tra lại; nếu gửi nhầm, "
    "xin gửi tệp đúng để thay bản này."
)
REASON_OTHER_UNIT = "tệp ghi tên {other}, không phải {unit}"
REASON_UNIT_MISSING = "không thấy tên {unit} trong tệp"
REASON_OTHER_YEAR = "tệp ghi năm {years}, không thấy năm {year} của kế hoạch"
REASON_DATED_BEFORE = "tệp đề ngày {date}, trước ngày ban hành {citation}"
REASON_PLAN_ITSELF = "tệp có vẻ là chính văn bản {citation}, không phải báo cáo của đơn vị"
REASON_TEMPLATE = "tệp có vẻ là mẫu báo cáo chưa điền nội dung (chỉ có các đề mục)"
REASON_OFF_TOPIC = "không thấy nội dung “{deliverable}” trong tệp"
REASON_JOIN = "; "
NO_TEXT_LINE = (
    "Tệp không có lớp chữ (bản quét hoặc ảnh chụp) nên bot chưa đối chiếu được nội dung; "
    "tệp vẫn được nhận, {coordinator} sẽ xem trực tiếp."
)
UNREADABLE_LINE = (
    "Bot không đọc được nội dung tệp (tệp có thể bị lỗi hoặc đặt mật khẩu); tệp vẫn được nhận, "
    "anh/chị vui lòng kiểm tra tệp mở được bình thường."
)

# ---- staff: /tonghop, the workbook, the notice of a new submission ----------------------------------------
LABEL_OTHER_UNIT = "ghi tên đơn vị khác ({other})"
LABEL_UNIT_MISSING = "không thấy tên đơn vị"
LABEL_OTHER_YEAR = "năm khác ({years})"
LABEL_DATED_BEFORE = "đề ngày {date}, trước kế hoạch"
LABEL_PLAN_ITSELF = "là văn bản kế hoạch"
LABEL_TEMPLATE = "mẫu chưa điền"
LABEL_OFF_TOPIC = "không đúng nội dung báo cáo"
LABEL_NO_TEXT = "bản quét/ảnh, không có chữ"
LABEL_UNREADABLE = "không đọc được tệp"
LABEL_JOIN = "; "
NOT_CHECKED = "Chưa kiểm tra nội dung"
NOT_CHECKED_WHY = {
    "format": "Chưa kiểm tra nội dung (định dạng này bot không đọc)",
    "too-large": "Chưa kiểm tra nội dung (tệp quá lớn)",
    "timeout": "Chưa kiểm tra nội dung (đọc quá thời gian)",
}
NOTHING_SEEN = "Không thấy vấn đề"
YEARS_JOIN = ", "
