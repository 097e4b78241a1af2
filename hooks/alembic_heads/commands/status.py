"""``alembic-heads status``: say where the database stands against this working
tree's history (the library: :mod:`alembic_heads.standing`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import git
from ..cli import command
from ..config import Environment
from ..database import read_versions
from ..findings import UsageError
from ..options import add_color_option, add_database_options, add_environment_options
from ..revision_arguments import environments, readable_graph
from ..standing import (
    HEAD,
    database_of,
    format_standing,
    locator,
    place,
    status_document,
    way_back,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alembic-heads status",
        description="Say where the database stands against this working tree's revision "
        "graph: at head, behind, or on a revision another branch defines (and the commands "
        "that bring it back). Reads the version table read-only; runs no env.py.",
    )
    add_environment_options(parser)
    add_database_options(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), or json (schema: alembic_heads/schema/status-v1.json)",
    )
    parser.add_argument(
        "--warn-only",
        action="store_true",
        help="print the report but exit 0 (for post-checkout, post-merge, post-rewrite)",
    )
    add_color_option(parser)
    return parser


def one_environment(args: argparse.Namespace, cwd: str) -> Environment:
    envs = environments(args, Path(cwd))
    if len(envs) > 1:
        names = ", ".join(env.name for env in envs)
        raise UsageError(
            f"{len(envs)} revision graphs found ({names}): choose the one of the database "
            "with -c, -n or --versions"
        )
    return envs[0]


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    cwd = os.getcwd()
    env = one_environment(args, cwd)
    database = database_of(args, env)
    if database is None:
        raise UsageError(
            f"{env.name}: no sqlalchemy.url to read the database from: pass --url URL "
            "or --url-env NAME"
        )
    graph = readable_graph(env, "tell where the database stands")
    rows = read_versions(
        database, args.version_table, args.version_table_schema, env.run_from or cwd
    )
    standing = place(graph, rows, locator(env, graph, cwd))
    here = git.current_branch(cwd) or git.head_commit(cwd)
    commands = way_back(standing, graph, env, cwd, here)
    if args.format == "json":
        import json

        document = status_document(
            standing, env, database, args.version_table, args.version_table_schema, commands, cwd
        )
        print(json.dumps(document, indent=2))
    else:
        from ..drawing import wants_color

        color = wants_color(args.color, sys.stdout)
        print(format_standing(standing, graph, env, database, commands, color))
    return 0 if args.warn_only or standing.state == HEAD else 1
