"""The ``alembic-heads`` command: one subcommand per module."""

from __future__ import annotations

import os
import sys

from . import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


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
    "message": (_lazy("message"), "fail when a revision's message says nothing"),
    "downgrade": (_lazy("downgrade"), "fail when a downgrade() cannot undo its upgrade()"),
    "graph": (_lazy("graph_command"), "draw a revision graph (text, Mermaid or Graphviz DOT)"),
    "merge": (_lazy("merge"), "write the merge revision `alembic merge` would write"),
    "rebase": (_lazy("rebase"), "move this branch's new migrations onto the other head"),
    "roundtrip": (
        _lazy("roundtrip"),
        "upgrade, downgrade, upgrade every revision on a scratch database",
    ),
}

USAGE = f"usage: alembic-heads {{{','.join(COMMANDS)}}} [options] [paths ...]"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        try:
            code = COMMANDS[args[0]][0](args[1:])
            sys.stdout.flush()
        except BrokenPipeError:  # `alembic-heads check | head`: the reader left
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        return code
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
    problem = f"unknown command '{args[0]}'" if args else "a command is required"
    print(f"{USAGE}\nalembic-heads: {problem}", file=sys.stderr)
    return 2
