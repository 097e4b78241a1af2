"""When a graph has "a second head".

One head is healthy. A project that labels its branches (expand/contract style)
is healthy with one head per labelled branch, resolved the way Alembic
resolves ``LABEL@head``, and every head must belong to a labelled branch.
``--max-heads N`` replaces both rules with a plain count.
"""

from __future__ import annotations

from .graph import Graph
from .record import Record


class TooManyHeads(Record):
    """``heads`` are too many for ``branch`` (``None``: the whole graph)."""

    __slots__ = ("heads", "branch", "limit", "unlabelled")

    def __init__(
        self,
        heads: tuple[str, ...],
        branch: str | None = None,
        limit: int = 1,
        unlabelled: bool = False,
    ) -> None:
        self.heads = heads
        self.branch = branch
        self.limit = limit
        self.unlabelled = unlabelled


def too_many_heads(graph: Graph, max_heads: int | None = None) -> list[TooManyHeads]:
    heads = graph.heads
    if max_heads is not None:
        return [TooManyHeads(tuple(heads), limit=max_heads)] if len(heads) > max_heads else []
    if len(heads) <= 1:
        return []
    if not graph.labels:
        return [TooManyHeads(tuple(heads))]
    problems = []
    labelled: set[str] = set()
    for label in sorted(graph.labels):
        label_heads = graph.label_heads(label)
        labelled.update(label_heads)
        if len(label_heads) > 1:
            problems.append(TooManyHeads(tuple(label_heads), branch=label))
    strays = tuple(head for head in heads if head not in labelled)
    if strays:
        problems.append(TooManyHeads(strays, unlabelled=True))
    return problems
