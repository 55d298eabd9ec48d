"""``moderation flag --dask ADDRESS``: the same flagging on a Dask cluster, with the rows of one
process: the cluster's workers carry out the plan of ``moderation.flagging.partitions`` (blocks
of JSONL, CSV and TSV files, other exports whole), each partition flagged by
``flag_partition``, the function one process runs on a whole export. Dask is an optional
extra: ``pip install 'moderation[dask]'``."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moderation.errors import UsageError
from moderation.files import atomic_output
from moderation.flagging.chunk import as_language_models
from moderation.flagging.partition import Partition, PartitionFlags, flag_partition
from moderation.flagging.partitions import flag_in_partitions
from moderation.flagging.stream import fixed_columns, prepare_run, run_summary
from moderation.flagging.summary import FlagSummary
from moderation.flagging.writers import RowFormat, RowWriter, row_format
from moderation.formats import ParseReport, ReadOptions, open_export
from moderation.formats.source import is_url

if TYPE_CHECKING:
    from moderation.model.directory import Model
    from moderation.model.multilingual import LanguageModels

INSTALL = "pip install 'moderation[dask]'"
BLOCK_BYTES = 32 << 20


def connect(address: str) -> Any:
    """A Dask client: ``local`` or ``local:N`` starts a local cluster of N worker processes
    (default: one per core), anything else is a scheduler address (``tcp://host:8786``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(f"--dask needs Dask, an optional extra: {INSTALL}") from None
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and not count.isdigit() or count == "0":
            raise UsageError(f"--dask {address!r}: write local or local:N, N a number of workers")
        workers = int(count) if count else (os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster)
    try:
        return Client(address, timeout="20s")
    except (OSError, ValueError) as err:
        raise UsageError(f"--dask {address}: no Dask scheduler there ({err})") from None


class DaskRunner:
    """The plan's tasks as Dask tasks (``moderation.flagging.partitions.Runner``). The model
    reaches each worker once, as the result of one task: a worker keeps it while the run
    holds the future, and if the workers holding it die the scheduler computes it again
    (scattered data would be lost with them)."""

    def __init__(
        self,
        client: Any,
        model: LanguageModels,
        thresholds: dict[str, dict[str, float]],
        row_format: RowFormat,
        only_flagged: bool,
    ):
        self.client = client
        self.model = client.submit(_the_model, model, key=f"model-{model.id}-{os.getpid()}")
        self.settings = (thresholds, row_format)
        self.only_flagged = only_flagged
        self.workers = len(client.scheduler_info().get("workers", {})) or 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def flag(self, part: Partition) -> Any:
        return self.client.submit(
            flag_partition,
            part,
            self.model,
            *self.settings,
            only_flagged=self.only_flagged,
            pure=False,
        )


def _the_model(model: LanguageModels) -> LanguageModels:
    return model


@dataclass
class DaskResult:
    reports: list[ParseReport]
    summary: FlagSummary
    written: int = 0
    parts: list[dict[str, Any]] = field(default_factory=list)


def flag_on_dask(
    client: Any,
    inputs: list[str],
    write: Callable[[int, PartitionFlags], None],
    *,
    model: Model | LanguageModels,
    thresholds: Any,
    row_format: RowFormat,
    format: str = "auto",
    options: ReadOptions | None = None,
    only_flagged: bool = False,
    block_bytes: int = BLOCK_BYTES,
) -> DaskResult:
    """Flag every comment of ``inputs`` on the cluster behind ``client``. ``write(part,
    flags)`` is called with each partition's rows in input order; the summary is the merge of
    the partitions' summaries."""
    options = options or ReadOptions()
    model, thresholds = as_language_models(model, thresholds)
    runner = DaskRunner(client, model, thresholds, row_format, only_flagged)
    result = DaskResult([], FlagSummary())
    for path in inputs:
        report = ParseReport(path, skip_bad=options.skip_bad)
        open_export(path, format, options, report)

        def written(part: Partition, flags: PartitionFlags, path: str = path) -> None:
            write(len(result.parts), flags)
            result.parts.append({"input": path, "rows": flags.written})

        flagged = flag_in_partitions(runner, report, options, written, block_bytes=block_bytes)
        result.summary.merge(flagged.summary)
        result.written += flagged.written
        result.reports.append(report)
    return result


MANIFEST = "manifest.json"


def part_name(part: int, row_format: RowFormat | None = None) -> str:
    return f"part-{part:05d}.{row_format.kind if row_format else 'jsonl'}"


def expand_inputs(inputs: list[str]) -> list[str]:
    """Files, URLs and globs of either (``exports/*.jsonl``, ``s3://bucket/2024-*.csv``), in
    the order given (a glob's matches sorted)."""
    found: list[str] = []
    for item in inputs:
        if any(ch in item for ch in "*?["):
            matches = sorted(_url_glob(item) if is_url(item) else glob.glob(item))
            if not matches:
                raise UsageError(f"{item}: no file matches")
            found += matches
        else:
            found.append(item)
    return found


def _url_glob(pattern: str) -> list[str]:
    """The URLs that match ``pattern`` (``s3://bucket/exports/*.jsonl``), through fsspec."""
    import fsspec

    fs, inner = fsspec.core.url_to_fs(pattern)
    protocol = pattern.partition("://")[0]
    return [
        f"{protocol}://{name.lstrip('/') if protocol != 'file' else name}"
        for name in fs.glob(inner)
    ]


def flag_files_on_dask(
    inputs: list[str],
    address: str,
    *,
    output: Path | None = None,
    output_dir: bool = False,
    summary: Path | None = None,
    model: Path | None = None,
    thresholds: list[str] | None = None,
    format: str = "auto",
    options: ReadOptions | None = None,
    only_flagged: bool = False,
    block_bytes: int = BLOCK_BYTES,
    client: Any = None,
    language: str | None = None,
) -> tuple[dict[str, Any], DaskResult]:
    """``moderation flag INPUT... --dask ADDRESS``: the rows of ``flag_file`` for each input in
    turn, into ``output`` (JSON lines; stdout when None) in input order, or with ``output_dir``
    one part file per partition in the folder ``output`` and a manifest written last."""
    paths = expand_inputs(inputs)
    if output is not None and output_dir:
        if output.exists() and not output.is_dir():
            raise UsageError(f"{output}: is a file; -o DIR/ names a folder")
        if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).exists():
            raise UsageError(f"{output}: is not empty and holds no {MANIFEST}; choose a new folder")
    loaded, chosen = prepare_run(
        {"-o": None if output_dir else output, "--summary": summary},
        paths,
        output,
        model,
        thresholds,
        language,
    )
    options = options or ReadOptions()
    rows = row_format(output, loaded.labels)
    if paths and rows.tabular:
        first = ParseReport(paths[0], skip_bad=options.skip_bad)
        open_export(paths[0], format, options, first)
        rows = fixed_columns(rows, paths[0], first.format or format, options)
    own_client = client is None
    client = client or connect(address)
    settings: dict[str, Any] = dict(
        model=loaded,
        thresholds=chosen,
        row_format=rows,
        format=format,
        options=options,
        only_flagged=only_flagged,
        block_bytes=block_bytes,
    )
    try:
        if output is not None and output_dir:
            result = _flag_into_folder(client, paths, output, rows, settings)
        else:
            with atomic_output(output, binary=True) as out:
                writer = RowWriter(out, rows)
                result = flag_on_dask(
                    client, paths, lambda part, flags: writer.write_bytes(flags.data), **settings
                )
                writer.close()
    finally:
        if own_client:
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
    data = run_summary(
        summary,
        loaded,
        chosen,
        result,
        inputs=paths,
        formats=[report.format for report in result.reports],
        partitions=len(result.parts),
    )
    return data, result


def _flag_into_folder(
    client: Any, paths: list[str], folder: Path, rows: RowFormat, settings: dict[str, Any]
) -> DaskResult:
    """One part file per partition (each CSV part with its header), the manifest last."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)  # incomplete until written again

    def write_part(part: int, flags: PartitionFlags) -> None:
        with atomic_output(folder / part_name(part, rows), binary=True) as fh:
            RowWriter(fh, rows).write_bytes(flags.data)

    result = flag_on_dask(client, paths, write_part, **settings)
    names = [part_name(i, rows) for i in range(len(result.parts))]
    for stale in folder.glob("part-*.*"):
        if stale.name not in names:
            stale.unlink()
    with atomic_output(folder / MANIFEST) as fh:
        fh.write(manifest_json(manifest(result, names)))
    return result


def manifest(result: DaskResult, names: list[str]) -> dict[str, Any]:
    """What ``-o DIR/`` holds, written last: the folder is complete once it exists."""
    return {
        "parts": [{"file": name, **part} for name, part in zip(names, result.parts)],
        "rows": result.written,
        "inputs": [report.path for report in result.reports],
    }


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
