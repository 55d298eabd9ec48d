"""moderation: offline comment-thread moderation.

The public API, in the order data flows::

    from moderation import read_export, load_model, load_models, flag_export, train, evaluate

- ``read_export(path)``: the threads and comments of an export (any supported format).
- ``load_model(path=None)``: a model (``path``, else ``$MODERATION_MODEL``, else the active
  model, else the shipped default); ``model.score(["a comment", ...])`` returns what
  ``moderation score --json`` prints, ``model.explain(text)`` why.
- ``load_models(path=None, language=None)``: a model per language (each language's active
  model, else its shipped one; ``path`` for the language it reads); ``models.score([...])``
  scores each comment with the model of its language.
- ``flag_export(path, out, model=...)``: every comment of an export scored and flagged.
- ``train(examples, config)``: a fitted model from labelled examples.
- ``evaluate(model, examples)``: metrics on labelled comments.

Names are loaded on first use, so ``import moderation`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "read_export": "moderation.formats",
    "load_model": "moderation.model.registry",
    "load_models": "moderation.model.multilingual",
    "flag_export": "moderation.flagging",
    "train": "moderation.model.train",
    "evaluate": "moderation.evaluation.evaluate",
}
__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'moderation' has no attribute {name!r}")
