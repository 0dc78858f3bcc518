"""French word lists for the analysis, written for Dépêche from French grammar.

They play the roles of the lists Yoast SEO ships for French (function words, transition words,
passive auxiliaries and participles, sentence-beginning exceptions); they are our own lists, so a
few rare words are classified differently from Yoast's. All are lower-case frozensets.
"""

from __future__ import annotations


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ARTICLES_AND_DETERMINERS = _set(
    """
    le la les l' un une des du de d' au aux ce cet cette ces mon ma mes ton ta tes son sa ses
    notre nos votre vos leur leurs quel quelle quels quelles chaque plusieurs certains certaines
    quelque quelques aucun aucune nul nulle tout toute tous toutes autre autres même mêmes tel
    telle tels telles divers diverses différents différentes maint mainte
    """
)
_PRONOUNS = _set(
    """
    je j' me m' moi tu te t' toi il elle on nous vous ils elles se s' soi lui leur eux en y
    celui celle ceux celles ceci cela ça ce c' qui que qu' quoi dont où lequel laquelle lesquels
    lesquelles auquel auxquels auxquelles duquel desquels desquelles mien mienne miens miennes
    tien tienne siens sienne siennes nôtre nôtres vôtre vôtres personne rien chacun chacune
    quiconque autrui
    """
)
_PREPOSITIONS = _set(
    """
    à a après avant avec chez contre dans depuis derrière dès devant durant en entre envers
    hormis hors jusque jusqu' malgré moyennant outre par parmi pendant pour sans sauf selon sous
    suivant sur vers via voici voilà près loin auprès autour lors concernant
    """
)
_CONJUNCTIONS = _set(
    """
    et ou ni mais or donc car si s' comme quand lorsque lorsqu' puisque puisqu' quoique
    quoiqu' que qu' afin ainsi alors aussi cependant pourtant toutefois néanmoins sinon soit
    tandis
    """
)
_ADVERBS = _set(
    """
    ne n' pas plus moins très trop peu assez bien mal beaucoup tant tellement si aussi autant
    encore déjà toujours jamais souvent parfois ici là ailleurs partout oui non peut-être
    vraiment surtout seulement même ensuite puis enfin bientôt hier aujourd'hui demain
    maintenant désormais alors tôt tard longtemps combien comment pourquoi environ presque
    plutôt davantage quasi certes ainsi aussitôt
    """
)
_NUMERALS = _set(
    """
    zéro deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize
    vingt trente quarante cinquante soixante cent cents mille premier première premiers
    premières second seconde deuxième troisième dernier dernière derniers dernières
    """
)
# The auxiliaries, copulas and modal verbs: frequent, never the topic of an article.
_VERB_FORMS = _set(
    """
    être suis es est sommes êtes sont étais était étions étiez étaient fus fut fûmes furent
    serai seras sera serons serez seront serais serait serions seriez seraient sois soit
    soyons soyez soient été étant avoir ai as avons avez ont avais avait avions aviez avaient
    eus eut eurent aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient
    aie aies ait ayons ayez aient eu ayant faire fait font faisait pouvoir peux peut pouvons
    pouvez peuvent pourra pourrait pourraient pu devoir dois doit devons devez doivent devra
    devrait devraient dû vouloir veux veut voulons voulez veulent voudrait semble semblent
    sembler paraît paraissent devient deviennent reste restent va vont aller allait
    """
)
FUNCTION_WORDS: frozenset[str] = (
    _ARTICLES_AND_DETERMINERS
    | _PRONOUNS
    | _PREPOSITIONS
    | _CONJUNCTIONS
    | _ADVERBS
    | _NUMERALS
    | _VERB_FORMS
)
