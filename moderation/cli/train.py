"""`moderation train`: labelled examples (or a recipe) in, a model directory out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import say, user_errors
from moderation.errors import UsageError
from moderation.languages import language_name

InputsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help='Labelled examples: canonical JSONL with at least "text" and "label".',
        show_default=False,
    ),
]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="Model directory to write.")]
RecipeOption = Annotated[
    str | None,
    typer.Option(help='Train a named recipe ("default": the shipped model\'s data and settings).'),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="TOML file with [pipeline] settings overriding the defaults."),
]
DatasetsOption = Annotated[
    Path | None,
    typer.Option(
        "--from",
        help="Folder with local copies of the public datasets (for --recipe); "
        "default: $MODERATION_DATASETS, ../shared/datasets, or the download "
        "cache.",
    ),
]
SeedOption = Annotated[int | None, typer.Option(help="Random seed for the folds.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing model directory.")]
BaseOption = Annotated[
    Path | None,
    typer.Option(
        help="The model to retrain with the site's labels from --add (default: the active model)."
    ),
]
AddOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--add",
        help="A label store (from `moderation label`) to add; repeatable.",
        show_default=False,
    ),
]
NoBaseOption = Annotated[bool, typer.Option("--no-base", help="Train on the --add labels alone.")]
SiteWeightOption = Annotated[
    float | None,
    typer.Option(
        help="For --method weighted: how many base examples one site label counts as (default 20).",
        show_default=False,
    ),
]
WeakWeightOption = Annotated[
    float | None,
    typer.Option(
        help="A weak label's weight relative to a moderator's (default 0.3).",
        show_default=False,
    ),
]
MethodOption = Annotated[
    str | None,
    typer.Option(
        help="prior: refit the base's weights on the site's labels, held close to the base's "
        "(measured best); weighted: retrain on the base's data plus the site's labels "
        "weighted up (--site-weight). Default: prior, with its strength chosen on grouped "
        "folds of the site's labels (the choice and what it measured go in the model card).",
        show_default=False,
    ),
]
ModelLanguageOption = Annotated[
    str | None,
    typer.Option(
        "--language",
        "-l",
        help="The language the model reads (de, pt, ...): its word lists and settings; with "
        "--add, the base is that language's active model, or the site's labels alone when no "
        "model reads it yet, and only labels of comments in it are used.",
        show_default=False,
    ),
]
StrengthOption = Annotated[
    float | None,
    typer.Option(
        help="For --method prior: how hard the weights are held to the base's (default: "
        "chosen on the site's labels, or 0.03 with --method prior; larger stays closer to "
        "the base).",
        show_default=False,
    ),
]

HeadsOption = Annotated[
    bool | None,
    typer.Option(
        "--heads/--no-heads",
        help="Train the attribute heads (INSULT, IDENTITY_ATTACK, THREAT, PROFANITY, "
        "SEVERE_TOXICITY) on the model's features; default: with --recipe or --attributes.",
        show_default=False,
    ),
]
AttributesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--attributes",
        help='Attribute examples for the heads: JSONL with "text" and "marks" such as '
        '{"THREAT": 1}; repeatable.',
        show_default=False,
    ),
]


@user_errors
def train_cli(
    inputs: InputsArgument = None,
    output: OutputOption = ...,  # type: ignore[assignment]
    recipe: RecipeOption = None,
    config: ConfigOption = None,
    datasets: DatasetsOption = None,
    seed: SeedOption = None,
    force: ForceOption = False,
    base: BaseOption = None,
    add: AddOption = None,
    no_base: NoBaseOption = False,
    site_weight: SiteWeightOption = None,
    weak_weight: WeakWeightOption = None,
    method: MethodOption = None,
    strength: StrengthOption = None,
    language: ModelLanguageOption = None,
    heads: HeadsOption = None,
    attributes: AttributesOption = None,
) -> None:
    """Train a TF-IDF + logistic-regression model (or retrain one on a site's labels, or
    start a language from them: --language LANG --add STORE)."""
    # scikit-learn is imported here, not with the command line: `moderation score` starts
    # without it
    from moderation.model.meta import META_FILE
    from moderation.model.multilingual import check_language
    from moderation.model.registry import current_entry
    from moderation.model.retrain import RetrainOptions, retrain
    from moderation.model.train import train_from_files
    from moderation.model.trust import shipped_model_dir

    language = check_language(language) if language is not None else None
    if not (add or base is not None or no_base):
        train_from_files(
            inputs or [],
            output=output,
            recipe=recipe,
            config_path=config,
            datasets_dir=datasets,
            force=force,
            seed=seed,
            progress=say,
            language=language,
            heads=heads,
            attributes=attributes or [],
        )
        return
    if heads is not None or attributes:
        raise UsageError(
            "--base/--add carry the base model's attribute heads over: leave out --heads "
            "and --attributes"
        )
    if inputs or recipe:
        raise UsageError(
            "--base/--add retrain on a site's labels: give the labels with --add, "
            "not as EXAMPLES or --recipe"
        )
    options = RetrainOptions(
        method=method,
        no_base=no_base,
        strength=strength,
        site_weight=site_weight,
        weak_weight=weak_weight,
        config_path=config,
        datasets_dir=datasets,
        seed=seed,
        language=language,
    )
    if base is not None and add and not no_base and not (base / META_FILE).is_file():
        raise UsageError(
            f"--base {base}: not a model directory (no {META_FILE}); give one from "
            f"`moderation models list`, or leave --base out to retrain the active model "
            f"(the shipped English model is {shipped_model_dir()})"
        )
    saved, trained = retrain(
        add or [], output=output, base=base, options=options, force=force, progress=say
    )
    site_accuracy = trained.cv_metrics.get("per_source", {}).get("site", {}).get("accuracy")
    name = language_name(saved.language)
    # a language that has a model already switches only on evidence (models promote)
    evidence = (
        " --eval HELD-OUT (labels it was not trained on)"
        if current_entry(saved.language) is not None
        else ""
    )
    say(
        f"wrote {output}, {_article(name)} {name} model "
        f"({(saved.model_bytes or 0) / 1e6:.1f} MB; held-out macro-F1 "
        f"{trained.cv_metrics['macro_f1']:.3f}"
        + (f", accuracy on the site's labels {site_accuracy:.3f}" if site_accuracy else "")
        + f") in {trained.seconds:.0f} s; make it the active {name} "
        f"model with `moderation models promote {output}{evidence}`"
    )


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
