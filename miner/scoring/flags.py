"""Flags a watchdog publishes, each raised with the quoted sentences that raised it.

Every rule reads lexicon matches only (never the passage classifier), so that a flag can be
defended from its quotes and a faithful translation gets the same flags. The codes are
:class:`miner.rubric.FlagCode`; docs/scoring.md explains each rule and its aggregation over
chapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from miner.records import Evidence, Flag
from miner.rubric import FlagCode, Rubric
from miner.scoring.units import (
    EXCLUDING,
    GENERIC,
    SHOWN,
    TIED,
    DimResult,
    Item,
    Par,
    direction_of,
    evidence_list,
    tied,
)


class Default(dict[str, str]):
    """format_map helper: a placeholder the rule does not fill stays visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class Mentions:
    """The group as one unit's text speaks of it."""

    group: tuple[Item, ...]  # counting mentions that do not exclude the group
    excluding: tuple[Item, ...]  # sentences saying the group is not covered
    migration: bool  # the text speaks of migration or the group at all (even descriptively)


def mentions(rubric: Rubric, pars: Sequence[Par]) -> Mentions:
    group: list[Item] = []
    excluding: list[Item] = []
    migration = False
    for par in pars:
        for m in par.matches:
            if m.false_friend is not None:
                continue
            if m.category == "group":
                d = direction_of(par, m)
                if d == EXCLUDING:
                    excluding.append(Item(par, m, d, SHOWN))
                elif m.counts:
                    group.append(Item(par, m, d, TIED))
            if m.counts and (m.category in rubric.scope.mentions or m.specific):
                migration = True  # a migrant-specific indicator speaks of the group too
    return Mentions(tuple(group), tuple(excluding), migration or bool(group))


def _counting(pars: Sequence[Par], cats: Sequence[str]) -> list[Item]:
    return [
        Item(p, m, direction_of(p, m), GENERIC)
        for p in pars
        for m in p.matches
        if m.category in cats and m.counts
    ]


def unit_flags(
    rubric: Rubric, pars: Sequence[Par], results: dict[str, DimResult], domains: Sequence[str]
) -> list[Flag]:
    """The flags of one unit (a passage, a chapter, or all in-scope chapters together)."""
    flags: list[Flag] = []
    limit = rubric.evidence.max_per_flag
    window = rubric.cooccurrence.paragraph_window
    in_scope = [d for d in domains if d in rubric.scope.watched]
    said = mentions(rubric, pars)

    def add(code: FlagCode, items: Sequence[Item], dim: str, **fmt: str) -> None:
        rule = rubric.flag(code)
        if rule is None:
            return
        reason = rule.reason.format_map(Default(fmt))
        flags.append(Flag(code, rule.severity, reason, evidence_list(dim, items, rubric, limit)))

    # 1. the text says the group is not covered
    if said.excluding:
        add(FlagCode.EXCLUDES_MIGRANTS, said.excluding, "recognition")

    # 2. sets out employment or education measures for disadvantaged groups or target groups and
    #    never mentions migration or the group (not even to exclude it). The measures are employment
    #    or education measures when the unit is in scope, or when the measure's own sentence holds
    #    a domain term (the rule that lets a generic mention count 50 outside a domain unit): a
    #    passage on deprived neighbourhoods "door in te zetten op wonen, onderwijs, werk" is one.
    if not said.migration and not said.excluding:
        triggers = _counting(pars, rubric.scope.disadvantaged)
        where = in_scope
        if not in_scope:
            sentence_domains = [
                dom
                for dom, cats in rubric.scope.domains
                if dom in rubric.scope.watched
                and any(tied(i.par, i.match, cats, "sentence", 0) for i in triggers)
            ]
            watched_cats = [c for dom, cats in rubric.scope.domains if dom in sentence_domains for c in cats]
            triggers = [i for i in triggers if tied(i.par, i.match, watched_cats, "sentence", 0)]
            where = [f"{', '.join(sentence_domains)}: in the measure's own sentence"]
        if triggers:
            add(FlagCode.IGNORES_MIGRATION_BACKGROUND, triggers, "recognition", domains=", ".join(where))

    # 3. target-group instruments without migrants, or without measuring their effect on them
    tg = results.get("target_group")
    if tg is not None and tg.score > 0:
        strong = tg.at(TIED)
        if not strong:
            add(
                FlagCode.TARGET_GROUP_WITHOUT_MIGRANTS,
                tg.at(GENERIC),
                "target_group",
                detail="never name migrants",
            )
        elif not any(tied(i.par, i.match, ("targets_monitoring",), "paragraph", window) for i in strong):
            add(
                FlagCode.TARGET_GROUP_WITHOUT_MIGRANTS,
                strong,
                "target_group",
                detail="name migrants but do not measure their effect on them",
            )

    # 4. no gender lens where the group is addressed
    if said.group and not any(tied(i.par, i.match, ("gender",), "paragraph", window) for i in said.group):
        add(FlagCode.NO_GENDER_LENS, said.group, "recognition")

    # 5. no quantified objective in a text that is in scope or about the group (a question asking
    #    for figures sets no target)
    if in_scope or said.group:
        monitoring = _counting(pars, ("targets_monitoring",))
        quantified = [
            i
            for i in monitoring
            if i.match.indicator in ("quantified", "targets")
            and "?" not in i.par.tokens.sentence_text(i.match.sent)
        ]
        if not quantified:
            add(FlagCode.NO_MEASURABLE_TARGETS, monitoring, "targets_monitoring")

    # 6. the group appears only beside integration centres and courses
    if said.group:
        with_group = {i.par.pos for i in said.group}
        services = _counting(pars, ("integration_services",))
        served = {i.par.pos for i in services}
        other_full = any(r.score == 100 for name, r in results.items() if name != "recognition")
        if with_group <= served and not other_full:
            add(FlagCode.INTEGRATION_CENTRES_ONLY, services, "recognition")
    return flags


def merge_chapter_flags(rubric: Rubric, per_chapter: Sequence[tuple[str, Sequence[Flag]]]) -> list[Flag]:
    """One flag per code for the flags whose rule aggregates over chapters ("any_chapter"): raised
    when any in-scope chapter raises it, quoting each such chapter in turn."""
    out: list[Flag] = []
    for rule in rubric.flags:
        if rule.aggregate != "any_chapter":
            continue
        raised = [(title, f) for title, fl in per_chapter for f in fl if f.code == rule.code]
        if not raised:
            continue
        if len(raised) == 1:
            title, f = raised[0]
            reason = f"{f.reason} (chapter: {title})" if title else f.reason
        else:
            titles = "; ".join(t or "(untitled)" for t, _ in raised)
            reason = f"{raised[0][1].reason} ({len(raised)} chapters: {titles})"
        quotes: list[Evidence] = []
        depth = 0
        limit = rubric.evidence.max_per_flag
        while len(quotes) < limit and any(depth < len(f.evidence) for _, f in raised):
            quotes += [
                e
                for _, f in raised
                if depth < len(f.evidence) and (e := f.evidence[depth]).text not in {q.text for q in quotes}
            ]
            depth += 1
        out.append(Flag(rule.code, rule.severity, reason, tuple(quotes[:limit])))
    return out
