"""moderation: offline comment-thread moderation.

Exports are read into :class:`~moderation.comments.Comment` records by
:func:`moderation.formats.read_export`; the `moderation` command wraps it.
"""

__version__ = "0.1.0"
