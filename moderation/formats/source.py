"""Opening an export file: encoding, byte-order marks, line numbers, and the per-file report.

Readers never decode bytes themselves. They ask a :class:`Source` for numbered lines or for the
whole text, so that BOMs, legacy encodings, NUL bytes and bad bytes are handled, and reported
with their line, in one place.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from moderation.comments import Comment, Thread
from moderation.errors import InputError, UsageError
from moderation.files import check_regular_file, from_spreadsheet_cell

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 20 MB comment is one field

SNIFF_BYTES = 1 << 16
LONG_COMMENT_CHARS = 1 << 20  # comments longer than this are read whole and noted
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings in which every line ends in the byte b"\n", so lines can be split before decoding.
_BYTE_LINE_ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "latin-1", "iso-8859-1", "ascii"}


class InputURL(PurePosixPath):
    """An input named by a URL (``s3://bucket/export.jsonl``, ``gs://...``, ``file:///...``),
    read through fsspec so that every worker of a cluster reads the same file. Its name parts
    (``stem``, ``suffix``) are those of the path in the URL; it prints as the URL."""

    url: str

    def __new__(cls, url: str) -> InputURL:
        self = super().__new__(cls, url.partition("://")[2])
        self.url = url
        return self

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"InputURL({self.url!r})"


def is_url(path: str | os.PathLike[str]) -> bool:
    return isinstance(path, InputURL) or "://" in str(path)


def input_path(path: str | os.PathLike[str]) -> Path | InputURL:
    """A local path, or an ``InputURL`` for a name with a protocol (``s3://``)."""
    if isinstance(path, (Path, InputURL)):
        return path
    return InputURL(str(path)) if is_url(path) else Path(path)


FSSPEC = "pip install 'moderation[dask]' (it brings fsspec)"


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """An input opened for reading bytes: a local file, or a URL through fsspec."""
    if not is_url(path):
        return open(path, "rb")
    url = str(path)
    try:
        import fsspec
    except ImportError:
        raise UsageError(f"{url}: reading from a URL needs fsspec: {FSSPEC}") from None
    try:
        opened: BinaryIO = fsspec.open(url, "rb").open()
        return opened
    except (ImportError, ValueError) as err:  # no filesystem for the protocol, or its package
        raise UsageError(f"{url}: cannot be read ({err})") from None


def input_size(path: str | os.PathLike[str]) -> int:
    """The size of an input in bytes, local or by URL."""
    if not is_url(path):
        return os.path.getsize(path)
    import fsspec

    fs, inner = fsspec.core.url_to_fs(str(path))
    return int(fs.size(inner))


@dataclass
class ColumnMap:
    """Which input column holds which comment field (None: detect from common names)."""

    text: str | None = None
    id: str | None = None
    parent: str | None = None
    thread: str | None = None
    author: str | None = None
    time: str | None = None
    label: str | None = None


@dataclass
class ReadOptions:
    encoding: str | None = None
    skip_bad: bool = False
    columns: ColumnMap = field(default_factory=ColumnMap)

    @classmethod
    def of(cls, encoding: str | None, skip_bad: bool, *columns: str | None) -> ReadOptions:
        """From the options every reading command takes; ``columns`` in ``ColumnMap`` order
        (text, id, parent, thread, author, time, label)."""
        return cls(encoding=encoding, skip_bad=skip_bad, columns=ColumnMap(*columns))


def no_position() -> int:
    return 0


@dataclass
class ParseReport:
    """What happened while reading one input: counts, skipped records and warnings."""

    path: str
    skip_bad: bool = False
    format: str | None = None
    threads: int = 0
    comments: int = 0
    labelled: int = 0
    skipped: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # a block's reading (read_block) stopped here: the byte offset of the next block's record
    stopped_at: int | None = None
    # bytes of the file read so far (set by read_export), for progress bars
    position: Callable[[], int] = field(default=no_position, repr=False, compare=False)

    def bad(self, error: InputError) -> None:
        """A record cannot be read: stop the run, or with --skip-bad note it and go on."""
        if not self.skip_bad:
            raise error
        self.skipped.append(error)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def summary(self) -> str:
        return (
            f"{self.path}: {self.format or '?'}, {self.threads} thread(s), "
            f"{self.comments} comment(s), {self.labelled} labelled, "
            f"{len(self.skipped)} skipped, {len(self.warnings)} warning(s)"
        )

    def details(self, limit: int = 10) -> list[str]:
        """Lines that explain the summary: each warning and where records were skipped."""
        lines = [f"  warning: {w}" for w in self.warnings[:limit]]
        if len(self.warnings) > limit:
            lines.append(f"  ... and {len(self.warnings) - limit} more warning(s)")
        lines += [f"  skipped: {e}" for e in self.skipped[:limit]]
        if len(self.skipped) > limit:
            lines.append(f"  ... and {len(self.skipped) - limit} more skipped record(s)")
        return lines


@dataclass(frozen=True)
class ByteSpan:
    """A block of a line-based export (JSONL, CSV, TSV) read on its own: the records that
    begin at a byte offset in ``[start, end)``. ``start`` is where a record begins and
    ``first_line`` is its line number, so line numbers (and ids made from them) are those of
    reading the whole file; a record that begins before ``end`` is read to its end."""

    start: int
    end: int
    first_line: int


@dataclass(frozen=True)
class ExportFormat:
    """What a reader declares about the exports it reads. ``sniff(head, suffix)`` says from
    the first decoded bytes (and the file name's suffix, lower case) whether the file is
    surely of this format; ``read(source, options)`` streams its threads and comments.
    Detection, ``--format`` choices and help text are all derived from these declarations
    (``moderation.formats.FORMATS``)."""

    name: str
    description: str
    suffixes: tuple[str, ...]
    sniff: Callable[[str, str], bool]
    read: Callable[[Source, ReadOptions], Iterator[Thread | Comment]]


class Source:
    """One input file, with its encoding settled before any record is read."""

    def __init__(
        self, path: str | os.PathLike[str], report: ParseReport, encoding: str | None = None
    ):
        self.path = input_path(path)
        self.report = report
        if isinstance(self.path, Path) and self.path.exists():
            check_regular_file(self.path)  # a device or a FIFO would be read without end
        try:
            with open_input(self.path) as fh:
                head = fh.read(SNIFF_BYTES)
        except FileNotFoundError:
            raise InputError(path, "no such file", hint="check the path") from None
        except IsADirectoryError:
            raise InputError(path, "is a folder, not an export file") from None
        except PermissionError:
            raise InputError(path, "cannot be read (permission denied)") from None
        if not head.strip(b" \t\r\n" + codecs.BOM_UTF8):
            raise InputError(path, "the file is empty", hint="export the comments again")
        self.head = head
        self.bom_length = 0
        self._handle: BinaryIO | None = None
        self.requested_encoding = encoding
        self._guess_note: str | None = None
        self.span: ByteSpan | None = None  # read only this block of the file
        self.next_offset = 0  # in a block: the byte offset after the line last yielded
        self.stopped_at: int | None = None  # where a block's reading stopped (the next record)
        self.encoding = self._settle_encoding(head, encoding)

    def _settle_encoding(self, head: bytes, requested: str | None) -> str:
        for bom, name in _BOMS:
            if head.startswith(bom):
                self.bom_length = len(bom) if name == "utf-8-sig" else 0
                return requested or name
        if requested:
            try:
                codecs.lookup(requested)
            except LookupError:
                raise InputError(
                    self.path,
                    f"unknown encoding {requested!r}",
                    hint="use a Python codec name such as utf-8 or cp1252",
                ) from None
            return requested
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        for legacy in ("cp1252", "latin-1"):
            try:
                head.decode(legacy)
            except UnicodeDecodeError:
                continue
            self._guess_note = f"not UTF-8: read as {legacy} (pass --encoding to choose another)"
            return legacy
        raise InputError(self.path, "encoding not recognised", hint="pass --encoding")

    @property
    def head_text(self) -> str:
        """The first bytes decoded, for format detection."""
        return self.head[self.bom_length :].decode(self.encoding, errors="replace")

    def open_binary(self) -> BinaryIO:
        self._handle = open_input(self.path)
        return self._handle

    def position(self) -> int:
        """How far into the file the reader has got, in bytes (for progress bars)."""
        handle = self._handle
        if handle is None:
            return 0
        try:
            # a closed handle was read to the end
            return handle.tell() if not handle.closed else input_size(self.path)
        except (OSError, ValueError):
            return 0

    def _note_guess(self) -> None:
        """Report a guessed encoding once, when text is first decoded with it (XML readers
        never are: the XML declaration names the encoding)."""
        if self._guess_note:
            self.report.warn(self._guess_note)
            self._guess_note = None

    @property
    def _codec(self) -> str:
        """The codec for bytes after the BOM (which is skipped by hand)."""
        return "utf-8" if self.encoding == "utf-8-sig" else self.encoding

    def decode_error(self, line: int, err: UnicodeDecodeError) -> InputError:
        return InputError(
            self.path,
            f"bytes that are not {self._codec} ({err.reason})",
            line=line,
            hint="pass --encoding with the file's real encoding",
        )

    def nul_error(self, line: int) -> InputError:
        return InputError(self.path, "NUL byte in line", line=line, hint="is this a binary file?")

    @property
    def splits_into_blocks(self) -> bool:
        """Whether lines can be found in the raw bytes, so the file can be read in blocks."""
        return self.encoding.replace("_", "-").lower() in _BYTE_LINE_ENCODINGS

    def iter_lines(self, whole_records: bool = False) -> Iterator[tuple[int, str]]:
        """Yield ``(line_number, text)`` with line endings kept; decoding errors and NUL bytes are
        reported against their line (and skipped with --skip-bad)."""
        self._note_guess()
        if self.splits_into_blocks:
            yield from self._iter_byte_lines(whole_records)
            return
        if self.span is not None:
            raise ValueError(f"{self.encoding} files are not read in blocks")
        with io.TextIOWrapper(open_input(self.path), self.encoding, newline="") as fh:
            number = 0
            try:
                for number, line in enumerate(fh, 1):
                    if "\x00" in line:
                        self.report.bad(self.nul_error(number))
                        continue
                    yield number, line
            except UnicodeDecodeError as err:
                raise self.decode_error(number + 1, err) from None

    @property
    def is_utf8(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")

    def iter_raw_lines(self, whole_records: bool = False) -> Iterator[tuple[int, bytes]]:
        """UTF-8 files only: ``(line_number, bytes)`` after any BOM, for parsers that decode
        and validate UTF-8 themselves. With a ``span``, the lines that begin in it (and with
        ``whole_records``, the lines after it too: the caller stops at its record's end)."""
        with open_input(self.path) as fh:
            self._handle = fh
            span = self.span
            if span is None:
                if self.bom_length:
                    fh.read(self.bom_length)
                yield from enumerate(fh, 1)
                return
            offset, end = max(span.start, self.bom_length), span.end
            fh.seek(offset)
            for number, line in enumerate(fh, span.first_line):
                if offset >= end and not whole_records:
                    self.stopped_at = offset
                    return
                offset += len(line)
                self.next_offset = offset
                yield number, line
            self.stopped_at = offset

    def _iter_byte_lines(self, whole_records: bool = False) -> Iterator[tuple[int, str]]:
        codec = self._codec
        for number, raw in self.iter_raw_lines(whole_records):
            try:
                line = raw.decode(codec)
            except UnicodeDecodeError as err:
                self.report.bad(self.decode_error(number, err))
                continue
            if "\x00" in line:
                self.report.bad(self.nul_error(number))
                continue
            yield number, line

    def iter_csv_rows(self, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
        """Yield ``(first line of the row, fields)``; a malformed row is a bad record."""
        span = self.span
        position = 0 if span is None else span.first_line - 1
        if span is not None:
            self.next_offset = span.start

        def lines() -> Iterator[str]:
            nonlocal position
            for number, line in self.iter_lines(whole_records=span is not None):
                position = number
                yield line

        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        while True:
            start = position + 1
            if span is not None and self.next_offset >= span.end:  # the next row is not ours
                self.stopped_at = self.next_offset
                return
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                self.report.bad(
                    InputError(
                        self.path,
                        f"malformed row ({err})",
                        line=start,
                        hint="check quoting in that row",
                    )
                )
                continue
            # a cell we neutralised on writing (``spreadsheet_cell``) reads as it was
            yield start, [from_spreadsheet_cell(cell) if cell[:1] == "'" else cell for cell in row]

    def read_text(self) -> str:
        """The whole file as text, for formats that are small by nature (pages, Reddit JSON)."""
        self._note_guess()
        with open_input(self.path) as fh:
            data = fh.read()[self.bom_length :]
        try:
            text = data.decode(self._codec)
        except UnicodeDecodeError as err:
            line = data.count(b"\n", 0, err.start) + 1
            raise self.decode_error(line, err) from None
        if "\x00" in text:
            raise self.nul_error(text.count("\n", 0, text.index("\x00")) + 1)
        return text
