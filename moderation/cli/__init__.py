"""The `moderation` command: one module per verb; typer and rich live only in this package.

Each command module holds a typer function that checks its options, makes one library call
and reports; shared plumbing is in ``_util``, tables for people in ``_tables``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from moderation import __version__
from moderation.cli import datasets as datasets_cli
from moderation.cli import labels as labels_cli
from moderation.cli import models as models_cli
from moderation.cli._util import Command, Group, set_debug
from moderation.cli.evaluate import evaluate_cli
from moderation.cli.flag import flag_cli
from moderation.cli.label import label_cli
from moderation.cli.parse import parse_cli
from moderation.cli.review import review_cli
from moderation.cli.score import score_cli
from moderation.cli.serve import serve_cli
from moderation.cli.train import train_cli
from moderation.model.trust import trust_all_models

app = typer.Typer(
    name="moderation",
    help="Offline comment moderation: parse exports, score and flag comments, retrain on your "
    "own labels.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=Group,
)


def _print_version(value: bool) -> None:
    if value:
        print(f"moderation {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    trust_model: Annotated[
        bool,
        typer.Option(
            "--trust-model",
            help="Load the pickle (model.joblib) of a model this installation did not make, "
            "when one is needed: a pickle runs code; give this only for a model you trust.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Offline comment moderation."""
    set_debug(debug)
    if trust_model:
        trust_all_models()


app.command("parse", cls=Command)(parse_cli)
app.command("score", cls=Command)(score_cli)
app.command("flag", cls=Command)(flag_cli)
app.command("train", cls=Command)(train_cli)
app.command("label", cls=Command)(label_cli)
app.command("evaluate", cls=Command)(evaluate_cli)
app.command("serve", cls=Command)(serve_cli)
app.command("review", cls=Command)(review_cli)
app.add_typer(labels_cli.app, name="labels")
app.add_typer(models_cli.app, name="models")
app.add_typer(datasets_cli.app, name="datasets")


def main() -> None:
    app()
