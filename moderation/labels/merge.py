"""Labels from several places made one: moderators' stores merged (disagreements reported,
never guessed), and the platform's own decisions (approved, removed) turned into weak labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict

import orjson

from moderation.comments import LABELS, STATUSES, Comment, Thread
from moderation.errors import ModerationError, UsageError
from moderation.files import atomic_output, check_outputs, now_iso
from moderation.formats import ParseReport, ReadOptions, read_export
from moderation.labels.jsonl import write_label_lines
from moderation.labels.opening import open_for_reading
from moderation.labels.record import LabelRecord

# the platform's decisions that say something about a comment, as weak labels: approved ->
# civil; removed (Reddit, CSV exports) and deleted (Disqus's isDeleted, WordPress's trash) ->
# abusive, since a moderator took them down (Disqus marks an author's own deletion the same
# way: `--map deleted=none` leaves those out). pending and spam say nothing about abuse and are
# left out unless mapped.
DEFAULT_STATUS_LABELS = {"approved": "civil", "removed": "abusive", "deleted": "abusive"}


def weak_labels(
    records: Iterable[Thread | Comment], mapping: dict[str, str]
) -> Iterator[tuple[Comment, str]]:
    """Comments whose platform status maps to a label, with that label."""
    for record in records:
        if isinstance(record, Comment) and record.status in mapping:
            text = record.text.strip()
            if text and text not in ("[deleted]", "[removed]"):
                yield record, mapping[record.status]


def parse_status_mapping(pairs: list[str]) -> dict[str, str]:
    """``STATUS=LABEL`` pairs (``STATUS=none`` drops a default) over the default mapping."""
    mapping = dict(DEFAULT_STATUS_LABELS)
    for pair in pairs:
        status, sep, label = pair.partition("=")
        status, label = status.strip().lower(), label.strip().lower()
        if not sep or status not in STATUSES or label not in (*LABELS, "none"):
            raise ModerationError(
                f"--map {pair!r}: expected STATUS=LABEL with STATUS one of "
                f"{', '.join(STATUSES)} and LABEL one of "
                f"{', '.join(LABELS)} or none"
            )
        if label == "none":
            mapping.pop(status, None)
        else:
            mapping[status] = label
    return mapping


def settle(answers: list[tuple[str, bool]]) -> tuple[list[int] | None, int]:
    """The rule every merge of labels applies (``labels merge``, and retraining on several
    files): given one id's answers as ``(label, weak)``, the indices of the answers that stand
    (``None``: moderators disagree, so the id is left out) and how many weak labels gave way to
    a moderator's different label. A moderator's answer always wins over a weak one."""
    strong = [i for i, (_, weak) in enumerate(answers) if not weak]
    standing = strong or list(range(len(answers)))
    overridden = 0
    if strong and len(strong) < len(answers):
        first = answers[strong[0]][0]
        overridden = sum(label != first for label, weak in answers if weak)
    if len({answers[i][0] for i in standing}) > 1:
        return None, overridden
    return standing, overridden


class StoredLabel(TypedDict):
    store: str  # the store's path as given
    label: str | None
    labeller: str


class Disagreement(TypedDict):
    """A comment left out of a merge, with every label it was given (a line of the
    ``--disagreements`` file)."""

    id: str
    text: str | None
    labels: list[StoredLabel]


@dataclass
class MergeResult:
    records: list[LabelRecord]
    disagreements: list[Disagreement]
    weak_overridden: int = 0
    notes: list[str] | None = None

    def lines(
        self, output: Path, *, disagreements_file: Path | None = None, limit: int = 20
    ) -> list[str]:
        """What the merge did, for a person."""
        counts = ", ".join(
            f"{n} {label}" for label, n in sorted(Counter(r.label for r in self.records).items())
        )
        lines = [f"wrote {len(self.records):,} label(s) to {output} ({counts or 'none'})"]
        if self.weak_overridden:
            lines.append(
                f"{self.weak_overridden} weak label(s) gave way to a moderator's different label"
            )
        if self.disagreements:
            lines.append(f"{len(self.disagreements)} disagreement(s) left out:")
            for item in self.disagreements[:limit]:
                labels = "; ".join(
                    f"{a['label']} ({a['labeller'] or a['store']})" for a in item["labels"]
                )
                lines.append(f"  {item['id']}: {labels}")
            if len(self.disagreements) > limit:
                lines.append(
                    f"  ... and {len(self.disagreements) - limit} more"
                    + ("" if disagreements_file else " (write them all with --disagreements FILE)")
                )
        return lines


def merge_stores(paths: list[str | Path]) -> MergeResult:
    """The labels of several stores as one: ids every store labels alike are kept (with all
    their labellers); ids with different labels are disagreements, left out and reported. A
    weak label (the platform's decision) gives way to a moderator's. Moderators who answered
    one comment differently in the same store (the review page keeps both answers) are
    disagreements too, so one store can be merged on its own."""
    if not paths:
        raise ModerationError("merge needs at least one label store")
    by_id: dict[str, list[tuple[str, LabelRecord]]] = {}
    notes = []
    for path in paths:
        with open_for_reading(path) as store:
            notes.extend(store.notes)
            for cid, record in store.labels(disagreements=True).items():
                by_id.setdefault(cid, []).append((str(path), record))
            for cid, records in store.disagreements().items():
                by_id.setdefault(cid, []).extend((str(path), record) for record in records)
    merged: list[LabelRecord] = []
    disagreements: list[Disagreement] = []
    overridden = 0
    for cid, answers in by_id.items():
        standing, gave_way = settle([(str(r.label), r.weak) for _, r in answers])
        overridden += gave_way
        if standing is None:
            answers = [(p, r) for p, r in answers if not r.weak] or answers
            disagreements.append(
                Disagreement(
                    id=cid,
                    text=answers[0][1].text,
                    labels=[
                        StoredLabel(store=p, label=r.label, labeller=r.labeller) for p, r in answers
                    ],
                )
            )
            continue
        answers = [answers[i] for i in standing]
        last = answers[-1][1]
        labellers = sorted({r.labeller for _, r in answers if r.labeller})
        merged.append(
            replace(
                last,
                labeller=",".join(labellers) if labellers else last.labeller,
                supersedes=None,
                corrects=None,
                seq=None,
                extra={**last.extra, "merged_from": [p for p, _ in answers]},
            )
        )
    return MergeResult(merged, disagreements, overridden, notes)


@dataclass
class WeakLabels:
    """The weak labels of one export, and what the export's statuses were."""

    records: list[LabelRecord]
    mapping: dict[str, str]
    statuses: Counter[str]
    report: ParseReport

    def by_label(self) -> dict[str, int]:
        return dict(Counter(r.label for r in self.records if r.label is not None))

    def left_out(self) -> dict[str, int]:
        """Comments per status that no label was made from (no status, or one not mapped)."""
        return {s: n for s, n in sorted(self.statuses.items()) if s not in self.mapping}


def weak_labels_of_export(
    path: str | Path,
    *,
    mapping: dict[str, str],
    format: str = "auto",
    options: ReadOptions | None = None,
    labeller: str = "platform",
) -> WeakLabels:
    """Store records (marked ``"weak": true``) for the comments of an export whose status
    maps to a label. An export where none does is an error that lists the statuses found."""
    options = options or ReadOptions()
    report = ParseReport(str(path), skip_bad=options.skip_bad)
    statuses: Counter[str] = Counter()
    stamp = now_iso()

    def counted(stream: Iterable[Thread | Comment]) -> Iterator[Thread | Comment]:
        for record in stream:
            if isinstance(record, Comment):
                statuses[record.status or "none"] += 1
            yield record

    stream = counted(read_export(path, format=format, options=options, report=report))
    records = [
        LabelRecord(
            id=comment.id,
            label=label,
            text=comment.text,
            labeller=labeller,
            role="platform",
            time=stamp,
            thread_id=comment.thread_id or None,
            source=Path(path).stem,
            extra={"status": comment.status},
        )
        for comment, label in weak_labels(stream, mapping)
    ]
    if not records:
        seen = ", ".join(f"{n} {s}" for s, n in statuses.most_common()) or "no comments"
        raise UsageError(
            f"{path}: no comment has a status that maps to a label (found: "
            f"{seen}); mapping: "
            f"{', '.join(f'{s}={lab}' for s, lab in mapping.items())}; "
            "add --map STATUS=LABEL"
        )
    return WeakLabels(records, mapping, statuses, report)


def _write_lines(path: Path, records: list[Disagreement]) -> None:
    with atomic_output(path, binary=True) as out:
        out.write(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records))


def merge_into(
    stores: list[Path], *, output: Path, disagreements: Path | None = None
) -> MergeResult:
    """``moderation labels merge``: the merged store written to ``output`` (and every
    disagreement to ``disagreements`` when given)."""
    check_outputs({"-o": output, "--disagreements": disagreements}, stores)
    result = merge_stores(list(stores))
    write_label_lines(output, result.records)
    if disagreements is not None:
        _write_lines(disagreements, result.disagreements)
    return result


def write_weak_labels(
    input: Path,
    *,
    output: Path,
    mapping: list[str],
    format: str = "auto",
    options: ReadOptions | None = None,
) -> WeakLabels:
    """``moderation labels from-status``: weak labels from an export's statuses, written to
    ``output``."""
    check_outputs({"-o": output}, [input])
    weak = weak_labels_of_export(
        input, mapping=parse_status_mapping(mapping), format=format, options=options
    )
    write_label_lines(output, weak.records)
    return weak
