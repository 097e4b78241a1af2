"""What ``check --summary`` appends to a GitHub job summary: Markdown, with the
divergence drawn as a Mermaid flowchart and the fix commands ready to copy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from . import drawing
from .graph import divergence
from .machine_output import check_document
from .paths import display
from .report import format_check
from .results import GraphCheck

TITLE = "## alembic-heads"


def markdown(results: Sequence[GraphCheck], cwd: str | Path) -> str:
    """One section for the whole check: each graph's heads when all are
    healthy, otherwise each failing graph's picture, fix commands and report."""
    failed = [result for result in results if not result.ok]
    if not failed:
        lines = [TITLE, "", "Every revision graph is healthy:", ""]
        lines += [f"- {_name(result)}: {_heads(result, cwd)}" for result in results]
        return "\n".join(lines) + "\n"
    blocks = [TITLE]
    for result in failed:
        blocks.append(_failure(result, cwd))
    return "\n\n".join(blocks) + "\n"


def usage_error(message: str) -> str:
    """A check that could not run (exit 2) says so in the summary too."""
    return f"{TITLE}\n\nThe check could not run:\n\n{fenced('text', message)}\n"


def _failure(result: GraphCheck, cwd: str | Path) -> str:
    graph = result.graph
    parts = [f"### {_name(result)}"]
    for problem in result.too_many_heads:
        assert graph is not None
        picture = drawing.divergence_view(graph, divergence(graph, problem.heads))
        parts.append(fenced("mermaid", drawing.mermaid(graph, picture)))
    document = check_document([result], cwd)["graphs"][0]
    commands = [command for finding in document["findings"] for command in finding["commands"]]
    if commands:
        parts.append("Fix it with:")
        parts.append(fenced("sh", "\n".join(commands)))
    parts.append(fenced("text", format_check(result, cwd)))
    return "\n\n".join(parts)


def _name(result: GraphCheck) -> str:
    name = _code(result.env.name)
    return name if result.against is None else f"{name}, merged with {_code(result.against)}"


def _heads(result: GraphCheck, cwd: str | Path) -> str:
    graph = result.graph
    if graph is None or not graph.heads:
        return "no revisions"
    shown = []
    for head in sorted(graph.heads):
        file = graph.revisions[head]
        where = display(file.path, cwd, file.ref)
        about = f" {_escape(file.message)}," if file.message else ""
        shown.append(f"{_code(head)}{about} in {_code(where)}")
    return f"head{'s' if len(shown) > 1 else ''} " + ", ".join(shown)


def fenced(language: str, text: str) -> str:
    """A code block whose fence no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _code(text: str) -> str:
    """Inline code that holds any text, backticks included."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    tick = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{tick}{pad}{text}{pad}{tick}"


def _escape(text: str) -> str:
    """Text that Markdown shows as written (no emphasis, links or HTML)."""
    return re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)
