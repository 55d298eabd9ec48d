"""``moderation flag --dask ADDRESS``: the same flagging on a Dask cluster, with the rows of one
process (see ``moderation.flagging.partitions`` for how blocks are read and threads that span
blocks are tracked). Dask is an optional extra: ``pip install 'moderation[dask]'``."""

from __future__ import annotations

import glob
import json
import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.errors import UsageError
from moderation.files import atomic_output, check_outputs
from moderation.flagging.partitions import (
    MAX_THREADS,
    BlockFlags,
    BlockScan,
    extract_threads,
    flag_block,
    flag_whole_file,
    restarts,
    scan_block,
    track_threads,
)
from moderation.flagging.summary import FlagSummary
from moderation.formats import BLOCK_FORMATS, ParseReport, ReadOptions, open_export, orphans_warning
from moderation.formats.blocks import count_block, cuts, plan_blocks
from moderation.formats.source import Source

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


@dataclass
class DaskResult:
    reports: list[ParseReport]
    summary: FlagSummary
    written: int = 0
    parts: list[dict[str, Any]] = field(default_factory=list)


def flag_on_dask(
    client: Any,
    inputs: list[str],
    write: Callable[[int, BlockFlags], None],
    *,
    model: Any,
    thresholds: dict[str, float],
    format: str = "auto",
    options: ReadOptions | None = None,
    only_flagged: bool = False,
    block_bytes: int = BLOCK_BYTES,
) -> DaskResult:
    """Flag every comment of ``inputs`` on the cluster behind ``client``. ``write(part,
    flags)`` is called with each partition's rows in input order; the summary is the merge of
    the partitions' summaries."""
    options = options or ReadOptions()
    # The model as the result of a task: each worker fetches it once and keeps it while the
    # run holds the future, and if the workers holding it die the scheduler computes it again
    # (scattered data would be lost with them).
    model_future = client.submit(_the_model, model, key=f"model-{model.id}-{os.getpid()}")
    summary = FlagSummary()
    result = DaskResult([], summary)
    part = 0
    for path in inputs:
        report = ParseReport(path, skip_bad=options.skip_bad)
        source = _detected(path, format, options, report)
        if report.format in BLOCK_FORMATS and source.splits_into_blocks:
            jobs = _block_jobs(
                client,
                path,
                report.format,
                options,
                block_bytes,
                model_future,
                thresholds,
                only_flagged,
            )
        else:
            jobs = iter(
                [
                    client.submit(
                        flag_whole_file,
                        path,
                        report.format,
                        options,
                        model_future,
                        thresholds,
                        only_flagged,
                        pure=False,
                    )
                ]
            )
        threads: set[str] = set()
        orphans, blocks = 0, False
        for flags in _in_order(jobs, window=_window(client)):
            write(part, flags)
            result.parts.append({"input": path, "rows": flags.written})
            part += 1
            summary.merge(flags.summary)
            result.written += flags.written
            _merge_report(report, flags.report)
            if flags.block:  # a whole file's report counts its threads and orphans itself
                blocks = True
                threads |= flags.threads
                orphans += flags.orphans
        if blocks:
            report.threads = len(threads)
            if orphans:
                report.warn(orphans_warning(orphans))
        report.warnings = list(dict.fromkeys(report.warnings))  # the encoding note once
        result.reports.append(report)
    return result


def _the_model(model: Any) -> Any:
    return model


def _window(client: Any) -> int:
    workers = len(client.scheduler_info().get("workers", {})) or 1
    return 2 * workers + 1


def _in_order(jobs: Iterator[Any], window: int) -> Iterator[BlockFlags]:
    """The results of ``jobs`` (futures, in order), at most ``window`` of them pending, so
    results wait on the workers only a little ahead of the writing."""
    pending: deque = deque()
    for job in jobs:
        pending.append(job)
        if len(pending) >= window:
            future = pending.popleft()
            yield future.result()
            future.release()
    while pending:
        future = pending.popleft()
        yield future.result()
        future.release()


def _detected(path: str, format: str, options: ReadOptions, report: ParseReport) -> Source:
    return open_export(path, format, options, report)


def _block_jobs(
    client: Any,
    path: str,
    format: str,
    options: ReadOptions,
    block_bytes: int,
    model: Any,
    thresholds: dict[str, float],
    only_flagged: bool,
) -> Iterator[Any]:
    """The futures of ``flag_block`` for each block of one JSONL, CSV or TSV file, once the
    blocks are planned and the threads that span them tracked."""
    size = Path(path).stat().st_size
    counted = client.gather(
        [client.submit(count_block, path, s, e, pure=False) for s, e in cuts(size, block_bytes)]
    )
    plans = plan_blocks(counted)
    scans: list[BlockScan] = client.gather(
        [
            client.submit(scan_block, path, i, plan, format, options, pure=False)
            for i, plan in enumerate(plans)
        ]
    )
    for before, after in zip(scans, scans[1:]):
        if before.stopped_at != after.span.start:  # not cut between records: one partition
            yield client.submit(
                flag_whole_file,
                path,
                format,
                options,
                model,
                thresholds,
                only_flagged,
                pure=False,
            )
            return
    runs = [run for scan in scans for run in scan.runs]
    again = restarts(runs, MAX_THREADS)
    blocks_of: dict[str, list[int]] = defaultdict(list)
    for scan in scans:
        for thread in dict.fromkeys(t for t, _ in scan.runs):
            blocks_of[thread].append(scan.index)
    spanning = {t for t, blocks in blocks_of.items() if len(blocks) > 1}
    gathered: dict[str, list] = defaultdict(list)
    missing: dict[int, set[str]] = defaultdict(set)
    for thread in spanning:
        for index in blocks_of[thread]:
            if thread not in scans[index].edges:
                missing[index].add(thread)
    extracted = dict(
        zip(
            missing,
            client.gather(
                [
                    client.submit(
                        extract_threads,
                        path,
                        index,
                        scans[index].span,
                        format,
                        options,
                        threads,
                        pure=False,
                    )
                    for index, threads in missing.items()
                ]
            ),
        )
    )
    for thread in spanning:
        for index in blocks_of[thread]:
            found = scans[index].edges.get(thread) or extracted[index][thread]
            gathered[thread].extend(found)
    tracked_by_block: dict[int, dict] = defaultdict(dict)
    if gathered:
        buckets = _buckets(sorted(gathered), len(scans))
        results = client.gather(
            [
                client.submit(
                    track_threads,
                    [item for thread in bucket for item in gathered[thread]],
                    {t: again[t] for t in bucket if t in again},
                    pure=False,
                )
                for bucket in buckets
            ]
        )
        for tracked in results:
            for position, value in tracked.items():
                tracked_by_block[position[0]][position] = value
    for scan in scans:
        mine = {t: again[t] for t in dict.fromkeys(t for t, _ in scan.runs) if t in again}
        yield client.submit(
            flag_block,
            path,
            scan.index,
            scan.span,
            format,
            options,
            model,
            thresholds,
            only_flagged,
            mine,
            tracked_by_block.get(scan.index, {}),
            pure=False,
        )


def _buckets(threads: list[str], count: int) -> list[list[str]]:
    count = max(1, min(count, len(threads)))
    return [threads[i::count] for i in range(count)]


def _merge_report(into: ParseReport, part: ParseReport) -> None:
    into.format = into.format or part.format
    into.comments += part.comments
    into.labelled += part.labelled
    into.threads += part.threads
    into.skipped += part.skipped
    into.warnings += part.warnings


MANIFEST = "manifest.json"


def part_name(part: int) -> str:
    return f"part-{part:05d}.jsonl"


def expand_inputs(inputs: list[str]) -> list[str]:
    """Files and globs (``exports/*.jsonl``), in the order given (a glob's matches sorted)."""
    found: list[str] = []
    for item in inputs:
        if any(ch in item for ch in "*?["):
            matches = sorted(glob.glob(item))
            if not matches:
                raise UsageError(f"{item}: no file matches")
            found += matches
        else:
            found.append(item)
    return found


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
) -> tuple[dict[str, Any], DaskResult]:
    """``moderation flag INPUT... --dask ADDRESS``: the rows of ``flag_file`` for each input in
    turn, into ``output`` (JSON lines; stdout when None) in input order, or with ``output_dir``
    one part file per partition in the folder ``output`` and a manifest written last."""
    from moderation.model.registry import load_model
    from moderation.model.scoring import parse_thresholds

    paths = expand_inputs(inputs)
    if output is not None and not output_dir and output.suffix.lower() in (".csv", ".tsv"):
        raise UsageError("--dask writes JSON lines; give -o a .jsonl name or a folder (DIR/)")
    check_outputs({"-o": None if output_dir else output, "--summary": summary}, paths)
    if output is not None and output_dir:
        if output.exists() and not output.is_dir():
            raise UsageError(f"{output}: is a file; -o DIR/ names a folder")
        if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).exists():
            raise UsageError(f"{output}: is not empty and holds no {MANIFEST}; choose a new folder")
    loaded = load_model(model)
    chosen = parse_thresholds(thresholds or [], loaded.thresholds, loaded.labels)
    own_client = client is None
    client = client or connect(address)
    try:
        if output is not None and output_dir:
            output.mkdir(parents=True, exist_ok=True)
            (output / MANIFEST).unlink(missing_ok=True)  # incomplete until written again

            def write_part(part: int, flags: BlockFlags) -> None:
                with atomic_output(output / part_name(part), binary=True) as fh:
                    fh.write(flags.data)

            result = flag_on_dask(
                client,
                paths,
                write_part,
                model=loaded,
                thresholds=chosen,
                format=format,
                options=options,
                only_flagged=only_flagged,
                block_bytes=block_bytes,
            )
            names = [part_name(i) for i in range(len(result.parts))]
            for stale in output.glob("part-*.jsonl"):
                if stale.name not in names:
                    stale.unlink()
            with atomic_output(output / MANIFEST) as fh:
                fh.write(manifest_json(manifest(result, names)))
        else:
            with atomic_output(output, binary=True) as out:
                result = flag_on_dask(
                    client,
                    paths,
                    lambda part, flags: out.write(flags.data),
                    model=loaded,
                    thresholds=chosen,
                    format=format,
                    options=options,
                    only_flagged=only_flagged,
                    block_bytes=block_bytes,
                )
    finally:
        if own_client:
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
    data = {
        "inputs": paths,
        "formats": [report.format for report in result.reports],
        "model": loaded.id,
        "thresholds": chosen,
        "written": result.written,
        "partitions": len(result.parts),
        "skipped": [str(e) for report in result.reports for e in report.skipped],
        "warnings": [w for report in result.reports for w in report.warnings],
        **result.summary.to_dict(),
    }
    if summary is not None:
        with atomic_output(summary) as handle:
            handle.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data, result


def manifest(result: DaskResult, names: list[str]) -> dict[str, Any]:
    """What ``-o DIR/`` holds, written last: the folder is complete once it exists."""
    return {
        "parts": [{"file": name, **part} for name, part in zip(names, result.parts)],
        "rows": result.written,
        "inputs": [report.path for report in result.reports],
    }


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
