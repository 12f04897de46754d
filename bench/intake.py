"""Cost of keeping a received file, against a plain copy of the same bytes.

Receiving = the channel's fetch (here a chunked local copy, as the console and a
download do) + one read-back pass (sha256 + fsync) + sniffing + atomic rename.
Baseline = the same chunked copy alone. Peak Python memory shows the file never
sits in memory whole.

    python bench/intake.py [--mb 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.files import FileStore  # noqa: E402

CHUNK = 1 << 20


def make_pdf(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        block = bytes(range(256)) * (CHUNK // 256)
        written = 9
        counter = 0
        while written < size:
            part = (counter.to_bytes(8, "little") + block)[: size - written]
            fh.write(part)
            written += len(part)
            counter += 1


def copy(src: Path, dest: Path) -> None:
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout, CHUNK)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "in.pdf"
        make_pdf(src, args.mb * 1024 * 1024)

        async def fetch(dest: Path, max_bytes: int) -> None:
            await asyncio.to_thread(copy, src, dest)

        baseline, intake = [], []
        for i in range(args.rounds):
            t = time.perf_counter()
            await asyncio.to_thread(copy, src, root / f"copy-{i}")
            baseline.append(time.perf_counter() - t)
            store = FileStore(root / f"files-{i}")  # a fresh store: every round really moves a file
            t = time.perf_counter()
            received = await store.receive(fetch, 1 << 40)
            store.keep(received)
            intake.append(time.perf_counter() - t)
            assert received.kind == "pdf"
        tracemalloc.start()
        store = FileStore(root / "files-mem")
        store.keep(await store.receive(fetch, 1 << 40))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    b, r = statistics.median(baseline), statistics.median(intake)
    print(f"file size: {args.mb} MB, rounds: {args.rounds}")
    print(f"baseline copy: {b * 1000:.1f} ms   intake (copy+hash+fsync+sniff+rename): {r * 1000:.1f} ms")
    print(f"ratio intake/baseline: {r / b:.2f}")
    print(f"peak Python memory during intake: {peak / 1024:.0f} KiB ({peak / (args.mb * 1024 * 1024):.3f} of the file)")


if __name__ == "__main__":
    asyncio.run(main())
