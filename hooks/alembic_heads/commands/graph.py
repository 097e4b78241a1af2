"""``alembic-heads graph``: draw a revision graph as text, Mermaid or Graphviz DOT."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import drawing
from ..cli import command
from ..core import check_environments, chosen_environments
from ..findings import UsageError
from ..graph import Graph, divergence, resolve_revision
from ..options import add_color_option, add_graph_options
from ..report import format_check


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alembic-heads graph",
        description="Draw an Alembic revision graph, newest first, reading files without "
        "running them. Long runs of plain revisions are folded into one line.",
    )
    add_graph_options(parser)
    parser.add_argument(
        "--format",
        choices=("text", "mermaid", "dot"),
        default="text",
        help="text like `git log --graph` (default), a Mermaid flowchart (paste it into "
        "a ```mermaid block on GitHub), or Graphviz DOT",
    )
    part = parser.add_mutually_exclusive_group()
    part.add_argument(
        "--since",
        metavar="REV",
        help="only REV (an id, a unique start of one, or a branch label) and what came after it",
    )
    part.add_argument(
        "--heads",
        action="store_true",
        help="only the revisions from the last common revision to each head",
    )
    parser.add_argument("--full", action="store_true", help="draw every revision, fold nothing")
    add_color_option(parser)
    return parser


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    envs = chosen_environments(args, cwd)
    if args.format != "text" and len(envs) > 1:
        names = ", ".join(env.name for env in envs)
        raise UsageError(
            f"{len(envs)} revision graphs found ({names}): {args.format} draws one, "
            "choose it with -c, -n or its versions folder"
        )
    results = check_environments(envs, cwd)
    broken = [result for result in results if result.findings]
    if broken:
        print("\n\n".join(format_check(result, cwd) for result in broken))
        return 1
    color = drawing.wants_color(args.color, sys.stdout)
    pictures = []
    for result in results:
        assert result.graph is not None
        graph = result.graph
        shown = drawing.view(
            graph, _part(graph, args.since, args.heads), graph.heads, not args.full
        )
        if args.format == "mermaid":
            pictures.append(drawing.mermaid(graph, shown))
        elif args.format == "dot":
            pictures.append(drawing.dot(graph, shown))
        else:
            lines = drawing.draw(graph, shown, color)
            title = [f"{result.env.name}:"] if len(results) > 1 else []
            pictures.append("".join(line + "\n" for line in title + lines))
    sys.stdout.write("\n".join(pictures))
    return 0


def _part(graph: Graph, since: str | None, heads: bool) -> set[str]:
    if since is not None:
        try:
            named = resolve_revision(graph, since)
        except UsageError as error:
            raise UsageError(f"--since {since}: {error}") from None
        if not named:  # base: everything above it
            return set(graph.revisions)
        return set().union(*(graph.descendants(rev) for rev in named))
    if heads and len(graph.heads) > 1:
        return drawing.divergence_revisions(graph, divergence(graph, graph.heads))
    if heads:
        return set(graph.heads)
    return set(graph.revisions)
