"""Model versions: which models there are, which one is active, and promotion with rollback.

Models are directories under the models folder (``$MODERATION_MODELS``, else ``./models``),
plus the shipped default. The active model, what ``score`` and ``flag`` use when no
``--model`` is given, is recorded in ``active.json`` in the state folder
(``$MODERATION_HOME``, else ``~/.config/moderation``), with every promotion logged in
``promotions.jsonl`` beside it. A model is promoted only if it is not worse than the active
one on a labelled evaluation set; rolling back to a model that was active before needs no
evaluation.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from moderation.errors import ModerationError, UsageError
from moderation.store import META_FILE, ModelLoadError, now_iso, read_meta, shipped_model_dir

ENV_HOME = "MODERATION_HOME"
ENV_MODELS = "MODERATION_MODELS"
ACTIVE_FILE = "active.json"
HISTORY_FILE = "promotions.jsonl"
COMPARED = ("macro_f1", "macro_roc_auc")


def home_dir() -> Path:
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "moderation"


def models_dir() -> Path:
    return Path(os.environ.get(ENV_MODELS) or "models")


def active_record() -> dict[str, Any] | None:
    path = home_dir() / ACTIVE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModerationError(f"{path}: not valid JSON ({err}); promote a model again with "
                              "`moderation models promote NAME --force`") from None


def active_model_dir() -> Path | None:
    """The promoted model's directory, or None when none was promoted (the shipped default
    is then used)."""
    record = active_record()
    if record is None:
        return None
    path = Path(record["path"])
    if not (path / META_FILE).is_file():
        raise ModelLoadError(f"the active model {record.get('model_id')} is gone from {path}; "
                             "promote another with `moderation models promote NAME --force`, "
                             f"or delete {home_dir() / ACTIVE_FILE} to use the shipped default")
    return path


def history() -> list[dict[str, Any]]:
    path = home_dir() / HISTORY_FILE
    if not path.is_file():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@dataclass
class ModelEntry:
    name: str
    path: Path
    meta: dict[str, Any]
    active: bool = False

    def summary(self) -> dict[str, Any]:
        meta = self.meta
        data = meta.get("training_data", {})
        sources = ", ".join(f"{source} {sum(counts.values()):,}"
                            for source, counts in data.get("by_source", {}).items())
        return {"name": self.name, "path": str(self.path), "model_id": meta.get("model_id"),
                "created_at": meta.get("created_at"), "active": self.active,
                "examples": data.get("count"), "training_data": sources,
                "base": (meta.get("adaptation") or {}).get("base_model"),
                "cv_macro_f1": (meta.get("cv_metrics") or {}).get("macro_f1"),
                "thresholds": {k: v.get("threshold") for k, v in meta["thresholds"].items()}}


def _entry(path: Path, name: str | None = None) -> ModelEntry:
    return ModelEntry(name or path.name, path, read_meta(path))


def list_models() -> list[ModelEntry]:
    """The models in the models folder, the shipped default, and the active one (wherever
    it is), the active one marked."""
    active = active_model_dir()
    found: dict[Path, ModelEntry] = {}
    folder = models_dir()
    candidates = sorted(p for p in folder.iterdir() if (p / META_FILE).is_file()) \
        if folder.is_dir() else []
    shipped = shipped_model_dir()
    for path in [*candidates, shipped, *([active] if active else [])]:
        key = path.resolve()
        if key not in found:
            found[key] = _entry(path, "default" if key == shipped.resolve() else None)
    current = (active or shipped).resolve()
    for key, entry in found.items():
        entry.active = key == current
    return list(found.values())


def find_model(name: str | Path) -> ModelEntry:
    """A model by directory path, by name in the models folder, ``default``, or model id."""
    path = Path(name)
    if (path / META_FILE).is_file():
        return _entry(path)
    if (models_dir() / str(name) / META_FILE).is_file():
        return _entry(models_dir() / str(name))
    if str(name) == "default":
        return _entry(shipped_model_dir(), "default")
    entries = list_models()
    for entry in entries:
        if entry.meta.get("model_id") == str(name):
            return entry
    known = ", ".join(e.name for e in entries)
    raise UsageError(f"no model {str(name)!r} in {models_dir()} (known: {known}); give a "
                     "model directory, a name from `moderation models list`, or a model id")


def current_entry() -> ModelEntry:
    active = active_model_dir()
    return _entry(active) if active else _entry(shipped_model_dir(), "default")


def not_worse(candidate: dict[str, Any], current: dict[str, Any],
              tolerance: float = 0.0) -> tuple[bool, list[str]]:
    """Whether the candidate's headline metrics are each at least the current model's (less
    ``tolerance``), and the ones that fall short."""
    short = [name for name in COMPARED
             if candidate.get(name) is not None and current.get(name) is not None
             and candidate[name] < current[name] - tolerance]
    return not short, short


def set_active(entry: ModelEntry, previous: ModelEntry,
               evaluation: dict[str, Any] | None, reason: str) -> dict[str, Any]:
    """Record ``entry`` as the active model (written atomically) and log the promotion."""
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    record = {"path": str(entry.path.resolve()), "model_id": entry.meta["model_id"],
              "name": entry.name, "promoted_at": now_iso(),
              "previous": {"path": str(previous.path.resolve()),
                           "model_id": previous.meta["model_id"]},
              "reason": reason, "evaluation": evaluation}
    staging = home / f".{ACTIVE_FILE}.{os.getpid()}.tmp"
    staging.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(staging, home / ACTIVE_FILE)
    with open(home / HISTORY_FILE, "ab") as handle:
        handle.write(orjson.dumps(record) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return record


def was_active(entry: ModelEntry) -> bool:
    model_id = entry.meta["model_id"]
    return any(r.get("model_id") == model_id or r.get("previous", {}).get("model_id") == model_id
               for r in history())
