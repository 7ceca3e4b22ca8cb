"""Mention search over 100,000 stored paragraphs: SQLite (FTS5) and PostgreSQL (text search) side by side.

Run: ``.venv/bin/python bench/bench_mentions.py [--paragraphs 100000] [--repeat 15]`` (part of
``make bench``). Needs PostgreSQL on 127.0.0.1:5432 (database ``test``; the benchmark works in a
schema of its own, dropped at the end; ``MINER_TEST_POSTGRES_URL`` picks another server); SQLite
needs nothing. Uses nothing from ../shared.

What it does, for each store, in one run:
  1. stores ``--paragraphs`` paragraphs (20 per document, documents alternately Dutch and French,
     40-70 words each, drawn from a policy vocabulary with watch terms at realistic rates: a term in
     0.5-3 % of the paragraphs of its language), through the migrations' full-text indexes; on
     PostgreSQL then ``VACUUM ANALYZE``, what autovacuum does after a load: planner statistics, and
     the GIN indexes' pending lists merged (until then a search also reads up to 4 MB of pending
     entries per index);
  2. times what ``miner mentions TERM`` asks of the library, ``search_mentions`` (the first page of
     50 paragraphs with their keyword in context, and the totals), ``--repeat`` times per term after
     one warm-up, and prints the median per term and the median over the watch terms (target: under
     50 ms on both);
  3. times, apart, a common word ("werk", in ~30 % of Dutch paragraphs) and a stop word ("de", in
     nearly every Dutch paragraph: PostgreSQL does not index it and scans), which are not what the
     target is about but show the worst cases.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "store"))

import bulk  # noqa: E402

from miner.report.mentions import search_mentions  # noqa: E402
from miner.store import Repository, db, open_repository  # noqa: E402
from miner.store.base import PARAGRAPHS, VERSIONS  # noqa: E402

POSTGRES_URL = os.environ.get("MINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PER_DOCUMENT = 20
#: Watch terms: (term, language, rate among that language's paragraphs, forms written in the text).
WATCH = (
    ("inburgering", "nl", 0.01, ("inburgering", "inburgeringstraject", "inburgeringsattest")),
    ("migratieachtergrond", "nl", 0.02, ("migratieachtergrond", "migratieachtergrond")),
    ("personen met een migratieachtergrond", "nl", 0.01, ("personen met een migratieachtergrond",)),
    ("nieuwkomers", "nl", 0.01, ("nieuwkomers", "nieuwkomer")),
    ("intégration", "fr", 0.03, ("intégration", "intégrer", "intégrée", "integration")),
    ("primo-arrivants", "fr", 0.005, ("primo-arrivants", "primo-arrivant")),
    ("discrimination", "fr", 0.01, ("discrimination", "discriminations")),
)
EXTREMES = ("werk", "de")
NL = [
    "de",
    "het",
    "een",
    "van",
    "en",
    "in",
    "op",
    "met",
    "voor",
    "te",
    "is",
    "dat",
    "die",
    "aan",
    "worden",
    "wordt",
    "door",
    "bij",
    "ook",
    "naar",
    "om",
    "als",
    "zijn",
    "we",
    "regering",
    "beleid",
    "onderwijs",
    "werkzoekenden",
    "opleiding",
    "scholen",
    "leerlingen",
    "arbeidsmarkt",
    "begeleiding",
    "ondersteuning",
    "middelen",
    "jaar",
    "plan",
    "doelstelling",
    "resultaten",
    "werkgevers",
    "sector",
    "kwaliteit",
    "minister",
]
FR = [
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "et",
    "en",
    "un",
    "une",
    "pour",
    "dans",
    "sur",
    "par",
    "au",
    "aux",
    "est",
    "sont",
    "que",
    "qui",
    "avec",
    "plus",
    "nous",
    "gouvernement",
    "politique",
    "emploi",
    "formation",
    "enseignement",
    "élèves",
    "écoles",
    "marché",
    "travail",
    "accompagnement",
    "moyens",
    "année",
    "plan",
    "objectif",
    "résultats",
    "employeurs",
    "secteur",
    "qualité",
    "ministre",
    "région",
]


def _filler(rng: random.Random) -> str:
    """A made-up word: the vocabulary of 100,000 paragraphs is large, as in real documents."""
    return "".join(rng.choice("bcdfghklmnprstvw") + rng.choice("aeiou") for _ in range(rng.randint(2, 5)))


def paragraph(rng: random.Random, language: str) -> str:
    words = NL if language == "nl" else FR
    out = [rng.choice(words) if rng.random() < 0.7 else _filler(rng) for _ in range(rng.randint(40, 70))]
    if language == "nl" and rng.random() < 0.3:
        out[rng.randrange(len(out))] = "werk"
    for _term, lang, rate, forms in WATCH:
        if lang == language and rng.random() < rate:
            out.insert(rng.randrange(len(out)), rng.choice(forms))
    return " ".join(out).capitalize() + "."


def fill(repo: Repository, paragraphs: int) -> None:
    documents = paragraphs // PER_DOCUMENT
    bulk.fill(repo.engine, documents)
    rng = random.Random(7)
    with repo.engine.begin() as conn:
        for year in range(10):  # publication dates, so that rows carry them as real ones do
            conn.execute(
                update(VERSIONS).where(VERSIONS.c.id % 10 == year).values(published=date(2016 + year, 6, 1))
            )
    for lo in range(1, documents + 1, 250):
        rows = []
        for version in range(lo, min(documents + 1, lo + 250)):
            language = "nl" if version % 2 else "fr"
            rows += [
                {
                    "version_id": version,
                    "idx": i,
                    "page": 1 + i // 4,
                    "language": language,
                    "text": paragraph(rng, language),
                }
                for i in range(PER_DOCUMENT)
            ]
        with repo.engine.begin() as conn:
            conn.execute(PARAGRAPHS.insert(), rows)


def timed(repo: Repository, term: str, repeat: int) -> tuple[float, int]:
    page = search_mentions(repo, [term])  # warm-up (and the figures printed)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        search_mentions(repo, [term])
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, page.total_paragraphs


def run(label: str, url: str, paragraphs: int, repeat: int) -> dict[str, tuple[float, int]]:
    repo = open_repository(url)
    start = time.perf_counter()
    fill(repo, paragraphs)
    if repo.engine.dialect.name == "postgresql":
        with repo.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    print(f"{label}: {paragraphs:,} paragraphs stored and indexed in {time.perf_counter() - start:.1f} s")
    return {term: timed(repo, term, repeat) for term in [w[0] for w in WATCH] + list(EXTREMES)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results: dict[str, dict[str, tuple[float, int]]] = {}
    schema = f"bench_mentions_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        results["PostgreSQL"] = run(
            "PostgreSQL", f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", args.paragraphs, args.repeat
        )
    finally:
        db.engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run("SQLite", f"sqlite:///{tmp}/store.db", args.paragraphs, args.repeat)

    print(f"\nsearch_mentions: first page of 50 paragraphs + totals; median of {args.repeat} runs, ms")
    print(f"{'term':40} {'paragraphs':>10} {'SQLite':>9} {'PostgreSQL':>11}")
    for term in [w[0] for w in WATCH] + list(EXTREMES):
        sq, pg = results["SQLite"][term], results["PostgreSQL"][term]
        note = "   (not a watch term: worst case)" if term in EXTREMES else ""
        hits = f"{sq[1]}" + ("" if sq[1] == pg[1] else f"/{pg[1]}")
        print(f"{term:40} {hits:>10} {sq[0]:9.1f} {pg[0]:11.1f}{note}")
    medians = {k: statistics.median(v[t][0] for t in [w[0] for w in WATCH]) for k, v in results.items()}
    verdict = "OK" if max(medians.values()) < 50 else "OVER"
    print(
        f"{'median over the watch terms':40} {'':>10} {medians['SQLite']:9.1f} {medians['PostgreSQL']:11.1f}"
        f"   (target < 50 ms on both: {verdict})"
    )


if __name__ == "__main__":
    main()
