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
