"""Flagging a whole export (``moderation flag``), so that memory does not grow with it and every
core works: one process reads the export as one partition (``flag_partition``); with two or
more, a JSONL, CSV or TSV export is cut into blocks that worker processes flag as partitions
(the plan a Dask cluster carries out too), and another export is scored in a second process
while this one reads. Either way the rows are those of one process, byte for byte."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from moderation.comments import Comment
from moderation.files import atomic_output, check_outputs
from moderation.flagging.chunk import as_language_models, chunk_rows
from moderation.flagging.partition import FlagResult, Partition, PartitionFlags, flag_partition
from moderation.flagging.partitions import flag_in_partitions
from moderation.flagging.workers import LocalPool, ScoringWorker
from moderation.flagging.writers import RowFormat, RowWriter, check_output_format, row_format
from moderation.formats import BLOCK_FORMATS, ParseReport, ReadOptions, open_export, read_export
from moderation.formats.source import InputURL, input_size, is_url
from moderation.model.multilingual import LanguageModels, LanguageThresholds, load_models

if TYPE_CHECKING:
    from moderation.model.directory import Model

__all__ = [
    "FlagResult",
    "PartitionFlags",
    "default_processes",
    "fixed_columns",
    "flag_export",
    "flag_file",
    "prepare_run",
    "run_summary",
]

# Blocks of this many bytes for the local workers: small enough that the rows of the blocks
# in flight stay a few MB, large enough that planning costs little (~10,000 comments each).
LOCAL_BLOCK_BYTES = 4 << 20


def flag_export(
    path: str | Path | InputURL,
    out: BinaryIO,
    *,
    model: Model | LanguageModels,
    thresholds: Any = None,
    output_name: str | None = None,
    format: str = "auto",
    options: ReadOptions | None = None,
    only_flagged: bool = False,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
    block_bytes: int = LOCAL_BLOCK_BYTES,
) -> FlagResult:
    """Flag every comment of the export at ``path``, writing rows to ``out`` (JSONL, or CSV
    or TSV when ``output_name`` ends in .csv or .tsv), in ``processes`` processes. ``model``
    is one model per language (``load_models``) with thresholds per language, or one model
    that scores every comment, with its thresholds (None: the models' own).
    ``progress(comments, bytes_read)`` is called after each chunk or block."""
    options = options or ReadOptions()
    model, thresholds = as_language_models(model, thresholds)
    writer = RowWriter(out, row_format(output_name, model.labels))
    report = ParseReport(str(path), skip_bad=options.skip_bad)
    open_export(path, format, options, report)
    size = input_size(path)
    if processes > 1 and report.format in BLOCK_FORMATS and size > block_bytes:
        fixed = fixed_columns(writer.format, str(path), report.format, options)
        writer.format = fixed
        with LocalPool(model, thresholds, fixed, only_flagged, workers=processes) as pool:
            result = flag_in_partitions(
                pool,
                report,
                options,
                lambda part, flags: writer.write_bytes(flags.data),
                block_bytes=block_bytes,
                progress=progress,
            )
    else:
        scorer = ScoringWorker(model, thresholds) if processes > 1 else None
        try:
            flags = flag_partition(
                Partition(str(path), report.format or format, options),
                model,
                thresholds,
                writer.format,
                only_flagged=only_flagged,
                writer=writer,
                scorer=scorer,
                progress=progress,
            )
        finally:
            if scorer is not None:
                scorer.close()
        result = FlagResult(flags.report, flags.summary, flags.written)
    writer.close()
    return result


def fixed_columns(row_format: RowFormat, path: str, format: str, options: ReadOptions) -> RowFormat:
    """``row_format`` with its CSV columns fixed by the export's first comment, so that
    partitions encoded apart share one header (JSON lines need nothing)."""
    if not row_format.tabular or row_format.columns is not None:
        return row_format
    report = ParseReport(path, skip_bad=True)
    with closing(read_export(path, format=format, options=options, report=report)) as records:
        for record in records:
            if isinstance(record, Comment):
                return row_format.with_columns(chunk_rows([record]).rows[0])
    return row_format


def prepare_run(
    outputs: dict[str, Path | None],
    inputs: list[Any],
    output: Path | None,
    model: Path | None,
    thresholds: list[str] | None,
    language: str | None = None,
) -> tuple[LanguageModels, LanguageThresholds]:
    """What ``flag`` checks and loads before any comment is read, on one machine or a
    cluster: outputs that are not inputs, an output format the writers write, the models
    (``load_models``: ``--model`` for its language, else each language's active model; only
    ``language``'s with it) and their thresholds with ``LABEL=P`` overrides."""
    check_outputs(outputs, [path for path in inputs if path is None or not is_url(path)])
    check_output_format(output)
    loaded = load_models(model, language=language).with_thresholds(thresholds or [])
    return loaded, loaded.thresholds


def run_summary(
    summary_path: Path | None,
    model: Model | LanguageModels,
    thresholds: Any,
    result: Any,
    **inputs: Any,
) -> dict[str, Any]:
    """The run's summary as JSON (``inputs`` first: what was read), written to
    ``summary_path`` when given. ``model`` and ``thresholds``: of the site's main language;
    ``models``: per language, the model that read it and its thresholds."""
    reports = getattr(result, "reports", None) or [result.report]
    models, thresholds = as_language_models(model, thresholds)
    data = {
        **inputs,
        "model": models.id,
        "thresholds": thresholds[models.main],
        "models": {
            code: {"model": entry["model"], "thresholds": thresholds[code]}
            for code, entry in models.describe().items()
        },
        "declared_language": models.declared,
        "written": result.written,
        "skipped": [str(e) for report in reports for e in report.skipped],
        "warnings": [w for report in reports for w in report.warnings],
        **result.summary.to_dict(),
    }
    if summary_path is not None:
        with atomic_output(summary_path) as handle:
            handle.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data


def flag_file(
    input: Path | InputURL,
    *,
    output: Path | None = None,
    summary: Path | None = None,
    model: Path | None = None,
    thresholds: list[str] | None = None,
    format: str = "auto",
    options: ReadOptions | None = None,
    only_flagged: bool = False,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    language: str | None = None,
) -> tuple[dict[str, Any], FlagResult]:
    """``moderation flag``: flag every comment of ``input`` into ``output`` (JSONL, or CSV/TSV
    by extension; stdout when None) with the model of each comment's language (``model`` in
    place of the active one of the language it reads; with ``language``, that language's
    model scores every comment), in ``processes`` processes (default: one per core, at most
    two), and return the summary as JSON and the run's result. Nothing appears at ``output``
    or ``summary`` unless the whole export was read."""
    loaded, chosen = prepare_run(
        {"-o": output, "--summary": summary}, [input], output, model, thresholds, language
    )
    with atomic_output(output, binary=True) as out:
        result = flag_export(
            input,
            out,
            model=loaded,
            thresholds=chosen,
            output_name=str(output) if output else None,
            format=format,
            options=options,
            only_flagged=only_flagged,
            progress=progress,
            processes=processes or default_processes(),
        )
    data = run_summary(
        summary, loaded, chosen, result, input=str(input), format=result.report.format
    )
    return data, result


def default_processes() -> int:
    """One process per core, at most two: every core reads, tracks threads and scores."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1
