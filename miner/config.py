"""Typed settings: the one place in the product that reads the environment.

Every setting has a default and a help text (``Field(description=...)``); ``miner settings``
prints them. Environment variables are ``MINER_<NAME>`` (``MINER_DATABASE_URL``, ...).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from miner import caches

#: The project's data folder (sources, lexicons, rubric, models), shipped beside the package.
CORPORA_DIR = Path(__file__).resolve().parent.parent / "corpora"
#: Where derived data that is slow to build is cached unless ``MINER_CACHE_DIR`` says otherwise.
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "policy-miner"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINER_", extra="ignore")

    database_url: str = Field(
        "sqlite:///miner.db",
        description="SQLAlchemy URL of the store. SQLite by default (no server); "
        "postgresql+psycopg://... for the distributed set-up.",
    )
    broker_url: str | None = Field(
        None,
        description="Celery broker (redis://127.0.0.1:6379/0). When set, `miner run` enqueues to workers "
        "instead of working in-process.",
    )
    result_backend: str | None = Field(None, description="Celery result backend; defaults to the broker.")
    corpora_dir: Path = Field(
        CORPORA_DIR, description="Folder with sources/, lexicons/, rubric.toml, models/."
    )
    cache_dir: Path = Field(
        DEFAULT_CACHE_DIR,
        description="Where derived data that is slow to build (lemma tables) is cached.",
    )
    user_agent: str = Field(
        "policy-miner/0.1 (+https://github.com/policy-miner; policy monitoring bot)",
        description="User-Agent sent with every request and matched against robots.txt.",
    )
    request_timeout: float = Field(30.0, description="Seconds for connect/read of one request.")
    request_deadline: float = Field(120.0, description="Seconds a whole request (all bytes) may take.")
    max_download_bytes: int = Field(
        64 * 1024 * 1024, description="Cap on a response body, raw and after decompression."
    )
    max_redirects: int = Field(10, description="Redirect hops followed, each re-checked by the SSRF guard.")
    default_delay: float = Field(2.0, description="Seconds between two requests to one host.")
    robots_ttl: float = Field(
        3600.0, description="Seconds a host's robots.txt is cached (RFC 9309: at most 24 h)."
    )
    max_crawl_delay: float = Field(
        60.0, description="Upper bound (s) on a robots.txt Crawl-delay, so one host cannot stall a worker."
    )
    extract_timeout: float = Field(
        120.0, description="Seconds one document's extraction (its sandboxed child, any type) may take."
    )
    extract_memory_mb: int = Field(
        1024, description="Address-space limit (MiB) of the child process that extracts one document."
    )
    max_paragraphs: int = Field(
        500_000,
        description="Most paragraphs one extracted document may have; more is an extraction-limit error.",
    )
    max_paragraph_chars: int = Field(
        20_000,
        description="A paragraph longer than this (characters) is cut at sentence ends, so that one endless "
        "line costs what the same text in ordinary paragraphs costs.",
    )
    max_member_bytes: int = Field(
        64 * 1024 * 1024,
        description="Most bytes one part of a DOCX/ODT container may inflate to (the XML of the body); "
        "a part claiming or reaching more is refused.",
    )
    max_text_chars: int = Field(
        10_000_000,
        description="Longest text (characters) one input may have: an extracted document, or one text of "
        "`miner analyse --jsonl`. Longer input is answered with an extraction-limit error at once instead "
        "of being analysed for minutes (10 million characters is some 4,000 dense pages, about 40 s).",
    )
    ocr: bool = Field(True, description="Run Tesseract on scanned PDF pages when it is installed.")
    migrant_threshold: float | None = Field(
        None, description="Override of the classifier's decision threshold for `migrant` (0-1)."
    )
    api_token: str | None = Field(
        None,
        description="A write token for the web API set by configuration (kept from earlier releases; "
        "prefer `miner tokens create`, which can be revoked one by one).",
    )
    web_reading: Literal["open", "token"] = Field(
        "open",
        description="Who may read the web app and API: `open` (anyone) or `token` (a read or write token, "
        "or a browser signed in with one). Writes always need a write token.",
    )
    web_threads: int = Field(
        4,
        ge=1,
        le=200,
        description="Threads of one web worker that run requests. Pages are rendered in Python under one "
        "lock (the GIL): a few threads keep the store's waits overlapped, more only contend (bench_web.py). "
        "Scale with more worker processes (`miner serve --workers N`).",
    )
    web_max_upload_bytes: int = Field(
        20 * 1024 * 1024, description="Largest file `POST /api/analyse` accepts (bytes); larger is a 413."
    )
    # --- crawl jobs and workers ---
    redis_url: str | None = Field(
        None,
        description="Redis holding the per-host request slots shared by all workers; defaults to the broker.",
    )
    retry_attempts: int = Field(
        4,
        description="Attempts at a step that fails transiently (network error, timeout, 429, 5xx), then it is "
        "dead-lettered: a URL whose server keeps failing receives exactly this many requests per run. The "
        "only retry count of the product (miner/retry.py).",
    )
    retry_backoff: float = Field(
        2.0, description="Seconds before the first retry; doubles each attempt (a server's Retry-After wins)."
    )
    retry_backoff_max: float = Field(
        60.0,
        description="Upper bound of one backoff, in seconds; a server asking (Retry-After) for longer is not "
        "retried in this run.",
    )
    outage_wait: float = Field(
        900.0,
        description="Seconds of waiting the product spends on an outage of the store or the broker: a step "
        "keeps retrying (backoff as above) and `miner run` keeps waiting; after that the work is left on the "
        "frontier for the reconciler and `miner run` stops with the reason.",
    )
    failed_url_backoff: float = Field(
        86400.0,
        gt=0,
        description="Seconds a URL that failed permanently (404, 410, an unreadable document) is not "
        "requested again; the wait doubles with each failure in a row, up to `failed_url_backoff_max`. "
        "Start URLs are always requested (their failure is the source's).",
    )
    failed_url_backoff_max: float = Field(
        30 * 86400.0,
        gt=0,
        description="Longest wait, in seconds, before a URL that keeps failing permanently is requested again.",
    )
    reconcile_interval: float = Field(
        60.0,
        description="Seconds between two passes of the reconciler (beat, and `miner run` while it waits), "
        "which re-sends the waiting frontier entries of runs idle for longer than the broker's own "
        "redelivery (docs/operations.md).",
    )
    task_soft_time_limit: int = Field(
        240,
        description="Seconds a worker task may run before it is asked to stop (one big PDF with OCR fits: "
        "extraction has its own limit, extract_timeout).",
    )
    task_time_limit: int = Field(300, description="Seconds after which a stuck worker task is killed.")
    broker_visibility_timeout: int = Field(
        420,
        description="Seconds before an unacknowledged task (its worker died) is handed to another worker, "
        "so the recovery time after a killed worker; raised if needed to task_time_limit + "
        "retry_backoff_max + 10, or a slow or delayed task would run twice.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once.

    Only the entry points call this (the command line, the workers, the web app's construction):
    they build an :class:`~miner.analyser.Analyser` and the other components from it and hand them
    down, so no stage reads the environment behind its caller's back (tests/test_architecture.py).
    """
    return Settings()


caches.register(get_settings.cache_clear)
