"""The review queue several moderators work through at once (the review page's library side).

The export is scored once, at start, and put in review order (``queue.order_queue``): comments
already answered in the store are left out, comments skipped earlier come last. Each moderator
asks for the next comment and gets one nobody else holds: a *lease* on it, renewed while the
page is open, that expires after ``lease_seconds`` (a closed tab gives its comment back). The
leases are kept in the label store (``labels.leases``), so two review processes on one store
(`serve --review` and `moderation review`) never show one comment to two moderators; names
that have answered nothing yet hold a few leases between them at most. An
answer is in the label store (one transaction, on disk) before the next comment is handed out.
If two moderators answer the same comment anyway (a lease ran out), both answers are kept (a
disagreement); one moderator answering it again (a second tab) corrects their first answer.

What other writers add to the store (a terminal, another server) is read in on each request.
The counts live in this object, behind one lock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import NotRequired, TypedDict

from moderation.comments import LABELS
from moderation.labels.current import Current
from moderation.labels.leases import Leases
from moderation.labels.record import LabelRecord, answer_record
from moderation.labels.review.queue import ANSWERED, QueueItem, order_queue
from moderation.labels.store import LabelStore, NothingToUndo, Saved

CHOICES = (*LABELS, "skip")
HISTORY = 10  # answers each moderator can correct from the page
MAX_NAME = 64


class Progress(TypedDict):
    you_today: int  # answers standing, given today by this moderator
    everyone_today: int
    left: int  # comments of the queue not labelled
    total: int
    agreement: float | None  # of the labels with the model's predictions (None: none yet)
    compared: int


class HistoryEntry(TypedDict):
    """One of the moderator's recent answers (the ones they can undo or correct)."""

    id: str
    answer: str  # a label, or "skip"
    time: str
    text: str  # the comment's first 160 characters


class OtherAnswer(TypedDict):
    labeller: str
    label: str


class SavedAnswer(TypedDict):
    """What an answer, undo or correction did."""

    what: str  # saved, corrected, undone or unchanged
    id: str
    answer: str  # the label (or "skip") written, or withdrawn by an undo
    store: str  # the store's file name
    also_answered_by: list[OtherAnswer]  # other moderators' standing labels
    was: NotRequired[str]  # a correction: the answer it replaced


class QueueView(TypedDict):
    """What the page shows a moderator now: the comment leased to them (its id), their
    recent answers, the progress, and what their last request saved."""

    labeller: str
    item: str | None
    lease_seconds: float
    progress: Progress
    history: list[HistoryEntry]
    saved: NotRequired[SavedAnswer]


class ReviewRefusal(Exception):
    """A review request that cannot be done as asked (shown to the moderator as is)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_labeller(name: object) -> str:
    """A moderator's name as recorded with each answer: 1-64 printable characters."""
    if not isinstance(name, str) or not name.strip():
        raise ReviewRefusal(400, "give your name (labeller) so your answers are recorded as yours")
    stripped = name.strip()
    if len(stripped) > MAX_NAME or not stripped.isprintable():
        raise ReviewRefusal(400, f"a name is 1-{MAX_NAME} printable characters")
    return stripped


class SharedQueue:
    """The queue, the leases and each moderator's recent answers over one label store."""

    def __init__(
        self,
        items: list[QueueItem],
        store: LabelStore,
        *,
        model_id: str,
        order: str = "uncertain",
        seed: int = 0,
        lease_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
    ):
        self.store = store
        self.model_id = model_id
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.lock = threading.Lock()
        ordered = order_queue(items, order, seed=seed)
        self.items = {item.comment.id: item for item in ordered}
        self.leases = Leases(store, seconds=lease_seconds, clock=clock)
        self.history: dict[str, deque[LabelRecord]] = {}
        # each id's current answer as last accounted, and the counts kept from them
        self.accounted: dict[str, Current] = {}
        self.by_day: Counter[str] = Counter()  # answers standing, by the day they were given
        self.by_labeller_day: Counter[tuple[str, str]] = Counter()  # (labeller, day)
        self.agreed = 0
        self.compared = 0
        self.labelled_in_queue = 0
        self._seen = 0  # the store's rows accounted so far (its seq)
        self.slot: dict[str, int] = {}
        self.order: list[str] = []
        self._ready = False  # the order is built: undone answers go back into it
        self.head = 0  # everything before it is answered, stale or taken for good
        self._start_from_store()
        fresh = [cid for cid in self.items if cid not in self.accounted]
        skipped = [cid for cid in self.items if self._is_skipped(cid)]
        self.order = fresh + skipped  # answered ones are left out
        self.slot = {cid: i for i, cid in enumerate(self.order)}  # each id's live position
        self._ready = True

    # --- what the store says ------------------------------------------------------------------

    def _is_labelled(self, cid: str) -> bool:
        answer = self.accounted.get(cid)
        return answer is not None and answer.state in ANSWERED

    def _is_skipped(self, cid: str) -> bool:
        answer = self.accounted.get(cid)
        return answer is not None and answer.state == "skipped"

    def _start_from_store(self) -> None:
        """Count every current answer once (one read of the store's index)."""
        self._seen = self.store.last_seq
        for cid, current in self.store.current_all().items():
            self.accounted[cid] = current
            self._count(current, +1)

    def _account_new_records(self) -> None:
        """Bring the counts up to date with the store's new rows (ours and other writers')."""
        touched, self._seen = self.store.changes_since(self._seen)
        for cid in touched:
            self._account(cid)
            if cid in self.items and self._ready and not self._is_labelled(cid):
                self._remember(cid)

    def _account(self, cid: str) -> None:
        old = self.accounted.pop(cid, None)
        if old is not None:
            self._count(old, -1)
        new = self.store.current(cid)
        if new is not None:
            self.accounted[cid] = new
            self._count(new, +1)

    def _count(self, current: Current, sign: int) -> None:
        if current.state not in ANSWERED:
            return
        record = current.record
        day = record.time[:10]
        self.by_day[day] += sign
        self.by_labeller_day[(record.labeller, day)] += sign
        item = self.items.get(record.id)
        if item is not None:
            self.labelled_in_queue += sign
            if item.prediction is not None and current.label is not None:
                self.compared += sign
                self.agreed += sign * (current.label == item.prediction)

    def _remember(self, cid: str) -> None:
        """An id no longer labelled (undone elsewhere) goes back at the end of the queue."""
        if cid not in self.slot or self.slot[cid] < self.head:
            self._requeue(cid)

    def _requeue(self, cid: str) -> None:
        self.slot[cid] = len(self.order)
        self.order.append(cid)

    # --- leases -------------------------------------------------------------------------------

    def _live(self, position: int) -> bool:
        cid = self.order[position]
        return self.slot.get(cid) == position and not self._is_labelled(cid)

    def _next_for(self, labeller: str, *, keep: bool = True) -> str | None:
        """The comment ``labeller`` should see: the one they hold (``keep``), else the first in
        the queue that is not answered and not held by someone else (leased to them now)."""

        def choose(leased: Mapping[str, str]) -> str | None:
            if keep:
                for cid, holder in leased.items():
                    if holder == labeller and cid in self.items and not self._is_labelled(cid):
                        return cid
            while self.head < len(self.order) and not self._live(self.head):
                self.head += 1
            for position in range(self.head, len(self.order)):
                if self._live(position) and self.order[position] not in leased:
                    return self.order[position]
            return None

        return self.leases.hand_out(labeller, choose)

    # --- what the page asks for ---------------------------------------------------------------

    def state(self, labeller: str) -> QueueView:
        """The comment to show ``labeller`` now (leased to them), their history, the progress."""
        with self.lock:
            self._account_new_records()
            return self._view(labeller)

    # ``cid``, ``choice`` and ``label`` are what a request sent (any JSON value), checked here

    def renew(self, labeller: str, cid: object) -> bool:
        """Keep holding ``cid`` while the page is open; False if the lease is gone."""
        if not isinstance(cid, str):
            return False
        return self.leases.renew(labeller, cid)

    def answer(self, labeller: str, cid: object, choice: object) -> QueueView:
        """Record ``choice`` (a label or ``skip``) for ``cid`` by ``labeller`` in the store,
        then hand out their next comment. A skipped comment comes back at the end; a comment
        the moderator answered already (in another tab) gets the new label as a correction."""
        if not isinstance(choice, str) or choice not in CHOICES:
            raise ReviewRefusal(400, f"unknown answer {choice!r}: give one of {', '.join(CHOICES)}")
        with self.lock:
            item = self._item(cid)
            label = None if choice == "skip" else choice
            saved = self.store.answer(self._answer(labeller, item, label))
            others = self._others_answers(labeller, item.comment.id)
            self._account_new_records()
            if saved.written and label is None:
                self._requeue(item.comment.id)
            if saved.written:
                self._remember_answer(labeller, saved.record)
            view = self._view(labeller, keep=False)
            view["saved"] = self._saved(saved, others)
            return view

    def undo(self, labeller: str) -> QueueView:
        """Withdraw ``labeller``'s last answer (an undo in the store) and show that comment
        again."""
        with self.lock:
            self._account_new_records()
            history = self._history(labeller)
            if not history:
                raise ReviewRefusal(409, "nothing to undo: you have not answered anything yet")
            record = history[0]
            self._check_still_standing(labeller, record)
            try:
                saved = self.store.undo(record.id, labeller)
            except NothingToUndo as err:
                raise ReviewRefusal(409, str(err)) from None
            history.popleft()
            self._account_new_records()
            self.leases.take(labeller, record.id)
            view = self._view(labeller)
            view["saved"] = self._saved(saved, [])
            return view

    def correct(self, labeller: str, cid: object, label: object) -> QueueView:
        """Change ``labeller``'s earlier answer for ``cid`` (from their history) to ``label``:
        a correction that names the answer it replaces."""
        if not isinstance(label, str) or label not in LABELS:
            raise ReviewRefusal(400, f"unknown label {label!r}: give one of {', '.join(LABELS)}")
        with self.lock:
            self._account_new_records()
            history = self._history(labeller)
            earlier = next((r for r in history if r.id == cid), None)
            if earlier is None:
                raise ReviewRefusal(
                    404, f"{cid!r} is not among your last {HISTORY} answers: nothing to correct"
                )
            self._check_still_standing(labeller, earlier)
            saved = self.store.answer(self._answer(labeller, self._item(cid), label))
            self._account_new_records()
            self._remember_answer(labeller, saved.record)
            view = self._view(labeller)
            view["saved"] = self._saved(saved, [])
            view["saved"]["was"] = earlier.label or "skip"
            return view

    # --- helpers ------------------------------------------------------------------------------

    def _answer(self, labeller: str, item: QueueItem, label: str | None) -> LabelRecord:
        """The store record of ``labeller``'s answer (a label, or a skip) about ``item``."""
        return answer_record(
            item.comment, label, scores=item.scores, labeller=labeller, model_id=self.model_id
        )

    def _item(self, cid: object) -> QueueItem:
        item = self.items.get(cid) if isinstance(cid, str) else None
        if item is None:
            raise ReviewRefusal(404, f"{cid!r} is not a comment of this review queue")
        return item

    def _history(self, labeller: str) -> deque[LabelRecord]:
        history = self.history.get(labeller)
        if history is None:  # a moderator back after a restart: their answers in the store
            mine = [r for r in self.store.positions_of(labeller) if r.id in self.items]
            history = self.history[labeller] = deque(mine[-HISTORY:][::-1], maxlen=HISTORY)
        return history

    def _remember_answer(self, labeller: str, record: LabelRecord) -> None:
        history = self._history(labeller)
        for earlier in [r for r in history if r.id == record.id]:
            history.remove(earlier)
        history.appendleft(record)

    def _check_still_standing(self, labeller: str, record: LabelRecord) -> None:
        """An undo or a correction from the history is of the moderator's standing answer:
        refuse when it is not this one any more (changed in another tab or window)."""
        standing = self.store.position(record.id, labeller)
        if standing is None or standing.seq != record.seq:
            now = f"now {standing.label or 'skip'}" if standing else "withdrawn since"
            raise ReviewRefusal(
                409,
                f"your answer for {record.id!r} is no longer {record.label or 'skip'} ({now}, "
                "in another window): reload the page",
            )

    def _others_answers(self, labeller: str, cid: str) -> list[OtherAnswer]:
        return [
            OtherAnswer(labeller=r.labeller, label=r.label)
            for r in self.store.standing(cid)
            if r.labeller != labeller and r.label is not None and not r.weak
        ]

    def _saved(self, saved: Saved, others: list[OtherAnswer]) -> SavedAnswer:
        what = {
            "new": "saved",
            "corrected": "corrected",
            "undone": "undone",
            "same": "unchanged",
            "labelled": "unchanged",
        }[saved.outcome]
        shown = saved.replaced if saved.outcome == "undone" else saved.record
        body: SavedAnswer = {
            "what": what,
            "id": shown.id if shown else saved.record.id,
            "answer": (shown.label if shown else None) or "skip",
            "store": self.store.path.name,
            "also_answered_by": others,
        }
        if saved.outcome == "corrected" and saved.replaced is not None:
            body["was"] = saved.replaced.label or "skip"
        return body

    def progress(self, labeller: str) -> Progress:
        today = datetime.now(UTC).date().isoformat()
        left = len(self.items) - self.labelled_in_queue
        return {
            "you_today": self.by_labeller_day[(labeller, today)],
            "everyone_today": self.by_day[today],
            "left": left,
            "total": len(self.items),
            "agreement": round(self.agreed / self.compared, 4) if self.compared else None,
            "compared": self.compared,
        }

    def _view(self, labeller: str, *, keep: bool = True) -> QueueView:
        cid = self._next_for(labeller, keep=keep)
        return {
            "labeller": labeller,
            "item": cid,
            "lease_seconds": self.lease_seconds,
            "progress": self.progress(labeller),
            "history": [
                {
                    "id": r.id,
                    "answer": r.label or "skip",
                    "time": r.time,
                    "text": (r.text or "")[:160],
                }
                for r in self._history(labeller)
            ],
        }
