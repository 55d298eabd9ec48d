"""`moderation evaluate`: how good a model is on labelled comments, with an HTML report, a
side-by-side comparison, and thresholds chosen on the site's own labels."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from moderation.cli._util import FormatOption, ModelOption, say, user_errors
from moderation.evaluate import evaluate_file


def print_evaluation(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    metrics = result["metrics"]
    auc = metrics["macro_roc_auc"]
    console.print(
        f"[bold]{metrics['model']}[/] on {metrics['data']} "
        f"({metrics['examples']:,} comments): macro-F1 [bold]{metrics['macro_f1']:.3f}"
        f"[/], macro ROC AUC [bold]{'-' if auc is None else f'{auc:.3f}'}[/], "
        f"accuracy {metrics['accuracy']:.3f}, ECE {metrics['ece']:.3f}"
    )
    table = Table(show_edge=False, pad_edge=False)
    for column in (
        "label",
        "prec",
        "recall",
        "F1",
        "AUC",
        "ECE",
        "n",
        "thresh",
        "flag P",
        "flag R",
        "flagged",
    ):
        table.add_column(column, justify="left" if column == "label" else "right")

    def number(value: Any) -> str:
        return "-" if value is None else f"{value:.3f}"

    for label, entry in metrics["per_label"].items():
        flags = entry.get("flags", {})
        table.add_row(
            label,
            number(entry.get("precision")),
            number(entry.get("recall")),
            number(entry.get("f1-score")),
            number(entry.get("roc_auc")),
            number(entry["ece"]),
            str(entry["support"]),
            number(entry.get("threshold")),
            number(flags.get("precision")),
            number(flags.get("recall")),
            str(flags["flagged"]) if flags else "-",
        )
    console.print(table)
    matrix = metrics["confusion_matrix"]
    grid = Table(
        title="confusion matrix (rows: true label, columns: predicted)",
        show_edge=False,
        pad_edge=False,
        title_justify="left",
    )
    grid.add_column("")
    for label in matrix["labels"]:
        grid.add_column(label, justify="right")
    for label, row in zip(matrix["labels"], matrix["rows_true_columns_predicted"]):
        grid.add_row(label, *(str(n) for n in row))
    console.print(grid)
    if "comparison" in result:
        comparison = result["comparison"]
        side = Table(
            title=f"{comparison['first']} vs {comparison['second']}",
            show_edge=False,
            pad_edge=False,
            title_justify="left",
        )
        for column in ("metric", "first", "second", "difference"):
            side.add_column(column, justify="left" if column == "metric" else "right")
        for name, row in comparison["rows"].items():
            diff = row["difference"]
            style = (
                ""
                if diff is None or diff == 0
                else ("green" if (diff > 0) != (name == "ece") else "red")
            )
            side.add_row(
                name,
                number(row["first"]),
                number(row["second"]),
                f"[{style}]{diff:+.3f}[/]" if diff is not None and style else number(diff),
            )
        console.print(side)


@user_errors
def evaluate_cli(
    labelled: Annotated[
        Path,
        typer.Argument(
            help="Labelled comments: a label store, a JSONL of examples, or an export with a label "
            "column.",
            show_default=False,
        ),
    ],
    model: ModelOption = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write index.html, PNG plots and metrics.json to this folder."),
    ] = None,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare", help="Another model directory to evaluate on the same data, side by side."
        ),
    ] = None,
    find_thresholds: Annotated[
        bool,
        typer.Option(
            "--find-thresholds",
            help="Choose per-label thresholds on these labels (for "
            "--precision) and write them into a copy of the model "
            "(-o).",
        ),
    ] = False,
    precision: Annotated[float, typer.Option(help="Target precision for --find-thresholds.")] = 0.8,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where --find-thresholds writes the model copy."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    format: FormatOption = "auto",
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing -o directory.")
    ] = False,
) -> None:
    """Measure a model on labelled comments: metrics, calibration, thresholds, worst errors."""
    result = evaluate_file(
        labelled,
        model=model,
        compare_with=compare_with,
        find_thresholds_for=precision if find_thresholds else None,
        output=output,
        format=format,
        force=force,
    )
    if report is not None:
        from moderation.report import write_report

        result["report"] = write_report(result["evaluation"], report, result.get("comparison"))
    for warning in result["evaluation"].data.warnings:
        say(f"warning: {warning}")
    if json_out:
        data = dict(result["metrics"])
        if "comparison" in result:
            data["comparison"] = result["comparison"]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        print_evaluation(result)
    if "report" in result:
        say(f"wrote the report to {result['report']}")
    for line in result.get("thresholds", {}).get("lines", []):
        say(line)
