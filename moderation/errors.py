"""Every exception and warning the package raises: each message says what went wrong, where,
and what to do next.

Plain functions raise these; only the command line turns them into one line on stderr and
exit code 2.
"""

from __future__ import annotations

import os
from typing import Any


class ModerationError(Exception):
    """A problem the user can fix. The message is one line and names the next step."""


class InputError(ModerationError):
    """A file, or one record of it, cannot be read.

    ``where`` is a line number for line-based formats, or a record description
    (``"record 12"``, ``"post dsq:id=7"``) where lines do not identify a record.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        problem: str,
        *,
        line: int | None = None,
        where: str | None = None,
        hint: str | None = None,
    ):
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.line = line
        self.where = where
        self.hint = hint
        super().__init__(self._render())

    # picklable, so a record's error crosses from a worker process
    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.path, self.problem, self.line, self.where, self.hint)

    @property
    def location(self) -> str:
        place = self.path or "<input>"
        if self.line is not None:
            place += f":{self.line}"
        if self.where:
            place += f" ({self.where})"
        return place

    def _render(self) -> str:
        text = f"{self.location}: {self.problem}"
        if self.hint:
            text += f"; {self.hint}"
        return text


class HostileInputError(InputError):
    """Input that must be refused whole, whatever ``--skip-bad`` says (XML bombs, external
    entities)."""


class UsageError(ModerationError):
    """Options that contradict each other or name something that does not exist."""


class ModelLoadError(ModerationError):
    """A model directory that cannot be used; the message says how to get a usable one."""


class FetchError(ModerationError):
    """A download that could not be completed; the message says what to do instead."""


class StoreUnavailable(ModerationError):
    """The label store cannot take a write now (another writer held it too long, the disk is
    full or read-only): nothing was written, and the same write may be tried again later. A
    server answers it with 503, never 400, so a platform retries."""


class ModelVersionWarning(UserWarning):
    """The model was saved by other versions of the libraries it needs."""


class LeftoverWarning(UserWarning):
    """Temporary files a stopped run left behind, removed by the next run."""


def _rebuilt(
    kind: type[InputError],
    path: str | None,
    problem: str,
    line: int | None,
    where: str | None,
    hint: str | None,
) -> InputError:
    return kind(path, problem, line=line, where=where, hint=hint)


class UngroupedFoldsWarning(UserWarning):
    """Held-out figures came from folds that could not keep a thread together (the labels came
    from one thread), so replies to the same article may flatter them."""
