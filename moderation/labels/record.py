"""One row of a label store's history, and the JSON line it is exchanged as.

A :class:`LabelRecord` is what a moderator (or the platform) said about one comment at one
moment:

- ``action="label"``: the comment is ``label`` (one of :data:`LABELS`);
- ``action="skip"``: passed over for now (it comes back at the end of the queue);
- ``action="undo"``: the answer numbered ``supersedes`` is withdrawn.

A label with ``supersedes`` set is a *correction*: it replaces the answer of that number (the
label it replaces is ``corrects``). ``role`` says who answered: a ``moderator`` (a person, whose
answer always wins) or the ``platform`` (its approve/remove decision, a weak label). ``seq`` is
the record's place in its store's history, given by the store; ``extra`` keeps whatever else a
record carried (the platform's status, Coral's thread, where a merge took it from), so nothing
read is dropped.

As a JSON line (``to_json``/``from_json``: ``moderation labels export``, old JSONL stores,
``labels merge``) the comment's id is ``"id"`` and a platform's record also says
``"weak": true``, as the stores of earlier versions did.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from moderation.comments import LABELS, Comment
from moderation.errors import InputError
from moderation.files import now_iso

ACTIONS = ("label", "skip", "undo")
ROLES = ("moderator", "platform")
MAX_ID = 1000  # characters of a comment id
MAX_NAME = 200  # characters of a labeller's name
UNKNOWN_LABELLER = "unknown"  # who gave a line that names nobody (files written by hand)
# the keys a JSON line may carry that are fields of the record (anything else goes to extra)
_FIELDS = (
    "id",
    "action",
    "label",
    "labeller",
    "role",
    "weak",
    "time",
    "text",
    "thread_id",
    "model",
    "scores",
    "source",
    "supersedes",
    "corrects",
    "seq",
)


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """An answer about one comment (see the module's docstring)."""

    id: str
    action: str = "label"
    label: str | None = None
    labeller: str = ""
    role: str = "moderator"
    time: str = ""
    text: str | None = None
    thread_id: str | None = None
    model: str | None = None
    scores: dict[str, float] | None = None
    source: str | None = None
    supersedes: int | None = None
    corrects: str | None = None
    seq: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def weak(self) -> bool:
        """The platform's decision, not a person's answer (weighed down in training)."""
        return self.role == "platform"

    @property
    def is_label(self) -> bool:
        return self.action == "label"

    @property
    def is_correction(self) -> bool:
        return self.action == "label" and self.supersedes is not None

    def stored_as(self, seq: int, corrects: str | None = None) -> LabelRecord:
        return replace(self, seq=seq, corrects=corrects if corrects else self.corrects)

    def to_json(self) -> dict[str, Any]:
        """The record as one JSON object (the line ``labels export`` writes)."""
        value: dict[str, Any] = {"id": self.id, "action": self.action}
        if self.label is not None or self.action == "label":
            value["label"] = self.label
        value["labeller"] = self.labeller
        value["role"] = self.role
        if self.weak:
            value["weak"] = True
        for name in ("time", "text", "thread_id", "model", "scores", "source"):
            item = getattr(self, name)
            if item is not None and item != "":
                value[name] = item
        for name in ("supersedes", "corrects", "seq"):
            item = getattr(self, name)
            if item is not None:
                value[name] = item
        for key, item in self.extra.items():
            value.setdefault(key, item)
        return value

    @classmethod
    def from_json(
        cls, value: Any, *, path: str | Path | None = None, line: int | None = None
    ) -> LabelRecord:
        """A record from a JSON object (a line of a label file), checked: an error names the
        file and line and says what is wrong."""

        def bad(problem: str, hint: str | None = None) -> InputError:
            return InputError(path, problem, line=line, hint=hint)

        if not isinstance(value, dict) or not isinstance(value.get("id"), (str, int)):
            raise bad('not a label record (needs an "id")')
        if isinstance(value["id"], bool) or not str(value["id"]):
            raise bad('not a label record (needs a non-empty "id")')
        action = value.get("action", "label")
        if action not in ACTIONS:
            raise bad(f"unknown action {action!r}", f"actions are {', '.join(ACTIONS)}")
        label = value.get("label")
        if action == "label" and label not in LABELS:
            problem = "missing label" if label is None else f"unknown label {label!r}"
            raise bad(problem, f"labels are {', '.join(LABELS)}")
        corrects = value.get("corrects")
        if corrects is not None and corrects not in LABELS:
            raise bad(
                f"corrects unknown label {corrects!r}",
                f'"corrects" names the label being replaced: one of {", ".join(LABELS)}',
            )
        text = value.get("text")
        if action == "label" and not isinstance(text, str):
            raise bad('a label record needs the comment\'s "text"')
        role = value.get("role") or ("platform" if value.get("weak") else "moderator")
        if role not in ROLES:
            raise bad(f"unknown role {role!r}", f"roles are {', '.join(ROLES)}")
        scores = value.get("scores")
        if scores is not None and not (
            isinstance(scores, dict)
            and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in scores.values()
            )
        ):
            raise bad('"scores" must map labels to numbers')
        numbers = {}
        for name in ("supersedes", "seq"):
            item = value.get(name)
            if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
                raise bad(f'"{name}" must be a whole number')
            numbers[name] = item
        return cls(
            id=str(value["id"]),
            action=action,
            label=label if action == "label" else None,
            labeller=_text_or_none(value.get("labeller")) or UNKNOWN_LABELLER,
            role=role,
            time=_text_or_none(value.get("time")) or "",
            text=text if isinstance(text, str) else None,
            thread_id=_text_or_none(value.get("thread_id")),
            model=_text_or_none(value.get("model")),
            scores=scores,
            source=_text_or_none(value.get("source")),
            supersedes=numbers["supersedes"],
            corrects=corrects,
            seq=numbers["seq"],
            extra={k: v for k, v in value.items() if k not in _FIELDS},
        )


def _text_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def default_labeller() -> str:
    """Who is answering at this terminal: the user's login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container without passwd entry
        return "unknown"


def answer_record(
    comment: Comment,
    label: str | None,
    *,
    scores: dict[str, float] | None,
    labeller: str,
    model_id: str | None,
) -> LabelRecord:
    """A moderator's answer about a comment the model scored: ``label``, or a skip (None)."""
    return LabelRecord(
        id=comment.id,
        action="label" if label else "skip",
        label=label,
        labeller=labeller,
        role="moderator",
        time=now_iso(),
        text=comment.text,
        thread_id=comment.thread_id or None,
        model=model_id,
        scores=scores,
    )
