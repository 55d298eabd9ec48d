"""Plumbing shared by the commands: errors as one line and exit code 2, atomic output files,
messages on stderr."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator, Optional, TypeVar

import typer

from moderation.errors import ModerationError

# Options several commands share, declared once.
ModelOption = Annotated[Optional[Path], typer.Option(
    "--model", "-m", help="Model directory (default: $MODERATION_MODEL, else the shipped "
                          "default model).", show_default=False)]
FormatOption = Annotated[str, typer.Option(
    "--format", "-f", help="Reader to use: auto or one of text, csv, tsv, jsonl, wxr, disqus, "
                           "reddit.")]
EncodingOption = Annotated[Optional[str], typer.Option(
    help="Encoding of inputs that are not UTF-8 (e.g. cp1252).")]
SkipBadOption = Annotated[bool, typer.Option(
    "--skip-bad", help="Skip and report bad records instead of stopping.")]
TextColOption = Annotated[Optional[str], typer.Option(help="Column with the comment text.")]
IdColOption = Annotated[Optional[str], typer.Option(help="Column with the comment id.")]
ThresholdOption = Annotated[Optional[list[str]], typer.Option(
    "--threshold", "-t", help="Flag LABEL at probability P instead of the model's threshold, "
                              "e.g. abusive=0.7 (repeatable).", show_default=False)]

F = TypeVar("F", bound=Callable[..., Any])
EXIT_USER_ERROR = 2
_state = {"debug": False}


def set_debug(value: bool) -> None:
    _state["debug"] = value


def say(message: str) -> None:
    """A message for the person at the terminal: stderr, so stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def user_errors(command: F) -> F:
    """Turn the project's errors into one line on stderr and exit code 2 (a traceback only
    with --debug); warnings (e.g. a model saved by other library versions) become one
    ``warning:`` line each."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = _say_warning
                return command(*args, **kwargs)
        except ModerationError as err:
            if _state["debug"]:
                raise
            say(f"error: {err}")
            raise typer.Exit(EXIT_USER_ERROR) from None
        except KeyboardInterrupt:
            say("interrupted: nothing was written")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader of our stdout went away (e.g. `| head`): not an error of ours
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def _say_warning(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    say(f"warning: {message}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_regular_destination(path: Path) -> bool:
    return not path.exists() or path.is_file()


def check_destination(path: str | Path) -> Path:
    """Refuse, before any work is done, an output path that cannot be written."""
    destination = Path(path)
    if destination.is_dir():
        raise ModerationError(f"{destination}: is a folder; give a file name to write")
    if not destination.parent.is_dir():
        raise ModerationError(f"{destination}: the folder {destination.parent} does not exist; "
                              "create it first")
    return destination


@contextlib.contextmanager
def atomic_output(path: str | Path | None, encoding: str = "utf-8",
                  binary: bool = False) -> Iterator[Any]:
    """A file that appears at ``path`` only when the block completes; on any error or
    interrupt the destination keeps its old content (or stays absent). ``None`` or ``"-"`` is
    stdout; devices and pipes are written directly. Text, or bytes with ``binary``."""
    if path is None or str(path) == "-":
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    mode = "wb" if binary else "w"
    text_options = {} if binary else {"encoding": encoding, "newline": ""}
    destination = check_destination(path)
    if not _is_regular_destination(destination):
        with open(destination, mode, **text_options) as fh:
            yield fh
        return
    folder = destination.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=folder)
    os.chmod(tmp_name, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, mode, **text_options) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_json_lines(records: list[dict[str, Any]]) -> None:
    """Records to stdout, one compact JSON object per line."""
    import orjson

    out = sys.stdout.buffer
    out.write(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records))
    out.flush()
