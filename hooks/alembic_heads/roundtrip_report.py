"""What a round trip found, and how it reads: findings in the house style
(``path:line: message`` of the function that failed, then the database's
error or the exact difference as the hint)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Environment
from .findings import Finding
from .paths import display
from .revision_code import IRREVERSIBLE_MARKER, read_revision_code
from .revision_file import ReadError
from .scratch_database import one_line


@dataclass
class GraphRoundtrip:
    """What the round trip of one environment found."""

    env: Environment
    dialect: str
    revisions: int = 0
    round_tripped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    finding_revisions: list[str] = field(default_factory=list)
    irreversible: list[Finding] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)
    start: str = ""  # how the database was prepared before the first revision, when it was
    not_reached_because: str = "a revision below failed to upgrade"

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, revision: str, finding: Finding) -> None:
        self.findings.append(finding)
        self.finding_revisions.append(revision)


def revision_path(revision: Any, cwd: Path) -> str:
    return display(Path(revision.path), cwd)


def _code(revision: Any) -> Any:
    try:
        return read_revision_code(Path(revision.path))
    except (ReadError, OSError, UnicodeDecodeError, SyntaxError):
        return None  # compiled only, or unreadable: Alembic loaded it anyway


def function_line(revision: Any, function: str) -> int:
    code = _code(revision)
    if code is None or function not in code.functions:
        return 1
    line: int = code.functions[function].line
    return line


def irreversible_note(revision: Any, cwd: Path, consequence: str) -> Finding | None:
    """The note for a ``downgrade()`` marked irreversible; None when it is not marked."""
    code = _code(revision)
    down = code.functions.get("downgrade") if code is not None else None
    if down is None or not down.marked_irreversible:
        return None
    return Finding(
        revision_path(revision, cwd),
        down.line,
        "irreversible",
        f"downgrade() of {revision.revision} is marked irreversible: {consequence}",
    )


def failure_finding(
    revision: Any,
    function: str,
    code: str,
    what: str,
    error: BaseException,
    dialect: str,
    cwd: Path,
) -> Finding:
    """``upgrade()``/``downgrade()`` of a revision raised ``error``."""
    hint = one_line(error)
    if function == "downgrade" and isinstance(error, NotImplementedError):
        hint += f"\nif it cannot be undone, put the comment '{IRREVERSIBLE_MARKER}' in downgrade()"
    return Finding(
        revision_path(revision, cwd),
        function_line(revision, function),
        code,
        f"{function}() of {revision.revision} {what} on {dialect}",
        hint,
    )


def difference_finding(
    revision: Any, function: str, differences: Sequence[Any], dialect: str, cwd: Path
) -> Finding:
    """The schema after ``function`` differs from the one it should equal."""
    rev = revision.revision
    if function == "downgrade":
        message = f"downgrade() of {rev} does not undo its upgrade()"
        hints = [downgrade_hint(rev, difference) for difference in differences]
        code = "downgrade-leaves-trace"
    else:
        message = f"upgrade() of {rev}, run again after its downgrade(), does not repeat itself"
        hints = [upgrade_hint(rev, difference) for difference in differences]
        code = "upgrade-not-repeatable"
    return Finding(
        revision_path(revision, cwd),
        function_line(revision, function),
        code,
        message + f" on {dialect}",
        "\n".join(hints),
    )


def downgrade_hint(rev: str, difference: Any) -> str:
    if difference.was is None:
        return f"downgrade() of {rev} leaves {difference.thing} in place"
    if difference.now is None:
        return f"downgrade() of {rev} removes {difference.thing}, which was there before upgrade()"
    return f"downgrade() of {rev} leaves {difference.thing} changed: {difference.changes()}"


def upgrade_hint(rev: str, difference: Any) -> str:
    # ``was``: after the first upgrade; ``now``: after the second.
    if difference.now is None:
        return f"upgrade() of {rev}, run again, does not create {difference.thing}"
    if difference.was is None:
        return f"upgrade() of {rev}, run again, creates {difference.thing} the first run did not"
    return (
        f"upgrade() of {rev}, run again, makes {difference.thing} different: {difference.changes()}"
    )


def format_text(results: Sequence[GraphRoundtrip]) -> str:
    lines = []
    for result in results:
        if result.start:
            lines.append(result.start)
        for finding in result.findings:
            lines.append(finding.format())
        for note in result.irreversible:
            lines.append(note.format())
        if result.not_reached:
            lines.append(
                f"{result.env.name}: not reached ({result.not_reached_because}): "
                + ", ".join(result.not_reached)
            )
    return "\n".join(lines)
