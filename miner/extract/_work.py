"""What the sandbox's child runs: one extractor on one document's bytes, answered as JSON.

Every kind goes through :func:`run`, inside a child forked by :mod:`miner.extract._zygote` under the
time and memory limits; the parent (:mod:`miner.extract.sandbox`) never parses untrusted bytes
itself. The answer is a plain dict (JSON), with the paragraphs as ``[text, page, section]`` lists::

    {"ok": true, "paragraphs": [...], "title": ..., "lang": ..., "links": [...],
     "dates": [[source, "YYYY-MM-DD"], ...], ...kind-specific fields (PDF: pages, toc, ...)}
    {"ok": false, "error": "encrypted"|"corrupt"|"unsupported"|"limit"|"crash", "message": "..."}

Errors are answers, not exceptions: only a MemoryError (the address-space limit) leaves this
function, and the child turns it into its memory exit status.
"""

from __future__ import annotations

from typing import Any

from miner.errors import EncryptedDocument, ExtractionError, ExtractionLimit, UnsupportedFormat
from miner.extract.limits import TextBudget

#: Modules each kind needs, imported once in the server process before it forks any child.
_MODULES = {
    "pdf": ("pypdfium2", "miner.extract._pdf_child"),
    "html": ("lxml.html", "trafilatura", "htmldate", "charset_normalizer", "miner.extract.html"),
    "docx": ("lxml.etree", "miner.extract.office"),
    "odt": ("lxml.etree", "miner.extract.office"),
    "text": ("charset_normalizer", "miner.extract.text"),
}
_WARM_HTML = (
    b"<html><head><title>t</title><meta name='date' content='2020-01-01'></head><body><main>"
    + b"<h1>Titel</h1><p>"
    + b"Een alinea met genoeg woorden om als hoofdtekst te gelden. " * 8
    + b"</p></main></body></html>"
)


def warm_up(kinds: tuple[str, ...] = tuple(_MODULES)) -> None:
    """Import what the kinds need and run the one-time initialisations, so children start warm."""
    import importlib

    for kind in kinds:
        for module in _MODULES.get(kind, ()):
            importlib.import_module(module)
    if "html" in kinds:
        from miner.extract.html import parse_html

        parse_html(_WARM_HTML, budget=TextBudget(10**6, 10**4))


def _code(exc: ExtractionError) -> str:
    if isinstance(exc, EncryptedDocument):
        return "encrypted"
    if isinstance(exc, ExtractionLimit):
        return "limit"
    if isinstance(exc, UnsupportedFormat):
        return "unsupported"
    return "corrupt"


def _extract(kind: str, data: bytes, options: dict[str, Any], budget: TextBudget) -> dict[str, Any]:
    if kind == "pdf":
        from miner.extract._pdf_child import extract

        return extract(data, options.get("render_dir"), budget)
    if kind == "html":
        from miner.extract.html import parse_html

        return parse_html(
            data, name=str(options.get("name") or ""), base_url=options.get("base_url"), budget=budget
        )
    if kind in ("docx", "odt"):
        from miner.extract.office import parse_docx, parse_odt

        parse = parse_docx if kind == "docx" else parse_odt
        return parse(data, budget=budget, max_member_bytes=int(options["max_member_bytes"]))
    if kind == "text":
        from miner.extract.text import parse_text

        return parse_text(data, budget=budget)
    return {"ok": False, "error": "unsupported", "message": f"no extractor for {kind!r}"}


def run(kind: str, data: bytes, options: dict[str, Any]) -> dict[str, Any]:
    """Extract ``data`` as ``kind``; a JSON-able answer, whatever the bytes are."""
    budget = TextBudget(int(options["max_text_chars"]), int(options["max_paragraphs"]))
    try:
        answer = _extract(kind, data, options, budget)
    except ExtractionError as exc:
        return {"ok": False, "error": _code(exc), "message": exc.message}
    except RecursionError:
        return {"ok": False, "error": "corrupt", "message": "the document is nested too deeply to read"}
    except MemoryError:
        raise
    except Exception as exc:  # a reader failing on odd bytes: that document's error, never the caller's
        return {"ok": False, "error": "crash", "message": f"{type(exc).__name__}: {str(exc)[:300]}"}
    answer.setdefault("ok", True)
    return answer
