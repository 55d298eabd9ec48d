"""The word lists of ``moderation.lexicons``, per language: what a model of that language may
not learn from (``PipelineConfig.dropped_terms``).

- ``stop``: function words (articles, pronouns, prepositions, conjunctions, auxiliaries). They
  carry no label; left in, they teach a model which *source* a text looks like.
- ``identity``: words that name a religion, ethnicity, nationality, gender, sexual orientation,
  disability, age group or migrant status, with their inflected forms. Public abuse sets
  mention groups far more often in hateful texts (GermEval 2018's tweets were collected from
  accounts that write about refugees and Islam), so a model learns "mentions Muslims" as abuse
  and flags the people it should protect. Slurs are not identity terms: they are in no list.
- ``source``: words that name the platform or a link (tweet, retweet, Artikel, vídeo).

English is ``moderation.lexicons``. These lists were written for this project; what a word
means in each language was checked against its use, not copied from a stop-word list. Text is
matched as ``moderation.normalize`` leaves it: lower case, accents kept (the French set is
written without accents; both spellings are listed where they differ).
"""

from __future__ import annotations

from moderation import lexicons


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GERMAN = {
    "stop": _words(
        """
der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner
und oder aber denn sondern doch dass daß ob weil wenn als wie wo was wer wen wem wessen warum
wieso weshalb wann ich du er sie es wir ihr mich mir dich dir ihn ihm uns euch ihnen sich
mein meine meinen meinem meiner dein deine deinen deinem deiner sein seine seinen seinem
seiner ihre ihren ihrem ihrer unser unsere unseren unserem euer eure euren
dieser diese dieses diesen diesem jener jene jenes jenen man jemand niemand etwas nichts
alle alles allen aller jeder jede jedes jeden jedem
ist sind war waren bin bist seid sei wäre wären gewesen hat habe hast haben habt hatte
hatten hätte hätten gehabt wird werde wirst werden werdet wurde wurden würde würden worden
kann kannst können könnt konnte konnten könnte muss musst müssen musste müsste soll sollst
sollen sollte sollten will willst wollen wollte darf dürfen durfte mag mögen möchte
auf an in im ins am aus bei mit nach von vom vor zu zum zur über unter um durch für gegen
ohne bis seit hinter neben zwischen während wegen trotz
auch noch schon nur so dann da hier dort jetzt nun mal ja nein nicht sehr mehr ganz immer
wieder eben halt eigentlich doch denn also sogar etwa einfach gar
"""
    ),
    "identity": _words(
        """
muslim muslime muslimen muslima muslimin musliminnen moslem moslems islam islamisch
islamische islamischen islamischer islamisches christ christen christin christlich
christliche christlichen katholik katholiken katholisch katholische evangelisch
evangelische jude juden jüdin jüdisch jüdische jüdischen jüdischer hindu hindus buddhist
buddhisten atheist atheisten religion religiös religiöse religiösen
schwarz schwarze schwarzen schwarzer weiß weiße weißen weißer farbige farbigen afrikaner
afrikanerin afrikanern araber araberin arabern arabisch arabische asiate asiaten asiatin
asiatisch roma sinti migrationshintergrund ethnisch ethnische minderheit minderheiten
deutsche deutschen deutscher deutsch türke türken türkin türkisch türkische syrer syrerin
syrern afghane afghanen afghanin polen pole polin russe russen russin rumäne rumänen
italiener franzose franzosen amerikaner ukrainer ukrainerin ukrainern kurde kurden
albaner iraker iraner marokkaner nordafrikaner tschetschene tschetschenen
frau frauen mann männer männern mädchen junge jungen weiblich weibliche männlich männliche
trans transgender transfrau transmann nichtbinär intersexuell feministin feministinnen
schwul schwule schwulen lesbe lesben lesbisch bisexuell homosexuell homosexuelle
homosexuellen heterosexuell queer lgbt lgbtq
behindert behinderte behinderten behinderung rollstuhl rollstuhlfahrer gehörlos gehörlose
blind blinde autist autisten autistisch psychisch kranke
alte alten älter ältere rentner rentnerin rentnern senioren jugendliche jugendlichen
kinder boomer
flüchtling flüchtlinge flüchtlingen geflüchtete geflüchteten migrant migranten migrantin
ausländer ausländerin ausländern asylbewerber asylbewerberin asylbewerbern asylant
asylanten zuwanderer einwanderer einwanderung zuwanderung migration
"""
    ),
    "source": _words(
        """
tweet tweets retweet retweets twitter artikel video videos link links beitrag beiträge
kommentar kommentare kanal youtube facebook post posts thread
"""
    ),
}

PORTUGUESE = {
    "stop": _words(
        """
o a os as um uma uns umas e ou mas nem que se de do da dos das no na nos nas em num numa
com por para pra pro pelo pela pelos pelas sem sobre entre até ao aos à às
é são era eram foi foram ser sido sendo estar está estão estava estavam esteve estou tá tô
tem têm tinha tinham ter teve há havia vai vão vou ia fazer faz fez
eu tu você vc vcs ele ela nós vocês eles elas me te lhe nos lhes mim ti comigo contigo
meu minha meus minhas teu tua seu sua seus suas nosso nossa nossos nossas dele dela deles
delas isso isto esse essa esses essas este esta estes estas aquele aquela aquilo
quem qual quais quando onde como porque pq porquê quanto
muito muita muitos muitas mais menos já ainda também tb tbm só sempre nunca aqui ali lá
então entao assim bem né ne sim não nao q oq mt mto
"""
    ),
    "identity": _words(
        """
muçulmano muçulmanos muçulmana muçulmanas islã islão islâmico islâmica cristão cristãos
cristã cristãs católico católicos católica evangélico evangélicos evangélica crente
crentes judeu judeus judia judias judaico umbanda umbandista candomblé macumba espírita
ateu ateus religião religioso religiosa
negro negros negra negras preto pretos preta pretas pardo pardos parda branco brancos
branca brancas indígena indígenas índio índios índia asiático asiáticos asiática
japonês japoneses chinês chineses africano africanos africana nordestino nordestinos
nordestina baiano baianos baiana paraíba paraíbas gaúcho gaúchos carioca cariocas paulista
paulistas venezuelano venezuelanos venezuelana boliviano bolivianos haitiano haitianos
angolano angolanos cigano ciganos quilombola quilombolas raça racial
mulher mulheres homem homens menina meninas menino meninos moça moças rapaz feminino
feminina masculino feminista feministas trans travesti travestis transexual transexuais
transgênero
gay gays lésbica lésbicas sapatão bissexual bissexuais homossexual homossexuais hétero
héteros heterossexual lgbt lgbtq lgbtqia queer
deficiente deficientes deficiência cadeirante cadeirantes surdo surdos surda cego cegos
cega autista autistas
idoso idosos idosa idosas velho velhos velha velhas jovem jovens adolescente adolescentes
criança crianças
imigrante imigrantes imigração migrante migrantes refugiado refugiados refugiada
estrangeiro estrangeiros estrangeira
"""
    ),
    "source": _words(
        """
rt tweet tweets twitter retweet link vídeo vídeos video videos canal youtube post posts
instagram live
"""
    ),
}

FRENCH = {
    "stop": _words(
        """
le la les l un une des du de d au aux et ou mais donc or ni car que qu qui quoi dont où ou
quand comment pourquoi si ce c cet cette ces ça ca cela ceci celui celle ceux celles
je j tu il elle on nous vous ils elles me m te t se s moi toi lui leur leurs eux
mon ma mes ton ta tes son sa ses notre nos votre vos
est es suis sommes êtes etes sont était etait étaient etaient été ete être etre ai as a
avons avez ont avait avaient eu avoir fait faire fais va vais vont peut peux peuvent faut
dans sur sous avec pour par sans chez entre vers contre depuis pendant en y à a
ne n pas plus très tres bien tout tous toute toutes aussi encore déjà deja jamais rien
même meme alors comme trop ici là la oui non
"""
    ),
    "identity": _words(
        """
musulman musulmans musulmane musulmanes islam islamique islamiques islamiste islamistes
chrétien chretien chrétiens chretiens chrétienne chretienne catholique catholiques
juif juifs juive juives judaïsme judaisme religion religieux religieuse athée athee athées
noir noirs noire noires blanc blancs blanche blanches arabe arabes maghrébin maghrebin
maghrébins maghrebins africain africains africaine africaines asiatique asiatiques
chinois rom roms gitan gitans ethnie ethnique minorité minorite minorités minorites
français francais française francaise algérien algerien algériens algeriens marocain
marocains tunisien tunisiens turc turcs syrien syriens afghan afghans
femme femmes homme hommes fille filles garçon garcon garçons garcons féminin feminin
masculin féministe feministe féministes feministes trans transgenre transgenres
gay gays lesbienne lesbiennes bisexuel bisexuels homosexuel homosexuels homosexuelle
homosexualité homosexualite hétéro hetero hétérosexuel heterosexuel lgbt lgbtq queer
handicapé handicape handicapés handicapes handicap sourd sourds aveugle aveugles
autiste autistes trisomique trisomiques
vieux vieille vieilles âgé age âgés ages jeune jeunes ado ados enfant enfants retraité
retraite retraités retraites
migrant migrants migrante migrantes immigré immigre immigrés immigres immigration
réfugié refugie réfugiés refugies étranger etranger étrangers etrangers
"""
    ),
    "source": _words(
        """
rt tweet tweets twitter retweet lien liens vidéo video vidéos videos article articles
chaîne chaine youtube post
"""
    ),
}

SPANISH = {
    "stop": _words(
        """
el la los las lo un una unos unas y e o u pero ni que de del al a en con por para sin sobre
entre hasta desde hacia según contra durante
es son era eran fue fueron ser sido siendo estar está están estaba estaban estoy esta este
esto estos estas ese esa eso esos esas aquel aquella aquello hay ha han he hemos había
tiene tienen tenía tener hace hacen hacer va van voy puede pueden
yo tú tu él ella ello nosotros nosotras vosotros ellos ellas usted ustedes me te se nos os
le les mí ti mi mis tus su sus nuestro nuestra nuestros nuestras vuestro
quien quién cual cuál cuando cuándo donde dónde como cómo porque qué cuanto
muy más mas menos ya también tambien solo sólo siempre nunca aquí aqui allí así asi
bien entonces pues sí si no todo todos toda todas nada algo
"""
    ),
    "identity": _words(
        """
musulmán musulman musulmanes musulmana islam islámico islamico islámica islamista
islamistas cristiano cristianos cristiana católico catolico católicos catolicos judío
judio judíos judios judía religión religion religioso religiosa ateo ateos
negro negros negra negras blanco blancos blanca blancas moro moros árabe arabe árabes
arabes africano africanos africana asiático asiatico asiáticos chino chinos indígena
indigena indígenas indigenas gitano gitanos gitana latino latinos latina etnia étnico
minoría minorias
español españoles española marroquí marroqui marroquíes venezolano venezolanos
colombiano colombianos rumano rumanos ecuatoriano peruano
mujer mujeres hombre hombres niña niñas niño niños chica chicas chico chicos femenino
masculino feminista feministas trans transexual transexuales transgénero
gay gays lesbiana lesbianas bisexual bisexuales homosexual homosexuales heterosexual
lgtb lgbt lgbtq queer
discapacitado discapacitados discapacitada discapacidad minusválido sordo sordos ciego
ciegos autista autistas
anciano ancianos anciana viejo viejos vieja mayores jubilado jubilados joven jóvenes
jovenes adolescente adolescentes
inmigrante inmigrantes inmigración inmigracion migrante migrantes refugiado refugiados
extranjero extranjeros menas
"""
    ),
    "source": _words(
        """
rt tweet tweets twitter retweet enlace enlaces link vídeo video vídeos videos canal
telegram youtube artículo articulo noticia publicación
"""
    ),
}

WORD_LISTS: dict[str, dict[str, frozenset[str]]] = {
    "en": {
        "stop": lexicons.STOP_WORDS,
        "identity": lexicons.IDENTITY_TERMS,
        "source": lexicons.SOURCE_MARKS,
    },
    "de": GERMAN,
    "pt": PORTUGUESE,
    "fr": FRENCH,
    "es": SPANISH,
}


def word_list(language: str, name: str) -> frozenset[str]:
    """The ``name`` list (``stop``, ``identity``, ``source``) of ``language``; a language
    without lists of its own has none (an empty set)."""
    return WORD_LISTS.get(language, {}).get(name, frozenset())
