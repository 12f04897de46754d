"""A bot with some of everything in its store, through the real handlers, and ways to compare two stores.

``populate`` registers focal points, takes files in, logs answered and unanswered questions,
teaches a phrasing, sets an inspection date and confirms a broadcast (outbox rows, one of them
sent, one uncertain). ``table_rows`` reads every table (typed by SQLAlchemy), ``overview`` what
staff see: /tonghop and the workbook's cells.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook
from support import Talk, register_focal

from data.files import samples
from storage import outbox, transfer
from storage.models import OutgoingMessage, QuestionLog

FOCAL = [("u1", "Sở Y tế"), ("u2", "Sở Tư pháp"), ("u3", "UBND huyện Tân Hiệp"), ("u4", "Sở Xây dựng")]


async def populate(talk: Talk, services) -> None:
    for user, unit in FOCAL:
        await register_focal(talk, user, unit)
    for n, (user, _) in enumerate(FOCAL[:3]):
        replies = await talk(user, file=samples.incoming(samples.pdf(f"Bao cao {n}"), f"Báo cáo {n}.pdf"))
        assert "BIÊN NHẬN" in Talk.text(replies), Talk.text(replies)
    await talk("u1", "hạn nộp báo cáo tự kiểm tra là ngày nào")
    await talk("u2", "cái vụ đầu mối cần hỏi ai ấy")
    with services.store.session() as s:
        question = s.exec(sa.select(QuestionLog).order_by(QuestionLog.id.desc())).scalars().first()
    assert "Đã gắn câu hỏi" in Talk.text(await talk("staff", f"/ganchude {question.id} lien-he"))
    await talk("staff", "/datlich Sở Xây dựng 15/09/2020 08:30")
    await talk.tap("staff", "Thêm vào danh sách")  # not listed by the plan: staff choose it
    await talk("staff", "/thongbao")
    await talk.tap("staff", "Tất cả đơn vị")
    await talk("staff", "Đề nghị các đơn vị gửi báo cáo đúng hạn.")
    await talk.tap("staff", "Không đính kèm")
    assert "Đã xác nhận" in Talk.text(await talk.tap("staff", "Xác nhận gửi"))
    with services.store.session() as s:
        ids = [r.id for r in s.exec(sa.select(OutgoingMessage).where(OutgoingMessage.kind == "broadcast")
                                    .order_by(OutgoingMessage.id)).scalars()]
        assert outbox.claim(s, ids[0], claimer="host:1:a", at=services.clock.real_now())
        assert outbox.mark_sent(s, ids[0], services.clock.now(), claimer="host:1:a")
        assert outbox.claim(s, ids[1], claimer="host:1:a", at=services.clock.real_now())
        assert outbox.finish(s, ids[1], outbox.UNCERTAIN, "no answer", expect=outbox.SENDING)


def table_rows(engine) -> dict[str, list[dict]]:
    """Every row of every table, in primary-key order (sorted here: collations differ between databases)."""
    with engine.connect() as conn:
        return {t.name: sorted((dict(r) for r in conn.execute(sa.select(t)).mappings()),
                               key=lambda row, t=t: [str(row[c.name]) for c in t.primary_key.columns])
                for t in transfer.tables()}


async def overview(talk: Talk, path: Path) -> tuple[str, list]:
    """What staff see: /tonghop, and every cell of the workbook."""
    from handlers.reports import write_workbook

    text = Talk.text(await talk("staff", "/tonghop"))
    write_workbook(talk.services, path)
    book = load_workbook(path)
    return text, [[list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets]
