"""What a served page must never hold, read with the standard library's HTML parser (the way a browser
tokenises it): scripts, event handlers, inline styles, non-http(s) links; and what it must hold:
one ``h1``, headings in order, a label for every control, a language."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset"}


@dataclass
class Audit:
    problems: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    lang: str | None = None
    h1: int = 0


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.audit = Audit()
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str | None]] = []
        self.label_depth = 0
        self.last_heading = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        problems = self.audit.problems
        if tag in ("script", "iframe", "object", "embed", "base", "meta") and not (
            tag == "meta" and ("charset" in a or a.get("name") == "viewport")
        ):
            problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                problems.append(f"inline style on <{tag}>")
            if name in ("href", "src", "action", "formaction", "data") and value is not None:
                v = value.strip().lower()
                if not (v.startswith(("/", "#", "?", "http://", "https://")) or v == ""):
                    problems.append(f"{name}={value!r} on <{tag}>")
                if name == "href":
                    self.audit.hrefs.append(value)
        if tag == "html":
            self.audit.lang = a.get("lang")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = int(tag[1])
            self.audit.h1 += level == 1
            if self.last_heading and level > self.last_heading + 1:
                problems.append(f"<{tag}> after <h{self.last_heading}>")
            self.last_heading = level
        if a.get("id"):
            if a["id"] in self.ids:
                problems.append(f"duplicate id {a['id']!r}")
            self.ids.add(a["id"] or "")
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        if tag in CONTROLS and not (tag == "input" and a.get("type") in UNLABELLED_INPUTS):
            self.controls.append((tag, a.get("id") if not self.label_depth else "(wrapped)"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth = max(0, self.label_depth - 1)


def audit(html: str) -> Audit:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    result = parser.audit
    for tag, ident in parser.controls:
        if ident != "(wrapped)" and (ident is None or ident not in parser.label_for):
            result.problems.append(f"<{tag} id={ident!r}> has no label")
    if result.h1 != 1:
        result.problems.append(f"{result.h1} <h1> elements")
    if not result.lang:
        result.problems.append("no lang on <html>")
    return result
