"""The ``alembic-heads`` command: one subcommand per module of :mod:`.commands`.

What the check path may import, and why, is in CONTRIBUTING.md ("Speed
rules"). Two of its tricks start here: the command table imports a command
only when it runs (:func:`_lazy`), and the imports for type annotations sit
under ``TYPE_CHECKING = False``, which mypy reads as true (it treats any
name ``TYPE_CHECKING`` so) and Python skips, without importing :mod:`typing`.
"""

from __future__ import annotations

import io
import os
import sys

from . import __version__
from .findings import UsageError, error_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import Any, TextIO

    from typing_extensions import Buffer


def command(
    build_parser: Callable[[], argparse.ArgumentParser],
    prog: str = "alembic-heads",
    no_arguments: object = None,
) -> Callable[[Callable[[Any], int]], Callable[[Sequence[str] | None], int]]:
    """A command's ``main(argv)``: the decorated function runs on the
    arguments ``build_parser()`` reads (``no_arguments`` for none, when given:
    the hook passes none, and then argparse need not be imported), and raises
    :class:`UsageError` for bad input. The one place such an error becomes the
    line on standard error and exit code 2, or 0 for a command run with
    ``--warn-only`` (a hook that must not block)."""

    def decorate(run: Callable[[Any], int]) -> Callable[[Sequence[str] | None], int]:
        def main(argv: Sequence[str] | None = None) -> int:
            if no_arguments is not None and argv is not None and not argv:
                args = no_arguments
            else:
                args = build_parser().parse_args(argv)
            try:
                return run(args)
            except UsageError as error:
                error_line(error, prog)
                return 0 if getattr(args, "warn_only", False) else 2

        return main

    return decorate


def _lazy(module: str) -> Callable[[Sequence[str] | None], int]:
    """A command's ``main``, imported when it runs: ``alembic-heads check``
    imports neither the other commands nor what they need."""

    def main(argv: Sequence[str] | None) -> int:
        run: Callable[[Sequence[str] | None], int] = __import__(
            f"{__package__}.{module}", fromlist=["main"]
        ).main
        return run(argv)

    return main


COMMANDS: dict[str, tuple[Callable[[Sequence[str] | None], int], str]] = {
    "check": (_lazy("commands.check"), "fail when a revision graph has more than one head"),
    "head-file": (
        _lazy("commands.head_file"),
        "record each graph's head in head.txt, for git to conflict on",
    ),
    "post-write": (
        _lazy("commands.post_write"),
        "Alembic's post-write hook: update head.txt once a revision is written",
    ),
    "message": (_lazy("commands.message"), "fail when a revision's message says nothing"),
    "downgrade": (_lazy("commands.downgrade"), "fail when a downgrade() cannot undo its upgrade()"),
    "graph": (_lazy("commands.graph"), "draw a revision graph (text, Mermaid or Graphviz DOT)"),
    "merge": (_lazy("commands.merge"), "write the merge revision `alembic merge` would write"),
    "rebase": (_lazy("commands.rebase"), "move this branch's new migrations onto the other head"),
    "status": (_lazy("commands.status"), "say where the database stands against this working tree"),
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
