"""`moderation models list|show|promote`: the models there are, and which one is active."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from moderation.cli._util import say, user_errors
from moderation.errors import UsageError

app = typer.Typer(help="List models, show one, or make one the active model (with "
                       "rollback).", no_args_is_help=True)
EXIT_REFUSED = 1


def promote(name: str, *, evaluation: Path | None = None, force: bool = False,
            tolerance: float = 0.0) -> dict[str, Any]:
    """Make model ``name`` the active one if, on ``evaluation``, it is not worse than the
    active one. Returns both models' metrics and whether it was promoted."""
    from moderation.model_versions import (COMPARED, current_entry, find_model, not_worse,
                                           set_active, was_active)

    candidate = find_model(name)
    current = current_entry()
    result: dict[str, Any] = {"candidate": candidate.summary(), "current": current.summary(),
                              "promoted": False}
    if candidate.path.resolve() == current.path.resolve():
        result["reason"] = "already active"
        return result
    compared = None
    if evaluation is not None:
        from moderation.evaluate import evaluate, read_labelled_set
        from moderation.store import load_model

        data = read_labelled_set(evaluation)
        scores = {which: evaluate(load_model(entry.path), data).metrics
                  for which, entry in (("candidate", candidate), ("current", current))}
        compared = {"data": str(evaluation), "examples": len(data),
                    **{which: {k: m[k] for k in COMPARED} for which, m in scores.items()}}
        result["evaluation"] = compared
        ok, short = not_worse(compared["candidate"], compared["current"], tolerance)
        if not ok and not force:
            result["reason"] = ("worse than the active model on " + ", ".join(short))
            return result
        reason = "not worse on the evaluation set" if ok else "forced despite " + \
            ", ".join(short)
    elif was_active(candidate):
        reason = "rollback to a model that was active before"
    elif force:
        reason = "forced without an evaluation"
    else:
        raise UsageError(f"promoting {candidate.name} needs evidence: give --eval LABELLED "
                         "(it must not be worse than the active model there), or --force")
    result["record"] = set_active(candidate, current, compared, reason)
    result["promoted"], result["reason"] = True, reason
    return result


@app.command("list")
@user_errors
def list_cli(
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per model.")]
    = False,
) -> None:
    """List the models (models folder, shipped default, active one): id, creation time,
    training data and held-out macro-F1."""
    from rich.console import Console
    from rich.table import Table

    from moderation.model_versions import list_models, models_dir

    entries = [entry.summary() for entry in list_models()]
    if json_out:
        sys.stdout.write("".join(json.dumps(e) + "\n" for e in entries))
        return
    table = Table(show_edge=False, pad_edge=False,
                  title=f"models in {models_dir()} (* active)", title_justify="left")
    for column in ("", "name", "model id", "created", "training data", "macro-F1"):
        table.add_column(column, overflow="fold")
    for e in entries:
        f1 = e["cv_macro_f1"]
        table.add_row("*" if e["active"] else "", e["name"], e["model_id"],
                      (e["created_at"] or "")[:16], e["training_data"] or "-",
                      "-" if f1 is None else f"{f1:.3f}")
    Console(highlight=False).print(table)


@app.command("show")
@user_errors
def show_cli(
    name: Annotated[str, typer.Argument(help="Model name, directory or id.",
                                        show_default=False)],
) -> None:
    """Show what a model is: its id, data, settings, thresholds and held-out metrics."""
    from moderation.model_versions import find_model, list_models

    entry = find_model(name)
    active = any(e.active and e.path.resolve() == entry.path.resolve() for e in list_models())
    summary = entry.summary()
    summary["active"] = active
    meta = entry.meta
    summary.update({k: meta[k] for k in ("training_data", "adaptation", "cv_metrics", "C",
                                         "versions", "copied_from") if k in meta})
    sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


@app.command("promote")
@user_errors
def promote_cli(
    name: Annotated[str, typer.Argument(help="Model name, directory or id to make active.",
                                        show_default=False)],
    evaluation: Annotated[Optional[Path], typer.Option(
        "--eval", help="Labelled comments to compare it with the active model on.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Promote even if it is worse, or without --eval.")] = False,
    tolerance: Annotated[float, typer.Option(
        help="Allow the candidate's macro-F1 and ROC AUC to be this much lower.")] = 0.0,
) -> None:
    """Make a model the one `score` and `flag` use, if it is not worse than the active one;
    promoting the previous one rolls back."""
    result = promote(name, evaluation=evaluation, force=force, tolerance=tolerance)
    candidate, current = result["candidate"], result["current"]
    if "evaluation" in result:
        compared = result["evaluation"]
        say(f"on {compared['data']} ({compared['examples']:,} comments):")
        for which, entry in (("current", current), ("candidate", candidate)):
            metrics = compared[which]
            say(f"  {which:9} {entry['model_id']}: macro-F1 {metrics['macro_f1']:.3f}, "
                f"macro ROC AUC {metrics['macro_roc_auc']:.3f}")
    if result["promoted"]:
        say(f"{candidate['model_id']} is now the active model ({result['reason']}); "
            f"{current['model_id']} stays for rollback: moderation models promote "
            f"{current['path']}")
    elif result["reason"] == "already active":
        say(f"{candidate['model_id']} is already the active model")
    else:
        say(f"not promoted: {candidate['model_id']} is {result['reason']}; "
            f"{current['model_id']} stays active (add --force to promote anyway)")
        raise typer.Exit(EXIT_REFUSED)
