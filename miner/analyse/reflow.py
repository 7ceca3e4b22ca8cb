"""Rejoin the lines of a hard-wrapped plain text into its paragraphs.

Why: a plain-text document often arrives with one line per paragraph of the extractor: text copied
out of a PDF ends every line with a break (and sometimes a blank line), hyphenates words across
lines ("per-" / "sonen"). Analysed as it comes, every line is a paragraph: a sentence is cut in
two, "personen" is two non-words, and terms that belong to one paragraph are scored as if they
were far apart. The same text rejoined scores differently. Rejoining the lines first gives one
answer whatever the layout, and ``miner analyse FILE`` and ``miner analyse --jsonl`` (which both
read plain text through this step) agree.

A paragraph continues into the next when it does not end a sentence and the next one is not a
heading, and either the next starts in lower case, or this one ends with a hyphenated word, a
comma or a word that cannot end a sentence ("van de" / "Koning Boudewijnstichting"), or the text
is hard-wrapped (most of its paragraphs are short lines that end mid-sentence) and this one is a
full-width line ("met lessen" / "Nederlands als tweede taal"): a shorter line is a title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache

from miner import caches
from miner.records import Paragraph

#: Words after which a sentence cannot end (articles, prepositions, conjunctions), nl/fr/en/de.
_CONTINUING = (
    "de het een van in op met en of voor aan te tot om bij naar over door uit als dan dat die dit deze "
    "zijn haar hun onze ons mijn uw er ook niet wordt worden is zal zullen kan kunnen moet moeten "
    "le la les l un une des du d à au aux et ou pour dans sur par avec sans sous entre vers chez que "
    "qui dont est sont a ont sera seront peut doivent ne pas se sa son ses leur leurs notre nos votre "
    "the an of on at to for and or with by from as that this are be will "
    "der das ein eine und oder mit von zu im am für auf"
)
_CONTINUES = frozenset(_CONTINUING.split())
_ENDS_SENTENCE = re.compile(r"[.!?:;…]['\"»”’)\]]*$")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_FIRST_WORD = re.compile(r"^\W*(\w+)")
#: A list item ("- opleiding", "• taal", "3. werk", "b) onderwijs") starts its own paragraph.
_LIST_ITEM = re.compile(r"^([-–•*·▪]|\d{1,3}[.)]|[a-z][.)])\s")
#: A hyphen before these is a suspended compound ("arbeids- en onderwijsbeleid"), kept as such.
_CONJUNCTIONS = frozenset({"en", "of", "tot", "et", "ou", "und", "oder", "and", "or"})


#: A hard-wrapped line is at least this share of the text's usual line width; a shorter one is a title.
FULL_LINE = 0.75
#: Lines longer than this are paragraphs, not wrapped lines.
MAX_WRAP = 120


def wrap_width(paragraphs: Sequence[Paragraph]) -> int | None:
    """The usual line width of a hard-wrapped text (median length of its lines that end
    mid-sentence), or None when most paragraphs end a sentence or are too long to be lines."""
    body = [p.text.strip() for p in paragraphs if p.text != p.section and p.text.strip()]
    open_lines = sorted(len(t) for t in body if not _ENDS_SENTENCE.search(t))
    if len(body) < 4 or 2 * len(open_lines) < len(body):
        return None
    median = open_lines[len(open_lines) // 2]
    return median if median <= MAX_WRAP else None


def _continues(a: Paragraph, b: Paragraph, width: int | None) -> bool:
    """True when ``b`` continues ``a`` (``a`` is the last line read, not the paragraph built so far)."""
    if a.section != b.section or a.page != b.page or b.text == b.section or a.text == a.section:
        return False
    text, nxt = a.text.rstrip(), b.text.lstrip()
    if not text or not nxt or _ENDS_SENTENCE.search(text) or _LIST_ITEM.match(nxt):
        return False
    if nxt[0].islower() or _HYPHENATED.search(text) or text.endswith(","):
        return True
    last = text.rsplit(None, 1)[-1].lower().strip("'’\"(«")
    if last in _CONTINUES:
        return True
    return width is not None and len(text) >= FULL_LINE * width


def _join(a: str, b: str) -> str:
    a, b = a.rstrip(), b.lstrip()
    if _HYPHENATED.search(a) and b[:1].islower():
        m = _FIRST_WORD.match(b)
        if not (m and m.group(1).lower() in _CONJUNCTIONS) or _is_word(
            a.rsplit(None, 1)[-1][:-1] + m.group(1)
        ):
            return a[:-1] + b
    return a + " " + b


def _is_word(word: str) -> bool:
    """True when ``word`` is a known Dutch or French word form ("vrouw-" + "en" is "vrouwen")."""
    from miner.analyse.nlp import _folded_lemmas, fold

    w = fold(word.strip("'’\"(«"))
    return any(w in _folded_lemmas(lang) for lang in ("nl", "fr")) or w in _lemmas()


@cache
def _lemmas() -> frozenset[str]:
    """Every lemma of the Dutch and French tables (forms equal to their lemma are not keys there);
    built only when a hyphen before a conjunction needs it (~7 MB)."""
    from miner.analyse.nlp import _folded_lemmas

    return frozenset(_folded_lemmas("nl").values()) | frozenset(_folded_lemmas("fr").values())


caches.register(_lemmas.cache_clear)


def rejoin_lines(paragraphs: Sequence[Paragraph]) -> tuple[Paragraph, ...]:
    """Merge the paragraphs that continue one another (see the module docstring), renumbered.

    Paragraphs on different pages or under different headings are never merged, nor a heading.
    """
    width = wrap_width(paragraphs)
    out: list[Paragraph] = []
    last_line = ""
    for p in paragraphs:
        if out and _continues(replace(out[-1], text=last_line), p, width):
            out[-1] = replace(out[-1], text=_join(out[-1].text, p.text))
        else:
            out.append(p)
        last_line = p.text
    return tuple(replace(p, index=i) for i, p in enumerate(out))
