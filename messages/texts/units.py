"""Naming a unit in a staff command (/moi, /datlich, the CLI) and the roster import."""

UNKNOWN = "Không tìm thấy đơn vị “{query}”. Vui lòng ghi rõ tên, ví dụ: {examples}."
WHICH = "Có nhiều đơn vị gần với “{query}”. Anh/chị chọn đơn vị:"
NEW_UNIT = (
    "“{query}” chưa có trong danh sách đơn vị. Nếu đúng là đơn vị mới, anh/chị bấm để thêm "
    "“{unit}” ({level}{parent}); nếu gõ nhầm, chọn đơn vị đã có."
)
NEW_UNIT_PARENT = ", thuộc {parent}"
ADD_BUTTON = "Thêm mới: {unit}"
ADDED = "Đã thêm đơn vị mới: {unit} ({level}{parent})."
NEEDS_PARENT = (
    "Chưa rõ “{query}” thuộc đơn vị nào. Vui lòng ghi kèm đơn vị cấp trên, ví dụ: {example}."
)
EXAMPLE_PLACE = "UBND {kind} …, {parent}"
EXAMPLES_JOIN = "; "

# ---- the command line ------------------------------------------------------------------
CLI_NEW_UNIT = (
    "“{query}” chưa có trong danh sách đơn vị ({unit}?). Thêm đơn vị mới bằng "
    "agency-bot units import TỆP, hoặc lệnh /moi gửi cho bot (cán bộ xác nhận)."
)
CLI_AMBIGUOUS = "“{query}” có thể là: {names}. Vui lòng ghi rõ hơn hoặc dùng mã đơn vị."

# ---- agency-bot units import / list ---------------------------------------------------------
IMPORT_NO_FILE = "Không tìm thấy tệp {path}."
IMPORT_WRONG_TYPE = "Tệp {path} không phải .xlsx hoặc .csv."
IMPORT_UNREADABLE = "Không đọc được tệp {path} ({reason}); vui lòng lưu lại dạng .xlsx hoặc .csv (UTF-8)."
IMPORT_EMPTY = "Tệp {path} không có dữ liệu."
IMPORT_COLUMNS = "Thiếu cột: {missing}. Dòng đầu cần có tên cột: name (tên), level (cấp), parent (thuộc), code (mã), inspected (kiểm tra trực tiếp)."
IMPORT_NO_NAME = "dòng {line}: chưa có tên đơn vị"
IMPORT_BAD_LEVEL = "dòng {line}: cấp “{value}” không có trong kế hoạch (các cấp: {levels})"
IMPORT_BAD_PARENT = "dòng {line}: đơn vị cấp trên “{value}” không có trong danh sách {level}"
IMPORT_NO_PARENT_LEVEL = "dòng {line}: {level} không có đơn vị cấp trên trong kế hoạch; bỏ trống cột parent"
IMPORT_BAD_FLAG = "dòng {line}: cột inspected ghi “{value}”; ghi “có” hoặc “không” (hoặc để trống)"
IMPORT_BAD_CODE = "dòng {line}: mã “{value}” phải là chữ thường không dấu nối bằng '-'"
IMPORT_DUPLICATE = "dòng {line}: “{name}” trùng với dòng {first}"
IMPORT_PROBLEMS = "Chưa nạp danh sách: có {n} lỗi. Vui lòng sửa tệp rồi chạy lại."
IMPORT_PROBLEM = "  - {text}"
IMPORT_NOT_APPLIED = "Danh sách có lỗi nên chưa được nạp."
IMPORT_DRY_RUN = "Chạy thử (chưa ghi gì): sẽ thêm {add}, cập nhật {update}; {same} không đổi; {plan} đã có trong tệp kế hoạch."
IMPORT_DONE = "Đã nạp danh sách: thêm {add}, cập nhật {update}; {same} không đổi; {plan} đã có trong tệp kế hoạch."
IMPORT_LINE = {
    "add": "  + dòng {line}: {name} [{code}] — {level}{parent}{inspected}",
    "update": "  ~ dòng {line}: {name} [{code}] — {level}{parent}{inspected}",
}
IMPORT_INSPECTED = "; kiểm tra trực tiếp"
LIST_LEVEL = "{level} ({count}):"
LIST_LINE = "  - {name} [{code}]{parent}{inspected} ({source})"
LIST_FROM_PLAN = "trong tệp kế hoạch"
LIST_ADDED = "bổ sung"
