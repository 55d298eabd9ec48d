"""`moderation label`: review comments one key at a time, or through a spreadsheet, into the
label store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from moderation.cli._util import (
    FormatOption,
    ModelOption,
    NoBomOption,
    ThresholdOption,
    reads_exports,
    say,
    user_errors,
)
from moderation.errors import UsageError
from moderation.files import check_outputs
from moderation.flagging.review_queue import load_queue
from moderation.formats import ReadOptions
from moderation.labels.opening import open_store
from moderation.labels.record import default_labeller
from moderation.labels.review.loop import review_loop
from moderation.labels.review.queue import ORDERS, QueueItem, order_for_review
from moderation.labels.review.spreadsheet import export_queue, import_reviewed

HELP_LINE = (
    "[bold]c[/] civil  [bold]a[/] abusive  [bold]p[/] conspiracy  "
    "[bold]s[/] skip  [bold]u[/] undo  [bold]q[/] quit"
)


def show_item(
    item: QueueItem, position: int, total: int, model: Any, console: Any, again: bool = False
) -> None:
    """One comment for review: thread, parent, the highlighted explanation, scores, flags.
    ``total`` counts the queue as it is now: a skipped comment's second turn at the end adds
    one, so the counter never runs past it."""
    from rich.rule import Rule
    from rich.text import Text

    from moderation.cli._tables import print_explanation
    from moderation.model.scoring import score_texts

    comment = item.comment
    turn = "  ·  skipped earlier" if again else ""
    console.print(Rule(f"{position + 1} / {total}  ·  {comment.id}{turn}", style="dim"))
    if comment.thread_title:
        console.print(Text("thread: ", style="dim") + Text(comment.thread_title, style="bold"))
    if item.parent_text:
        parent = " ".join(item.parent_text.split())
        console.print(
            Text("replying to: ", style="dim")
            + Text(parent if len(parent) <= 300 else parent[:297] + "...", style="italic dim")
        )
    # the whole text, with what it quotes dimmed (left out of the scores, not hidden)
    scored = score_texts(
        model, [comment.text], explain=True, thresholds=model.thresholds, quotes=[comment.quotes]
    )[0]
    print_explanation(position + 1, scored, console)
    scores = "  ".join(f"{label} {value:.2f}" for label, value in (item.scores or {}).items())
    flags = ", ".join(item.flags) or "none"
    console.print(f"model: [bold]{item.prediction}[/]  {scores}  flags: {flags}")
    console.print(HELP_LINE)


def interactive_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


InputArgument = Annotated[
    Path,
    typer.Argument(
        help="Export file to review (any format `moderation parse` reads).", show_default=False
    ),
]
StoreOption = Annotated[
    Path,
    typer.Option(
        "--store",
        "-s",
        help="Label store (a SQLite .db file) the answers go to; created if missing. An old "
        "JSONL store is imported once into the .db beside it.",
        show_default=False,
    ),
]
OrderOption = Annotated[
    str,
    typer.Option(
        help="uncertain: the model's least sure first; flagged: flagged comments by score; random."
    ),
]
LimitOption = Annotated[
    int | None, typer.Option(min=1, help="Review (or export) at most this many comments.")
]
LabellerOption = Annotated[
    str | None,
    typer.Option(help="Name recorded with each answer (default: your user name)."),
]
ExportOption = Annotated[
    Path | None,
    typer.Option(
        "--export",
        help="Write the next comments to review to this CSV (with an empty label "
        "column) instead of reviewing in the terminal.",
    ),
]
ImportOption = Annotated[
    Path | None,
    typer.Option("--import", help="Add the labels filled into a CSV written by --export."),
]
SeedOption = Annotated[int, typer.Option(help="Seed for --order random.")]


@user_errors
@reads_exports
def label_cli(
    input: InputArgument,
    store: StoreOption,
    model: ModelOption = None,
    order: OrderOption = "uncertain",
    limit: LimitOption = None,
    labeller: LabellerOption = None,
    export: ExportOption = None,
    import_: ImportOption = None,
    seed: SeedOption = 0,
    no_bom: NoBomOption = False,
    format: FormatOption = "auto",
    threshold: ThresholdOption = None,
    *,
    options: ReadOptions,
) -> None:
    """Label comments into an append-only store: one key per answer, saved at once."""
    if order not in ORDERS:
        raise UsageError(f"--order {order!r}: choose one of {', '.join(ORDERS)}")
    if export is not None and import_ is not None:
        raise UsageError("--export and --import are two steps: run them one at a time")
    check_outputs({"--store": store, "--export": export}, [input, import_])
    queue_options = {
        "model": model,
        "format": format,
        "thresholds": threshold or [],
        "options": options,
    }
    if export is not None:
        _export(input, store, export, limit, order, seed, queue_options, bom=not no_bom)
    elif import_ is not None:
        _import(input, store, import_, labeller or default_labeller(), queue_options)
    else:
        _review_in_terminal(
            input, store, limit, order, seed, labeller or default_labeller(), queue_options
        )


def _export(
    input: Path,
    store: Path,
    export: Path,
    limit: int | None,
    order: str,
    seed: int,
    queue_options: dict[str, Any],
    *,
    bom: bool = True,
) -> None:
    done = export_queue(
        load_queue(input, **queue_options),
        store=store,
        output=export,
        limit=limit,
        order=order,
        seed=seed,
        bom=bom,
    )
    _say_notes(done.notes)
    say(done.message)


def _import(
    input: Path, store: Path, reviewed: Path, labeller: str, queue_options: dict[str, Any]
) -> None:
    done = import_reviewed(
        load_queue(input, **queue_options),
        store=store,
        reviewed=reviewed,
        labeller=labeller,
        options=queue_options["options"],
    )
    _say_notes(done.notes)
    for line in done.bad:
        say(f"skipped: {line}")
    say(done.message)


def _review_in_terminal(
    input: Path,
    store: Path,
    limit: int | None,
    order: str,
    seed: int,
    labeller: str,
    queue_options: dict[str, Any],
) -> None:
    if not interactive_terminal():
        raise UsageError(
            "labelling needs a terminal; without one, write a queue with "
            "--export QUEUE.csv --limit N and bring it back with --import"
        )
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    with open_store(store) as labels:
        _say_notes(labels.notes)
        queue = load_queue(input, **queue_options)
        todo = order_for_review(
            queue.items, order, labels.current_answers(), limit=limit, seed=seed
        )
        if not todo:
            say(
                f"nothing to review: all {len(queue.items):,} comment(s) of {input} are "
                f"answered in {labels.path}"
            )
            return
        given = review_loop(
            todo,
            labels,
            labeller=labeller,
            model_id=queue.model.id,
            read_key=typer.getchar,
            show=lambda item, at, total, again: show_item(
                item, at, total, queue.model, console, again
            ),
            say=lambda message: console.print(Text(message, style="yellow")),
        )
    saved = ", ".join(f"{n} {choice}" for choice, n in sorted(given.items())) or "nothing"
    say(f"saved to {labels.path}: {saved}; run the same command to carry on")


def _say_notes(notes: list[str]) -> None:
    for note in notes:
        say(f"note: {note}")
