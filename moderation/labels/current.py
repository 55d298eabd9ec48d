"""Each comment's current answer, as the store keeps it beside the history.

A comment's current answer has a ``state``: ``labelled`` (moderators gave it, and agree),
``weak`` (only the platform decided), ``disagreement`` (moderators gave different labels) or
``skipped``; and the settled ``label`` (None for a disagreement or a skip). Every comment's is
read at once as two strings (``CurrentAnswers``): the ids, and one character per answer
(``schema.LABEL_CODES``), which is how a store of millions of labels is read in well under a
second.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from moderation.labels.record import LabelRecord
from moderation.labels.schema import LABEL_CODES, STATE_CODES

STATES = ("labelled", "weak", "disagreement", "skipped")


@dataclass(frozen=True)
class Current:
    """A comment's current answer: ``state`` (``labelled``, ``weak``, ``disagreement`` or
    ``skipped``), the settled ``label`` (None for a disagreement or a skip) and the answer
    that decides it."""

    state: str
    label: str | None
    record: LabelRecord


SEPARATOR = "\x1f"  # the unit separator, between comment ids
CURRENT_COLUMNS = "SELECT group_concat(comment_id, char(31)), group_concat(code, '') FROM current"
_DECODED = {
    **{code: ("labelled", label) for label, code in LABEL_CODES.items()},
    **{code.upper(): ("weak", label) for label, code in LABEL_CODES.items()},
    **{code: (state, None) for state, code in STATE_CODES.items()},
}


class CurrentAnswers(Mapping[str, tuple[str, "str | None"]]):
    """Comment id -> ``(state, label)`` for every answered comment, kept as the store gives
    them: the ids in a list and their answers as one character each (``schema.LABEL_CODES``);
    the index by id is built the first time one is looked up."""

    def __init__(self, ids: list[str], codes: str):
        self.ids, self.codes = ids, codes
        self._index: dict[str, int] | None = None

    def _position(self, comment_id: str) -> int | None:
        if self._index is None:
            self._index = {cid: n for n, cid in enumerate(self.ids)}
        return self._index.get(comment_id)

    def __getitem__(self, comment_id: str) -> tuple[str, str | None]:
        position = self._position(comment_id)
        if position is None:
            raise KeyError(comment_id)
        return _DECODED[self.codes[position]]

    def __contains__(self, comment_id: object) -> bool:
        return isinstance(comment_id, str) and self._position(comment_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def items(self) -> Iterator[tuple[str, tuple[str, str | None]]]:  # type: ignore[override]
        return ((cid, _DECODED[code]) for cid, code in zip(self.ids, self.codes))

    def label(self, comment_id: str) -> str | None:
        """The comment's settled label (None: unanswered, skipped or disagreed on)."""
        return self.get(comment_id, ("", None))[1]

    def with_state(self, *states: str) -> set[str]:
        """The comments whose current answer is in one of ``states``."""
        wanted = {code for code, (state, _) in _DECODED.items() if state in states}
        return {cid for cid, code in zip(self.ids, self.codes) if code in wanted}
