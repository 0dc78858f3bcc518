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

# Words and phrases that link a sentence to what precedes it. Multi-word entries are matched as
# consecutive words; apostrophes are the straight ones, as in Yoast's matching.
TRANSITION_WORDS: frozenset[str] = frozenset(
    line.strip()
    for line in """
    ainsi
    alors
    aussi
    cependant
    pourtant
    toutefois
    néanmoins
    donc
    enfin
    ensuite
    puis
    d'abord
    également
    notamment
    finalement
    effectivement
    évidemment
    certes
    sinon
    car
    puisque
    lorsque
    tandis que
    alors que
    bien que
    quoique
    pourvu que
    afin que
    afin de
    pour que
    parce que
    dès que
    dès lors
    depuis que
    après que
    avant que
    jusqu'à ce que
    en plus
    en outre
    par ailleurs
    d'ailleurs
    de même
    en effet
    en fait
    en revanche
    par contre
    au contraire
    en conséquence
    par conséquent
    c'est pourquoi
    de ce fait
    du coup
    en somme
    en bref
    en résumé
    en conclusion
    pour conclure
    pour finir
    en définitive
    au final
    en premier lieu
    en second lieu
    en dernier lieu
    premièrement
    deuxièmement
    troisièmement
    tout d'abord
    avant tout
    par exemple
    à savoir
    c'est-à-dire
    autrement dit
    en particulier
    de fait
    malgré tout
    en dépit de
    malgré cela
    au lieu de
    à l'inverse
    à l'opposé
    en même temps
    au même moment
    entre-temps
    pendant ce temps
    depuis lors
    par la suite
    à la suite de
    à ce moment-là
    aussitôt
    désormais
    dorénavant
    auparavant
    jusqu'ici
    jusqu'à présent
    à présent
    simultanément
    soudain
    de toute façon
    en tout cas
    quoi qu'il en soit
    à condition que
    à moins que
    grâce à
    à cause de
    en raison de
    compte tenu de
    étant donné que
    vu que
    sous prétexte que
    de sorte que
    si bien que
    de manière à
    en vue de
    dans le but de
    à cet effet
    en ce qui concerne
    quant à
    pour ce qui est de
    selon
    d'après
    de même que
    ainsi que
    à l'instar de
    semblablement
    pareillement
    non seulement
    en général
    globalement
    en principe
    bref
    """.strip().splitlines()
)

# Pairs that work together ("non seulement ... mais aussi"): a sentence holding both parts
# counts as a transition sentence. Each part is looked for on its own, so a pair of identical
# words ("soit ... soit") is met by a single "soit", as in Yoast.
TWO_PART_TRANSITION_WORDS: tuple[tuple[str, str], ...] = (
    ("non seulement", "mais aussi"),
    ("non seulement", "mais encore"),
    ("d'une part", "d'autre part"),
    ("soit", "soit"),
    ("tantôt", "tantôt"),
)

# First words too common to tell sentence beginnings apart: the next word is added to them.
# Demonstratives and partitives ("ce", "des") are left out: "Ce projet... Ce budget... Ce soir..."
# reads as a repetition, and Yoast counts it as one.
FIRST_WORD_EXCEPTIONS: frozenset[str] = _set(
    """
    le la les l' un une deux trois quatre cinq six sept huit neuf dix celui celle ceux celles
    """
)

# Forms of "être" that introduce a passive ("le budget est adopté", "il a été voté").
PASSIVE_AUXILIARIES: frozenset[str] = _set(
    """
    être d'être suis es est sommes êtes sont n'est n'es n'êtes n'être été étais était étions
    étiez étaient j'étais c'était n'étais n'était n'étions n'étiez n'étaient serai seras sera
    serons serez seront serais serait serions seriez seraient sois soit soyons soyez soient
    fus fut fûmes fûtes furent fusse fût fussent est-il est-elle est-on sont-ils sont-elles
    sera-t-il sera-t-elle serait-il serait-elle était-il était-elle étant
    """
)

# Past participles not ending in -é (their e/s/es forms are derived). Only verbs that take a
# direct object, so that "être + participle" can be a passive.
_IRREGULAR_PARTICIPLE_STEMS = _set(
    """
    fait dit écrit décrit inscrit prescrit proscrit souscrit interdit prédit contredit construit
    produit reproduit conduit reconduit introduit traduit réduit détruit instruit séduit induit
    cuit ouvert rouvert couvert découvert recouvert offert souffert atteint craint peint teint
    joint rejoint éteint plaint contraint restreint astreint feint ceint enfreint vu revu prévu
    pourvu prévenu reçu aperçu conçu déçu perçu vendu revendu rendu attendu entendu étendu tendu
    tenu obtenu retenu maintenu soutenu contenu détenu entretenu battu abattu combattu débattu élu
    réélu exclu conclu lu relu élu bu su pu voulu connu reconnu méconnu paru disparu résolu
    perdu confondu fondu répandu suspendu défendu pendu mordu tordu cousu moulu vaincu
    convaincu servi desservi suivi poursuivi fini choisi saisi réuni puni trahi envahi investi
    fourni bâti garanti établi rempli accueilli recueilli cueilli nourri guéri franchi
    affranchi agrandi applaudi approfondi arrondi assoupli averti bâti blanchi chéri définie
    démoli divertie élargi embelli enrichi épanoui établi étourdi saisi subi trahi unifié
    frappé ravi fourni ralenti anéanti investi aboli accompli adouci affaibli affermi agi
    alourdi amorti appauvri assaini assorti bondi durci éclairci endurci enfoui engourdi
    enseveli envahi étourdi fléchi flétri fortifié garni gravi grossi guéri honni inverti
    maigri mûri noirci nourri obéi pâli péri pétri poli pourri raccourci rafraîchi
    rajeuni ralenti rebâti réfléchi refroidi régi réjoui rempli répondu rétabli réuni
    réussi rougi rôti sali salie subi surgi terni trahi uni verni vieilli
    """
)
_IRREGULAR_PARTICIPLES_IN_S = _set(
    """
    pris repris appris compris surpris entrepris épris mis remis admis commis omis promis
    permis soumis transmis démis émis compromis acquis conquis requis enquis assis clos
    inclus exclus dissous absous
    """
)
PASSIVE_PARTICIPLES_IRREGULAR: frozenset[str] = frozenset(
    form
    for stem in _IRREGULAR_PARTICIPLE_STEMS
    for form in (stem, stem + "e", stem + "s", stem + "es")
) | frozenset(
    form for stem in _IRREGULAR_PARTICIPLES_IN_S for form in (stem, stem + "e", stem + "es")
)

# Words in -é/-ée that are not participles of a passive: nouns, adjectives, and verbs
# conjugated with "être" in the active voice ("elle est arrivée", "il est né").
NOT_PASSIVE_PARTICIPLES: frozenset[str] = _set(
    """
    été année société idée journée santé liberté sécurité comité côté soirée député lycée
    qualité quantité autorité université communauté activité réalité capacité priorité
    majorité minorité unité électricité difficulté vérité volonté nécessité possibilité
    responsabilité publicité solidarité égalité fraternité identité mobilité rentabilité
    productivité compétitivité fiscalité municipalité collectivité proximité totalité
    moitié amitié pitié beauté bonté clé café thé bébé degré procédé marché musée
    armée entrée durée arrivée matinée montée rentrée métier fée poupée épée
    dictée allée chaussée traversée vallée pensée fumée gelée marée randonnée destinée
    assemblée lycée musée trophée spécialité gratuité ruralité sobriété variété anxiété
    piété propriété insécurité précarité pauvreté humanité obscurité maturité loyauté
    royauté habileté fermeté netteté sûreté clarté fierté gaieté lâcheté naïveté
    arrivé arrivés arrivées né nés nées allé allés allées resté restés restées tombé
    tombés tombées entré entrés entrées décédé décédés décédées passé passés passées
    rentré rentrés rentrées retourné retournés retournées monté montés montées
    âgé âgés âgées lié liés liées
    """
)

# Words after which a word in -é is a noun or an adjective, not a passive participle
# ("est une année", "est le député", "est en marché").
CANNOT_PRECEDE_PASSIVE_PARTICIPLE: frozenset[str] = _set(
    """
    le la les l' un une des du de d' au aux ce cet cette ces mon ma mes ton ta tes son sa ses
    notre nos votre vos leur leurs quel quelle quels quelles chaque aucun aucune en se lui
    me te nous vous par pour sur dans avec sans sous chez vers entre contre
    """
)

# Forms of "avoir" and other verbs: between "être" and a participle they show the participle
# belongs to another verb ("soit qu'il a adopté").
CANNOT_BE_BETWEEN_AUXILIARY_AND_PARTICIPLE: frozenset[str] = _set(
    """
    a ai as avons avez ont avait avais avions aviez avaient aura auras aurons aurez auront
    aurait aurais aurions auriez auraient ait aie aies ayons ayez aient eut eurent eu ayant
    avoir a-t-il a-t-elle a-t-on ont-ils ont-elles
    """
)

# Clause boundaries for the passive check: a conjunction or relative pronoun starts a new clause.
CLAUSE_BREAKERS: frozenset[str] = _set(
    """
    et ou car or mais ni puisque puisqu'il puisqu'elle puisqu'on lorsque lorsqu'il
    lorsqu'elle lorsqu'on quand comme si qui que qu'il qu'elle qu'on qu'ils qu'elles dont
    où quoique tandis pendant afin parce
    """
)
# Reflexive pronouns: "se sont réunis" is not a passive.
REFLEXIVE_BEFORE_AUXILIARY: tuple[str, ...] = (
    "se", "me", "te", "s'y", "m'y", "t'y", "nous nous", "vous vous",
)
# Words right after "être" showing it is not a passive auxiliary ("c'est la fin").
NOT_AFTER_AUXILIARY: frozenset[str] = _set("le la les une l'un l'une")
# Elisions right before the auxiliary ("c'est", "s'est", "peut-être").
ELISIONS_BEFORE_AUXILIARY: tuple[str, ...] = ("c'", "s'", "peut-")
