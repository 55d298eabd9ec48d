"""The answer loop of `moderation label` in a terminal: one key per answer, each in the label
store before the next comment is shown; undo; skipped comments come back at the end.

The comment shown is leased to the moderator in the store (``labels.leases``), as on the
review page: a comment the page shows someone else right now is left to them (and the page
shows nobody the comment on the terminal's screen)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from moderation.labels.leases import Leases
from moderation.labels.record import answer_record
from moderation.labels.review.queue import QueueItem
from moderation.labels.store import LabelStore, NothingToUndo

KEYS = {
    "c": "civil",
    "1": "civil",
    "a": "abusive",
    "2": "abusive",
    "p": "conspiracy",
    "3": "conspiracy",
    "s": "skip",
    "u": "undo",
    "q": "quit",
}
KEY_HELP = "c civil, a abusive, p conspiracy, s skip, u undo, q quit"


def review_loop(
    items: list[QueueItem],
    store: LabelStore,
    *,
    labeller: str,
    model_id: str,
    read_key: Callable[[], str],
    show: Callable[[QueueItem, int, int, bool], None],
    say: Callable[[str], None],
    leases: Leases | None = None,
) -> Counter[str]:
    """``show`` a comment (with its position, the queue's length so far, and whether it is a
    skipped comment's second turn), read one key, record the answer in ``store`` (on disk
    before the next comment is shown) and say so. A comment leased to someone else is left
    to them. Returns the answers given this session."""
    leases = leases or Leases(store)
    items = list(items)
    first_turns = len(items)
    done: list[tuple[QueueItem, str, int]] = []
    given: Counter[str] = Counter()
    position = 0
    while position < len(items):
        item = items[position]
        cid = item.comment.id
        if not leases.take(labeller, cid):
            say(f"{cid} is being reviewed by {leases.holder(cid) or 'someone'} now: left to them")
            position += 1
            continue
        show(item, position, len(items), position >= first_turns)
        try:
            key = read_key().lower()
        except (KeyboardInterrupt, EOFError):  # Ctrl-C, or the end of piped keys
            break
        choice = KEYS.get(key)
        if not key or choice == "quit":  # the end of input, or q
            break
        if choice == "undo":
            if not done:
                say("nothing to undo in this session")
                continue
            last, last_choice, position = done.pop()
            try:
                store.undo(last.comment.id, labeller)
            except NothingToUndo:  # withdrawn meanwhile elsewhere (another window)
                pass
            if last_choice == "skip":  # its second turn at the end goes too
                items.pop()
            given[last_choice] -= 1
            say(f"undid {last_choice} for {last.comment.id}")
            continue
        if choice is None:
            say(f"unknown key {key!r}: the keys are {KEY_HELP}")
            continue
        label = None if choice == "skip" else choice
        saved = store.answer(
            answer_record(
                item.comment, label, scores=item.scores, labeller=labeller, model_id=model_id
            )
        )
        done.append((item, choice, position))
        given[choice] += 1
        if label is None:
            items.append(item)
            say(f"skipped {item.comment.id}: it comes back at the end of the queue")
        elif saved.outcome == "corrected":
            say(
                f"saved {label} for {item.comment.id} to {store.path} (it replaces your "
                f"earlier {saved.replaced.label if saved.replaced else 'answer'})"
            )
        else:
            say(f"saved {label} for {item.comment.id} to {store.path}")
        position += 1
    leases.release(labeller)  # (after an error, it runs out by itself)
    return +given
