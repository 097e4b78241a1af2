"""What the checks find: one problem, at one place, with a hint that fixes it."""

from __future__ import annotations

import sys

from .record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


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


def in_order(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` in the one order every report shows them: by file, line, message."""
    return sorted(findings, key=_place)


def _place(finding: Finding) -> tuple[str, int, str]:
    return (finding.path, finding.line, finding.message)


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


def error_line(message: object) -> None:
    """Why a command cannot go on, as the one line on standard error that
    comes with exit code 2."""
    print(f"alembic-heads: {one_line(str(message))}", file=sys.stderr)
