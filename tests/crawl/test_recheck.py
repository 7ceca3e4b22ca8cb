"""Re-checking known URLs a level at a time (miner.recheck), against a real server and a real store:
304s are settled together, a changed page and a page that leads further take the step's own path, a
failing server and a new URL are handed back for the ordinary step and its retries."""

from __future__ import annotations

from pathlib import Path

from httpserver import LocalSite, Reply, Seen
from test_crawl_scopes import FAST, TEXT, links, page

from miner import crawl
from miner.fetch.client import Fetcher
from miner.recheck import recheck_known
from miner.sources import parse_source
from miner.store import Outcome, open_repository

STAMP = {"last-modified": "Mon, 30 Nov 2026 10:00:00 GMT", "content-type": "text/html; charset=utf-8"}


def test_a_recheck_settles_304s_together_and_hands_back_what_it_cannot(tmp_path: Path) -> None:
    repo = open_repository(f"sqlite:///{tmp_path / 'store.db'}")
    state = {"changed": False, "broken": False}

    def conditional(body: bytes, name: str):  # type: ignore[no-untyped-def]
        def reply(seen: Seen) -> Reply:
            if name == "b" and state["broken"]:
                return Reply(503, b"busy")
            if name == "c" and state["changed"]:
                return Reply(200, body + b"<p>Gewijzigd.</p>", STAMP)
            if "if-modified-since" in seen.headers:
                return Reply(304, b"", STAMP)
            return Reply(200, body, STAMP)

        return reply

    with LocalSite() as site:
        names = ("a", "b", "c")
        site.route("/index", page(links(*(f"/p/{n}" for n in names))))
        for n in names:
            site.route(
                f"/p/{n}",
                conditional(f"<html><body><main><p>{n} {TEXT}</p></main></body></html>".encode(), n),
            )
        source = parse_source(
            {
                "id": "recheck",
                "name": "Recheck",
                "government": "flemish",
                "domains": ["employment"],
                "languages": ["nl"],
                "start_urls": [site.url("/index")],
                "scope": [site.url("/")],
                "cadence": "daily",
                "delay": 0,
            }
        )
        repo.upsert_source(source)
        with Fetcher(FAST, allow_private=True) as fetcher:
            for again in (False, True):
                if again:
                    state.update(changed=True, broken=True)
                run_id = repo.start_run(source.id)
                (index,) = crawl.seed(repo, source, run_id)
                children = crawl.fetch_step(repo, lambda _p: fetcher, index).children
                if again:
                    site.route("/p/d", page(TEXT))
                    children += tuple(
                        repo.enqueue_many(run_id, source.id, [(site.url("/p/d"), "document")], depth=1)
                    )
                results, rest = recheck_known(repo, lambda _p: fetcher, list(children), deadline=float("inf"))
                if not again:  # nothing fetched before: everything goes to the ordinary step
                    assert results == [] and rest == list(children)
                    for rid in rest:
                        crawl.fetch_step(repo, lambda _p: fetcher, rid)
    outcomes = {repo.work_item(r.run_url_id).url.rsplit("/", 1)[1]: r.outcome for r in results}  # type: ignore[union-attr]
    assert outcomes == {"a": Outcome.UNCHANGED, "c": Outcome.CHANGED}
    left = sorted(repo.work_item(r).url.rsplit("/", 1)[1] for r in rest)  # type: ignore[union-attr]
    assert left == ["b", "d"]  # the failing server and the new URL, for the step's retries
    states = {repo.work_item(r).state for r in rest}  # type: ignore[union-attr]
    assert states == {"queued"}
