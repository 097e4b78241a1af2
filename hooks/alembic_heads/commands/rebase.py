"""``alembic-heads rebase``: move this branch's new migrations onto the other head
(how, and which migrations are this branch's: :mod:`alembic_heads.rebase_move`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import command
from ..findings import UsageError
from ..heads import too_many_heads
from ..options import add_database_options, add_environment_options
from ..paths import display
from ..rebase_move import Move, apply, find_base, plan_rebase, read_base
from ..revision_arguments import environments, readable_graph


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alembic-heads rebase",
        description="Move this branch's new migrations on top of the other head: "
        "rewrite the down_revision of the first of them. Which migrations are this "
        "branch's comes from git (a merge or rebase in progress, --base, or the upstream).",
    )
    parser.add_argument("--onto", metavar="REV", help="the head to move onto")
    parser.add_argument(
        "--base",
        metavar="REF",
        help="git ref whose migrations are not ours and never move (default: the branch "
        "being merged or rebased onto, else the upstream)",
    )
    add_environment_options(parser)
    add_database_options(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="move migrations even when the database has applied them",
    )
    return parser


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    move = _plan(args, cwd)
    if not args.force:  # the database must not have applied what moves
        from ..standing import rebase_refusal

        refusal = rebase_refusal(args, move.file, move.moving, move.old)
        if refusal is not None:
            print(refusal)
            return 1
    apply(move)
    path = display(Path(move.file.path), cwd)
    print(f"{path}: down_revision {move.old} -> {move.onto}")
    return 0


def _plan(args: argparse.Namespace, cwd: Path) -> Move:
    graphs = []
    for env in environments(args, cwd):
        graph = readable_graph(env, "rebase")
        graphs.append((env, graph, too_many_heads(graph)))
    if len(graphs) > 1:
        with_too_many = [(env, graph, problems) for env, graph, problems in graphs if problems]
        graphs = with_too_many or graphs[:1]
    if len(graphs) > 1:
        names = ", ".join(env.name for env, _, _ in graphs)
        raise UsageError(f"several graphs have too many heads ({names}): pass -c or --versions")
    env, graph, problems = graphs[0]
    if not problems:
        raise UsageError(f"nothing to rebase: one head ({', '.join(graph.heads)})")
    base = find_base(cwd, args.base)
    on_base = read_base(cwd, base, env)
    return plan_rebase(graph, problems, on_base, base, args.onto)
