"""Bring the annotators' labels into the project as data: ``data/relabelling/relabels.jsonl``.

    python benchmarks/relabelling/import_annotations.py [--from /work/relabel] [--check]

The annotation folder holds ``rows.jsonl`` (the rows chosen by ``choose_candidates.py``, with
the id each annotator saw) and ``annotator-X/labels-NN.tsv`` (``rid, label, target, threat,
profanity`` per line) written by annotators who followed ``GUIDELINES.md`` and never saw a model
or a score; ``annotator-X/DONE`` when one has finished. Each label line becomes one
:class:`~moderation.datasets.relabel.Relabel`: the dataset row's id, the SHA-256 of its text as
the project's converter gives it (checked against the text the annotator saw), the old and new
label, the annotator, the time its file was written (the file's mtime), why the row was chosen,
and the three marks for the attribute heads. No text is written. A malformed line stops the
import with its file and line.

It prints the agreement on the doubly labelled rows (Cohen's kappa) and what the relabelling
changes; ``--check`` writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from moderation.datasets.convert import detokenised, examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.datasets.relabel import (  # noqa: E402
    LABELS,
    TARGETS,
    Relabel,
    summary,
    text_sha256,
)
from moderation.errors import InputError  # noqa: E402
from moderation.files import atomic_output  # noqa: E402

OUTPUT = ROOT / "data" / "relabelling" / "relabels.jsonl"


def converter_texts(ids: set[str], root: Path) -> dict[str, str]:
    """The project's text of each dataset row in ``ids``."""
    sources = {row_id.split(":", 1)[0] for row_id in ids}
    found = {}
    for source in sorted(sources):
        for row in examples(source, root):
            if row["id"] in ids:
                found[row["id"]] = row["text"]
    return found


def same_text(seen: str, ours: str, source: str) -> bool:
    """Whether the annotator's text is the row's (PAN's is pre-tokenised in the file)."""
    if source == "pan2024_oppositional_en":
        seen = detokenised(seen)
    return " ".join(seen.split()) == " ".join(ours.split())


def read_answers(folder: Path, rows: dict[str, dict]) -> list[tuple[str, str, list[str], str]]:
    """(annotator, rid, fields, labelled_at) of every label line, checked."""
    answers = []
    for annotator_dir in sorted(folder.glob("annotator-*")):
        annotator = annotator_dir.name.removeprefix("annotator-")
        for path in sorted(annotator_dir.glob("labels-*.tsv")):
            when = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                problem = None
                if len(fields) != 5:
                    problem = f"expected 5 tab-separated fields, found {len(fields)}"
                elif fields[0] not in rows:
                    problem = f"unknown row id {fields[0]!r}"
                elif fields[1] not in LABELS or fields[2] not in TARGETS:
                    problem = f"label {fields[1]!r} or target {fields[2]!r} not allowed"
                elif fields[3] not in ("0", "1") or fields[4] not in ("0", "1"):
                    problem = "threat and profanity must be 0 or 1"
                if problem:
                    raise InputError(path, problem, line=number)
                answers.append((annotator, fields[0], fields, when))
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="folder", type=Path, default=Path("/work/relabel"))
    parser.add_argument("--datasets", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="report only; write nothing")
    args = parser.parse_args()
    rows = {}
    for line in (args.folder / "rows.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["rid"]] = row
    answers = read_answers(args.folder, rows)
    ours = converter_texts(
        {rows[rid]["id"] for _, rid, _, _ in answers}, args.datasets or default_datasets_dir()
    )
    relabels, seen = [], Counter()
    for annotator, rid, fields, when in answers:
        row = rows[rid]
        text = ours.get(row["id"])
        if text is None or not same_text(row["text"], text, row["source"]):
            sys.exit(f"row {row['id']} ({rid}): the project's text is not the one annotated")
        seen[annotator, rid] += 1
        if seen[annotator, rid] > 1:
            sys.exit(f"annotator {annotator} labelled {rid} twice")
        relabels.append(
            Relabel(
                id=row["id"],
                text_sha256=text_sha256(text),
                source=row["source"],
                source_label=str(row["source_label"]),
                old_label=row["old_label"],
                label=fields[1],
                target=fields[2],
                threat=fields[3] == "1",
                profanity=fields[4] == "1",
                annotator=annotator,
                labelled_at=when,
                reason=row["reason"],
                rid=rid,
                double=bool(row["double"]),
                round=int(row.get("round") or 1),
            )
        )
    relabels.sort(key=lambda r: (r.rid, r.annotator))
    done = sorted(p.parent.name for p in args.folder.glob("annotator-*/DONE"))
    report = summary(relabels)
    report["done"] = done
    report["chosen_rows"] = len(rows)
    print(json.dumps(report, indent=1))
    if not args.check:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(OUTPUT) as out:
            for relabel in relabels:
                out.write(relabel.to_json() + "\n")
        print(f"wrote {len(relabels):,} answers for {report['rows']:,} rows to {OUTPUT}")


if __name__ == "__main__":
    main()
