"""PDF extraction throughput against bare pypdfium2, measured side by side in one run.

Reference: pypdfium2 in this process, opening the bytes and reading every page's text layer
(``get_textpage().get_text_range()``), nothing else. Measured: :func:`miner.extract.pdf.extract_pdf`,
the whole product path (sandboxed child start-up, text layer, scan detection, JSON hand-over,
running headers, de-hyphenation, paragraphs, sections). Both run on the same file, interleaved,
``--repeat`` times; the best round of each is compared. The product's requirement: extract_pdf at
least 60 % of the bare page rate on the 214-page Flemish coalition agreement (the default file).

    .venv/bin/python bench/bench_extract.py [--file PATH] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared/corpora/policy/vlaams-regeerakkoord-2019-2024/source/Regeerakkoord20192024.pdf"
)


def bare(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    pages = 0
    for index in range(len(pdf)):
        page = pdf[index]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
        pages += 1
    pdf.close()
    return pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not args.file.exists():
        print(f"file absent: {args.file} (needs ../shared/corpora beside the project)", file=sys.stderr)
        return 2
    from dataclasses import replace

    from miner.extract import DEFAULT_LIMITS
    from miner.extract.pdf import extract_pdf

    limits = replace(DEFAULT_LIMITS, ocr=False)  # the text layer is measured, not Tesseract

    data = args.file.read_bytes()
    bare_best = product_best = float("inf")
    pages = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        pages = bare(data)
        bare_best = min(bare_best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        doc = extract_pdf(data, name=args.file.name, limits=limits)
        product_best = min(product_best, time.perf_counter() - t0)
    assert doc.page_count == pages
    bare_rate, product_rate = pages / bare_best, pages / product_best
    ratio = product_rate / bare_rate
    print(f"file: {args.file.name}, {pages} pages, {len(doc.paragraphs)} paragraphs, best of {args.repeat}")
    print(f"bare pypdfium2 text layer : {bare_rate:8.1f} pages/s ({bare_best:.3f} s)")
    print(f"extract_pdf (sandboxed)   : {product_rate:8.1f} pages/s ({product_best:.3f} s)")
    print(f"ratio: {ratio:.1%} (requirement >= 60%) -> {'OK' if ratio >= 0.6 else 'BELOW TARGET'}")
    return 0 if ratio >= 0.6 else 1


if __name__ == "__main__":
    sys.exit(main())
