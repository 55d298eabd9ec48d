"""What the public datasets (and the people who relabelled some of their rows) say about each
Perspective attribute: the training and held-out data of the attribute heads
(``moderation.model.heads``).

A row gets a *mark* (0 or 1) for an attribute only where its source says so; every other
attribute is unknown for it and the row is not used for that head. Three kinds of marks:

- ``dataset``: the dataset's own labels, read by the rules of ``source_marks`` (OLID's targeted
  individual / group / untargeted levels, Davidson's hate vs offensive, Ruddit's offensiveness,
  HatemojiBuild's and ToxiGen's hateful statements about groups; civil rows of every source are
  no insult, attack, threat or severe abuse);
- ``relabel``: annotators who followed this project's guidelines marked, for rows of those
  datasets, the label, whom abuse targets (person / identity / other / none), threat and
  profanity (``data/relabelling/relabels.jsonl``, read by ``moderation.datasets.relabel``);
  where they marked a row, their marks replace the dataset's, and where two annotators
  disagree the attribute is unknown;
- ``written``: cases written for this project (``data/examples/attributes.jsonl``: invented
  threats and the near misses a threat head must not catch).
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from moderation.datasets.relabel import Relabel, read_relabels, text_sha256
from moderation.errors import InputError

# the attributes the heads answer, each defined for annotators and moderators alike
ATTRIBUTES = {
    "INSULT": "abuse aimed at a person (the one addressed, or a named or described person)",
    "IDENTITY_ATTACK": "abuse aimed at a group for who they are (race, religion, gender, "
    "sexuality, disability, nationality, migrants), or at a person for belonging to one",
    "THREAT": "the writer threatens, wishes or calls for violence or serious harm to a "
    "person or group",
    "PROFANITY": "swear words, curses or obscene language, aimed at anyone or no one",
    "SEVERE_TOXICITY": "the gravest abuse: threats, dehumanisation and hate, and the most "
    "offensive comments; not mere swearing or rudeness",
}
ENV_RELABEL = "MODERATION_RELABEL"
CHECKOUT = Path(__file__).resolve().parents[2]
WRITTEN = CHECKOUT / "data" / "examples" / "attributes.jsonl"
NONE = {"INSULT": 0, "IDENTITY_ATTACK": 0, "THREAT": 0, "SEVERE_TOXICITY": 0}


@dataclass
class AttributeExample:
    """One text and what is known of its attributes (``marks``: attribute -> 0/1; an
    attribute not in it is unknown). ``group`` keeps a thread on one side of a split;
    ``origin`` says where each mark came from (``dataset``, ``relabel``, ``written``)."""

    id: str
    text: str
    marks: dict[str, int]
    source: str = "examples"
    group: str = ""
    origin: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "id": self.id,
                "text": self.text,
                "marks": self.marks,
                "source": self.source,
                "thread_id": self.group or self.id,
            }
        ).decode()

    @classmethod
    def from_json(cls, line: str, *, path: str | Path, number: int) -> AttributeExample:
        """One line of an attribute examples file: ``{"id", "text", "marks": {ATTRIBUTE: 0 or
        1}}``, with an optional ``thread_id`` and ``source``."""
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise InputError(path, f"invalid JSON ({err.msg})", line=number) from None
        if not isinstance(record, dict):
            raise InputError(path, "each line must be a JSON object", line=number)
        text, marks = record.get("text"), record.get("marks")
        if not isinstance(text, str) or not text.strip():
            raise InputError(path, "a non-empty text is required", line=number)
        if not isinstance(marks, dict) or not marks:
            raise InputError(path, 'marks must be an object such as {"THREAT": 1}', line=number)
        for name, value in marks.items():
            if name not in ATTRIBUTES:
                raise InputError(
                    path,
                    f"unknown attribute {name!r} in marks",
                    line=number,
                    hint=f"known: {', '.join(ATTRIBUTES)}",
                )
            if value not in (0, 1) or isinstance(value, bool):
                raise InputError(path, f"the mark of {name} must be 0 or 1", line=number)
        example_id = str(record.get("id") or f"line-{number}")
        source = str(record.get("source") or "written")
        return cls(
            id=example_id,
            text=text,
            marks=dict(marks),
            source=source,
            group=str(record.get("thread_id") or example_id),
            origin={name: "written" for name in marks},
        )


def read_attribute_examples(path: str | Path) -> list[AttributeExample]:
    """Every example of an attribute examples file (JSONL)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(path, "not found") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    return [
        AttributeExample.from_json(line, path=path, number=number)
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]


# --- the datasets' own labels -----------------------------------------------------------------


def source_marks(row: dict[str, Any], olid_levels: dict[str, tuple[str, str]]) -> dict[str, int]:
    """The marks a converted dataset row (``moderation.datasets.convert``) carries by its
    source's own labels; ``olid_levels`` maps an OLID id to its (subtask_b, subtask_c)."""
    source, own, label = row["source"], row["source_label"], row["label"]
    if source == "olid":
        return _olid_marks(own, olid_levels.get(row["id"].split(":", 1)[1], ("", "")))
    if source == "davidson":
        return {
            "hate": {"IDENTITY_ATTACK": 1, "SEVERE_TOXICITY": 1},
            "offensive": {"IDENTITY_ATTACK": 0, "SEVERE_TOXICITY": 0, "PROFANITY": 1},
            "neither": dict(NONE),
        }[own]
    if source == "ruddit":
        score = float(own)
        if score >= 0.6:
            return {"SEVERE_TOXICITY": 1}
        return dict(NONE) if score < 0.25 else {"SEVERE_TOXICITY": 0}
    if source in ("hatemoji_build", "toxigen_prompts"):
        hateful = own == "1" if source == "hatemoji_build" else own.startswith("hate_")
        if hateful:
            return {"IDENTITY_ATTACK": 1, "INSULT": 0}
        return {**NONE, "PROFANITY": 0} if source == "toxigen_prompts" else dict(NONE)
    if label in ("civil", "conspiracy") and source in (
        "fox_news",
        "toxic_spans",
        "psycomark",
        "written",
    ):
        return dict(NONE)
    return {}


def _olid_marks(subtask_a: str, levels: tuple[str, str]) -> dict[str, int]:
    targeted, target = levels
    if subtask_a == "NOT":  # OLID: no offence and no profanity
        return {**NONE, "PROFANITY": 0}
    if targeted == "UNT":  # untargeted offence: swearing at no one
        return {"INSULT": 0, "IDENTITY_ATTACK": 0, "SEVERE_TOXICITY": 0}
    return {
        "IND": {"INSULT": 1, "IDENTITY_ATTACK": 0},
        "GRP": {"INSULT": 0, "IDENTITY_ATTACK": 1},
        "OTH": {"INSULT": 0, "IDENTITY_ATTACK": 0},
    }.get(target, {})


def olid_levels(root: Path) -> dict[str, tuple[str, str]]:
    """OLID's training ids -> (subtask_b, subtask_c): targeted or not, and at whom."""
    path = root / "olid" / "olid-training-v1.0.tsv"
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return {
            row["id"]: (row["subtask_b"], row["subtask_c"])
            for row in csv.DictReader(handle, delimiter="\t")
        }


# --- the relabelled rows ---------------------------------------------------------------------


def answer_marks(answer: Relabel) -> dict[str, int] | None:
    """What one annotator's answer says of each attribute (None: the text could not be
    judged)."""
    if answer.label == "unclear":
        return None
    abusive = answer.label == "abusive"
    marks = {"THREAT": int(answer.threat), "PROFANITY": int(answer.profanity)}
    if not abusive:
        marks.update(INSULT=0, IDENTITY_ATTACK=0, SEVERE_TOXICITY=0)
    elif answer.target == "person":
        marks.update(INSULT=1, IDENTITY_ATTACK=0)
    elif answer.target == "identity":
        marks.update(INSULT=0, IDENTITY_ATTACK=1)
    elif answer.target == "other":  # a party, the police, a team's fans: no identity
        marks.update(IDENTITY_ATTACK=0)
    if answer.threat:
        marks["SEVERE_TOXICITY"] = 1
    return marks


def settled_marks(answers: list[Relabel]) -> dict[str, int | None] | None:
    """What all the answers of a row say of each attribute they speak to: the agreed mark, or
    None where they disagree (the attribute becomes unknown). A row any annotator could not
    judge is left out (None)."""
    each = [answer_marks(a) for a in answers]
    if not each or any(m is None for m in each):
        return None
    settled: dict[str, int | None] = {}
    for name in ATTRIBUTES:
        values = [m[name] for m in each if m is not None and name in m]
        if values:
            agreed = len(values) == len(each) and len(set(values)) == 1
            settled[name] = values[0] if agreed else None
    return settled


def relabel_location() -> Path | None:
    """Where the relabelled rows are: ``$MODERATION_RELABEL``, else the relabelling the
    recipes apply (``data/relabelling/relabels.jsonl``); None when there is none."""
    from moderation.datasets.recipes import relabels_path

    if os.environ.get(ENV_RELABEL):
        return Path(os.environ[ENV_RELABEL])
    path = relabels_path()
    return path if path.is_file() else None


def answers_by_row(relabels: Iterable[Relabel]) -> dict[str, list[Relabel]]:
    """The annotators' answers (``moderation.datasets.relabel``), grouped by dataset row."""
    found: dict[str, list[Relabel]] = defaultdict(list)
    for relabel in relabels:
        found[relabel.id].append(relabel)
    return dict(found)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shown(path: str | Path) -> str:
    """A file as a model's meta.json names it: relative to the checkout when inside it (no
    machine's folders in a shipped model)."""
    path = Path(path)
    return str(path.relative_to(CHECKOUT)) if path.is_relative_to(CHECKOUT) else str(path)


# --- putting them together --------------------------------------------------------------------


def merge_marks(
    rows: Iterable[dict[str, Any]],
    olid: dict[str, tuple[str, str]],
    relabels: dict[str, list[Relabel]] | None,
    counts: Counter[str],
) -> Iterator[AttributeExample]:
    """Attribute examples from converted dataset rows: the dataset's marks, replaced by the
    relabelled ones where annotators marked the row (and its text is the one they saw)."""
    for row in rows:
        marks = source_marks(row, olid)
        origin = dict.fromkeys(marks, "dataset")
        answers = relabels.get(row["id"]) if relabels else None
        if answers:
            if answers[0].text_sha256 != text_sha256(row["text"]):
                counts["relabel: text differs"] += 1
            else:
                settled = settled_marks(answers)
                if settled is None:
                    counts["relabel: unclear, left out"] += 1
                    continue
                counts["relabelled rows"] += 1
                for name, value in settled.items():
                    if value is None:  # the annotators disagree: unknown
                        marks.pop(name, None)
                        origin.pop(name, None)
                    else:
                        marks[name], origin[name] = value, "relabel"
        if marks:
            yield AttributeExample(
                id=row["id"],
                text=row["text"],
                marks=marks,
                source=row["source"],
                group=row.get("thread_id") or row["id"],
                origin=origin,
            )


# the datasets whose labels say something about an attribute (OLID's test split stays out, as
# in every recipe: it is the olid_test probe)
HEAD_SOURCES = (
    "olid",
    "davidson",
    "ruddit",
    "hatemoji_build",
    "toxigen_prompts",
    "fox_news",
    "toxic_spans",
    "psycomark",
)


@dataclass
class AttributeData:
    """The attribute examples of a training run and where they came from."""

    examples: list[AttributeExample]
    files: list[dict[str, Any]]
    counts: Counter[str]

    def marks_by_origin(self) -> dict[str, dict[str, int]]:
        """Per attribute, how many marks came from each origin."""
        table: dict[str, Counter[str]] = {name: Counter() for name in ATTRIBUTES}
        for example in self.examples:
            for name in example.marks:
                table[name][example.origin.get(name, "dataset")] += 1
        return {name: dict(sorted(c.items())) for name, c in table.items()}


def attribute_data(
    datasets_dir: Path | None,
    *,
    relabel: Path | None = None,
    rounds: Iterable[int] | None = None,
    written: Path | None = WRITTEN,
    extra: Iterable[Path] = (),
    sources: Iterable[str] = HEAD_SOURCES,
) -> AttributeData:
    """Every attribute example: the public datasets under ``datasets_dir`` (None: none) with
    the relabelled rows at ``relabel`` (``relabel_location()`` finds them; only ``rounds`` of
    them, when given), the written cases and the ``extra`` attribute example files."""
    from moderation.datasets.convert import CONVERTERS
    from moderation.datasets.convert import examples as dataset_rows
    from moderation.datasets.recipes import written_examples_path

    counts: Counter[str] = Counter()
    files: list[dict[str, Any]] = []
    found: list[AttributeExample] = []
    relabels = None
    if relabel is not None:
        wanted = None if rounds is None else tuple(rounds)
        relabels = answers_by_row(read_relabels(relabel, wanted))
        entry = {"file": _shown(relabel), "sha256": _sha256(relabel), "dataset": "relabel"}
        files.append({**entry, "rounds": list(wanted)} if wanted is not None else entry)
    if datasets_dir is not None:
        olid = olid_levels(datasets_dir)
        chosen = list(sources)
        relabelled_sources = {row_id.split(":", 1)[0] for row_id in relabels or {}}
        chosen += sorted(s for s in relabelled_sources - set(chosen) if s in CONVERTERS)
        for source in chosen:
            rows = (
                r
                for r in dataset_rows(source, datasets_dir)
                if r.get("split") != "test" or source != "olid"
            )
            if source not in sources:  # only the rows annotators marked
                rows = (r for r in rows if relabels is not None and r["id"] in relabels)
            before = len(found)
            found.extend(merge_marks(rows, olid, relabels, counts))
            files.append({"dataset": source, "examples": len(found) - before})
        written_path = written_examples_path()
        civil = [
            {
                "id": f"written:{e.id}",
                "text": e.text,
                "label": e.label,
                "thread_id": e.thread_id,
                "source": "written",
                "source_label": e.label,
            }
            for e in _written_examples(written_path)
        ]
        found.extend(merge_marks(civil, olid, None, counts))
    for path in [*([written] if written is not None and written.is_file() else []), *extra]:
        read = read_attribute_examples(path)
        found.extend(read)
        files.append({"file": _shown(path), "sha256": _sha256(Path(path)), "examples": len(read)})
    return AttributeData(found, files, counts)


def _written_examples(path: Path) -> list[Any]:
    from moderation.labels.examples import read_labelled

    return read_labelled(path, kind="examples", default_source="written").examples
