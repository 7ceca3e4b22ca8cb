"""Store records turned into the API's shapes, which the pages render too (one conversion for both)."""

from __future__ import annotations

from typing import Any

from miner.changes import SourceCheck
from miner.store.browse import DocumentFilter, Listing
from miner.store.detail import DocumentDetail, SourceHealth, VersionRow
from miner.store.reviews import Review, ReviewDecision
from miner.web import labels, schemas


def document_link(document_id: int, version_id: int | None = None) -> str:
    """The page of a document; with ``version_id``, the permalink of the document as of that version."""
    return f"/documents/{document_id}" + (f"?version={version_id}" if version_id is not None else "")


def filters(p: schemas.ListParams) -> DocumentFilter:
    return DocumentFilter(
        government=p.government,
        source=p.source,
        domain=p.domain,
        language=p.language,
        published_from=p.published_from,
        published_to=p.published_to,
        score_min=p.score_min,
        score_max=p.score_max,
        flag=p.flag,
        flagged=p.flagged,
        text=p.q,
    )


def item(d: Listing) -> schemas.DocumentItem:
    return schemas.DocumentItem(**d.as_dict(), link=document_link(d.id))


def review(r: Review) -> schemas.Review:
    return schemas.Review(**r.as_dict())


def _evidence(items: Any) -> list[schemas.Evidence]:
    return [schemas.Evidence.model_validate(e) for e in items or ()]


def _version(v: VersionRow, document_id: int, current_id: int | None) -> schemas.Version:
    return schemas.Version(
        id=v.id,
        content_hash=v.content_hash,
        size=v.size,
        content_type=v.content_type,
        kind=v.kind,
        title=v.title,
        published=v.published,
        fetched_at=v.fetched_at,
        current=v.id == current_id,
        link=document_link(document_id, v.id),
    )


def in_force(reviews: tuple[Review, ...] | list[Review]) -> dict[str, Review]:
    """The review in force (the latest) of each flag."""
    latest: dict[str, Review] = {}
    for r in sorted(reviews, key=lambda r: r.id):
        latest[r.flag_code] = r
    return latest


def document(d: DocumentDetail) -> schemas.DocumentOut:
    a = d.analysis
    v = d.version
    latest = in_force(d.reviews)
    flags = []
    for f in a.flags if a else ():
        r = latest.get(f.code)
        flags.append(
            schemas.Flag(
                code=f.code,
                title=labels.flag_title(f.code),
                severity=f.severity,
                reason=f.reason,
                evidence=_evidence(f.evidence),
                dismissed=r is not None and r.decision == ReviewDecision.DISMISSED,
                review=review(r) if r else None,
            )
        )
    dimensions = [
        schemas.Dimension(
            name=name,
            label=labels.dimension(name),
            score=int(value.get("score", 0)),
            reason=str(value.get("reason", "")),
            evidence=_evidence(value.get("evidence")),
        )
        for name, value in (a.dimensions.items() if a else ())
        if isinstance(value, dict)
    ]
    detail = a.detail if a else {}
    return schemas.DocumentOut(
        id=d.id,
        url=d.url,
        permalink=document_link(d.id, v.id if v else None),
        title=(a.title if a and a.title else (v.title if v else None)),
        government=d.government,
        source_id=d.source_id,
        source_name=d.source_name,
        language=a.language if a else None,
        published=v.published if v else None,
        kind=(a.kind if a and a.kind else (v.kind if v else None)),
        score=a.score if a else None,
        relevance=a.relevance if a else None,
        migrant=a.migrant if a else None,
        domains=list(detail.get("domains") or ()),
        language_mix={str(k): float(x) for k, x in (detail.get("language_mix") or {}).items()},
        page_count=detail.get("page_count"),
        rubric_version=a.rubric_version if a else None,
        model_version=a.model_version if a else None,
        analysed_at=a.computed_at if a else None,
        error=a.error if a else None,
        version=_version(v, d.id, d.current_version_id) if v else None,
        versions=[_version(x, d.id, d.current_version_id) for x in d.versions],
        version_count=d.version_count,
        dimensions=dimensions,
        flags=flags,
        evidence=_evidence(a.evidence if a else ()),
        chapters=[schemas.Chapter.model_validate(s) for s in (a.sections if a else ())],
        reviews=[review(r) for r in d.reviews],
    )


def source(s: SourceHealth, check: SourceCheck | None = None) -> schemas.Source:
    last = None
    if s.last_run_id is not None:
        last = schemas.LastRun(
            id=s.last_run_id,
            started_at=s.last_run_started,
            finished_at=s.last_run_finished,
            error=s.last_run_error,
            failed_urls=s.last_run_failed_urls,
            pending_urls=s.last_run_pending_urls,
        )
    return schemas.Source(
        id=s.id,
        name=s.name,
        government=s.government,
        domains=list(s.domains),
        cadence=s.cadence,
        status=s.status,
        documents=s.documents,
        failures=s.failures,
        last_run=last,
        last_failure=s.last_failure,
        health=schemas.SourceCheck(
            last_success=check.last_success,
            found_per_run=list(check.found_per_run),
            warnings=list(check.warnings),
        )
        if check is not None
        else None,
    )


def filters_flagged() -> DocumentFilter:
    return DocumentFilter(flagged=True)
