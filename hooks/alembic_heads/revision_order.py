"""Which revisions a round trip walks, and in what order: the graph's own,
parents and dependencies first (not a linear walk)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .findings import UsageError


def parents(revision: Any) -> tuple[str, ...]:
    """What must be applied before ``revision``: its down revisions and dependencies."""
    return tuple(revision._all_down_revisions)


def topological(script: Any) -> list[Any]:
    """Every revision, parents (and dependencies) first, ties in Alembic's own
    order (the reverse of ``walk_revisions``, which lists heads first)."""
    import heapq

    walked = list(script.walk_revisions("base", "heads"))[::-1]
    rank = {revision.revision: index for index, revision in enumerate(walked)}
    waiting = {r.revision: {p for p in parents(r) if p in rank} for r in walked}
    children: dict[str, list[str]] = {}
    for rev, before in waiting.items():
        for parent in before:
            children.setdefault(parent, []).append(rev)
    ready = [rank[rev] for rev, before in waiting.items() if not before]
    heapq.heapify(ready)
    order = []
    while ready:
        revision = walked[heapq.heappop(ready)]
        order.append(revision)
        for child in children.get(revision.revision, ()):
            waiting[child].discard(revision.revision)
            if not waiting[child]:
                heapq.heappush(ready, rank[child])
    return order


def in_scope(
    script: Any, order: Sequence[Any], since_rev: str | None, own: frozenset[str] | None
) -> set[str]:
    """The revisions to round-trip (the others are only upgraded through)."""
    everything = {revision.revision for revision in order}
    if own is not None:
        everything &= own
    if since_rev is not None:
        from alembic.util import CommandError

        try:
            since = script.get_revision(since_rev)
        except CommandError as error:
            raise UsageError(f"--since: {error}") from None
        if since is None:
            raise UsageError(f"--since: no revision {since_rev!r}")
        above = {since.revision}
        for revision in order:
            if any(parent in above for parent in parents(revision)):
                above.add(revision.revision)
        everything &= above
    return everything
