"""Retraining on a site's own labels: ``moderation train --base DIR --add LABELS...``.

The base model's training data is replayed from what its ``meta.json`` records (the recipe, the
example files, and the labels an adapted base was itself given), the site's labels are added
with more weight per example (configurable), and the result is a plain model directory like
any other. ``--no-base`` trains on the site's labels alone.

How the site's labels are used was chosen by measurement (``benchmarks/retraining.py``): see
``SITE_WEIGHT`` and the notes in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.errors import InputError, ModerationError

SITE_SOURCE = "site"
WEAK_SOURCE = "site-weak"
SITE_WEIGHT = 5.0           # each site label counts as this many base examples
WEAK_WEIGHT = 0.3           # a weak label (from the platform's status) counts this much less


@dataclass
class SiteLabels:
    records: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(r["label"] for r in self.records))


def read_site_labels(paths: Sequence[str | Path]) -> SiteLabels:
    """The current labels of each store (or JSONL of examples); an id labelled differently in
    two files is an error naming both."""
    from moderation.labelling import read_labelled
    from moderation.store import sha256_file

    site = SiteLabels()
    seen: dict[str, tuple[str, str]] = {}
    for path in paths:
        records, torn = read_labelled(path)
        if torn:
            site.warnings.append(torn)
        for record in records:
            earlier = seen.get(record["id"])
            if earlier is not None and earlier[1] != record["label"]:
                raise InputError(path, f"id {record['id']!r} is labelled {record['label']!r} "
                                 f"here and {earlier[1]!r} in {earlier[0]}",
                                 hint="merge the stores first with `moderation labels merge`, "
                                 "which reports every disagreement")
            if earlier is not None:
                continue
            seen[record["id"]] = (str(path), record["label"])
            record["id"] = f"site:{record['id']}"
            record["thread_id"] = f"site:{record.get('thread_id') or record['id']}"
            record["source"] = WEAK_SOURCE if record["weak"] else SITE_SOURCE
            site.records.append(record)
        site.files.append({"file": str(path), "sha256": sha256_file(Path(path)),
                           "examples": len(records),
                           "weak": sum(r["weak"] for r in records)})
    if not site.records:
        raise ModerationError(f"no labels in {', '.join(map(str, paths))}: label some "
                              "comments first with `moderation label`")
    return site


def replay_base_data(meta: dict[str, Any], datasets_dir: str | Path | None = None
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The base model's training records, rebuilt from what its meta records. A file that is
    missing or changed since is an error: the base cannot be reproduced without it."""
    from moderation.datasets.recipes import recipe_records
    from moderation.store import sha256_file
    from moderation.train import read_examples

    records: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    recipe = meta.get("recipe")
    if recipe:
        records, files = recipe_records(recipe, datasets_dir)
    listed = meta.get("training_data", {}).get("files", [])
    for item in listed:
        if "dataset" in item:           # part of the recipe, already read
            continue
        path = Path(item["file"])
        if not path.is_file() or sha256_file(path) != item.get("sha256"):
            problem = "not found" if not path.is_file() else "changed since the base was trained"
            raise InputError(path, f"{problem}: the base model was trained on it",
                             hint="restore it, or train on the site's labels alone with "
                             "--no-base")
        if item.get("site"):
            continue                    # an adapted base's own labels: read below, weighted
        found = read_examples(path)
        records.extend(found)
        files.append(item)
    for item in listed:
        if item.get("site"):
            site = read_site_labels([item["file"]])
            records.extend(site.records)
            files.append(item)
    if not records:
        raise ModerationError(f"the base model {meta.get('model_id')} records no training data "
                              "to replay; train on the site's labels alone with --no-base")
    return records, files


def site_config(base_config: dict[str, Any], site_weight: float, weak_weight: float,
                no_base: bool) -> Any:
    """The base's settings, with the site's sources weighted up."""
    from moderation.pipeline import PipelineConfig

    config = PipelineConfig.from_dict({k: v for k, v in base_config.items()},
                                      origin="base model config")
    if not no_base:
        factors = dict(config.extra.get("source_factors", {}))
        factors[SITE_SOURCE] = site_weight
        factors[WEAK_SOURCE] = site_weight * weak_weight
        config.extra = {**config.extra, "source_factors": factors}
    return config
