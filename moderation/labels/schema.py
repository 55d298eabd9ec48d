"""The label store's tables, written down once, and the migrations that bring an older store
up to date.

``answers`` is the history: one row per answer, skip, undo, correction or platform decision,
numbered ``seq`` in the order they were given. Rows are only ever added (triggers refuse
updates and deletes). An undo names the answer it withdraws and a correction the answer it
replaces (``supersedes``), and an answer can be superseded once.

Two tables are kept from the history by a trigger, in the same transaction as each new row, so
they are right whoever writes (this package, an older version, ``sqlite3`` by hand):

- ``positions``: each labeller's standing answer for each comment (their latest that nothing
  superseded);
- ``current``: each comment's current answer, from everyone's positions. Moderators' labels
  win over the platform's; moderators who disagree make the comment a ``disagreement``; a
  comment with only skips is ``skipped``.

``leases`` (version 2) says which comment each reviewer is being shown, and until when
(``labels.leases``): rows there are added, renewed and deleted freely, they are no history.

``PRAGMA user_version`` is the schema's version; ``PRAGMA application_id`` marks the file as
a label store. ``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``, inside the
transaction that opens it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from moderation.comments import LABELS

APPLICATION_ID = 0x6D6F6C62  # "molb": a moderation label store
SCHEMA_VERSION = 2
SQLITE_HEADER = b"SQLite format 3\x00"

_LABELS = ", ".join(f"'{label}'" for label in LABELS)
# each comment's current answer as one character (``current.code``), so every answer of a big
# store is read as one string: a label's letter (upper case when only the platform gave it),
# ``d`` a disagreement, ``s`` skipped
LABEL_CODES = {"civil": "c", "abusive": "a", "conspiracy": "p"}
STATE_CODES = {"disagreement": "d", "skipped": "s"}
assert set(LABEL_CODES) == set(LABELS)
assert len({*LABEL_CODES.values(), *(c.upper() for c in LABEL_CODES.values())}) == 2 * len(LABELS)
_CODE_OF_LABEL = " ".join(f"WHEN '{label}' THEN '{code}'" for label, code in LABEL_CODES.items())

_VERSION_1 = f"""
CREATE TABLE answers (
    seq INTEGER PRIMARY KEY,
    comment_id TEXT NOT NULL
        CHECK (typeof(comment_id) = 'text' AND length(comment_id) BETWEEN 1 AND 1000),
    action TEXT NOT NULL CHECK (action IN ('label', 'skip', 'undo')),
    label TEXT CHECK (label IN ({_LABELS})),
    labeller TEXT NOT NULL
        CHECK (typeof(labeller) = 'text' AND length(trim(labeller)) BETWEEN 1 AND 200),
    role TEXT NOT NULL CHECK (role IN ('moderator', 'platform')),
    time TEXT NOT NULL,
    supersedes INTEGER REFERENCES answers (seq),
    text TEXT,
    thread_id TEXT,
    model TEXT,
    scores TEXT CHECK (scores IS NULL OR json_valid(scores)),
    source TEXT,
    extra TEXT CHECK (extra IS NULL OR json_valid(extra)),
    CHECK ((action = 'label') = (label IS NOT NULL)),
    CHECK (action <> 'label' OR typeof(text) = 'text'),
    CHECK (action <> 'undo' OR supersedes IS NOT NULL),
    CHECK (action <> 'skip' OR (supersedes IS NULL AND role = 'moderator'))
);
-- the current answer per comment is `current`; per labeller and per comment's history:
CREATE INDEX answers_by_comment ON answers (comment_id, labeller, seq);
CREATE INDEX answers_by_labeller ON answers (labeller, seq);
-- an answer is withdrawn or corrected at most once
CREATE UNIQUE INDEX answers_superseded ON answers (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE positions (
    comment_id TEXT NOT NULL,
    labeller TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES answers (seq),
    PRIMARY KEY (comment_id, labeller)
) WITHOUT ROWID;

CREATE TABLE current (
    comment_id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('labelled', 'weak', 'disagreement', 'skipped')),
    label TEXT,
    seq INTEGER NOT NULL REFERENCES answers (seq),
    code TEXT NOT NULL GENERATED ALWAYS AS (
        CASE state
            WHEN 'disagreement' THEN 'd'
            WHEN 'skipped' THEN 's'
            WHEN 'weak' THEN upper(CASE label {_CODE_OF_LABEL} END)
            ELSE CASE label {_CODE_OF_LABEL} END
        END
    ) STORED
) WITHOUT ROWID;
CREATE INDEX current_disagreements ON current (state) WHERE state = 'disagreement';

-- old JSONL stores imported into this one: each is imported once
CREATE TABLE imports (
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    added INTEGER NOT NULL,
    time TEXT NOT NULL
);

CREATE TRIGGER answers_are_never_updated BEFORE UPDATE ON answers BEGIN
    SELECT RAISE(ABORT, 'the label history is append-only: record a correction or an undo');
END;
CREATE TRIGGER answers_are_never_deleted BEFORE DELETE ON answers BEGIN
    SELECT RAISE(ABORT, 'the label history is append-only: record a correction or an undo');
END;
CREATE TRIGGER answers_supersede_an_answer_of_the_same_comment BEFORE INSERT ON answers
WHEN NEW.supersedes IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM answers
    WHERE seq = NEW.supersedes AND comment_id = NEW.comment_id AND action <> 'undo'
) BEGIN
    SELECT RAISE(ABORT, 'supersedes must name an earlier answer about the same comment');
END;

CREATE TRIGGER answers_keep_positions_and_current AFTER INSERT ON answers BEGIN
    -- whoever answered: this is their answer now
    INSERT OR REPLACE INTO positions (comment_id, labeller, seq)
        SELECT NEW.comment_id, NEW.labeller, NEW.seq WHERE NEW.action <> 'undo';
    -- whoever gave the answer it withdraws (or someone else's it replaces): their earlier one
    DELETE FROM positions
        WHERE NEW.supersedes IS NOT NULL AND comment_id = NEW.comment_id
        AND labeller = (SELECT labeller FROM answers WHERE seq = NEW.supersedes)
        AND (NEW.action = 'undo' OR labeller <> NEW.labeller);
    INSERT INTO positions (comment_id, labeller, seq)
        SELECT a.comment_id, a.labeller, max(a.seq) FROM answers AS a
        WHERE NEW.supersedes IS NOT NULL AND a.comment_id = NEW.comment_id
        AND a.labeller = (SELECT labeller FROM answers WHERE seq = NEW.supersedes)
        AND (NEW.action = 'undo' OR a.labeller <> NEW.labeller)
        AND a.action <> 'undo'
        AND NOT EXISTS (SELECT 1 FROM answers AS b WHERE b.supersedes = a.seq)
        GROUP BY a.comment_id, a.labeller;
    -- the comment's current answer, from everyone's
    DELETE FROM current WHERE comment_id = NEW.comment_id;
    INSERT INTO current (comment_id, state, label, seq)
        SELECT NEW.comment_id,
            CASE
                WHEN count(DISTINCT a.label) FILTER (WHERE a.role = 'moderator') > 1
                    THEN 'disagreement'
                WHEN count(a.label) FILTER (WHERE a.role = 'moderator') > 0 THEN 'labelled'
                WHEN count(a.label) > 0 THEN 'weak'
                ELSE 'skipped'
            END,
            CASE
                WHEN count(DISTINCT a.label) FILTER (WHERE a.role = 'moderator') > 1 THEN NULL
                WHEN count(a.label) FILTER (WHERE a.role = 'moderator') > 0
                    THEN max(a.label) FILTER (WHERE a.role = 'moderator')
                ELSE (
                    SELECT a2.label FROM positions AS p2 JOIN answers AS a2 ON a2.seq = p2.seq
                    WHERE p2.comment_id = NEW.comment_id AND a2.label IS NOT NULL
                    ORDER BY a2.seq DESC LIMIT 1
                )
            END,
            coalesce(
                max(a.seq) FILTER (WHERE a.role = 'moderator' AND a.label IS NOT NULL),
                max(a.seq) FILTER (WHERE a.label IS NOT NULL),
                max(a.seq)
            )
        FROM positions AS p JOIN answers AS a ON a.seq = p.seq
        WHERE p.comment_id = NEW.comment_id
        HAVING count(*) > 0;
END;
"""


_VERSION_2 = """
-- which comment each reviewer is shown, until when (wall-clock seconds): one per comment
CREATE TABLE leases (
    comment_id TEXT PRIMARY KEY,
    labeller TEXT NOT NULL,
    taken REAL NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX leases_by_labeller ON leases (labeller);
"""


def _create_version_1(connection: sqlite3.Connection) -> None:
    for statement in _statements(_VERSION_1):
        connection.execute(statement)


def _add_leases(connection: sqlite3.Connection) -> None:
    for statement in _statements(_VERSION_2):
        connection.execute(statement)


def _statements(script: str) -> list[str]:
    """The statements of a script, each whole (a trigger's body holds semicolons)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not pending.strip():
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"an incomplete statement in the schema: {pending[:80]!r}")
    return statements


# MIGRATIONS[n] takes a store from schema version n to n + 1 (0 is a new, empty file)
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_create_version_1, _add_leases]
assert len(MIGRATIONS) == SCHEMA_VERSION
