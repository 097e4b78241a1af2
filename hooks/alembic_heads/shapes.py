"""Shapes some teams require beyond one head: one base (``--single-base``), or
a strictly linear history, one revision after another (``--linear``: one base
and no merge revisions, the "train" a single developer keeps)."""

from __future__ import annotations

from .findings import Finding
from .graph import Graph


def shape_findings(graph: Graph, linear: bool, single_base: bool) -> list[Finding]:
    """What ``--linear`` finds, or ``--single-base`` (when only it is asked for)."""
    assert linear or single_base
    findings = _several_bases(graph, "--linear" if linear else "--single-base")
    if linear:
        findings += _merge_revisions(graph)
    return findings


def _several_bases(graph: Graph, option: str) -> list[Finding]:
    bases = graph.bases
    if len(bases) < 2:
        return []
    listed = ", ".join(bases)
    return [
        Finding(
            graph.revisions[base].path,
            graph.revisions[base].line_of("down_revision"),
            "multiple-bases",
            f"revision {base} is one of {len(bases)} bases ({listed}): {option} allows one",
            "set its down_revision to the revision it follows, so that the history "
            "starts from one place",
            ref=graph.revisions[base].ref,
        )
        for base in bases
    ]


def _merge_revisions(graph: Graph) -> list[Finding]:
    findings = []
    for rev in graph.mergepoints:
        file = graph.revisions[rev]
        findings.append(
            Finding(
                file.path,
                file.line_of("down_revision"),
                "merge-revision",
                f"revision {rev} merges {', '.join(file.down_revision)}: "
                "--linear allows no merge revisions",
                "instead of merging, move one branch onto the other (alembic-heads rebase), "
                "then delete this revision",
                ref=file.ref,
            )
        )
    return findings
