"""Downloading datasets from their pinned upstream URLs: checksum-verified, resumable, and
clear when the network is not there.

A file is downloaded to ``NAME.part`` beside its destination; an interrupted download resumes
from the bytes already there (HTTP Range), and the file takes its real name only once its
SHA-256 matches the registry.

A download reads no more than the registry's size for the file (an endless response cannot
fill the disk), and gives up when the server stalls: no byte for ``timeout`` seconds, or less
than ``MIN_BYTES_PER_WINDOW`` in any ``timeout``-second window (a byte every few seconds would
otherwise never end). A transfer cut short keeps its ``.part`` file for the next run to resume;
only a complete file with the wrong checksum is deleted.
"""

from __future__ import annotations

import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moderation.datasets.catalogue import Dataset, DatasetFile, dataset
from moderation.errors import FetchError
from moderation.files import sha256_file

Progress = Callable[[str], None]
CHUNK = 1 << 16
MIN_BYTES_PER_WINDOW = 4096  # slower than this per `timeout` seconds is a stalled download


class _Stalled(Exception):
    pass


def _copy_capped(response: Any, handle: Any, limit: int, timeout: float) -> None:
    """Copy at most ``limit`` bytes of ``response`` to ``handle``, each block as it arrives;
    raise ``_Stalled`` when a ``timeout``-second window brings too few bytes."""
    read = getattr(response, "read1", response.read)
    window_start, window_bytes = time.monotonic(), 0
    while limit > 0:
        block = read(min(CHUNK, limit))
        if not block:
            return
        handle.write(block)
        limit -= len(block)
        window_bytes += len(block)
        now = time.monotonic()
        if now - window_start >= timeout:
            if window_bytes < MIN_BYTES_PER_WINDOW:
                raise _Stalled(f"{window_bytes} byte(s) in {now - window_start:.0f} s")
            window_start, window_bytes = now, 0


def _verify(path: Path, item: DatasetFile) -> bool:
    if not path.is_file() or path.stat().st_size != item.size:
        return False
    return sha256_file(path) == item.sha256


def _open(url: str, start: int, timeout: float) -> Any:  # an HTTP response (typeshed: Any)
    request = urllib.request.Request(url, headers={"User-Agent": "moderation-datasets"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - https/http only


def fetch_file(
    item: DatasetFile,
    dest: Path,
    *,
    url: str | None = None,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> str:
    """Download one file to ``dest / item.name``; returns "present", "downloaded" or
    "resumed"."""
    target = dest / item.name
    if _verify(target, item):
        return "present"
    url = url or item.url
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"{url}: only http(s) downloads are supported")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    start = partial.stat().st_size if partial.exists() else 0
    if start > item.size:
        partial.unlink()
        start = 0
    try:
        response = _open(url, start, timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and start:  # the partial file is already complete
            response = None
        else:
            raise FetchError(
                f"{url}: the server answered {err.code} {err.reason}; check the "
                "address or copy the file by hand"
            ) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise FetchError(
            f"{url}: cannot download ({reason}); are you offline? Copy the "
            f"dataset into {dest} by hand, or use `moderation datasets prepare "
            "--from DIR` with a local copy"
        ) from None
    resumed = False
    if response is not None:
        with response:
            resumed = start > 0 and response.status == 206
            mode = "ab" if resumed else "wb"
            have = start if resumed else 0
            try:
                with open(partial, mode) as handle:
                    _copy_capped(response, handle, item.size - have, timeout)
            except (OSError, urllib.error.URLError, http.client.HTTPException, _Stalled) as err:
                kind = "stalled" if isinstance(err, _Stalled) else "stopped"
                raise FetchError(
                    f"{url}: the download {kind} ({err or type(err).__name__}); what arrived "
                    f"is kept in {partial}; run the same command again to resume it"
                ) from None
    size = partial.stat().st_size if partial.exists() else 0
    if size < item.size:
        raise FetchError(
            f"{url}: the transfer ended early ({size:,} of {item.size:,} bytes); what arrived "
            f"is kept in {partial}; run the same command again to resume it"
        )
    if not _verify(partial, item):
        partial.unlink()
        raise FetchError(
            f"{url}: the downloaded file ({size:,} bytes) does not match the "
            f"pinned SHA-256 {item.sha256[:12]}...; it was deleted; try again, "
            "and report it if it persists"
        )
    os.replace(partial, target)
    if progress:
        progress(
            f"{item.name}: {'resumed and ' if resumed else ''}downloaded "
            f"({item.size:,} bytes, checksum ok)"
        )
    return "resumed" if resumed else "downloaded"


def fetch_dataset(
    dataset: Dataset,
    dest: str | Path,
    *,
    base_url: str | None = None,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> list[str]:
    """Download every file of ``dataset`` into ``dest`` (the layout of ``../shared/datasets``).
    ``base_url`` replaces ``https://raw.githubusercontent.com`` (a mirror, or a test server)."""
    dest = Path(dest)
    if not dataset.downloadable:
        raise FetchError(
            f"{dataset.name}: its local file is derived from several upstream files "
            f"({dataset.files[0].repo}) and cannot be downloaded as is; use a "
            "local copy with --from"
        )
    outcomes = []
    for item in dataset.files:
        url = None
        if base_url:
            url = item.url.replace("https://raw.githubusercontent.com", base_url.rstrip("/"), 1)
        outcomes.append(fetch_file(item, dest, url=url, timeout=timeout, progress=progress))
    return outcomes


def fetch_datasets(
    names: list[str],
    dest: Path,
    base_url: str | None = None,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> dict[str, list[str]]:
    """``moderation datasets fetch``: each named dataset downloaded into ``dest``; per
    dataset, what happened to each file."""
    chosen = [dataset(name) for name in names]
    return {
        d.name: fetch_dataset(d, dest, base_url=base_url, timeout=timeout, progress=progress)
        for d in chosen
    }
