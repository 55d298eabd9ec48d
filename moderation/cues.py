"""Cues a bag of words cannot see, written into the text as words before it is split.

Three patterns of English comments decide a label more than their words do (each one of
``KINDS``, asked for by name):

- **reported speech**: "my neighbour called me a stupid idiot" reports abuse, it does not
  abuse anyone. The one or two words after "called me (a)" are read as ``said_stupid``,
  ``said_idiot``: other features than the insults themselves, whose weights the model learns
  from reported insults in its training data;
- **threats without swear words**: "I will find where you live", "make you pay", "you'll
  regret it". Each such pattern adds the word ``cuethreat``, one feature shared by all of
  them, so the few threats of the training data teach it together;
- **who a swear word or insult is aimed at** (``target``): one aimed at the reader ("you
  stupid idiot", "your fucking face") is read as ``you_stupid``, ``you_idiot``; the same
  words aimed at nobody ("fucking hell, I missed the bus") stay as written, so their weights
  come from untargeted uses, which our definitions do not call abuse.

``mark_cues`` is a step of ``moderation.normalize.prepare`` when the pipeline asks for it
(``PipelineConfig.cue_marks``), so training, the pipeline and the array scorer read the same
words. Its patterns never cross a line break or the scorer's boundary between texts.
"""

from __future__ import annotations

import re

from moderation.lexicons import OFFENSIVE_WORDS

SAID, AIMED = "said_", "you_"
THREAT = "cuethreat"
KINDS = ("reported", "threat", "target")

_PERSON = r"(?:me|us|him|her|them|you|(?:my|his|her|our|their|your) [a-z]+)"
_REPORTED = re.compile(
    r"(?i)\b((?:call(?:ed|s|ing)|label(?:l?ed|s)|brand(?:ed|s)) "
    + _PERSON
    + r"(?: an?| the| such an?| so)? [\"'\u201c\u2018]?)([a-z]+)(?:( )([a-z]+))?"
)
_MAY_REPORT = re.compile(r"(?i)\b(?:call|label|brand)")

_YOU = r"(?:you|u|ya|your family|your kids)"
_THREATS = re.compile(
    r"(?i)\b(?:"
    r"(?:i|we)(?:['\u2019]ll| will| am going to|['\u2019]m going to| are going to"
    r"|['\u2019]re going to| gonna| shall)"
    r" (?:find|hunt|track|come for|come after|get|hurt|kill|end|break|destroy|make) " + _YOU + r"|"
    r"(?:know|find|found|finding) (?:out )?where " + _YOU + r" (?:live|sleep|work|are)|"
    r"make " + _YOU + r" (?:pay|suffer|regret|bleed|sorry)|"
    r"watch (?:your|ur) back|"
    r"(?:you|u)(?:['\u2019]ll| will| are going to|['\u2019]re going to| gonna)"
    r" (?:pay|regret|be sorry|suffer)|"
    r"coming (?:for|after) " + _YOU + r"|"
    r"(?:you|u)(?:['\u2019]re| are) (?:dead|next|finished)\b"
    r")"
)


# the reader, then up to two words, then a swear word or insult: "you (are a) stupid idiot"
_TARGETED = re.compile(
    r"(?i)\b(?:you|u|ur|your|youre|you['\u2019]re|ya|yourself)"
    r"((?: [a-z']+){0,2}?) ((?:"
    + "|".join(sorted(OFFENSIVE_WORDS, key=len, reverse=True))
    + r")(?: (?:"
    + "|".join(sorted(OFFENSIVE_WORDS, key=len, reverse=True))
    + r"))?)\b"
)


def _aimed(match: re.Match[str]) -> str:
    words = " ".join(AIMED + word for word in match.group(2).split(" "))
    return f"{match.group(0)[: match.start(2) - match.start(0)]}{words}"


def _reported(match: re.Match[str]) -> str:
    second = f" {SAID}{match.group(4)}" if match.group(4) else ""
    return f"{match.group(1)}{SAID}{match.group(2)}{second}"


def mark_cues(text: str, kinds: tuple[str, ...] = ("reported", "threat")) -> str:
    """``text`` with the ``kinds`` of cue marked: reported insults read as ``said_`` words,
    ``cuethreat`` after each threat pattern, insults aimed at the reader as ``you_`` words."""
    if "reported" in kinds and _MAY_REPORT.search(text):
        text = _REPORTED.sub(_reported, text)
    if "target" in kinds:
        text = _TARGETED.sub(_aimed, text)
    if "threat" in kinds:
        text = _THREATS.sub(lambda m: f"{m.group(0)} {THREAT}", text)
    return text
