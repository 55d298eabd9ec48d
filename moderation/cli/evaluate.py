"""`moderation evaluate`: how good a model is on labelled comments, with an HTML report, a
side-by-side comparison, and thresholds chosen on the site's own labels."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from moderation.cli._tables import print_audit, print_evaluation
from moderation.cli._util import FormatOption, ModelOption, say, user_errors
from moderation.errors import UsageError
from moderation.evaluation.evaluate import evaluate_file, identity_audit

LabelledArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Labelled comments: a label store, a JSONL of examples, or an export with a label "
        "column (not needed with --audit alone).",
        show_default=False,
    ),
]
AuditOption = Annotated[
    bool,
    typer.Option(
        "--audit",
        help="Run the identity audit: how often civil sentences that mention each identity "
        "group are flagged, and the subgroup, BPSN and BNSP ROC AUCs per group.",
    ),
]
ReportOption = Annotated[
    Path | None,
    typer.Option(help="Write index.html, PNG plots and metrics.json to this folder."),
]
CompareWithOption = Annotated[
    Path | None,
    typer.Option(
        "--compare", help="Another model directory to evaluate on the same data, side by side."
    ),
]
FindThresholdsOption = Annotated[
    bool,
    typer.Option(
        "--find-thresholds",
        help="Choose per-label thresholds on these labels (for "
        "--precision) and write them into a copy of the model "
        "(-o).",
    ),
]
PrecisionOption = Annotated[float, typer.Option(help="Target precision for --find-thresholds.")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Where --find-thresholds writes the model copy."),
]
JsonOutOption = Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace an existing -o directory; evaluate even on labels the model was trained "
        "on (warned loudly).",
    ),
]


@user_errors
def evaluate_cli(
    labelled: LabelledArgument = None,
    model: ModelOption = None,
    audit: AuditOption = False,
    report: ReportOption = None,
    compare_with: CompareWithOption = None,
    find_thresholds: FindThresholdsOption = False,
    precision: PrecisionOption = 0.8,
    output: OutputOption = None,
    json_out: JsonOutOption = False,
    format: FormatOption = "auto",
    force: ForceOption = False,
) -> None:
    """Measure a model on labelled comments: metrics, calibration, thresholds, worst errors;
    with --audit, how it treats comments that mention identity groups."""
    if audit:
        _show_audit(model, json_out)
        if labelled is None:
            return
    if labelled is None:
        raise UsageError("give LABELLED comments to evaluate on, or --audit")
    if report is not None:  # refused before the work, not after
        from moderation.evaluation.report import REPORT_FILES
        from moderation.files import check_replaceable_directory

        check_replaceable_directory(report, REPORT_FILES)
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
        from moderation.evaluation.report import write_report

        result["report"] = write_report(result["evaluation"], report, result.get("comparison"))
    _show_result(result, json_out)


def _show_audit(model: Path | None, json_out: bool) -> None:
    found = identity_audit(model)
    if json_out:
        sys.stdout.write(json.dumps(found, indent=2) + "\n")
    else:
        print_audit(found)


def _show_result(result: dict[str, Any], json_out: bool) -> None:
    """The evaluation to stdout (a table, or JSON), its warnings and notes to stderr."""
    for warning in [*result["evaluation"].data.warnings, *result.get("warnings", [])]:
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
