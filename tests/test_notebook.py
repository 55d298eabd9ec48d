"""The error-analysis notebook runs top to bottom on a small sample, so it never rots."""

from __future__ import annotations

import os

import pytest

from fixtures.files import ROOT, SAMPLES

NOTEBOOK = ROOT / "notebooks" / "1.0-error-analysis.ipynb"


def test_error_analysis_notebook_executes(tiny_model, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MODERATION_NOTEBOOK_MODEL", str(tiny_model))
    monkeypatch.setenv("MODERATION_NOTEBOOK_DATA", str(SAMPLES / "comments.csv"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute(env=dict(os.environ))
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "macro-F1" in printed
    assert "true \\ predicted" in printed
    assert "labelled" in printed and "predicted" in printed
    assert printed.count("\n") > 10
    errors = [
        o
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
