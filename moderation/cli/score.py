"""`moderation score`: score comments given on the command line or on stdin."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import orjson
import typer

from moderation.cli._util import ModelOption, ThresholdOption, user_errors, write_json_lines
from moderation.errors import InputError, UsageError
from moderation.scoring import score_comments

STDIN = "<stdin>"


def _stdin_texts() -> list[str]:
    return [line.rstrip("\r\n") for line in sys.stdin if line.strip()]


def _stdin_records() -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise InputError(STDIN, f"invalid JSON ({err.msg})", line=number) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError(STDIN, 'each line must be a JSON object with a "text" string',
                             line=number)
        records.append(record)
    return records


@user_errors
def score_cli(
    texts: Annotated[Optional[list[str]], typer.Argument(
        help="Comments to score; '-' (or none, with a pipe) reads stdin, one per line.",
        show_default=False)] = None,
    model: ModelOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per comment.")]
    = False,
    explain: Annotated[bool, typer.Option(
        "--explain", "-e", help="Show the words that pushed each score up or down.")] = False,
    parent: Annotated[Optional[str], typer.Option(
        help="The comment these reply to: text quoted from it is not scored.")] = None,
    jsonl: Annotated[bool, typer.Option(
        "--jsonl", help="Stdin is JSONL with a \"text\" field (other fields are kept).")]
    = False,
    threshold: ThresholdOption = None,
) -> None:
    """Score comments: predicted label, the three probabilities, and flags."""
    from moderation.model.registry import load_model

    texts = texts or []
    from_stdin = texts == ["-"] or (not texts and not sys.stdin.isatty())
    if "-" in texts and texts != ["-"]:
        raise UsageError("'-' (stdin) cannot be mixed with TEXT arguments")
    if jsonl and not from_stdin:
        raise UsageError("--jsonl reads stdin: pipe the JSONL in, or pass '-'")
    records = _stdin_records() if from_stdin and jsonl else None
    if from_stdin and not jsonl:
        texts = _stdin_texts()
    results = score_comments(load_model(model), texts, records=records,
                             thresholds=threshold or [], explain=explain, parent=parent)
    if json_out:
        write_json_lines(results)
    else:
        from moderation.cli._tables import print_scores

        print_scores(results, explain=explain)
