"""The summary of a flagging run: comments per predicted label and per language, flags per
label, and where the flags are (threads with the largest flagged share, authors with the most
flags)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from moderation.comments import Comment, Thread
from moderation.languages import language_name
from moderation.model.scoring import FLAGGED_LABELS

NO_MODEL = "language"  # moderation.model.multilingual.NO_MODEL


@dataclass
class FlagSummary:
    """Counts over a whole run: comments per predicted label, flags per label, and where the
    flags are (threads with the largest flagged share, authors with the most flags)."""

    comments: int = 0
    not_scored: int = 0
    flagged_comments: int = 0
    predicted: Counter[str | None] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    thread_comments: Counter[str] = field(default_factory=Counter)
    thread_flagged: Counter[str] = field(default_factory=Counter)
    thread_titles: dict[str, str] = field(default_factory=dict)
    author_flags: Counter[str] = field(default_factory=Counter)
    anonymous_flagged: int = 0  # flagged comments without an author: many people, not one
    language_comments: Counter[str] = field(default_factory=Counter)
    language_flagged: Counter[str] = field(default_factory=Counter)
    language_unscored: Counter[str] = field(default_factory=Counter)  # no model reads it
    not_scored_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, comments: list[Comment], rows: list[dict[str, Any]]) -> None:
        self.add_verdicts(
            comments,
            [row["prediction"] for row in rows],
            [row["flags"] for row in rows],
            [(row.get("language", "und"), row.get("not_scored")) for row in rows],
        )

    def add_verdicts(
        self,
        comments: list[Comment],
        predictions: list[str | None],
        flags: list[list[str]],
        languages: list[tuple[str, str | None]] | None = None,
    ) -> None:
        """Count a chunk: its comments, their predictions (None: not scored) and flags, and
        each one's language and why it was not scored (None: it was)."""
        self.comments += len(predictions)
        self.thread_comments.update(comment.thread_id for comment in comments)
        self.predicted.update(predictions)
        for language, reason in languages or ():
            self.language_comments[language] += 1
            if reason is not None:
                self.not_scored_reasons[reason] += 1
                if reason == NO_MODEL:
                    self.language_unscored[language] += 1
        for number, (comment, flagged) in enumerate(zip(comments, flags)):
            if flagged:
                if languages:
                    self.language_flagged[languages[number][0]] += 1
                self.flagged_comments += 1
                self.flagged.update(flagged)
                self.thread_flagged[comment.thread_id] += 1
                if comment.author:
                    self.author_flags[comment.author] += 1
                else:
                    self.anonymous_flagged += 1
            if comment.thread_title and comment.thread_id not in self.thread_titles:
                self.thread_titles[comment.thread_id] = comment.thread_title
        self.not_scored += self.predicted.pop(None, 0)

    def merge(self, other: FlagSummary) -> None:
        """Add the counts of ``other``, a summary of the comments after this one's (a later
        partition of the same run): the merge of the partitions' summaries is the summary of
        the whole run."""
        self.comments += other.comments
        self.not_scored += other.not_scored
        self.flagged_comments += other.flagged_comments
        self.anonymous_flagged += other.anonymous_flagged
        counters: tuple[tuple[Counter[Any], Counter[Any]], ...] = (
            (self.predicted, other.predicted),
            (self.flagged, other.flagged),
            (self.thread_comments, other.thread_comments),
            (self.thread_flagged, other.thread_flagged),
            (self.author_flags, other.author_flags),
            (self.language_comments, other.language_comments),
            (self.language_flagged, other.language_flagged),
            (self.language_unscored, other.language_unscored),
            (self.not_scored_reasons, other.not_scored_reasons),
        )
        for mine, theirs in counters:
            mine.update(theirs)
        for thread, title in other.thread_titles.items():
            self.thread_titles.setdefault(thread, title)

    def title(self, thread: Thread) -> None:
        if thread.title:
            self.thread_titles.setdefault(thread.id, thread.title)

    def to_dict(self, top: int = 10, min_comments: int = 5) -> dict[str, Any]:
        """The summary as JSON; threads are ranked by flagged share among those with at least
        ``min_comments`` comments (or all threads, when none has that many). Ties go by name
        (thread id, author, label), so the order does not depend on which comment came first
        and merged summaries read the same as one."""
        sized = [t for t in self.thread_flagged if self.thread_comments[t] >= min_comments]
        candidates = sized or list(self.thread_flagged)
        ranked = sorted(
            candidates,
            key=lambda t: (
                -self.thread_flagged[t] / self.thread_comments[t],
                -self.thread_flagged[t],
                t,
            ),
        )[:top]
        return {
            "comments": self.comments,
            "scored": self.comments - self.not_scored,
            "not_scored": self.not_scored,
            "not_scored_reasons": dict(sorted(self.not_scored_reasons.items())),
            "languages": {
                code: {
                    "comments": n,
                    "flagged": self.language_flagged.get(code, 0),
                    "not_scored_no_model": self.language_unscored.get(code, 0),
                }
                for code, n in sorted(
                    self.language_comments.items(), key=lambda kv: (-kv[1], kv[0])
                )
            },
            "predicted": dict(sorted(self.predicted.items(), key=lambda kv: (-kv[1], kv[0]))),
            "flagged_comments": self.flagged_comments,
            "flagged": {label: self.flagged.get(label, 0) for label in FLAGGED_LABELS},
            "threads": len(self.thread_comments),
            "top_threads": [
                {
                    "thread_id": t,
                    "title": self.thread_titles.get(t),
                    "comments": self.thread_comments[t],
                    "flagged": self.thread_flagged[t],
                    "flagged_share": round(self.thread_flagged[t] / self.thread_comments[t], 4),
                }
                for t in ranked
            ],
            "top_authors": [
                {"author": author, "flagged": n}
                for author, n in sorted(self.author_flags.items(), key=lambda kv: (-kv[1], kv[0]))[
                    :top
                ]
            ],
            "flagged_without_author": self.anonymous_flagged,
        }

    def lines(self, top: int = 5) -> list[str]:
        """The summary for a person, as lines for stderr."""
        data = self.to_dict(top=top)
        predicted = ", ".join(f"{label} {n:,}" for label, n in data["predicted"].items())
        flagged = ", ".join(f"{label} {n:,}" for label, n in data["flagged"].items())
        lines = [
            f"{data['comments']:,} comment(s) in {data['threads']:,} thread(s); "
            f"predicted: {predicted or 'none'}",
            f"flagged: {data['flagged_comments']:,} comment(s) ({flagged})",
        ]
        if len(data["languages"]) > 1 or self.language_unscored:
            lines.append(
                "languages: "
                + ", ".join(
                    f"{code} {entry['comments']:,}"
                    + (" (no model: not scored)" if entry["not_scored_no_model"] else "")
                    for code, entry in data["languages"].items()
                )
            )
        if data["not_scored"]:
            reasons = ", ".join(
                _reason(reason, n, self.language_unscored)
                for reason, n in data["not_scored_reasons"].items()
            )
            lines.append(f"not scored: {data['not_scored']:,} ({reasons})")
        if data["top_threads"]:
            lines.append("threads with the largest flagged share:")
            lines += [
                f"  {t['flagged']}/{t['comments']} flagged  {t['title'] or t['thread_id']}"
                for t in data["top_threads"]
            ]
        if data["top_authors"]:
            lines.append(
                "authors with the most flags: "
                + ", ".join(f"{a['author']} ({a['flagged']})" for a in data["top_authors"])
            )
        if data["flagged_without_author"]:
            lines.append(
                f"flagged without an author (anonymous): {data['flagged_without_author']:,}"
            )
        return lines


def _reason(reason: str, count: int, unscored: Counter[str]) -> str:
    if reason != NO_MODEL:
        return f"{count:,} {reason}"
    languages = ", ".join(f"{language_name(code)} {n:,}" for code, n in unscored.most_common())
    return f"{count:,} in a language no model reads: {languages}"
