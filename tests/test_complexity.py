"""ruff's complexity rule (C901) with its exceptions: every function over the limit is listed
in pyproject.toml (``[tool.complexity-exceptions]``) with its complexity when it was
listed, and the list only shrinks: a listed function that grew fails, and one that got simpler
must have its figure lowered (or be taken off once it is under the limit)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["moderation", "tests"]


def over_the_limit(root: Path = ROOT) -> dict[str, int]:
    """``path:function`` -> complexity of every function ruff finds over the limit."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "C901", "--output-format", "json"]
        + ["--exit-zero", *CHECKED],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    found: dict[str, int] = {}
    for finding in json.loads(done.stdout):
        name, complexity = re.match(r"`(.+)` is too complex \((\d+) >", finding["message"]).groups()
        where = f"{Path(finding['filename']).resolve().relative_to(root)}:{name}"
        found[where] = max(found.get(where, 0), int(complexity))
    return found


def listed(root: Path = ROOT) -> dict[str, int]:
    config = tomllib.loads((root / "pyproject.toml").read_text())
    return config["tool"]["complexity-exceptions"]


def complexity_problems(found: dict[str, int], allowed: dict[str, int]) -> list[str]:
    """What is wrong with the exceptions list, given what ruff found: nothing when every
    function over the limit is listed at exactly its complexity."""
    problems = []
    for where, complexity in sorted(found.items()):
        if where not in allowed:
            problems.append(f"{where} is too complex ({complexity}): split it")
        elif complexity > allowed[where]:
            problems.append(f"{where} grew from {allowed[where]} to {complexity}: split it")
        elif complexity < allowed[where]:
            problems.append(f"{where} is down to {complexity}: lower it in pyproject.toml")
    for where in sorted(set(allowed) - set(found)):
        problems.append(f"{where} is under the limit now (or gone): take it off the list")
    return problems


def test_every_function_over_the_complexity_limit_is_listed_at_its_complexity():
    assert complexity_problems(over_the_limit(), listed()) == []


@pytest.mark.parametrize(
    ("found", "problem"),
    [
        ({"moderation/a.py:f": 12, "moderation/a.py:g": 13}, "is too complex (12)"),
        ({"moderation/a.py:g": 14}, "grew from 13 to 14"),
        ({"moderation/a.py:g": 12}, "is down to 12"),
        ({}, "take it off the list"),
    ],
)
def test_the_list_can_only_shrink(found, problem):
    problems = complexity_problems(found, {"moderation/a.py:g": 13})
    assert len(problems) == 1 and problem in problems[0]
