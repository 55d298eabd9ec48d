"""The hardened XML stream: record elements flattened into fields as they end, nested records
handed over in document order, and DTDs, entities and broken XML refused or reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.errors import HostileInputError, InputError
from moderation.formats import xml_stream
from moderation.formats.source import ParseReport, Source
from moderation.formats.xml_stream import MAX_FIELD_DEPTH, iter_records


def kind_of(depth: int, local: str, namespace: str) -> str | None:
    return local if local in ("item", "comment") else None


def records(tmp_path: Path, xml: str, skip_bad: bool = False, kinds=kind_of) -> list:
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    source = Source(path, ParseReport(str(path), skip_bad=skip_bad))
    return list(iter_records(source, kinds)), source.report


def test_a_record_s_fields_are_its_elements_texts_and_attributes_by_relative_path(tmp_path):
    found, _ = records(
        tmp_path,
        '<root><comment id="7"><author><name>Ann</name></author>'
        '<body lang="en">Hi <![CDATA[&amp; bye]]></body></comment></root>',
    )
    assert found == [
        (
            "comment",
            "",
            {
                "@id": "7",
                "author": "",  # an element holding elements is a field of no text
                "author/name": "Ann",
                "body@lang": "en",
                "body": "Hi &amp; bye",
            },
        )
    ]


def test_an_outer_record_is_handed_over_before_its_inner_ones(tmp_path):
    found, _ = records(
        tmp_path,
        "<rss><item><title>Post</title><comment><text>a</text></comment>"
        "<comment><text>b</text></comment></item></rss>",
    )
    assert [(kind, fields) for kind, _, fields in found] == [
        ("item", {"title": "Post"}),
        ("comment", {"text": "a"}),
        ("comment", {"text": "b"}),
    ]


def test_an_outer_record_s_fields_do_not_depend_on_the_chunk_size(tmp_path, monkeypatch):
    xml = (
        "<rss><item><title>Post</title><comment><text>a</text></comment>"
        + " " * 100
        + "<late>after the comments</late></item></rss>"
    )
    seen = {}
    for size in (1 << 16, 16):
        monkeypatch.setattr(xml_stream, "CHUNK_BYTES", size)
        path = tmp_path / f"{size}.xml"
        path.write_text(xml, encoding="utf-8")
        source = Source(path, ParseReport(str(path)))
        seen[size] = [dict(fields) for _, _, fields in iter_records(source, kind_of)]
    assert seen[1 << 16] == seen[16]
    assert seen[16][0] == {"title": "Post"}  # handed over as it stood: no late field


def test_the_namespace_of_a_record_is_given_with_it(tmp_path):
    found, _ = records(
        tmp_path,
        '<d xmlns="http://disqus.example/ns"><comment><text>x</text></comment></d>',
    )
    assert found == [("comment", "http://disqus.example/ns", {"text": "x"})]


def test_elements_nested_deeper_than_a_field_are_left_out(tmp_path):
    deep = "".join(f"<e{n}>" for n in range(MAX_FIELD_DEPTH + 1)) + "x"
    deep += "".join(f"</e{n}>" for n in reversed(range(MAX_FIELD_DEPTH + 1)))
    found, _ = records(tmp_path, f"<root><comment><text>t</text>{deep}</comment></root>")
    ((_, _, fields),) = found
    assert fields["text"] == "t"
    assert all(key.count("/") < MAX_FIELD_DEPTH for key in fields)


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root>&a;</root>',
        '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.invalid/r.dtd"><root/>',
    ],
)
def test_a_dtd_or_an_entity_is_refused_whole_even_with_skip_bad(tmp_path, xml):
    with pytest.raises(HostileInputError, match="refused: the XML declares a DTD"):
        records(tmp_path, xml, skip_bad=True)


def test_broken_xml_keeps_the_records_read_before_it_and_reports_its_line(tmp_path):
    xml = "<root>\n<comment><text>a</text></comment>\n<comment><text>b</tex"
    found, report = records(tmp_path, xml, skip_bad=True)
    assert [fields for _, _, fields in found] == [{"text": "a"}]
    (problem,) = report.skipped
    assert problem.line == 3 and "not well-formed" in problem.problem
    with pytest.raises(InputError, match="not well-formed"):
        records(tmp_path, xml)
