"""`moderation label`: review comments one key at a time, or through a spreadsheet, into an
append-only label store."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from moderation.cli._util import (EncodingOption, FormatOption, IdColOption, ModelOption,
                                  SkipBadOption, TextColOption, ThresholdOption, atomic_output,
                                  say, user_errors)
from moderation.comments import LABELS
from moderation.errors import InputError, ModerationError, UsageError
from moderation.formats import ColumnMap, ParseReport, ReadOptions, read_export

KEYS = {"c": "civil", "1": "civil", "a": "abusive", "2": "abusive", "p": "conspiracy",
        "3": "conspiracy", "s": "skip", "u": "undo", "q": "quit"}
HELP_LINE = ("[bold]c[/] civil  [bold]a[/] abusive  [bold]p[/] conspiracy  "
             "[bold]s[/] skip  [bold]u[/] undo  [bold]q[/] quit")


def load_queue(input: Path, *, model: Path | None = None, format: str = "auto",
               options: ReadOptions | None = None, thresholds: list[str] | None = None
               ) -> tuple[list[Any], ParseReport, Any]:
    """Every comment of ``input`` scored by the model, with the parse report and the model."""
    from moderation.review import queue_items
    from moderation.scoring import parse_thresholds
    from moderation.store import load_model

    loaded = load_model(model)
    chosen = parse_thresholds(thresholds or [], loaded.thresholds, loaded.labels)
    options = options or ReadOptions()
    report = ParseReport(str(input), skip_bad=options.skip_bad)
    items = queue_items(read_export(input, format=format, options=options, report=report),
                        loaded, chosen)
    return items, report, loaded


def export_queue(input: Path, *, store: Path, output: Path, limit: int | None = None,
                 order: str = "uncertain", seed: int = 0, **queue_options: Any
                 ) -> dict[str, Any]:
    """Write the next ``limit`` comments to review (not yet in ``store``) to a CSV file."""
    from moderation.labelling import read_store
    from moderation.review import order_queue, write_queue_csv

    contents = read_store(store, missing_ok=True)
    items, report, loaded = load_queue(input, **queue_options)
    todo = order_queue(items, order, done=set(contents.current()), limit=limit, seed=seed)
    with atomic_output(output, encoding="utf-8-sig") as handle:   # BOM: spreadsheets read UTF-8
        written = write_queue_csv(todo, handle)
    return {"input": str(input), "queue": str(output), "written": written,
            "comments": len(items), "already_answered": len(contents.current()),
            "model": loaded.id, "order": order, "torn": contents.torn_warning(),
            "report": report}


def import_reviewed(input: Path, *, store: Path, reviewed: Path, labeller: str,
                    **queue_options: Any) -> dict[str, Any]:
    """Add the answered rows of a reviewed queue CSV to ``store``. With bad rows (unknown ids,
    unknown labels, a label that contradicts the store) nothing is added unless
    ``skip_bad``."""
    from moderation.labelling import LabelStore, answer
    from moderation.review import read_reviewed_csv

    items, report, loaded = load_queue(input, **queue_options)
    by_id = {item.comment.id: item for item in items}
    options = queue_options.get("options") or ReadOptions()
    csv_report = ParseReport(str(reviewed), skip_bad=options.skip_bad)
    rows = read_reviewed_csv(reviewed, by_id, csv_report)
    with LabelStore(store) as labels:
        current = labels.contents.current()
        new = []
        unchanged = 0
        for row in rows:
            earlier = current.get(row.comment_id)
            if earlier is not None and earlier.get("label") == row.label:
                unchanged += 1
                continue
            if earlier is not None and earlier.get("label") in LABELS:
                csv_report.bad(InputError(reviewed, f"id {row.comment_id!r} is already "
                                          f"labelled {earlier['label']!r} in {store}",
                                          line=row.line, hint="keep one label per comment"))
                continue
            new.append(answer(by_id[row.comment_id], row.label, labeller=labeller,
                              model_id=loaded.id, action="label" if row.label else "skip"))
        added = labels.extend(new)
    counts = Counter(r["label"] or "skip" for r in new)
    return {"store": str(store), "added": added, "by_label": dict(counts),
            "unchanged": unchanged, "bad": [str(e) for e in csv_report.skipped],
            "torn": labels.torn_warning}


def review(items: list[Any], store: Any, *, labeller: str, model: Any,
           read_key: Callable[[], str], console: Any) -> Counter:
    """The interactive loop: show a comment, read one key, append the answer to ``store``
    (on disk before the next comment is shown). Returns the answers given this session."""
    from moderation.labelling import answer, undo_record

    done: list[Any] = []
    given: Counter = Counter()
    position = 0
    while position < len(items):
        item = items[position]
        _show(item, position, len(items), model, console)
        try:
            key = read_key().lower()
        except (KeyboardInterrupt, EOFError):     # Ctrl-C, or the end of piped keys
            break
        if not key:                                # end of input
            break
        choice = KEYS.get(key)
        if choice == "quit":
            break
        if choice == "undo":
            if not done:
                console.print("[yellow]nothing to undo in this session[/]")
                continue
            last, last_choice = done.pop()
            store.append(undo_record(last.comment.id, labeller=labeller))
            given[last_choice] -= 1
            position = items.index(last)
            console.print(f"[yellow]undid {last_choice} for {last.comment.id}[/]")
            continue
        if choice is None:
            console.print(f"[yellow]unknown key {key!r}[/]")
            continue
        label = None if choice == "skip" else choice
        store.append(answer(item, label, labeller=labeller, model_id=model.id,
                            action="label" if label else "skip"))
        done.append((item, choice))
        given[choice] += 1
        position += 1
    return +given


def _show(item: Any, position: int, total: int, model: Any, console: Any) -> None:
    from rich.rule import Rule
    from rich.text import Text

    from moderation.cli._tables import print_explanation
    from moderation.scoring import score_texts

    comment = item.comment
    console.print(Rule(f"{position + 1} / {total}  ·  {comment.id}", style="dim"))
    if comment.thread_title:
        console.print(Text("thread: ", style="dim") + Text(comment.thread_title, style="bold"))
    if item.parent_text:
        parent = " ".join(item.parent_text.split())
        console.print(Text("replying to: ", style="dim") +
                      Text(parent if len(parent) <= 300 else parent[:297] + "...",
                           style="italic dim"))
    scored = score_texts(model, [comment.unquoted_text()], explain=True,
                         thresholds=model.thresholds)[0]
    scored["text"] = comment.unquoted_text()
    print_explanation(position + 1, scored, console)
    scores = "  ".join(f"{label} {value:.2f}" for label, value in (item.scores or {}).items())
    flags = ", ".join(item.flags) or "none"
    console.print(f"model: [bold]{item.prediction}[/]  {scores}  flags: {flags}")
    console.print(HELP_LINE)


def label_cli(
    input: Annotated[Path, typer.Argument(
        help="Export file to review (any format `moderation parse` reads).",
        show_default=False)],
    store: Annotated[Path, typer.Option(
        "--store", "-s", help="Label store (JSONL) the answers are appended to; created if "
                              "missing.", show_default=False)],
    model: ModelOption = None,
    order: Annotated[str, typer.Option(
        help="uncertain: the model's least sure first; flagged: flagged comments by score; "
             "random.")] = "uncertain",
    limit: Annotated[Optional[int], typer.Option(
        min=1, help="Review (or export) at most this many comments.")] = None,
    labeller: Annotated[Optional[str], typer.Option(
        help="Name recorded with each answer (default: your user name).")] = None,
    export: Annotated[Optional[Path], typer.Option(
        "--export", help="Write the next comments to review to this CSV (with an empty label "
                         "column) instead of reviewing in the terminal.")] = None,
    import_: Annotated[Optional[Path], typer.Option(
        "--import", help="Add the labels filled into a CSV written by --export.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for --order random.")] = 0,
    format: FormatOption = "auto",
    threshold: ThresholdOption = None,
    skip_bad: SkipBadOption = False,
    encoding: EncodingOption = None,
    text_col: TextColOption = None,
    id_col: IdColOption = None,
) -> None:
    """Label comments into an append-only store: one key per answer, saved at once."""
    options = ReadOptions(encoding=encoding, skip_bad=skip_bad,
                          columns=ColumnMap(text=text_col, id=id_col))
    _run(input, store, model, order, limit, labeller, export, import_, seed, format,
         threshold or [], options)


def interactive_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@user_errors
def _run(input, store, model, order, limit, labeller, export, import_, seed, format,
         thresholds, options) -> None:
    from moderation.labelling import LabelStore, default_labeller
    from moderation.review import ORDERS, order_queue

    if order not in ORDERS:
        raise UsageError(f"--order {order!r}: choose one of {', '.join(ORDERS)}")
    if export is not None and import_ is not None:
        raise UsageError("--export and --import are two steps: run them one at a time")
    if not input.exists():
        raise ModerationError(f"{input}: not found")
    labeller = labeller or default_labeller()
    queue_options = {"model": model, "format": format, "options": options,
                     "thresholds": thresholds}
    if export is not None:
        done = export_queue(input, store=store, output=export, limit=limit, order=order,
                            seed=seed, **queue_options)
        _say_torn(done["torn"])
        say(f"wrote {done['written']:,} comment(s) to review to {export} ({order} first; "
            f"{done['already_answered']:,} already answered in {store}); fill in the label "
            f"column with {', '.join(LABELS)} or skip, then run with --import {export}")
        return
    if import_ is not None:
        done = import_reviewed(input, store=store, reviewed=import_, labeller=labeller,
                               **queue_options)
        _say_torn(done["torn"])
        for line in done["bad"]:
            say(f"skipped: {line}")
        counts = ", ".join(f"{n} {label}" for label, n in sorted(done["by_label"].items()))
        say(f"added {done['added']:,} answer(s) to {store}" + (f" ({counts})" if counts else "")
            + (f"; {done['unchanged']} already there" if done["unchanged"] else ""))
        return
    if not interactive_terminal():
        raise UsageError("labelling needs a terminal; without one, write a queue with "
                         "--export QUEUE.csv --limit N and bring it back with --import")
    from rich.console import Console

    with LabelStore(store) as labels:
        _say_torn(labels.torn_warning)
        items, report, loaded = load_queue(input, **queue_options)
        todo = order_queue(items, order, done=set(labels.contents.current()), limit=limit,
                           seed=seed)
        if not todo:
            say(f"nothing to review: all {len(items):,} comment(s) of {input} are answered "
                f"in {store}")
            return
        given = review(todo, labels, labeller=labeller, model=loaded,
                       read_key=typer.getchar, console=Console(highlight=False))
    saved = ", ".join(f"{n} {choice}" for choice, n in sorted(given.items())) or "nothing"
    say(f"saved to {store}: {saved}; run the same command to carry on")


def _say_torn(warning: str | None) -> None:
    if warning:
        say(f"warning: {warning} (set aside in the .torn file before new answers are added)")
