"""The bilingual concept lexicon the passage classifier shares between Dutch and French.

Why: the classifier must give a Dutch text and its official French translation the same answer,
and it must know the vocabulary of Belgian *regional* integration policy (inburgering, OKAN,
primo-arrivants, DASPA, FLE, CRI/ILI), which the federal Chamber questions it learns from seldom
use. Mapping the words that decide the question ("asielzoeker", "demandeur d'asile") to one
language-independent concept id lets a single weight vector serve both languages, and lets prior
knowledge about a concept (:data:`PRIOR`) reach words the training data never saw.

``STEMS`` maps a folded lemma key to a concept when the key *contains* the stem (Dutch compounds:
"asielaanvraag", "vreemdelingenwet"); the first matching stem wins, and concept "" blocks the stems
below it ("migraine" is not "migra", "re-integratie" is not "integratie"). ``CONTEXT`` re-labels a
key from the keys just before or after it, for the false friends that differ by context: "revenu
d'intégration" / "maatschappelijke integratie" are the leefloon, "à l'étranger" is abroad,
"migratie van data" is IT, "nieuwkomers op de arbeidsmarkt" are school leavers, "land van
herkomst" is a migration background. ``ACRONYMS`` are matched on the surface word, case-sensitive
("CRI" the integration centre, not "cri" the cry). Training copies these tables into the model
file, so inference needs nothing but that file.
"""

from __future__ import annotations

#: (stem, concept) per language; a key containing the stem gets the concept (first match wins;
#: "=stem" must equal the key; concept "" gives the key no concept at all).
STEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "nl": (
        # false friends first: they block the stems below
        ("migraine", ""),
        ("datamigratie", ""),
        ("cloudmigratie", ""),
        ("systeemmigratie", ""),
        ("servermigratie", ""),
        ("re-integratie", ""),
        ("reintegratie", ""),
        ("herintegratie", ""),
        ("asiel", "c:asylum"),
        ("fedasil", "c:asylum"),
        ("cgvs", "c:asylum"),
        ("vluchteling", "c:refugee"),
        ("statushouder", "c:refugee"),
        ("vreemdelingenhaat", "c:racism"),
        ("rassendiscrimin", "c:racism"),
        ("rassenhaat", "c:racism"),
        ("raciaal", "c:racism"),
        ("raciale", "c:racism"),
        ("genocide", "c:ethnic-conflict"),
        ("vreemdeling", "c:foreigner"),
        ("niet-belg", "c:foreigner"),
        ("buitenlander", "c:foreigner"),
        ("derdelander", "c:foreigner"),
        ("allochto", "c:migration"),
        ("migratieachtergrond", "c:migration"),
        ("herkomstland", "c:migration"),
        ("herkomst", "c:origin"),
        ("afkomstig", ""),
        ("afkomst", "c:origin"),
        ("=origine", "c:origin"),
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
        ("terugkeerakkoord", "c:removal"),
        ("terugkeerbeleid", "c:removal"),
        ("terugkeercentr", "c:removal"),
        ("terugkeerprocedure", "c:removal"),
        ("terugkeerbesluit", "c:removal"),
        ("verstekeling", "c:irregular"),
        ("regularisatie", "c:irregular"),
        ("frontex", "c:migration"),
        ("myria", "c:migration"),
        ("diplomagelijkwaardig", "c:foreign-diploma"),
        ("naric", "c:foreign-diploma"),
        ("repatri", "c:repatriation"),
        ("uitwijz", "c:removal"),
        ("uitgewezen", "c:removal"),
        ("uitzetting", "c:removal"),
        ("terugname", "c:removal"),
        ("racis", "c:racism"),
        ("xenofob", "c:racism"),
        ("praktijktest", "c:situation-testing"),
        ("situatietest", "c:situation-testing"),
        ("aanwervingsdiscriminatie", "c:hiring-discrimination"),
        ("arbeidsmarktdiscriminatie", "c:hiring-discrimination"),
        ("discrimin", "c:discrimination"),
        ("etnisch", "c:ethnic"),
        ("etnie", "c:ethnic"),
        ("minderheid", "c:minority"),
        ("inburger", "c:newcomer"),
        ("nieuwkomer", "c:newcomer"),
        ("onthaalonderwijs", "c:newcomer"),
        ("onthaalklas", "c:newcomer"),
        ("=okan", "c:newcomer"),
        ("okan-", "c:newcomer"),
        ("okanklas", "c:newcomer"),
        ("anderstalig", "c:second-language"),
        ("integratietraject", "c:newcomer"),
        ("integratieparcours", "c:newcomer"),
        ("arbeidskaart", "c:foreigner"),
        ("arbeidsvergunning", "c:foreigner"),
        ("intercultur", "c:intercultural"),
        ("=nt2", "c:second-language"),
        ("nt2-", "c:second-language"),
        ("integratiecentr", "c:integration-service"),
        ("integratiedienst", "c:integration-service"),
        ("integratiebeleid", "c:integration-policy"),
        ("nbmv", "c:unaccompanied"),
        ("niet-begeleid", "c:unaccompanied"),
        ("subsidiair", "c:protection"),
        ("leefloon", "c:leefloon"),
        ("ocmw", "c:leefloon"),
        ("=gpmi", "c:leefloon"),
        ("handicap", "c:disability"),
        ("integratie", "c:integration"),
        ("buitenland", "c:abroad"),
    ),
    "fr": (
        ("migraine", ""),
        ("migrateur", ""),
        ("migratrice", ""),
        ("reintegration", ""),
        ("re-integration", ""),
        ("asile", "c:asylum"),
        ("fedasil", "c:asylum"),
        ("cgra", "c:asylum"),
        ("refugie", "c:refugee"),
        ("transmigr", "c:migration"),
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
        ("regularisation", "c:irregular"),
        ("frontex", "c:migration"),
        ("myria", "c:migration"),
        ("allochto", "c:migration"),
        ("naric", "c:foreign-diploma"),
        ("rapatri", "c:repatriation"),
        ("expuls", "c:removal"),
        ("eloignement", "c:removal"),
        ("readmission", "c:removal"),
        ("racis", "c:racism"),
        ("racial", "c:racism"),
        ("xenophob", "c:racism"),
        ("genocide", "c:ethnic-conflict"),
        ("non-belge", "c:foreigner"),
        ("=testing", "c:situation-testing"),
        ("discrimin", "c:discrimination"),
        ("ethni", "c:ethnic"),
        ("minorite", "c:minority"),
        ("primo-arrivant", "c:newcomer"),
        ("primoarrivant", "c:newcomer"),
        ("=daspa", "c:newcomer"),
        ("allophone", "c:second-language"),
        ("intercultur", "c:intercultural"),
        ("subsidiaire", "c:protection"),
        ("cpas", "c:leefloon"),
        ("=piis", "c:leefloon"),
        ("handicap", "c:disability"),
        ("integration", "c:integration"),
    ),
    # Any other language: English and German stems (lemma keys are folded: "Flüchtling" -> "fluchtling").
    "other": (
        ("migraine", ""),
        ("asyl", "c:asylum"),
        ("refugee", "c:refugee"),
        ("fluchtling", "c:refugee"),
        ("foreigner", "c:foreigner"),
        ("auslander", "c:foreigner"),
        ("migrationshintergrund", "c:migration"),
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

#: Surface words (case-sensitive, whole token) -> concept, for acronyms whose lower-case form is an
#: ordinary word or too short for a stem. Shared by every language.
ACRONYMS: dict[str, str] = {
    "CRI": "c:integration-service",  # centre régional d'intégration
    "CRIs": "c:integration-service",
    "ILI": "c:integration-service",  # initiative locale d'intégration
    "ILIs": "c:integration-service",
    "FLE": "c:second-language",  # français langue étrangère
    "NT2": "c:second-language",  # Nederlands als tweede taal
    "OKAN": "c:newcomer",  # onthaalonderwijs voor anderstalige nieuwkomers
    "DASPA": "c:newcomer",  # dispositif d'accueil et de scolarisation des primo-arrivants
    "BAPA": "c:newcomer",  # bureau d'accueil pour primo-arrivants
    "NARIC": "c:foreign-diploma",  # recognition of foreign diplomas
    "MENA": "c:unaccompanied",  # mineurs étrangers non accompagnés
    "NBMV": "c:unaccompanied",
    "ILA": "c:asylum",  # initiative locale d'accueil (demandeurs d'asile)
}

#: Concept pairs that together mean a third concept: discrimination by origin is racism.
COMBINE: tuple[tuple[str, str, str], ...] = (
    ("c:discrimination", "c:origin", "c:racism"),
    ("c:discrimination", "c:foreigner", "c:racism"),
    ("c:discrimination", "c:ethnic", "c:racism"),
    # "integratie en inburgering", "l'intégration des migrants": migrant integration policy
    ("c:integration", "c:newcomer", "c:integration-policy"),
    ("c:integration", "c:migration", "c:integration-policy"),
    ("c:integration", "c:foreigner", "c:integration-policy"),
    ("c:integration", "c:refugee", "c:integration-policy"),
)

#: (trigger, concept): a window with the trigger loses the concept. Ethnic conflicts and genocide
#: abroad are not about ethnic minorities in Belgium. A specific concept subsumes its generic one
#: (racism is a discrimination, "integratie en inburgering" an integration): the generic one, weak
#: on its own, must not water the specific one down in the normalised concept block.
SUPPRESS: tuple[tuple[str, str], ...] = (
    ("c:ethnic-conflict", "c:ethnic"),
    ("c:racism", "c:discrimination"),
)

#: Prior knowledge given to the model as one-concept pseudo-passages: concept -> (label, weight
#: relative to ``Params.prior_weight``). A passage that says only "asylum seekers" is about
#: migrants; one that says only "leefloon" or "abroad" is not. The Chamber's federal questions
#: seldom mention inburgering, newcomers, integration centres, language learners or hiring
#: discrimination (regional matters), so those concepts get a stronger prior: without it the data
#: alone would not teach what the product is about.
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
    "c:second-language": (True, 5.0),
    "c:integration-service": (True, 5.0),
    "c:integration-policy": (True, 5.0),
    "c:situation-testing": (True, 5.0),
    "c:hiring-discrimination": (True, 5.0),
    "c:foreign-diploma": (True, 3.0),
    "c:intercultural": (True, 2.0),
    "c:unaccompanied": (True, 5.0),
    "c:leefloon": (False, 1.0),
    "c:abroad": (False, 1.0),
    "c:disability": (False, 1.0),
    "c:integration": (False, 1.0),
    "c:discrimination": (False, 1.0),
    "c:origin": (False, 1.0),
    "c:ethnic-conflict": (False, 1.0),
    "c:periphery": (False, 1.0),
}

#: Words that mean data or IT systems: "migratie van data", "migration des données".
_IT = ("datum", "data", "gegeven", "donnee", "systeem", "systeme", "applicatie", "application", "databank",
       "database", "server", "serveur", "cloud", "software", "logiciel", "platform", "plateforme",
       "toepassing", "informatique", "ict")  # fmt: skip
#: People who can be foreign: "travailleurs étrangers", "buitenlandse werknemers".
_PEOPLE_FR = ("travailleur", "eleve", "etudiant", "personne", "ressortissant", "population", "demandeur",
              "jeune", "femme", "homme", "candidat", "enfant", "mineur", "parent", "famille", "oeuvre",
              "œuvre", "talent", "communaute", "citoyen")  # fmt: skip
_PEOPLE_NL = ("werknemer", "arbeidskracht", "talent", "student", "werkzoekende", "werkzoekend", "leerling",
              "kind", "ouder", "burger", "onderdaan", "vrouw", "jongere", "persoon", "gezin", "arbeider",
              "werkkracht", "kandidaat")  # fmt: skip
#: Qualifications that can be foreign: "buitenlandse diploma's", "diplômes obtenus à l'étranger".
_DIPLOMA_NL = ("diploma", "kwalificatie", "getuigschrift", "competentie", "studiebewijs")
_DIPLOMA_FR = ("diplome", "qualification", "competence")

#: A nationality adjective just before ("van Marokkaanse afkomst", "van diverse herkomst") or just
#: after ("d'origine rwandaise", "d'origine turque") a word for origin.
_NATIONALITY_NL = r"(^| )van [a-z-]*(s|sch|ees)$"
_NATIONALITY_FR = r"^(?!belg)[a-z-]*(aine?|aise?|oise?|que|ienne?|enne?|ane?|ine?|ole?|c)$"
#: Dutch "anderstaligen" in the Flemish periphery are French-speaking Belgians (the codebook's
#: exception), recognised from the periphery's own words nearby.
_PERIPHERY = (r"~(^| )(rand|randgemeente\w*|faciliteit\w*)( |$)",)

#: Context rules per key, tried in order before the stems: (key, concept, before, after, window).
#: The rule fires when one of the space-separated key sequences ``before`` occurs among the
#: ``window`` keys just before ``key``, or one of ``after`` among the ``window`` keys just after it;
#: a rule with neither always fires. Concept "" means "no concept". French "étranger" is a noun
#: after a determiner ("des étrangers": foreigners) but "abroad" after "à l'"/"de l'", and an
#: adjective after a noun (foreign people are foreigners, foreign investments are abroad).
CONTEXT: dict[str, tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], int], ...]] = {
    "other": (),
    "nl": (
        ("integratie", "c:leefloon", ("maatschappelijk",), (), 2),
        ("integratie", "", (), _IT, 4),
        ("migratie", "", (), _IT, 4),
        # "van buitenlandse herkomst", "land van herkomst": the usual Dutch for a migration background
        ("herkomst", "c:migration", ("buitenlands", "vreemd", "allochtoon", "land van", "landen van",
                                     "~" + _NATIONALITY_NL), (), 2),
        ("afkomst", "c:migration", ("buitenlands", "vreemd", "allochtoon", "~" + _NATIONALITY_NL), (), 2),
        ("origine", "c:migration", ("buitenlands", "vreemd", "~" + _NATIONALITY_NL), (), 2),
        ("etnisch", "c:ethnic-conflict", (), ("conflict", "zuivering", "geweld", "oorlog", "spanning"), 1),
        ("anderstalig", "c:periphery", _PERIPHERY, _PERIPHERY, 60),
        ("anderstalige", "c:periphery", _PERIPHERY, _PERIPHERY, 60),
        # "nieuwkomers op de arbeidsmarkt" are school leavers; "nieuwkomers in het team" new staff
        ("nieuwkomer", "", (), ("op de arbeidsmarkt", "in de organisatie", "in het bedrijf", "in het team",
                                "in het beroep", "in het lerarenberoep", "in de sector"), 4),
        ("buitenlands", "c:foreign-diploma", (), _DIPLOMA_NL, 1),
        ("buitenlands", "c:foreigner", (), _PEOPLE_NL, 1),
        ("discriminatie", "c:hiring-discrimination", (), ("bij aanwerving", "bij de aanwerving", "bij de selectie",
                                                          "op de arbeidsmarkt", "bij sollicitatie"), 4),
        ("landen", "c:foreigner", ("onderdaan van drie", "burger van drie"), (), 3),
        ("taal", "c:second-language", ("als twee",), (), 2),
        ("bescherming", "c:asylum", ("internationaal",), (), 1),
        ("papier", "c:irregular", ("zonder",), (), 1),
        ("thuistaal", "c:second-language", ("ander", "niet-nederlands"), ("~niet-nederlands|dan het nederlands",), 3),
        ("orientatie", "c:newcomer", ("maatschappelijk",), (), 1),
        ("nederlands", "c:second-language", ("huis van het",), (), 3),
        ("centrum", "c:removal", ("gesloten", "sluiten"), (), 1),
        ("regularisatie", "", ("fiscaal", "fiscale"), ("fiscaal", "van inkomsten", "van kapitaal"), 2),
        ("gelijkwaardigheid", "c:foreign-diploma", (), ("~diploma",), 3),
    ),
    "fr": (
        ("integration", "c:leefloon", ("revenu", "droit"), (), 3),
        ("integration", "c:leefloon", (), ("social",), 1),
        ("integration", "c:newcomer", ("parcour de", "parcours de", "trajet de"), (), 2),
        ("integration", "c:integration-service", ("centre regional de", "initiative local de"), (), 3),
        ("integration", "c:integration-policy", ("politique de",), (), 2),
        ("integration", "", (), _IT, 4),
        ("migration", "", (), _IT, 4),
        ("origine", "", ("a le",), (), 2),
        ("origine", "c:migration", ("pays de",), (), 2),
        ("origine", "c:migration", (), ("~" + _NATIONALITY_FR,), 1),
        ("origine", "c:origin", ("de",), (), 2),
        ("origine", "", ("",), (), 0),
        # "d'origine étrangère": the usual French for a migration background
        ("etranger", "c:migration", ("origine",), (), 1),
        ("etranger", "c:foreign-diploma", _DIPLOMA_FR, (), 4),
        ("etranger", "c:second-language", ("francai langue", "français langue"), (), 2),
        ("etranger", "", ("langue",), (), 1),
        ("etranger", "c:abroad", ("a le", "de le", "vers le", "depuis le"), (), 2),
        ("etranger", "c:foreigner", ("le", "des", "de", "un", "aux", "du", "ce", "leur", "pour", *_PEOPLE_FR),
         (), 1),
        ("etranger", "c:abroad", (), (), 0),
        ("diversite", "c:ethnic", ("issu de la", "issu de le"), (), 3),
        ("ethnique", "c:ethnic-conflict", ("conflit", "nettoyage", "violence", "guerre", "tension", "epuration"), (), 2),
        ("belge", "c:foreigner", ("non",), (), 1),
        ("discrimination", "c:hiring-discrimination", (), ("a le embauche", "a le recrutement",
                                                           "dans le recrutement", "lors de le embauche"), 4),
        ("protection", "c:asylum", (), ("international",), 1),
        ("tier", "c:foreigner", ("pays",), (), 1),
        ("situation", "c:situation-testing", ("test de",), (), 2),
        ("arrivant", "c:newcomer", ("nouveau",), (), 1),
        ("travail", "c:foreigner", ("permi de", "permis de"), (), 2),
        ("unique", "c:foreigner", ("permi", "permis"), (), 1),
        ("ferme", "c:removal", ("centre",), (), 1),
        ("accueil", "c:newcomer", ("parcour de", "parcours de"), (), 2),
        ("passerelle", "c:newcomer", ("classe",), (), 1),
        ("retour", "c:removal", (), ("volontaire", "force", "forcer"), 1),
        ("regularisation", "", ("fiscal",), ("fiscal",), 2),
        ("equivalence", "c:foreign-diploma", (), ("~diplome",), 3),
        ("accompagner", "c:unaccompanied", ("mineur non", "mineur etranger non"), (), 3),
        ("humain", "c:trafficking", ("traite", "trafic"), (), 3),
    ),
}  # fmt: skip
