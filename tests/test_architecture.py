"""The package's shape: every module imports on its own in a fresh interpreter (an import
cycle or a module that relies on another being imported first fails here). The layering
contract itself is checked by `lint-imports` in `make test`."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from fixtures.files import ROOT

PACKAGE = ROOT / "moderation"
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in PACKAGE.rglob("*.py")
    if path.name != "__main__.py"
)


def _import_alone(module: str) -> tuple[str, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=ROOT
    )
    return module, done.returncode, done.stderr.strip().splitlines()[-1:] and done.stderr


def test_every_module_imports_alone_in_a_fresh_interpreter():
    assert len(MODULES) > 40
    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = [(m, err) for m, code, err in pool.map(_import_alone, MODULES) if code != 0]
    assert failed == []


def test_every_package_folder_is_a_package():
    folders = {p.parent for p in PACKAGE.rglob("*.py")}
    assert all((folder / "__init__.py").is_file() for folder in folders)
