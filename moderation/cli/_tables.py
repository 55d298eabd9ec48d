"""Scores for people: a compact table, and explanations with the words highlighted (rich)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from moderation.languages import language_name

UP, DOWN = "bold red", "green"


def _snippet(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def print_scores(
    results: Sequence[Mapping[str, Any]],
    *,
    explain: bool = False,
    console: Console | None = None,
) -> None:
    console = console or Console(highlight=False)
    labels = list(dict.fromkeys(label for r in results for label in (r.get("scores") or {})))
    languages = any(r.get("language") for r in results)
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("comment", overflow="fold", ratio=1)
    if languages:
        table.add_column("lang", no_wrap=True)
    table.add_column("prediction", no_wrap=True)
    for label in labels:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("flags", style="bold", no_wrap=True)
    for number, result in enumerate(results, 1):
        scores = result.get("scores") or {}
        table.add_row(
            str(number),
            _snippet(result["text"]),
            *([result.get("language") or "-"] if languages else []),
            result["prediction"] or "-",
            *(_number(scores.get(label)) for label in labels),
            ", ".join(result["flags"]) or "-",
        )
    console.print(table)
    for number, result in enumerate(results, 1):
        for line in _notes(result):
            console.print(f"#{number}: {line}")
    if explain:
        for number, result in enumerate(results, 1):
            if result.get("explanation"):
                print_explanation(number, result, console)


def _notes(result: Mapping[str, Any]) -> list[str]:
    """What a person should know about how a comment was scored."""
    lines = []
    if result.get("not_scored") == "language":
        code = result.get("language")
        lines.append(
            f"not scored: no model reads {language_name(str(code))} ({code}); see README, Languages"
        )
    elif result.get("not_scored"):
        lines.append(f"not scored ({result['not_scored']})")
    if result.get("little_evidence"):
        lines.append("too little to go on: no word moves it far from civil; never flagged")
    if result.get("note"):
        lines.append(result["note"])
    if "quotes_excluded" in result:
        lines.append(f"{len(result['quotes_excluded'])} quoted span(s) left out of the score")
    if "truncated" in result:
        cut = result["truncated"]
        lines.append(
            f"scored on the first {cut['scored_chars']:,} of {cut['total_chars']:,} characters"
        )
    return lines


def print_explanation(number: int, result: Mapping[str, Any], console: Console) -> None:
    explanation = result["explanation"]
    first = next(iter(explanation.values()))
    text = Text(result["text"])
    for term in first["terms"]:
        style = UP if term["contribution"] > 0 else DOWN
        for start, end in term["spans"]:
            text.stylize(style, start, end)
    for quote in result.get("quotes_excluded", []):
        text.stylize("dim italic", quote["start"], quote["end"])  # quoted: not scored
    console.print()
    console.print(Text.assemble((f"#{number} ", "dim"), text))  # the number's dim alone
    for label, part in explanation.items():
        line = Text(f"  {label} {part['score']:.3f}: ", style="bold")
        pieces = [(t.get("shown", t["term"]), t["contribution"]) for t in part["terms"]]
        for i, (term, contribution) in enumerate(pieces):
            if i:
                line.append(", ")
            line.append(f"{term} {contribution:+.2f}", style=UP if contribution > 0 else DOWN)
        if not pieces:
            line.append(
                "no known word leans either way: the score is the model's prior", style="dim"
            )
        console.print(line)
    first_label = next(iter(explanation))
    console.print(
        Text(
            f"  (words in red push towards {first_label} rather than civil, green towards "
            "civil; a contribution is the word's TF-IDF value times the difference of the two "
            "labels' weights)",
            style="dim",
        )
    )


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_evaluation(result: dict[str, Any], console: Console | None = None) -> None:
    """``moderation evaluate`` for people: the headline, per-label figures, what the flags do,
    the confusion matrix and, with ``--compare``, the two models side by side. Every table fits
    in 80 columns."""
    console = console or Console(highlight=False)
    metrics = result["metrics"]
    console.print(
        f"[bold]{metrics['model']}[/] on {metrics['data']} "
        f"({metrics['examples']:,} comments): macro-F1 [bold]{metrics['macro_f1']:.3f}"
        f"[/], macro ROC AUC [bold]{_number(metrics['macro_roc_auc'])}[/], "
        f"accuracy {metrics['accuracy']:.3f}, ECE {metrics['ece']:.3f}"
    )
    table = _table(["label", "precision", "recall", "F1", "ROC AUC", "ECE", "examples"])
    flags = _table(["flag", "threshold", "precision", "recall", "flagged", "per 1,000"])
    for label, entry in metrics["per_label"].items():
        table.add_row(
            label,
            *(_number(entry.get(key)) for key in ("precision", "recall", "f1-score", "roc_auc")),
            _number(entry["ece"]),
            f"{entry['support']:,}",
        )
        flagged = entry.get("flags")
        if flagged:
            flags.add_row(
                label,
                _number(entry.get("threshold")),
                _number(flagged.get("precision")),
                _number(flagged.get("recall")),
                f"{flagged['flagged']:,}",
                f"{flagged['per_1000']:.1f}",
            )
    console.print(table)
    console.print(flags)
    _print_confusion(metrics["confusion_matrix"], console)
    if "comparison" in result:
        _print_comparison(result["comparison"], console)


def _table(columns: list[str]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right", no_wrap=True)
    return table


def _print_confusion(matrix: dict[str, Any], console: Console) -> None:
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


def _print_comparison(comparison: dict[str, Any], console: Console) -> None:
    side = Table(
        title=f"{comparison['first']} vs {comparison['second']}",
        show_edge=False,
        pad_edge=False,
        title_justify="left",
    )
    # the columns are named by the models' ids: "first" and "second" left the reader to guess
    side.add_column("metric", justify="left", no_wrap=True)
    for column in (comparison["first"], comparison["second"], "difference"):
        side.add_column(column, justify="right", no_wrap=True)
    for name, row in comparison["rows"].items():
        diff = row["difference"]
        better = diff is not None and diff != 0 and (diff > 0) != (name == "ece")
        style = "" if diff is None or diff == 0 else ("green" if better else "red")
        shown = f"[{style}]{diff:+.3f}[/]" if diff is not None and style else _number(diff)
        side.add_row(name, _number(row["first"]), _number(row["second"]), shown)
    console.print(side)


def print_audit(result: dict[str, Any], console: Console | None = None) -> None:
    """The identity audit for people: the headline, then every term, worst first."""
    console = console or Console(highlight=False)
    over = result["terms_over_target"]
    console.print(
        f"[bold]{result['model']}[/]: identity audit over {result['terms']} terms "
        f"({result['sentences']:,} sentences). Civil sentences flagged: at most "
        f"[bold]{result['max_flag_rate']:.1%}[/] for a term (target {result['target']:.0%}), "
        f"mean {result['mean_flag_rate']:.2%}; hostile sentences flagged "
        f"{result['hostile_recall']:.1%}."
    )
    console.print(f"terms over the target: {', '.join(over) if over else 'none'}")
    table = Table(show_edge=False, pad_edge=False)
    for column in ("term", "group", "flagged", "subgroup", "BPSN", "BNSP"):
        table.add_column(
            column, justify="left" if column in ("term", "group") else "right", no_wrap=True
        )
    rows = sorted(result["per_term"].items(), key=lambda kv: -(kv[1]["flag_rate"] or 0))
    for term, t in rows:
        table.add_row(
            term,
            t["group"],
            f"{(t['flag_rate'] or 0):.1%}",
            _number(t["subgroup_auc"]),
            _number(t["bpsn_auc"]),
            _number(t["bnsp_auc"]),
        )
    console.print(table)
    console.print(
        "(subgroup: hostile vs civil sentences of the term; BPSN: its civil sentences "
        "vs other terms' hostile ones; BNSP: its hostile vs others' civil; ROC AUC of "
        "the abusive score)"
    )
