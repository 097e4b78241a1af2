"""``alembic-heads head-file``: record each graph's head in ``head.txt``, for git to
conflict on (see :mod:`alembic_heads.head_file`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import command
from ..core import check_environments, chosen_environments, commit_under_check
from ..head_file import FILE_NAME, update_head_files
from ..options import add_graph_options, add_max_heads_option


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alembic-heads head-file",
        description=(
            f"Record each revision graph's head in {FILE_NAME} beside env.py, so that two "
            "branches that each add a migration conflict on it in git. Rewrites a stale "
            "file and exits 1 (stage it and commit again)."
        ),
    )
    add_graph_options(parser)
    add_max_heads_option(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; fail when a head file is missing or stale (for CI)",
    )
    return parser


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    # --check changes nothing, so at pre-push it checks the commit being
    # pushed, as `check` does there; the fixer writes the working tree.
    at = commit_under_check(warn_only=False) if args.check else None
    envs = chosen_environments(args, cwd)
    results = check_environments(envs, cwd, args.max_heads, at)
    blocks = update_head_files(results, cwd, args.check, at)
    if blocks:
        print("\n\n".join(blocks))
        return 1
    return 0
