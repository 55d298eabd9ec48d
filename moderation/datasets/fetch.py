"""Downloading datasets from their pinned upstream URLs: checksum-verified, resumable, and
clear when the network is not there.

A file is downloaded to ``NAME.part`` beside its destination; an interrupted download resumes
from the bytes already there (HTTP Range), and the file takes its real name only once its
SHA-256 matches the registry.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from moderation.datasets.registry import Dataset, DatasetFile, dataset
from moderation.errors import FetchError
from moderation.files import sha256_file

Progress = Callable[[str], None]
CHUNK = 1 << 16


def _verify(path: Path, item: DatasetFile) -> bool:
    if not path.is_file() or path.stat().st_size != item.size:
        return False
    return sha256_file(path) == item.sha256


def _open(url: str, start: int, timeout: float):
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
            try:
                with open(partial, mode) as handle:
                    while block := response.read(CHUNK):
                        handle.write(block)
            except (OSError, urllib.error.URLError) as err:
                raise FetchError(
                    f"{url}: the download stopped ({err}); run the same command again to resume it"
                ) from None
    if not _verify(partial, item):
        size = partial.stat().st_size
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
