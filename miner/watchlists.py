"""Watchlists: named sets of terms (with Dutch and French variants) that mentions and alerts follow.

The library API other parts call (alerts, the web app):

- :func:`get_watchlist` ``(repo, name) -> Watchlist | None``;
- :func:`list_watchlists` ``(repo) -> list[tuple[str, int]]`` (name, number of terms);
- :func:`add_terms` ``(repo, name, terms) -> Watchlist``, :func:`remove_watchlist`;
- :func:`match_terms` ``(text, terms, language=None) -> list[Span]``: where the terms occur in a
  paragraph, with the folding and word forms of ``miner mentions`` (:mod:`miner.report.terms`), so
  an alert and a mention search agree on what counts.

A term is written ``inburgering`` (every language), ``nl:inburgering`` or ``fr:primo-arrivant``
(only paragraphs in that language).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from miner.errors import InputError
from miner.report.terms import Span, Term, find_spans, parse_term
from miner.store.repository import Repository
from miner.store.watchlists import StoredTerm

#: Longest watchlist name (the store's column).
MAX_NAME = 100

__all__ = [
    "Span",
    "Term",
    "Watchlist",
    "add_terms",
    "get_watchlist",
    "list_watchlists",
    "match_terms",
    "parse_term",
    "remove_watchlist",
]


@dataclass(frozen=True, slots=True)
class Watchlist:
    name: str
    terms: tuple[Term, ...]


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InputError(f"a watchlist name has 1 to {MAX_NAME} characters", subject=name[:MAX_NAME])
    return name


def get_watchlist(repo: Repository, name: str) -> Watchlist | None:
    """The watchlist ``name`` with its terms, or None when there is none by that name."""
    stored = repo.watchlist(name.strip())
    if stored is None:
        return None
    return Watchlist(stored.name, tuple(Term(t.term, t.language) for t in stored.terms))


def list_watchlists(repo: Repository) -> list[tuple[str, int]]:
    """Every watchlist's name and number of terms, by name."""
    return repo.watchlists()


def add_terms(repo: Repository, name: str, terms: Sequence[str | Term]) -> Watchlist:
    """Create ``name`` if needed and add ``terms`` (``"nl:inburgering"`` strings or :class:`Term`)."""
    parsed = [t if isinstance(t, Term) else parse_term(t) for t in terms]
    empty = [str(t) for t in parsed if not t.text.strip()]
    if empty or not parsed:
        raise InputError("give at least one non-empty term", subject=_check_name(name))
    stored = repo.add_watchlist_terms(_check_name(name), [StoredTerm(t.text, t.language) for t in parsed])
    return Watchlist(stored.name, tuple(Term(t.term, t.language) for t in stored.terms))


def remove_watchlist(repo: Repository, name: str, terms: Sequence[str | Term] = ()) -> int:
    """Remove ``terms`` from ``name``, or the whole watchlist without terms; how many terms went
    (-1 when there is no such watchlist)."""
    parsed = [t if isinstance(t, Term) else parse_term(t) for t in terms]
    return repo.remove_watchlist(name.strip(), [StoredTerm(t.text, t.language) for t in parsed])


def match_terms(text: str, terms: Iterable[Term | str], language: str | None = None) -> list[Span]:
    """Where ``terms`` occur in ``text`` (a paragraph in ``language``, "nl", "fr", ...): spans in
    order, each naming the term it matched (as written in the watchlist)."""
    return find_spans(text, [t if isinstance(t, Term) else parse_term(t) for t in terms], language)
