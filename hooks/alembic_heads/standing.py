"""Where the database stands against this working tree's history (for ``alembic-heads status``).

The database's version table is read read-only (:mod:`.database`); the graph
is the working tree's, read without running a file. The database is at head,
behind (``alembic upgrade head`` would apply what is listed), or on a revision
no file here defines: then git's objects say which branch or commit defines
it, what the two histories share, and which commands bring the database back.
"""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import git
from .config import Environment, main_option
from .database import DatabaseProblem, read_versions
from .database_url import DatabaseUrl, choose_url
from .elsewhere import Elsewhere, find_elsewhere
from .graph import Graph, build_graph, lineage, upgrade_order
from .paths import display
from .report import alembic_command
from .revision_arguments import environments, readable_graph
from .revision_file import RevisionFile

HEAD, BEHIND, FOREIGN = "head", "behind", "foreign"
SCHEMA_VERSION = 1
LONGEST_LIST_SHOWN = 8


@dataclass(frozen=True)
class Foreign:
    """A database row no file here defines, and what git says of it.

    ``shared``: the newest revisions both histories have (none: they share
    nothing); ``undo``: what ``alembic downgrade`` to them undoes on
    ``found.ref``, newest first; ``nothing_to_undo``: none of those does any
    work in its ``upgrade()`` (a merge revision, say), so a stamp will do."""

    revision: str
    found: Elsewhere | None = None
    shared: tuple[str, ...] = ()
    undo: tuple[str, ...] = ()
    nothing_to_undo: bool = False


@dataclass(frozen=True)
class Standing:
    """Where the database (``rows`` of its version table) stands against ``graph``."""

    rows: tuple[str, ...]
    heads: tuple[str, ...]
    pending: tuple[str, ...]  # what `alembic upgrade head` applies, in order
    foreign: tuple[Foreign, ...]

    @property
    def state(self) -> str:
        return FOREIGN if self.foreign else BEHIND if self.pending else HEAD


def place(graph: Graph, rows: Sequence[str], locate: Callable[[str], Foreign]) -> Standing:
    """Where ``rows`` stand in ``graph``; ``locate`` says where a row no file
    here defines comes from."""
    load = {rev: index for index, rev in enumerate(graph.revisions)}
    known = sorted((row for row in rows if row in load), key=load.__getitem__)
    unknown = [row for row in rows if row not in load]
    foreign = tuple(map(locate, unknown))
    pending: tuple[str, ...] = ()
    if not foreign:
        missing = lineage(graph, graph.heads) - lineage(graph, known)
        pending = tuple(upgrade_order(graph, missing, graph.heads))
    return Standing((*known, *unknown), tuple(graph.heads), pending, foreign)


def placed_elsewhere(here: Graph, found: Elsewhere, does_work: Callable[[str], bool]) -> Foreign:
    """What the histories of ``here`` and of ``found.graph`` share below ``found.revision``."""
    there = found.graph
    below = lineage(there, [found.revision])
    common = {rev for rev in below if rev in here.revisions}
    shared = tuple(
        rev
        for rev in there.revisions
        if rev in common and not any(child in common for child in there.children[rev])
    )
    undo = tuple(reversed(there.topological(below - common)))
    return Foreign(found.revision, found, shared, undo, not any(map(does_work, undo)))


def locator(env: Environment, graph: Graph, cwd: str) -> Callable[[str], Foreign]:
    def locate(revision: str) -> Foreign:
        found = find_elsewhere(env, revision, cwd)
        if found is None:
            return Foreign(revision)
        return placed_elsewhere(graph, found, _upgrade_checker(env, found, cwd))

    return locate


def _upgrade_checker(env: Environment, found: Elsewhere, cwd: str) -> Callable[[str], bool]:
    """Whether a revision of ``found``'s graph does work in its upgrade(),
    from its file in git's objects."""
    from .revision_code import upgrade_does_work

    blobs = {
        os.path.abspath(os.path.join(cwd, path)): oid
        for path, oid in git.blobs_at(cwd, found.commit, env.version_locations)
    }

    def does_work(revision: str) -> bool:
        path = found.graph.revisions[revision].path
        oid = blobs.get(os.path.abspath(os.path.join(cwd, path)))
        if oid is None or not path.endswith(".py"):  # pragma: no cover (a compiled file)
            return True
        [data] = git.read_blobs(cwd, [oid])
        return upgrade_does_work(data, path, os.path.basename(path))

    return does_work


# -- the way back -------------------------------------------------------------


def upgrade_word(graph: Graph) -> str:
    return "head" if len(graph.heads) == 1 else "heads"


def alembic_run(env: Environment, cwd: str, *words: str) -> str:
    """``alembic WORDS`` for ``env``, each word quoted; in a subshell when it
    changes directory first, so that commands chained after it run here."""
    command = f"{alembic_command(env, cwd)} {' '.join(shlex.quote(word) for word in words)}"
    return f"({command})" if command.startswith("cd ") else command


def way_back(
    standing: Standing, graph: Graph, env: Environment, cwd: str, here: str | None
) -> list[str]:
    """The shell commands that bring the database to this working tree's head
    (``here``: what ``git checkout`` returns to); none when there is no one way."""
    upgrade = alembic_run(env, cwd, "upgrade", upgrade_word(graph))
    if standing.state == BEHIND:
        return [upgrade]
    if standing.state != FOREIGN or len(standing.foreign) != 1:
        return []
    [foreign] = standing.foreign
    if foreign.found is None:
        return []
    target = list(foreign.shared) or ["base"]
    if foreign.nothing_to_undo and len(standing.rows) == 1:  # --purge empties the table
        return [f"{alembic_run(env, cwd, 'stamp', '--purge', *target)} && {upgrade}"]
    if len(target) != 1 or here is None:
        return []
    return [
        f"git checkout {shlex.quote(foreign.found.ref)} && "
        f"{alembic_run(env, cwd, 'downgrade', target[0])} && "
        f"git checkout {shlex.quote(here)} && {upgrade}"
    ]


# -- text ---------------------------------------------------------------------


def _listed(revisions: Sequence[str]) -> str:
    shown = list(revisions)
    if len(shown) > LONGEST_LIST_SHOWN:
        shown = [*shown[:3], f"... ({len(shown) - 6} more)", *shown[-3:]]
    return ", ".join(shown)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def format_standing(
    standing: Standing,
    graph: Graph,
    env: Environment,
    database: DatabaseUrl,
    commands: Sequence[str],
    color: bool = False,
) -> str:
    from . import drawing

    rows = ", ".join(standing.rows)
    database_is = f"{env.name}: the database ({database.shown}) is"
    word = upgrade_word(graph)
    lines = []
    if standing.state == HEAD:
        return f"{database_is} at {word}: {rows}"
    if standing.state == BEHIND:
        at = f"at {rows}" if rows else "at base (no revision applied)"
        lines.append(
            f"{database_is} behind: {at}; `alembic upgrade {word}` would apply "
            f"{_count(len(standing.pending), 'revision')}"
        )
        lines.append(f"    in order: {_listed(standing.pending)}")
        shown = drawing.view(graph, [*standing.pending, *standing.rows], graph.heads)
        marks = dict.fromkeys(standing.rows, "database")
        lines.extend("      " + line for line in drawing.draw(graph, shown, color, 74, marks))
    else:
        unknown = [foreign.revision for foreign in standing.foreign]
        lines.append(f"{database_is} at {rows}, which no file here defines: {', '.join(unknown)}")
        lines.append(f"    Alembic: Can't locate revision identified by '{unknown[0]}'")
        for foreign in standing.foreign:
            lines.extend(_foreign_lines(foreign, graph, color))
    if commands:
        lines.append("    to bring the database to this working tree's head, run:")
        lines.extend(f"      {command}" for command in commands)
    return "\n".join(lines)


def _foreign_lines(foreign: Foreign, graph: Graph, color: bool) -> list[str]:
    from . import drawing

    found = foreign.found
    if found is None:
        return [
            f"    {foreign.revision}: no branch or commit of this repository defines it "
            "(searched every branch, then the history of the version folders)"
        ]
    file = found.graph.revisions[foreign.revision]
    what = f"branch {found.ref}" if found.on_branch else f"commit {found.commit}"
    message = f" ({file.message})" if file.message else ""
    where = display(file.path, os.getcwd())
    lines = [f"    {foreign.revision}{message} is defined on {what}: {where}"]
    mine = lineage(graph, graph.heads) - lineage(graph, foreign.shared)
    ahead = bool(foreign.shared) and set(foreign.shared) <= set(graph.heads)
    shared = ", ".join(foreign.shared) or "no revision"
    if ahead:
        lines.append(
            f"    the database is ahead: {found.ref} adds {_listed(foreign.undo[::-1])} "
            f"on top of this working tree's head {shared}"
        )
    else:
        lines.append(
            f"    the two histories share {shared}; {found.ref} adds since: "
            f"{_listed(foreign.undo[::-1])}; this working tree adds: "
            f"{_listed(graph.topological(mine)) or 'nothing'}"
        )
    if foreign.nothing_to_undo:
        lines.append(f"    nothing {found.ref} adds does any work in upgrade(): a stamp will do")
    both = build_graph(
        [*graph.revisions.values(), *(found.graph.revisions[rev] for rev in foreign.undo)]
    )
    shown = drawing.view(both, [*foreign.undo, *mine, *foreign.shared], [foreign.revision])
    marks = {foreign.revision: "database"}
    lines.extend("      " + line for line in drawing.draw(both, shown, color, 74, marks))
    return lines


# -- JSON ---------------------------------------------------------------------


def status_document(
    standing: Standing,
    env: Environment,
    database: DatabaseUrl,
    table: str,
    schema: str | None,
    commands: Sequence[str],
    cwd: str,
) -> dict[str, Any]:
    """The ``--format json`` document; its shape is ``schema/status-v1.json``."""
    from . import __version__

    config = env.ini or env.toml
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "alembic-heads", "version": __version__},
        "ok": standing.state == HEAD,
        "state": standing.state,
        "graph": {
            "name": env.name,
            "config": display(config, cwd) if config is not None else None,
            "section": env.section if config is not None else None,
            "heads": list(standing.heads),
        },
        "database": {
            "url": database.shown,
            "source": database.source,
            "version_table": table,
            "version_table_schema": schema,
            "revisions": list(standing.rows),
        },
        "pending": list(standing.pending),
        "foreign": [_foreign_document(foreign, cwd) for foreign in standing.foreign],
        "commands": list(commands),
    }


def _foreign_document(foreign: Foreign, cwd: str) -> dict[str, Any]:
    found = foreign.found
    file = found.graph.revisions[foreign.revision] if found is not None else None
    return {
        "revision": foreign.revision,
        "ref": found.ref if found is not None and found.on_branch else None,
        "commit": found.commit if found is not None else None,
        "path": display(file.path, cwd) if file is not None else None,
        "message": file.message if file is not None else None,
        "shared": list(foreign.shared),
        "undo": list(foreign.undo),
        "nothing_to_undo": foreign.nothing_to_undo,
    }


def database_of(args: argparse.Namespace, env: Environment) -> DatabaseUrl | None:
    """The database ``args`` name, or the one the configuration names."""
    given = args.url is not None or args.url_env is not None
    configured = None if given else main_option(env, "sqlalchemy.url")
    return choose_url(args.url, args.url_env, os.environ, configured, env.name)


# -- for rebase ----------------------------------------------------------------


def rebase_refusal(
    args: argparse.Namespace, file: RevisionFile, moving: Sequence[str], old: str
) -> str | None:
    """Why ``rebase`` must not move ``moving`` (``file`` first, now on
    ``old``): the database has applied some of them. ``None`` when it has
    not, or when the database the configuration names cannot be read (one
    given with ``--url`` or ``--url-env`` must be)."""
    from pathlib import Path

    cwd = os.getcwd()
    path = os.path.abspath(file.path)
    env = next(
        (
            env
            for env in environments(args, Path(cwd))
            if any(path.startswith(os.path.join(loc, "")) for loc in env.version_locations)
        ),
        None,
    )
    database = None if env is None else database_of(args, env)
    if env is None or database is None:
        return None
    try:
        rows = read_versions(
            database, args.version_table, args.version_table_schema, env.run_from or cwd
        )
    except DatabaseProblem:
        if database.given:
            raise
        return None
    graph = readable_graph(env, "rebase")
    foreign = [row for row in rows if row not in graph.revisions]
    if foreign:  # applied on another branch: what lies under it is not known here
        return (
            f"{display(file.path, cwd)}:{file.line_of('down_revision')}: the database "
            f"({database.shown}) is on {', '.join(foreign)}, which no file here defines: "
            "it may have applied what rebase would move\n"
            "    see where it stands, and the way back: alembic-heads status\n"
            "    (or pass --force to move them anyway)"
        )
    applied = [rev for rev in moving if rev in lineage(graph, rows)]
    if not applied:
        return None
    downgrade = alembic_run(env, cwd, "downgrade", old)
    return (
        f"{display(file.path, cwd)}:{file.line_of('down_revision')}: the database "
        f"({database.shown}) has applied {', '.join(applied)}, which rebase would move: "
        "Alembic would no longer find the revisions it applied them on\n"
        f"    undo them first, then rebase again:\n      {downgrade}\n"
        "    (or pass --force to move them anyway)"
    )
