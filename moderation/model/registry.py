"""Which model a command uses, which models there are, and promotion with rollback.

Every language has its own model (its ``meta.json`` says which language it reads). A command's
model for a language is ``--model DIR`` (or ``$MODERATION_MODEL``) when that model reads it,
else the language's active model, else the one shipped for it (``models/default`` for English,
``models/default-LANG`` for the others); a language with none of these has no model, and its
comments are not scored. Models are directories under the models folder (``$MODERATION_MODELS``,
else ``./models``), plus the shipped ones. The active English model is recorded in
``active.json`` in the state folder (``$MODERATION_HOME``, else ``~/.config/moderation``), the
active model of another language in ``active-LANG.json``; every promotion is logged in
``promotions.jsonl`` beside them. ``moderation models promote NAME`` makes NAME the active model
of the language it reads.

The promotion policy: a model is promoted only with evidence that it is not worse than the
active one on labelled comments (``decide``), or when it was active before (a rollback), or
when forced.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.errors import ModelLoadError, ModerationError, UsageError
from moderation.files import (
    append_durably,
    atomic_output,
    now_iso,
    open_for_append,
    read_json_lines,
    set_torn_line_aside,
    sha256_file,
)
from moderation.languages import language_name
from moderation.model.directory import Model, load_model_dir
from moderation.model.meta import META_FILE, ModelMeta
from moderation.model.scoring import FLAGGED_LABELS
from moderation.model.trust import home_dir, shipped_languages, shipped_model_dir

ENV_MODEL = "MODERATION_MODEL"
ENV_MODELS = "MODERATION_MODELS"
ACTIVE_FILE = "active.json"
HISTORY_FILE = "promotions.jsonl"
COMPARED = ("macro_f1", "macro_roc_auc")


def models_dir() -> Path:
    return Path(os.environ.get(ENV_MODELS) or "models")


def resolve_model_dir(path: str | Path | None = None) -> Path:
    """``path``, else ``$MODERATION_MODEL``, else the English model promoted with `moderation
    models promote`, else the shipped default model."""
    if path:
        return Path(path)
    if os.environ.get(ENV_MODEL):
        return Path(os.environ[ENV_MODEL])
    return active_model_dir() or shipped_model_dir()


def language_model_dirs(path: str | Path | None = None) -> dict[str, Path]:
    """The model directory of every language that has one, English first: each language's
    active model, else its shipped one; ``path`` (else ``$MODERATION_MODEL``) takes the place
    of the model of the language it reads."""
    found: dict[str, Path] = {}
    for language in (*shipped_languages(), *promoted_languages()):
        found[language] = active_model_dir(language) or shipped_model_dir(language)
    explicit = path or os.environ.get(ENV_MODEL)
    if explicit:
        found[ModelMeta.read(Path(explicit)).language] = Path(explicit)
    return found


def promoted_languages() -> list[str]:
    """The languages with an active-model record, besides English."""
    home = home_dir()
    prefix, suffix = ACTIVE_FILE.removesuffix(".json") + "-", ".json"
    return sorted(
        path.name.removeprefix(prefix).removesuffix(suffix)
        for path in (home.glob(f"{prefix}*{suffix}") if home.is_dir() else [])
    )


def active_file(language: str = "en") -> Path:
    """Where the active model of ``language`` is recorded."""
    if language == "en":
        return home_dir() / ACTIVE_FILE
    return home_dir() / f"{ACTIVE_FILE.removesuffix('.json')}-{language}.json"


def load_model(path: str | Path | None = None, *, pipeline: bool = False) -> Model:
    """The model at ``path`` (see ``resolve_model_dir`` for the default), checked and ready to
    score."""
    return load_model_dir(resolve_model_dir(path), pipeline=pipeline)


# --- the active model and its history ---------------------------------------------------------


def active_record(language: str = "en") -> dict[str, Any] | None:
    path = active_file(language)
    way_out = (
        f"delete {path} to go back to the shipped default model, then promote one again "
        "with `moderation models promote NAME`"
    )
    if path.is_symlink():
        raise ModerationError(f"{path}: is a symbolic link, not the record itself; {way_out}")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        raise ModerationError(f"{path}: not valid JSON ({err}); {way_out}") from None
    except OSError as err:
        raise ModerationError(f"{path}: cannot be read ({err.strerror}); {way_out}") from None
    if not isinstance(record, dict) or not isinstance(record.get("path"), str):
        raise ModerationError(
            f'{path}: not a record of the active model (no "path" of a model); {way_out}'
        )
    return record


def active_model_dir(language: str = "en") -> Path | None:
    """The promoted model's directory for ``language``, or None when none was promoted (the
    shipped default is then used)."""
    record = active_record(language)
    if record is None:
        return None
    path = Path(record["path"])
    if not (path / META_FILE).is_file():
        raise ModelLoadError(
            f"the active model {record.get('model_id')} is gone from {path}; "
            "promote another with `moderation models promote NAME --force`, "
            f"or delete {active_file(language)} to use the shipped default"
        )
    return path


def history() -> tuple[list[dict[str, Any]], str | None]:
    """Every promotion recorded, oldest first, and a warning when the last line is torn."""
    lines = read_json_lines(home_dir() / HISTORY_FILE, missing_ok=True)
    records = [r for r in lines.records if isinstance(r, dict)]
    return records, lines.torn_warning("promotion history")


def content_hash(directory: Path) -> str:
    """What a model directory is, whatever its id says: the checksum of its ``meta.json``,
    which holds the checksums of its other files (checked when it is loaded)."""
    return sha256_file(directory / META_FILE)


@dataclass
class ModelEntry:
    name: str
    path: Path
    meta: ModelMeta
    active: bool = False

    @property
    def content(self) -> str:
        return content_hash(self.path)

    def summary(self) -> dict[str, Any]:
        meta = self.meta
        return {
            "name": self.name,
            "path": str(self.path),
            "language": meta.language,
            "model_id": meta.model_id,
            "created_at": meta.created_at,
            "active": self.active,
            "examples": meta.training_data.get("count"),
            "training_data": meta.training_summary(),
            "base": (meta.adaptation or {}).get("base_model"),
            "cv_macro_f1": meta.cv_metrics.get("macro_f1"),
            "thresholds": meta.flag_thresholds,
        }


def _entry(path: Path, name: str | None = None) -> ModelEntry:
    return ModelEntry(name or path.name, path, ModelMeta.read(path))


def _shipped_name(language: str) -> str:
    return "default" if language == "en" else f"default-{language}"


def list_models() -> list[ModelEntry]:
    """The models in the models folder, the shipped ones, and the active ones (wherever they
    are), the active model of each language marked."""
    actives = {language: active_model_dir(language) for language in ("en", *promoted_languages())}
    found: dict[Path, ModelEntry] = {}
    folder = models_dir()
    candidates = (
        sorted(p for p in folder.iterdir() if (p / META_FILE).is_file()) if folder.is_dir() else []
    )
    shipped = {shipped_model_dir(code).resolve(): code for code in shipped_languages()}
    for path in [*candidates, *map(shipped_model_dir, shipped.values()), *actives.values()]:
        if path is None:
            continue
        key = path.resolve()
        if key not in found:
            name = _shipped_name(shipped[key]) if key in shipped else None
            found[key] = _entry(path, name)
    in_use = [actives.get(code) or shipped_model_dir(code) for code in shipped.values()]
    in_use += [path for path in actives.values() if path is not None]
    current = {path.resolve() for path in in_use}
    for key, entry in found.items():
        entry.active = key in current
    return list(found.values())


def find_model(name: str | Path) -> ModelEntry:
    """A model by directory path, by name in the models folder, ``default`` (or
    ``default-LANG``, the model shipped for LANG), or model id."""
    path = Path(name)
    if (path / META_FILE).is_file():
        return _entry(path)
    if (models_dir() / str(name) / META_FILE).is_file():
        return _entry(models_dir() / str(name))
    for language in shipped_languages():
        if str(name) == _shipped_name(language):
            return _entry(shipped_model_dir(language), str(name))
    entries = list_models()
    for entry in entries:
        if entry.meta.model_id == str(name):
            return entry
    known = ", ".join(e.name for e in entries)
    raise UsageError(
        f"no model {str(name)!r} in {models_dir()} (known: {known}); give a "
        "model directory, a name from `moderation models list`, or a model id"
    )


def current_entry(language: str = "en") -> ModelEntry | None:
    """The model that scores ``language`` now (None: no model reads it)."""
    active = active_model_dir(language)
    if active:
        return _entry(active)
    if language in shipped_languages():
        return _entry(shipped_model_dir(language), _shipped_name(language))
    return None


# --- the promotion policy ---------------------------------------------------------------------


def compared_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """What promotion compares, from one model's ``metrics.measure`` on the evaluation labels:
    the headline metrics, and for each label a moderator is asked to look at, the precision
    and recall of the flags at the thresholds that model would use."""
    flags = {
        label: {
            "threshold": float(entry.get("threshold", 0.0)),
            "precision": float(entry["flags"]["precision"]),
            "recall": float(entry["flags"]["recall"]),
            "support": int(entry.get("support", 0)),
        }
        for label, entry in metrics.get("per_label", {}).items()
        if "flags" in entry and entry.get("support", 0) > 0
    }
    return {**{name: metrics.get(name) for name in COMPARED}, "flags": flags}


NAMES = {"macro_f1": "macro-F1", "macro_roc_auc": "macro ROC AUC"}


def not_worse(
    candidate: dict[str, Any], current: dict[str, Any], tolerance: float = 0.0
) -> tuple[bool, list[str]]:
    """Whether the candidate is at least as good as the current model (less ``tolerance``)
    on each rule, and the rules it falls short on (with both figures): macro-F1, macro ROC
    AUC, and for each flagged label the flag precision and the flag recall, each model at
    its own thresholds (what moderators feel: how much of the queue is real, how much abuse
    is caught)."""
    pairs = [(NAMES[name], candidate.get(name), current.get(name)) for name in COMPARED]
    theirs = current.get("flags", {})
    for label, mine in candidate.get("flags", {}).items():
        if label in theirs:
            for key in ("precision", "recall"):
                pairs.append((f"{label} flag {key}", mine[key], theirs[label][key]))
    short = [
        f"{name} ({a:.3f} against {b:.3f})"
        for name, a, b in pairs
        if a is not None and b is not None and a < b - tolerance
    ]
    return not short, short


def rules_checked(candidate: dict[str, Any]) -> str:
    labels = ", ".join(candidate.get("flags", {}))
    return "macro-F1, macro ROC AUC" + (
        f" and flag precision and recall of {labels} at each model's thresholds" if labels else ""
    )


def rules_not_checked(candidate: dict[str, Any]) -> list[str]:
    """The flagged labels whose flag rules the evaluation labels cannot check: no comment of
    that label among them, so a model that never flags it would pass."""
    return [label for label in FLAGGED_LABELS if label not in candidate.get("flags", {})]


def _unchecked_note(unchecked: list[str]) -> str:
    if not unchecked:
        return ""
    return (
        "; not checked: flag precision and recall of "
        + " and ".join(unchecked)
        + " (no such comment among the evaluation labels)"
    )


def was_active(entry: ModelEntry) -> bool:
    """Whether this very model (by content, not by the id it claims) was active before."""
    content = entry.content
    records, _ = history()
    return any(
        r.get("content_sha256") == content
        or (r.get("previous") or {}).get("content_sha256") == content
        for r in records
        if isinstance(r.get("previous") or {}, dict)
    )


@dataclass
class Decision:
    """Whether to promote, and why."""

    promote: bool
    reason: str


def decide(
    candidate: ModelEntry,
    current: ModelEntry | None,
    evidence: dict[str, Any] | None,
    *,
    force: bool = False,
    tolerance: float = 0.0,
) -> Decision:
    """The promotion policy. ``evidence`` holds both models' metrics on the same labelled
    comments (``{"candidate": {...}, "current": {...}}``), or is None. ``current`` is None
    when no model reads the candidate's language yet: then there is nothing it could be worse
    than, and comments in that language are not scored until a model is promoted."""
    if current is None:
        return Decision(True, f"the first {language_name(candidate.meta.language)} model")
    if candidate.path.resolve() == current.path.resolve():
        return Decision(False, "already active")
    if evidence is not None:
        overlapping = [
            which for which, found in evidence.get("overlap", {}).items() if found.get("refused")
        ]
        if overlapping:  # only with force: check_overlap refuses otherwise
            return Decision(
                True,
                "forced although the evaluation labels overlap the training data of the "
                + " and ".join(overlapping),
            )
        ok, short = not_worse(evidence["candidate"], evidence["current"], tolerance)
        rules = rules_checked(evidence["candidate"])
        slack = f" (tolerance {tolerance:g})" if tolerance else ""
        unchecked = _unchecked_note(rules_not_checked(evidence["candidate"]))
        if ok:
            return Decision(True, f"not worse on the evaluation set by {rules}{slack}{unchecked}")
        if force:
            return Decision(True, "forced despite being worse on " + "; ".join(short) + unchecked)
        return Decision(
            False, "worse than the active model on " + "; ".join(short) + f"{slack}{unchecked}"
        )
    if was_active(candidate):
        return Decision(True, "rollback to a model that was active before")
    if force:
        return Decision(True, "forced without an evaluation")
    raise UsageError(
        f"promoting {candidate.name} needs evidence: give --eval LABELLED (it must "
        "not be worse than the active model there), or --force"
    )


def set_active(
    entry: ModelEntry,
    previous: ModelEntry | None,
    evaluation: dict[str, Any] | None,
    reason: str,
) -> dict[str, Any]:
    """Record ``entry`` as the active model of its language (written atomically) and log the
    promotion. A torn last line in the history is set aside first, as the label store does."""
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    language = entry.meta.language
    record = {
        "path": str(entry.path.resolve()),
        "model_id": entry.meta.model_id,
        "name": entry.name,
        "language": language,
        "promoted_at": now_iso(),
        "content_sha256": entry.content,
        "previous": None
        if previous is None
        else {
            "path": str(previous.path.resolve()),
            "model_id": previous.meta.model_id,
            "content_sha256": previous.content,
        },
        "reason": reason,
        "evaluation": evaluation,
    }
    active = active_file(language)
    for name in (active.name, HISTORY_FILE):
        if (home / name).is_symlink():
            raise ModerationError(
                f"{home / name}: is a symbolic link; refusing to write through it (replace "
                "the link with the file itself)"
            )
    lines = read_json_lines(home / HISTORY_FILE, missing_ok=True)
    if lines.torn_line is not None:
        set_torn_line_aside(lines.path, lines.torn_bytes)
    with open_for_append(home / HISTORY_FILE) as history_file:
        # an unpredictable temporary name in the state folder, renamed over the record
        with atomic_output(active) as handle:
            handle.write(json.dumps(record, indent=2) + "\n")
        append_durably(history_file, [record])
    return record
