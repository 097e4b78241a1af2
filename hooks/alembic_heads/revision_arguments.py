"""What the commands that take revisions as arguments share (``merge``,
``rebase``): which graph to work on, that graph read from the files on disk,
and a revision argument resolved the way Alembic resolves one
(:func:`~alembic_heads.graph.resolve_revision`)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .config import Environment
from .core import chosen_environments, read_graph
from .findings import UsageError
from .graph import Graph
from .graph import resolve_revision as resolve_revision  # merge and rebase use it
from .paths import display


def readable_graph(env: Environment, doing: str) -> Graph:
    """The graph of ``env`` from the files on disk (staged or not), or the
    first reason it cannot be read."""
    graph, findings = read_graph(env, None)
    if findings:
        first = findings[0]
        where = display(first.path, os.getcwd(), first.ref)
        raise UsageError(f"cannot {doing}: {where}:{first.line}: {first.message}")
    assert graph is not None  # no findings: every file was read
    return graph


def environments(args: argparse.Namespace, cwd: Path) -> list[Environment]:
    """The graphs ``-c``, ``-n`` or ``--versions`` chose (:func:`chosen_environments`)."""
    return chosen_environments(args, cwd)
