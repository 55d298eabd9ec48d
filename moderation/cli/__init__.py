"""The `moderation` command: one module per verb; typer lives only in this package."""

from __future__ import annotations

from typing import Annotated

import typer

from moderation.cli._util import set_debug
from moderation.cli import datasets as datasets_cli
from moderation.cli import labels as labels_cli
from moderation.cli import models as models_cli
from moderation.cli.evaluate import evaluate_cli
from moderation.cli.flag import flag_cli
from moderation.cli.label import label_cli
from moderation.cli.parse import parse_cli
from moderation.cli.score import score_cli
from moderation.cli.train import train_cli

app = typer.Typer(
    name="moderation",
    help="Offline comment moderation: parse exports, score and flag comments, retrain on your "
         "own labels.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Offline comment moderation."""
    set_debug(debug)


app.command("parse")(parse_cli)
app.command("score")(score_cli)
app.command("flag")(flag_cli)
app.command("train")(train_cli)
app.command("label")(label_cli)
app.command("evaluate")(evaluate_cli)
app.add_typer(labels_cli.app, name="labels")
app.add_typer(models_cli.app, name="models")
app.add_typer(datasets_cli.app, name="datasets")


def main() -> None:
    app()
