"""A broadcast over real HTTP: the real TelegramChannel.deliver and outbox sender against the
fake Bot API server (tests/fakes/telegram_api.py): 429 with retry_after, blocked users,
a group that became a supergroup, an attached document."""

from __future__ import annotations

import asyncio

import pytest
from broadcast_helpers import RecordingChannel, outgoing
from support import Talk
from fakes.telegram_api import FakeBotApi

from bot.sender import OutboxSender
from bot.settings import Settings
from handlers.broadcast_reports import reports_for
from handlers.types import IncomingFile
from messages.texts import delivery as delivery_texts
from storage import people

PRIVATE = [str(1000 + i) for i in range(6)]
GROUP = "-4001"  # a basic group that becomes a supergroup
SUPERGROUP = -1009990001
UNITS = ["so-y-te", "so-tu-phap", "so-xay-dung", "so-du-lich", "so-ngoai-vu", "thanh-tra-tinh", "ban-dan-toc"]


@pytest.fixture
def clock():
    """A running clock (business time from 01/09/2020 09:00): retries wait on real time."""
    from datetime import datetime

    from bot.clock import Clock
    from support import TZ

    return Clock(TZ, datetime(2020, 9, 1, 9, 0, tzinfo=TZ))


@pytest.fixture
async def fake():
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def telegram(fake, services, router, tmp_path):
    from bot.channels.telegram import TelegramChannel

    settings = Settings(_env_file=None, telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url,
                        telegram_api_base_file_url=fake.base_file_url, data_dir=tmp_path / "data",
                        telegram_send_per_second=50.0)
    channel = TelegramChannel(settings, services, router)
    await channel.app.initialize()
    staff_chat = RecordingChannel()
    sender = OutboxSender(services, {"telegram": channel, "test": staff_chat}, settings,
                          private_interval=0.0, group_interval=0.0)
    services.wake_outbox = sender.wake
    sender.add_listener(reports_for(services))
    await sender.start()
    yield staff_chat
    await sender.stop()
    await channel.app.shutdown()


async def summaries(staff_chat, count: int, timeout: float = 20.0) -> list[str]:
    """Wait for the sender (running in the background) to report ``count`` finished broadcasts."""
    for _ in range(int(timeout / 0.05)):
        found = [t for t in staff_chat.to("staff") if t.startswith("KẾT QUẢ")]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {staff_chat.to('staff')} after {timeout}s")


def focal_points(services) -> dict[str, int]:
    """Six private chats and one group, each the focal point of a department."""
    ids = {}
    with services.store.session() as s:
        for chat, unit in zip([*PRIVATE, GROUP], UNITS):
            person = people.ensure(s, "telegram", chat if chat != GROUP else "777", chat)
            people.register(s, person, unit, services.clock.now())
            ids[chat] = person.id
    return ids


async def confirm(talk, text: str, attachment: IncomingFile | None = None) -> str:
    await talk("staff", "/thongbao")
    await talk.tap("staff", "Sở, ban, ngành")
    await talk("staff", text)
    if attachment is None:
        await talk.tap("staff", "Không đính kèm")
    else:
        await talk("staff", file=attachment)
    return Talk.text(await talk.tap("staff", "Xác nhận gửi"))


async def test_429_retry_after_blocked_user_and_moved_group(fake, telegram, talk, services):
    staff_chat = telegram
    ids = focal_points(services)
    fake.flood(1, method="sendMessage", chat_id=PRIVATE[2])  # Telegram: "retry after 1"
    fake.block(PRIVATE[4])
    fake.migrate(GROUP, SUPERGROUP)
    assert "đang gửi đến 7 người nhận" in await confirm(talk, "Họp trực tuyến lúc 14:00.")
    (summary,) = await summaries(staff_chat, 1)

    for chat in (*PRIVATE[:4], PRIVATE[5], str(SUPERGROUP)):
        texts = fake.texts(chat)
        assert len(texts) == 1 and "Họp trực tuyến lúc 14:00." in texts[0], chat  # exactly once
    assert fake.sent(PRIVATE[4]) == [] and fake.sent(GROUP) == []
    # the 429 was obeyed: the retry came at least retry_after later
    (refused,) = [c for c in fake.calls_to("sendMessage", PRIVATE[2]) if c.status == 429]
    (accepted,) = fake.calls_to("sendMessage", PRIVATE[2], ok=True)
    assert accepted.at - refused.at >= 1.0
    # the blocked user is inactive now; the group is followed to its new id
    with services.store.session() as s:
        from storage.models import Person

        assert s.get(Person, ids[PRIVATE[4]]).active is False
        assert s.get(Person, ids[GROUP]).chat_id == str(SUPERGROUP)
    assert "Đã gửi: 6/7" in summary and "Đã chặn bot/ngừng theo dõi: 1" in summary
    assert "Không gửi được: 0" in summary

    # the next notice skips the blocked user without calling Telegram for them
    calls_before = len(fake.calls_to("sendMessage", PRIVATE[4]))
    text = await confirm(talk, "Nhắc lần hai.")
    assert "đang gửi đến 6 người nhận" in text
    await summaries(staff_chat, 2)
    assert len(fake.calls_to("sendMessage", PRIVATE[4])) == calls_before
    assert len(fake.texts(str(SUPERGROUP))) == 2
    rows = outgoing(services, kind="broadcast", person_id=ids[PRIVATE[4]])
    assert [r.status for r in rows] == ["undeliverable", "undeliverable"]
    assert rows[1].last_error == delivery_texts.INACTIVE


async def test_attached_document_goes_with_the_notice(fake, telegram, talk, services, tmp_path):
    staff_chat = telegram
    focal_points(services)
    pdf = tmp_path / "kh.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    async def fetch(dest, max_bytes):
        dest.write_bytes(pdf.read_bytes())

    attachment = IncomingFile(name="Kế hoạch kiểm tra.pdf", size=pdf.stat().st_size, mime="application/pdf",
                              kind="document", fetch=fetch)
    await confirm(talk, "Gửi kèm kế hoạch.", attachment)
    await summaries(staff_chat, 1)
    (call,) = fake.calls_to("sendDocument", PRIVATE[0], ok=True)
    upload = call.files["document"]
    assert upload.content == pdf.read_bytes() and upload.filename == "Kế hoạch kiểm tra.pdf"
    assert "Gửi kèm kế hoạch." in call.params["caption"]
