"""What every command shares: errors as one line and exit code 2, messages on stderr, the
options several commands take (declared once), and help that shows plain value names.

Every command is written the same way: a typer function decorated with ``@user_errors`` that
checks its options, makes one library call and reports.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from moderation.errors import ModerationError
from moderation.formats import ReadOptions, format_help
from moderation.model.trust import trust_all_models

F = TypeVar("F", bound=Callable[..., Any])
# root options a command also takes after its name (``moderation flag x --trust-model``)
_ANYWHERE = ("--debug", "--trust-model")
EXIT_USER_ERROR = 2
_state = {"debug": False}

# --- options several commands share, declared once --------------------------------------------

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        "-m",
        help="Model directory, for the language it reads. Without it: $MODERATION_MODEL, "
        "else each language's active model (`moderation models promote`), else the one "
        "shipped for it.",
        show_default=False,
    ),
]
LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--language",
        "-l",
        help="The language every comment is in (de, pt, ...): its model scores them all and "
        "nothing is detected. Without it each comment's language is detected, and a comment "
        "in a language no model reads is not scored.",
        show_default=False,
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help=format_help())]
EncodingOption = Annotated[
    str | None, typer.Option(help="Encoding of inputs that are not UTF-8 (e.g. cp1252).")
]
SkipBadOption = Annotated[
    bool, typer.Option("--skip-bad", help="Skip and report bad records instead of stopping.")
]
ThresholdOption = Annotated[
    list[str] | None,
    typer.Option(
        "--threshold",
        "-t",
        help="Flag LABEL at probability P instead of the model's threshold, "
        "e.g. abusive=0.7 (repeatable).",
        show_default=False,
    ),
]
NoBomOption = Annotated[
    bool,
    typer.Option(
        "--no-bom",
        help="Write the CSV without the byte-order mark that tells Excel it is UTF-8 "
        "(for programs that read plain utf-8, such as Python's csv module).",
    ),
]


# --- the options of every command that reads exports, declared once -------------------------

# which column holds which comment field, in ``ColumnMap`` order: option name -> what it holds
COLUMN_OPTIONS = {
    "text_col": "the comment text",
    "id_col": "the comment id",
    "parent_col": "the parent's id",
    "thread_col": "the thread id",
    "author_col": "the author",
    "time_col": "the time",
    "label_col": "a gold label",
}
# what a reading command takes beside its own options (``reads_exports`` adds them)
READING_PARAMETERS = [
    inspect.Parameter(
        "encoding", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=EncodingOption
    ),
    inspect.Parameter(
        "skip_bad", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=SkipBadOption
    ),
    *(
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[str | None, typer.Option(help=f"Column with {held}.")],
        )
        for name, held in COLUMN_OPTIONS.items()
    ),
]


# --- errors, messages, signals ----------------------------------------------------------------


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
        except OSError as err:  # a full disk, a read-only folder, /dev/full: one line
            if _state["debug"]:
                raise
            where = f"{err.filename}: " if err.filename else ""
            say(f"error: {where}{err.strerror or err}; nothing was written there")
            raise typer.Exit(EXIT_USER_ERROR) from None
        except RecursionError:
            if _state["debug"]:
                raise
            say("error: the input is nested too deeply to read; flatten it first")
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper  # type: ignore[return-value]


def reads_exports(command: F) -> F:
    """Give a command the options every reading command takes (``--encoding``,
    ``--skip-bad`` and the seven column options, declared once in ``READING_PARAMETERS``)
    after its own, and hand it their values as one ``options: ReadOptions``."""
    own = inspect.signature(command, eval_str=True)
    if "options" not in own.parameters:
        raise TypeError(f"{command.__name__} takes no `options: ReadOptions` parameter")

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        encoding, skip_bad, *columns = (kwargs.pop(p.name, p.default) for p in READING_PARAMETERS)
        kwargs["options"] = ReadOptions.of(encoding, skip_bad, *columns)
        return command(*args, **kwargs)

    kept = [p for p in own.parameters.values() if p.name != "options"]
    wrapper.__signature__ = own.replace(  # type: ignore[attr-defined]
        parameters=[*kept, *READING_PARAMETERS]
    )
    wrapper.__annotations__ = {
        **{k: v for k, v in command.__annotations__.items() if k != "options"},
        **{p.name: p.annotation for p in READING_PARAMETERS},
    }
    return wrapper  # type: ignore[return-value]


def _say_warning(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    say(f"warning: {message}")


def write_json_lines(records: Sequence[Mapping[str, Any]]) -> None:
    """Records to stdout, one compact JSON object per line."""
    import orjson

    out = sys.stdout.buffer
    out.write(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records))
    out.flush()


# --- help that reads well ---------------------------------------------------------------------

_VALUE_NAMES = {"Path": "PATH", "str": "TEXT", "int": "N", "float": "NUMBER"}


def _plain_value_names(params: list[Any]) -> list[Any]:
    """Name each value plainly (``PATH``, ``TEXT``, an argument by its name; nothing for a
    flag) instead of a Python type (``<list[Path]>``), and keep square brackets in the help
    as written."""
    for param in params:
        _help_as_written(param)
        if param.metavar is not None:
            continue
        if isinstance(param, typer.core.TyperArgument):
            param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
            param.display_type_rich = _no_type  # type: ignore[method-assign]  # the name column says it all
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        else:
            annotation = getattr(param.type_descriptor, "annotation", None)
            name = getattr(annotation, "__name__", str(annotation))
            param.metavar = _VALUE_NAMES.get(name, "VALUE")
    return params


def _no_type(*args: Any, **kwargs: Any) -> None:
    return None


def _one_paragraph_per_line(text: str | None) -> str | None:
    """Help text with the line breaks of the source code joined, paragraphs kept, and square
    brackets kept as written (``pip install 'moderation[dask]'``): typer renders help as rich
    markup, which would take ``[dask]`` for a style and drop it."""
    if not text:
        return text
    return escape("\n\n".join(" ".join(p.split()) for p in text.split("\n\n")))


def _help_as_written(param: Any) -> None:
    """An option's or argument's help with its square brackets escaped, once."""
    if getattr(param, "help", None) and not getattr(param, "_help_escaped", False):
        param.help = escape(param.help)
        param._help_escaped = True


class Command(TyperCommand):
    """A command whose help names values plainly and reads as written, and that takes
    ``--debug`` after its name too (``moderation parse x --debug``), as well as before it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _one_paragraph_per_line(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_value_names(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                pieces.append(str(param.metavar) if param.required else f"[{param.metavar}]")
        return pieces

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        own = args[: args.index("--")] if "--" in args else args
        if "--debug" in own:
            set_debug(True)
        if "--trust-model" in own:
            trust_all_models()
        args = [a for i, a in enumerate(args) if not (a in _ANYWHERE and i < len(own))]
        return super().parse_args(ctx, args)


class Group(TyperGroup):
    """A command group with the same plain help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _one_paragraph_per_line(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_value_names(super().get_params(ctx))
