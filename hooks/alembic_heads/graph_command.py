"""``alembic-heads graph``: draw a revision graph as text, Mermaid or Graphviz DOT."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import drawing
from .check import (
    add_color_option,
    add_graph_options,
    check_environments,
    chosen_environments,
    format_check,
)
from .findings import UsageError
from .graph import Graph, divergence


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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cwd = Path.cwd()
    try:
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
    except UsageError as error:
        print(f"alembic-heads: {error}", file=sys.stderr)
        return 2
    sys.stdout.write("\n".join(pictures))
    return 0


def _part(graph: Graph, since: str | None, heads: bool) -> set[str]:
    if since is not None:
        return graph.descendants(resolve(graph, since))
    if heads and len(graph.heads) > 1:
        return drawing.divergence_revisions(graph, divergence(graph, graph.heads))
    if heads:
        return set(graph.heads)
    return set(graph.revisions)


def resolve(graph: Graph, name: str) -> str:
    """A revision id, a branch label, or the unique start of an id."""
    if name in graph.revisions:
        return name
    if name in graph.labels:
        return graph.labels[name]
    matches = [rev for rev in graph.revisions if rev.startswith(name)] if name else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"--since {name}: ambiguous, it starts {', '.join(matches[:5])}")
    raise UsageError(f"--since {name}: no such revision or branch label")
