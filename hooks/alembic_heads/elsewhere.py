"""Where in git a revision this working tree does not define is defined.

Searched in git's objects, never by a checkout: first the tips of the branches
(the branch checked out before this one first, then local branches, then
remote-tracking ones, the most recently committed first) with one
``git grep`` over their version folders; then, when no branch has it any
more, the newest commits of any branch or reflog entry that added or removed
its id (``git log -S``). Each candidate's graph is read as ``check --against``
reads one, and must define the revision.
"""

from __future__ import annotations

from . import git
from .commit_files import scripts_at
from .config import Environment
from .findings import UsageError
from .graph import Graph, build_graph
from .record import Record
from .revision_file import RevisionFile

# Bounds that keep a search fast in a big repository.
MOST_BRANCHES = 200
MOST_COMMITS = 20


class Elsewhere(Record):
    """``revision`` is defined by the graph of ``commit``, named ``ref``
    (a branch's short name, or the commit itself)."""

    __slots__ = ("revision", "ref", "commit", "graph")
    __hash__ = None  # type: ignore[assignment]  # it holds a graph

    def __init__(self, revision: str, ref: str, commit: str, graph: Graph) -> None:
        self.revision = revision
        self.ref = ref
        self.commit = commit
        self.graph = graph

    @property
    def on_branch(self) -> bool:
        return self.ref != self.commit


def find_elsewhere(env: Environment, revision: str, cwd: str) -> Elsewhere | None:
    """The branch (or commit) whose graph defines ``revision``; ``None`` when
    none does."""
    folders = list(env.version_locations)
    tips = git.branches(cwd)[:MOST_BRANCHES]
    matching = git.commits_mentioning(
        cwd, revision, list(dict.fromkeys(c for _, c in tips)), folders
    )
    candidates = [(name, commit) for name, commit in tips if commit in matching]
    if not candidates:
        changed = git.commits_changing(cwd, revision, folders, MOST_COMMITS)
        candidates = [(commit, commit) for commit in changed]
    for ref, commit in candidates:
        graph = _graph_at(env, commit, cwd)
        if graph is not None and revision in graph.revisions:
            return Elsewhere(revision, ref, commit, graph)
    return None


def _graph_at(env: Environment, commit: str, cwd: str) -> Graph | None:
    """The graph of ``commit`` from the files that could be read."""
    try:
        [files] = scripts_at([env], commit, cwd)
    except UsageError:  # pragma: no cover (git named the commit a moment ago)
        return None
    return build_graph(file for file in files if isinstance(file, RevisionFile))
