"""Word lists the features are built with, each a decision about what the model may learn from.

- ``NEGATORS``: words that turn what follows around ("don't deserve respect"): the words after
  one are marked (``not_deserve``, ``not_respect``) by ``moderation.normalize.mark_negation``.

- ``STOP_WORDS``: function words. They carry no label; left in, they let a model learn which
  *source* a text looks like (long article descriptions use more "the", "this", "and").
- ``SOURCE_MARKS``: words that say which platform or dataset a text came from rather than what
  it says: the conspiracy examples describe a linked "article" or "video", tweets "retweet".
- ``PROFANITY``: swear words, for the ``PROFANITY`` attribute of `moderation serve` (a word
  list, not the model: profanity alone is not abuse, so the model does not measure it).
- ``FUNCTION_WORDS``: articles, prepositions, conjunctions and forms of "be": a phrase (two
  adjacent words, ``PipelineConfig.phrase_min_df``) of two of these says nothing ("of the").
  Pronouns are not among them: "you idiot", "their kind" and "make you" are what phrases are
  for (who is addressed).
- ``OFFENSIVE_WORDS``: swear words, slurs and common insults: spelling correction never reads
  a token as one of these by changing one of its letters (``punt`` is not ``cunt``), only by a
  letter dropped, added or swapped (``fuking``, ``idoit``), and never a real word at all.
- ``IDENTITY_TERMS``: words that name a religion, ethnicity, nationality, gender, sexual
  orientation, disability, age group or migrant status. Public abuse datasets mention groups
  far more often in hateful texts than in civil ones, so a model learns "mentions Muslims" as
  evidence of abuse and flags the civil comments of the people it should protect. Hate is
  recognised by what is said about a group (vermin, should be deported, go back), not by which
  group is named.

Both lists are left out of the vocabulary (``PipelineConfig.dropped_terms``). Slurs are not
identity terms: they are in neither list. Words that are both a slur and a self-description
(``queer``) are identity terms here. This list was written for the model, independently of the
audit's templates (``moderation.model.audit``), which measure the result.
"""

from __future__ import annotations

# scikit-learn's English list (Glasgow Information Retrieval Group) and the short words of
# common contractions as the tokeniser leaves them; kept here so scoring never imports sklearn
STOP_WORDS = frozenset(
    """
a about above across after afterwards again against all almost alone along already also
although always am among amongst amoungst amount an and another any anyhow anyone anything
anyway anywhere are around as at back be became because become becomes becoming been before
beforehand behind being below beside besides between beyond bill both bottom but by call can
cannot cant co con could couldnt cry de describe detail do done down due during each eg eight
either eleven else elsewhere empty enough etc even ever every everyone everything everywhere
except few fifteen fifty fill find fire first five for former formerly forty found four from
front full further get give go had has hasnt have he hence her here hereafter hereby herein
hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into
is it its itself keep last latter latterly least less ltd made many may me meanwhile might mill
mine more moreover most mostly move much must my myself name namely neither never nevertheless
next nine no nobody none noone nor not nothing now nowhere of off often on once one only onto or
other others otherwise our ours ourselves out over own part per perhaps please put rather re
same see seem seemed seeming seems serious several she should show side since sincere six sixty
so some somehow someone something sometime sometimes somewhere still such system take ten than
that the their them themselves then thence there thereafter thereby therefore therein thereupon
these they thick thin third this those though three through throughout thru thus to together
too top toward towards twelve twenty two un under until up upon us very via was we well were
what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
whether which while whither who whoever whole whom whose why will with within without would yet
you your yours yourself yourselves
s t ll ve re d m don didn doesn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn
mustn needn shan ain y o ma
don't didn't doesn't isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't
shouldn't couldn't mustn't needn't shan't can't i'm i've i'll i'd you're you've you'll you'd
he's she's it's we're we've we'll we'd they're they've they'll they'd that's there's what's
who's let's here's
""".split()
)

IDENTITY_TERMS = frozenset(
    """
muslim muslims islam islamic moslem moslems christian christians christianity catholic
catholics protestant protestants evangelical evangelicals mormon mormons jew jews jewish
judaism hindu hindus hinduism sikh sikhs buddhist buddhists atheist atheists agnostic pagan
religious

black blacks white whites asian asians african africans latino latinos latina latinas latinx
hispanic hispanics arab arabs arabic roma romani gypsy gypsies traveller travellers traveler
travelers indigenous aboriginal aborigine aborigines native natives caucasian ethnic minority
minorities biracial mixed

american americans mexican mexicans chinese indian indians pakistani pakistanis polish pole
poles nigerian nigerians irish syrian syrians somali somalis romanian romanians afghan afghans
ukrainian ukrainians russian russians jamaican jamaicans french german germans british brits
english scottish welsh italian italians turkish turk turks iranian iranians iraqi iraqis
palestinian palestinians israeli israelis korean koreans japanese filipino filipinos
vietnamese bangladeshi bangladeshis kurdish kurds eritrean eritreans albanian albanians
haitian haitians cuban cubans brazilian brazilians european europeans

woman women female females girl girls lady ladies man men male males boy boys guy guys
trans transgender transgenders transsexual nonbinary enby cisgender cis intersex
genderqueer feminist feminists

gay gays lesbian lesbians bisexual bisexuals bi queer queers homosexual homosexuals
heterosexual heterosexuals straight asexual lgbt lgbtq lgbtqia pansexual

disabled disability disabilities deaf blind autistic autism wheelchair paraplegic
mentally ill dyslexic dyslexia epileptic handicapped impaired chronically

elderly old older young younger youth teenage teenager teenagers teen teens millennial
millennials boomer boomers pensioner pensioners retired retirees senior seniors aged
kids

immigrant immigrants immigration migrant migrants refugee refugees asylum seeker seekers
foreigner foreigners expat expats
""".split()
)

NEGATORS = frozenset(
    """
not no never nobody nothing none neither nor cannot zero without hardly
don't didn't doesn't isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't
shouldn't couldn't mustn't needn't can't ain't
""".split()
)

SOURCE_MARKS = frozenset(
    """
article articles video videos documentary documentaries interview interviews podcast podcasts
episode episodes channel youtube reddit subreddit sub op thread threads link links url tweet
tweets tweeting retweet retweets rt post posts posted repost upvote upvotes downvote
""".split()
)


# Swear words as `normalize` leaves them (lower case, masks and stretched letters undone)
PROFANITY = frozenset(
    """
arse arsehole ass asshole bastard bastards bitch bitches bloody bollocks bullshit cock crap
crappy cunt cunts damn damned dick dickhead fuck fucked fucker fuckers fuckin fucking fucks
goddamn hell horseshit motherfucker motherfuckers piss pissed prick shit shite shits shitty
twat wank wanker wankers
""".split()
)

# What spelling correction may not reach by changing a letter (moderation.model.spelling)
OFFENSIVE_WORDS = PROFANITY | frozenset(
    """
idiot idiots moron morons retard retarded retards stupid imbecile cretin dumb dumbass loser
losers scum slut sluts whore whores hoe hoes skank bimbo faggot faggots fag fags dyke tranny
nigger niggers nigga niggas spic kike chink wetback coon gook raghead towelhead paki
tits tit pussy cock cocks dicks knob bellend tosser twats cunt cunts
""".split()
)

# A phrase of two of these is no feature (moderation.model.pipeline, phrases)
FUNCTION_WORDS = frozenset(
    """
a an the of to in on at for from by with as into onto about than then and or but nor so if
is are was were be been being am it its this that these those there here which who whom
""".split()
)
