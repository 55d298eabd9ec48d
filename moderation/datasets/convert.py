"""Converters from each dataset's own files to labelled canonical examples.

Each converter yields every row it understands as a dict with ``id``, ``thread_id``, ``text``,
``label`` (one of ``civil``/``abusive``/``conspiracy``, or None where the dataset's label does
not map onto ours), ``source``, ``source_label`` (the dataset's own label, for in-domain
benchmarks) and ``split`` (the dataset's official split where it has one). The mapping choices
are documented in ``data/README.md``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from moderation.comments import to_json_line
from moderation.datasets.catalogue import dataset
from moderation.datasets.other_languages import LANGUAGE_CONVERTERS
from moderation.datasets.rows import csv_rows as _csv_rows
from moderation.datasets.rows import dataset_example as _example
from moderation.errors import InputError
from moderation.files import atomic_output, check_outputs, sha256_file

Example = dict[str, Any]


def _davidson(root: Path) -> Iterator[Example]:
    names = {"0": "hate", "1": "offensive", "2": "neither"}
    for row in _csv_rows(root / "davidson/labeled_data.csv"):
        source_label = names[row["class"]]
        label = "civil" if source_label == "neither" else "abusive"
        yield _example("davidson", row[""], row["tweet"], label, source_label)


def _olid(root: Path) -> Iterator[Example]:
    for row in _csv_rows(root / "olid/olid-training-v1.0.tsv", delimiter="\t"):
        a, b = row["subtask_a"], row["subtask_b"]
        # untargeted offence (profanity, swearing) is not abuse by our definition: left out
        label = "civil" if a == "NOT" else ("abusive" if b == "TIN" else None)
        yield _example("olid", row["id"], row["tweet"], label, a, split="train")
    with open(root / "olid/labels-levela.csv", newline="", encoding="utf-8") as handle:
        gold = {row[0]: row[1] for row in csv.reader(handle) if row}
    for row in _csv_rows(root / "olid/testset-levela.tsv", delimiter="\t"):
        a = gold[row["id"]]
        # the test set has no targeted/untargeted labels, so its OFF rows cannot be mapped
        yield _example(
            "olid", row["id"], row["tweet"], "civil" if a == "NOT" else None, a, split="test"
        )


def _olid_test(root: Path) -> Iterator[Example]:
    """OLID's test split with both its labels mapped: OFF -> abusive, NOT -> civil."""
    for row in _olid(root):
        if row["split"] == "test":
            label = "abusive" if row["source_label"] == "OFF" else "civil"
            yield {
                **row,
                "id": row["id"].replace("olid:", "olid_test:"),
                "source": "olid_test",
                "label": label,
                "thread_id": row["thread_id"].replace("olid:", "olid_test:"),
            }


def _quoted_lines_removed(text: str) -> str:
    """Reddit quotes ("> ...") are someone else's words: the label is about the rest."""
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def _ruddit(root: Path) -> Iterator[Example]:
    for row in _csv_rows(root / "ruddit/ruddit_with_text.csv"):
        text = _quoted_lines_removed(row["txt"])
        if text in ("", "[deleted]", "[removed]"):
            continue
        score = float(row["offensiveness_score"])
        label = "abusive" if score >= 0.5 else ("civil" if score < 0.25 else None)
        yield _example(
            "ruddit", row["comment_id"], text, label, f"{score:+.3f}", thread=row["post_id"]
        )


def _psycomark(root: Path) -> Iterator[Example]:
    votes: dict[str, Counter[str]] = {}
    texts: dict[str, str] = {}
    with open(root / "psycomark/train_rehydrated.jsonl", "rb") as handle:
        for line in handle:
            if line.strip():
                record = orjson.loads(line)
                votes.setdefault(record["_id"], Counter())[record["conspiracy"]] += 1
                texts.setdefault(record["_id"], record["text"])
    mapping = {"Yes": "conspiracy", "No": "civil"}
    for row_id, counter in votes.items():
        (source_label, count), *rest = counter.most_common()
        if rest and rest[0][1] == count:  # annotators split evenly: no label
            source_label = "tie"
        yield _example("psycomark", row_id, texts[row_id], mapping.get(source_label), source_label)


def _stormfront(root: Path) -> Iterator[Example]:
    for row in _csv_rows(root / "probes/stormfront/stormfront_sentences.tsv", delimiter="\t"):
        label = {"hate": "abusive", "noHate": "civil"}.get(row["label"])
        yield _example(
            "stormfront",
            row["file_id"],
            row["text"],
            label,
            row["label"],
            thread=row["file_id"].rsplit("_", 1)[0],
        )


def _convabuse(root: Path) -> Iterator[Example]:
    for split in ("train", "valid", "test"):
        for row in _csv_rows(root / f"probes/convabuse/ConvAbuseEMNLP{split}.csv"):
            ratings = [
                int(column.rsplit(".", 1)[1])
                for column, value in row.items()
                if "_is_abuse." in column and value == "1"
            ]
            abusive = sum(r < 0 for r in ratings)
            not_abusive = sum(r == 1 for r in ratings)
            label = (
                "abusive" if abusive > not_abusive else ("civil" if not_abusive > abusive else None)
            )
            yield _example(
                "convabuse",
                row["example_id"],
                row["user"],
                label,
                f"{abusive}/{len(ratings)}",
                thread=row["conv_id"],
                split=split,
            )


def _mediaeval(root: Path) -> Iterator[Example]:
    path = root / "probes/mediaeval_conspiracy/conspiracy_tweets_text_only.tsv"
    for row in _csv_rows(path, delimiter="\t"):
        yield _example(
            "mediaeval_conspiracy", row["tweet_id"], row["text"], "conspiracy", row["label"]
        )


def _covid(root: Path) -> Iterator[Example]:
    seen: set[str] = set()
    path = root / "probes/covid_vaccine_comments/comments.csv"
    for number, row in enumerate(_csv_rows(path, encoding="cp1252"), start=2):
        text = row["comments"].strip()
        if not text or text in seen:  # the file repeats comments
            continue
        seen.add(text)
        yield _example(
            "covid_vaccine_comments",
            str(number),
            text,
            "conspiracy" if row["label"] == "1" else "civil",
            row["label"],
        )


def _toxigen(root: Path) -> Iterator[Example]:
    """A line of a prompt file packs many statements, separated by a literal ``\\n-``; a
    statement repeated within or across files is kept once (the first file's label)."""
    seen: set[str] = set()
    for item in dataset("toxigen_prompts").files:
        stem = Path(item.name).stem  # e.g. hate_asian_1k
        kind, _, group = stem.removesuffix("_1k").partition("_")
        text = (root / item.name).read_text(encoding="utf-8")
        for number, piece in enumerate(text.replace("\\n-", "\n").split("\n")):
            statement = piece.strip().lstrip("-").strip()
            key = " ".join(statement.lower().split())
            if len(key) < 3 or key in seen:
                continue
            seen.add(key)
            label = "abusive" if kind == "hate" else "civil"
            yield _example(
                "toxigen_prompts",
                f"{stem}:{number}",
                statement,
                label,
                stem,
                thread=f"{group}:{number}",
            )


def _hatemoji(root: Path) -> Iterator[Example]:
    """A sentence and its matched perturbation share a thread, so they stay in one fold."""
    for split in ("train", "validation", "test"):
        for row in _csv_rows(root / f"hatemoji_build/{split}.csv"):
            first, second = row["entry_id"], row["matched_id"] or row["entry_id"]
            pair = min(first, second, key=lambda v: (len(v), v))
            label = "abusive" if row["label_gold"] == "1" else "civil"
            yield _example(
                "hatemoji_build",
                first,
                row["text"],
                label,
                row["label_gold"],
                thread=f"pair:{pair}",
                split=split,
            )


def _fox_news(root: Path) -> Iterator[Example]:
    with open(root / "fox_news/fox-news-comments.json", "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = orjson.loads(line)
            label = "abusive" if int(row["label"]) == 1 else "civil"
            yield _example(
                "fox_news",
                str(number),
                row["text"],
                label,
                str(row["label"]),
                thread=row.get("title") or str(number),
            )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _toxic_spans(root: Path) -> Iterator[Example]:
    """Every comment is toxic (abusive). The sentences of a comment that hold none of its
    toxic characters are yielded too, as civil news-comment text with ``source_label``
    ``span-free sentence``, so the source's style need not mean abuse (a recipe chooses)."""
    for split in ("train", "trial", "test"):
        for number, row in enumerate(_csv_rows(root / f"toxic_spans/tsd_{split}.csv"), 2):
            text, toxic = row["text"], set(orjson.loads(row["spans"] or "[]"))
            thread = f"{split}:{number}"
            yield _example(
                "toxic_spans", thread, text, "abusive", "toxic", thread=thread, split=split
            )
            if not toxic:
                continue
            start = 0
            for part, sentence in enumerate(_SENTENCE_END.split(text)):
                begin = text.find(sentence, start)
                start = begin + len(sentence)
                clean = not toxic.intersection(range(begin, start))
                if clean and len(sentence.split()) >= 6:
                    yield _example(
                        "toxic_spans",
                        f"{thread}.{part}",
                        sentence,
                        "civil",
                        "span-free sentence",
                        thread=thread,
                        split=split,
                    )


# PAN 2024's texts are spaCy tokens joined by spaces: links ("https :// t . me / name"), the
# space before punctuation and inside contractions ("do n't") are put back as written, so
# the source's tokenisation does not become a feature of conspiracy
_SPACED_LINK = re.compile(r"\bhttps? :// \S+(?: [./?=&_#%~+-]+ ?\S*)*")
_SPACE_BEFORE = re.compile(r" ([.,!?;:%)\]}”’]|n['’]t\b|['’](?:s|re|ve|ll|d|m)\b)")
_SPACE_AFTER = re.compile(r"([(\[{“‘#]) ")


def detokenised(text: str) -> str:
    """Pre-tokenised text (``word , word``, ``do n't``, spaced links) as it was written;
    links are joined back into one piece, which normalisation then drops like any link."""
    text = _SPACED_LINK.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))


def _pan2024(root: Path) -> Iterator[Example]:
    """Line i of the text file is labelled by line i of the labels file: 1 conspiracy, 0
    critical (anti-mainstream criticism that claims no plot: civil by our definitions)."""
    folder = root / "pan2024_oppositional_en"
    texts = (folder / "en_all_text.txt").read_text(encoding="utf-8").split("\n")
    labels = (folder / "en_all_labels.txt").read_text(encoding="utf-8").split()
    for number, (text, value) in enumerate(zip(texts, labels), start=1):
        label = {"1": "conspiracy", "0": "civil"}[value]
        source_label = "conspiracy" if value == "1" else "critical"
        yield _example(
            "pan2024_oppositional_en", str(number), detokenised(text), label, source_label
        )


CONVERTERS: dict[str, Callable[[Path], Iterator[Example]]] = {
    "davidson": _davidson,
    "olid": _olid,
    "olid_test": _olid_test,
    "ruddit": _ruddit,
    "psycomark": _psycomark,
    "toxigen_prompts": _toxigen,
    "hatemoji_build": _hatemoji,
    "fox_news": _fox_news,
    "toxic_spans": _toxic_spans,
    "pan2024_oppositional_en": _pan2024,
    "stormfront": _stormfront,
    "convabuse": _convabuse,
    "mediaeval_conspiracy": _mediaeval,
    "covid_vaccine_comments": _covid,
    **LANGUAGE_CONVERTERS,
}


def check_local_copy(name: str, root: Path) -> None:
    """Refuse a local copy that is missing a file or whose bytes differ from the pinned ones."""
    for item in dataset(name).files:
        path = root / item.name
        if not path.is_file():
            how = (
                "it is derived from upstream files and cannot be downloaded"
                if item.derived
                else f"run `moderation datasets fetch {name}`"
            )
            raise InputError(path, f"not found (dataset {name})", hint=how)
        if path.stat().st_size != item.size or sha256_file(path) != item.sha256:
            raise InputError(
                path,
                f"differs from the pinned {name} file (SHA-256 mismatch)",
                hint=f"fetch it again with `moderation datasets fetch {name}`",
            )


def examples(
    name: str, root: str | Path, *, labelled_only: bool = False, verify: bool = True
) -> Iterator[Example]:
    """The examples of dataset ``name`` from a local copy under ``root`` (the layout of
    ``../shared/datasets``)."""
    root = Path(root)
    converter = CONVERTERS[dataset(name).name]
    if verify:
        check_local_copy(name, root)
    for example in converter(root):
        text = example["text"].strip()
        if not text or (labelled_only and example["label"] is None):
            continue
        example["text"] = text
        yield example


def prepare_datasets(
    names: list[str],
    output: Path | None,
    root: Path | Callable[[str], Path],
    all_rows: bool = False,
    split: str | None = None,
) -> dict[str, Counter[str]]:
    """``moderation datasets prepare``: convert local copies to canonical labelled JSONL at
    ``output`` (stdout when None); returns the counts per dataset and label. ``root`` is the
    folder, or gives each dataset's folder by name; ``split`` keeps only rows of that split
    (``train``, ``test``, ``heldout``)."""
    chosen = [dataset(name).name for name in names]
    check_outputs({"-o": output})
    counts: dict[str, Counter[str]] = {}
    with atomic_output(output) as out:
        for name in chosen:
            tally = counts.setdefault(name, Counter())
            folder = root(name) if callable(root) else root
            for example in examples(name, folder, labelled_only=not all_rows):
                if split is not None and example.get("split") != split:
                    continue
                tally[example["label"] or "unlabelled"] += 1
                out.write(to_json_line(example) + "\n")
    return counts
