"""The limits one input must stay within, as plain functions that raise the product's errors.

Callers (``miner analyse``, the pipeline, the crawler) check an input here *before* they spend
anything on it: a local file's type and size are checked on its open descriptor before one byte is
read (so ``/dev/zero``, a FIFO or a 2 GB sparse file never reach memory), and a text's length is
checked before language detection and scoring. The sandboxed extractors use :class:`TextBudget` to
stop collecting text the moment a document passes the same cap, and :func:`split_long` so that one
endless line costs what ordinary paragraphs cost.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, fields
from pathlib import Path

from miner.config import Settings
from miner.errors import ExtractionLimit, InputError


@dataclass(frozen=True, slots=True)
class Limits:
    """What one input may cost, from the settings of the same names (docs/settings.md).

    Built by the caller (:meth:`from_settings`, inside an :class:`~miner.analyser.Analyser`) and handed
    to every extraction function, so that ``run_sources(settings=...)`` and ``miner analyse`` enforce
    the limits they were given. :data:`DEFAULT_LIMITS` holds the documented defaults for callers that
    have no settings of their own (tests, benchmarks, tools).
    """

    max_download_bytes: int
    max_text_chars: int
    max_paragraphs: int
    max_paragraph_chars: int
    max_member_bytes: int
    extract_timeout: float
    extract_memory_mb: int
    ocr: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})


#: The defaults of :class:`~miner.config.Settings` (not the environment: that is the caller's to read).
DEFAULT_LIMITS = Limits.from_settings(Settings.model_construct())

_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def check_size(
    size: int, *, subject: str | None = None, cap: int = DEFAULT_LIMITS.max_download_bytes
) -> None:
    """Refuse an input of ``size`` bytes over ``cap`` (``Limits.max_download_bytes``)."""
    if size > cap:
        raise ExtractionLimit(
            f"{_mib(size)} is over the input cap of {_mib(cap)} (setting max_download_bytes)", subject=subject
        )


def check_text_length(
    text: str, *, subject: str | None = None, cap: int = DEFAULT_LIMITS.max_text_chars
) -> None:
    """Refuse a text longer than ``Limits.max_text_chars`` characters (``--jsonl`` texts, documents)."""
    if len(text) > cap:
        raise ExtractionLimit(
            f"text of {len(text):,} characters is over the cap of {cap:,} (setting max_text_chars)",
            subject=subject,
        )


def check_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> os.stat_result:
    """The file's status when it is a regular file within the size cap; a clear error otherwise."""
    p = str(path)
    try:
        st = os.stat(p)
    except FileNotFoundError as exc:
        raise InputError("no such file", subject=p) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", subject=p) from exc
    _check_status(st, p, limits.max_download_bytes)
    return st


def _check_status(st: os.stat_result, subject: str, cap: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a folder, not a file", subject=subject)
    for test, what in _SPECIAL:
        if test(st.st_mode):
            raise InputError(f"is {what}, not a regular file: refused", subject=subject)
    if not stat.S_ISREG(st.st_mode):
        raise InputError("is not a regular file: refused", subject=subject)
    check_size(st.st_size, subject=subject, cap=cap)


def read_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A regular file's bytes, read only after its type and size were checked on the open descriptor.

    Opened non-blocking (a FIFO swapped in after a check cannot block us) and checked with ``fstat``
    on that very descriptor; then at most the cap plus one byte is read, so a file that grows while
    it is read is refused too.
    """
    p = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError as exc:
        raise InputError("no such file", subject=p) from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", subject=p) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", subject=p) from exc
    try:
        cap = limits.max_download_bytes
        _check_status(os.fstat(fd), p, cap)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        check_size(total, subject=p, cap=cap)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", subject=p) from exc
    finally:
        os.close(fd)


class TextBudget:
    """Counts the characters and paragraphs an extractor collects; raises the moment either cap passes.

    Used inside the sandboxed child, so a document whose text is over the cap stops the extractor
    early (a repeated-space bomb stops after ``max_text_chars``, not after gigabytes).
    """

    def __init__(self, max_chars: int, max_paragraphs: int) -> None:
        self.max_chars = max_chars
        self.max_paragraphs = max_paragraphs
        self.chars = 0
        self.paragraphs = 0

    def take(self, text: str) -> None:
        self.chars += len(text) + 1
        self.paragraphs += 1
        if self.chars > self.max_chars + 1:
            raise ExtractionLimit(
                f"the document's text is over the cap of {self.max_chars:,} characters (setting max_text_chars)"
            )
        if self.paragraphs > self.max_paragraphs:
            raise ExtractionLimit(
                f"the document has over {self.max_paragraphs:,} paragraphs (setting max_paragraphs)"
            )

    def take_raw(self, n: int) -> None:
        """Count text that is not (yet) a paragraph, e.g. the text layer of a PDF page."""
        self.chars += n
        if self.chars > self.max_chars + 1:
            raise ExtractionLimit(
                f"the document's text is over the cap of {self.max_chars:,} characters (setting max_text_chars)"
            )


_SENTENCE_END = re.compile(r"[.!?;:…]\s")


def split_long(text: str, max_chars: int) -> list[str]:
    """``text`` cut into pieces of at most ``max_chars``: at the last sentence end inside the window,
    else at the last space, else hard. Linear in the length of ``text``."""
    if max_chars <= 0 or len(text) <= max_chars:
        return [text]
    out: list[str] = []
    start = 0
    n = len(text)
    while n - start > max_chars:
        window_end = start + max_chars
        cut = -1
        # the last sentence end in the second half of the window
        for m in _SENTENCE_END.finditer(text, start + max_chars // 2, window_end):
            cut = m.end()
        if cut < 0:
            space = text.rfind(" ", start + max_chars // 2, window_end)
            cut = space + 1 if space >= 0 else window_end
        piece = text[start:cut].strip()
        if piece:
            out.append(piece)
        start = cut
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out
