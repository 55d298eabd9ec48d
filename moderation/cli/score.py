"""`moderation score`: score comments given on the command line or on stdin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import orjson
import typer

from moderation.cli._util import ModelOption, ThresholdOption, user_errors, write_json_lines
from moderation.errors import InputError, UsageError

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


def score(texts: list[str] | None = None, *, model: Path | None = None,
          thresholds: list[str] | None = None, explain: bool = False,
          parent: str | None = None, records: list[dict[str, Any]] | None = None
          ) -> list[dict[str, Any]]:
    """Score ``texts`` (or JSON ``records`` with a ``text`` field, whose other fields are kept)
    with the model at ``model`` (else $MODERATION_MODEL, else the shipped default). With
    ``parent``, the spans of each text that quote it are left out of what is scored."""
    from moderation.scoring import parse_thresholds, quotes_of_parent, score_texts
    from moderation.store import load_model

    if records is not None:
        texts = [record["text"] for record in records]
    if not texts:
        raise UsageError("no comments to score: give TEXT arguments or pipe comments on stdin")
    loaded = load_model(model)
    chosen = parse_thresholds(thresholds or [], loaded.thresholds, loaded.labels)
    quotes = [quotes_of_parent(text, parent) for text in texts] if parent else None
    scored = score_texts(loaded, texts, thresholds=chosen, explain=explain, quotes=quotes)
    if records is not None:
        scored = [{**record, **result} for record, result in zip(records, scored)]
    return scored


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
    _run(texts or [], model, json_out, explain, parent, jsonl, threshold or [])


@user_errors
def _run(texts, model, json_out, explain, parent, jsonl, thresholds) -> None:
    from_stdin = texts == ["-"] or (not texts and not sys.stdin.isatty())
    if "-" in texts and texts != ["-"]:
        raise UsageError("'-' (stdin) cannot be mixed with TEXT arguments")
    records = None
    if from_stdin:
        texts = []
        if jsonl:
            records = _stdin_records()
        else:
            texts = _stdin_texts()
    elif jsonl:
        raise UsageError("--jsonl reads stdin: pipe the JSONL in, or pass '-'")
    results = score(texts, model=model, thresholds=thresholds, explain=explain, parent=parent,
                    records=records)
    if json_out:
        write_json_lines(results)
    else:
        from moderation.cli._tables import print_scores

        print_scores(results, explain=explain)
