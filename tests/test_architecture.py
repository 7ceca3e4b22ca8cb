"""The layering docs/architecture.md promises, checked on the source (every import, also those inside
functions): data flows one way, so no stage imports a later one, and ``workers`` imports ``miner``
but never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Stages in the order data flows through them; a module may import its own stage or earlier ones.
STAGES: tuple[tuple[str, ...], ...] = (
    ("sources",),
    ("fetch",),
    ("extract",),
    ("analyse",),
    ("rubric", "scoring", "score"),
    ("pipeline",),
    ("store",),
    ("retry", "broker", "follow", "crawl", "recheck", "jobs"),
    ("changes", "alerts", "report", "watchlists", "evaluate", "evaluate_plans"),
    ("web", "cli", "__main__"),
)
#: Shared by every stage: records, errors, settings, task names, redaction, URL normal form.
BASE = {"records", "errors", "config", "tasknames", "redact", "miner", "fetch.urls"}


def _stage(module: str) -> int | None:
    """The stage index of ``miner.x.y``; ``None`` for the shared base."""
    rest = module.removeprefix("miner.").removeprefix("miner")
    if rest in BASE or rest == "" or ".".join(rest.split(".")[:2]) in BASE:
        return None
    top = rest.split(".")[0]
    if top in BASE:
        return None
    for i, names in enumerate(STAGES):
        if top in names:
            return i
    raise AssertionError(f"miner.{top} is in no stage of tests/test_architecture.py: add it")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            if node.module == "miner":
                found.extend(f"miner.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
    return found


def _sources(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _violations(name: str, targets: list[str]) -> list[str]:
    """What is wrong with module ``name`` importing ``targets``."""
    own = _stage(name)
    bad: list[str] = []
    for target in targets:
        if target == "workers" or target.startswith("workers."):
            bad.append(f"{name} imports {target}: miner never imports workers")
        if not (target == "miner" or target.startswith("miner.")):
            continue
        other = _stage(target)
        if own is None and other is not None:
            bad.append(f"{name} is shared by every stage but imports the stage module {target}")
        elif own is not None and other is not None and other > own:
            bad.append(f"{name} (stage {'/'.join(STAGES[own])}) imports a later stage: {target}")
    return bad


@pytest.mark.parametrize("path", _sources("miner"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_stage_imports_a_later_stage(path: Path) -> None:
    assert _violations(_module_name(path), _imports(path)) == []


def test_every_miner_package_has_a_stage() -> None:
    for path in _sources("miner"):
        _stage(_module_name(path))  # raises for a package nobody placed


def test_the_check_sees_violations() -> None:
    """The check is not vacuous: an extractor importing the store, records importing the scorer, and
    the store importing a worker task are each caught; the other direction is allowed."""
    assert _violations("miner.extract.html", ["miner.store.repository"])
    assert _violations("miner.records", ["miner.scoring"])
    assert _violations("miner.store.frontier", ["workers.tasks"])
    assert _violations("miner.store.frontier", ["miner.extract", "miner.records", "sqlalchemy"]) == []


#: The developers' guide keeps every module below this many lines: past it a module holds more than
#: one concern and is split (as ``miner/analyse/lexicon.py`` was into matching and ``lexicon_keys``).
MAX_MODULE_LINES = 500


def test_no_module_reaches_the_size_limit() -> None:
    too_long = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for package in ("miner", "workers")
        for p in _sources(package)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) >= MAX_MODULE_LINES
    ]
    assert not too_long, f"modules of {MAX_MODULE_LINES} lines or more: {too_long}"
