"""The evaluation report: ``index.html`` with PNG plots (confusion matrix, precision-recall
curves, reliability diagram), ``metrics.json`` and the worst errors, in one folder."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import ModerationError
from moderation.evaluation.evaluate import Evaluation
from moderation.files import atomic_directory, check_replaceable_directory
from moderation.model.scoring import FLAGGED_LABELS

PLOTS = ("confusion.png", "precision_recall.png", "reliability.png")
REPORT_FILES = (*PLOTS, "metrics.json", "index.html")  # all a report folder holds


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ModerationError(
            "the report's plots need matplotlib: pip install matplotlib"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(evaluation: Evaluation, path: Path) -> None:
    plt = _pyplot()
    matrix = np.array(evaluation.metrics["confusion_matrix"]["rows_true_columns_predicted"])
    labels = evaluation.metrics["confusion_matrix"]["labels"]
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure, axes = plt.subplots(figsize=(4.6, 4))
    axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for (row, column), count in np.ndenumerate(matrix):
        axes.text(
            column,
            row,
            f"{count}\n{shares[row, column]:.0%}",
            ha="center",
            va="center",
            color="white" if shares[row, column] > 0.5 else "black",
        )
    axes.set_xticks(range(len(labels)), labels)
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true label")
    axes.set_title("Confusion matrix (share of each true label)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_precision_recall(evaluation: Evaluation, path: Path) -> None:
    from sklearn.metrics import precision_recall_curve

    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(5, 4))
    truth = np.asarray(evaluation.data.labels)
    for column, label in enumerate(evaluation.model.labels):
        positive = truth == label
        if not positive.any() or positive.all():
            continue
        precision, recall, _ = precision_recall_curve(positive, evaluation.probabilities[:, column])
        ap = evaluation.metrics["per_label"][label].get("average_precision")
        (line,) = axes.plot(recall, precision, label=f"{label} (AP {ap:.2f})")
        flags = evaluation.metrics["per_label"][label].get("flags")
        if flags and flags["precision"] is not None:
            axes.plot([flags["recall"]], [flags["precision"]], "o", color=line.get_color())
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_title("Precision-recall per label (dot: the flag threshold)")
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_reliability(evaluation: Evaluation, path: Path) -> None:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(5, 4))
    axes.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    for label, entry in evaluation.metrics["per_label"].items():
        if entry["support"] == 0:
            continue
        points = entry["reliability"]
        axes.plot(
            [p["predicted"] for p in points],
            [p["observed"] for p in points],
            "o-",
            label=f"{label} (ECE {entry['ece']:.3f})",
        )
    axes.set_xlabel("predicted probability")
    axes.set_ylabel("observed share with the label")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_title("Reliability diagram")
    axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3f}"
        return html.escape("-" if value is None else str(value))

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


_STYLE = (
    "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
    "padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}"
    ".text{text-align:left;max-width:40em}img{max-width:32%;margin-right:1%}</style>"
)
_LABEL_COLUMNS = ["precision", "recall", "f1-score", "roc_auc", "average_precision", "ece"]


def _per_label(data: dict[str, Any]) -> list[str]:
    rows = [
        [label, *(e.get(key) for key in _LABEL_COLUMNS), e["support"]]
        for label, e in data["per_label"].items()
    ]
    header = ["label", "precision", "recall", "F1", "ROC AUC", "average precision", "ECE"]
    return ["<h2>Per label</h2>", _table([*header, "support"], rows)]


def _comparison(comparison: dict[str, Any] | None) -> list[str]:
    if not comparison:
        return []
    rows = [
        [name, r["first"], r["second"], r["difference"]] for name, r in comparison["rows"].items()
    ]
    return [
        f"<h2>Compared with {html.escape(comparison['first'])}</h2>",
        _table(["metric", comparison["first"], comparison["second"], "difference"], rows),
    ]


def _threshold_tables(data: dict[str, Any]) -> list[str]:
    parts = []
    for label in FLAGGED_LABELS:
        entry = data["per_label"].get(label, {})
        if "threshold_table" not in entry:
            continue
        rows = [
            [
                ("→ " if abs(r["threshold"] - entry["threshold"]) < 1e-9 else "")
                + f"{r['threshold']:.3f}",
                r["flagged"],
                r["per_1000"],
                r["precision"],
                r["recall"],
            ]
            for r in entry["threshold_table"]
        ]
        parts += [
            f"<h2>What a {html.escape(label)} threshold does to the queue</h2>",
            "<p>→ marks the model's threshold.</p>",
            _table(["threshold", "comments flagged", "per 1,000", "precision", "recall"], rows),
        ]
    return parts


def _worst_errors(data: dict[str, Any]) -> list[str]:
    errors = [
        [
            e["id"],
            e["label"],
            e["prediction"],
            ", ".join(f"{k} {v:.2f}" for k, v in e["scores"].items()),
            e["text"],
        ]
        for e in data["worst_errors"]
    ]
    table = _table(["id", "label", "predicted", "scores", "text"], errors)
    return [
        "<h2>Worst errors (the model was surest and wrong)</h2>",
        table.replace("<td>", "<td class='text'>"),
    ]


def render_html(data: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    auc = "-" if data["macro_roc_auc"] is None else f"{data['macro_roc_auc']:.3f}"
    headline = (
        f"macro-F1 <b>{data['macro_f1']:.3f}</b> · macro ROC AUC <b>{auc}</b> · "
        f"accuracy {data['accuracy']:.3f} · calibration error (ECE) {data['ece']:.3f} "
        f"· {data['examples']:,} labelled comments"
    )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Evaluation of {html.escape(data['model'])}</title>",
        _STYLE,
        "</head><body>",
        f"<h1>Model {html.escape(data['model'])}</h1>",
        f"<p>on <code>{html.escape(data['data'])}</code>: {headline}</p>",
        *_per_label(data),
        "".join(f"<img src='{name}' alt='{name}'>" for name in PLOTS),
        *_comparison(comparison),
        *_threshold_tables(data),
        *_worst_errors(data),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(
    evaluation: Evaluation,
    directory: str | Path,
    comparison: dict[str, Any] | None = None,
    *,
    worst: int = 20,
) -> Path:
    """Write the report folder atomically (a sibling is filled, then renamed into place)."""
    directory = check_replaceable_directory(directory, REPORT_FILES)
    data = evaluation.to_dict(worst)
    if comparison:
        data["comparison"] = comparison
    with atomic_directory(directory, REPORT_FILES) as staging:
        plot_confusion(evaluation, staging / PLOTS[0])
        plot_precision_recall(evaluation, staging / PLOTS[1])
        plot_reliability(evaluation, staging / PLOTS[2])
        (staging / "metrics.json").write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (staging / "index.html").write_text(render_html(data, comparison), encoding="utf-8")
    return directory / "index.html"
