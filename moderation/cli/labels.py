"""`moderation labels merge|from-status`: combine moderators' stores; turn the platform's own
decisions into weak labels."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer

from moderation.cli._util import (Command, EncodingOption, FormatOption, Group, SkipBadOption,
                                  read_options, say, user_errors)
from moderation.labels.merge import merge_into, write_weak_labels

app = typer.Typer(help="Work with label stores: merge several, or make weak labels from the "
                       "platform's decisions.", no_args_is_help=True, cls=Group)


@app.command("merge", cls=Command)
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
    done = merge_into(stores, output=output, disagreements=disagreements)
    for warning in done.torn or []:
        say(f"warning: {warning}")
    by_label = Counter(r["label"] for r in done.records)
    counts = ", ".join(f"{n} {label}" for label, n in sorted(by_label.items()))
    say(f"wrote {len(done.records):,} label(s) to {output} ({counts or 'none'})")
    if done.weak_overridden:
        say(f"{done.weak_overridden} weak label(s) gave way to a moderator's different label")
    conflicts = done.disagreements
    if conflicts:
        say(f"{len(conflicts)} disagreement(s) left out:")
        for item in conflicts[:20]:
            labels = "; ".join(f"{a['label']} ({a['labeller'] or a['store']})"
                               for a in item["labels"])
            say(f"  {item['id']}: {labels}")
        if len(conflicts) > 20:
            say(f"  ... and {len(conflicts) - 20} more" +
                ("" if disagreements else " (write them all with --disagreements FILE)"))


@app.command("from-status", cls=Command)
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
    done = write_weak_labels(input, output=output, mapping=mapping or [], format=format,
                             options=read_options(encoding, skip_bad))
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(done.statuses.items()))
    labels = ", ".join(f"{n} {label}" for label, n in sorted(done.by_label().items()))
    say(f"{input}: statuses {statuses}")
    say(f"wrote {len(done.records):,} weak label(s) to {output} ({labels})")
