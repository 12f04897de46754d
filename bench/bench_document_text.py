"""Reading submitted files: memory against file size, and other people's answers while a big file is read.

    python bench/bench_document_text.py [--sizes 5,10,20,40] [--people 100] [--skip-memory] [--skip-answers]

1. *Memory.* PDFs, DOCX and DOC files of each size (report text on every page plus an incompressible
   scanned picture, as real submissions are), read by ``storage.document_text.read_text`` with the
   default budget and with no page budget, and by the obvious code: pypdf's ``PdfReader(path)`` and
   every page's ``extract_text()``, python-docx's ``Document(path)`` and every paragraph, olefile reading
   every stream of the DOC (which LibreOffice converts from the DOCX; skipped without it). Peak Python
   memory (tracemalloc) after a warm-up run, and peak ÷ file size.
2. *Answers.* The real ``TelegramChannel`` (polling) against ``tests/fakes/telegram_api.py`` with the
   real router and store (SQLite): a registered focal point sends a ~20 MB PDF as a document; when
   the content check starts reading it, ``--people`` others send ``/help``. Reported: seconds until
   all of them are answered, against the same burst with nothing being read (the baseline, same
   process), against the same file read in a worker thread of the bot's process and on the event
   loop itself, and against a control: a process at the reader's priority that only burns CPU
   (what any second task costs on this machine). The reading takes every page (budget raised): the
   worst case.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]
sys.path.append(str(ROOT / "tests"))

from data.files import documents  # noqa: E402

from storage.document_text import Budget, read_text  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MB = 1024 * 1024
SIDE = 540  # px of each page's noise picture: ~285 KB as PNG, so ~3.5 pages per MB
UNBOUNDED = Budget(seconds=1e9, pages=10**9, chars=10**9)
LINES = documents.report_lines("UBND huyện Tân Hiệp", 2020, "Tân Hiệp")


# ---- the files ------------------------------------------------------------------------------
def _picture(side: int = SIDE) -> io.BytesIO:
    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("L", (side, side), os.urandom(side * side)).save(buf, format="PNG")
    buf.seek(0)
    return buf


def make_pdf(path: Path, megabytes: float, side: int = SIDE, lines: list[str] = LINES[:12]) -> int:
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.add_font("body", fname=documents.font())
    document.set_font("body", size=9 if len(lines) > 12 else 11)
    for _ in range(max(1, int(megabytes * MB / (side * side + 400 * len(lines))))):
        document.add_page()
        for line in lines:
            document.multi_cell(0, 4 if len(lines) > 12 else 6, line, new_x="LMARGIN", new_y="NEXT")
        document.image(_picture(side), x=150, y=250, w=40)
    path.write_bytes(bytes(document.output()))
    return len(document.pages)


def make_docx(path: Path, megabytes: float) -> int:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    pages = max(1, int(megabytes * MB / (SIDE * SIDE + 3000)))
    for _ in range(pages):
        for line in LINES[:12]:
            document.add_paragraph(line)
        document.add_picture(_picture(), width=Cm(9))
    document.save(str(path))
    return pages


def make_doc(path: Path, megabytes: float) -> int:
    """The same DOCX saved as Word 97–2003 by LibreOffice (pictures go to the Data stream)."""
    import shutil
    import subprocess

    source = path.with_name(path.stem + "-src.docx")
    pages = make_docx(source, megabytes)
    subprocess.run([shutil.which("soffice"), "--headless", f"-env:UserInstallation=file://{path.parent}/lo",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(path.parent), str(source)],
                   capture_output=True, timeout=600, check=True)
    path.with_name(path.stem + "-src.doc").rename(path)
    source.unlink()
    return pages


# ---- 1. memory -----------------------------------------------------------------------------
def naive_pdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def naive_docx(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def naive_doc(path: Path) -> int:
    """The obvious code for a compound file: olefile opened on the path, every stream read whole."""
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        return sum(len(ole.openstream(entry).read()) for entry in ole.listdir())


def measure(fn) -> tuple[float, float]:
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def memory(sizes: list[float], tmp: Path) -> None:
    readers = {
        "pdf": [("agency-bot (budget: 30 pages)", lambda p: read_text(p, "pdf")),
                ("agency-bot, no page budget", lambda p: read_text(p, "pdf", UNBOUNDED)),
                ("pypdf PdfReader(path), all pages", naive_pdf)],
        "docx": [("agency-bot (budget)", lambda p: read_text(p, "docx")),
                 ("agency-bot, no budget", lambda p: read_text(p, "docx", UNBOUNDED)),
                 ("python-docx Document(path)", naive_docx)],
        "doc": [("agency-bot (budget)", lambda p: read_text(p, "doc")),
                ("olefile, every stream read", naive_doc)],
    }
    makers = {"pdf": make_pdf, "docx": make_docx, "doc": make_doc}
    if shutil.which("soffice") is None:
        del readers["doc"]
        print("DOC skipped: LibreOffice (soffice) makes the Word 97 files and is not installed")
    print("kind  size MB  pages  reader                              seconds  peak MB  peak ÷ size")
    for kind, candidates in readers.items():
        warm = tmp / f"warm.{kind}"
        makers[kind](warm, 0.5)
        for _, fn in candidates:
            fn(warm)  # imports and one-time caches are not the file's cost
        for size in sizes:
            path = tmp / f"{size}.{kind}"
            pages = makers[kind](path, size)
            real = path.stat().st_size
            for label, fn in candidates:
                seconds, peak = measure(lambda: fn(path))
                print(f"{kind:5s} {real / MB:7.1f} {pages:6d}  {label:34s} {seconds:7.2f} {peak / MB:8.1f} "
                      f"{peak / real:11.2f}")
            path.unlink()


# ---- 2. other people's answers ----------------------------------------------------------------
MODES = ("idle", "control: a busy niced process", "agency-bot (child process)", "worker thread",
         "on the event loop")
BUSY_S = 4.0


def _busy(seconds: float) -> None:
    """The control: a process at the reader's priority that only burns CPU (what any second task costs)."""
    os.nice(10)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def answers(args: argparse.Namespace, tmp: Path) -> None:
    from storage.isolated_read import read_isolated

    pdf = tmp / "big.pdf"  # text on every page (what takes time to read) and a scanned picture
    pages = make_pdf(pdf, args.mb, side=300, lines=LINES * 2)
    data = pdf.read_bytes()
    read_isolated(pdf, "pdf", Budget(pages=1))  # the reading processes' server starts with the bot
    rounds: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for _ in range(args.rounds):
        for mode in MODES:
            rounds[mode].append(await one_round(mode, data, args, tmp))
    med = {mode: {k: statistics.median(r[k] for r in runs) if runs[0][k] is not None else None for k in runs[0]}
           for mode, runs in rounds.items()}
    base = med["idle"]["answered"]
    print(f"\n{args.people} people send /help while a focal point's {len(data) / MB:.1f} MB PDF "
          f"({pages} pages, all read) is checked; median of {args.rounds} rounds:")
    for mode, r in med.items():
        extra = "" if r["reading"] is None else \
            f"   reading took {r['reading']:5.2f} s, receipt after {r['receipt']:5.2f} s"
        print(f"  {mode:30s} all answered after {r['answered']:5.2f} s ({r['answered'] / base:5.2f}× idle){extra}")


async def one_round(mode: str, data: bytes, args: argparse.Namespace, tmp: Path) -> dict:
    from fakes.telegram_api import FakeBotApi, document_update, text_update
    from support import build_test_services, make_store

    from bot.channels.telegram import TelegramChannel
    from bot.clock import ManualClock
    from bot.settings import Settings
    from handlers import build_router, content_check
    from messages.plan_loader import load_plan_cached
    from storage import people

    work = Path(tempfile.mkdtemp(prefix="bench-read-", dir=tmp))
    store = make_store(f"sqlite:///{work / 'db.sqlite3'}")
    services = build_test_services(store, load_plan_cached(None), ManualClock(datetime(2020, 9, 1, 9, tzinfo=TZ)),
                                   work)
    services.read_budget = Budget(seconds=120, pages=10**6, chars=10**7)
    with store.session() as s:
        person = people.ensure(s, "telegram", "777", "777")
        people.register(s, person, "ubnd-huyen-tan-hiep", services.clock.now())
    loop = asyncio.get_running_loop()
    spans: list[float] = []
    burst_at: list[float] = []
    original, check_file, isolated = content_check._read_and_check, content_check.check_file, \
        content_check.read_isolated

    def burst() -> None:
        """Everyone else asks at once (queued on the fake server: the bot polls them)."""
        burst_at.append(time.perf_counter())
        for person_id in range(2, args.people + 2):
            fake.push_update(text_update(person_id, "/help"))

    def timed(*a):
        """The reading, timed; its start sets off the burst (from the loop, whichever thread reads)."""
        if threading.current_thread() is threading.main_thread():
            burst()  # on the loop: the answers can only come once the reading is over
        else:
            loop.call_soon_threadsafe(burst)
        started = time.perf_counter()
        try:
            return original(*a)
        finally:
            spans.append(time.perf_counter() - started)

    async def inline(services, stored_path, kind, unit, deliverable):
        return timed(services.files.path(stored_path), kind, services.read_budget, services.plan,
                     services.roster(), unit, deliverable)

    content_check._read_and_check = timed
    if mode in ("worker thread", "on the event loop"):
        content_check.read_isolated = read_text  # in the bot's own process
    if mode == "on the event loop":
        content_check.check_file = inline
    try:
        async with FakeBotApi(poll_cap=0.5, latency=0.002) as fake:
            settings = Settings(_env_file=None, telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url,
                                telegram_api_base_file_url=fake.base_file_url, telegram_webhook_url=None,
                                staff_telegram_ids=[9001], data_dir=work)
            channel = TelegramChannel(settings, services, build_router())
            await channel.start()
            try:
                busy = None
                if mode == "idle":
                    burst()
                elif mode.startswith("control"):
                    import multiprocessing

                    busy = multiprocessing.get_context("spawn").Process(target=_busy, args=(BUSY_S,))
                    busy.start()
                    await asyncio.sleep(0.3)  # it has started spinning
                    burst()
                else:
                    fake.add_file("big", data)
                    fake.push_update(document_update(777, "big", "bao-cao.pdf", size=len(data)))
                while sum(1 for p in range(2, args.people + 2) if fake.sent(p)) < args.people:
                    if burst_at and time.perf_counter() > burst_at[0] + 120:
                        raise TimeoutError(mode)
                    await asyncio.sleep(0.005)
                answered = time.perf_counter() - burst_at[0]
                receipt = None
                if busy is not None:
                    busy.join()
                elif mode != "idle":
                    await fake.wait_for("sendMessage", chat_id=777, timeout=120)
                    receipt = time.perf_counter() - burst_at[0]
                    assert "BIÊN NHẬN" in fake.texts(777)[-1], fake.texts(777)
            finally:
                await channel.stop()
    finally:
        content_check._read_and_check, content_check.check_file, content_check.read_isolated = \
            original, check_file, isolated
        store.dispose()
    return {"answered": answered, "receipt": receipt, "reading": spans[0] if spans else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,10,20,40", help="file sizes in MB for the memory part")
    parser.add_argument("--mb", type=float, default=19.5, help="size of the PDF sent in the answers part")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-answers", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-document-text-") as tmp:
        if not args.skip_memory:
            memory([float(s) for s in args.sizes.split(",")], Path(tmp))
        if not args.skip_answers:
            asyncio.run(answers(args, Path(tmp)))


if __name__ == "__main__":
    main()
