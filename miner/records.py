"""Frozen records passed between stages.

Every stage is a plain function from one of these to the next; none of them holds a database
session, a Celery task or an HTTP client. Tuples, not lists, so that a record can be hashed,
shared between threads and never changed behind a stage's back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: Governments a source or document can belong to (DOMAIN.md).
GOVERNMENTS = ("federal", "flemish", "walloon", "brussels", "fwb", "cocof", "vgc", "ostbelgien")
#: How a source's entry points are read: each names one module of ``miner/fetch/kinds/``
#: (docs/sources.md). ``crawl`` reads HTML listing pages; ``api:<name>`` is a publisher's own format.
SOURCE_KINDS = ("crawl", "sitemap", "feed", "api:moniteur", "api:vlaams-parlement", "api:kamer")
#: Policy domains the product watches.
DOMAINS = ("employment", "education", "integration")
#: Paragraph languages the language stage assigns.
LANGUAGES = ("nl", "fr", "de", "en", "other")


def content_hash(data: bytes) -> str:
    """The identity of a document version: sha256 of its raw bytes, hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Source:
    """One entry of the source registry (``corpora/sources/*.toml``)."""

    id: str
    name: str
    government: str
    domains: tuple[str, ...]
    languages: tuple[str, ...]
    start_urls: tuple[str, ...]
    scope: tuple[str, ...]
    cadence: str = "daily"
    #: Entry points that are sitemaps or RSS/Atom feeds rather than HTML listing pages.
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    #: Document kinds kept from this source ("pdf", "html", "docx", "odt", "text").
    document_types: tuple[str, ...] = ("pdf", "html", "docx", "odt")
    #: Seconds between two requests to one host (robots.txt Crawl-delay wins when larger).
    delay: float = 2.0
    #: How many links deep to follow from the start URLs.
    max_depth: int = 2
    #: Upper bound on documents fetched per crawl of this source.
    max_documents: int = 500
    #: URL substrings never followed even inside scope (search pages, calendars, ...).
    exclude: tuple[str, ...] = ()
    notes: str = ""
    #: Path prefixes on the scope's hosts where the publisher keeps its files (``/sites/default/files/``,
    #: ``/media/``): documents there belong to the source even outside ``scope``; listings do not.
    document_paths: tuple[str, ...] = ()
    #: Other hosts (or URL prefixes) of the same publisher that serve its documents.
    document_hosts: tuple[str, ...] = ()
    #: ``www`` and bare host, http and https are one site (the publisher links all forms).
    same_site: bool = True
    #: (language, host) pairs of a publisher with one host per language (the Chamber's dekamer.be
    #: and lachambre.be): the same path on the other host is the translation.
    language_hosts: tuple[tuple[str, str], ...] = ()
    #: One of :data:`SOURCE_KINDS`: how the start URLs are read (listing pages, sitemaps, feeds, an API).
    kind: str = "crawl"
    #: Options of an ``api:<name>`` kind (``[source.api]`` in the registry), checked by that adapter.
    api: dict[str, Any] = field(default_factory=dict, hash=False)
    # Whether a URL belongs to the source is miner.fetch.urls.in_scope (canonical URLs on both sides).


@dataclass(frozen=True, slots=True)
class Fetched:
    """The answer to one fetch: raw bytes plus what HTTP said about them."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    #: Set when the server answered 304 to a conditional request: ``content`` is empty.
    not_modified: bool = False
    source_id: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def content_hash(self) -> str:
        return content_hash(self.content)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of extracted text.

    ``index`` is the paragraph's position in the document (0-based, stable for evidence);
    ``page`` is the 1-based page number for paged formats, ``None`` otherwise; ``language`` is
    filled by the language stage ("" before it runs); ``section`` is the heading the paragraph
    falls under, when the extractor could tell.
    """

    index: int
    text: str
    page: int | None = None
    language: str = ""
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Extracted:
    """A document turned into paragraphs, with what the format told us about it."""

    kind: str  # "pdf" | "html" | "docx" | "odt" | "text"
    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    #: Language the document declares (HTML lang, PDF metadata); a hint, never trusted alone.
    declared_language: str | None = None
    published: date | None = None
    page_count: int | None = None
    #: Where ``published`` came from: "official-journal", "html-meta", "jsonld", "text", "html-time",
    #: "htmldate", "pdf-metadata" or "office-metadata" (:mod:`miner.extract.dates`); None without a date.
    published_source: str | None = None
    #: Outgoing links (HTML), absolute URLs, for discovery.
    links: tuple[str, ...] = ()
    #: Pages without a text layer; when OCR was not available they contribute no paragraphs.
    scanned_pages: tuple[int, ...] = ()
    #: True when scanned pages were found and no OCR engine was available to read them.
    needs_ocr: bool = False
    #: Which OCR engine produced text, if any ("tesseract").
    ocr: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A quoted passage that supports a dimension score or a flag.

    ``start``/``end`` are character offsets of the matched term inside the paragraph's text;
    ``text`` is the quote (the sentence that holds the match). ``direction`` says how the
    sentence speaks of the group (:data:`DIRECTIONS`, the codebook's "mention"); ``counted`` is
    False for evidence shown but not counted (negated, excluding, or a direction the dimension
    ignores, such as a restrictive language requirement under barriers).
    """

    dimension: str
    text: str
    term: str
    paragraph: int
    page: int | None
    start: int
    end: int
    language: str
    negated: bool = False
    direction: str = ""
    counted: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "text": self.text,
            "term": self.term,
            "page": self.page,
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
            "language": self.language,
            "negated": self.negated,
            "direction": self.direction or None,
            "counted": self.counted,
        }


@dataclass(frozen=True, slots=True)
class DimensionScore:
    name: str
    score: int  # 0 | 50 | 100
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "reason": self.reason, "evidence": [e.as_dict() for e in self.evidence]}


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    severity: str  # "info" | "warning" | "high"
    reason: str
    evidence: tuple[Evidence, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "reason": self.reason,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class SectionScore:
    """One chapter (or section, or block of pages) of a document, scored on its own.

    ``in_scope`` says whether the chapter is employment or education text and so counts in the
    document score; ``evidence`` holds the quotes that decided its dimension scores.
    """

    title: str
    first_paragraph: int
    page_start: int | None
    page_end: int | None
    relevance: float
    score: int
    dimensions: tuple[tuple[str, int], ...] = ()
    in_scope: bool = False
    domains: tuple[str, ...] = ()
    words: int = 0
    evidence: tuple[Evidence, ...] = ()
    flags: tuple[Flag, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "first_paragraph": self.first_paragraph,
            "page_start": self.page_start,
            "page_end": self.page_end,
            "relevance": round(self.relevance, 4),
            "score": self.score,
            "dimensions": dict(self.dimensions),
            "in_scope": self.in_scope,
            "domains": list(self.domains),
            "words": self.words,
            "evidence": [e.as_dict() for e in self.evidence],
            "flags": [f.as_dict() for f in self.flags],
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the product says about one document (or one text)."""

    id: str
    language: str
    relevance: float
    migrant: bool
    score: int
    dimensions: tuple[DimensionScore, ...]
    flags: tuple[Flag, ...]
    evidence: tuple[Evidence, ...]
    domains: tuple[str, ...] = ()
    language_mix: tuple[tuple[str, float], ...] = ()
    sections: tuple[SectionScore, ...] = ()
    content_hash: str | None = None
    title: str | None = None
    kind: str | None = None
    page_count: int | None = None
    needs_ocr: bool = False
    rubric_version: str = ""
    model_version: str = ""
    warnings: tuple[str, ...] = ()
    error: str | None = None
    #: False when the text is mostly in a language without a lexicon (German): ``score`` is then
    #: meaningless and serialises as null; reports must leave the document out, not count it as 0.
    scored: bool = True
    #: How ``score`` follows from the chapters: method, chapters, in-scope chapters, best chapter.
    score_basis: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: Paragraphs never used as evidence, by reason (table of contents, front matter, ...).
    excluded: tuple[tuple[str, int], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def failed(cls, id: str, error: str, **kw: Any) -> Analysis:
        """The answer for an input that could not be analysed: every field present, ``error`` set."""
        return cls(
            id=id,
            language="",
            relevance=0.0,
            migrant=False,
            score=0,
            dimensions=(),
            flags=(),
            evidence=(),
            error=error,
            **kw,
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``miner analyse --format json`` / ``--jsonl`` (stable field names)."""
        failed = self.error is not None
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "content_hash": self.content_hash,
            "language": self.language or None,
            "language_mix": dict(self.language_mix),
            "relevance": None if failed else round(self.relevance, 4),
            "migrant": None if failed else self.migrant,
            "score": None if failed or not self.scored else self.score,
            "scored": not failed and self.scored,
            "score_basis": self.score_basis,
            "excluded_paragraphs": dict(self.excluded),
            "domains": list(self.domains),
            "dimensions": {d.name: d.as_dict() for d in self.dimensions},
            "flags": [f.as_dict() for f in self.flags],
            "evidence": [e.as_dict() for e in self.evidence],
            "sections": [s.as_dict() for s in self.sections],
            "page_count": self.page_count,
            "needs_ocr": self.needs_ocr,
            "rubric_version": self.rubric_version or None,
            "model_version": self.model_version or None,
            "warnings": list(self.warnings),
            "error": self.error,
        }
