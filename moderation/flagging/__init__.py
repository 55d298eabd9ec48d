"""Batch flagging: an export in, every comment out with its scores and flags, and a summary.

- ``chunk``: the pure per-chunk step (``flag_chunk``: comments and a model in, rows out), the
  same step a distributed engine maps over partitions of a very large export;
- ``stream``: an export read, chunked, scored (in a second process where there are two cores)
  and written (``flag_export``, and ``flag_file`` for the command);
- ``summary``: counts by label, thread and author;
- ``writers``: rows as JSON lines, CSV or TSV.

A row is the comment as the export had it (a CSV row or JSON line with its own field names and
values; the canonical comment record for XML and page formats) plus ``prediction``, ``scores``,
``flags`` and ``model``. Quoted spans are left out of the text that is scored
(``quotes_excluded``); a comment longer than the model reads is scored on its first
``max_chars`` characters (``truncated``); an empty comment is not scored (``not_scored``).
"""

from moderation.flagging.chunk import flag_chunk
from moderation.flagging.stream import FlagResult, flag_export, flag_file
from moderation.flagging.summary import FlagSummary

__all__ = ["FlagResult", "FlagSummary", "flag_chunk", "flag_export", "flag_file"]
