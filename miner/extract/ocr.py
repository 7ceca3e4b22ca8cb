"""OCR of scanned PDF pages with the Tesseract command-line tool, when it is installed.

Tesseract is an optional system package: without it a scanned page is a clear "needs OCR" outcome
(``Extracted.needs_ocr``), not an error. Pages are rendered by the sandboxed PDF child (pdfium) to
greyscale PGM files; Tesseract reads them here, each call under the time left for the document.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache

from miner import caches

#: Belgian documents: Dutch and French (the official journal prints both).
LANGUAGES = ("nld", "fra")


@lru_cache(maxsize=1)
def tesseract_languages() -> str | None:
    """The ``-l`` argument for the installed Tesseract ("nld+fra"), or None without Tesseract."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    have = {ln.strip() for ln in out.splitlines()}
    langs = [lang for lang in LANGUAGES if lang in have] or (["eng"] if "eng" in have else [])
    return "+".join(langs) if langs else None


caches.register(tesseract_languages.cache_clear)


def ocr_image(path: str, languages: str, timeout: float) -> str:
    """The text Tesseract reads in one page image; raises ``subprocess.TimeoutExpired`` or ``OSError``."""
    # One thread: workers already run one document per core, and OpenMP threads fighting over a busy
    # machine made a page almost twice as slow (9.0 s vs 5.2 s measured on 2 loaded cores).
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run(
        ["tesseract", path, "stdout", "-l", languages],
        capture_output=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise OSError(proc.stderr.decode("utf-8", "replace").strip()[-300:] or "tesseract failed")
    return proc.stdout.decode("utf-8", "replace")
