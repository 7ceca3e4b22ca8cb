"""The source registry: the shipped Belgian sources, strict validation, and ``miner sources``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpserver import LocalSite, Reply
from typer.testing import CliRunner

import miner.cli.sources  # noqa: F401  (registers the command)
from miner.cli import app
from miner.errors import ConfigError
from miner.fetch.urls import in_scope
from miner.records import DOMAINS, GOVERNMENTS, SOURCE_KINDS
from miner.sources import load_sources

REGISTRY = Path(__file__).resolve().parent.parent / "corpora" / "sources"

GOOD = """
[[source]]
id = "vdab"
name = "VDAB"
government = "flemish"
domains = ["employment"]
languages = ["nl"]
start_urls = ["https://www.vdab.be/trends"]
scope = ["https://www.vdab.be/"]
cadence = "weekly"
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped registry --------------------------------------------------------------------------------


def test_the_registry_covers_every_government_and_domain() -> None:
    sources = load_sources(REGISTRY)
    assert len(sources) >= 25
    assert {s.government for s in sources} == set(GOVERNMENTS)
    assert {d for s in sources for d in s.domains} == set(DOMAINS)
    assert len({s.id for s in sources}) == len(sources)
    for s in sources:
        assert all(u.startswith("https://") for u in s.start_urls + s.scope), s.id
        assert all(in_scope(s, u) for u in s.start_urls), s.id


def test_the_registry_reaches_every_government_through_several_kinds() -> None:
    """Issue 10: at least three sources per government, ten or more read as feeds, sitemaps or APIs
    (the official journal and the Flemish Parliament among them), both national languages and German,
    and a notes line per source saying what it publishes and how it was checked."""
    sources = load_sources(REGISTRY)
    for government in GOVERNMENTS:
        assert len([s for s in sources if s.government == government]) >= 3, government
    kinds = {s.id: s.kind for s in sources}
    assert len([k for k in kinds.values() if k != "crawl"]) >= 10
    assert kinds["moniteur-belge"] == "api:moniteur" and kinds["vlaams-parlement"] == "api:vlaams-parlement"
    assert kinds["kamer-qrva"] == "api:kamer"
    languages = {lang for s in sources for lang in s.languages}
    assert {"nl", "fr", "de"} <= languages
    assert all("de" in s.languages for s in sources if s.government == "ostbelgien")
    assert all(len(s.notes) > 40 for s in sources), [s.id for s in sources if len(s.notes) <= 40]
    assert not {"bon", "fod-economie-nhp"} & set(kinds)  # merged into other publishers


def test_sources_json_shows_each_kind() -> None:
    result = runner.invoke(app, ["sources", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(r["kind"] in SOURCE_KINDS for r in rows)
    assert {r["id"]: r["api"] for r in rows}["moniteur-belge"]["days"] == 3


def test_default_path_is_the_corpora_folder() -> None:
    assert [s.id for s in load_sources()] == [s.id for s in load_sources(REGISTRY)]


def test_a_single_file_loads_with_defaults(tmp_path: Path) -> None:
    (source,) = load_sources(write(tmp_path, GOOD))
    assert (source.id, source.cadence, source.delay, source.document_types[0]) == (
        "vdab",
        "weekly",
        2.0,
        "pdf",
    )
    assert source.scope == ("https://www.vdab.be/",)


# --- one reader, one scope test ------------------------------------------------------------------------


def test_a_start_url_with_the_default_port_is_inside_its_scope(tmp_path: Path) -> None:
    """The registry and the crawler use one scope test over canonical URLs: ``:443`` is the default."""
    text = GOOD.replace("https://www.vdab.be/trends", "https://WWW.vdab.be:443/trends/a.pdf")
    (source,) = load_sources(write(tmp_path, text))
    assert source.start_urls == ("https://www.vdab.be/trends/a.pdf",)
    assert in_scope(source, "https://www.vdab.be:443/trends/a.pdf")
    assert in_scope(source, "https://www.vdab.be/trends/a.pdf")
    assert not in_scope(source, "https://www.vdab.be:8443/trends/a.pdf")
    assert not hasattr(source, "in_scope")  # no second scope test on the record


def test_the_store_reads_sources_through_the_registry_reader(tmp_path: Path) -> None:
    from sqlalchemy import update

    from miner.store import open_repository
    from miner.store.models import SourceRow

    (source,) = load_sources(write(tmp_path, GOOD))
    repo = open_repository(f"sqlite:///{tmp_path / 'miner.db'}")
    repo.upsert_source(source)
    assert repo.get_source("vdab") == source
    broken = {**source_config(source), "government": "narnia"}
    with repo.engine.begin() as conn:
        conn.execute(update(SourceRow.__table__).values(config=broken))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="government"):
        repo.get_source("vdab")


def source_config(source: object) -> dict[str, object]:
    from dataclasses import asdict

    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(source).items()}  # type: ignore[call-overload]


# --- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        (('government = "flemish"', 'government = "wallonia"'), "government", "not one of"),
        (('start_urls = ["https://www.vdab.be/trends"]', "start_urls = []"), "start_urls", "at least one"),
        (
            ('start_urls = ["https://www.vdab.be/trends"]', 'start_urls = ["https://www.forem.be/x"]'),
            "start_urls",
            "outside the source's own scope",
        ),
        (('cadence = "weekly"', 'cadence = "sometimes"'), "cadence", "hourly, daily, weekly, monthly"),
        (('cadence = "weekly"', 'cadence = "cron: 99 banana"'), "cadence", "cron"),
        (('cadence = "weekly"', 'cadence = "weekly"\nfrequency = 3'), "frequency", "unknown key"),
        (('cadence = "weekly"', 'cadence = "weekly"\nallow_private = true'), "allow_private", "private"),
        (('cadence = "weekly"', 'cadence = "weekly"\ndelay = "slow"'), "delay", "number"),
        (('cadence = "weekly"', 'cadence = "weekly"\nmax_depth = 2.5'), "max_depth", "integer"),
        (('domains = ["employment"]', 'domains = ["health"]'), "domains", "health"),
        (('languages = ["nl"]', 'languages = ["xx"]'), "languages", "xx"),
        (('scope = ["https://www.vdab.be/"]', 'scope = ["file:///etc/"]'), "scope", "http(s)"),
        (('id = "vdab"', 'id = "VDAB!"'), "id", "a-z"),
        (('name = "VDAB"\n', ""), "name", "required"),
    ],
)
def test_invalid_sources_name_file_source_and_key(
    tmp_path: Path, change: tuple[str, str], key: str, fragment: str
) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new), "flemish.toml")
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    text = str(info.value)
    assert "flemish.toml" in text and f"key {key!r}" in text and fragment in text, text


def test_cron_cadence_is_accepted(tmp_path: Path) -> None:
    (source,) = load_sources(write(tmp_path, GOOD.replace('"weekly"', '"cron:  0 6 * * mon-fri"')))
    assert source.cadence == "cron: 0 6 * * mon-fri"


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(ConfigError, match="duplicate id") as info:
        load_sources(tmp_path)
    assert "b.toml" in str(info.value) and "a.toml" in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("[[source]\nid=", "not valid TOML"), ("title = 'x'\n", "unknown top-level"), ("", "no [[source]]")],
)
def test_broken_files(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[")):
        load_sources(write(tmp_path, text))


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such"):
        load_sources(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"no \*\.toml"):
        load_sources(tmp_path)


# --- the command -----------------------------------------------------------------------------------------

runner = CliRunner()


def test_sources_lists_the_registry() -> None:
    result = runner.invoke(app, ["sources", "--path", str(REGISTRY)])
    assert result.exit_code == 0, result.output
    for sid in ("vdab", "le-forem", "actiris", "enseignement-be", "adg", "cocof", "vgc", "kamer"):
        assert sid in result.output
    data = json.loads(runner.invoke(app, ["sources", "--path", str(REGISTRY), "--format", "json"]).output)
    assert len(data) == len(load_sources(REGISTRY))
    assert {"id", "government", "domains", "languages", "cadence", "start_urls"} <= set(data[0])


def test_sources_check(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["sources", "--check", "--path", str(REGISTRY)])
    assert ok.exit_code == 0 and "ok:" in ok.output
    bad = runner.invoke(
        app, ["sources", "--check", "--path", str(write(tmp_path, GOOD.replace("weekly", "x")))]
    )
    assert bad.exit_code == 2 and "cadence" in bad.output  # a configuration error, as everywhere


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as s:
        s.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /closed/\nCrawl-delay: 1\n"))
        yield s
