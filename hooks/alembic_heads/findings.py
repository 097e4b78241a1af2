"""What the checks find: one problem, at one place, with a hint that fixes it."""

from __future__ import annotations

import sys

from .record import Record


class Finding(Record):
    """A problem at ``path:line``.

    ``code`` is a stable identifier (for machine output and for tests);
    ``hint`` is an indented remediation line printed under the finding.
    """

    __slots__ = ("path", "line", "code", "message", "hint")

    def __init__(self, path: str, line: int, code: str, message: str, hint: str = "") -> None:
        self.path = path
        self.line = line
        self.code = code
        self.message = message
        self.hint = hint

    def format(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        if self.hint:
            text += "".join(f"\n    {line}" for line in self.hint.splitlines())
        return text


class UsageError(Exception):
    """Bad input, configuration or usage: printed as one line, exit code 2.

    The message is one line whatever it quotes: a value holding a newline
    (an ini continuation line, ``-n``, a ref) is shown escaped, as ``repr``
    shows it.
    """

    def __str__(self) -> str:
        return one_line(super().__str__())


# Control characters as Python writes them in a string literal ("\n", "\x00").
_ESCAPED = {code: repr(chr(code))[1:-1] for code in (*range(32), 127)}


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped."""
    return text.translate(_ESCAPED)


def error_line(message: object, prog: str = "alembic-heads") -> None:
    """Why a command cannot go on, as the one line on standard error that
    comes with exit code 2."""
    print(f"{prog}: {one_line(str(message))}", file=sys.stderr)
