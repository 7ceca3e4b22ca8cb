"""The bilingual concept lexicon the passage classifier shares between Dutch and French.

Why: the classifier must give a Dutch text and its official French translation the same answer.
A model over language-specific words learns Dutch weights from Dutch labels and has no reliable
way to transfer them. Mapping the words that decide the question ("asielzoeker", "demandeur
d'asile") to one language-independent concept id lets a single weight vector serve both languages.

``STEMS`` maps a folded lemma key to a concept when the key *contains* the stem (Dutch compounds:
"asielaanvraag", "vreemdelingenwet"); the first matching stem wins. ``CONTEXT`` re-labels a key
from the keys just before it, for the false friends that differ by context: "revenu
d'intégration" / "maatschappelijke integratie" are the leefloon (not migrant integration),
"à l'étranger" / "affaires étrangères" are abroad (not foreigners). Training copies these tables
into the model file, so inference needs nothing but that file.
"""

from __future__ import annotations

#: (stem, concept) per language; a key containing the stem gets the concept (first match wins;
#: "=stem" must equal the key; concept "" blocks the stems below it: "verblijfplaats" is an address).
STEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "nl": (
        ("asiel", "c:asylum"),
        ("fedasil", "c:asylum"),
        ("cgvs", "c:asylum"),
        ("vluchteling", "c:refugee"),
        ("vreemdelingenhaat", "c:racism"),
        ("vreemdeling", "c:foreigner"),
        ("buitenlander", "c:foreigner"),
        ("allochto", "c:migration"),
        ("migratieachtergrond", "c:migration"),
        ("herkomst", "c:origin"),
        ("afkomstig", ""),
        ("afkomst", "c:origin"),
        ("migra", "c:migration"),
        ("migrant", "c:migration"),
        ("naturalisatie", "c:nationality"),
        ("genaturaliseerd", "c:nationality"),
        ("nationaliteit", "c:nationality"),
        ("staatlo", "c:stateless"),
        ("verblijfplaats", ""),
        ("verblijf", "c:residence"),
        ("verblijv", "c:residence"),
        ("illega", "c:irregular"),
        ("irregulier", "c:irregular"),
        ("mensensmokkel", "c:trafficking"),
        ("mensenhandel", "c:trafficking"),
        ("visum", "c:visa"),
        ("=visa", "c:visa"),
        ("gezinshereniging", "c:family-reunion"),
        ("repatri", "c:removal"),
        ("uitwijz", "c:removal"),
        ("uitgewezen", "c:removal"),
        ("uitzetting", "c:removal"),
        ("terugname", "c:removal"),
        ("racis", "c:racism"),
        ("xenofob", "c:racism"),
        ("discrimin", "c:discrimination"),
        ("etnisch", "c:ethnic"),
        ("etnie", "c:ethnic"),
        ("minderheid", "c:minority"),
        ("inburger", "c:newcomer"),
        ("nieuwkomer", "c:newcomer"),
        ("nbmv", "c:unaccompanied"),
        ("subsidiair", "c:protection"),
        ("leefloon", "c:leefloon"),
        ("ocmw", "c:leefloon"),
        ("re-integratie", ""),
        ("reintegratie", ""),
        ("integratie", "c:integration"),
        ("buitenland", "c:abroad"),
    ),
    "fr": (
        ("asile", "c:asylum"),
        ("fedasil", "c:asylum"),
        ("cgra", "c:asylum"),
        ("refugie", "c:refugee"),
        ("migra", "c:migration"),
        ("migrant", "c:migration"),
        ("immigr", "c:migration"),
        ("origine", "c:origin"),
        ("naturalis", "c:nationality"),
        ("nationalite", "c:nationality"),
        ("apatrid", "c:stateless"),
        ("sejour", "c:residence"),
        ("illegal", "c:irregular"),
        ("irregulier", "c:irregular"),
        ("clandestin", "c:irregular"),
        ("illicite", "c:irregular"),
        ("sans-papier", "c:irregular"),
        ("=visa", "c:visa"),
        ("regroupement", "c:family-reunion"),
        ("rapatri", "c:removal"),
        ("expuls", "c:removal"),
        ("eloignement", "c:removal"),
        ("readmission", "c:removal"),
        ("racis", "c:racism"),
        ("xenophob", "c:racism"),
        ("discrimin", "c:discrimination"),
        ("ethni", "c:ethnic"),
        ("minorite", "c:minority"),
        ("primo-arrivant", "c:newcomer"),
        ("primoarrivant", "c:newcomer"),
        ("subsidiaire", "c:protection"),
        ("cpas", "c:leefloon"),
        ("reintegration", ""),
        ("re-integration", ""),
        ("integration", "c:integration"),
    ),
    # Any other language: English and German stems (lemma keys are folded: "Flüchtling" -> "fluchtling").
    "other": (
        ("asyl", "c:asylum"),
        ("refugee", "c:refugee"),
        ("fluchtling", "c:refugee"),
        ("foreigner", "c:foreigner"),
        ("auslander", "c:foreigner"),
        ("migra", "c:migration"),
        ("migrant", "c:migration"),
        ("naturali", "c:nationality"),
        ("nationality", "c:nationality"),
        ("staatsangehorig", "c:nationality"),
        ("stateless", "c:stateless"),
        ("staatenlos", "c:stateless"),
        ("racis", "c:racism"),
        ("rassis", "c:racism"),
        ("xenophob", "c:racism"),
        ("discrimin", "c:discrimination"),
        ("diskrimin", "c:discrimination"),
        ("ethnic", "c:ethnic"),
        ("ethnisch", "c:ethnic"),
        ("newcomer", "c:newcomer"),
        ("deport", "c:removal"),
        ("abschieb", "c:removal"),
        ("=visa", "c:visa"),
        ("visum", "c:visa"),
        ("integration", "c:integration"),
    ),
}

#: Concept pairs that together mean a third concept: discrimination by origin is racism.
COMBINE: tuple[tuple[str, str, str], ...] = (
    ("c:discrimination", "c:origin", "c:racism"),
    ("c:discrimination", "c:foreigner", "c:racism"),
)

#: Prior knowledge given to the model as one-concept pseudo-passages: concept -> (label, weight
#: relative to ``Params.prior_weight``). A passage that says only "asylum seekers" is about
#: migrants; one that says only "leefloon" or "abroad" is not. The Chamber's federal questions
#: seldom mention inburgering, newcomers or racism (regional matters), so those concepts get a
#: stronger prior: without it the data alone would not teach what the product is about.
PRIOR: dict[str, tuple[bool, float]] = {
    "c:asylum": (True, 1.0),
    "c:refugee": (True, 1.0),
    "c:foreigner": (True, 1.0),
    "c:migration": (True, 1.0),
    "c:nationality": (True, 1.0),
    "c:stateless": (True, 1.0),
    "c:family-reunion": (True, 1.0),
    "c:racism": (True, 5.0),
    "c:ethnic": (True, 5.0),
    "c:newcomer": (True, 5.0),
    "c:unaccompanied": (True, 5.0),
    "c:leefloon": (False, 1.0),
    "c:abroad": (False, 1.0),
    "c:integration": (False, 1.0),
    "c:discrimination": (False, 1.0),
}

#: Context rules per key, tried in order before the stems: (key, concept, sequences, window). The
#: rule fires when one of the space-separated key sequences occurs among the ``window`` keys just
#: before ``key``; concept "" means "no concept", sequence "" always fires. French "étranger" is a
#: noun after a determiner ("des étrangers": foreigners) but "abroad" after "à l'"/"de l'" and an
#: adjective after a noun ("investissements étrangers": foreign, Dutch "buitenlands").
CONTEXT: dict[str, tuple[tuple[str, str, tuple[str, ...], int], ...]] = {
    "other": (),
    "nl": (
        ("integratie", "c:leefloon", ("maatschappelijk",), 2),
        # "van buitenlandse herkomst": the usual Dutch for a migration background
        ("herkomst", "c:migration", ("buitenlands", "vreemd", "allochtoon"), 1),
        ("afkomst", "c:migration", ("buitenlands", "vreemd", "allochtoon"), 1),
    ),
    "fr": (
        ("integration", "c:leefloon", ("revenu", "droit"), 3),
        ("origine", "", ("a le",), 2),
        ("origine", "c:origin", ("de",), 2),
        ("origine", "", ("",), 0),
        # "d'origine étrangère": the usual French for a migration background
        ("etranger", "c:migration", ("origine",), 1),
        ("etranger", "c:abroad", ("a le", "de le", "vers le", "depuis le"), 2),
        ("etranger", "c:foreigner", ("le", "des", "de", "un", "aux", "du", "ce", "leur", "pour"), 1),
        ("etranger", "c:abroad", ("",), 0),
        ("humain", "c:trafficking", ("traite", "trafic"), 3),
    ),
}
