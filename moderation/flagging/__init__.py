"""Batch flagging: an export in, every comment out with its scores and flags, and a summary.

- ``chunk``: the pure per-chunk step (``flag_chunk``: comments and a model in, rows out), the
  one place a row is built;
- ``partition``: one flagging task (``flag_partition``): a partition of an export (the whole
  file, or a block of it) read, tracked, flagged chunk by chunk and encoded; the function one
  process runs on a whole export and a worker runs on a block;
- ``partitions``: the plan that cuts a JSONL, CSV or TSV export into blocks whose rows are
  those of one pass, carried out by a ``Runner``: the local pool or a Dask cluster;
- ``workers``: the local pool (one worker per core) and the scoring worker for exports that
  are one partition;
- ``stream``: ``flag_export`` and ``flag_file`` for the command: one process, or every core;
- ``distributed``: the same on a Dask cluster (``moderation flag --dask``);
- ``summary``: counts by label, thread and author;
- ``writers``: rows as JSON lines, CSV or TSV (``RowFormat`` encodes, ``RowWriter`` writes).

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
