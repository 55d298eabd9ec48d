"""Helpers for tests that talk to a real server over HTTP: a JSON POST, and a small export
to review (invented comments)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def post_json(base: str, path: str, body: Any, timeout: float = 60) -> tuple[int, Any]:
    """``(status, parsed JSON body)`` of a JSON POST; an error status is returned, not raised."""
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def write_review_export(path: Path, count: int) -> Path:
    """An export of ``count`` invented comments of one thread, ids r0, r1, ..."""
    path.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "thread_id": "t", "text": f"Review comment number {i}."})
            + "\n"
            for i in range(count)
        )
    )
    return path
