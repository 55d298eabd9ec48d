"""What each line of a comment section is, read from its shape: furniture (``Reply``, ``Like 18``,
``Joined: 14 Feb 2019``, a line repeated down the page), a reply cue (``In reply to X``), a date
line, a header line (a name with a date, ``Name says:``), a name-like line, or text.

Every check here is linear in the line: lines are split on separators and the pieces looked up,
and the few regular expressions are anchored and bounded."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from moderation.comments import is_placeholder
from moderation.formats.page_text.dating import DateReader, When
from moderation.formats.page_text.scripts import cjk_name, cjk_sentence, has_cjk

# Words that make up the furniture printed with every comment, in the languages read.
_FURNITURE_WORDS = frozenset(
    """
    reply replies reply↓ responder répondre rispondi antworten beantwoorden responda reageren
    share report respect recommend like likes liked unlike love react repeat favorite favourite
    favorites favourites favorited boost boosts boosted quote permalink embed save saved hide
    parent next prev link context edit edited delete flag more collapse expand top upvote
    downvote vote votes points point score solution follow following subscribe bookmark
    delete translate remove approve spam notes note reblog mute block web · cancel submit
    send publish respond name email e-mail website password comment * name* email* comment*
    abuse post posts hidden permalink] archive hide past favorite unflag mehr más altro meer last
    löschen melden zitieren bearbeiten supprimer signaler citer modifier eliminar borrar
    denunciar citar editar odpowiedz cytuj zgłoś usuń svara citera anmäl svar slet rediger
    返信 返信する 共感した なるほど うーん いいね 通報 違反報告 もっと見る 답글 공감 비공감 좋아요
    신고 더보기 回复 回覆 赞 讚 点赞 踩 举报 檢舉 分享 收起 展开 更多
    """.split()
)
_BADGE_LINE = re.compile(
    r"(?:author|staff|mod|moderator|admin|administrator|site admin|op|subscriber|contributor|"
    r"verified|top fan|member|well-known member|senior member|new member|active member|sponsor|"
    r"post author|autor de la entrada|autore dell'articolo|auteur de l'article|"
    r"beitragsautor|he/him|she/her|they/them|pinned|ledger pick|editor's pick)",
    re.I,
)
_ROLE_BYLINE = re.compile(
    r"(?:works|worked|studied|studies|lives|lived|went|owner|founder|student|teacher|manager|"
    r"editor|director|president|former|retired|attended|head|chair)\b.{0,40}\s(?:at|in|of)\s",
    re.I,
)
_FURNITURE_PHRASES = (
    r"reply to this|reply with quote|report abuse|report this comment|report comment|"
    r"report post|add bookmark|back to top|show more replies|view more replies|show replies|"
    r"hide replies|view replies|load more|load more comments|show more comments|"
    r"view all comments|expand full comment|give award|log in to reply|sign in to reply|"
    r"view user's profile|send private message|visit poster's website|post reply|"
    r"reply ↓|reply ↑|like reply|like reply report|mi piace|j'aime|gefällt mir|"
    r"me gusta|vind ik leuk|see more|read more|show more|show less|show transcript|"
    r"add a comment|pinned|edited|\(edited\)|click to expand\.\.\.|"
    r"reply to article|parent share|reply to this parent share|post comment|post a comment|"
    r"submit comment|publish comment|leave a comment|leave a reply|write a comment|"
    r"improve this (?:question|answer)|follow post|level \d+|report abuse|\d+ more comments?|"
    r"add comment|load more\.*|#\d+ \(permalink\)|\(permalink\)|"
    r"last edited by(?:\s+\S.{0,60})?|(?:\S+\s+)?\d+\s+repl(?:y|ies)\s+last reply|"
    r"join the discussion|join the conversation|start the discussion|sort by(?: \w+)?|"
    r"view profile|view forum posts|view blog entries|visit homepage|private message|"
    r"send (?:a )?(?:private )?message|find (?:all )?(?:posts|threads) by .{1,40}|add as contact|"
    r"profil anzeigen|private nachricht|beiträge anzeigen|voir le profil|ver perfil|"
    r"\S.{0,40}'s avatar|avatar (?:of|von|de) .{1,40}|\S.{0,40} is (?:offline|online)|"
    r"(?:mentioned|tagged|quoted|thanks|thanked|likes received)\s*:?(?:\s\d[\d,]*.{0,20})?|"
    r"\d[\d,]* post\(s\)|\d[\d,]* thread\(s\)"
)
_FURNITURE_LINE = re.compile(
    rf"(?:{_FURNITURE_PHRASES})"
    r"|\d[\d,.]*\s*[kKmM]?\s+(?:repl(?:y|ies)|more repl(?:y|ies)|likes?|points?|votes?|notes?"
    r"|boosts?|favou?rites?|reactions?)(?:\s+by\s.{1,80})?"
    r"|(?:show|view|load|hide|see)\s+(?:all\s+)?(?:\d+\s+)?(?:more\s+)?(?:repl(?:y|ies)|comments?)"
    r"(?:\s*\(\d+\))?"
    r"|(?:repl(?:y|ies)|likes?|like reaction|liked by|reactions?)\s*(?:\(\d+\)|:\s.{1,80}|\s\d+)"
    r"|liked by\s.{1,80}|.{1,60}\s(?:replied|likes this|like this|liked this|posted this"
    r"|reblogged this from \S+)\.?(?:\s*·\s*\d+\s+repl(?:y|ies))?"
    r"|(?:joined|join date|posts|messages|reaction score|location|karma|member since|registered|"
    r"score|rep|reputation|trophy points)\s*:?(?:\s.{0,40})?"
    r"|load \d+ more comments?|load more comments \(\d+ repl(?:y|ies)\)"
    r"|\d+ more repl(?:y|ies)|show \d+ more repl(?:y|ies)",
    re.I,
)
_RULE = re.compile(r"[━─═~=*·•_\-–—]+")
_SYMBOLS = frozenset("· • | / ▲ ▼ ♥ ♡ ❤ ↑ ↓ [–] [-] [+] + - – — › » « ... … ∙ ⋅ #".split())
_NUMBER = re.compile(r"[#+\-−]?\d[\d,.]*[kKmM]?|\(\d+\)|#\d+|\[\d+\]")
_SPLIT = re.compile(r"\s*[·•|∙]\s*|\s{2,}")

_REPLY_CUE = re.compile(
    r"(?:in reply to|replying to|reply to|in antwort auf|en réponse à|en respuesta a|"
    r"in risposta a|als antwoord op|→)\s+@?(?P<to>\S(?:.{0,58}?[^\s.]))\s*\.?$",
    re.I,
)
_AVATAR_ALT = re.compile(  # an avatar's alt text printed before the name: an e-mail address
    r"^(?:[•□◦▪*+-]\s+)?(?:'?[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}'?){1,2}\s+(?=\S)"
)
_REPLIES_TO = re.compile(r"^(?P<name>.{1,60}?)\s+replie[sd]\s+to\s+(?P<to>.{1,60})$", re.I)
_SAYS = re.compile(
    r"^(?P<name>\S.{0,58}?)\s+(?P<verb>says|said|sagt|sagte|schrieb|dit|dice|dijo|schreef|ha detto|"
    r"ha scritto|wrote|writes|a écrit|escribió|disse|reblogged this from \S+ and added)"
    r"\s*(?P<mark>:|\.\.\.|…)?(?:\s+(?P<rest>.*))?$",
    re.I,
)
_PROFILE_LABEL = re.compile(
    r"^(?:joined|join date|registered|member since|started|last seen|last active|updated|asked|"
    r"answered|modified|edited|created|posts|started by)\b",
    re.I,
)
_HEADER_LEAD = re.compile(
    r"^(?:\[[–\-+]\]\s*|↳\s*|→\s*|\[avatar\]\s*|\[[0-9a-f]{3,8}\]\s+|▲\s*\d*\s*|old\b\s*|#\d+\s+|"
    r"(?:post(?:ed)?\s+|comment(?:ed)?\s+)?by\s+|kommentar von\s+|commentaire de\s+|"
    r"comentario de\s+|postposted:?\s*|posted:?\s*|via\s+|"
    r"\d{1,3}(?:\.\d{1,3})*[.)]\s+|[•◦▪‣●○■□➤☆★◇◆*+#]\s+|o\s+(?=[A-Z@])|u/)+",
    re.I,
)
_NAME_TAIL = re.compile(
    r"(?<!\s)(?:\s*(?:»|·|•|\||,|-|–|—|\bon\b|\bat\b|\bum\b|\bà\b|\bel\b|\bil\b|\bam\b|"
    r"\ble\b|@))+\s*$",
    re.I,
)
_POINTS = re.compile(r"(?<!\s)\s+-?\d+\s+points?\b.*$", re.I)
_BADGES = re.compile(
    r"(?<!\s)(?:\s+(?:\(verified\)|\(committee\)|\(mod\)|\[s\]|\[m\]|\[a\]|mod|moderator|admin|staff|"
    r"author|op|post author|autor de la entrada|subscriber|contributor|top fan|ledger pick|"
    r"verified|editor))+$|\[s\]$",
    re.I,
)
_STRONG_RELATIVE = re.compile(
    r"\b(?:ago|vor|il y a|hace|fa|geleden|atrás|yesterday|today|gestern|heute|hier|ayer|hoy|"
    r"ieri|oggi|gisteren|vandaag|just now)\b",
    re.I,
)
_MENU_ITEM = re.compile(r"^[+*o•◦]\s+(?=\S)")
_SIGNED_BY = re.compile(r"^(?:(?:posted|comment(?:ed)?)\s+)?by\s+\S", re.I)
_ALT_TOKEN = re.compile(r"(?<=\S)\s+\[[^\s\[\]]{1,40}\]$")
_PAREN = re.compile(r"(?<!\s)\s*\([^()]{0,60}\)")
_LIST_BULLET = re.compile(r"^(?:[*+•◦▪‣●○■□➤☆★◇◆#]|o(?=\s+[A-Z@]))\s+")
LIST_ITEM = re.compile(r"^[*+•◦▪‣●○■□]\s+\S")  # a list item's first line, as renderers mark it
_INITIAL_END = re.compile(r"(?:^|\s)\w{1,2}\.$")
_HANDLE_CHARS = re.compile(r"[_.\d-]")
_PARTICLES = frozenset("de da di du del della van von der den la le y dos das bin al el".split())


class Kind(StrEnum):
    """What a line of a comment section is."""

    FURNITURE = "F"  # printed with every comment: Reply, Like 18, Joined: 14 Feb 2019
    REPLY_CUE = "R"  # In reply to X, → X
    DATE = "D"  # a date or time, perhaps with a byline or the comment's buttons
    HEADER = "H"  # a name with a date or a verb: Ann says:, Ann | March 3, 2024
    NAME = "N"  # a line that could be a display name
    TEXT = "T"  # anything else: a comment's (or the article's) words
    ANSWERED = "A"  # "answered 4 hours ago": the post above, signed by the name below
    SAYS = "S"  # "Ann said:" alone: a header if a date follows, a quote's attribution if not


@dataclass(slots=True)
class Line:
    """One non-blank line of the comment section."""

    index: int
    indent: int
    text: str
    kind: Kind = Kind.TEXT
    when: When | None = None
    name: str | None = None
    byline: bool = False  # D: words before the date that are not a name ("Retired teacher")
    reply_to: str | None = None
    inline: str | None = None  # H: comment text on the header line ("X said: text")
    signed: bool = False  # H: "text – Author 5 hours ago", a comment signed at its end
    furnished: bool = False  # D: a date among furniture ("Reply · Like · March 12, 2015")
    key: str | None = ""  # the line's shape, for furniture by repetition (None: a sentence)


def furniture(text: str) -> bool:
    """A line made of the furniture printed with comments (``Reply · Like · 3``, ``♥ 23``),
    also as a list's item (``+ View Profile``)."""
    lowered = _MENU_ITEM.sub("", text.strip().lower()).rstrip(".…")
    if not lowered or len(lowered) > 120:
        return False
    if len(lowered) >= 3 and _RULE.fullmatch(lowered):
        return True  # a rule drawn across the page (━━━━, ═════, ~~~~)
    if _FURNITURE_LINE.fullmatch(lowered) or _BADGE_LINE.fullmatch(lowered):
        return True
    if (
        _ROLE_BYLINE.match(lowered)
        and len(lowered) <= 60
        and lowered[-1:] not in ".!?"
        and _DIGIT.search(lowered) is None
    ):
        return True
    pieces = [p for p in _SPLIT.split(lowered) if p]
    if not pieces:
        return True
    for piece in pieces:
        words = piece.split()
        if all(
            w in _FURNITURE_WORDS or w in _SYMBOLS or _NUMBER.fullmatch(w) or _glued_buttons(w)
            for w in words
        ):
            continue
        if _FURNITURE_LINE.fullmatch(piece):
            continue
        return False
    return True


def _glued_buttons(word: str) -> bool:
    """Two button words printed without a space ("antwortenlöschen", "replyshare")."""
    if not 6 <= len(word) <= 30:
        return False
    return any(
        word[:k] in _FURNITURE_WORDS and word[k:] in _FURNITURE_WORDS
        for k in range(3, len(word) - 2)
    )


def name_like(text: str) -> bool:
    """A short line that could be a person's display name or handle (after a list bullet)."""
    t = _LIST_BULLET.sub("", text.strip())
    if not t or len(t) > 50:
        return False
    if has_cjk(t):
        return cjk_name(t)
    words = t.split()
    if len(words) > 5 or not any(ch.isalpha() for ch in t):
        return False
    if t[-1] in "?!,;:" or (t[-1] == "." and not _INITIAL_END.search(t)):
        return False
    if '"' in t or "“" in t or ": " in t:
        return False
    if len(words) == 1:
        return t[0].isupper() or t[0] in "@_" or bool(_HANDLE_CHARS.search(t)) or t.islower()
    return (
        all(
            w[0].isupper() or w[0] in "@([" or w.lower() in _PARTICLES or w[0].isdigit()
            for w in words
        )
        or (  # "Corey m", "Ann b.": a last name's initial in lower case
            words[0][0].isupper()
            and len(words[-1].rstrip(".")) == 1
            and words[-1][0].isalpha()
            and name_like(" ".join(words[:-1]))
        )
    )


def _says_name(name: str) -> bool:
    """Before "says:", a name may be any short phrase without sentence punctuation."""
    words = name.split()
    return (
        name_like(name)  # type: ignore[return-value]
        or (0 < len(words) <= 5 and len(name) <= 40 and not re.search(r"[.!?,;:\"“]", name))
        and (words[0][0].isupper() or words[0][0] in "@_" or re.search(r"[_\d]", words[0]))
    )


def _nickname_says(m: re.Match[str]) -> bool:
    """ "G.M. sagt:", "Ay, caramba says:" alone on its line: a nickname may hold any
    punctuation (the line is a header only where a date follows it: see classify)."""
    name = m["name"].strip()
    return (
        m["mark"] == ":"
        and not (m["rest"] or "").strip()
        and 0 < len(name) <= 40
        and len(name.split()) <= 5
    )


def clean_name(name: str) -> str:
    name = _HEADER_LEAD.sub("", name.strip())
    name = _POINTS.sub("", name)
    name = _NAME_TAIL.sub("", name)
    parts = re.split(r"\s{2,}|\s+→\s*", name)
    name = parts[0].split(" · ")[0]
    first = name.split()[0] if name.split() else ""
    if re.search(r"[_.\d]", first) or first[:1].islower() or first.lower() == "by":
        name = _PAREN.sub("", name).strip()
    else:
        name = re.sub(r"\s*\(\d+\)", "", name).strip()
    name = _BADGES.sub("", name).strip()
    name = _ALT_TOKEN.sub("", name).strip()  # "Ann Lee [bd81725]": an avatar's alt text
    name = re.sub(r"\[s\]$", "", name, flags=re.I).strip()
    words = name.split()
    if len(words) > 1 and (
        re.search(r"[_.\d]", words[0])
        or (words[0][:1].islower() and any(w[:1].isupper() for w in words[1:]))
    ):
        name = words[0]  # a handle, then flair or a full name ("gabriel sempéré" is a name)
    return undoubled(name.strip(" :,"))


def undoubled(name: str) -> str:
    """A name printed twice in a row ("FranziFranzi", "Ann LeeAnn Lee": an avatar's alt text
    glued to the name beside it) once."""
    half = len(name) // 2
    if half >= 3 and len(name) % 2 == 0 and name[:half] == name[half:]:  # not "bibi"
        return name[:half].strip()
    return name


_DIGIT = re.compile(r"\d")
_ANY_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")


def _key(text: str, when: When | None) -> str:
    if when is not None:
        text = text[: when.start] + "<d>" + text[when.end :]
    text = " ".join(text.lower().split())
    if text.startswith("re:"):
        text = text[3:].lstrip()
    if "(" in text:
        text = _PAREN.sub("()", text)
    return _DIGITS.sub("#", text)


def _header_from_date(line: Line, reader: DateReader) -> None:
    """Sort a line with a date in it: a date line, a name with a date, furniture, or text."""
    text, when = line.text, line.when
    prefix, suffix = text[: when.start].strip(), text[when.end :].strip()  # type: ignore[union-attr]
    if re.match(r"^(?:answered|asked)$", prefix, re.I):
        line.kind = Kind.ANSWERED  # "answered 4 hours ago" then the name: the post above is theirs
        return
    if _PROFILE_LABEL.match(prefix) or (prefix.endswith(":") and len(prefix.split()) <= 2):
        if re.match(r"^(?:post)?posted:?$", prefix, re.I):
            line.kind = Kind.DATE
            return
        line.kind = Kind.FURNITURE
        return
    signed = re.search(r"\s[–—-]\s(?P<name>[^–—]{1,40}?)\s*$", prefix)
    if signed and len(prefix[: signed.start()].split()) >= 3:
        # "text – Author 5 hours ago": a comment signed at its end (Stack Exchange comments)
        line.kind, line.name = Kind.HEADER, clean_name(signed["name"])
        line.inline, line.signed = prefix[: signed.start()].strip(), True
        return
    rest = _NAME_TAIL.sub("", prefix + " " + suffix).strip(" ·•|()")
    weak = when.relative and not _STRONG_RELATIVE.search(text[when.start : when.end])  # type: ignore[union-attr]
    if not weak and rest and furniture(rest) and not furniture(text):
        line.kind, line.furnished = Kind.DATE, True  # the date printed with the comment's buttons
        return
    if weak and rest and furniture(rest):
        line.kind = Kind.FURNITURE  # "Like · Reply · 14 · 2y": the date is part of the furniture
        return
    if weak:
        if any(ch.isalpha() for ch in rest) and not furniture(rest):
            line.kind = Kind.TEXT  # "took 3 days": a duration in a sentence, not a comment's date
            return
    rest_of_line = _PAREN.sub("", suffix).strip(" *•·|")
    if len(rest_of_line.split()) >= 4 and not furniture(rest_of_line):
        line.kind = Kind.TEXT  # a sentence goes on after the date: text, not a header
        return
    by = re.match(r"^by\s+(?P<name>.{1,60})$", suffix, re.I)
    if by and len(prefix.split()) <= 3:
        line.kind, line.name = Kind.HEADER, clean_name(by["name"])
        return
    parent = re.split(r"\s{2,}|\s+→\s*", prefix.strip(" •·|"))
    if len(parent) >= 2 and parent[-1].strip():
        line.reply_to = clean_name(parent[-1])
    lead = clean_name(prefix) if prefix else ""
    if not lead or not any(ch.isalpha() for ch in lead):
        line.kind = Kind.DATE
        return
    if len(prefix.split()) > 8:
        line.kind = Kind.TEXT
        return
    if (name_like(lead) or _lowercase_name(lead, suffix)) and (
        not furniture(lead) or _SIGNED_BY.match(prefix)  # "Comment by admin — date"
    ):
        line.kind, line.name = Kind.HEADER, lead
        return
    if len(lead.split()) <= 6 and not re.search(r"[.!?]$", lead):
        line.kind, line.byline = Kind.DATE, True
        return
    line.kind = Kind.TEXT


def _lowercase_name(lead: str, suffix: str) -> bool:
    """Two or three lower-case words of letters alone before a date that ends the line
    ("gabriel sempéré Le 11 septembre 2018 à 12:57"): a commenter who writes their name so."""
    words = lead.split()
    return (
        not suffix
        and 2 <= len(words) <= 3
        and len(lead) <= 30
        and lead.islower()
        and all(w.isalpha() for w in words)
    )


_SAYS_VERBS = frozenset(
    "says said sagt sagte schrieb dit dice dijo schreef detto scritto wrote writes écrit "
    "escribió disse reblogged".split()
)
_CUES = ("in reply", "replying", "reply to", "in antwort", "en réponse", "en respuesta",
         "in risposta", "als antwoord", "→")  # fmt: skip


_EDITED = re.compile(r"^(?P<name>\S.{0,50}?)\s+last edited by\b", re.I)
_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|pdf|mp4|zip|docx?)$", re.I)


def sort_line(text: str, reader: DateReader) -> Line:
    """A line's kind, read from the line alone (the page's repetitions are weighed later)."""
    line = Line(0, 0, text)
    if len(text) > 200 or _FILE.search(text):
        return line  # long, or a file's name (its date is not a comment's)
    edited = _EDITED.match(text) if "edited" in text else None
    if edited:  # NodeBB: "ann GNU/Linux  last edited by ann"
        line.kind, line.name = Kind.HEADER, clean_name(edited["name"])
        return line
    lowered = text[:100].lower()
    if cjk_sentence(text) and reader.find(text) is None:
        return line  # a sentence in a script without spaces: text
    words = {w.strip(":.…,") for w in lowered.split()}
    if (
        len(words) >= 9
        and len(text) >= 50
        and (text[-1] in '.!?…"”' or (text[-1] == ")" and _DIGIT.search(text, 0, 40) is None))
        and not words & _SAYS_VERBS
    ):
        return line  # a sentence: text (a quick way past the checks below, for speed)
    if furniture(text):
        line.kind = Kind.FURNITURE
        return line
    if lowered.startswith(_CUES) or "→" in lowered:
        m = _REPLY_CUE.match(text)
        if m:
            line.kind, line.reply_to = Kind.REPLY_CUE, clean_name(m["to"])
            return line
    m = _SAYS.match(_AVATAR_ALT.sub("", text)) if words & _SAYS_VERBS else None
    if m and (_says_name(clean_name(m["name"])) or _nickname_says(m)):
        rest = (m["rest"] or "").strip()
        verb = m["verb"].lower()
        when = reader.find(rest) if rest else None
        if when is not None and len(rest) - (when.end - when.start) < 8:
            line.kind, line.name, line.when = Kind.HEADER, clean_name(m["name"]), when
            return line
        wordy = sum(ch.isalpha() for ch in rest) >= 2
        if wordy and verb.startswith(("said", "sagt", "dit", "dice", "dijo")) and m["mark"] == ":":
            line.kind, line.name, line.inline = Kind.HEADER, clean_name(m["name"]), rest
            return line
        if not rest and (m["mark"] in ("...", "…") or verb.startswith("reblogged")):
            line.kind, line.name = Kind.HEADER, clean_name(m["name"])
            return line
        if not rest:
            line.kind, line.name = Kind.SAYS, clean_name(m["name"])  # header or quote: see classify
            return line
    m = _REPLIES_TO.match(text) if "replie" in lowered else None
    if m and name_like(clean_name(m["name"])):
        line.kind, line.name, line.reply_to = Kind.NAME, clean_name(m["name"]), clean_name(m["to"])
        return line
    when = reader.find(text)
    if when is not None:
        line.when = when
        _header_from_date(line, reader)
        if line.kind != Kind.TEXT:
            return line
        line.when = None
    if name_like(text):
        line.kind = Kind.NAME
    elif " · " in text and len(text) <= 90 and name_like(text.split(" · ")[0]):
        line.kind = (
            Kind.NAME
        )  # "Name · Top Commenter · Harbour Sailing Club": a name and its badges
    return line


def _same_shape(text: str, shapes: dict[str, Line], reader: DateReader) -> Line | None:
    """A dated header line like one sorted before but for its digits ("March 3, 2024 at
    9:41 am" after "March 12, 2024 at 10:02 am"): the same kind, its own date."""
    if not shapes or _DIGIT.search(text) is None:
        return None
    known = shapes.get(_ANY_DIGIT.sub("0", text))
    if known is None:
        return None
    start, end = known.when.start, known.when.end  # type: ignore[union-attr]
    iso = None if known.when.relative else reader.read(text[start:end])  # type: ignore[union-attr]
    line = Line(0, 0, text, known.kind, When(iso, start, end, known.when.relative), known.name)  # type: ignore[union-attr]
    line.byline, line.reply_to, line.furnished = known.byline, known.reply_to, known.furnished
    return line


def classify(lines: list[str], start: int, end: int, reader: DateReader) -> list[Line]:
    """The non-blank lines ``start..end`` of a page, each with its kind."""
    out: list[Line] = []
    sorted_lines: dict[str, Line] = {}
    shapes: dict[str, Line] = {}  # dated header lines by their shape, digits aside
    for i in range(start, end):
        raw = lines[i]
        text = raw.strip()
        if not text:
            continue
        known = sorted_lines.get(text)
        if known is None:
            known = _same_shape(text, shapes, reader)
        if known is None:
            known = sort_line(text, reader)
            if len(sorted_lines) < 200_000:
                sorted_lines[text] = known
            if (
                known.when is not None
                and known.kind in (Kind.DATE, Kind.HEADER, Kind.FURNITURE, Kind.ANSWERED)
                and not known.inline
                and not _DIGIT.search(f"{known.name or ''}{known.reply_to or ''}")
            ):
                shapes.setdefault(_ANY_DIGIT.sub("0", text), known)
        k = known
        line = Line(i, len(raw) - len(raw.lstrip(" ")), text, k.kind, k.when, k.name, k.byline)
        line.reply_to, line.inline, line.key = k.reply_to, k.inline, k.key
        line.signed, line.furnished = k.signed, k.furnished
        out.append(line)
    # furniture by repetition: a short line that is not a name, repeated down the section
    for line in out:
        if line.kind in (Kind.TEXT, Kind.NAME) and len(line.text) <= 100:
            line.key = _key(line.text, line.when)
    counts = Counter(
        line.key for line in out if line.kind in (Kind.TEXT, Kind.NAME) and line.key is not None
    )
    heading = _heading_names(out)
    for line in out:
        if (
            line.kind == Kind.TEXT
            and counts[line.key] >= 3  # type: ignore[index]
            and len(line.text) <= 100
            and not is_placeholder(line.text)  # "This comment was removed by a moderator."
            and line.text[-1] not in ",!"  # greetings and sign-offs: "Hallo,", "Viele Grüße!"
        ):
            line.kind = Kind.FURNITURE
        elif (
            line.kind == Kind.NAME
            and counts[line.key] >= 4  # type: ignore[index]
            and " " not in line.text
            and line.key not in heading
        ):
            line.kind = Kind.FURNITURE
    # "Name says:" is a header when a date follows it, or closes the text under it (then the
    # buttons or the next comment); a quote's attribution otherwise
    for n, line in enumerate(out):
        if line.kind == Kind.SAYS:
            following = out[n + 1] if n + 1 < len(out) else None
            dated = following is not None and following.kind == Kind.DATE
            item = LIST_ITEM.match(line.text) is not None  # "* Moraima dijo:": a new list item
            header = dated or _date_closes_text(out, n, 40 if item else 15)
            line.kind = Kind.HEADER if header else Kind.TEXT
    return out


def _heading_names(lines: list[Line]) -> set[str]:
    """The keys of name lines that head a text more often than not (after no text, above a
    text directly or under the same name doubled by an avatar's alt text): a regular
    commenter, the site's owner answering, not furniture however often the name repeats."""
    heads: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for n, line in enumerate(lines):
        if line.kind != Kind.NAME or line.key is None:
            continue
        seen[line.key] += 1
        if n and lines[n - 1].kind == Kind.TEXT:
            continue  # the last line of a text ("Image", a sign-off), not a header
        following = lines[n + 1 : n + 3]
        if n and lines[n - 1].kind == Kind.DATE and not lines[n - 1].byline:
            heads[line.key] += 1  # under the post's date (vBulletin: "06-15-2016, 05:21 PM")
        elif following and following[0].kind == Kind.TEXT:
            heads[line.key] += 1
        elif (
            len(following) == 2
            and following[0].kind == Kind.DATE
            and following[1].kind == Kind.TEXT
        ):
            heads[line.key] += 1  # "Sana / 6. Juni 2015 um 10:23 / text"
        elif (
            len(following) == 2
            and following[0].kind == Kind.NAME
            and following[1].kind == Kind.TEXT
            and undoubled(line.text) == following[0].text
        ):
            heads[line.key] += 1
    return {key for key, count in heads.items() if 2 * count > seen[key]}


_AFTER_CLOSING_DATE = (Kind.FURNITURE, Kind.SAYS, Kind.HEADER, Kind.NAME)


def _date_closes_text(lines: list[Line], n: int, reach: int = 15) -> bool:
    """Whether the text under line ``n`` ends, within ``reach`` lines (more for a list
    item's first line), in a date line that the comment's buttons, the next header or the
    page's end follow."""
    for j in range(n + 1, min(n + reach + 1, len(lines))):
        kind = lines[j].kind
        if kind == Kind.DATE:
            after = lines[j + 1].kind if j + 1 < len(lines) else Kind.FURNITURE
            return j > n + 1 and after in _AFTER_CLOSING_DATE
        if kind not in (Kind.TEXT, Kind.NAME):
            return False
    return False
