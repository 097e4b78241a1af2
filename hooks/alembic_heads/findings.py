"""What the checks find: one problem, at one place, with a hint that fixes it."""

from __future__ import annotations

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
    """Bad input, configuration or usage: printed as one line, exit code 2."""
