"""Check a project's revision history from Python, e.g. in its test suite.

The usual test, ``ScriptDirectory.from_config(config).get_current_head()``,
imports every revision file, so it needs the whole application installed. These
functions read the files without running them, like the hook, in milliseconds::

    from alembic_heads import assert_single_head

    def test_single_head():
        assert_single_head("backend")  # the folder you run `alembic` in

Unlike the hook, which checks what a commit would hold (git's index), they
read the files on disk, as Alembic does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .check import check_environments, format_check
from .discover import find_environments
from .findings import Finding, UsageError


@dataclass(frozen=True)
class GraphResult:
    """One revision graph (one Alembic environment) and what was wrong with it.

    ``heads`` are Alembic's heads in load order (empty when a file could not
    be read); ``findings`` are the files Alembic could not load; ``report`` is
    the text the ``alembic-single-head`` hook prints for this graph.
    """

    name: str
    heads: tuple[str, ...]
    findings: tuple[Finding, ...]
    report: str

    @property
    def ok(self) -> bool:
        return not self.report


@dataclass(frozen=True)
class HeadsResult:
    """Every graph of a project; ``report`` is what the hook prints for it."""

    graphs: tuple[GraphResult, ...]

    @property
    def ok(self) -> bool:
        return all(graph.ok for graph in self.graphs)

    @property
    def report(self) -> str:
        return "\n\n".join(graph.report for graph in self.graphs if not graph.ok)


class HeadsCheckFailed(AssertionError):
    """A history failed the check; the message is the hook's report.

    An :class:`AssertionError`, so a test that calls
    :func:`assert_single_head` fails rather than errors.
    """

    def __init__(self, result: HeadsResult) -> None:
        super().__init__(result.report)
        self.result = result


def check_heads(
    path: str | os.PathLike[str] = ".",
    *,
    section: str | None = None,
    max_heads: int | None = None,
) -> HeadsResult:
    """Check the revision graphs of the project at ``path``.

    ``path`` is the folder you run ``alembic`` in (its ``alembic.ini`` or
    ``[tool.alembic]`` is used, else every ``versions/`` folder beside an
    ``env.py`` below it), or a configuration file there (as ``alembic -c``).
    ``section`` is ``alembic -n``; ``max_heads`` is the hook's ``--max-heads``.
    Paths in the report are relative to that folder. Raises
    :class:`~alembic_heads.findings.UsageError` when there is nothing to check.
    """
    target = Path(path)
    if not target.exists():
        raise UsageError(f"{target}: no such file or directory")
    cwd, config = (target.parent, [target.name]) if target.is_file() else (target, [])
    envs = find_environments([], config, section, cwd)
    results = check_environments(envs, cwd, max_heads, git_index=False)
    return HeadsResult(
        tuple(
            GraphResult(
                name=result.env.name,
                heads=tuple(result.graph.heads) if result.graph is not None else (),
                findings=tuple(result.findings),
                report="" if result.ok else format_check(result, cwd),
            )
            for result in results
        )
    )


def assert_single_head(
    path: str | os.PathLike[str] = ".",
    *,
    section: str | None = None,
    max_heads: int | None = None,
) -> HeadsResult:
    """:func:`check_heads`, raising :class:`HeadsCheckFailed` when it fails."""
    result = check_heads(path, section=section, max_heads=max_heads)
    if not result.ok:
        raise HeadsCheckFailed(result)
    return result
