"""Rows of the public datasets relabelled to this project's definitions, kept as data.

The sources' labels do not always mean ours: Davidson's "offensive" is mostly profanity aimed
at nobody, Ruddit's middle band is neither, some "abusive" rows quote abuse to reject it. The
rows chosen for relabelling (``benchmarks/relabelling/choose_candidates.py``) were labelled by
annotators who followed the written definitions (``data/relabelling/GUIDELINES.md``) and never
saw a model, a score, the source or its label. Their answers live in
``data/relabelling/relabels.jsonl``: one line per row and annotator (``Relabel``), with the
dataset row's id, the SHA-256 of its text (never the text), the old and new label, who labelled
it and when, and why the row was chosen. A recipe applies them (``apply_relabels``) to the
converters' rows before training.

One rule turns the answers into a row's label (``settle``): a single annotator's label stands;
two annotators who agree give that label; two who disagree leave the row out of the pool, as
does ``unclear``. Agreement on the rows labelled twice is Cohen's kappa (``agreement``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from moderation.errors import InputError, ModerationError

LABELS = ("civil", "abusive", "conspiracy", "unclear")
TARGETS = ("person", "identity", "other", "none")
LEFT_OUT = ("unclear", "disagreement")  # why a relabelled row leaves the pool


@dataclass(frozen=True)
class Relabel:
    """One annotator's answer for one dataset row (one line of ``relabels.jsonl``)."""

    id: str  # the dataset row's id, as the converter gives it (``davidson:15788``)
    text_sha256: str  # SHA-256 of the row's text as the converter gives it
    source: str
    source_label: str  # the dataset's own label
    old_label: str | None  # what the converter mapped it to (None: left out before)
    label: str  # the annotator's: civil, abusive, conspiracy or unclear
    target: str  # who abuse is aimed at: person, identity, other or none
    threat: bool
    profanity: bool
    annotator: str
    labelled_at: str  # ISO time (UTC) the annotator's file was written
    reason: str  # why the row was chosen for relabelling
    rid: str  # the id the annotator saw
    double: bool  # one of the rows labelled by two annotators
    round: int = 1  # which round of relabelling chose it (data/relabelling/README.md)

    def to_json(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def from_json(cls, line: str, *, path: str | Path = "relabels", number: int = 0) -> Relabel:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise InputError(path, f"invalid JSON ({err.msg})", line=number) from None
        names = set(cls.__dataclass_fields__)
        if not isinstance(record, dict) or set(record) != names:
            raise InputError(
                path, f"a relabel needs exactly the fields {sorted(names)}", line=number
            )
        relabel = cls(**record)
        if relabel.label not in LABELS or relabel.target not in TARGETS:
            raise InputError(
                path,
                f"label must be one of {', '.join(LABELS)} and target one of {', '.join(TARGETS)}",
                line=number,
            )
        return relabel


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_relabels(path: str | Path, rounds: Iterable[int] | None = None) -> list[Relabel]:
    """The answers in ``path`` (only those of ``rounds``, when given)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(path, "not found") from None
    wanted = None if rounds is None else set(rounds)
    found = [
        Relabel.from_json(line, path=path, number=number)
        for number, line in enumerate(lines, 1)
        if line.strip()
    ]
    return [r for r in found if wanted is None or r.round in wanted]


@dataclass(frozen=True)
class Settled:
    """A relabelled row's label for training: ``label`` None leaves the row out (``why``)."""

    id: str
    text_sha256: str
    old_label: str | None
    label: str | None
    why: str  # "one annotator", "two agreed", "unclear" or "disagreement"


def settle(relabels: Iterable[Relabel]) -> dict[str, Settled]:
    """Each relabelled row's label by the rule in the module docstring."""
    by_id: dict[str, list[Relabel]] = {}
    for relabel in relabels:
        by_id.setdefault(relabel.id, []).append(relabel)
    settled = {}
    for row_id, answers in by_id.items():
        labels = {answer.label for answer in answers}
        first = answers[0]
        if len(labels) > 1:
            label, why = None, "disagreement"
        elif first.label == "unclear":
            label, why = None, "unclear"
        else:
            label, why = first.label, "two agreed" if len(answers) > 1 else "one annotator"
        settled[row_id] = Settled(row_id, first.text_sha256, first.old_label, label, why)
    return settled


def agreement(relabels: Iterable[Relabel]) -> dict[str, Any]:
    """Cohen's kappa between the two annotators of each doubly labelled row (over the four
    answers, unclear included, and over the rows neither called unclear), with the counts."""
    from sklearn.metrics import cohen_kappa_score

    by_id: dict[str, list[Relabel]] = {}
    for relabel in relabels:
        if relabel.double:
            by_id.setdefault(relabel.id, []).append(relabel)
    pairs = [sorted(answers, key=lambda a: a.annotator) for answers in by_id.values()]
    pairs = [pair for pair in pairs if len(pair) == 2]
    if not pairs:
        return {"rows": 0}
    first, second = [p[0].label for p in pairs], [p[1].label for p in pairs]
    judged = [(a, b) for a, b in zip(first, second) if "unclear" not in (a, b)]
    result = {
        "rows": len(pairs),
        "agreed": sum(a == b for a, b in zip(first, second)),
        "kappa": round(float(cohen_kappa_score(first, second)), 4),
        "rows_without_unclear": len(judged),
        "kappa_without_unclear": round(
            float(cohen_kappa_score([a for a, _ in judged], [b for _, b in judged])), 4
        )
        if judged
        else None,
        "disagreements": dict(
            Counter(" / ".join(sorted((a, b))) for a, b in zip(first, second) if a != b)
        ),
    }
    return result


def summary(relabels: list[Relabel]) -> dict[str, Any]:
    """What a relabelling did, for a model's meta and card: rows, how their labels moved,
    how many left the pool and why, and the agreement (over all, and per round)."""
    settled = settle(relabels)
    rounds = sorted({r.round for r in relabels})
    moves = Counter(f"{s.old_label or 'left out'} -> {s.label or s.why}" for s in settled.values())
    return {
        "rows": len(settled),
        "answers": len(relabels),
        "annotators": sorted({r.annotator for r in relabels}),
        "changed": sum(1 for s in settled.values() if s.label and s.label != s.old_label),
        "left_out": dict(Counter(s.why for s in settled.values() if s.label is None)),
        "moves": dict(sorted(moves.items(), key=lambda kv: -kv[1])),
        "by_source": dict(Counter(r.source for r in relabels if r.annotator)),
        "rounds": rounds,
        "agreement": agreement(relabels),
        "agreement_by_round": {
            str(n): agreement([r for r in relabels if r.round == n]) for n in rounds
        },
    }


def apply_relabels(
    rows: Iterable[dict[str, Any]], settled: dict[str, Settled], counts: Counter[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The converters' rows with the settled labels in place (``label`` None where the row
    leaves the pool; ``relabelled`` marks them). A row whose text is not the one that was
    labelled stops the run: the label belongs to another text."""
    for row in rows:
        found = settled.get(row["id"])
        if found is None:
            yield row
            continue
        if text_sha256(row["text"]) != found.text_sha256:
            raise ModerationError(
                f"relabelled row {row['id']}: its text differs from the one that was labelled "
                "(SHA-256 mismatch); the dataset copy or its converter changed since"
            )
        if counts is not None:
            counts[found.why] += 1
        yield {**row, "label": found.label, "relabelled": found.why}
