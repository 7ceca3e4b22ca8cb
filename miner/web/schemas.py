"""The API's shapes: what each route accepts and answers, as the OpenAPI description publishes them.

Field names follow the records they come from (``DocumentListing``/``Listing``, ``Evidence``,
``Analysis.as_dict``), so that the command line's JSON and the API's agree on what a field is called.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from miner.records import DOMAINS, GOVERNMENTS, LANGUAGES
from miner.rubric import FLAG_CODES
from miner.store.browse import Sort
from miner.store.reviews import MAX_NOTE_CHARS, ReviewDecision

if TYPE_CHECKING:
    GovernmentCode = str
    DomainCode = str
    LanguageCode = str
    FlagCode = str
else:
    GovernmentCode = Literal[GOVERNMENTS]
    DomainCode = Literal[DOMAINS]
    LanguageCode = Literal[LANGUAGES]
    FlagCode = Literal[FLAG_CODES]


def _utc(value: datetime) -> datetime:
    """Times are stored in UTC; SQLite gives them back without their zone, which is put back here."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


#: A time as the API gives it: RFC 3339, always with its zone.
Instant = Annotated[datetime, AfterValidator(_utc)]

#: Rows per page of the document list unless asked, and the most a page may hold.
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 100_000


class ListParams(BaseModel):
    """Filters, order and paging of the document list (query parameters; empty values are unset)."""

    model_config = ConfigDict(extra="ignore")

    government: GovernmentCode | None = Field(
        None, description="Government the document's source belongs to."
    )
    source: str | None = Field(None, max_length=100, description="Source id (`miner sources`).")
    domain: DomainCode | None = Field(None, description="A policy domain the analysis found in scope.")
    language: LanguageCode | None = Field(None, description="The document's main language.")
    published_from: date | None = Field(None, description="Published on or after this date.")
    published_to: date | None = Field(None, description="Published on or before this date.")
    score_min: int | None = Field(None, ge=0, le=100, description="Score at least this (0-100).")
    score_max: int | None = Field(None, ge=0, le=100, description="Score at most this (0-100).")
    flag: FlagCode | None = Field(None, description="Documents raising this flag.")
    flagged: bool | None = Field(None, description="true: documents with any flag; false: without.")
    q: str | None = Field(None, max_length=200, description="Text in the title or the document's text.")
    sort: Sort = Field(Sort.UPDATED, description="Order of the list.")
    order: Literal["asc", "desc"] | None = Field(
        None, description="Direction; default: newest, highest score first, titles and URLs A-Z."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Documents per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Documents skipped (without a cursor).")
    cursor: str | None = Field(
        None, max_length=2000, description="`next_cursor` of the previous page (keyset paging)."
    )

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _consistent(self) -> ListParams:
        if self.score_min is not None and self.score_max is not None and self.score_min > self.score_max:
            raise ValueError("score_min is above score_max")
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise ValueError("published_from is after published_to")
        if self.cursor is not None and self.offset:
            raise ValueError("give either a cursor or an offset, not both")
        return self

    @property
    def descending(self) -> bool | None:
        return None if self.order is None else self.order == "desc"


class Problem(BaseModel):
    detail: str = Field(description="What went wrong and what to do about it.")


class Evidence(BaseModel):
    dimension: str
    text: str = Field(description="The quote: the sentence that holds the match.")
    term: str
    page: int | None = Field(description="1-based page number (paged formats), else null.")
    paragraph: int = Field(description="0-based index of the paragraph in the document.")
    start: int = Field(description="Offset of the match in the paragraph's text.")
    end: int
    language: str
    negated: bool = False


class DocumentItem(BaseModel):
    id: int
    url: str
    title: str | None
    government: str
    source_id: str
    language: str | None
    published: date | None
    score: int | None = Field(description="Mainstreaming of migrant integration, 0-100 (null: not scored).")
    relevance: float | None
    migrant: bool | None
    kind: str | None
    flags: list[str] = Field(description="Codes of the flags the latest analysis raised.")
    dismissed_flags: list[str] = Field(description="Of those, the ones an analyst dismissed.")
    content_hash: str | None
    fetched_at: Instant | None
    updated_at: Instant
    error: str | None
    link: str = Field(description="The document's page.")


class DocumentPage(BaseModel):
    items: list[DocumentItem]
    total: int = Field(description="Documents matching the filters, all pages together.")
    limit: int
    offset: int
    sort: Sort
    order: Literal["asc", "desc"]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class Dimension(BaseModel):
    name: str
    label: str
    score: int
    reason: str
    evidence: list[Evidence]


class Review(BaseModel):
    id: int
    document_id: int
    version_id: int | None
    flag: str
    decision: ReviewDecision
    note: str
    reviewer: str = Field(description="Name of the token the review was made with.")
    created_at: Instant


class Flag(BaseModel):
    code: str
    title: str
    severity: str
    reason: str
    evidence: list[Evidence]
    dismissed: bool = Field(description="The review in force dismisses this flag (alerts skip it).")
    review: Review | None = Field(description="The review in force, if any.")


class Chapter(BaseModel):
    title: str
    first_paragraph: int
    page_start: int | None
    page_end: int | None
    relevance: float
    score: int
    dimensions: dict[str, int]


class Version(BaseModel):
    id: int
    content_hash: str
    size: int
    content_type: str
    kind: str | None
    title: str | None
    published: date | None
    fetched_at: Instant
    current: bool
    link: str = Field(description="Permalink of the document as of this version.")


class DocumentOut(BaseModel):
    id: int
    url: str
    permalink: str = Field(description="Stable link to this document as of the version shown.")
    title: str | None
    government: str
    source_id: str
    source_name: str | None
    language: str | None
    published: date | None
    kind: str | None
    score: int | None
    relevance: float | None
    migrant: bool | None
    domains: list[str]
    language_mix: dict[str, float]
    page_count: int | None
    rubric_version: str | None
    model_version: str | None
    analysed_at: Instant | None
    error: str | None
    version: Version | None
    versions: list[Version]
    version_count: int
    dimensions: list[Dimension]
    flags: list[Flag]
    evidence: list[Evidence]
    chapters: list[Chapter]
    reviews: list[Review]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flag: str = Field(min_length=1, max_length=100, description="Code of a flag the document raises.")
    decision: ReviewDecision
    note: str = Field("", max_length=MAX_NOTE_CHARS, description="Why (shown on the document's page).")


class LastRun(BaseModel):
    id: int
    started_at: Instant | None
    finished_at: Instant | None
    error: str | None
    failed_urls: int
    pending_urls: int


class SourceCheck(BaseModel):
    """A source's health over its last runs (``miner health``; rules in docs/operations.md)."""

    last_success: Instant | None = Field(description="The last finished run that found a document.")
    found_per_run: list[int] = Field(description="Documents found by each of the last runs, oldest first.")
    warnings: list[str] = Field(
        description="The operator's warnings: silent too long, a sharp drop, a failed run."
    )


class Source(BaseModel):
    id: str
    name: str
    government: str
    domains: list[str]
    cadence: str | None
    status: Literal["ok", "degraded", "failing", "running", "never"]
    documents: int
    failures: int = Field(description="Dead letters of this source's runs (work that failed for good).")
    last_run: LastRun | None
    last_failure: str | None
    health: SourceCheck | None = None


class Sources(BaseModel):
    items: list[Source]


class Component(BaseModel):
    status: Literal["ok", "unavailable", "not-configured"]
    detail: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    store: Component
    broker: Component


class Mention(BaseModel):
    document_id: int | None
    link: str | None
    url: str
    title: str | None
    government: str
    year: int | None = Field(description="Publication year, else the year it was fetched.")
    page: int | None
    paragraph: int
    language: str
    section: str | None
    left: str
    match: str
    right: str


class MentionCount(BaseModel):
    government: str
    year: int | None
    count: int


class Mentions(BaseModel):
    term: str
    total: int = Field(description="Mentions in every matching paragraph (counted over all of them).")
    paragraphs_searched: int = Field(description="Paragraphs that match, in all.")
    truncated: bool = Field(description="More paragraphs match than are listed in `items` (raise `limit`).")
    counts: list[MentionCount]
    items: list[Mention]


class WatchlistTerm(BaseModel):
    term: str
    language: str = Field(
        description="`nl` or `fr`: only paragraphs in that language; empty: every language."
    )


class Watchlist(BaseModel):
    name: str
    terms: list[WatchlistTerm]
    mentions: list[str] = Field(description="Addresses of the mentions of each term (`/api/mentions?term=`).")


class WatchlistIn(BaseModel):
    """Terms to add to a watchlist (created when it does not exist yet)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    terms: list[Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")]] = Field(
        min_length=1,
        max_length=100,
        description="Words or phrases; `nl:inburgering` or `fr:primo-arrivant` for one language only.",
    )


class TrendRow(BaseModel):
    government: str
    year: str
    year_source: str | None = Field(
        None, description="`published` (publication year) or `fetched` (no publication date known)."
    )
    documents: int
    scored: int
    not_scored: int = Field(0, description="Documents that could not be scored; never averaged as 0.")
    mean_score: float | None
    migrant_share: float | None
    flagged: int
    flags: dict[str, int]


class Trends(BaseModel):
    rows: list[TrendRow] = Field(description="One row per government and year.")
    totals: list[TrendRow] = Field(description="One row per government, all years (`year` is 'all').")


class AnalysedDimension(BaseModel):
    score: int
    reason: str
    evidence: list[Evidence]


class AnalysedFlag(BaseModel):
    code: str
    severity: str
    reason: str
    evidence: list[Evidence]


class Analysis(BaseModel):
    """The JSON of ``miner analyse --format json`` for one file."""

    id: str
    title: str | None
    kind: str | None
    content_hash: str | None
    language: str | None
    language_mix: dict[str, float]
    relevance: float | None
    migrant: bool | None
    score: int | None
    domains: list[str]
    dimensions: dict[str, AnalysedDimension]
    flags: list[AnalysedFlag]
    evidence: list[Evidence]
    sections: list[Chapter]
    page_count: int | None
    needs_ocr: bool
    rubric_version: str | None
    model_version: str | None
    warnings: list[str]
    error: str | None


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


#: Errors every API read may answer (documented on each route).
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _problem("Reading is closed on this server and no valid token was given."),
    503: _problem("The store is unavailable (`Retry-After` says when to try again)."),
}
#: Errors every API write may answer.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _problem("No token, or not a valid one: writes need `Authorization: Bearer <token>`."),
    403: _problem("The token may read but not write."),
    413: _problem("The request body is over its size limit."),
    503: _problem("The store is unavailable (`Retry-After` says when to try again)."),
}
