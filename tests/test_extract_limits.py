"""The caps one input must stay within, as the plain functions the CLI and the pipeline call."""

from __future__ import annotations

from pathlib import Path

import pytest

from miner.config import Settings
from miner.errors import ExtractionLimit, InputError
from miner.extract import Limits, check_file, check_size, check_text_length, extract
from miner.extract.limits import split_long


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return monkeypatch


def _set(env: pytest.MonkeyPatch, **values: int) -> Limits:
    """The limits a process started with these MINER_* variables hands to extraction."""
    for key, value in values.items():
        env.setenv(f"MINER_{key.upper()}", str(value))
    return Limits.from_settings(Settings())


def test_text_length_cap_for_raw_text(env: pytest.MonkeyPatch) -> None:
    cap = _set(env, max_text_chars=1000).max_text_chars
    check_text_length("x" * 1000, subject="line-1", cap=cap)
    with pytest.raises(ExtractionLimit, match="1,001 characters is over the cap of 1,000") as info:
        check_text_length("x" * 1001, subject="line-1", cap=cap)
    assert info.value.subject == "line-1" and "max_text_chars" in info.value.message


def test_the_text_cap_holds_for_extracted_documents(env: pytest.MonkeyPatch) -> None:
    limits = _set(env, max_text_chars=5000)
    page = "<html><body>" + "<p>Nieuwkomers volgen een traject naar werk.</p>" * 200 + "</body></html>"
    with pytest.raises(ExtractionLimit, match="max_text_chars") as info:
        extract(page.encode(), name="long.html", limits=limits)
    assert info.value.subject == "long.html"
    assert extract(page.encode()[:2000] + b"</p></body></html>", name="short.html", limits=limits).paragraphs


def test_the_paragraph_cap(env: pytest.MonkeyPatch) -> None:
    limits = _set(env, max_paragraphs=100)
    text = "\n\n".join(f"Alinea {i}." for i in range(101)).encode()
    with pytest.raises(ExtractionLimit, match="over 100 paragraphs"):
        extract(text, name="many.txt", limits=limits)


def test_size_cap_before_reading(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    limits = _set(env, max_download_bytes=1024)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1025)
    with pytest.raises(ExtractionLimit, match="over the input cap"):
        check_file(big, limits)
    with pytest.raises(ExtractionLimit, match="over the input cap"):
        extract(b"x" * 1025, name="upload.txt", limits=limits)
    check_size(1024, cap=limits.max_download_bytes)  # at the cap is fine
    check_file(big)  # the default cap (64 MiB): limits are what the caller hands over, nothing global


def test_check_file_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        check_file(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        check_file(tmp_path / "absent.pdf")
    ok = tmp_path / "ok.txt"
    ok.write_text("tekst")
    assert check_file(ok).st_size == 5


def test_long_paragraphs_are_cut_at_sentence_ends() -> None:
    text = "Eerste zin over werk. " * 100
    pieces = split_long(text, 500)
    assert all(len(p) <= 500 for p in pieces)
    assert all(p.endswith("werk.") for p in pieces)
    assert " ".join(pieces) == text.strip()
    # no sentence end: cut at a space; no space at all: cut hard
    assert all(len(p) <= 100 for p in split_long("woord " * 100, 100))
    assert [len(p) for p in split_long("x" * 250, 100)] == [100, 100, 50]


def test_an_endless_paragraph_becomes_pieces_with_their_page_and_section(env: pytest.MonkeyPatch) -> None:
    limits = _set(env, max_paragraph_chars=1000)
    body = "Nieuwkomers volgen een traject naar werk. " * 200
    doc = extract(f"# Werk\n\n{body}\n".encode(), name="plan.md", limits=limits)
    assert len(doc.paragraphs) > 8
    assert {p.section for p in doc.paragraphs} == {"Werk"}
    assert [p.index for p in doc.paragraphs] == list(range(len(doc.paragraphs)))
