"""What the interface calls the product's codes: governments, flags, severities, dimensions, languages.

The codes are owned elsewhere (governments and languages by :mod:`miner.records`, flags and
dimensions by the rubric); this module only says how a page names them, in the request's language.
A code it does not know (a flag added to the rubric since) is shown readably rather than hidden.
Dimension names come from the rubric's own labels, which exist in every language of the interface.
"""

from __future__ import annotations

from functools import cache

from miner import caches
from miner.web.i18n import N_, current, gettext

GOVERNMENTS = {
    "federal": N_("Federal"),
    "flemish": N_("Flemish"),
    "walloon": N_("Walloon"),
    "brussels": N_("Brussels-Capital"),
    "fwb": N_("French Community"),
    "cocof": N_("COCOF"),
    "vgc": N_("VGC"),
    "ostbelgien": N_("German-speaking Community"),
}
FLAGS = {
    "ignores_migration_background": N_("Ignores the migration background"),
    "target_group_without_migrants": N_("Target groups without migrants"),
    "no_gender_lens": N_("No gender lens"),
    "no_measurable_targets": N_("No measurable targets"),
    "integration_centres_only": N_("Integration centres only"),
    "dropped_content": N_("Content dropped since the last version"),
}
SEVERITIES = {"high": N_("high"), "warning": N_("warning"), "info": N_("info")}
LANGUAGES = {
    "nl": N_("Dutch"),
    "fr": N_("French"),
    "de": N_("German"),
    "en": N_("English"),
    "other": N_("other"),
}
DOMAINS = {"employment": N_("employment"), "education": N_("education"), "integration": N_("integration")}


def _readable(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").capitalize()


def government(code: str | None) -> str:
    return "" if code is None else gettext(GOVERNMENTS[code]) if code in GOVERNMENTS else _readable(code)


def flag_title(code: str) -> str:
    return gettext(FLAGS[code]) if code in FLAGS else _readable(code)


def severity(code: str) -> str:
    return gettext(SEVERITIES[code]) if code in SEVERITIES else code


def language_name(code: str | None) -> str:
    if not code:
        return ""
    return gettext(LANGUAGES[code]) if code in LANGUAGES else code


def domain(code: str) -> str:
    return gettext(DOMAINS[code]) if code in DOMAINS else _readable(code)


def dimension(name: str) -> str:
    """The rubric's label of a dimension in the current language (its name if the rubric lacks it)."""
    return _dimension_label(name, current())


@cache
def _dimension_label(name: str, language: str) -> str:
    """Read from the rubric once per process (a new rubric is deployed with a restart)."""
    from miner.config import get_settings
    from miner.errors import ConfigError
    from miner.rubric import load_rubric, rubric_path

    try:
        found = load_rubric(rubric_path(get_settings().corpora_dir)).dimension(name)
    except (KeyError, ConfigError):
        return _readable(name)
    return found.label.get(language) or found.label.get("en") or _readable(name)


caches.register(_dimension_label.cache_clear)
