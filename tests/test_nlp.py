"""Tokens, lemma keys and sentences (``miner.analyse.nlp``)."""

from __future__ import annotations

import pytest
import spacy

from miner.analyse.nlp import fold, tokenize

NL = "De kinderen van migranten in de gemeenten. Inburgeringstrajecten voor nieuwkomers! Het gaat om 3,5 %, d.w.z. veel."
FR = "L'intégration des primo-arrivants ne tient pas compte des réfugiés. Les refugies et les élèves allophones."


@pytest.mark.parametrize(("text", "lang"), [(NL, "nl"), (FR, "fr")])
def test_tokens_are_spacys_tokens_with_offsets(text: str, lang: str) -> None:
    """Our tokenizer drops spaCy's lexical attributes for speed; the tokens must not change."""
    expected = [(t.text, t.idx) for t in spacy.blank(lang).tokenizer(text)]
    tokens = tokenize(text, lang)
    assert list(zip(tokens.words, tokens.starts, strict=True)) == expected
    assert all(text[s:e] == w for w, s, e in zip(tokens.words, tokens.starts, tokens.ends, strict=True))


def test_dutch_plurals_and_compounds_get_lemma_keys() -> None:
    keys = dict(zip(tokenize(NL, "nl").words, tokenize(NL, "nl").keys, strict=True))
    assert keys["kinderen"] == "kind" and keys["migranten"] == "migrant" and keys["gemeenten"] == "gemeente"
    assert keys["nieuwkomers"] == "nieuwkomer"
    assert keys["Inburgeringstrajecten"] == "inburgeringstraject"


def test_french_keys_are_folded_so_accent_stripped_text_matches() -> None:
    tokens = tokenize(FR, "fr")
    keys = dict(zip(tokens.words, tokens.keys, strict=True))
    assert keys["réfugiés"] == keys["refugies"] == "refugie"
    assert keys["élèves"] == "eleve" and keys["intégration"] == "integration"
    assert fold("Élèves financiële") == "eleves financiele"


def test_sentences_and_word_count() -> None:
    tokens = tokenize(NL, "nl")
    assert [tokens.sentence_text(i) for i in range(len(tokens.sent_spans))] == [
        "De kinderen van migranten in de gemeenten.",
        "Inburgeringstrajecten voor nieuwkomers!",
        "Het gaat om 3,5 %, d.w.z. veel.",
    ]
    assert tokens.sents[0] == 0 and tokens.sents[-1] == 2
    assert tokens.word_count == sum(1 for w in tokens.words if w[:1].isalnum())
    empty = tokenize("", "nl")
    assert len(empty) == 0 and empty.sent_spans == () and empty.word_count == 0
