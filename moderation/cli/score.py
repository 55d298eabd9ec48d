"""`moderation score`: score comments given on the command line or on stdin."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Annotated

import typer

from moderation.cli._util import (
    LanguageOption,
    ModelOption,
    ThresholdOption,
    user_errors,
    write_json_lines,
)
from moderation.errors import InputError, UsageError
from moderation.model.scoring import read_score_input

TextsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Comments to score; '-' (or none, with a pipe) reads stdin, one per line.",
        show_default=False,
    ),
]
JsonOutOption = Annotated[bool, typer.Option("--json", help="One JSON object per comment.")]
ExplainOption = Annotated[
    bool,
    typer.Option("--explain", "-e", help="Show the words that pushed each score up or down."),
]
ParentOption = Annotated[
    str | None,
    typer.Option(help="The comment these reply to: text quoted from it is not scored."),
]
JsonlOption = Annotated[
    bool,
    typer.Option("--jsonl", help='Stdin is JSONL with a "text" field (other fields are kept).'),
]


@user_errors
def score_cli(
    texts: TextsArgument = None,
    model: ModelOption = None,
    json_out: JsonOutOption = False,
    explain: ExplainOption = False,
    parent: ParentOption = None,
    jsonl: JsonlOption = False,
    threshold: ThresholdOption = None,
    language: LanguageOption = None,
) -> None:
    """Score comments: predicted label, the three probabilities, and flags. Each comment is
    scored by the model of its language (detected, or --language); a comment in a language
    no model reads is marked not scored."""
    from moderation.model.multilingual import load_models, score_comments

    texts = texts or []
    from_stdin = texts == ["-"] or (not texts and not sys.stdin.isatty())
    if "-" in texts and texts != ["-"]:
        raise UsageError("'-' (stdin) cannot be mixed with TEXT arguments")
    if jsonl and not from_stdin:
        raise UsageError("--jsonl reads stdin: pipe the JSONL in, or pass '-'")
    records = None
    if from_stdin:
        texts, records = read_score_input(_stdin_lines(), jsonl=jsonl)
    results = score_comments(
        load_models(model, language=language),
        texts,
        records=records,
        thresholds=threshold or [],
        explain=explain,
        parent=parent,
    )
    if json_out:
        write_json_lines(results)
    else:
        from moderation.cli._tables import print_scores

        print_scores(results, explain=explain)


def _stdin_lines() -> Iterator[str]:
    """stdin's lines, decoded as UTF-8 strictly: a byte that is not UTF-8 is an error naming
    the line, not a replacement character scored as if it were text."""
    raw = getattr(sys.stdin, "buffer", None)
    if raw is None:  # already text (a test runner's stdin)
        yield from sys.stdin
        return
    for number, line in enumerate(raw, 1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as err:
            raise InputError(
                "<stdin>",
                f"not valid UTF-8 (byte {line[err.start]:#04x} at column {err.start + 1})",
                line=number,
                hint="convert it first, e.g. `iconv -f cp1252 -t utf-8`",
            ) from None
