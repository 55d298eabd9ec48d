"""Converters for the datasets in other languages (``../shared/datasets-ml``), each from its
own files to labelled examples, and the part of each training file set aside before any model
was built (``split == "heldout"``).

Mappings (``data/README.md``, "Other languages"):

- GermEval 2018 (de): ``OTHER`` -> civil; ``ABUSE``, ``INSULT`` -> abusive; ``PROFANITY`` is
  left out (profane words that insult nobody are not abuse, as OLID's untargeted offence).
- ToLD-Br (pt): civil when no annotator flagged anything; abusive when at least two of the
  three flagged a targeted kind (insult, homophobia, racism, misogyny, xenophobia); rows with
  only obscenity or only single votes are left out.
- MLMA (fr): ``sentiment == "normal"`` -> civil, anything else -> abusive (the authors' rule).
- PAN 2024 (es): ``1`` (conspiracy narrative) -> conspiracy; ``0`` (critical thinking:
  opposing the mainstream without a secret plot) -> civil, which here means "not conspiracy":
  the set has no abuse labels, so a model trained on it says nothing about abuse.

Held out: a fifth of each training file, chosen by a hash of the text (so duplicate texts stay
together, and the choice needs no seed), is ``split == "heldout"``. Recipes never train on it
(``moderation.datasets.recipes.HELD_OUT_SPLITS``); it measures the shipped models through the
command line, and the learning curve. The sets' official test splits are not freely available
here, so they are not registered: every figure for these languages is on the held-out fifth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from moderation.datasets.rows import Example, csv_rows, dataset_example

HELDOUT_SHARE = 0.2
# 1-based lines of PAN's Spanish training text that repeat a text of its official test split
# (listed in the local copy's overlap_with_pan_test.txt): left out
_PAN_ES_IN_TEST = frozenset({941, 1085})
_TOLDBR_TARGETED = ("insult", "homophobia", "racism", "misogyny", "xenophobia")
_TOLDBR_KINDS = (*_TOLDBR_TARGETED, "obscene")


def training_split(text: str) -> str:
    """``heldout`` for a fifth of texts, ``train`` for the rest; the same text always gets the
    same answer."""
    key = " ".join(text.lower().split()).encode("utf-8")
    value = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
    return "heldout" if value / 2**64 < HELDOUT_SHARE else "train"


def _germeval(root: Path) -> Iterator[Example]:
    path = root / "de_germeval2018/germeval2018.training.txt"
    mapping = {"OTHER": "civil", "ABUSE": "abusive", "INSULT": "abusive"}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or not parts[0].strip():
                continue
            text = parts[0].replace("|LBR|", "\n")
            fine = parts[2].strip()
            yield dataset_example(
                "germeval2018",
                str(number),
                text,
                mapping.get(fine),
                fine,
                split=training_split(text),
            )


def _votes(row: dict[str, Any]) -> dict[str, int]:
    return {kind: int(float(row.get(kind) or 0)) for kind in _TOLDBR_KINDS}


def _toldbr(root: Path) -> Iterator[Example]:
    for number, row in enumerate(csv_rows(root / "pt_toldbr/ToLD-BR_train.csv"), start=2):
        votes = _votes(row)
        if not any(votes.values()):
            label = "civil"
        elif any(votes[kind] >= 2 for kind in _TOLDBR_TARGETED):
            label = "abusive"
        else:
            label = None
        shown = ",".join(f"{kind}:{n}" for kind, n in votes.items() if n) or "none"
        text = row["text"]
        yield dataset_example("toldbr", str(number), text, label, shown, split=training_split(text))


def _mlma(root: Path) -> Iterator[Example]:
    for row in csv_rows(root / "fr_mlma/fr_dataset_train.csv"):
        sentiment = row["sentiment"].strip()
        text = row["tweet"]
        yield dataset_example(
            "mlma_fr",
            row["HITId"],
            text,
            "civil" if sentiment == "normal" else "abusive",
            sentiment,
            split=training_split(text),
        )


def _pan_es(root: Path) -> Iterator[Example]:
    folder = root / "es_pan2024_oppositional"
    texts = (folder / "es_all_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / "es_all_labels.txt").read_text(encoding="utf-8").split()
    mapping = {"1": "conspiracy", "0": "civil"}
    names = {"1": "conspiracy", "0": "critical"}
    for number, (text, value) in enumerate(zip(texts, labels), start=1):
        if number in _PAN_ES_IN_TEST:
            continue
        yield dataset_example(
            "pan2024_es",
            str(number),
            text,
            mapping.get(value),
            names.get(value, value),
            split=training_split(text),
        )


LANGUAGE_CONVERTERS: dict[str, Callable[[Path], Iterator[Example]]] = {
    "germeval2018": _germeval,
    "toldbr": _toldbr,
    "mlma_fr": _mlma,
    "pan2024_es": _pan_es,
}
