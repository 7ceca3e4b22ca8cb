"""The sandboxed half of PDF extraction: pdfium on untrusted bytes, inside the sandbox's child.

pdfium is C++ and a malformed PDF can make it loop, balloon or segfault. This module runs only in the
child process that :mod:`miner.extract.sandbox` forks for one document, under its time and memory
limits; a crash here costs that child, never the worker. The parent (:mod:`miner.extract.pdf`) gets
one JSON object and does the pure text steps (headers, hyphenation, paragraphs) and OCR itself.

Answer (one JSON object)::

    {"ok": true, "page_count": n, "pages": ["text of page 1", ...],
     "image_only": [1-based pages with an image and (almost) no text],
     "rendered": {"3": "/tmp/.../p3.pgm"},   # only with a render folder
     "title": str|null, "lang": str|null, "toc": [[level, title, page_index|null], ...],
     "dates": [["pdf-metadata", "YYYY-MM-DD"]],   # CreationDate, else ModDate
     "errors": ["page 7: ..."]}
    {"ok": false, "error": "encrypted"|"corrupt"|"limit", "message": "..."}
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from miner.extract._pdf_text import COLUMN_BREAK
from miner.extract.dates import parse_pdf_date
from miner.extract.limits import TextBudget

#: Fewer non-space characters than this on a page with a big image: a scan (the journal's scans
#: carry a 77-character stamp along the margin, so "no text" is too strict).
SCAN_TEXT_CHARS = 200
#: An image covering at least this share of the page counts as a page-sized scan.
SCAN_IMAGE_AREA = 0.3
#: Rendering resolution for OCR (Tesseract reads 200-300 dpi best).
OCR_DPI = 250
MAX_TOC_ENTRIES = 2000
#: A line starting this share of the page width away from the previous line's start is a new column.
COLUMN_JUMP = 0.25


def _image_share(page: Any) -> float:
    """Largest share of the page area covered by one image object (0 when there is none)."""
    width, height = page.get_size()
    area = max(width * height, 1.0)
    best = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            left, bottom, right, top = obj.get_bounds()
        except pdfium.PdfiumError:
            continue
        best = max(best, abs((right - left) * (top - bottom)) / area)
    return min(best, 1.0)


def _mark_columns(textpage: Any, text: str, width: float) -> str:
    """Insert a COLUMN_BREAK line where the text jumps to another column (or block) of the page.

    pdfium reads a two-column page column by column, so the last line of the left column is followed
    by the first line of the right one; joined, they would make one paragraph of two (in the Senate's
    records, of two languages). A line that starts more than a quarter of the page width to the left or
    right of the previous line's start is a new block: a COLUMN_BREAK line ends the paragraph there,
    and the text steps rejoin it only when it plainly runs on (no sentence end, lowercase start).
    """
    if textpage.count_chars() != len(text):  # indices would not line up: leave the text as it is
        return text
    jump = width * COLUMN_JUMP
    out: list[str] = []
    pos = 0
    prev_left: float | None = None
    # The raw call with reused doubles: a third of the cost of get_charbox on a 14,000-line document.
    x, y = ctypes.c_double(), ctypes.c_double()
    px, py, raw = ctypes.byref(x), ctypes.byref(y), textpage.raw
    for line in text.split("\r\n"):
        stripped = len(line) - len(line.lstrip())
        if stripped < len(line):
            pdfium_c.FPDFText_GetCharOrigin(raw, pos + stripped, px, py)
            left = x.value
            if prev_left is not None and abs(left - prev_left) > jump:
                out.append(COLUMN_BREAK)
            prev_left = left
        out.append(line)
        pos += len(line) + 2
    return "\r\n".join(out)


def _render_pgm(page: Any, path: str) -> None:
    """Write the page as an 8-bit greyscale PGM (no Pillow needed; Tesseract reads PNM)."""
    bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    buf = bytes(bitmap.buffer)
    with open(path, "wb") as fh:
        fh.write(b"P5\n%d %d\n255\n" % (width, height))
        if stride == width:
            fh.write(buf[: width * height])
        else:
            for row in range(height):
                fh.write(buf[row * stride : row * stride + width])


def _open(data: bytes) -> Any:
    """Open the document, trying the empty password (many 'protected' PDFs open with it)."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code != pdfium_c.FPDF_ERR_PASSWORD:
            raise
    return pdfium.PdfDocument(data, password="")


def _catalog_lang(pdf: Any) -> str | None:
    """The document's declared language (catalog /Lang), e.g. "nl-NL"; None when absent."""
    try:
        size = pdfium_c.FPDFCatalog_GetLanguage(pdf.raw, None, 0)
        if size <= 2:
            return None
        buf = (ctypes.c_ushort * (size // 2))()
        pdfium_c.FPDFCatalog_GetLanguage(pdf.raw, buf, size)
        return bytes(buf).decode("utf-16-le", "replace").rstrip("\x00").strip() or None
    except Exception:
        return None


def _toc(pdf: Any) -> list[list[Any]]:
    out: list[list[Any]] = []
    try:
        for item in pdf.get_toc(max_depth=4):
            dest = item.get_dest()
            index = dest.get_index() if dest is not None else None
            out.append([item.level, item.get_title(), index])
            if len(out) >= MAX_TOC_ENTRIES:
                break
    except Exception:  # a broken outline is no reason to lose the text
        return out
    return out


def _metadata_dates(meta: dict[str, str]) -> list[list[str]]:
    """The file's creation date (else its modification date), parsed here in the child."""
    for key in ("CreationDate", "ModDate"):
        found = parse_pdf_date(meta.get(key) or "")
        if found is not None:
            return [["pdf-metadata", found.isoformat()]]
    return []


def extract(data: bytes, render_dir: str | None, budget: TextBudget | None = None) -> dict[str, Any]:
    try:
        pdf = _open(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            return {"ok": False, "error": "encrypted", "message": "password-protected PDF"}
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            return {"ok": False, "error": "encrypted", "message": "unsupported PDF security handler"}
        return {"ok": False, "error": "corrupt", "message": f"pdfium cannot open it ({exc})"}
    meta: dict[str, str] = {}
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)
    except Exception:
        meta = {}
    lang = _catalog_lang(pdf)
    pages: list[str] = []
    image_only: list[int] = []
    rendered: dict[str, str] = {}
    errors: list[str] = []
    count = len(pdf)
    for index in range(count):
        try:
            page = pdf[index]
            textpage = page.get_textpage()
            text = _mark_columns(textpage, textpage.get_text_range(), page.get_width())
            textpage.close()
            if len("".join(text.split())) < SCAN_TEXT_CHARS and (_image_share(page) >= SCAN_IMAGE_AREA):
                image_only.append(index + 1)
                if render_dir is not None:
                    path = os.path.join(render_dir, f"p{index + 1}.pgm")
                    _render_pgm(page, path)
                    rendered[str(index + 1)] = path
            page.close()
        except MemoryError:
            raise
        except Exception as exc:  # one bad page (or render) must not cost the others
            errors.append(f"page {index + 1}: {type(exc).__name__}: {exc}")
            text = ""
        if budget is not None:
            budget.take_raw(len(text))
        pages.append(text)
    return {
        "ok": True,
        "page_count": count,
        "pages": pages,
        "image_only": image_only,
        "rendered": rendered,
        "title": meta.get("Title") or None,
        "lang": lang,
        "toc": _toc(pdf),
        "dates": _metadata_dates(meta),
        "errors": errors,
    }
