"""Helpers shared by tests (import them with ``from support import …``; fixtures live in conftest)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.context import Services
from handlers.router import Router
from handlers.types import Inbound, IncomingFile, Reply
from storage import units as unit_store
from storage.db import Store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# the bundled plan written under two-level local government (departments and communes, no districts)
PLAN_2026 = str(Path(__file__).resolve().parents[1] / "messages" / "plans" / "an-giang-2026.yaml")
INVITE_CODE = re.compile(r": ([2-9A-Z]{10})\n")  # in the answer to /moi


def make_store(url: str) -> Store:
    store = Store(url)
    store.upgrade()
    return store


def build_test_services(store: Store, plan, clock, data_dir: Path) -> Services:
    from handlers.questions import build_engine
    from storage.files import FileStore

    with store.session() as s:
        unit_store.sync_plan(s, plan)
    services = Services(
        store=store, plan=plan, clock=clock, files=FileStore(data_dir / "files"),
        staff_ids={"telegram": frozenset({"9001"}), "zalo": frozenset({"z-staff"}), "test": frozenset({"staff"})},
        max_file_bytes={"telegram": 20 * 1024 * 1024, "zalo": 5 * 1024 * 1024, "test": 20 * 1024 * 1024,
                        "console": 20 * 1024 * 1024},
    )
    services.questions = build_engine(services)
    from handlers import subscribe_all

    subscribe_all(services)
    return services


@dataclass
class Talk:
    """An in-process channel (errbot's test backend): push a message, read the replies."""

    services: Services
    router: Router
    channel: str = "test"
    last: list[Reply] = field(default_factory=list)

    async def __call__(self, user: str, text: str | None = None, *, file: IncomingFile | None = None,
                       choice: str | None = None) -> list[Reply]:
        inbound = Inbound(self.channel, user, user, text=text, file=file, choice=choice)
        self.last = await self.router.handle(self.services, inbound)
        return self.last

    async def tap(self, user: str, label_part: str) -> list[Reply]:
        """Tap the button whose label contains ``label_part`` among the last replies."""
        for reply in self.last:
            for option in reply.options:
                if label_part in option.label:
                    return await self(user, choice=option.choice_id)
        raise AssertionError(f"no option containing {label_part!r} in {[o.label for r in self.last for o in r.options]}")

    @staticmethod
    def text(replies: list[Reply]) -> str:
        return "\n".join(r.text for r in replies)


async def register_focal(talk: Talk, user: str, unit_query: str) -> None:
    """Staff invite a unit and ``user`` registers with the code (the real path); a unit the roster
    does not have yet is confirmed by staff first, as they would."""
    replies = await talk("staff", f"/moi {unit_query}")
    if INVITE_CODE.search(Talk.text(replies)) is None:
        replies = await talk.tap("staff", "Thêm mới")
    code = INVITE_CODE.search(Talk.text(replies)).group(1)
    replies = await talk(user, f"/dangky {code}")
    assert "thành công" in Talk.text(replies), Talk.text(replies)


async def until(check, timeout: float = 10.0, step: float = 0.01) -> float:
    """Wait until ``check()`` is true; returns the seconds it took (fails after ``timeout``)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s")
        await asyncio.sleep(step)
    return time.monotonic() - started
