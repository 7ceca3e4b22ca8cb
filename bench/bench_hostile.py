"""Hostile documents, one by one: the answer, the time, the extraction child's peak RSS and how much
the caller's own peak memory grew.

The documents are built in memory by ``tests/hostilefixtures.py`` (the same ones the hostile-input
tests use): repeat-count and ZIP bombs with honest and lying headers, nesting and entity bombs,
external entities, encrypted containers, an 8 MB page on one line, a 45 MB DOCX body within the
caps; then a FIFO, ``/dev/zero`` and a 2 GB sparse file as local paths. Every one must be answered
(a document or a clear error), no child over 1 GB. OCR is off: this is about surviving the input.

    .venv/bin/python bench/bench_hostile.py
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hostilefixtures as h

LIMIT_KB = 1024 * 1024
SENTENCE = "De regering begeleidt nieuwkomers naar werk en onderwijs. "


def _own_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def cases() -> list[tuple[str, Callable[[], bytes]]]:
    return [
        ("repeat-count.odt", h.repeat_count_odt),
        ("mimetype 2 GB.odt", lambda: h.mimetype_bomb_odt(2)),
        ("mimetype 2 GB, lying.odt", lambda: h.mimetype_bomb_odt(2, honest=False)),
        ("xml 190 MB.docx", lambda: h.xml_bomb_docx(190)),
        ("xml 190 MB, lying.docx", lambda: h.xml_bomb_docx(190, honest=False)),
        ("encrypted members.docx", h.encrypted_zip),
        ("encrypted.odt", h.encrypted_odt),
        ("nested 100k.docx", h.nested_docx),
        ("billion laughs.docx", h.entity_bomb_docx),
        ("nested 100k.html", h.nested_html),
        ("xxe.docx", h.xxe_docx),
        ("xxe.html", h.xxe_html),
        (
            "one line 8 MB.html",
            lambda: f"<html><body><p>{SENTENCE * (8_000_000 // len(SENTENCE))}</p></body></html>".encode(),
        ),
        ("xml 45 MB, 440k par.docx", lambda: h.xml_bomb_docx(45, text=b"Werk.")),
    ]


def main() -> int:
    from dataclasses import replace

    from miner.errors import MinerError
    from miner.extract import DEFAULT_LIMITS, extract, extract_path, sandbox

    limits = replace(DEFAULT_LIMITS, ocr=False)
    extract(b"<html><body><p>warm</p></body></html>", name="w.html", limits=limits)
    extract(h.odt("<text:p>x</text:p>"), name="w.odt", limits=limits)
    worst = 0
    print(f"{'input':26} {'bytes':>11} {'seconds':>8} {'child RSS':>10} {'caller +':>9}  answer")
    for name, make in cases():
        data = make()
        before, own, t0 = sandbox.last_run(), _own_mb(), time.perf_counter()
        try:
            doc = extract(data, name=name, limits=limits)
            answer = f"document, {len(doc.paragraphs):,} paragraphs"
        except MinerError as exc:
            answer = f"{exc.code}: {exc.message[:70]}"
        seconds = time.perf_counter() - t0
        run = sandbox.last_run()
        child = "-"
        if run is not None and run is not before:
            child = f"{run.maxrss_kb // 1024} MB"
            worst = max(worst, run.maxrss_kb)
        print(f"{name:26} {len(data):>11,} {seconds:>8.3f} {child:>10} {_own_mb() - own:>6} MB  {answer}")
    with tempfile.TemporaryDirectory() as tmp:
        fifo, sparse = Path(tmp, "input.pdf"), Path(tmp, "huge.txt")
        os.mkfifo(fifo)
        with sparse.open("wb") as fh:
            fh.truncate(2 * 1024**3)
        for path in (fifo, Path("/dev/zero"), sparse):
            own, t0 = _own_mb(), time.perf_counter()
            try:
                extract_path(path, limits)
                answer = "document (!)"
            except MinerError as exc:
                answer = f"{exc.code}: {exc.message[:70]}"
            print(
                f"{path.name:26} {'':>11} {time.perf_counter() - t0:>8.4f} {'-':>10} {_own_mb() - own:>6} MB  {answer}"
            )
    print(f"largest child peak RSS: {worst // 1024} MB (bar: under {LIMIT_KB // 1024} MB)")
    return 0 if worst < LIMIT_KB else 1


if __name__ == "__main__":
    sys.exit(main())
