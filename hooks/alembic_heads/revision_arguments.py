"""What the commands that take revisions as arguments share (``merge``,
``rebase``): which graph to work on, that graph read from the files on disk,
and a revision argument resolved the way Alembic resolves one."""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import Environment
from .core import read_graph
from .discover import find_environments
from .findings import UsageError
from .graph import Graph


def readable_graph(env: Environment, doing: str) -> Graph:
    """The graph of ``env`` from the files on disk (staged or not), or the
    first reason it cannot be read."""
    graph, findings = read_graph(env, None)
    if findings:
        first = findings[0]
        raise UsageError(f"cannot {doing}: {first.path}:{first.line}: {first.message}")
    assert graph is not None  # no findings: every file was read
    return graph


def environments(args: argparse.Namespace, cwd: Path) -> list[Environment]:
    paths = [args.versions] if args.versions else []
    return find_environments(paths, args.config, args.name, cwd)


def resolve_revision(graph: Graph, ident: str) -> list[str]:
    """The revisions ``ident`` names, as Alembic resolves a revision argument:
    an id, a branch label, ``LABEL@head``, ``heads``, or a unique id prefix
    of at least four characters."""
    if ident == "heads":
        return graph.heads
    label, at, rest = ident.partition("@")
    if at and rest == "head" and label in graph.labels:
        return graph.label_heads(label)
    if ident in graph.revisions:
        return [ident]
    if ident in graph.labels:
        return [graph.labels[ident]]
    matches = [rev for rev in graph.revisions if len(rev) > 3 and rev.startswith(ident)]
    if len(matches) == 1:
        return matches
    if len(matches) > 1:
        shown = ", ".join(f"'{rev}'" for rev in matches[:3])
        raise UsageError(f"multiple revisions start with '{ident}': {shown}...")
    short = "; give at least four characters of a revision id" if len(ident) < 4 else ""
    raise UsageError(f"no such revision or branch '{ident}'{short}")
