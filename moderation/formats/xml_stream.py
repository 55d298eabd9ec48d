"""Streaming, hardened XML for the WordPress and Disqus readers.

The file is fed in chunks to an expat parser, and the elements that make a record (a Disqus
``post``, a WordPress ``wp:comment``...) are flattened into dicts of their fields as they end;
no tree is built, so memory does not grow with the export.

The parser is hardened the way defusedxml hardens its own parsers, and raises defusedxml's
exceptions: a DTD, an entity declaration or an external reference is refused at its first
line, so an entity-expansion bomb is never expanded and no external entity is ever resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NoReturn
from xml.parsers import expat

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from moderation.errors import HostileInputError, InputError
from moderation.formats.source import Source

CHUNK_BYTES = 1 << 16
# Fields are read down to this many levels below a record's element (the formats need two);
# deeper elements are skipped, so a hostile nest of elements costs linear memory, not the
# square of its depth in field names
MAX_FIELD_DEPTH = 8
Fields = dict[str, str]
# Given an element's depth (the root is 1), local name and namespace, the kind of record it
# starts (None: not a record).
RecordKind = Callable[[int, str, str], "str | None"]
# Distinct (depth, element name) pairs whose local name and kind are remembered: an export
# has a few dozen; a hostile file with endless names costs a call per element, not memory.
_MAX_KNOWN_NAMES = 4096


def _refuse_dtd(
    name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
) -> NoReturn:
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(
    name: str,
    is_parameter_entity: bool,
    value: str | None,
    base: str | None,
    sysid: str | None,
    pubid: str | None,
    notation_name: str | None,
) -> NoReturn:
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _refuse_unparsed_entity(
    name: str, base: str | None, sysid: str | None, pubid: str | None, notation_name: str | None
) -> NoReturn:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _refuse_external(
    context: str, base: str | None, sysid: str | None, pubid: str | None
) -> NoReturn:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def hardened_parser(encoding: str | None = None) -> expat.XMLParserType:
    """An expat parser (namespace and local name separated by a space) that refuses DTDs,
    entity declarations and external references. ``encoding`` overrides the document's."""
    parser = expat.ParserCreate(encoding, namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.buffer_text = True
    return parser


class _Collector:
    """Flattens record elements into ``{relative/path: text, relative/path@attr: value}``.

    Records may nest (a WordPress item holds its comments): the outer record is handed over,
    with the fields read so far, when its first inner record starts (fields after its inner
    records are not read), or when it ends.
    """

    def __init__(self, kind_of: RecordKind):
        self.kind_of = kind_of
        self.path: list[str] = []
        self.buffers: list[list[str] | None] = []
        self.open: list[tuple[str, str, int, Fields]] = []  # kind, namespace, depth, fields
        self.sent: set[int] = set()  # ids of field dicts already handed over
        self.done: list[tuple[str, str, Fields]] = []  # kind, namespace, fields
        # (depth, expat name) -> (local name, namespace, kind): one lookup per element
        self.known: dict[tuple[int, str], tuple[str, str, str | None]] = {}

    def _name(self, depth: int, name: str) -> tuple[str, str, str | None]:
        namespace, _, local = name.rpartition(" ")
        found = (local, namespace, self.kind_of(depth, local, namespace))
        if len(self.known) < _MAX_KNOWN_NAMES:
            self.known[depth, name] = found
        return found

    def start(self, name: str, attrs: dict[str, str]) -> None:
        path = self.path
        depth = len(path) + 1
        local, namespace, kind = self.known.get((depth, name)) or self._name(depth, name)
        path.append(local)
        opened = self.open
        if kind is not None:
            if opened and id(opened[-1][3]) not in self.sent:
                outer = opened[-1]
                self.sent.add(id(outer[3]))
                # a copy: fields after the inner records would otherwise reach the reader or
                # not, as the chunks fall; handed over as they stand, they never do
                self.done.append((outer[0], outer[1], dict(outer[3])))
            fields = {"@" + k.rpartition(" ")[2]: v for k, v in attrs.items()}
            opened.append((kind, namespace, depth, fields))
            self.buffers.append(None)
        elif not opened or depth - opened[-1][2] > MAX_FIELD_DEPTH:
            self.buffers.append(None)  # outside records, or nested too deep to be a field
        else:
            if attrs:
                key = "/".join(path[opened[-1][2] :])
                fields = opened[-1][3]
                for attr, value in attrs.items():
                    fields[f"{key}@{attr.rpartition(' ')[2]}"] = value
            self.buffers.append([])

    def characters(self, data: str) -> None:
        buffer = self.buffers[-1]
        if buffer is not None:
            buffer.append(data)

    def end(self, name: str) -> None:
        buffer = self.buffers.pop()
        path = self.path
        opened = self.open
        if opened and opened[-1][2] == len(path):
            kind, namespace, _, fields = opened.pop()
            if id(fields) in self.sent:
                self.sent.discard(id(fields))
            else:
                self.done.append((kind, namespace, fields))
        elif buffer is not None:
            _, _, depth, fields = opened[-1]
            key = path[-1] if depth == len(path) - 1 else "/".join(path[depth:])
            fields[key] = buffer[0] if len(buffer) == 1 else "".join(buffer)
        path.pop()


def iter_records(source: Source, kind_of: RecordKind) -> Iterator[tuple[str, str, Fields]]:
    """``(kind, namespace, fields)`` for each record element, in document order."""
    parser = hardened_parser(source.requested_encoding)
    collector = _Collector(kind_of)
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.characters
    try:
        with source.open_binary() as fh:
            while True:
                chunk = fh.read(CHUNK_BYTES)
                parser.Parse(chunk, not chunk)
                yield from collector.done
                collector.done.clear()
                if not chunk:
                    return
    except DefusedXmlException as err:
        raise HostileInputError(
            source.path,
            f"refused: the XML declares a DTD, entities or external references "
            f"({type(err).__name__}), which comment exports never need and which can be used "
            "to attack the reader",
            line=parser.CurrentLineNumber,
        ) from None
    except (ValueError, LookupError) as err:  # expat: an encoding it cannot read (UTF-7)
        raise InputError(
            source.path,
            f"the XML declares an encoding that cannot be read ({err})",
            line=parser.CurrentLineNumber,
            hint="convert the file to UTF-8 and fix its <?xml ... encoding=...?> line",
        ) from None
    except expat.ExpatError as err:
        yield from collector.done
        source.report.bad(
            InputError(
                source.path,
                f"XML is not well-formed ({expat.ErrorString(err.code)}); the rest of "
                "the file cannot be read",
                line=err.lineno,
                hint="is the export truncated?",
            )
        )
