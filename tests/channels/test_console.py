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
