"""What each line of a comment section is, read from its shape: furniture (``Reply``, ``Like 18``,
``Joined: 14 Feb 2019``, a line repeated down the page), a reply cue (``In reply to X``), a date
line, a header line (a name with a date, ``Name says:``), a name-like line, or text.

Every check here is linear in the line: lines are split on separators and the pieces looked up,
and the few regular expressions are anchored and bounded."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from moderation.comments import is_placeholder
from moderation.formats.page_text.dating import DateReader, When

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
    """.split()
)
_BADGE_LINE = re.compile(
    r"(?:author|staff|mod|moderator|admin|administrator|site admin|op|subscriber|contributor|"
    r"verified|top fan|member|well-known member|senior member|new member|active member|sponsor|"
    r"post author|autor de la entrada|autore dell'articolo|auteur de l'article|"
    r"beitragsautor|he/him|she/her|they/them|pinned|ledger pick|editor's pick)",
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
    r"join the discussion|join the conversation|start the discussion|sort by(?: \w+)?"
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
    r"|(?:joined|posts|messages|reaction score|location|karma|member since|registered|"
    r"score|rep|reputation|trophy points)\s*:?(?:\s.{0,40})?"
    r"|load \d+ more comments?|load more comments \(\d+ repl(?:y|ies)\)"
    r"|\d+ more repl(?:y|ies)|show \d+ more repl(?:y|ies)",
    re.I,
)
_SYMBOLS = frozenset("· • | ▲ ▼ ♥ ♡ ❤ ↑ ↓ [–] [-] [+] + - – — › » « ... … ∙ ⋅ #".split())
_NUMBER = re.compile(r"[#+\-−]?\d[\d,.]*[kKmM]?|\(\d+\)|#\d+|\[\d+\]")
_SPLIT = re.compile(r"\s*[·•|∙]\s*|\s{2,}")

_REPLY_CUE = re.compile(
    r"(?:in reply to|replying to|reply to|in antwort auf|en réponse à|en respuesta a|"
    r"in risposta a|als antwoord op|→)\s+@?(?P<to>\S(?:.{0,58}?[^\s.]))\s*\.?$",
    re.I,
)
_REPLIES_TO = re.compile(r"^(?P<name>.{1,60}?)\s+replie[sd]\s+to\s+(?P<to>.{1,60})$", re.I)
_SAYS = re.compile(
    r"^(?P<name>\S.{0,58}?)\s+(?P<verb>says|said|sagt|schrieb|dit|dice|schreef|ha detto|"
    r"ha scritto|wrote|writes|a écrit|escribió|disse|reblogged this from \S+ and added)"
    r"\s*(?P<mark>:|\.\.\.|…)?(?:\s+(?P<rest>.*))?$",
    re.I,
)
_PROFILE_LABEL = re.compile(
    r"^(?:joined|registered|member since|started|last seen|last active|updated|asked|"
    r"answered|modified|edited|created|posts|started by)\b",
    re.I,
)
_HEADER_LEAD = re.compile(
    r"^(?:\[[–\-+]\]\s*|↳\s*|→\s*|\[avatar\]\s*|▲\s*\d*\s*|old\s+|#\d+\s+|"
    r"(?:post(?:ed)?\s+)?by\s+|postposted:?\s*|posted:?\s*|via\s+|"
    r"\d{1,3}(?:\.\d{1,3})*[.)]\s+|[•◦▪‣●○■□➤*]\s+)+",
    re.I,
)
_NAME_TAIL = re.compile(
    r"(?<!\s)(?:\s*(?:»|·|•|\||,|-|–|—|\bon\b|\bat\b|\bum\b|\bà\b|\bel\b|\bil\b|\bam\b|@))+\s*$",
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
_PAREN = re.compile(r"(?<!\s)\s*\([^()]{0,60}\)")
_PARTICLES = frozenset("de da di du del della van von der den la le y dos das bin al el".split())


@dataclass
class Line:
    """One non-blank line of the comment section."""

    index: int
    indent: int
    text: str
    kind: str = "T"  # F furniture, R reply cue, D date, H header, N name-like, T text
    when: When | None = None
    name: str | None = None
    byline: bool = False  # D: words before the date that are not a name ("Retired teacher")
    reply_to: str | None = None
    inline: str | None = None  # H: comment text on the header line ("X said: text")
    key: str | None = ""  # the line's shape, for furniture by repetition (None: a sentence)


def furniture(text: str) -> bool:
    """A line made of the furniture printed with comments (``Reply · Like · 3``, ``♥ 23``)."""
    lowered = text.strip().lower().rstrip(".…")
    if not lowered or len(lowered) > 120:
        return False
    if _FURNITURE_LINE.fullmatch(lowered) or _BADGE_LINE.fullmatch(lowered):
        return True
    pieces = [p for p in _SPLIT.split(lowered) if p]
    if not pieces:
        return True
    for piece in pieces:
        words = piece.split()
        if all(w in _FURNITURE_WORDS or w in _SYMBOLS or _NUMBER.fullmatch(w) for w in words):
            continue
        if _FURNITURE_LINE.fullmatch(piece):
            continue
        return False
    return True


def name_like(text: str) -> bool:
    """A short line that could be a person's display name or handle."""
    t = text.strip()
    if not t or len(t) > 50:
        return False
    words = t.split()
    if len(words) > 5 or not any(ch.isalpha() for ch in t):
        return False
    if t[-1] in "?!,;:" or (t[-1] == "." and not re.search(r"(?:^|\s)\w{1,2}\.$", t)):
        return False
    if '"' in t or "“" in t:
        return False
    if len(words) == 1:
        return t[0].isupper() or t[0] in "@_" or bool(re.search(r"[_.\d-]", t)) or t.islower()
    return all(
        w[0].isupper() or w[0] in "@([" or w.lower() in _PARTICLES or w[0].isdigit() for w in words
    )


def clean_name(name: str) -> str:
    name = _HEADER_LEAD.sub("", name.strip())
    name = _POINTS.sub("", name)
    name = _NAME_TAIL.sub("", name)
    parts = re.split(r"\s{2,}|\s+→\s*", name)
    name = parts[0]
    first = name.split()[0] if name.split() else ""
    if re.search(r"[_.\d]", first) or first[:1].islower() or first.lower() == "by":
        name = _PAREN.sub("", name).strip()
    else:
        name = re.sub(r"\s*\(\d+\)", "", name).strip()
    name = _BADGES.sub("", name).strip()
    name = re.sub(r"\[s\]$", "", name, flags=re.I).strip()
    words = name.split()
    if len(words) > 1 and (re.search(r"[_.\d]", words[0]) or words[0][:1].islower()):
        name = words[0]  # a handle, then flair or a full name
    return name.strip(" :,")


_DIGIT = re.compile(r"\d")
_RE_PREFIX = re.compile(r"^re:\s*")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def _key(text: str, when: When | None) -> str:
    if when is not None:
        text = text[: when.start] + "<d>" + text[when.end :]
    text = _RE_PREFIX.sub("", text.strip().lower())
    text = _PAREN.sub("()", text)
    return _DIGITS.sub("#", _SPACES.sub(" ", text))


def _header_from_date(line: Line, reader: DateReader) -> None:
    """Sort a line with a date in it: a date line, a name with a date, furniture, or text."""
    text, when = line.text, line.when
    prefix, suffix = text[: when.start].strip(), text[when.end :].strip()
    rest = _NAME_TAIL.sub("", prefix + " " + suffix).strip(" ·•|()")
    weak = when.relative and not _STRONG_RELATIVE.search(text[when.start : when.end])
    if weak and rest and furniture(rest):
        line.kind = "F"  # "Like · Reply · 14 · 2y": the date is part of the furniture
        return
    if weak:
        if any(ch.isalpha() for ch in rest) and not furniture(rest):
            line.kind = "T"  # "took 3 days": a duration in a sentence, not a comment's date
            return
    if _PROFILE_LABEL.match(prefix) or (prefix.endswith(":") and len(prefix.split()) <= 2):
        if re.match(r"^(?:post)?posted:?$", prefix, re.I):
            line.kind = "D"
            return
        line.kind = "F"
        return
    signed = re.search(r"\s[–—-]\s(?P<name>[^–—]{1,40}?)\s*$", prefix)
    if signed and len(prefix) > 40:
        # "text – Author 5 hours ago": a comment signed at its end (Stack Exchange comments)
        line.kind, line.name = "H", clean_name(signed["name"])
        line.inline = prefix[: signed.start()].strip()
        return
    by = re.match(r"^by\s+(?P<name>.{1,60})$", suffix, re.I)
    if by and len(prefix.split()) <= 3:
        line.kind, line.name = "H", clean_name(by["name"])
        return
    parent = re.split(r"\s{2,}|\s+→\s*", prefix.strip(" •·|"))
    if len(parent) >= 2 and parent[-1].strip():
        line.reply_to = clean_name(parent[-1])
    lead = clean_name(prefix) if prefix else ""
    if not lead or not any(ch.isalpha() for ch in lead):
        line.kind = "D"
        return
    if len(prefix.split()) > 8:
        line.kind = "T"
        return
    if name_like(lead) and not furniture(lead):
        line.kind, line.name = "H", lead
        return
    if len(lead.split()) <= 6 and not re.search(r"[.!?]$", lead):
        line.kind, line.byline = "D", True
        return
    line.kind = "T"


_SAYS_VERBS = frozenset(
    "says said sagt schrieb dit dice schreef detto scritto wrote writes écrit escribió disse "
    "reblogged".split()
)
_CUES = ("in reply", "replying", "reply to", "in antwort", "en réponse", "en respuesta",
         "in risposta", "als antwoord", "→")  # fmt: skip


def sort_line(text: str, reader: DateReader) -> Line:
    """A line's kind, read from the line alone (the page's repetitions are weighed later)."""
    line = Line(0, 0, text)
    if len(text) > 200:
        return line
    lowered = text[:100].lower()
    words = {w.strip(":.…,") for w in lowered.split()}
    if (
        len(words) >= 9
        and text[-1] in '.!?…"”)'
        and not words & _SAYS_VERBS
        and _DIGIT.search(text, 0, 40) is None
    ):
        return line  # a sentence: text (a quick way past the checks below, for speed)
    if furniture(text):
        line.kind = "F"
        return line
    if lowered.startswith(_CUES) or "→" in lowered:
        m = _REPLY_CUE.match(text)
        if m:
            line.kind, line.reply_to = "R", clean_name(m["to"])
            return line
    m = _SAYS.match(text) if words & _SAYS_VERBS else None
    if m and name_like(clean_name(m["name"])):
        rest = (m["rest"] or "").strip()
        verb = m["verb"].lower()
        when = reader.find(rest) if rest else None
        if when is not None and len(rest) - (when.end - when.start) < 8:
            line.kind, line.name, line.when = "H", clean_name(m["name"]), when
            return line
        if rest and verb.startswith(("said", "sagt", "dit", "dice")) and m["mark"] == ":":
            line.kind, line.name, line.inline = "H", clean_name(m["name"]), rest
            return line
        if not rest and (m["mark"] in ("...", "…") or verb.startswith("reblogged")):
            line.kind, line.name = "H", clean_name(m["name"])
            return line
        if not rest:
            line.kind, line.name = "S", clean_name(m["name"])  # header or quote: see classify
            return line
    m = _REPLIES_TO.match(text) if "replie" in lowered else None
    if m and name_like(clean_name(m["name"])):
        line.kind, line.name, line.reply_to = "N", clean_name(m["name"]), clean_name(m["to"])
        return line
    when = reader.find(text)
    if when is not None:
        line.when = when
        _header_from_date(line, reader)
        if line.kind != "T":
            return line
        line.when = None
    if name_like(text):
        line.kind = "N"
    return line


def classify(lines: list[str], start: int, end: int, reader: DateReader) -> list[Line]:
    """The non-blank lines ``start..end`` of a page, each with its kind."""
    out: list[Line] = []
    sorted_lines: dict[str, Line] = {}
    for i in range(start, end):
        raw = lines[i]
        text = raw.strip()
        if not text:
            continue
        known = sorted_lines.get(text)
        if known is None:
            known = sort_line(text, reader)
            if len(sorted_lines) < 200_000:
                sorted_lines[text] = known
        k = known
        line = Line(i, len(raw) - len(raw.lstrip(" ")), text, k.kind, k.when, k.name, k.byline)
        line.reply_to, line.inline, line.key = k.reply_to, k.inline, k.key
        out.append(line)
    # furniture by repetition: a short line that is not a name, repeated down the section
    for line in out:
        if line.kind in "TN" and len(line.text) <= 100:
            line.key = _key(line.text, line.when)
    counts = Counter(line.key for line in out if line.kind in "TN" and line.key is not None)
    for line in out:
        if (
            line.kind == "T"
            and counts[line.key] >= 3
            and len(line.text) <= 100
            and not is_placeholder(line.text)  # "This comment was removed by a moderator."
        ):
            line.kind = "F"
        elif line.kind == "N" and counts[line.key] >= 4 and " " not in line.text:
            line.kind = "F"
    # "Name says:" is a header when a date follows it, a quote's attribution otherwise
    for n, line in enumerate(out):
        if line.kind == "S":
            following = out[n + 1] if n + 1 < len(out) else None
            dated = following is not None and following.kind == "D"
            line.kind = "H" if dated else "T"
    return out
