"""Canonical comment JSONL: parse -> write -> parse is the identity; the parse command."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.cli import app
from moderation.comments import LABELS, STATUSES, Comment, QuoteSpan, write_comments

from fixtures.files import SAMPLES, read_all

SAMPLE_FILES = [
    "article-page.txt",
    "blog-page.txt",
    "comments.csv",
    "comments.tsv",
    "comments.jsonl",
    "wordpress.xml",
    "disqus.xml",
    "reddit.json",
]


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80
)


@st.composite
def threads_of_comments(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    comments = []
    for i in range(n):
        parent = (
            draw(st.one_of(st.none(), st.sampled_from([c.id for c in comments])))
            if comments
            else None
        )
        text = draw(texts)
        quotes = []
        if len(text) >= 2 and draw(st.booleans()):
            start = draw(st.integers(min_value=0, max_value=len(text) - 2))
            end = draw(st.integers(min_value=start + 1, max_value=len(text)))
            quotes = [
                QuoteSpan(start, end, draw(st.sampled_from(["parent", "article", "comment:x"])))
            ]
        comments.append(
            Comment(
                id=f"id{i}",
                thread_id=draw(st.sampled_from(["t1", "t2"])),
                text=text,
                parent_id=parent,
                author=draw(st.one_of(st.none(), texts.filter(str.strip))),
                created_at=draw(st.one_of(st.none(), st.just("2020-01-02T03:04:05+00:00"))),
                quotes=quotes,
                label=draw(st.one_of(st.none(), st.sampled_from(LABELS))),
                status=draw(st.one_of(st.none(), st.sampled_from(STATUSES))),
                thread_title=draw(st.one_of(st.none(), st.just("A title"))),
                extra=draw(
                    st.dictionaries(
                        st.sampled_from(["likes", "x y", "n"]),
                        st.one_of(st.integers(-(2**63), 2**63 - 1), texts),
                        max_size=2,
                    )
                ),
            )
        )
    for c in comments:  # a reply lives in its parent's thread
        if c.parent_id is not None:
            c.thread_id = next(p.thread_id for p in comments if p.id == c.parent_id)
    return comments


def _write(path, comments):
    with open(path, "w", encoding="utf-8") as fh:
        write_comments(comments, fh)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(comments=threads_of_comments())
def test_parse_write_parse_is_the_identity(tmp_path, comments):
    first = tmp_path / "first.jsonl"
    _write(first, comments)
    _, parsed, _ = read_all(first)
    second = tmp_path / "second.jsonl"
    _write(second, parsed)
    _, reparsed, _ = read_all(second)
    assert [c.to_dict() for c in reparsed] == [c.to_dict() for c in parsed]
    assert [(c.id, c.text, c.label, c.extra) for c in parsed] == [
        (c.id, c.text, c.label, c.extra) for c in comments
    ]


def test_every_sample_round_trips_through_canonical_jsonl(tmp_path):
    for name in SAMPLE_FILES:
        _, comments, _ = read_all(SAMPLES / name)
        out = tmp_path / f"{name}.jsonl"
        _write(out, comments)
        _, again, _ = read_all(out)
        assert [c.to_dict() for c in again] == [c.to_dict() for c in comments], name


def test_parse_command_writes_jsonl_threads_and_a_summary(tmp_path, runner):
    out, threads = tmp_path / "c.jsonl", tmp_path / "t.jsonl"
    result = runner.invoke(
        app,
        [
            "parse",
            str(SAMPLES / "wordpress.xml"),
            str(SAMPLES / "reddit.json"),
            "-o",
            str(out),
            "--threads-out",
            str(threads),
        ],
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 11
    assert list(lines[0]) == [
        "id",
        "thread_id",
        "parent_id",
        "depth",
        "author",
        "created_at",
        "text",
        "quotes",
        "label",
        "status",
        "thread_title",
        "thread_url",
        "extra",
    ]
    assert lines[0]["thread_title"] == "Water butts for every plot"
    thread_lines = [json.loads(x) for x in threads.read_text(encoding="utf-8").splitlines()]
    assert [(t["id"], t["comment_count"]) for t in thread_lines] == [
        ("41", 3),
        ("57", 2),
        ("t3_x1abc", 6),
    ]
    assert set(thread_lines[0]) == {
        "id",
        "title",
        "url",
        "published",
        "author",
        "article",
        "declared_comments",
        "comment_count",
    }
    summary = result.stderr.strip().splitlines()
    assert summary[0].endswith(
        "wxr, 2 thread(s), 5 comment(s), 0 labelled, 0 skipped, 0 warning(s)"
    )
    assert "reddit, 1 thread(s), 6 comment(s)" in summary[1]


def test_parse_to_stdout_with_labels_and_format_override(tmp_path, runner):
    result = runner.invoke(
        app,
        [
            "parse",
            str(SAMPLES / "article-page.txt"),
            "--format",
            "text",
            "--labels",
            str(SAMPLES / "article-page-labels.csv"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert {c["id"]: c["label"] for c in lines if c["label"]} == {
        "article-page/1": "civil",
        "article-page/2": "abusive",
        "article-page/4": "conspiracy",
        "article-page/4.1": "civil",
    }
    assert "4 label(s) joined, 0 skipped" in result.stderr


def test_unknown_format_and_missing_folder_are_user_errors(tmp_path, runner):
    result = runner.invoke(app, ["parse", str(SAMPLES / "comments.csv"), "--format", "xls"])
    assert result.exit_code == 2 and "unknown format 'xls'" in result.stderr
    result = runner.invoke(
        app,
        ["parse", str(SAMPLES / "comments.csv"), "-o", str(tmp_path / "no" / "such" / "dir.jsonl")],
    )
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_tree_view(runner):
    result = runner.invoke(app, ["parse", str(SAMPLES / "blog-page.txt"), "--tree"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "# Ten Years of the Harbour Book Swap"
    assert "        - Owen Ferris | 2024-06-03T08:45:" in result.stdout


def test_unwritable_destinations_are_user_errors(tmp_path, runner):
    sample = str(SAMPLES / "comments.csv")
    for args in (["-o", str(tmp_path)], ["--threads-out", str(tmp_path / "missing" / "t.jsonl")]):
        result = runner.invoke(app, ["parse", sample, *args])
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_parse_writes_every_line_as_comment_to_json_across_write_batches(tmp_path, runner):
    # more comments than one batch of joined lines, some quoting their parent, non-ASCII
    from moderation.canonical import _LINES_PER_WRITE
    from moderation.comments import comment_to_json
    from moderation.formats import read_export

    n = 2 * _LINES_PER_WRITE + 5
    export = tmp_path / "many.jsonl"
    with export.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Comment {i} says the ferry to the island was late again, café {i % 7}."
            if i % 3:  # repeats its parent's first sentence: a quote
                text = f"Comment {i - i % 3} says the ferry to the island was late again, café "
                text += f"{(i - i % 3) % 7}. I agree {i}!"
            record = {"id": f"c{i}", "thread_id": f"t{i // 50}", "text": text}
            if i % 3:
                record["parent_id"] = f"c{i - i % 3}"
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(export), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    expected = [comment_to_json(c) for c in read_export(export) if isinstance(c, Comment)]
    assert out.read_text(encoding="utf-8").split("\n") == [*expected, ""]
    assert any('"source":"parent"' in line for line in expected)
    result = runner.invoke(app, ["parse", str(export)])
    assert result.stdout == out.read_text(encoding="utf-8")
