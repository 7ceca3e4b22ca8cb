"""Documents stored the way a crawl stores them, with the facts reports read (dates, scores, errors,
dimensions, domains, flags, evidence), for the tests of mentions, trends and exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from miner.records import Analysis, DimensionScore, Evidence, Extracted, Fetched, Flag, Paragraph, Source
from miner.score import load_rubric
from miner.store import Repository, UrlRole

#: The rubric's dimensions (what every stored analysis scores).
DIMENSIONS = tuple(d.name for d in load_rubric().dimensions)


def source(source_id: str, government: str) -> Source:
    return Source(
        id=source_id,
        name=f"Source {source_id}",
        government=government,
        domains=("employment", "education"),
        languages=("nl", "fr"),
        start_urls=("http://127.0.0.1:1/",),
        scope=("http://127.0.0.1:1/",),
        delay=0.0,
    )


def store_doc(
    repo: Repository,
    url: str,
    paragraphs: Sequence[tuple[str, str]] = (("nl", "Een plan."),),
    *,
    government: str = "flemish",
    source_id: str = "vlaanderen",
    published: date | None = None,
    published_source: str | None = None,
    fetched_at: datetime | None = None,
    score: int | None = 50,
    dims: dict[str, int] | None = None,
    domains: tuple[str, ...] = ("employment",),
    flags: tuple[str, ...] = (),
    language_mix: tuple[tuple[str, float], ...] = (("nl", 1.0),),
    needs_ocr: bool = False,
    analysed: bool = True,
) -> int:
    """Store one document (``paragraphs``: (language, text), one page each) and, unless
    ``analysed`` is False, its analysis: scored ``score``, or failed when ``score`` is None."""
    repo.upsert_source(source(source_id, government))
    run_id = repo.start_run(source_id)
    run_url = repo.enqueue(run_id, source_id, url, role=UrlRole.DOCUMENT, depth=1)
    assert run_url is not None
    item = repo.work_item(run_url)
    assert item is not None
    fetched = Fetched(
        url=url,
        final_url=url,
        status=200,
        content=url.encode(),
        content_type="text/html",
        fetched_at=fetched_at or datetime(2026, 1, 15, 12, tzinfo=UTC),
    )
    stored = repo.store_fetched(item, fetched, government=government)
    assert stored.version_id is not None
    if not analysed:
        return stored.version_id
    pars = tuple(Paragraph(i, text, i + 1, lang, None) for i, (lang, text) in enumerate(paragraphs))
    extracted = Extracted(
        kind="html",
        paragraphs=pars,
        title=f"Plan {url.rsplit('/', 1)[-1]}",
        published=published,
        published_source=published_source if published else None,
        needs_ocr=needs_ocr,
    )
    ev = Evidence("recognition", pars[0].text, "x", 0, 1, 0, 1, pars[0].language) if pars else None
    if score is None:
        reason = "needs OCR: scanned pages and no OCR engine" if needs_ocr else "corrupt"
        analysis = Analysis.failed(url, reason, needs_ocr=needs_ocr)
    else:
        values = {d: 0 for d in DIMENSIONS} | (dims or {})
        analysis = Analysis(
            id=url,
            language=language_mix[0][0] if language_mix else "",
            relevance=0.5,
            migrant=values["recognition"] == 100,
            score=score,
            dimensions=tuple(DimensionScore(d, v, (ev,) if ev and v else ()) for d, v in values.items()),
            flags=tuple(Flag(code, "warning", f"reason {code}", (ev,) if ev else ()) for code in flags),
            evidence=(ev,) if ev else (),
            domains=domains,
            language_mix=language_mix,
            rubric_version="r1",
            model_version="m1",
        )
    repo.store_analysis(stored.version_id, extracted, analysis)
    return stored.version_id
