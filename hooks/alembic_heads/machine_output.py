"""What ``check`` found, for machines: JSON (``schema/check-v1.json``) and GitHub annotations."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings import in_order
from .paths import display
from .report import headline, merge_command, stray_advice

if TYPE_CHECKING:
    from .paths import StrPath
    from .results import GraphCheck

SCHEMA_VERSION = 1


def check_document(results: Sequence[GraphCheck], cwd: StrPath) -> dict[str, Any]:
    """The ``--format json`` document; its shape is ``schema/check-v1.json``."""
    from . import __version__  # here: the package imports this module while it loads

    graphs = [_graph_document(result, cwd) for result in results]
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "alembic-heads", "version": __version__},
        "ok": all(graph["ok"] for graph in graphs),
        "graphs": graphs,
    }


def _graph_document(result: GraphCheck, cwd: StrPath) -> dict[str, Any]:
    env, graph = result.env, result.graph
    config = env.ini or env.toml
    heads = []
    if graph is not None:
        for head in graph.heads:
            file = graph.revisions[head]
            heads.append(
                {
                    "revision": head,
                    "path": display(file.path, cwd, file.ref),
                    "line": file.line_of(),
                    "message": file.message,
                }
            )
    findings = [
        {
            "id": finding.code,
            "path": display(finding.path, cwd, finding.ref),
            "line": finding.line,
            "message": finding.message,
            "hint": finding.hint,
            "commands": [],
        }
        for finding in in_order(result.findings)
    ]
    for problem in result.too_many_heads:
        assert graph is not None
        first = graph.revisions[problem.heads[0]]
        advice = stray_advice(graph, problem)
        findings.append(
            {
                "id": "multiple-heads",
                "path": display(first.path, cwd, first.ref),
                "line": first.line_of(),
                "message": headline(env, problem),
                "hint": advice or "merge them into one head",
                "commands": [] if advice else [merge_command(env, problem.heads, cwd)],
                "heads": list(problem.heads),
                "branch": problem.branch,
            }
        )
    return {
        "name": env.name,
        "config": display(config, cwd) if config is not None else None,
        "section": env.section if config is not None else None,
        "ok": result.ok,
        "heads": heads,
        "findings": findings,
    }


def github_annotations(
    document: dict[str, Any], cwd: StrPath = ".", workspace: StrPath | None = None
) -> list[str]:
    """``::error`` workflow commands, one per finding and one per surplus head,
    so that GitHub shows each at its file and line in the pull request. Paths
    in ``document`` are relative to ``cwd``; GitHub wants them relative to the
    repository (``workspace``)."""
    lines = []
    for graph in document["graphs"]:
        heads = {head["revision"]: head for head in graph["heads"]}
        for finding in graph["findings"]:
            places = [heads[rev] for rev in finding.get("heads", ())] or [finding]
            body = "\n".join([finding["message"], finding["hint"], *finding["commands"]]).strip()
            for place in places:
                properties = {
                    "file": _in_workspace(place["path"], cwd, workspace),
                    "line": str(place["line"]),
                    "title": f"alembic-heads: {finding['id']}",
                }
                rendered = ",".join(f"{key}={_escape_property(v)}" for key, v in properties.items())
                lines.append(f"::error {rendered}::{_escape_data(body)}")
    return lines


def _in_workspace(path: str, cwd: StrPath, workspace: StrPath | None) -> str:
    full = os.path.join(cwd, path)
    if not os.path.exists(full):  # not a file here: a file only REF has (REF:path)
        return path
    root = cwd if workspace is None else workspace
    return Path(os.path.relpath(os.path.realpath(full), os.path.realpath(root))).as_posix()


def _escape_data(text: str) -> str:
    # As @actions/core's escapeData.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # As @actions/core's escapeProperty.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
