"""The label store's tables through a plain sqlite3 connection: the triggers keep the history
append-only and each comment's current answer right, whoever writes."""

from __future__ import annotations

import sqlite3

import pytest

from moderation.labels import schema


@pytest.fixture
def connection():
    connection = sqlite3.connect(":memory:", isolation_level=None)
    for migrate in schema.MIGRATIONS:
        migrate(connection)
    yield connection
    connection.close()


def add(
    connection, comment_id, labeller, label=None, *, action=None, role="moderator", supersedes=None
):
    action = action or ("label" if label else "skip")
    cursor = connection.execute(
        "INSERT INTO answers (comment_id, action, label, labeller, role, time, supersedes, text)"
        " VALUES (?, ?, ?, ?, ?, 't', ?, ?)",
        (comment_id, action, label, labeller, role, supersedes, "words" if label else None),
    )
    return cursor.lastrowid


def current(connection, comment_id):
    return connection.execute(
        "SELECT state, label, code FROM current WHERE comment_id = ?", (comment_id,)
    ).fetchone()


def test_the_migrations_make_every_table():
    connection = sqlite3.connect(":memory:")
    for migrate in schema.MIGRATIONS:
        migrate(connection)
    tables = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {"answers", "positions", "current", "imports", "leases"} <= tables


def test_a_moderators_label_wins_over_the_platforms(connection):
    add(connection, "c1", "platform", "abusive", role="platform")
    assert current(connection, "c1") == ("weak", "abusive", "A")
    add(connection, "c1", "ann", "civil")
    assert current(connection, "c1") == ("labelled", "civil", "c")


def test_moderators_who_disagree_make_a_disagreement(connection):
    add(connection, "c1", "ann", "civil")
    add(connection, "c1", "bob", "conspiracy")
    assert current(connection, "c1") == ("disagreement", None, "d")


def test_a_comment_with_only_skips_is_skipped(connection):
    add(connection, "c1", "ann")
    assert current(connection, "c1") == ("skipped", None, "s")


def test_an_undo_brings_back_the_labellers_earlier_answer(connection):
    add(connection, "c1", "ann", "civil")
    second = add(connection, "c1", "ann", "abusive")
    assert current(connection, "c1")[:2] == ("labelled", "abusive")
    add(connection, "c1", "ann", action="undo", supersedes=second)
    assert current(connection, "c1")[:2] == ("labelled", "civil")


def test_undoing_the_only_answer_leaves_no_current_answer(connection):
    first = add(connection, "c1", "ann", "civil")
    add(connection, "c1", "ann", action="undo", supersedes=first)
    assert current(connection, "c1") is None


def test_a_correction_replaces_another_moderators_answer(connection):
    first = add(connection, "c1", "ann", "civil")
    add(connection, "c1", "bob", "abusive", supersedes=first)
    assert current(connection, "c1")[:2] == ("labelled", "abusive")


def test_the_history_is_append_only(connection):
    add(connection, "c1", "ann", "civil")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE answers SET label = 'abusive'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("DELETE FROM answers")


def test_an_answer_is_superseded_once_and_only_by_one_about_its_comment(connection):
    first = add(connection, "c1", "ann", "civil")
    with pytest.raises(sqlite3.IntegrityError, match="same comment"):
        add(connection, "c2", "ann", "civil", supersedes=first)
    add(connection, "c1", "ann", "abusive", supersedes=first)
    with pytest.raises(sqlite3.IntegrityError):
        add(connection, "c1", "bob", "conspiracy", supersedes=first)


def test_the_checks_refuse_a_label_without_text_or_an_unknown_label(connection):
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute(
            "INSERT INTO answers (comment_id, action, label, labeller, role, time)"
            " VALUES ('c1', 'label', 'civil', 'ann', 'moderator', 't')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        add(connection, "c1", "ann", "rude")


def test_statements_keeps_a_trigger_whole_and_drops_comment_lines():
    script = """
-- a comment line
CREATE TABLE t (x);
CREATE TRIGGER k AFTER INSERT ON t BEGIN
    SELECT 1;
    SELECT 2;
END;
"""
    statements = schema._statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


def test_statements_refuses_an_incomplete_statement():
    with pytest.raises(ValueError, match="incomplete statement"):
        schema._statements("CREATE TABLE t (x);\nCREATE TABLE u (y)")
