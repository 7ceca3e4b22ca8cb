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
    ("pipeline", "analyser"),
    ("store",),
    ("retry", "broker", "follow", "crawl", "recheck", "jobs"),
    ("changes", "alerts", "report", "watchlists", "evaluate", "evaluate_plans", "evaluate_reviews"),
    ("web", "cli", "__main__"),
)
#: Shared by every stage: records, errors, settings, task names, redaction, URL normal form.
BASE = {"records", "errors", "config", "caches", "tasknames", "redact", "miner", "fetch.urls"}


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


# --- settings: read by the entry points, handed down to the stages -----------------------------------

#: Stages that get their settings from their caller (an Analyser, Limits, a Settings argument), never
#: from the process-wide accessor: what ``run_sources(settings=...)`` is given must reach them.
HANDED_DOWN = ("sources", "fetch", "extract", "analyse", "rubric", "scoring", "score", "pipeline", "analyser")
#: Command-line entry points inside a stage (``python -m ...``) may read the settings, like the CLI.
ENTRY_POINTS = {("miner.analyse.train", "main")}


def _settings_reads(source: str, module: str) -> list[str]:
    """Where ``source`` calls ``get_settings()`` or builds ``Settings()`` from the environment, outside
    the allowed entry points (``Settings.model_construct()``, the documented defaults, is no read)."""
    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.Call):
                f = child.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if name in ("get_settings", "Settings") and (module, function) not in ENTRY_POINTS:
                    found.append(f"{module}:{child.lineno} calls {name}() in {function or 'the module'}")
            visit(child, function)

    visit(ast.parse(source), "")
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in _sources("miner") if [*_module_name(p).split("."), ""][1] in HANDED_DOWN],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_stage_reads_the_global_settings(path: Path) -> None:
    """Only config, the command line, the workers, the web app's construction and code given a
    ``Settings`` read them; a stage takes what it needs from its caller."""
    assert _settings_reads(path.read_text(encoding="utf-8"), _module_name(path)) == []


def test_the_settings_check_sees_reads() -> None:
    """Not vacuous: a call at module level, in a method, through the module, or a fresh Settings()
    is caught; a Settings handed in, the documented defaults and the entry points are not."""
    code = (
        "from miner.config import get_settings, Settings\n"
        "import miner.config as config\n"
        "CAP = get_settings().max_text_chars\n"
        "class A:\n    def m(self):\n        return config.get_settings()\n"
        "def f():\n    return Settings()\n"
        "def g(settings: Settings):\n    return settings.ocr, Settings.model_construct()\n"
    )
    assert len(_settings_reads(code, "miner.extract.x")) == 3
    assert _settings_reads("def main():\n    get_settings()\n", "miner.analyse.train") == []


# --- caches: every memo is cleared by miner.reset_caches() --------------------------------------------

_MEMOS = {"cache", "lru_cache"}


def _memoised_and_registered(source: str) -> tuple[set[str], set[str]]:
    """Functions memoised with functools in ``source``, and those it registers with ``miner.caches``
    (``caches.register(f.cache_clear)``, also in a loop over a tuple of such functions)."""
    tree = ast.parse(source)
    memoised: set[str] = set()
    registered: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                target = d.func if isinstance(d, ast.Call) else d
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
                if name in _MEMOS:
                    memoised.add(node.name)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "register" and node.args:
            arg = node.args[0]
            if (
                isinstance(arg, ast.Attribute)
                and arg.attr == "cache_clear"
                and isinstance(arg.value, ast.Name)
            ):
                registered.add(arg.value.id)
        if (
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Tuple)
            and any(
                getattr(c.func, "attr", "") == "register" for c in ast.walk(node) if isinstance(c, ast.Call)
            )
        ):
            registered.update(e.id for e in node.iter.elts if isinstance(e, ast.Name))
    return memoised, registered


@pytest.mark.parametrize(
    "path", _sources("miner") + _sources("workers"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_cache_is_cleared_by_reset_caches(path: Path) -> None:
    memoised, registered = _memoised_and_registered(path.read_text(encoding="utf-8"))
    assert memoised <= registered, f"register with miner.caches: {sorted(memoised - registered)}"


def test_reset_caches_clears_what_was_memoised(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings are read again, and a memoised table is rebuilt, after one call."""
    from miner import reset_caches
    from miner.analyse.language import _full
    from miner.config import get_settings

    _full()
    before = get_settings()
    monkeypatch.setenv("MINER_MAX_PARAGRAPHS", "7")
    assert get_settings() is before
    reset_caches()
    assert get_settings().max_paragraphs == 7 and _full.cache_info().currsize == 0
    monkeypatch.undo()
    reset_caches()
    assert get_settings().max_paragraphs == before.max_paragraphs
