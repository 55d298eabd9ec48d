"""What ``meta.json`` holds, written down once: :class:`ModelMeta` is the only code that knows
the file's keys. Everything else reads a model's description through it."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.errors import ModelLoadError
from moderation.model.thresholds import Threshold

META_FILE = "meta.json"
REBUILD = (
    "rebuild it with `moderation train --recipe default -o DIR` "
    "(see README: Rebuilding the default model)"
)
_REQUIRED = ("model_id", "model_sha256", "labels", "thresholds", "versions")


@dataclass
class ModelMeta:
    """A model directory's description: identity, files and their checksums, labels and flag
    thresholds, settings, training data, held-out metrics and provenance. Keys this version
    does not know are kept in ``extra`` and written back unchanged."""

    model_id: str
    labels: list[str]
    thresholds: dict[str, Threshold]
    model_sha256: str
    versions: dict[str, str]
    name: str | None = None
    scorer_sha256: str | None = None
    model_bytes: int | None = None
    C: float | None = None
    config: dict[str, Any] = field(default_factory=dict)
    recipe: str | None = None
    training_data: dict[str, Any] = field(default_factory=dict)
    cv_metrics: dict[str, Any] = field(default_factory=dict)
    training_seconds: float | None = None
    git_commit: str | None = None
    created_at: str | None = None
    adaptation: dict[str, Any] | None = None
    audit: dict[str, Any] | None = None  # the identity audit's summary (moderation.model.audit)
    copied_from: dict[str, Any] | None = None
    # the attribute heads (moderation.model.heads): file checksum, per attribute its
    # threshold and held-out figures
    heads: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    # --- what the rest of the package asks ---------------------------------------------------

    @property
    def max_chars(self) -> int:
        return int(self.config.get("max_chars", 2000))

    @property
    def language(self) -> str:
        """The language the model reads (ISO 639-1); models saved before languages were
        recorded read English."""
        return str(self.config.get("language", "en"))

    @property
    def flag_thresholds(self) -> dict[str, float]:
        return {label: t.threshold for label, t in self.thresholds.items()}

    @property
    def head_thresholds(self) -> dict[str, float]:
        """Each attribute head's flag threshold (none without heads)."""
        attributes = (self.heads or {}).get("attributes", {})
        return {name: float(a["threshold"]["threshold"]) for name, a in attributes.items()}

    @property
    def training_files(self) -> list[dict[str, Any]]:
        return list(self.training_data.get("files", []))

    def training_summary(self) -> str:
        """``source count, ...`` for listings."""
        return ", ".join(
            f"{source} {sum(counts.values()):,}"
            for source, counts in self.training_data.get("by_source", {}).items()
        )

    # --- the file ----------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: Any, origin: str = META_FILE) -> ModelMeta:
        if not isinstance(data, dict):
            raise ModelLoadError(f"{origin}: not a JSON object; {REBUILD}")
        missing = [key for key in _REQUIRED if key not in data]
        if missing:
            raise ModelLoadError(f"{origin}: missing {', '.join(missing)}; {REBUILD}")
        _check_fields(data, origin)
        known = {f.name for f in dataclasses.fields(cls)} - {"extra", "thresholds"}
        values = {k: v for k, v in data.items() if k in known}
        try:
            thresholds = {
                label: Threshold.from_dict(label, t) for label, t in data["thresholds"].items()
            }
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            raise ModelLoadError(f"{origin}: unreadable thresholds ({err}); {REBUILD}") from None
        return cls(
            thresholds=thresholds,
            **values,
            extra={k: v for k, v in data.items() if k not in known | {"thresholds"}},
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if item.name == "extra":
                continue
            if item.name == "thresholds":
                value = {label: t.to_dict() for label, t in value.items()}
            if value is None and item.name in (
                "adaptation",
                "copied_from",
                "scorer_sha256",
                "audit",
                "heads",
            ):
                continue
            data[item.name] = value
        data.update(self.extra)
        return data

    @classmethod
    def read(cls, directory: Path) -> ModelMeta:
        meta_path = directory / META_FILE
        if not directory.exists():
            raise ModelLoadError(
                f"{directory}: no such model directory; give --model DIR or {REBUILD}"
            )
        if not directory.is_dir() or not meta_path.is_file():
            raise ModelLoadError(
                f"{directory}: not a model directory (no {META_FILE}); a "
                "model is a folder made by `moderation train`"
            )
        try:
            data = json.loads(meta_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ModelLoadError(f"{meta_path}: not valid JSON ({err}); {REBUILD}") from None
        return cls.from_json(data, str(meta_path))

    def check_labels(self, found: list[str], where: str) -> None:
        """Refuse a model whose arrays or pipeline (``where``) hold other labels, or the same
        ones in another order, than ``meta.json`` says: every score would go to the wrong
        label."""
        if list(found) != list(self.labels):
            raise ModelLoadError(
                f"{where}: holds the labels {', '.join(map(str, found))}, but {META_FILE} says "
                f"{', '.join(self.labels)} (in that order); the model directory was changed; "
                f"{REBUILD}"
            )

    def write(self, directory: Path) -> None:
        (directory / META_FILE).write_text(
            json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def _check_fields(data: dict[str, Any], origin: str) -> None:
    """The values ``meta.json`` must hold for a model to score right: an id, two or more
    distinct labels, checksums, and for each label a threshold strictly between 0 and 1 (a
    threshold of 1.5 or NaN would silently switch flagging off)."""

    def bad(problem: str) -> ModelLoadError:
        return ModelLoadError(f"{origin}: {problem}; {REBUILD}")

    if not isinstance(data["model_id"], str) or not data["model_id"].strip():
        raise bad("model_id is not a name")
    labels = data["labels"]
    if (
        not isinstance(labels, list)
        or len(labels) < 2
        or not all(isinstance(label, str) and label for label in labels)
        or len(set(labels)) != len(labels)
    ):
        raise bad("labels must be a list of two or more distinct names")
    for key in ("model_sha256", "scorer_sha256"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise bad(f"{key} is not a checksum")
    if not isinstance(data["versions"], dict):
        raise bad("versions is not an object")
    if not isinstance(data.get("config", {}), dict):
        raise bad("config is not an object")
    thresholds = data["thresholds"]
    if not isinstance(thresholds, dict):
        raise bad("thresholds is not an object")
    unknown = sorted(set(thresholds) - set(labels))
    if unknown:
        raise bad(f"thresholds for {', '.join(map(str, unknown))}, which is not a label")
    for label, entry in thresholds.items():
        value = entry.get("threshold") if isinstance(entry, dict) else None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not 0 < value < 1
        ):
            raise bad(f"the {label} threshold {value!r} is not a number between 0 and 1")
