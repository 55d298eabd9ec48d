"""The tests' own shape: they mirror the package (``moderation/a/b.py`` is tested in
``tests/a/test_b.py``; a package's ``__init__.py`` in ``tests/a/test_package.py``), and shared
helpers come from fixtures or the ``fixtures`` modules, never ``from conftest import``."""

from __future__ import annotations

import ast
from pathlib import Path

from fixtures.files import ROOT

PACKAGE = ROOT / "moderation"
TESTS = ROOT / "tests"

# Modules whose tests are not (yet) at the mirrored path: where they are tested instead, mostly
# through a reader, a command or the HTTP app. The list only shrinks: a module that gets its
# mirrored test file must be taken off (the test below says so).
TESTED_ELSEWHERE = {
    "moderation/__init__.py": "tests/model/test_scoring.py",
    "moderation/cli/__init__.py": "tests/cli/test_cli_help.py",
    "moderation/cli/_tables.py": "tests/model/test_scoring.py",
    "moderation/cli/datasets.py": "tests/datasets/test_datasets.py",
    "moderation/cli/evaluate.py": "tests/evaluation/test_evaluate.py",
    "moderation/cli/flag.py": "tests/flagging/test_flagging.py",
    "moderation/cli/label.py": "tests/labels/review/test_review.py",
    "moderation/cli/labels.py": "tests/labels/test_merge.py",
    "moderation/cli/models.py": "tests/model/test_registry.py",
    "moderation/cli/review.py": "tests/serving/test_review_page.py",
    "moderation/cli/score.py": "tests/model/test_scoring.py",
    "moderation/cli/serve.py": "tests/serving/test_server.py",
    "moderation/cli/train.py": "tests/model/test_train.py",
    "moderation/formats/page_html/article.py": "tests/formats/page_html/test_html_article.py",
    "moderation/languages/__init__.py": "tests/languages/test_detect.py",
}


def has_behaviour(path: Path) -> bool:
    """A module with a function or class of its own (not only re-exports and constants)."""
    tree = ast.parse(path.read_text())
    return any(isinstance(n, ast.FunctionDef | ast.ClassDef) for n in tree.body)


def mirrored_test(path: Path) -> Path:
    """Where the tests of a package module belong."""
    relative = path.relative_to(PACKAGE)
    if path.name == "__init__.py":
        folder, name = relative.parent.parent, relative.parent.name
    else:
        folder, name = relative.parent, path.stem.lstrip("_")
    return TESTS / folder / f"test_{name}.py"


def mirror_problems(modules: list[Path], elsewhere: dict[str, str]) -> list[str]:
    problems = []
    for path in modules:
        name, mirror = str(path.relative_to(ROOT)), mirrored_test(path)
        if mirror.exists():
            if name in elsewhere:
                problems.append(f"{name} has {mirror.relative_to(ROOT)}: take it off the list")
        elif name not in elsewhere:
            problems.append(f"{name}: write {mirror.relative_to(ROOT)}")
        elif not (ROOT / elsewhere[name]).is_file():
            problems.append(f"{name}: {elsewhere[name]} does not exist")
    known = {str(p.relative_to(ROOT)) for p in modules}
    problems += [f"{name}: no such module with behaviour" for name in set(elsewhere) - known]
    return problems


def test_every_module_with_behaviour_has_its_mirrored_test_file_or_says_where():
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if has_behaviour(p)]
    assert len(modules) > 100
    assert mirror_problems(modules, TESTED_ELSEWHERE) == []


def test_the_mirror_check_fails_for_a_module_without_tests(tmp_path):
    module = PACKAGE / "formats" / "tabular.py"  # has tests/formats/test_tabular.py
    assert mirror_problems([module], {}) == []
    listed = {"moderation/formats/tabular.py": "tests/formats/test_bad_input.py"}
    assert "take it off the list" in mirror_problems([module], listed)[0]
    new = PACKAGE / "formats" / "made_up_format.py"
    assert "write tests/formats/test_made_up_format.py" in mirror_problems([new], {})[0]


def test_test_file_names_are_unique():
    """The test folders are not packages: two test files of one name cannot both be collected
    (a module named like another package's, e.g. article.py, needs another test file name)."""
    names = [p.name for p in TESTS.rglob("test_*.py") if "node_modules" not in p.parts]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def imports_conftest(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "conftest":
            return True
        if isinstance(node, ast.Import) and any(a.name == "conftest" for a in node.names):
            return True
    return False


def test_no_test_imports_from_conftest():
    found = {
        str(p.relative_to(ROOT))
        for p in TESTS.rglob("*.py")
        if "node_modules" not in p.parts and imports_conftest(p)
    }
    assert found == set()
