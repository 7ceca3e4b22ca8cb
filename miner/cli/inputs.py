"""Local inputs of ``miner analyse``: what is refused before a byte is read, and what a name promises.

A path given on the command line may be anything: a folder, a FIFO that blocks the reader forever,
``/dev/zero`` that never ends, a sparse file of 2 GB. :func:`check_local_file` looks at the file's
type and size (``stat``, no read) and refuses these with an :class:`~miner.errors.InputError` or an
:class:`~miner.errors.ExtractionLimit`, so that one input cannot block or exhaust a batch.

A local file's *name* is a claim its owner made, unlike a URL's (``download.asp?id=3`` is a PDF):
``hello.docx`` that is plain text, or ``data.csv``, is not a policy document and is refused with a
clear error (:func:`check_named_kind`) instead of being analysed as if it were prose. The kind
itself always comes from the bytes (:func:`miner.extract.sniff`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from miner.errors import ExtractionLimit, InputError, UnsupportedFormat

#: Extensions that promise a document kind, and the kinds the bytes may then have.
PROMISED_KINDS: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"pdf"}),
    ".docx": frozenset({"docx"}),
    ".odt": frozenset({"odt"}),
    **dict.fromkeys((".html", ".htm", ".xhtml", ".txt", ".text", ".md"), frozenset({"html", "text"})),
}

#: Extensions of data that is not a policy document, with how to name it in the error.
NOT_DOCUMENTS: dict[str, str] = {
    ".csv": "CSV data",
    ".tsv": "tab-separated data",
    ".json": "JSON data",
    ".jsonl": "JSON lines (analyse them with --jsonl < FILE)",
    ".ndjson": "JSON lines (analyse them with --jsonl < FILE)",
    ".xls": "a spreadsheet",
    ".xlsx": "a spreadsheet",
    ".ods": "a spreadsheet",
    ".ppt": "a presentation",
    ".pptx": "a presentation",
    ".odp": "a presentation",
    ".zip": "a ZIP archive",
    ".gz": "a compressed file",
    ".tar": "an archive",
    ".png": "an image",
    ".jpg": "an image",
    ".jpeg": "an image",
    ".gif": "an image",
    ".svg": "an image",
}

SUPPORTED = "PDF, HTML, DOCX, ODT or plain text"


def check_local_file(path: Path, max_bytes: int) -> None:
    """Refuse, without reading it, a path that is not a regular file of at most ``max_bytes``.

    Folders, FIFOs, devices and sockets are input errors; a file over the cap is an
    :class:`ExtractionLimit` (its size comes from ``stat``, so a sparse file is refused unread).
    """
    where = str(path)
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError("no such file", subject=where) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", subject=where) from exc
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise InputError("is a folder, not a file", subject=where)
    if stat.S_ISFIFO(mode):
        raise InputError(
            "is a FIFO (named pipe), not a file: refused, reading it could wait forever", subject=where
        )
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError("is a device, not a file: refused", subject=where)
    if stat.S_ISSOCK(mode):
        raise InputError("is a socket, not a file: refused", subject=where)
    if not stat.S_ISREG(mode):
        raise InputError("is not a regular file: refused", subject=where)
    if st.st_size > max_bytes:
        raise ExtractionLimit(
            f"{st.st_size} bytes is over the cap of {max_bytes} bytes (MINER_MAX_DOWNLOAD_BYTES)",
            subject=where,
        )


def check_named_kind(path: Path, kind: str) -> None:
    """Refuse a file whose name promises something its bytes are not, or names data, not a document.

    ``kind`` is what :func:`miner.extract.sniff` found in the bytes. A name without a known
    extension promises nothing: the bytes decide; bytes of no supported kind are left to the
    extractor, whose error says what they are.
    """
    suffix = path.suffix.lower()
    if suffix in NOT_DOCUMENTS:
        raise UnsupportedFormat(
            f"{NOT_DOCUMENTS[suffix]} ({suffix}) is not a policy document: give {SUPPORTED}",
            subject=str(path),
        )
    promised = PROMISED_KINDS.get(suffix)
    if promised is None or kind in promised or kind.startswith("unsupported:"):
        return  # unsupported bytes get the extractor's own, more precise, error
    found = "plain text" if kind == "text" else kind.upper()
    raise UnsupportedFormat(
        f"named {suffix} but its content is {found}, not a {suffix[1:].upper()} document",
        subject=str(path),
    )
