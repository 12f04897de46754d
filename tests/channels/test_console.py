"""The console channel renders the same conversation: numbered options, files by path."""

import io

from bot.channels.console import ConsoleChannel, console_identity


async def test_options_are_numbered_and_chosen_by_number(services, router):
    lines: list[str] = []
    channel = ConsoleChannel(services, router, console_identity(services, None, staff=True), write=lines.append)
    await channel.send_line("/moi Ban Quản lý")
    assert any(line.strip().startswith("1)") for line in lines)
    lines.clear()
    await channel.send_line("2")
    assert any("Mã mời cho Ban Quản lý" in line for line in lines)


async def test_a_path_to_a_file_is_sent_as_a_file(services, router, tmp_path):
    seen = []

    @router.on_file
    async def capture(ctx):
        dest = tmp_path / "copy"
        await ctx.inbound.file.fetch(dest, 1024)
        seen.append(dest.read_bytes())
        return []

    unit = services.roster().get("so-y-te")
    channel = ConsoleChannel(services, router, console_identity(services, unit, staff=False), write=lambda _: None)
    report = tmp_path / "bao cao.pdf"
    report.write_bytes(b"%PDF-1.4 test")
    await channel.send_line(str(report))
    assert seen == [b"%PDF-1.4 test"]


async def test_run_reads_until_eof(services, router):
    lines: list[str] = []
    channel = ConsoleChannel(services, router, console_identity(services, None, staff=False),
                             stdin=io.StringIO("/start\n\n"), write=lines.append)
    await channel.run("banner")
    assert lines[0] == "banner" and any("Kính chào" in l for l in lines) and lines[-1] == "Tạm biệt."


async def test_a_long_question_is_a_question_not_a_file_name(services, router):
    asked = []

    @router.on_text
    async def capture(ctx):
        asked.append(ctx.inbound.text)
        return []

    lines: list[str] = []
    channel = ConsoleChannel(services, router, console_identity(services, None, staff=False), write=lines.append)
    question = "Cho tôi hỏi về hạn gửi báo cáo tự kiểm tra công tác cải cách hành chính của đơn vị " * 4
    assert len(question.encode()) > 255  # longer than a file name may be: is_file() raised ENAMETOOLONG
    await channel.send_line(question)
    assert asked == [question]
    await channel.send_line("/" + "x" * 400 + "/bao-cao.pdf")
    assert "Không tìm thấy tệp" in lines[-1]


async def test_a_path_to_nothing_says_the_file_is_missing(services, router, tmp_path):
    lines: list[str] = []
    channel = ConsoleChannel(services, router, console_identity(services, None, staff=False), write=lines.append)
    await channel.send_line(str(tmp_path / "khongco.pdf"))
    assert lines == [f"Bot> Không tìm thấy tệp “{tmp_path / 'khongco.pdf'}”. Vui lòng kiểm tra lại đường dẫn "
                     "để gửi báo cáo."]
    lines.clear()
    await channel.send_line("/khongco.pdf")
    assert "Không tìm thấy tệp “/khongco.pdf”" in lines[0] and "Lệnh" not in lines[0]
    lines.clear()
    await channel.send_line(str(tmp_path))
    assert "là thư mục" in lines[0]
    lines.clear()
    await channel.send_line("/khongcolenh")  # a command word is still a command
    assert "khongcolenh" in lines[0] and "tệp" not in lines[0]


async def test_a_broadcast_rehearsed_in_two_terminals(services, tmp_path):
    """Staff in one `agency-bot chat --staff`, a focal point who registered with /dangky in another:
    the notice reaches the focal point's terminal, the summary the staff's, once each."""
    import re

    from handlers import build_router

    router = build_router()
    staff_lines: list[str] = []
    focal_lines: list[str] = []
    staff = ConsoleChannel(services, router, console_identity(services, None, staff=True), write=staff_lines.append)
    focal = ConsoleChannel(services, router, console_identity(services, None, staff=False), write=focal_lines.append)

    def pick(lines: list[str], label: str) -> str:
        return next(re.match(r"\s+(\d+)\)", line).group(1) for line in lines if line.strip().endswith(label))

    await staff.send_line("/moi Sở Y tế")
    code = re.search(r"/dangky ([A-Z0-9]{10})", "\n".join(staff_lines)).group(1)
    await focal.send_line(f"/dangky {code}")
    assert any("Đăng ký thành công" in line for line in focal_lines)

    staff_lines.clear()
    await staff.send_line("/thongbao")
    await staff.send_line(pick(staff_lines, "Tất cả đơn vị"))
    assert any("nội dung thông báo" in line for line in staff_lines), staff_lines
    await staff.send_line("Họp giao ban lúc 8 giờ.")
    no_document = pick(staff_lines, "Không đính kèm")
    staff_lines.clear()
    await staff.send_line(no_document)
    assert any("người nhận: 1" in line for line in staff_lines), staff_lines
    await staff.send_line(pick(staff_lines, "Xác nhận gửi"))

    focal_lines.clear()
    assert await focal.deliver_due() == 1
    assert any("Họp giao ban lúc 8 giờ." in line for line in focal_lines) and "[Tin mới]" in focal_lines[0]
    assert await focal.deliver_due() == 0  # once
    staff_lines.clear()
    assert await staff.deliver_due() == 1
    assert any("Đã gửi: 1/1" in line for line in staff_lines), staff_lines
