"""Moving this branch's new migrations onto the other head (for ``alembic-heads rebase``).

Alembic has no rebase. When two branches each added migrations on the same
revision, the branch's own (not yet deployed) ones can instead start from the
other branch's head: only the ``down_revision`` of the first of them changes,
the later ones ride along.

Which migrations are "ours" comes from git: those that the base ref does not
have. The base ref is the branch being merged in (``MERGE_HEAD``), the branch
being rebased onto (git's ``onto``: during a rebase ``HEAD`` is that branch
with our commits replayed on it), ``--base``, or the current branch's
upstream. A migration the base ref has may be deployed: it never moves.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import git
from .commit_files import scripts_at
from .config import Environment
from .files import replace_file, written_or_refused
from .findings import UsageError
from .graph import Graph, build_graph
from .heads import TooManyHeads, too_many_heads
from .paths import display
from .record import replace
from .revision_arguments import resolve_revision
from .revision_file import RevisionFile
from .rewrite import RewriteError, repoint


@dataclass(frozen=True)
class Base:
    """The git commit(s) whose migrations are not ours, and how to name them."""

    name: str
    commits: tuple[str, ...]


@dataclass(frozen=True)
class Move:
    """Point ``file`` (the first of the moving migrations) at ``onto``."""

    file: RevisionFile
    onto: str
    moving: tuple[str, ...]

    @property
    def old(self) -> str:
        return self.file.down_revision[0]


def find_base(cwd: Path, base_ref: str | None) -> Base:
    """Which commit holds the other side, from git's state or ``--base``."""
    if base_ref is not None:
        commit = git.commit_of(cwd, base_ref)
        if commit is None:
            raise UsageError(f"--base {base_ref}: not a commit git knows")
        return Base(base_ref, (commit,))
    folder = git.git_dir(cwd)
    if folder is None:
        raise UsageError(f"{cwd} is not in a git repository: cannot tell which migrations are new")
    merge_head = folder / "MERGE_HEAD"
    if merge_head.is_file():
        return Base("the branch being merged (MERGE_HEAD)", tuple(merge_head.read_text().split()))
    for state in ("rebase-merge", "rebase-apply"):
        onto = folder / state / "onto"
        if onto.is_file():
            return Base("the branch being rebased onto", (onto.read_text().strip(),))
    upstream = git.upstream(cwd)
    if upstream is not None:
        return Base(upstream, (git.commit_of(cwd, upstream) or upstream,))
    raise UsageError(
        "cannot tell which migrations are this branch's: not merging or rebasing, and "
        "the branch has no upstream; pass --base REF (e.g. --base origin/main)"
    )


@dataclass(frozen=True)
class OnBase:
    """What the base ref has: revision ids, and files it has that we could not read."""

    revisions: frozenset[str]
    paths: frozenset[str]

    def has(self, file: RevisionFile) -> bool:
        return file.revision in self.revisions or os.path.abspath(file.path) in self.paths


def read_base(cwd: Path, base: Base, env: Environment) -> OnBase:
    revisions: set[str] = set()
    paths: set[str] = set()
    for commit in base.commits:
        [files] = scripts_at([env], commit, cwd)
        for file in files:
            paths.add(os.path.abspath(file.path))  # a file it cannot read still counts
            if isinstance(file, RevisionFile):
                revisions.add(file.revision)
    return OnBase(frozenset(revisions), frozenset(paths))


def plan_rebase(
    graph: Graph,
    problems: Sequence[TooManyHeads],
    on_base: OnBase,
    base: Base,
    onto: str | None,
) -> Move:
    """Which file to repoint, and onto what, to fix ``problems``; refuses anything unsafe."""
    heads = [head for problem in problems for head in problem.heads]
    if any(problem.unlabelled for problem in problems):
        heads = graph.heads  # a stray head moves onto a labelled branch's head
    target = _target(graph, heads, on_base, base, onto)
    others = [head for head in heads if head != target]
    if len(others) != 1:
        raise UsageError(
            f"moving one branch onto {target} would still leave {len(others)} other heads "
            f"({', '.join(others)}): merge them instead (alembic-heads merge)"
        )
    moving = graph.ancestors(others[0]) - graph.ancestors(target)
    ordered = tuple(graph.topological(moving))
    deployed = [rev for rev in ordered if on_base.has(graph.revisions[rev])]
    if deployed:
        raise UsageError(
            f"revision {deployed[0]} exists on {base.name} (it may be deployed): "
            "it cannot move; merge the heads instead (alembic-heads merge)"
        )
    bottoms = [
        rev
        for rev in ordered
        if not graph.revisions[rev].down_revision
        or any(parent not in moving for parent in graph.parents(rev))
    ]
    for rev in bottoms:
        if len(graph.revisions[rev].down_revision) != 1:
            kind = "a merge revision" if graph.revisions[rev].down_revision else "a base revision"
            raise UsageError(f"revision {rev} is {kind}: it cannot move onto {target}")
    if len(bottoms) != 1:
        raise UsageError(
            f"the migrations to move ({', '.join(ordered)}) start from {len(bottoms)} "
            f"revisions ({', '.join(bottoms)}): move them by hand or merge instead"
        )
    move = Move(graph.revisions[bottoms[0]], target, ordered)
    _check_result(graph, move)
    return move


def _target(
    graph: Graph, heads: Sequence[str], on_base: OnBase, base: Base, onto: str | None
) -> str:
    if onto is not None:
        resolved = resolve_revision(graph, onto)
        if len(resolved) != 1 or resolved[0] not in heads:
            raise UsageError(f"--onto {onto}: not one of the heads ({', '.join(heads)})")
        return resolved[0]
    theirs = [head for head in heads if on_base.has(graph.revisions[head])]
    if len(theirs) != 1:
        shown = ", ".join(theirs) or "none"
        raise UsageError(
            f"cannot tell which head to move onto: heads {base.name} has: {shown}; pass --onto REV"
        )
    return theirs[0]


def _check_result(graph: Graph, move: Move) -> None:
    """The graph after the move must load and have one head per branch."""
    moved = replace(move.file, down_revision=(move.onto,))
    after = build_graph(moved if file is move.file else file for file in graph.revisions.values())
    left = [head for problem in too_many_heads(after) for head in problem.heads]
    if after.findings or left:
        reason = after.findings[0].message if after.findings else f"heads {', '.join(left)} left"
        raise UsageError(f"cannot move {move.file.revision} onto {move.onto}: {reason}")


def apply(move: Move) -> None:
    path = Path(move.file.path)
    shown = display(path, os.getcwd())
    if path.suffix != ".py":
        raise UsageError(f"{shown}: a compiled revision file: only a source file can be rewritten")
    try:
        original = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot rewrite {shown}: {error.strerror or error}") from None
    write_move(move, original)


def write_move(move: Move, original: bytes) -> None:
    """Write ``original`` (the file's bytes as read) with the move made, unless
    the file no longer holds them: an edit saved meanwhile is never lost."""
    path = Path(move.file.path)
    shown = display(path, os.getcwd())
    with written_or_refused(shown, f"cannot rewrite {shown}"):
        try:
            replace_file(path, repoint(original, move.file, move.old, move.onto), original)
        except RewriteError as error:
            raise UsageError(f"{shown}: {error}") from None
