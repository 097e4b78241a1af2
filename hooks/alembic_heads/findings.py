"""What the checks find: one problem, at one place, with a hint that fixes it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A problem at ``path:line``.

    ``code`` is a stable identifier (for machine output and for tests);
    ``hint`` is an indented remediation line printed under the finding.
    """

    path: str
    line: int
    code: str
    message: str
    hint: str = ""

    def format(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        if self.hint:
            text += "".join(f"\n    {line}" for line in self.hint.splitlines())
        return text


class UsageError(Exception):
    """Bad input, configuration or usage: printed as one line, exit code 2."""
