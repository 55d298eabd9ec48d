"""What a model was trained on, kept so that it cannot be judged on it.

A model directory made by this version holds ``training.npz``: 64-bit fingerprints of the ids
and of the normalised texts of every training example (not the texts themselves), with its
checksum in ``meta.json`` (``training_data["fingerprints"]``). :func:`find_overlap` compares
labelled comments against it, and against the SHA-256 of every training file ``meta.json``
records, so that ``evaluate`` and ``models promote --eval`` can refuse to score a model on its
own training data (a 40-example model judged on its own file scores macro-F1 1.000).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from moderation.errors import ModelLoadError
from moderation.files import sha256_file

if TYPE_CHECKING:
    from moderation.model.meta import ModelMeta

FINGERPRINTS_FILE = "training.npz"
SITE_PREFIX = "site:"  # retraining's prefix on a site label's id (moderation.model.retrain)
REFUSE_SHARE = 0.02  # more than this share of the labels seen in training: refused


def _hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big")


def text_key(text: str) -> str:
    """A text as compared for overlap: case and spacing do not make a new comment."""
    return " ".join(text.lower().split())


def id_key(comment_id: str) -> str:
    return comment_id[len(SITE_PREFIX) :] if comment_id.startswith(SITE_PREFIX) else comment_id


def fingerprints(values: Iterable[str]) -> np.ndarray:
    return np.unique(np.fromiter((_hash(v) for v in values), dtype=np.uint64))


@dataclass
class TrainingFingerprints:
    """The fingerprints of a training set's ids and texts (sorted, unique)."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    texts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    @classmethod
    def of(cls, ids: Sequence[str], texts: Sequence[str]) -> TrainingFingerprints:
        return cls(fingerprints(id_key(i) for i in ids), fingerprints(text_key(t) for t in texts))

    def union(self, other: TrainingFingerprints | None) -> TrainingFingerprints:
        if other is None:
            return self
        return TrainingFingerprints(
            np.union1d(self.ids, other.ids), np.union1d(self.texts, other.texts)
        )

    def save(self, path: Path) -> dict[str, Any]:
        """Write the file; returns what ``meta.json`` records about it."""
        with open(path, "wb") as handle:
            np.savez_compressed(handle, ids=self.ids, texts=self.texts)
        return {
            "file": path.name,
            "sha256": sha256_file(path),
            "ids": int(self.ids.size),
            "texts": int(self.texts.size),
        }

    @classmethod
    def load(cls, directory: Path, record: dict[str, Any] | None) -> TrainingFingerprints | None:
        """The fingerprints a model directory records, or None for a model made before they
        were kept. A file that does not match its checksum is an error."""
        if not record:
            return None
        path = directory / record.get("file", FINGERPRINTS_FILE)
        if not path.is_file() or sha256_file(path) != record.get("sha256"):
            raise ModelLoadError(
                f"{path}: {'missing' if not path.is_file() else 'changed'}; the model's record "
                "of its training data cannot be checked (copy the whole model directory)"
            )
        with np.load(path) as data:
            return cls(data["ids"].astype(np.uint64), data["texts"].astype(np.uint64))


@dataclass
class Overlap:
    """How far labelled comments are data a model was trained on."""

    model: str
    data: str
    examples: int
    same_file: list[str] = field(default_factory=list)
    shared_ids: int = 0
    shared_texts: int = 0
    shared: int = 0  # comments whose id or text the model was trained on
    sample: list[str] = field(default_factory=list)
    checked_contents: bool = True  # False: the model keeps no fingerprints (an older model)

    @property
    def share(self) -> float:
        return self.shared / self.examples if self.examples else 0.0

    @property
    def refused(self) -> bool:
        return bool(self.same_file) or self.share > REFUSE_SHARE

    def message(self) -> str:
        if self.same_file:
            return (
                f"{self.data} is the very file model {self.model} was trained on (same "
                f"SHA-256 as {self.same_file[0]}): its scores there say nothing about new comments"
            )
        example = f" (e.g. {', '.join(self.sample)})" if self.sample else ""
        return (
            f"{self.shared:,} of {self.examples:,} labelled comments in {self.data} "
            f"({self.share:.0%}) were in model {self.model}'s training data: "
            f"{self.shared_ids:,} by id, {self.shared_texts:,} by text{example}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "same_file": self.same_file,
            "examples": self.examples,
            "shared": self.shared,
            "shared_ids": self.shared_ids,
            "shared_texts": self.shared_texts,
            "checked_contents": self.checked_contents,
            "refused": self.refused,
        }


def find_overlap(
    model_dir: Path,
    meta: ModelMeta,
    data_path: str,
    ids: Sequence[str],
    texts: Sequence[str],
) -> Overlap:
    """Labelled comments (``ids``, ``texts`` of the file ``data_path``) against what the
    model in ``model_dir`` (``meta``: its :class:`ModelMeta`) was trained on."""
    found = Overlap(meta.model_id, str(data_path), len(texts))
    digest = sha256_file(data_path) if Path(data_path).is_file() else None
    found.same_file = [
        str(item.get("file"))
        for item in meta.training_files
        if digest is not None and item.get("sha256") == digest
    ]
    known = TrainingFingerprints.load(model_dir, meta.training_data.get("fingerprints"))
    if known is None:
        found.checked_contents = False
        return found
    by_id = np.isin(
        np.fromiter((_hash(id_key(i)) for i in ids), dtype=np.uint64, count=len(ids)), known.ids
    )
    by_text = np.isin(
        np.fromiter((_hash(text_key(t)) for t in texts), dtype=np.uint64, count=len(texts)),
        known.texts,
    )
    either = by_id | by_text
    found.shared_ids, found.shared_texts = int(by_id.sum()), int(by_text.sum())
    found.shared = int(either.sum())
    found.sample = [str(ids[i]) for i in np.flatnonzero(either)[:3]]
    return found
