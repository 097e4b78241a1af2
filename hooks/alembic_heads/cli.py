"""The ``alembic-heads`` command: one subcommand per module."""

from __future__ import annotations

import io
import os
import sys

from . import __version__
from .findings import error_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TextIO

    from typing_extensions import Buffer


def _lazy(module: str) -> Callable[[Sequence[str] | None], int]:
    """A command's ``main``, imported when it runs: start-up stays small."""

    def main(argv: Sequence[str] | None) -> int:
        command: Callable[[Sequence[str] | None], int] = __import__(
            f"{__package__}.{module}", fromlist=["main"]
        ).main
        return command(argv)

    return main


COMMANDS: dict[str, tuple[Callable[[Sequence[str] | None], int], str]] = {
    "check": (_lazy("check"), "fail when a revision graph has more than one head"),
    "head-file": (
        _lazy("head_file"),
        "record each graph's head in head.txt, for git to conflict on",
    ),
    "post-write": (
        _lazy("post_write"),
        "Alembic's post-write hook: update head.txt once a revision is written",
    ),
    "message": (_lazy("message"), "fail when a revision's message says nothing"),
    "downgrade": (_lazy("downgrade"), "fail when a downgrade() cannot undo its upgrade()"),
    "graph": (_lazy("graph_command"), "draw a revision graph (text, Mermaid or Graphviz DOT)"),
    "merge": (_lazy("merge"), "write the merge revision `alembic merge` would write"),
    "rebase": (_lazy("rebase"), "move this branch's new migrations onto the other head"),
    "status": (_lazy("status"), "say where the database stands against this working tree"),
    "roundtrip": (
        _lazy("commands.roundtrip"),
        "upgrade, downgrade, upgrade every revision on a scratch database",
    ),
}

USAGE = f"usage: alembic-heads {{{','.join(COMMANDS)}}} [options] [paths ...]"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    sys.stdout = _checked(stdout)
    try:
        try:
            code = _dispatch(args)
        except SystemExit:  # argparse's --help, or its usage error
            sys.stdout.flush()
            raise
        sys.stdout.flush()
    except BrokenPipeError:  # `alembic-heads check | head`: the reader left
        _discard_output()
        return 1
    except OutputError as error:  # `> /dev/full`
        _discard_output()
        error_line(f"cannot write the output: {error.strerror}")
        return 2
    finally:
        sys.stdout = stdout
    return code


def _dispatch(args: list[str]) -> int:
    if args and args[0] in COMMANDS:
        try:
            os.getcwd()
        except OSError as error:
            error_line(f"cannot run in the working directory: {error.strerror} (deleted?)")
            return 2
        return COMMANDS[args[0]][0](args[1:])
    if args and args[0] == "--version":
        print(f"alembic-heads {__version__}")
        return 0
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        print()
        for name, (_, about) in COMMANDS.items():
            print(f"  {name:<10} {about}")
        print()
        print("Run `alembic-heads COMMAND --help` for a command's options.")
        return 0
    problem = f"unknown command {args[0]!r}" if args else "a command is required"
    print(USAGE, file=sys.stderr)
    error_line(problem)
    return 2


class OutputError(OSError):
    """Standard output could not take what was printed (a full disk, ``/dev/full``)."""


class _Output(io.RawIOBase):
    """The standard output file descriptor, whose write errors say they are
    its own: an error writing a file is another matter."""

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def isatty(self) -> bool:  # the drawing is coloured on a terminal
        return os.isatty(self.descriptor)

    def write(self, data: Buffer) -> int:
        try:
            return os.write(self.descriptor, data)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputError(error.errno, error.strerror) from None


def _checked(stream: TextIO) -> TextIO:
    """Standard output as :class:`_Output`, and in any case writing a file
    name that is not UTF-8 as the bytes it is (as git and ls print it), under
    any locale, rather than ending the run; ``stream`` itself when it is not
    the process's own (a test's capture)."""
    if sys.stderr is sys.__stderr__ and isinstance(sys.stderr, io.TextIOWrapper):
        sys.stderr.reconfigure(errors="surrogateescape")
    if stream is not sys.__stdout__ or not isinstance(stream, io.TextIOWrapper):
        return stream
    stream.flush()
    return io.TextIOWrapper(
        io.BufferedWriter(_Output(stream.fileno())),
        encoding=stream.encoding,
        errors="surrogateescape",
        line_buffering=stream.line_buffering,
    )


def _discard_output() -> None:
    """What is left unwritten goes nowhere: the last flush then has nothing
    to complain of."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
