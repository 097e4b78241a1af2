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

from .core import check_environments
from .discover import find_environments
from .findings import Finding, UsageError, in_order
from .paths import display
from .record import Record, replace
from .results import GraphCheck

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .config import Environment
    from .roundtrip_report import GraphRoundtrip


class GraphResult(Record):
    """One revision graph (one Alembic environment) and what was wrong with it.

    ``heads`` are Alembic's heads in load order (empty when a file could not
    be read); ``findings`` are the files Alembic could not load; ``report`` is
    the text the ``alembic-single-head`` hook prints for this graph.
    """

    __slots__ = ("name", "heads", "findings", "report")

    def __init__(
        self, name: str, heads: tuple[str, ...], findings: tuple[Finding, ...], report: str
    ) -> None:
        self.name = name
        self.heads = heads
        self.findings = findings
        self.report = report

    @property
    def ok(self) -> bool:
        return not self.report


class HeadsResult(Record):
    """Every graph of a project; ``report`` is what the hook prints for it."""

    __slots__ = ("graphs",)

    def __init__(self, graphs: tuple[GraphResult, ...]) -> None:
        self.graphs = graphs

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


def _project(path: str | os.PathLike[str], section: str | None) -> tuple[str, list[Environment]]:
    """The folder ``path`` names (a configuration file's folder) and its graphs."""
    target = os.fspath(path)
    if not os.path.exists(target):
        raise UsageError(f"{target}: no such file or directory")
    if os.path.isfile(target):
        cwd, config = os.path.dirname(os.path.abspath(target)), [os.path.basename(target)]
    else:
        cwd, config = target, []
    return cwd, find_environments([], config, section, cwd)


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
    cwd, envs = _project(path, section)
    results = check_environments(envs, cwd, max_heads, git_index=False)
    return HeadsResult(
        tuple(
            GraphResult(
                name=result.env.name,
                heads=tuple(result.graph.heads) if result.graph is not None else (),
                findings=tuple(
                    replace(finding, path=display(finding.path, os.getcwd()))
                    for finding in in_order(result.findings)
                ),
                report="" if result.ok else _report(result, cwd),
            )
            for result in results
        )
    )


def _report(result: GraphCheck, cwd: str) -> str:
    from .report import format_check  # only a failing check needs it

    return format_check(result, cwd)


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


class RoundtripResult(Record):
    """The round trip of every graph of a project (see ``alembic-heads roundtrip``).

    ``graphs`` hold, per graph, the revisions round-tripped, the findings, the
    revisions marked irreversible and those not reached; ``report`` is what the
    command prints.
    """

    __slots__ = ("graphs", "report")

    def __init__(self, graphs: tuple[GraphRoundtrip, ...], report: str) -> None:
        self.graphs = graphs
        self.report = report

    @property
    def ok(self) -> bool:
        return all(graph.ok for graph in self.graphs)


class RoundtripFailed(AssertionError):
    """A round trip found a migration that cannot be undone; the message is the report."""

    def __init__(self, result: RoundtripResult) -> None:
        super().__init__(result.report)
        self.result = result


def check_roundtrip(
    path: str | os.PathLike[str] = ".",
    *,
    url: str | None = None,
    url_env: str | None = None,
    since: str | None = None,
    against: str | None = None,
    initial: str | None = None,
    section: str | None = None,
) -> RoundtripResult:
    """Upgrade, downgrade and upgrade again every revision of the project at
    ``path`` (as :func:`check_heads` finds it), on a database of its own: a
    SQLite file, or a new database on the PostgreSQL or MySQL/MariaDB server
    ``url`` names.

    It runs the project's env.py and revision files (in this process, from
    the project's folder), so the application must be importable. The options
    are the command's ``--url``, ``--url-env``, ``--since``, ``--against``,
    ``--initial`` and ``-n``. Raises :class:`~alembic_heads.findings.UsageError` on bad input.
    """
    from pathlib import Path

    from .roundtrip import Options, roundtrip_environments
    from .roundtrip_report import format_text

    cwd, envs = _project(os.path.realpath(path), section)
    options = Options(url, url_env, since, against, initial)
    results = roundtrip_environments(envs, Path(cwd), options)
    return RoundtripResult(tuple(results), format_text(results))


def assert_roundtrip(
    path: str | os.PathLike[str] = ".",
    *,
    url: str | None = None,
    url_env: str | None = None,
    since: str | None = None,
    against: str | None = None,
    initial: str | None = None,
    section: str | None = None,
) -> RoundtripResult:
    """:func:`check_roundtrip`, raising :class:`RoundtripFailed` when it finds something."""
    result = check_roundtrip(
        path,
        url=url,
        url_env=url_env,
        since=since,
        against=against,
        initial=initial,
        section=section,
    )
    if not result.ok:
        raise RoundtripFailed(result)
    return result
