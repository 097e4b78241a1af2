"""The head file: a tracked file git conflicts on when two branches add a head.

Each graph records its head in ``head.txt`` beside ``env.py``: a comment header
and one bare revision id (one per line for labelled branches), the file name
and format of alembic-linear-migrations, so its users switch without churn.
Two branches that each add a migration rewrite the same line, and ``git merge``
stops with a conflict in this file before any CI runs. The header tells
whoever meets the conflict what it means and what resolves it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import git
from .config import Environment
from .files import create_file, replace_file, written_or_refused
from .findings import Finding, UsageError
from .paths import display
from .report import format_check
from .results import GraphCheck

FILE_NAME = "head.txt"
HEADER = (
    "# alembic-heads\n"
    "# Records the current head of the migration graph.\n"
    "# A conflict here means two branches added a migration from the same parent.\n"
    "# Resolve with:  alembic-heads head-file  (it prints the fix, then rewrites this file)\n"
    "#\n"
)
FIX = "alembic-heads head-file"

_CONFLICT_MARKER = re.compile(r"(<{7}|\|{7}|={7}|>{7})(?: |$)")


@dataclass(frozen=True)
class Recorded:
    """What a head file says: the ids it lists (both sides of a conflict),
    the line of the first one, and whether git left conflict markers in it."""

    heads: tuple[str, ...]
    line: int = 1
    conflict: bool = False


@dataclass(frozen=True)
class HeadFile:
    """One graph's head file: what it records (``None``: no file) and what it
    should; ``original``: its bytes as read, which a rewrite must still find."""

    path: Path
    recorded: Recorded | None
    heads: tuple[str, ...]
    original: bytes | None = None

    @property
    def stale(self) -> bool:
        return (
            self.recorded is None
            or self.recorded.conflict
            or sorted(self.recorded.heads) != list(self.heads)
        )


def head_file_path(env: Environment) -> Path:
    """``head.txt`` in ``script_location`` (beside ``env.py``); for a graph
    found by its folder alone, beside that ``versions`` folder, or inside a
    folder of another name (one graph per dialect subfolder: one file each)."""
    if env.script_dir is not None:
        return Path(env.script_dir, FILE_NAME)
    folder = Path(env.version_locations[0])
    return (folder.parent if folder.name == "versions" else folder) / FILE_NAME


def render(heads: Sequence[str]) -> str:
    return HEADER + "".join(f"{head}\n" for head in heads)


def parse(text: str, shown: str) -> Recorded:
    """Read a head file. Raises :class:`UsageError` for a file that is not
    one: it is someone else's, and is never overwritten."""
    heads: list[str] = []
    first = 0
    conflict = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if _CONFLICT_MARKER.match(raw):
            conflict = True
            continue
        if len(line.split()) > 1:
            raise UsageError(
                f"{shown}:{number}: not a head file ({line!r} is not a revision id); "
                f"alembic-heads keeps each graph's head in {FILE_NAME} beside env.py: "
                "move this file away"
            )
        heads.append(line)
        first = first or number
    return Recorded(tuple(heads), first or 1, conflict)


def read_head_file(result: GraphCheck, cwd: Path, at: str | None = None) -> HeadFile:
    """The graph's head file as it is in the working tree, or in commit ``at``."""
    assert result.graph is not None
    path = head_file_path(result.env)
    original: bytes | None
    try:
        original = path.read_bytes() if at is None else _committed(path, at, cwd)
        text = None if original is None else original.decode("utf-8")
    except FileNotFoundError:
        original = text = None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{display(path, cwd)}: cannot read: {error}") from None
    recorded = None if text is None else parse(text, display(path, cwd))
    return HeadFile(path, recorded, tuple(sorted(result.graph.heads)), original)


def _committed(path: Path, at: str, cwd: Path) -> bytes | None:
    """``path``'s contents in commit ``at``; ``None`` when it has no such file."""
    try:
        found = git.blobs_at(cwd, at, [path])
        return git.read_blobs(cwd, [found[0][1]])[0] if found else None
    except git.GitError as error:  # pragma: no cover (the graph was just read from ``at``)
        raise UsageError(f"{display(path, cwd)}: cannot read it from {at}: {error}") from None


def stale_finding(head_file: HeadFile, cwd: Path) -> Finding:
    """``--check``: why the file is not what the graph says."""
    shown = display(head_file.path, cwd)
    recorded = head_file.recorded
    if recorded is None:
        return Finding(
            shown,
            1,
            "head-file-missing",
            f"head file missing: the graph's {_heads(head_file.heads)}",
            f"run `{FIX}`, then `git add {shlex.quote(shown)}`",
        )
    if recorded.conflict:
        return Finding(
            shown,
            recorded.line,
            "head-file-conflict",
            "unresolved merge conflict: two branches each added a migration",
            f"run `{FIX}`: it prints the fix, then rewrites this file",
        )
    return Finding(
        shown,
        recorded.line,
        "head-file-stale",
        f"head file is stale: it records {', '.join(recorded.heads) or 'nothing'}, "
        f"the graph's {_heads(head_file.heads)}",
        f"run `{FIX}` and commit the file",
    )


def rewrite(head_file: HeadFile, cwd: Path) -> str:
    """Write the file (atomically, unless it changed since it was read) and say what changed."""
    shown = display(head_file.path, cwd)
    data = render(head_file.heads).encode("utf-8")
    with written_or_refused(shown, f"{shown}: cannot write"):
        if head_file.original is None:
            create_file(head_file.path, data)
        else:
            replace_file(head_file.path, data, head_file.original)
    now = _heads(head_file.heads)
    recorded = head_file.recorded
    if recorded is None:
        return f"Writing {shown}: {now} (a new file: git add it)"
    before = ", ".join(recorded.heads) or "nothing"
    if recorded.conflict:
        return f"Rewriting {shown}: unresolved conflict ({before}) -> {now}"
    return f"Rewriting {shown}: {before} -> {now}"


def update_head_files(
    results: Sequence[GraphCheck], cwd: Path, check: bool, at: str | None = None
) -> list[str]:
    """Rewrite each healthy graph's stale head file (with ``check``, report it
    instead; with ``at`` too, as commit ``at`` has it); what the graphs that
    are not healthy found comes first."""
    files = [
        read_head_file(result, cwd, at)
        for result in results
        if result.ok and result.graph is not None and result.graph.revisions
    ]
    _refuse_shared_files(files, cwd)
    blocks = [format_check(result, cwd) for result in results if not result.ok]
    for head_file in (file for file in files if file.stale):
        if check:
            blocks.append(stale_finding(head_file, cwd).format())
        else:
            blocks.append(rewrite(head_file, cwd))
    return blocks


def _refuse_shared_files(files: Sequence[HeadFile], cwd: Path) -> None:
    """Two graphs with one script folder (two ini sections sharing a
    ``script_location``) would rewrite each other's file forever."""
    seen: set[Path] = set()
    for head_file in files:
        if head_file.path in seen:
            raise UsageError(
                f"{display(head_file.path, cwd)} would record the heads of several graphs: "
                "choose one with -n SECTION"
            )
        seen.add(head_file.path)


def _heads(heads: Sequence[str]) -> str:
    return f"head{'s' if len(heads) > 1 else ''} {', '.join(heads)}"
