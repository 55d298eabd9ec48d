"""moderation: offline comment-thread moderation.

``load_model()`` gives the shipped default model (or the one at a path, or
``$MODERATION_MODEL``); ``model.score(["a comment", ...])`` returns what
``moderation score --json`` prints. Exports are read into
:class:`~moderation.comments.Comment` records by :func:`moderation.formats.read_export`.
"""

from moderation.store import load_model

__version__ = "0.1.0"
__all__ = ["load_model", "__version__"]
