"""The revision graph and the questions Alembic asks of it.

The words are Alembic's (``alembic/script/revision.py``): a *head* is a revision
no other revision names in ``down_revision``; ``depends_on`` does not stop a
revision from being a head, but a head that another revision depends on is not
an *effective* head (``get_heads(consider_depends_on=True)``). A *base* has no
``down_revision``; a *branchpoint* has more than one child through
``down_revision``; a *mergepoint* names more than one ``down_revision``.

Building the graph never fails: what Alembic would refuse to load (a missing
parent, a duplicate id, a cycle, a duplicate branch label) becomes a
:class:`~alembic_heads.findings.Finding`, and the graph is built from the rest.
"""

from __future__ import annotations

import os

from .findings import Finding, UsageError
from .paths import display
from .record import Record
from .revision_file import RevisionFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence


class Graph(Record):
    """Revisions keyed by id, in the order Alembic loads them."""

    __slots__ = ("revisions", "children", "labels", "dependencies", "findings")
    __hash__ = None  # type: ignore[assignment]  # it holds dicts

    def __init__(
        self,
        revisions: dict[str, RevisionFile],
        children: dict[str, list[str]],
        labels: dict[str, str],
        dependencies: dict[str, tuple[str, ...]],
        findings: list[Finding] | None = None,
    ) -> None:
        self.revisions = revisions
        self.children = children
        self.labels = labels
        self.dependencies = dependencies
        self.findings = [] if findings is None else findings

    @property
    def heads(self) -> list[str]:
        """Revisions no other revision names in ``down_revision``."""
        return [rev for rev in self.revisions if not self.children[rev]]

    @property
    def effective_heads(self) -> list[str]:
        """Heads that no other revision names in ``depends_on`` either."""
        depended_on = {dep for deps in self.dependencies.values() for dep in deps}
        return [rev for rev in self.heads if rev not in depended_on]

    @property
    def bases(self) -> list[str]:
        return [rev for rev, file in self.revisions.items() if not file.down_revision]

    @property
    def branchpoints(self) -> list[str]:
        return [rev for rev in self.revisions if len(self.children[rev]) > 1]

    @property
    def mergepoints(self) -> list[str]:
        return [rev for rev, file in self.revisions.items() if len(file.down_revision) > 1]

    def parents(self, rev: str) -> list[str]:
        """The ``down_revision`` entries of ``rev`` that exist in the graph."""
        downs = self.revisions[rev].down_revision
        return [down for down in dict.fromkeys(downs) if down in self.revisions]

    def ancestors(self, rev: str) -> set[str]:
        """``rev`` and every revision below it through ``down_revision``."""
        return _reach(rev, self.parents)

    def descendants(self, rev: str) -> set[str]:
        """``rev`` and every revision above it through ``down_revision``."""
        return _reach(rev, self.children.__getitem__)

    def label_heads(self, label: str) -> list[str]:
        """The heads ``LABEL@head`` resolves to (Alembic's ``filter_for_lineage``)."""
        above = self.descendants(self.labels[label])
        return [head for head in self.heads if head in above]

    def topological(self, revisions: Iterable[str]) -> list[str]:
        """``revisions`` ordered parents first, ties in load order."""
        import heapq  # only reports order revisions

        wanted = set(revisions)
        order = {rev: index for index, rev in enumerate(self.revisions)}
        waiting = {rev: sum(1 for p in self.parents(rev) if p in wanted) for rev in wanted}
        ready = [(order[rev], rev) for rev, count in waiting.items() if not count]
        heapq.heapify(ready)
        result: list[str] = []
        while ready:
            _, rev = heapq.heappop(ready)
            result.append(rev)
            for child in self.children[rev]:
                if child in wanted:
                    waiting[child] -= 1
                    if not waiting[child]:
                        heapq.heappush(ready, (order[child], child))
        return result


class Divergence(Record):
    """Where the branches ending in ``heads`` split, and each branch since then."""

    __slots__ = ("heads", "fork", "branches")

    def __init__(
        self, heads: tuple[str, ...], fork: tuple[str, ...], branches: tuple[tuple[str, ...], ...]
    ) -> None:
        self.heads = heads
        self.fork = fork
        self.branches = branches


def divergence(graph: Graph, heads: Sequence[str]) -> Divergence:
    """The last revisions all ``heads`` share, and what each head adds since."""
    lineages = [graph.ancestors(head) for head in heads]
    common = set.intersection(*lineages) if lineages else set()
    fork = [
        rev
        for rev in graph.revisions
        if rev in common and not any(child in common for child in graph.children[rev])
    ]
    branches = tuple(tuple(graph.topological(lineage - common)) for lineage in lineages)
    return Divergence(tuple(heads), tuple(fork), branches)


def build_graph(files: Iterable[RevisionFile]) -> Graph:
    """Build the graph as Alembic's ``RevisionMap`` would, collecting findings."""
    findings: list[Finding] = []
    revisions: dict[str, RevisionFile] = {}
    for file in files:
        first = revisions.get(file.revision)
        if first is not None:
            findings.extend(_duplicate(first, file))
            continue
        revisions[file.revision] = file

    labels: dict[str, str] = {}
    for rev, file in revisions.items():
        for label in file.branch_labels:
            if label in labels or label in revisions:
                findings.append(_duplicate_label(file, label, revisions, labels))
            else:
                labels[label] = rev

    for rev, file in revisions.items():
        if not file.has_down_revision:
            findings.append(
                Finding(
                    file.path,
                    file.line_of(),
                    "no-down-revision",
                    f"revision {rev} has no down_revision: Alembic cannot load it",
                    "add down_revision = None for a first revision, or the id of its parent",
                    ref=file.ref,
                )
            )

    children: dict[str, list[str]] = {rev: [] for rev in revisions}
    dependencies: dict[str, tuple[str, ...]] = {}
    for rev, file in revisions.items():
        for down in dict.fromkeys(file.down_revision):
            if down in revisions:
                children[down].append(rev)
            else:
                findings.append(_missing_parent(file, down, revisions))
        resolved = []
        for dep in file.depends_on:
            target = dep if dep in revisions else labels.get(dep)
            if target is None:
                findings.append(_missing_dependency(file, dep))
            else:
                resolved.append(target)
        dependencies[rev] = tuple(resolved)

    graph = Graph(revisions, children, labels, dependencies, findings)
    findings.extend(_cycles(graph))
    return graph


def _reach(start: str, step: Callable[[str], Iterable[str]]) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for nxt in step(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _cycles(graph: Graph) -> list[Finding]:
    """One finding per cycle through ``down_revision`` or ``depends_on``."""
    edges = {rev: _edges(graph, rev, file) for rev, file in graph.revisions.items()}
    if _acyclic(edges) or not _alembic_refuses(graph, edges):
        return []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    findings = []
    for root in graph.revisions:
        if root in state:
            continue
        path = [root]
        iters = [iter(edges[root])]
        state[root] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(edges[nxt]))
            elif state[nxt] == 1:
                loop = path[path.index(nxt) :]
                file = graph.revisions[loop[0]]
                shown = " -> ".join([*loop, loop[0]])
                findings.append(
                    Finding(
                        file.path,
                        file.line_of("down_revision"),
                        "cycle",
                        f"cycle in the revision graph: {shown} "
                        "(each names the next in down_revision or depends_on)",
                        ref=file.ref,
                    )
                )
    return findings


def _alembic_refuses(graph: Graph, edges: dict[str, list[str]]) -> bool:
    """Whether Alembic refuses a graph that has a cycle, as
    ``RevisionMap._detect_cycles`` decides (and ``Revision``, for one naming
    itself): every revision must be reached both from the heads down and from
    the bases up, through ``down_revision`` and then through ``depends_on``
    too. A cycle that passes (a revision depending on its own descendant,
    reached both ways) loads, and ``alembic upgrade`` runs it.
    """
    revisions = graph.revisions
    if any(rev in s.down_revision or rev in s.depends_on for rev, s in revisions.items()):
        return True
    dependants: dict[str, list[str]] = {rev: [] for rev in revisions}
    for rev, targets in edges.items():
        for target in targets:
            dependants[target].append(rev)
    real_heads = [rev for rev in revisions if not dependants[rev]]
    real_bases = [rev for rev, s in revisions.items() if not s.down_revision and not s.depends_on]
    checks = (
        (graph.heads, graph.parents, graph.bases, graph.children.__getitem__),
        (real_heads, edges.__getitem__, real_bases, dependants.__getitem__),
    )
    for heads, down, bases, up in checks:
        if not heads or not bases:
            return True
        if len(_reach_all(heads, down) & _reach_all(bases, up)) != len(revisions):
            return True
    return False


def _reach_all(starts: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    seen: set[str] = set()
    for start in starts:
        if start not in seen:
            seen |= _reach(start, step)
    return seen


def _edges(graph: Graph, rev: str, file: RevisionFile) -> list[str]:
    """Where ``rev`` leads: its parents, then what it depends on."""
    downs, dependencies = file.down_revision, graph.dependencies[rev]
    if len(downs) == 1 and not dependencies:  # most revisions: the quick answer
        return [downs[0]] if downs[0] in graph.revisions else []
    return list(dict.fromkeys(graph.parents(rev) + list(dependencies)))


def _acyclic(edges: dict[str, list[str]]) -> bool:
    """Whether no path through ``edges`` comes back: each revision is peeled
    off once nothing points at it (Kahn), cheaper than the search for cycles."""
    pointed_at = dict.fromkeys(edges, 0)
    for targets in edges.values():
        for target in targets:
            pointed_at[target] += 1
    free = [rev for rev, count in pointed_at.items() if not count]
    peeled = 0
    while free:
        peeled += 1
        for target in edges[free.pop()]:
            pointed_at[target] -= 1
            if not pointed_at[target]:
                free.append(target)
    return peeled == len(edges)


def _where(file: RevisionFile) -> str:
    """Where ``file`` is, as a message shows another file (from the working directory)."""
    return display(file.path, os.getcwd(), file.ref)


def _duplicate(first: RevisionFile, again: RevisionFile) -> list[Finding]:
    where = f"{_where(first)}:{first.line_of()}"
    return [
        Finding(
            again.path,
            again.line_of(),
            "duplicate-revision",
            f"revision {again.revision} is defined twice: also in {where}",
            "give one of them a new id (and update the down_revision that names it)",
            ref=again.ref,
        )
    ]


def _duplicate_label(
    file: RevisionFile, label: str, revisions: dict[str, RevisionFile], labels: dict[str, str]
) -> Finding:
    owner = revisions[labels.get(label, label)]
    what = "a revision id" if label in revisions else "a branch label of"
    return Finding(
        file.path,
        file.line_of("branch_labels"),
        "duplicate-branch-label",
        f"branch label '{label}' of revision {file.revision} is already "
        f"{what} {owner.revision} ({_where(owner)}:{owner.line_of('branch_labels')})",
        ref=file.ref,
    )


def _missing_parent(file: RevisionFile, down: str, revisions: dict[str, RevisionFile]) -> Finding:
    suggestion = suggest_revision(down, revisions)
    if down == "":
        hint = "write down_revision = None for a first revision, or the id of its parent"
    elif suggestion:
        hint = f"did you mean '{suggestion}' ({_where(revisions[suggestion])})?"
    else:
        hint = "restore the missing revision file, or point down_revision at an existing revision"
    return Finding(
        file.path,
        file.line_of("down_revision"),
        "missing-down-revision",
        f"down_revision '{down}' of revision {file.revision} names a revision that does not exist",
        hint,
        ref=file.ref,
    )


def _missing_dependency(file: RevisionFile, dep: str) -> Finding:
    return Finding(
        file.path,
        file.line_of("depends_on"),
        "missing-dependency",
        f"depends_on '{dep}' of revision {file.revision} names neither a revision "
        "nor a branch label",
        ref=file.ref,
    )


def suggest_revision(wrong: str, revisions: dict[str, RevisionFile]) -> str | None:
    """The revision a mistyped reference most likely meant.

    Catches a file name written instead of an id (``abc123_add_users``), and a
    shortened or lengthened id, when exactly one revision matches.
    """
    if not wrong:
        return None
    stem = os.path.basename(wrong)
    stem = stem[:-3] if stem.endswith(".py") else stem
    candidates = [
        rev
        for rev, file in revisions.items()
        if os.path.basename(file.path)[:-3] == stem
        or (len(wrong) >= 4 and rev.startswith(wrong))
        or (len(rev) >= 4 and stem.startswith(rev + "_"))
        or (len(rev) >= 4 and wrong.startswith(rev))
    ]
    return candidates[0] if len(candidates) == 1 else None


def upgrade_order(graph: Graph, revisions: Iterable[str], targets: Sequence[str]) -> list[str]:
    """``revisions`` in the order ``alembic upgrade`` to ``targets`` applies
    them: Alembic's ``RevisionMap._topological_sort`` (which walks down from
    the targets, one branch as far as no other still needs it), reversed."""
    load = {rev: index for index, rev in enumerate(graph.revisions)}

    def own_dependencies(rev: str) -> list[str]:
        """What ``rev`` depends on that no revision below it depends on
        already (Alembic's ``_normalized_resolved_dependencies``)."""
        if not graph.dependencies[rev]:
            return []
        below = _reach(rev, graph.parents) - {rev}
        inherited = {dep for other in below for dep in graph.dependencies[other]}
        return [dep for dep in graph.dependencies[rev] if dep not in inherited]

    todo = set(revisions)
    heads = sorted({rev for rev in targets if rev in todo}, key=load.__getitem__)
    needed = [lineage(graph, [head]) for head in heads]
    output: list[str] = []
    index = 0
    while heads:
        candidate = heads[index]
        waiting = next(
            (i for i, needs in enumerate(needed) if i != index and candidate in needs), None
        )
        if waiting is not None:  # another branch needs it: walk that one first
            index = waiting
            continue
        if candidate in todo:
            output.append(candidate)
            todo.remove(candidate)
        extra = own_dependencies(candidate)
        downs = dict.fromkeys([*graph.parents(candidate), *extra])
        more = [rev for rev in downs if rev in todo and rev not in heads]
        if not more:
            del heads[index], needed[index]
            index = max(index - 1, 0)
        elif len(graph.revisions[candidate].down_revision) == 1 and not extra:
            heads[index] = more[0]
            needed[index].discard(candidate)
        else:
            heads[index] = more[0]
            heads.extend(more[1:])
            needed[index] = lineage(graph, more[:1])
            needed.extend(lineage(graph, [rev]) for rev in more[1:])
    return output[::-1]


def lineage(graph: Graph, revisions: Iterable[str]) -> set[str]:
    """``revisions`` and all they need, through ``down_revision`` and
    ``depends_on``: what a database has applied once it has applied them."""
    seen: set[str] = set()
    for rev in revisions:
        if rev in graph.revisions and rev not in seen:
            seen |= _reach(
                rev, lambda current: [*graph.parents(current), *graph.dependencies[current]]
            )
    return seen


def resolve_revision(graph: Graph, ident: str) -> list[str]:
    """The revisions ``ident`` names, as Alembic's ``RevisionMap.get_revisions``
    resolves one identifier: an id; a branch label; the unique start of an id
    or a label longer than three characters (Alembic matches any start,
    however short, against those); ``heads`` (the heads no revision depends
    on), ``head`` (the one head, else an error), ``base`` (none);
    ``BRANCH@REV``, ``BRANCH@head``, ``BRANCH@heads`` (``BRANCH``: a label,
    or an id or its start), REV kept to that branch. Raises
    :class:`UsageError` with Alembic's reason when it names nothing."""
    branch, at, rev = ident.partition("@")
    if not at:
        branch, rev = "", ident
    if rev.startswith("-") and rev[1:].isdigit():
        raise UsageError(f"{ident}: a relative revision (-N) cannot be resolved here")
    return [_revision_for_ident(graph, rev_id, branch) for rev_id in _named(graph, rev, branch)]


def _named(graph: Graph, rev: str, branch: str) -> list[str]:
    """Alembic's ``RevisionMap._resolve_revision_number``: the symbolic names
    made ids, anything else left for :func:`_revision_for_ident`."""
    if rev == "heads":
        return _in_lineage(graph, graph.heads, branch) if branch else graph.effective_heads
    if rev == "head":
        heads = _in_lineage(graph, graph.heads, branch) if branch else graph.heads
        if len(heads) > 1:
            shown = f"{branch}@head" if branch else "head"
            raise UsageError(
                f"multiple heads are present for given argument '{shown}'; {', '.join(heads)}"
            )
        return heads
    return [] if rev == "base" else [rev]


def _revision_for_ident(graph: Graph, ident: str, branch: str = "") -> str:
    """Alembic's ``RevisionMap._revision_for_ident``: ``ident`` exactly, else
    the one id or label that starts with it (kept to ``branch``'s lineage)."""
    on_branch = _resolve_branch(graph, branch) if branch else None
    found = ident if ident in graph.revisions else graph.labels.get(ident)
    if found is None:
        keys = [*graph.revisions, *graph.labels]  # the keys of Alembic's revision map
        matches = [key for key in keys if len(key) > 3 and key.startswith(ident)] if ident else []
        if on_branch is not None:
            matches = _in_lineage(graph, matches, branch)
        if not matches:
            short = "; give at least four characters of a revision id" if len(ident) < 4 else ""
            raise UsageError(f"no such revision or branch '{ident}'{short}")
        if len(matches) > 1:
            shown = ", ".join(f"'{key}'" for key in matches[:3])
            raise UsageError(f"multiple revisions start with '{ident}': {shown}...")
        found = graph.labels.get(matches[0], matches[0])
    if on_branch is not None and not _shares_lineage(graph, found, [on_branch]):
        raise UsageError(f"revision {found} is not a member of branch '{branch}'")
    return found


def _resolve_branch(graph: Graph, branch: str) -> str:
    """The revision ``BRANCH@`` names: a label, else an id or its start."""
    if branch in graph.labels:
        return graph.labels[branch]
    if branch in graph.revisions:
        return branch
    try:
        return _revision_for_ident(graph, branch)
    except UsageError:
        raise UsageError(f"no such branch: '{branch}'") from None


def _in_lineage(graph: Graph, targets: Iterable[str], branch: str) -> list[str]:
    """Alembic's ``filter_for_lineage``: ``targets`` that are ``branch``'s
    revision, above it or below it."""
    against = [_revision_for_ident(graph, rev) for rev in _named(graph, branch, "")]
    return [
        target
        for target in targets
        if _shares_lineage(graph, _revision_for_ident(graph, target), against)
    ]


def _shares_lineage(graph: Graph, rev: str, against: Sequence[str]) -> bool:
    if not against:
        return True
    return not (graph.ancestors(rev) | graph.descendants(rev)).isdisjoint(against)
