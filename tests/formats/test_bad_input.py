"""Bad input: one clear error naming the file and line, exit code 2, and no output file; with
--skip-bad, the bad records are reported and the rest written."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.cli import app
from moderation.errors import HostileInputError, InputError, ModerationError

from fixtures.files import SAMPLES, read_all

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:comment>
<wp:comment_id>1</wp:comment_id><wp:comment_content>&lol4;</wp:comment_content>
</wp:comment></item></channel></rss>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [ <!ENTITY xxe SYSTEM "file:///etc/hostname"> ]>
<disqus xmlns="http://disqus.com"><post><message>&xxe;</message></post></disqus>
"""

BAD_FILES = {
    "row.csv": (b'id,text\n1,"fine"\n2,"broken "quote" here"\n3,ok\n', 3, "malformed row"),
    "fields.csv": (b"id,text,likes\n1,hello,2\n2,short\n", 3, "2 fields, the header has 3"),
    "open.csv": (b'id,text\n1,ok\n2,"never closed\n', 3, "unexpected end of data"),
    "line.jsonl": (b'{"id": 1, "text": "a"}\n{"id": 2, "text": \n', 2, "invalid JSON"),
    "array.jsonl": (b'{"id": 1, "text": "a"}\n[1, 2]\n', 2, "not an object"),
    "notext.jsonl": (b'{"id": 1, "text": "a"}\n{"id": 2, "text": 5}\n', 2, "not text"),
    "label.csv": (b"id,text,label\n1,a,civil\n2,b,rude\n", 3, "unknown label 'rude'"),
    "nul.csv": (b"id,text\n1,a\x00b\n", 2, "NUL byte"),
    "cut.xml": ((SAMPLES / "wordpress.xml").read_bytes()[:2500], None, "not well-formed"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_record_stops_with_file_and_line(tmp_path, name):
    content, line, problem = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_all(path)
    assert problem in str(err.value)
    assert str(path) in str(err.value)
    if line is not None:
        assert err.value.line == line


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_exits_2_and_writes_nothing(tmp_path, runner, name):
    content, _, problem = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert problem in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [path]


def test_skip_bad_keeps_the_good_records_and_reports_where(tmp_path, runner):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"id": "a", "text": "one"}\n{"id": "b", "text": \n{"id": "c", "text": "three"}\n[]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(path), "-o", str(out), "--skip-bad"])
    assert result.exit_code == 0
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a", "c"]
    assert "2 skipped" in result.stderr
    assert f"{path}:2" in result.stderr and f"{path}:4" in result.stderr


def test_existing_output_survives_a_failed_run(tmp_path, runner):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "one"}\n{oops\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous result\n", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_text() == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "out.jsonl"]


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_hostile_xml_is_refused_whole_and_quickly_even_with_skip_bad(tmp_path, document):
    path = tmp_path / "hostile.xml"
    path.write_text(document, encoding="utf-8")
    started = time.perf_counter()
    for fmt in ("auto", "wxr", "disqus"):
        with pytest.raises(HostileInputError) as err:
            read_all(path, format=fmt, skip_bad=True)
        assert "refused" in str(err.value)
    assert time.perf_counter() - started < 5  # not a timing test: a bomb would never finish


def test_bom_is_skipped(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,text\n1,with a bom\n")
    _, (comment,), report = read_all(path)
    assert comment.id == "1" and comment.text == "with a bom"
    assert report.warnings == []


def test_legacy_encoding_is_detected_and_reported(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,text\n1,caf\u00e9 \u201cquoted\u201d\n".encode("cp1252"))
    _, (comment,), report = read_all(path)
    assert comment.text == "caf\u00e9 \u201cquoted\u201d"
    assert any("cp1252" in w for w in report.warnings)


def test_encoding_option_is_used(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes('{"id": 1, "text": "na\u00efve \u00fcber"}\n'.encode("latin-1"))
    _, (comment,), report = read_all(path, encoding="latin-1")
    assert comment.text == "na\u00efve \u00fcber"
    assert report.warnings == []
    with pytest.raises(InputError, match="unknown encoding"):
        read_all(path, encoding="klingon")


def test_bad_bytes_later_in_a_utf8_file_name_their_line(tmp_path):
    path = tmp_path / "late.jsonl"
    good = b'{"id": 1, "text": "fine"}\n' * 5000
    path.write_bytes(good + b'{"id": 2, "text": "caf\xe9"}\n')
    with pytest.raises(InputError) as err:
        read_all(path)
    assert err.value.line == 5001 and "--encoding" in str(err.value)


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_all(empty)
    with pytest.raises(InputError, match="no such file"):
        read_all(tmp_path / "missing.csv")


def test_a_20_mb_comment_is_read_whole_and_noted(tmp_path):
    body = "word " * 4_000_000
    path = tmp_path / "huge.csv"
    path.write_text(f'id,text\n1,"{body}"\n2,short one\n', encoding="utf-8")
    _, comments, report = read_all(path)
    assert len(comments[0].text) == len(body) and comments[1].text == "short one"
    assert any("20,000,000 characters" in w for w in report.warnings)


def test_labels_file_unknown_ids_stop_the_run_unless_skipped(tmp_path, runner):
    labels = tmp_path / "labels.csv"
    labels.write_text("id,label\nc1,civil\nnope,abusive\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["parse", str(SAMPLES / "comments.csv"), "--labels", str(labels), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"{labels}:3" in result.stderr and "'nope' matches no comment" in result.stderr
    assert not out.exists()
    result = runner.invoke(app, args + ["--skip-bad"])
    assert result.exit_code == 0 and out.exists()
    assert "1 label(s) joined, 1 skipped" in result.stderr


def test_labels_file_with_unknown_label_name_or_conflict(tmp_path, runner):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        '{"id": "c1", "label": "civil"}\n{"id": "c1", "label": "abusive"}\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["parse", str(SAMPLES / "comments.csv"), "--labels", str(labels)])
    assert result.exit_code == 2 and f"{labels}:2" in result.stderr
    assert "labelled 'civil' at line 1" in result.stderr


FORMATS = ["text", "html", "csv", "tsv", "jsonl", "wxr", "disqus", "reddit"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), fmt=st.sampled_from(FORMATS + ["auto"]))
def test_no_input_makes_a_reader_raise_anything_but_our_error(tmp_path, data, fmt):
    path = tmp_path / "fuzz.dat"
    path.write_bytes(data)
    try:
        read_all(path, format=fmt)
        read_all(path, format=fmt, skip_bad=True)
    except ModerationError:
        pass


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fmt=st.sampled_from(FORMATS),
    cut=st.integers(min_value=1, max_value=4000),
    junk=st.binary(max_size=20),
)
def test_damaged_samples_raise_only_our_error(tmp_path, fmt, cut, junk):
    source = {
        "text": "article-page.txt",
        "html": "blog-page.html",
        "csv": "comments.csv",
        "tsv": "comments.tsv",
        "jsonl": "comments.jsonl",
        "wxr": "wordpress.xml",
        "disqus": "disqus.xml",
        "reddit": "reddit.json",
    }[fmt]
    data = (SAMPLES / source).read_bytes()
    path = tmp_path / source
    path.write_bytes(data[:cut] + junk + data[cut + len(junk) :])
    try:
        read_all(path, format=fmt, skip_bad=True)
    except ModerationError:
        pass
