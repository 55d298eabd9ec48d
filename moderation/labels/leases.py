"""Leases: which comment each reviewer is being shown, kept in the label store so that every
process reviewing from it (`serve --review`, `moderation review`, several at once) honours
them.

A lease is a row of the store's ``leases`` table (comment, labeller, when it was taken, when it
runs out), written in a transaction of its own like every other write. Each labeller holds one
lease at most; a comment is leased to one labeller at most; a lease that ran out is nobody's.
Times are the wall clock's (``time.time``), the one clock every process on the machine shares.

Names cost nothing without keys, so leases of *newcomers* (names with no answer in the store
yet) are capped: they hold ``NEWCOMER_LEASES`` leases between them at most, and a newcomer past
that takes over the oldest of them. A client asking for the next comment under a thousand
made-up names holds ``NEWCOMER_LEASES`` comments, not the whole queue, and a real moderator is
always handed one. A moderator who has answered once is no newcomer; their lease is never taken
over.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping

from moderation.labels.database import StoreDatabase

NEWCOMER_LEASES = 16  # leases held by names that have answered nothing yet, between them

Chooser = Callable[[Mapping[str, str]], "str | None"]


class Leases:
    """The leases of ``store``, each for ``seconds``."""

    def __init__(
        self,
        store: StoreDatabase,
        *,
        seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
        newcomer_leases: int = NEWCOMER_LEASES,
    ):
        self.store = store
        self.seconds = seconds
        self.clock = clock
        self.newcomer_leases = newcomer_leases

    def hand_out(self, labeller: str, choose: Chooser) -> str | None:
        """Lease to ``labeller`` the comment ``choose`` picks, given every live lease (comment
        -> labeller; it must pick none leased to someone else), in one transaction; their
        other lease is given back. The comment, or None (``choose`` found nothing)."""
        now = self.clock()
        with self.store._transaction(durable=False) as db:
            db.execute("DELETE FROM leases WHERE expires <= ?", (now,))
            leased = dict(db.execute("SELECT comment_id, labeller FROM leases").fetchall())
            if labeller not in leased.values() and _is_newcomer(db, labeller):
                for given_back in self._taken_over(db):
                    del leased[given_back]
            cid = choose(leased)
            if cid is not None and leased.get(cid, labeller) != labeller:
                raise ValueError(f"{cid!r} is leased to someone else")
            db.execute(
                "DELETE FROM leases WHERE labeller = ? AND comment_id IS NOT ?", (labeller, cid)
            )
            if cid is not None:
                db.execute(
                    "INSERT INTO leases (comment_id, labeller, taken, expires) "
                    "VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (comment_id) DO UPDATE SET expires = excluded.expires",
                    (cid, labeller, now, now + self.seconds),
                )
            return cid

    def _taken_over(self, db: sqlite3.Connection) -> list[str]:
        """Make room for one more newcomer: the oldest newcomers' leases past the cap, given
        back. The comments given back."""
        rows = db.execute(
            "SELECT l.comment_id FROM leases AS l WHERE NOT EXISTS "
            "(SELECT 1 FROM answers AS a WHERE a.labeller = l.labeller) ORDER BY l.taken"
        ).fetchall()
        over = [cid for (cid,) in rows[: max(0, len(rows) - self.newcomer_leases + 1)]]
        db.executemany("DELETE FROM leases WHERE comment_id = ?", [(cid,) for cid in over])
        return over

    def renew(self, labeller: str, cid: str) -> bool:
        """Keep ``cid`` leased to ``labeller`` (the page is still open); False if the lease
        is gone (ran out, or never was)."""
        now = self.clock()
        with self.store._transaction(durable=False) as db:
            cursor = db.execute(
                "UPDATE leases SET expires = ? WHERE comment_id = ? AND labeller = ? "
                "AND expires > ?",
                (now + self.seconds, cid, labeller, now),
            )
            return cursor.rowcount == 1

    def take(self, labeller: str, cid: str) -> bool:
        """Lease ``cid`` to ``labeller`` unless someone else holds it; whether they hold it."""
        return self.hand_out(labeller, lambda leased: _unless_held(leased, labeller, cid)) == cid

    def release(self, labeller: str) -> None:
        """Give back ``labeller``'s lease (they stopped reviewing)."""
        with self.store._transaction(durable=False) as db:
            db.execute("DELETE FROM leases WHERE labeller = ?", (labeller,))

    def holder(self, cid: str) -> str | None:
        """Who holds ``cid`` now."""
        rows = self.store._fetch(
            "SELECT labeller FROM leases WHERE comment_id = ? AND expires > ?", (cid, self.clock())
        )
        return rows[0][0] if rows else None


def _unless_held(leased: Mapping[str, str], labeller: str, cid: str) -> str | None:
    return cid if leased.get(cid, labeller) == labeller else None


def _is_newcomer(db: sqlite3.Connection, labeller: str) -> bool:
    answered = db.execute("SELECT 1 FROM answers WHERE labeller = ? LIMIT 1", (labeller,))
    return answered.fetchone() is None
