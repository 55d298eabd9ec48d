"""`moderation models list|show|promote`: the models there are, and which one is active."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from moderation.cli._util import Command, Group, say, user_errors
from moderation.evaluation.evaluate import measure_models
from moderation.evaluation.promote import promote
from moderation.languages import language_name
from moderation.model.registry import find_model, list_models, models_dir

app = typer.Typer(
    help="List models, show one, or make one the active model (with rollback).",
    no_args_is_help=True,
    cls=Group,
)
EXIT_REFUSED = 1


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@app.command("list", cls=Command)
@user_errors
def list_cli(
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per model.")] = False,
    evaluation: Annotated[
        Path | None,
        typer.Option(
            "--eval",
            "-e",
            help="Labelled comments to measure every model on, so the figures compare like "
            "with like (a label store, JSONL of examples, or an export with a label column).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """List the models (models folder, shipped default, active one): id, creation time,
    training data and macro-F1. Without --eval the figure is each model's cross-validated
    macro-F1 on its own training data, which differs from model to model; with --eval every
    model is measured on the same labels."""
    models = list_models()
    entries = [entry.summary() for entry in models]
    if evaluation is not None:
        measured = measure_models([entry.path for entry in models], evaluation)
        for entry, figures in zip(entries, measured):
            entry["on_eval"] = figures
    if json_out:
        sys.stdout.write("".join(json.dumps(e) + "\n" for e in entries))
        return
    console = Console(highlight=False)
    console.print(_models_table(entries, evaluation))
    if evaluation is None:
        console.print(
            "macro-F1: cross-validated on each model's own training data, so models trained "
            "on different data are not compared by it; `--eval LABELLED` measures them all on "
            "the same labels",
            soft_wrap=False,
        )
    elif any(e["on_eval"] and e["on_eval"]["trained_on_share"] for e in entries):
        console.print(
            "! marks a model trained on some of these labelled comments: its figure flatters it"
        )


def _models_table(entries: list[dict[str, Any]], evaluation: Path | None) -> Table:
    title = f"models in {models_dir()} (* active for its language)"
    if evaluation is not None:
        measured = [e["on_eval"] for e in entries if e["on_eval"]]
        examples = measured[0]["examples"] if measured else 0
        title += (
            f"; macro-F1 on {evaluation} ({examples:,} labelled comments; models of another "
            "language than theirs: -)"
        )
    table = Table(show_edge=False, pad_edge=False, title_justify="left", title=title)
    table.add_column("", no_wrap=True)
    table.add_column("name", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("model id", overflow="fold")
    table.add_column("created", no_wrap=True)
    table.add_column("examples", justify="right", no_wrap=True)
    table.add_column("macro-F1" if evaluation else "CV macro-F1", justify="right", no_wrap=True)
    for e in entries:
        if evaluation is not None:
            figures = e["on_eval"]
            mark = "!" if figures and figures["trained_on_share"] else ""
            figure = _number(figures["macro_f1"] if figures else None) + mark
        else:
            figure = _number(e["cv_macro_f1"])
        table.add_row(
            "*" if e["active"] else "",
            e["name"],
            e["language"],
            e["model_id"],
            (e["created_at"] or "")[:10],
            "-" if e["examples"] is None else f"{e['examples']:,}",
            figure,
        )
    return table


@app.command("show", cls=Command)
@user_errors
def show_cli(
    name: Annotated[str, typer.Argument(help="Model name, directory or id.", show_default=False)],
    json_out: Annotated[bool, typer.Option("--json", help="Print the whole meta.json.")] = False,
) -> None:
    """Show what a model is: its id, data, thresholds and held-out metrics."""
    entry = find_model(name)
    meta = entry.meta
    if json_out:
        sys.stdout.write(json.dumps(meta.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    active = any(e.active and e.path.resolve() == entry.path.resolve() for e in list_models())
    console = Console(highlight=False)
    console.print(f"[bold]{meta.model_id}[/]{'  (active)' if active else ''}")
    console.print(f"  path      {entry.path}")
    console.print(f"  created   {meta.created_at or '-'}  ·  labels {', '.join(meta.labels)}")
    console.print(f"  language  {language_name(meta.language)} ({meta.language})")
    if meta.recipe:
        console.print(f"  recipe    {meta.recipe}")
    if meta.adaptation:
        console.print(
            f"  retrained from {meta.adaptation.get('base_model')}: "
            f"{meta.adaptation.get('description')}"
        )
    if meta.copied_from:
        console.print(f"  copied from {meta.copied_from.get('model_id')}")
    console.print(
        f"  trained on {meta.training_data.get('count', 0):,} examples: "
        f"{meta.training_summary() or '-'}"
    )
    metrics = meta.cv_metrics
    console.print(
        f"  held out  macro-F1 {_number(metrics.get('macro_f1'))}, accuracy "
        f"{_number(metrics.get('accuracy'))}"
    )
    table = Table(
        "label", "flag at", "precision", "recall", "target reached", show_edge=False, pad_edge=False
    )
    for label, t in meta.thresholds.items():
        table.add_row(
            label,
            f"{t.threshold:.3f}",
            f"{t.precision:.2f}",
            f"{t.recall:.2f}",
            "yes" if t.reached_target else "no",
        )
    console.print(table)
    console.print(f"  model card: {entry.path / 'MODEL_CARD.md'}  ·  raw meta: --json")


@app.command("promote", cls=Command)
@user_errors
def promote_cli(
    name: Annotated[
        str, typer.Argument(help="Model name, directory or id to make active.", show_default=False)
    ],
    evaluation: Annotated[
        Path | None,
        typer.Option("--eval", help="Labelled comments to compare it with the active model on."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Promote even if it is worse, without --eval, or when the --eval labels overlap "
            "a model's training data (warned loudly).",
        ),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option(
            help="Allow the candidate's macro-F1, ROC AUC and flag precision and recall to be "
            "this much lower."
        ),
    ] = 0.0,
) -> None:
    """Make a model the one `score`, `flag` and `serve` use for the language it reads, if it is
    not worse than that language's active model; promoting the previous one rolls back."""
    result = promote(name, evaluation=evaluation, force=force, tolerance=tolerance)
    candidate, current = result["candidate"], result["current"]
    for warning in result.get("warnings", []):
        say(f"warning: {warning}")
    if current is None:
        say(
            f"{candidate['model_id']} is now the active {language_name(candidate['language'])} "
            f"model ({result['reason']}): `score`, `flag` and `serve` score "
            f"{language_name(candidate['language'])} comments with it"
        )
        return
    if "evaluation" in result:
        compared = result["evaluation"]
        say(f"on {compared['data']} ({compared['examples']:,} comments):")
        for which, entry in (("current", current), ("candidate", candidate)):
            metrics = compared[which]
            flags = "".join(
                f", {label} flags at {f['threshold']:.2f}: precision {f['precision']:.2f} "
                f"recall {f['recall']:.2f}"
                for label, f in metrics.get("flags", {}).items()
            )
            say(
                f"  {which:9} {entry['model_id']}: macro-F1 {metrics['macro_f1']:.3f}, "
                f"macro ROC AUC {metrics['macro_roc_auc']:.3f}{flags}"
            )
    which = "" if candidate["language"] == "en" else f"{language_name(candidate['language'])} "
    if result["promoted"]:
        say(
            f"{candidate['model_id']} is now the active {which}model ({result['reason']}); "
            f"{current['model_id']} stays for rollback: moderation models promote "
            f"{current['path']}"
        )
    elif result["reason"] == "already active":
        say(f"{candidate['model_id']} is already the active {which}model")
    else:
        say(
            f"not promoted: {candidate['model_id']} is {result['reason']}; "
            f"{current['model_id']} stays active (add --force to promote anyway)"
        )
        raise typer.Exit(EXIT_REFUSED)
