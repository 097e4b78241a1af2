"""Turning findings and surplus heads into the text a person reads."""

from __future__ import annotations

import os
import shlex
from collections.abc import Collection, Sequence
from pathlib import Path

from . import drawing
from .config import DEFAULT_INI, DEFAULT_SECTION, Environment
from .findings import in_order
from .graph import Graph, divergence
from .heads import TooManyHeads
from .paths import display
from .record import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .paths import StrPath
    from .results import GraphCheck


def alembic_command(env: Environment, cwd: StrPath) -> str:
    """``alembic`` with the ``-c``/``-n`` options that reach ``env``, from ``cwd``
    (``flask db`` for a Flask-Migrate ``migrations`` folder)."""
    base = env.run_from or cwd
    words = [] if display(base, cwd) == "." else ["cd", path_word(display(base, cwd)), "&&"]
    if env.flask:
        words += ["flask", "db"]
        assert env.ini is not None
        if display(os.path.dirname(env.ini), base) != "migrations":
            words += ["-d", path_word(display(os.path.dirname(env.ini), base))]
        return " ".join(words)
    words.append("alembic")
    if env.ini is not None and display(env.ini, base) != DEFAULT_INI:
        words += ["-c", path_word(display(env.ini, base))]
    elif env.ini is None and env.toml is not None and display(env.toml, base) != "pyproject.toml":
        words += ["-c", path_word(display(env.toml, base))]
    if env.section != DEFAULT_SECTION:
        words += ["-n", shlex.quote(env.section)]
    return " ".join(words)


def path_word(path: str) -> str:
    """A relative path as one shell word that no command takes for an option."""
    return shlex.quote(f"./{path}" if path.startswith("-") else path)


def merge_message(heads: Sequence[str]) -> str:
    return f"merge {', '.join(heads[:-1])} and {heads[-1]}"


def merge_command(env: Environment, heads: Sequence[str], cwd: StrPath) -> str:
    """The ``alembic merge`` that joins ``heads``, with explicit ids (never
    ``heads``, which with ``depends_on`` can leave a second head behind)."""
    words = ["merge", "-m", merge_message(heads), *heads]
    return f"{alembic_command(env, cwd)} {' '.join(map(shlex.quote, words))}"


def headline(env: Environment, problem: TooManyHeads, against: str | None = None) -> str:
    """The first line of a surplus-heads report; ``against``: the ref the
    graph is this branch merged with (``check --against``)."""
    name = env.name if against is None else f"{env.name}, merged with {against}"
    count = len(problem.heads)
    if problem.branch is not None:
        return (
            f"{name}: Multiple head revisions are present on branch "
            f"'{problem.branch}': {count} heads, "
            f"`alembic upgrade {shlex.quote(problem.branch + '@head')}` will fail"
        )
    if problem.unlabelled:
        return (
            f"{name}: Multiple head revisions are present: {count} "
            f"head{'s' if count > 1 else ''} outside every labelled branch"
        )
    if problem.limit > 1:
        return (
            f"{name}: Multiple head revisions are present: {count} heads, "
            f"more than --max-heads {problem.limit}"
        )
    return (
        f"{name}: Multiple head revisions are present: {count} heads, "
        "`alembic upgrade head` will fail"
    )


def heads_report(
    graph: Graph,
    env: Environment,
    problem: TooManyHeads,
    cwd: StrPath,
    own: Collection[str] | None = None,
    color: bool = False,
    against: str | None = None,
) -> str:
    """``against`` and ``own``: the ref the graph is this branch merged with
    (``check --against``), and the revisions only this branch has."""
    lines = [headline(env, problem, against)]
    if problem.branch is not None and problem.branch in graph.labels:
        origin = graph.revisions[graph.labels[problem.branch]].read_from.get("branch_labels")
        if origin:
            lines.append(f"    (branch label '{problem.branch}' read from {origin})")
    for head in problem.heads:
        file = graph.revisions[head]
        lines.append(
            f"{display(file.path, cwd, file.ref)}:{file.line_of()}: head {head}"
            + (f": {file.message}" if file.message else "")
        )
    split = divergence(graph, problem.heads)
    if split.fork:
        fork = ", ".join(split.fork)
        about = graph.revisions[split.fork[0]].message if len(split.fork) == 1 else ""
        lines.append(
            f"    the branches split after {fork}" + (f" ({about})" if about else "") + ":"
        )
    else:
        lines.append("    the branches share no revision (they start from separate bases):")
    picture = drawing.draw(graph, drawing.divergence_view(graph, split), color, 74)
    lines.extend("      " + line for line in picture)
    if own is not None:
        lines.append(_own_line(graph, own, problem.heads))
    advice = stray_advice(graph, problem)
    if advice:
        lines.append("    " + advice)
        return "\n".join(lines)
    lines.append("    merge them into one head:")
    lines.append("      " + merge_command(env, problem.heads, cwd))
    if own is None:
        lines.extend(_repoint_advice(graph, split.fork, split.branches, problem.heads, cwd))
    else:
        lines.extend(_own_repoint_advice(graph, own, problem.heads, cwd))
    return "\n".join(lines)


def stray_advice(graph: Graph, problem: TooManyHeads) -> str:
    """For heads outside every labelled branch: how to bring them in (no merge)."""
    if not (problem.unlabelled and graph.labels):
        return ""
    labels = ", ".join(sorted(graph.labels))
    return (
        f"every head must be on a labelled branch ({labels}): point the stray "
        "revision's down_revision at its branch's head, or give it a branch_labels"
    )


LONGEST_BRANCH_SHOWN = 6


def _shortened(revisions: Sequence[str]) -> list[str]:
    shown = list(revisions)
    if len(shown) > LONGEST_BRANCH_SHOWN:
        hidden = len(shown) - 4
        shown = [*shown[:2], f"... ({hidden} more)", *shown[-2:]]
    return shown


def _repoint_advice(
    graph: Graph,
    fork: Sequence[str],
    branches: Sequence[Sequence[str]],
    heads: Sequence[str],
    cwd: StrPath,
) -> list[str]:
    """The alternative for undeployed work: move one branch onto the other head."""
    if len(heads) != 2 or len(fork) != 1 or not all(branches):
        return []
    moving = 0 if len(branches[0]) < len(branches[1]) else 1
    first = graph.revisions[branches[moving][0]]
    if first.down_revision != (fork[0],):
        return []
    return _move_advice(graph, branches[moving], heads[1 - moving], cwd)


def _own_line(graph: Graph, own: Collection[str], heads: Sequence[str]) -> str:
    mine = _own_lineage(graph, own, heads)
    if not mine:
        return "    nothing here is new on this branch: the other side has these heads already"
    return f"    new on this branch: {', '.join(_shortened(mine))}"


def _own_lineage(graph: Graph, own: Collection[str], heads: Sequence[str]) -> list[str]:
    """This branch's own revisions below ``heads``, parents first."""
    return graph.topological(set().union(*(graph.ancestors(h) for h in heads)) & set(own))


def _own_repoint_advice(
    graph: Graph, own: Collection[str], heads: Sequence[str], cwd: StrPath
) -> list[str]:
    """Move this branch's own work (not deployed: it is not on the other
    branch yet) onto the other branch's head, when it is one straight line."""
    theirs = [head for head in heads if head not in own]
    mine = [head for head in heads if head in own]
    if len(theirs) != 1 or len(mine) != 1:
        return []
    branch = _own_lineage(graph, own, mine)
    bottom = [rev for rev in branch if not any(p in own for p in graph.parents(rev))]
    if len(bottom) != 1 or any(len(graph.revisions[rev].down_revision) != 1 for rev in branch):
        return []
    return _move_advice(graph, branch, theirs[0], cwd)


def _move_advice(graph: Graph, branch: Sequence[str], target: str, cwd: StrPath) -> list[str]:
    """Set the ``down_revision`` of ``branch``'s first revision to ``target``."""
    first = graph.revisions[branch[0]]
    where = f"{display(first.path, cwd, first.ref)}:{first.line_of('down_revision')}"
    chain = " -> ".join(branch) if len(branch) <= 3 else f"{branch[0]} .. {branch[-1]}"
    return [
        f"    or, if {chain} is not deployed anywhere yet, move it onto {target} instead:",
        f"      set down_revision = {target!r} in {where}",
    ]


def format_check(result: GraphCheck, cwd: str | Path, color: bool = False) -> str:
    blocks = []
    for finding in in_order(result.findings):
        blocks.append(replace(finding, path=display(finding.path, cwd)).format())
    assert result.graph is not None or not result.too_many_heads
    for problem in result.too_many_heads:
        assert result.graph is not None
        blocks.append(
            heads_report(result.graph, result.env, problem, cwd, result.own, color, result.against)
        )
    return "\n".join(blocks)
