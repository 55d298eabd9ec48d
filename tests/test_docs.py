"""What the documentation and the comments name exists: every `moderation/....py` path and
every dotted `moderation.x.y` name in the README files, pyproject.toml, the benchmarks and the
package's own docstrings and comments. Modules move; the words about them must follow."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATH = re.compile(r"\bmoderation/[\w/]+\.py\b")
DOTTED = re.compile(r"\bmoderation(?:\.[A-Za-z_]\w*)+")
SOURCES = [
    ROOT / "README.md",
    ROOT / "data" / "README.md",
    ROOT / "pyproject.toml",
    *sorted((ROOT / "benchmarks").glob("*.py")),
    *sorted((ROOT / "moderation").rglob("*.py")),
]


def _resolves(name: str) -> bool:
    """A module, or an attribute of the longest importable module prefix."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        target = module
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def _mentions():
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            for match in PATH.finditer(line):
                yield source, number, "path", match.group()
            for match in DOTTED.finditer(line):
                if "getLogger(" in line:  # a logger's name, not a module
                    continue
                name = match.group().rstrip(".")
                if name.endswith((".py", ".toml", ".json", ".md", ".org", ".com", ".net")):
                    continue  # a file or a host name, not a module
                yield source, number, "name", name


def test_every_named_module_and_path_exists():
    stale = []
    for source, number, kind, name in _mentions():
        ok = (ROOT / name).is_file() if kind == "path" else _resolves(name)
        if not ok:
            stale.append(f"{source.relative_to(ROOT)}:{number}: {name}")
    assert not stale, "stale names:\n" + "\n".join(stale)


@pytest.mark.parametrize("name", ["moderation.pipeline", "moderation.model.nothing_here"])
def test_a_stale_name_is_caught(name):
    assert not _resolves(name)
