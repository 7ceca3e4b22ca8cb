"""SQLAlchemy models of the store.

The schema follows the life of a document: a *source* is crawled in *crawl runs*; each run works through
a frontier of *run_urls* (one row per URL per run, which is also how a run knows when it is finished);
every HTTP request lands in *fetch_log*; a *url* remembers its validators (ETag, Last-Modified) and the
hash of what it served last; a *document* is the identity of a URL that holds a policy text, and each
distinct content it served is a *document_version* whose raw bytes sit in *blobs* (content-addressed, so
a file served at two URLs is kept once). A version is split into *paragraphs* and scored in *analyses*
(one per rubric version and model version, so that a new rubric adds rows and never overwrites), with
their *flags* and *evidence*. *dead_letters* are the failures that gave up: visible, never dropped.

Natural keys carry UNIQUE constraints; the repository writes with ``INSERT ... ON CONFLICT`` against
them, which is what makes every step safe to run twice or from two workers at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from miner.store.states import FrontierState, RunTrigger

#: Longest URL the store accepts (a btree index entry must stay well under PostgreSQL's page limit).
MAX_URL_LENGTH = 2000


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class SourceRow(Base):
    """A registry entry as it was when last crawled; workers read sources from here, not from files."""

    __tablename__ = "sources"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    government: Mapped[str] = mapped_column(String(20))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CrawlRun(Base):
    """One crawl of one source. ``seeded`` and ``finished_at`` tell a waiting client when it is done."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    #: A :class:`~miner.store.states.RunTrigger`.
    trigger: Mapped[str] = mapped_column(String(20), default=RunTrigger.CLI)
    #: Loopback/private addresses allowed for this run (only the CLI flag sets it; local test sites).
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    seeded: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Why the whole source failed (start URL unreachable, ...), shown per source in the summary.
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class UrlRow(Base):
    """A canonical URL of one source with the validators of its last answer."""

    __tablename__ = "urls"
    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_urls_source_url"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(MAX_URL_LENGTH))
    #: A :class:`~miner.store.states.UrlRole`.
    role: Mapped[str] = mapped_column(String(20))
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Permanent failures in a row (404, 410, unreadable); reset by the next success.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Not requested again before this time (a permanent failure backs off; see miner.crawl).
    retry_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RunUrl(Base):
    """The frontier of a run: a URL is queued once per run (UNIQUE) and ends in a final state."""

    __tablename__ = "run_urls"
    __table_args__ = (
        UniqueConstraint("run_id", "url_id", name="uq_run_urls_run_url"),
        Index("ix_run_urls_run_state", "run_id", "state"),
        Index("ix_run_urls_version_state", "version_id", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    #: The run_url whose page linked here: a step redelivered after a crash re-sends its children.
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: A :class:`~miner.store.states.FrontierState`.
    state: Mapped[str] = mapped_column(String(20), default=FrontierState.QUEUED)
    #: An :class:`~miner.store.states.Outcome` (what the summary counts).
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FetchLog(Base):
    """Every HTTP request made, successful or not (an append-only log: a retry is a second request)."""

    __tablename__ = "fetch_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    url_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    not_modified: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Blob(Base):
    """Raw bytes by content hash: kept so that a new rubric re-scores without re-fetching."""

    __tablename__ = "blobs"
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Document(Base):
    """The identity of a policy document: one URL of one source (a translation served at another URL
    is another row that names this one in ``translation_of``).

    Listed in (url, id) order, page by page after the last key seen, all of them or one source's: an
    index on each order makes page 2,000 cost what page 1 costs.
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_url_id", "url", "id"),
        Index("ix_documents_source_url_id", "source_id", "url", "id"),
        #: Mention search joins paragraphs to the documents whose current version holds them.
        Index("ix_documents_current_version", "current_version_id"),
        # the web list's default order: most recently stored or changed first
        Index("ix_documents_updated_id", "updated_at", "id"),
        Index("ix_documents_translation_of", "translation_of"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"), unique=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(MAX_URL_LENGTH))
    government: Mapped[str] = mapped_column(String(20))
    #: The version the URL serves now (no FK: versions reference documents, not the other way round).
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The document this one translates (the first stored language variant of the same text; no FK,
    #: like ``current_version_id``): reports count a text once, whatever its languages.
    translation_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The language the publisher's address or alternate link gives this variant ("nl", "fr", ...).
    language: Mapped[str | None] = mapped_column(String(10), nullable=True)


class DocumentVersion(Base):
    """One distinct content of a document; its bytes are the blob of ``content_hash``."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "content_hash", name="uq_versions_document_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    content_hash: Mapped[str] = mapped_column(ForeignKey("blobs.content_hash"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Where ``published`` was found (:attr:`miner.records.Extracted.published_source`); None when the
    #: date was stored before sources were recorded, or when there is no date.
    published_source: Mapped[str | None] = mapped_column(String(30), nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The run that first saw this content.
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: SHA-256 of the normalised paragraph text (:func:`miner.scoring.versions.text_hash`), set with
    #: the analysis: equal to the previous version's, the new bytes changed layout or dates only.
    text_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ParagraphRow(Base):
    __tablename__ = "paragraphs"
    __table_args__ = (UniqueConstraint("version_id", "idx", name="uq_paragraphs_version_idx"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    idx: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    language: Mapped[str] = mapped_column(String(10), default="")
    section: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)


class AnalysisRow(Base):
    """A score of one version under one rubric and one model; never overwritten by a newer rubric."""

    __tablename__ = "analyses"
    __table_args__ = (
        UniqueConstraint(
            "version_id", "rubric_version", "model_version", name="uq_analyses_version_rubric_model"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    rubric_version: Mapped[str] = mapped_column(String(50))
    model_version: Mapped[str] = mapped_column(String(50))
    content_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    relevance: Mapped[float | None] = mapped_column(Float, nullable=True)
    migrant: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    language: Mapped[str] = mapped_column(String(10), default="")
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON)
    sections: Mapped[list[Any]] = mapped_column(JSON)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FlagRow(Base):
    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("analysis_id", "code", name="uq_flags_analysis_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id"))
    code: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JSON)


class EvidenceRow(Base):
    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("analysis_id", "ordinal", name="uq_evidence_analysis_ordinal"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(100))
    term: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    paragraph: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(10))
    negated: Mapped[bool] = mapped_column(Boolean, default=False)


class DeadLetter(Base):
    """A piece of work that gave up (permanent error, or retries exhausted): recorded, never dropped.

    ``key`` names the work (``fetch_url:<run>:<url>``, ``process_document:<version>``) so that a
    redelivered task that fails again updates the same row instead of adding one; it is only ever
    compared whole. What the work was about is in columns (``run_id``, ``version_id``), which is what
    queries read.
    """

    __tablename__ = "dead_letters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(MAX_URL_LENGTH + 100), unique=True)
    task: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: The version whose analysis gave up (analysis failures only).
    version_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    error_code: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    #: A permanent failure of the input (not retried by later runs) rather than a bug or an outage.
    permanent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WatchlistRow(Base):
    """A named set of terms an integration centre or a watchdog follows (``miner watchlist``)."""

    __tablename__ = "watchlists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WatchlistTermRow(Base):
    """One term of a watchlist; ``language`` "nl" or "fr" for a variant searched in that language's
    paragraphs only, "" for every language."""

    __tablename__ = "watchlist_terms"
    __table_args__ = (
        UniqueConstraint("watchlist_id", "term", "language", name="uq_watchlist_terms_list_term_lang"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("watchlists.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="")


class ApiToken(Base):
    """A token of the web API: only its SHA-256 is kept (the token itself is shown once, at creation).

    ``scope`` is a :class:`~miner.store.tokens.TokenScope` (write can also read). A revoked token keeps its row, so that
    the name on a review always names one token; a name is never given to a second token.
    """

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class FlagReview(Base):
    """An analyst's decision on one flag of one document (the organisation's right of reply).

    Reviews are appended, never changed: the latest one of a (document, flag) is in force, the
    earlier ones are its history. ``version_id`` is the version that was read when deciding.
    """

    __tablename__ = "flag_reviews"
    __table_args__ = (Index("ix_flag_reviews_document_flag", "document_id", "flag_code", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"), nullable=True)
    flag_code: Mapped[str] = mapped_column(String(100))
    #: A :class:`~miner.store.reviews.ReviewDecision`.
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    #: The name of the token the review was made with.
    reviewer: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubscriptionRow(Base):
    """What someone wants to hear about and where (``miner watch add``): a condition and a channel.

    ``event`` is a :class:`~miner.store.subscriptions.Event`; ``argument`` is its flag code, watchlist
    name or report period. ``secret`` signs webhook bodies (it is needed to sign, so it is stored as
    given, and never shown by a listing).
    """

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    event: Mapped[str] = mapped_column(String(20))
    argument: Mapped[str] = mapped_column(String(100), default="")
    government: Mapped[str | None] = mapped_column(String(20), nullable=True)
    domain: Mapped[str | None] = mapped_column(String(50), nullable=True)
    min_score_change: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(MAX_URL_LENGTH), default="")
    secret: Mapped[str] = mapped_column(String(200), default="")
    digest: Mapped[str] = mapped_column(String(10), default="")
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxRow(Base):
    """One alert of one event for one subscription, written in the transaction that stored the event.

    UNIQUE(version, subscription, channel): a version reaches a subscription once, however often its
    analysis is stored (a redelivered task, a new rubric). ``lease_until`` is the claim of the worker
    delivering it; a worker that dies leaves a lease that runs out, and the next attempt takes it.
    """

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("version_id", "subscription_id", "channel", name="uq_outbox_version_subscription"),
        Index("ix_outbox_state_due", "state", "due_at"),
        Index("ix_outbox_subscription_id", "subscription_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    #: The version the alert is about (None: a report, which is about no one version).
    version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(10))
    #: What happened: ``new``, ``changed``, ``flag``, ``report``.
    event: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: An :class:`~miner.store.outbox.OutboxState`.
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
