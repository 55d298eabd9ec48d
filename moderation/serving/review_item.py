"""One comment of the review queue as the page shows it: the thread, the parent with the span
the comment quotes from it, the scores and flags, and the text cut into pieces (quoted spans, and
the words that push towards each explained label or towards civil). The page puts each piece on
screen as text."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from moderation.comments import QuoteSpan
from moderation.labels.review.queue import QueueItem
from moderation.model.scoring import explain_text


class ShownTerm(TypedDict):
    term: str  # the feature
    shown: str  # as the comment wrote it
    contribution: float  # towards the label (+) or away from it (-), against civil


class TextPiece(TypedDict):
    text: str
    quote: NotRequired[bool]  # inside a span the comment quotes
    term: NotRequired[str]  # an explained word: as shown, and its contribution
    contribution: NotRequired[float]


class ParentPiece(TypedDict):
    text: str
    quoted: NotRequired[bool]  # the part the comment quotes


class ExplainedLabel(TypedDict):
    score: float
    terms: list[ShownTerm]
    pieces: list[TextPiece]


class ItemView(TypedDict):
    """One comment of the queue as the page's script reads it (JSON)."""

    id: str
    thread_id: str
    thread_title: str | None
    author: str | None
    parent: list[ParentPiece] | None
    scores: dict[str, float] | None
    prediction: str | None
    flags: list[str]
    explanation: dict[str, ExplainedLabel]


def describe(item: QueueItem, model: Any) -> ItemView:
    """One comment as the page shows it: thread, parent (with the span quoted from it), the
    text in pieces (quoted spans, and the words that push towards each label or away), the
    scores and flags."""
    comment = item.comment
    labels = [label for label in [item.prediction, *item.flags] if label]
    explanation = explain_text(
        model, comment.text, quotes=comment.quotes, labels=labels, scores=item.scores
    )
    return {
        "id": comment.id,
        "thread_id": comment.thread_id,
        "thread_title": comment.thread_title,
        "author": comment.author,
        "parent": parent_pieces(comment.text, comment.quotes, item.parent_text),
        "scores": item.scores,
        "prediction": item.prediction,
        "flags": item.flags,
        "explanation": {
            label: {
                "score": part["score"],
                "terms": [
                    {
                        "term": t["term"],
                        "shown": t.get("shown", t["term"]),
                        "contribution": t["contribution"],
                    }
                    for t in part["terms"]
                ],
                "pieces": text_pieces(comment.text, comment.quotes, part["terms"]),
            }
            for label, part in explanation.items()
        },
    }


def text_pieces(text: str, quotes: list[QuoteSpan], terms: list[dict[str, Any]]) -> list[TextPiece]:
    """``text`` cut where a quoted span or an explained word starts or ends: each piece says
    whether it is quoted and, for a word, which way it pushes (the strongest word wins where
    an n-gram overlaps its words)."""
    spans = [
        (start, end, t.get("shown", t["term"]), t["contribution"])
        for t in terms
        for start, end in t["spans"]
    ]
    cuts = {0, len(text)}
    for quote_span in quotes:
        cuts.update((quote_span.start, quote_span.end))
    for start, end, _, _ in spans:
        cuts.update((start, end))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    pieces: list[TextPiece] = []
    for start, end in zip(bounds, bounds[1:]):
        if start == end:
            continue
        piece: TextPiece = {"text": text[start:end]}
        if any(q.start <= start and end <= q.end for q in quotes):
            piece["quote"] = True
        covering = [s for s in spans if s[0] <= start and end <= s[1]]
        if covering:
            _, _, term, contribution = max(covering, key=lambda s: abs(s[3]))
            piece["term"] = term
            piece["contribution"] = contribution
        pieces.append(piece)
    return pieces


def parent_pieces(
    text: str, quotes: list[QuoteSpan], parent: str | None
) -> list[ParentPiece] | None:
    """The parent's text, with the part the comment quotes from it marked (when found): a span
    found as the parent's words, or marked as a quote (``>``) and found in the parent."""
    if not parent:
        return None
    for span in quotes:
        if span.source not in ("parent", "marked"):
            continue
        quoted = " ".join(
            line.lstrip("> ").strip() for line in text[span.start : span.end].splitlines()
        ).strip(" \"'“”")
        at = parent.find(quoted) if len(quoted) >= 8 else -1
        if at >= 0:
            end = at + len(quoted)
            pieces: list[ParentPiece] = [
                {"text": parent[:at]},
                {"text": parent[at:end], "quoted": True},
                {"text": parent[end:]},
            ]
            return [p for p in pieces if p["text"]]
    return [{"text": parent}]
