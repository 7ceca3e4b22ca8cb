"""Extracting the interface's messages and merging them into the catalogues (a maintainer's tool).

The messages are those of the templates (``{{ _("...") }}``, ``{% trans %}``) and of the web code
(``gettext``, ``ngettext`` and the ``N_`` marker). :func:`update_catalogues` merges them into each
language's ``messages.po``, keeping the translations made and adding new messages untranslated;
:func:`missing_translations` is what the tests check.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from miner.web.i18n import LANGUAGES, LOCALES_DIR

WEB_DIR = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def extract() -> Catalog:
    """Every message of the web interface, with where it is used."""
    catalog = Catalog(project="policy-miner", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        WEB_DIR, METHODS, OPTIONS, KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _po(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    with _po(language).open("rb") as fh:
        return read_po(fh, locale=language)


def missing_translations(language: str) -> list[str]:
    """Messages of the interface that ``language``'s catalogue does not translate."""
    have = read_catalogue(language)
    missing = []
    for message in extract():
        if not message.id:
            continue
        found = have.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        texts = strings if isinstance(strings, tuple | list) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def update_catalogues() -> None:
    """Merge the extracted messages into every catalogue but English's (the source language)."""
    template = extract()
    for language in LANGUAGES[1:]:
        path = _po(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            catalog = read_catalogue(language)
        else:
            catalog = Catalog(locale=language, project="policy-miner", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        catalog.project, catalog.version = "policy-miner", ""
        catalog.copyright_holder = "the policy-miner authors"
        catalog.last_translator = catalog.language_team = "the policy-miner authors"
        catalog.header_comment = (
            f"# The web interface of policy-miner in {language} (python -m miner.web.catalogue)."
        )
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, no_location=True, sort_output=False, include_previous=False)


if __name__ == "__main__":  # a maintainer's tool: python -m miner.web.catalogue
    update_catalogues()
