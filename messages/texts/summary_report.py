"""The drafted summary report (/baocaotonghop, ``agency-bot report``); its body is the template
``messages/templates/bao-cao-tong-hop.docx``, which staff may edit."""

COMMAND = "Dự thảo báo cáo tổng hợp kết quả thực hiện kế hoạch (tệp Word, dành cho cán bộ)"
DONE = (
    "Dự thảo báo cáo tổng hợp kết quả thực hiện {citation} (số liệu đến {now}). "
    "Anh/chị bổ sung số, ký hiệu, phần nhận xét của Đoàn kiểm tra và người ký trước khi trình."
)
FILE_NAME = "DuThao_BaoCaoTongHop_{stamp}.docx"
TOTAL = "Tổng cộng"
REPORTED = "Đã viết dự thảo báo cáo tổng hợp: {path}"
