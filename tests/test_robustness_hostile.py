"""Hostile documents: every one answered with a result or a clear error, fast, in bounded memory.

Each case is small on disk and enormous or endless when read naively: repeat-count and ZIP bombs
(with honest and with lying headers), XML nesting and entity bombs, external entities, encrypted
containers, an endless line of HTML, special files. The extraction child's peak RSS is measured with
``wait4`` (:func:`miner.extract.sandbox.last_run`); the caller's own memory must not grow either.
"""

from __future__ import annotations

import os
import resource
import stat
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import hostilefixtures as h
import pytest

from miner.crawl import sniff_kind
from miner.errors import (
    CorruptDocument,
    EncryptedDocument,
    ExtractionError,
    ExtractionLimit,
    InputError,
    UnsupportedFormat,
)
from miner.extract import DEFAULT_LIMITS, Limits, extract, extract_path, read_document, sandbox
from miner.extract.sniff import Kind, sniff
from miner.records import Extracted, Fetched

#: The bar for every input: the child's peak resident memory.
PEAK_RSS_KB = 1024 * 1024


#: A 30 s extraction deadline: a hang shows up as a failed test, not a stuck suite.
SHORT = replace(DEFAULT_LIMITS, extract_timeout=30.0, ocr=False)


def _own_peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def answer(data: bytes, name: str, limits: Limits = SHORT) -> Extracted | ExtractionError:
    """Extract, and check the invariants every input must keep; the document or its clear error."""
    before = sandbox.last_run()
    own = _own_peak_kb()
    try:
        result: Extracted | ExtractionError = extract(data, name=name, limits=limits)
    except ExtractionError as exc:
        assert exc.subject == name and exc.message, exc
        result = exc
    run = sandbox.last_run()
    if run is not None and run is not before:
        assert run.maxrss_kb < PEAK_RSS_KB, run
        assert not run.timed_out, run
    # the caller never holds more than the input and the answer: no inflated bombs in this process
    assert _own_peak_kb() - own < 200 * 1024
    return result


CASES: dict[str, tuple[Callable[[], bytes], type[Exception] | None]] = {
    # 380 bytes asking for two billion spaces: runs of spaces are one space anyway
    "repeat-count.odt": (h.repeat_count_odt, None),
    # a mimetype member that inflates to 2 GB: the sniffer reads 100 bytes of it
    "mimetype-bomb.odt": (lambda: h.mimetype_bomb_odt(2), UnsupportedFormat),
    "mimetype-bomb-lying.odt": (lambda: h.mimetype_bomb_odt(2, honest=False), UnsupportedFormat),
    # 670 KB expanding to 190 MB of XML: refused on its header, or stopped by the capped stream
    "xml-bomb.docx": (lambda: h.xml_bomb_docx(190), ExtractionLimit),
    "xml-bomb-lying.docx": (lambda: h.xml_bomb_docx(190, honest=False), CorruptDocument),
    "encrypted-members.docx": (h.encrypted_zip, EncryptedDocument),
    "encrypted-members.zip": (lambda: h.encrypted_zip("data.csv"), EncryptedDocument),
    "encrypted.odt": (h.encrypted_odt, EncryptedDocument),
    "nested.docx": (h.nested_docx, CorruptDocument),
    "billion-laughs.docx": (h.entity_bomb_docx, CorruptDocument),
    "nested.html": (h.nested_html, None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_document_gets_a_result_or_the_expected_clear_error(name: str) -> None:
    make, expected = CASES[name]
    result = answer(make(), name)
    if expected is None:
        assert isinstance(result, Extracted), result
    else:
        assert isinstance(result, expected), result


def test_repeat_counts_are_not_expanded() -> None:
    doc = answer(h.repeat_count_odt(), "spaces.odt")
    assert isinstance(doc, Extracted)
    assert [p.text for p in doc.paragraphs] == ["a b"]


def test_a_lying_member_header_stops_the_read_at_the_claimed_size() -> None:
    """The header claims 1,000 bytes of a 190 MB member: reading stops there, with a clear error."""
    result = answer(h.xml_bomb_docx(190, honest=False), "lying.docx")
    assert isinstance(result, CorruptDocument) and "CRC" in result.message


@pytest.mark.slow
def test_a_large_body_under_the_caps_streams_in_bounded_memory() -> None:
    """45 MB of paragraph XML (440,000 paragraphs), within the caps: read in one streaming pass,
    each paragraph dropped once read, so the child's memory follows the text, not the XML tree."""
    doc = answer(h.xml_bomb_docx(45, text=b"Werk."), "big.docx")
    assert isinstance(doc, Extracted) and len(doc.paragraphs) > 400_000
    run = sandbox.last_run()
    assert run is not None and run.maxrss_kb < 400 * 1024, run


def test_the_text_cap_stops_a_document_early() -> None:
    # 190 MB of XML under a raised member cap is still far over ten million characters of text
    result = answer(h.xml_bomb_docx(190), "long.docx", replace(SHORT, max_member_bytes=256 * 1024 * 1024))
    assert isinstance(result, ExtractionLimit) and "max_text_chars" in result.message


def test_external_entities_are_never_read() -> None:
    for name, data in (("xxe.docx", h.xxe_docx()), ("xxe.html", h.xxe_html())):
        result = answer(data, name)
        text = result.text if isinstance(result, Extracted) else str(result)
        assert "root:" not in text, name


def test_the_crawler_sniffs_a_mimetype_bomb_without_inflating_it() -> None:
    data = h.mimetype_bomb_odt(2)
    own = _own_peak_kb()
    assert sniff_kind(Fetched("u", "u", 200, data, content_type="application/octet-stream")) == "other"
    assert _own_peak_kb() - own < 50 * 1024


def test_an_endless_single_line_page_is_answered() -> None:
    """8 MB of HTML on one line, one paragraph: cut at sentence ends, never one 8 MB paragraph."""
    sentence = "De regering begeleidt nieuwkomers naar werk en onderwijs. "
    data = f"<html><body><p>{sentence * (8_000_000 // len(sentence))}</p></body></html>".encode()
    doc = answer(data, "one-line.html")
    assert isinstance(doc, Extracted)
    limit = SHORT.max_paragraph_chars
    assert len(doc.paragraphs) > 300 and all(len(p.text) <= limit for p in doc.paragraphs)
    assert doc.paragraphs[0].text.endswith("onderwijs.")


# --- local files: checked before they are read -------------------------------------------------------


def _in_thread(fn: Callable[[], object], seconds: float = 10.0) -> object:
    """Run ``fn`` and fail the test (instead of hanging the suite) if it does not return in time."""
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(_catch(fn)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    return out[0]


def _catch(fn: Callable[[], object]) -> object:
    try:
        return fn()
    except Exception as exc:
        return exc


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "input.pdf"
    os.mkfifo(fifo)
    result = _in_thread(lambda: extract_path(fifo, SHORT))
    assert isinstance(result, InputError) and "FIFO" in result.message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_before_reading(device: str) -> None:
    if not os.path.exists(device) or not stat.S_ISCHR(os.stat(device).st_mode):
        pytest.skip(f"{device} is not a character device here")
    own = _own_peak_kb()
    result = _in_thread(lambda: read_document(device, SHORT))
    assert isinstance(result, InputError) and "device" in result.message
    assert _own_peak_kb() - own < 10 * 1024


def test_a_sparse_2_gb_file_is_refused_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.txt"
    with sparse.open("wb") as fh:
        fh.truncate(2 * 1024**3)
    own = _own_peak_kb()
    result = _in_thread(lambda: extract_path(sparse, SHORT))
    assert isinstance(result, ExtractionLimit) and "2048 MiB" in result.message
    assert _own_peak_kb() - own < 10 * 1024


def test_folders_and_missing_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        extract_path(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        extract_path(tmp_path / "nope.txt")


def test_the_sandbox_survives_a_crashing_child() -> None:
    """A child killed by a signal is that document's clear error; the next document is read."""
    data = b"%PDF-1.7\n" + b"\x00garbage" * 50
    assert isinstance(answer(data, "bad.pdf"), CorruptDocument)
    doc = answer(b"# Titel\n\nGewone tekst.\n", "ok.md")
    assert isinstance(doc, Extracted) and doc.kind == Kind.TEXT
    assert sniff(b"# Titel\n", name="ok.md") == Kind.TEXT
