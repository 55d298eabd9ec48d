"""`moderation labels merge|from-status`: combine moderators' stores; turn the platform's own
decisions into weak labels."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Optional

import orjson
import typer

from moderation.cli._util import (EncodingOption, FormatOption, SkipBadOption, atomic_output,
                                  say, user_errors)
from moderation.errors import UsageError
from moderation.formats import ParseReport, ReadOptions, read_export

app = typer.Typer(help="Work with label stores: merge several, or make weak labels from the "
                       "platform's decisions.", no_args_is_help=True)


def merge(stores: list[Path], *, output: Path,
          disagreements: Path | None = None) -> dict[str, Any]:
    """Merge label stores into ``output``; ids labelled differently are left out and
    returned (and written to ``disagreements`` when given)."""
    from moderation.labelling import merge_stores

    if output.resolve() in {s.resolve() for s in stores}:
        raise UsageError(f"{output}: is one of the stores being merged; write elsewhere")
    result = merge_stores(stores)
    with atomic_output(output, binary=True) as out:
        out.write(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE)
                           for r in result.records))
    if disagreements is not None:
        with atomic_output(disagreements, binary=True) as out:
            out.write(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE)
                               for r in result.disagreements))
    return {"output": str(output), "merged": len(result.records),
            "by_label": dict(Counter(r["label"] for r in result.records)),
            "disagreements": result.disagreements, "weak_overridden": result.weak_overridden,
            "torn": result.torn}


def from_status(input: Path, *, output: Path, mapping: list[str] | None = None,
                format: str = "auto", options: ReadOptions | None = None,
                labeller: str = "platform") -> dict[str, Any]:
    """Weak labels from the statuses an export records (approved, removed, ...)."""
    from moderation.labelling import now, parse_status_mapping, weak_labels

    chosen = parse_status_mapping(mapping or [])
    options = options or ReadOptions()
    report = ParseReport(str(input), skip_bad=options.skip_bad)
    statuses: Counter = Counter()
    records = []
    stamp = now()

    def counted(stream: Any) -> Any:
        for record in stream:
            statuses[getattr(record, "status", "thread") or "none"] += 1
            yield record

    stream = counted(read_export(input, format=format, options=options, report=report))
    for comment, label in weak_labels(stream, chosen):
        records.append({"id": comment.id, "action": "label", "label": label,
                        "text": comment.text, "labeller": labeller, "time": stamp,
                        "weak": True, "status": comment.status, "thread_id": comment.thread_id,
                        "source": input.stem})
    statuses.pop("thread", None)
    if not records:
        seen = ", ".join(f"{n} {s}" for s, n in statuses.most_common()) or "no comments"
        raise UsageError(f"{input}: no comment has a status that maps to a label (found: "
                         f"{seen}); mapping: "
                         f"{', '.join(f'{s}={lab}' for s, lab in chosen.items())}; "
                         "add --map STATUS=LABEL")
    with atomic_output(output, binary=True) as out:
        out.write(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records))
    return {"output": str(output), "written": len(records), "mapping": chosen,
            "statuses": dict(statuses), "by_label": dict(Counter(r["label"] for r in records)),
            "report": report}


@app.command("merge")
@user_errors
def merge_cli(
    stores: Annotated[list[Path], typer.Argument(help="Label stores to merge (two or more).",
                                                 show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Merged store to write.",
                                         show_default=False)],
    disagreements: Annotated[Optional[Path], typer.Option(
        help="Also write every disagreement (id, text, each store's label) as JSONL here.")]
    = None,
) -> None:
    """Merge label stores; ids the stores label differently are reported, not guessed."""
    done = merge(stores, output=output, disagreements=disagreements)
    for warning in done["torn"] or []:
        say(f"warning: {warning}")
    counts = ", ".join(f"{n} {label}" for label, n in sorted(done["by_label"].items()))
    say(f"wrote {done['merged']:,} label(s) to {output} ({counts or 'none'})")
    if done["weak_overridden"]:
        say(f"{done['weak_overridden']} weak label(s) gave way to a moderator's different "
            "label")
    conflicts = done["disagreements"]
    if conflicts:
        say(f"{len(conflicts)} disagreement(s) left out:")
        for item in conflicts[:20]:
            labels = "; ".join(f"{a['label']} ({a['labeller'] or a['store']})"
                               for a in item["labels"])
            say(f"  {item['id']}: {labels}")
        if len(conflicts) > 20:
            say(f"  ... and {len(conflicts) - 20} more" +
                ("" if disagreements else " (write them all with --disagreements FILE)"))


@app.command("from-status")
@user_errors
def from_status_cli(
    input: Annotated[Path, typer.Argument(help="Export whose comments carry a status "
                                               "(WordPress, Disqus, Reddit, CSV with a status "
                                               "column).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Weak labels (JSONL) to "
                                                                "write.", show_default=False)],
    mapping: Annotated[Optional[list[str]], typer.Option(
        "--map", help="STATUS=LABEL (or STATUS=none), over the default approved=civil, "
                      "removed=abusive. Repeatable.", show_default=False)] = None,
    format: FormatOption = "auto",
    skip_bad: SkipBadOption = False,
    encoding: EncodingOption = None,
) -> None:
    """Turn the platform's decisions into weak labels (marked "weak": true, weighted down in
    training)."""
    done = from_status(input, output=output, mapping=mapping, format=format,
                       options=ReadOptions(encoding=encoding, skip_bad=skip_bad))
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(done["statuses"].items()))
    labels = ", ".join(f"{n} {label}" for label, n in sorted(done["by_label"].items()))
    say(f"{input}: statuses {statuses}")
    say(f"wrote {done['written']:,} weak label(s) to {output} ({labels})")
