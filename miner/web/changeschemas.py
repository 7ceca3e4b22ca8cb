"""The API's shapes for versions, changes and source health: the same fields as ``miner history``,
``miner diff`` and ``miner health`` (built from :mod:`miner.changes`' dictionaries)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from miner.web.schemas import Evidence, Instant


class VersionOut(BaseModel):
    version: int = Field(description="1 for the first version stored, then 2, 3, ...")
    version_id: int
    fetched_at: Instant
    published: date | None
    content_hash: str = Field(description="SHA-256 of the bytes served.")
    title: str | None
    score: int | None
    flags: list[str]
    changed: bool | None = Field(
        description="The text differs from the version before (false: layout or date lines only; "
        "null: a side of a diff, or a text not known)."
    )
    link: str = Field(description="Permalink of the document as of this version.")


class Versions(BaseModel):
    document_id: int
    items: list[VersionOut]


class DiffParagraph(BaseModel):
    paragraph: int = Field(description="0-based index in its version (the old one for a removed paragraph).")
    page: int | None
    language: str
    text: str


class ChangedEvidence(Evidence):
    direction: str | None = None
    counted: bool = True


class Diff(BaseModel):
    document_id: int
    from_: VersionOut = Field(alias="from")
    to: VersionOut
    changed: bool = Field(description="False when the two versions say the same (layout or dates only).")
    score_before: int | None
    score_after: int | None
    score_change: int | None
    paragraphs_added: list[DiffParagraph]
    paragraphs_removed: list[DiffParagraph]
    flags_raised: list[str]
    flags_cleared: list[str]
    evidence_lost: list[ChangedEvidence]
    evidence_gained: list[ChangedEvidence]
    dropped_content: bool = Field(description="Counts as dropped content (docs/scoring.md).")

    model_config = {"populate_by_name": True}
