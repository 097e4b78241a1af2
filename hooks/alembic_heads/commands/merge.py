"""``alembic-heads merge``: write the merge revision ``alembic merge`` would write
(how: :mod:`alembic_heads.merge_revision`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import command
from ..findings import UsageError
from ..merge_revision import (
    heads_to_merge,
    plan_merge,
    require_alembic,
    run_post_write_hooks,
    write_merge,
)
from ..options import add_environment_options
from ..paths import display
from ..revision_arguments import environments, readable_graph


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alembic-heads merge",
        description="Write the merge revision `alembic merge` would write, over the "
        "given revisions or over the heads of each graph that has too many, "
        "without importing revision files or running env.py.",
    )
    parser.add_argument("revisions", nargs="*", metavar="REV", help="revisions to merge")
    parser.add_argument("-m", "--message", help="message (default: 'merge X and Y')")
    parser.add_argument("--rev-id", metavar="ID", help="revision id (default: a new one)")
    add_environment_options(parser)
    parser.add_argument(
        "--hook",
        action="store_true",
        help="run as a pre-commit fixer: succeed when nothing needs merging, "
        "fail (exit 1) after writing a file",
    )
    return parser


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    written = _merge(args, Path.cwd())
    if args.hook:
        return 1 if written else 0
    return 0


def _merge(args: argparse.Namespace, cwd: Path) -> list[Path]:
    envs = environments(args, cwd)
    if args.revisions and len(envs) > 1:
        names = ", ".join(env.name for env in envs)
        raise UsageError(f"several Alembic environments ({names}): pass -c CONFIG or --versions")
    skip_healthy = not args.revisions and (args.hook or len(envs) > 1)
    plans = []
    for env in envs:
        graph = readable_graph(env, "merge")
        if skip_healthy and heads_to_merge(graph, env) is None:
            continue
        plans.append(plan_merge(env, graph, args.revisions, args.message, args.rev_id))
    if not plans and not args.hook:
        raise UsageError("nothing to merge: every revision graph has one head")
    if plans:
        require_alembic()
    written = []
    for plan in plans:
        revision = write_merge(plan)
        print(f"Writing {display(revision.path, cwd)}", flush=True)
        run_post_write_hooks(revision.path, revision.hooks)
        written.append(revision.path)
    return written
