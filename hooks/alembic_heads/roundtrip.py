"""``alembic-heads roundtrip``: prove every migration can be undone, on a real database.

For each revision R, in the graph's own order (merges, branchpoints, labelled
branches and ``depends_on`` included): upgrade to R, downgrade R to exactly the
state before it, compare the schema with the one recorded before R ("the
downgrade leaves no trace"), upgrade R again and compare with the schema
recorded after R ("the upgrade is repeatable").

Each step is the one Alembic itself would run (a ``RevisionStep``: its
``upgrade``/``downgrade`` and the version table's heads moved as ``alembic
upgrade``/``downgrade`` move them), through the project's own env.py, which
gets the database as ``config.attributes["connection"]``, as ``sqlalchemy.url``
and, with ``--url-env NAME``, in that environment variable. Unlike every other
command this one runs the project's code: run it in the project's environment.

The database is one this command creates (see :mod:`scratch_database`), and
the only one it lets SQLAlchemy connect to.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Environment
from .findings import Finding, UsageError
from .paths import display
from .revision_code import IRREVERSIBLE_MARKER, read_revision_code
from .revision_file import ReadError
from .scratch_database import ForeignDatabase, ScratchDatabase, one_line, only_this_database

ENV_METADATA = "env.py"  # --metadata without a value: the target_metadata env.py gives Alembic
HONOUR_CONNECTION = (
    "make env.py use config.attributes['connection'] when it is set, or the "
    "sqlalchemy.url of its Config (or name its environment variable with --url-env)"
)


@dataclass(frozen=True)
class Options:
    url: str | None = None  # a PostgreSQL server; None: a SQLite file of our own
    url_env: str | None = None
    since: str | None = None
    against: str | None = None
    initial: str | None = None  # module:attr, a MetaData created before the first revision
    metadata: str | None = None  # module:attr (or ENV_METADATA): build at head, walk downwards


@dataclass
class GraphRoundtrip:
    """What the round trip of one environment found."""

    env: Environment
    dialect: str
    revisions: int = 0
    round_tripped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    finding_revisions: list[str] = field(default_factory=list)
    irreversible: list[Finding] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)
    start: str = ""  # how the database was prepared before the first revision, when it was
    not_reached_because: str = "a revision below failed to upgrade"

    @property
    def ok(self) -> bool:
        return not self.findings


class _StepFailed(Exception):
    def __init__(self, step: Any, error: BaseException) -> None:
        super().__init__(one_line(error))
        self.step = step
        self.error = error


Progress = Callable[[int, int], None]


def _same(one: Any, other: Any) -> bool:
    return one is not None and one == other


def _no_progress(done: int, total: int) -> None:
    pass


def roundtrip_environments(
    envs: Sequence[Environment],
    cwd: Path,
    options: Options,
    progress: Progress = _no_progress,
) -> list[GraphRoundtrip]:
    """Round-trip every environment, each on a database of its own."""
    _require_sqlalchemy_2()
    own: list[frozenset[str] | None] = [None] * len(envs)
    if options.against is not None:
        from .core import check_environments

        results = check_environments(envs, cwd, against=options.against, git_index=False)
        own = [result.own for result in results]
    return [
        _roundtrip_environment(env, cwd, options, own[index], progress)
        for index, env in enumerate(envs)
    ]


def _require_sqlalchemy_2() -> None:
    """The round trip speaks SQLAlchemy 2.0 (``sqlalchemy.URL``, its
    connection events, psycopg 3's dialect): an older one is one line."""
    import sqlalchemy

    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        raise UsageError(
            f"roundtrip needs SQLAlchemy 2.0 or later; installed: {sqlalchemy.__version__}"
        )


def _roundtrip_environment(
    env: Environment,
    cwd: Path,
    options: Options,
    own: frozenset[str] | None,
    progress: Progress,
) -> GraphRoundtrip:
    with _quiet_logging(), _in_folder(env.run_from or cwd):
        config = _alembic_config(env)
        script = _script_directory(config, env, cwd)
        order = _topological(script)
        checked = _scope(script, order, options, own)
        initial = _metadata(options.initial, "--initial") if options.initial else None
        database = ScratchDatabase(options.url)
        try:
            with only_this_database(database), _url_variable(options.url_env, database):
                walk = _Walk(env, cwd, config, script, database, initial)
                if options.metadata is not None:
                    try:
                        walk.run_down(order, checked, progress, options.metadata)
                    finally:
                        walk.close()
                    return walk.result
                if initial is not None:
                    walk.result.start = (
                        f"{env.name}: started from the tables of {options.initial} "
                        "(--initial), created before the first revision"
                    )
                try:
                    walk.run(order, checked, progress)
                finally:
                    walk.close()
                return walk.result
        finally:
            database.remove_or_say()


class _Walk:
    """The round trip of one graph on one database."""

    def __init__(
        self,
        env: Environment,
        cwd: Path,
        config: Any,
        script: Any,
        database: ScratchDatabase,
        initial: Any = None,
    ) -> None:
        self.cwd = cwd
        self.config = config
        self.script = script
        self.database = database
        self.initial = initial
        self.result = GraphRoundtrip(env, database.dialect)
        self.connection = self._fresh_connection()
        self.applied: list[Any] = []  # revisions in the database, in the order applied
        self.blocked: set[str] = set()  # revisions whose upgrade failed, and those above them
        self.version_table: tuple[str | None, str] = (None, "alembic_version")
        self.reflected: dict[Any, Any] = {}  # see take_snapshot
        self.target_metadata: Any = None  # what env.py gives autogenerate
        self.hand_connection = True  # False: env.py gets sqlalchemy.url alone (see _run)
        config.set_main_option("sqlalchemy.url", database.url_text.replace("%", "%%"))
        config.attributes["connection"] = self.connection

    def close(self) -> None:
        self.connection.close()

    def _fresh_connection(self) -> Any:
        """A connection to the (empty) database, holding the ``--initial`` tables."""
        connection = self.database.connect()
        if self.initial is not None:
            _create_all(self.initial, connection, "--initial")
            connection.commit()
        return connection

    def run(self, order: Sequence[Any], checked: set[str], progress: Progress) -> None:
        self.result.revisions = len(order)
        pending: list[Any] = []
        current: Any = None  # the fingerprint of the schema now, when known
        for number, revision in enumerate(order, 1):
            progress(number, len(order))
            if self._above_blocked(revision):
                self.blocked.add(revision.revision)
                self.result.not_reached.append(revision.revision)
                continue
            marked = revision.revision in checked and self._marked_irreversible(revision)
            if revision.revision not in checked or marked:
                pending.append(revision)
                continue
            if pending:
                self._apply_from_template(pending)
                pending, current = [], None
            if self._above_blocked(revision):  # its parent failed just now
                self.blocked.add(revision.revision)
                self.result.not_reached.append(revision.revision)
                continue
            current = self._roundtrip(revision, current)
        if pending:
            self._apply(pending)

    def run_down(
        self, order: Sequence[Any], checked: set[str], progress: Progress, spec: str
    ) -> None:
        """The other start mode: the database built at head from a metadata,
        stamped, then each revision, newest first, downgraded, upgraded again
        and downgraded again, until the walk has passed every one in scope."""
        from .schema_snapshot import compare

        self.result.revisions = len(order)
        self._build_at_head(spec)
        self.result.not_reached_because = "the downgrade walk stopped above them"
        todo = set(checked)
        current: dict[str, dict[str, str]] | None = None
        downward = list(reversed(order))
        for number, revision in enumerate(downward, 1):
            if not todo:
                break
            progress(number, len(order))
            rev = revision.revision
            below = [r.revision for r in downward[number:] if r.revision in todo - {rev}]
            if self._marked_irreversible(revision, "the downgrade walk ends here"):
                self.result.not_reached.extend([rev, *below] if rev in todo else below)
                return
            if rev not in todo:  # only passed through
                try:
                    self._run([self._step(revision, upgrade=False)])
                except _StepFailed as failed:
                    self._finding(revision, "downgrade", "downgrade-fails", "fails", failed)
                    self.result.not_reached.extend(below)
                    return
                current = None
                continue
            todo.discard(rev)
            after = current if current is not None else self._snapshot()
            try:
                self._run([self._step(revision, upgrade=False)])
                before = self._snapshot()
                self._run([self._step(revision, upgrade=True)])
            except _StepFailed as failed:
                function = "upgrade" if failed.step.is_upgrade else "downgrade"
                code, what = (
                    ("upgrade-fails-again", "fails when run again after its downgrade()")
                    if failed.step.is_upgrade
                    else ("downgrade-fails", "fails")
                )
                self._finding(revision, function, code, what, failed)
                self.result.not_reached.extend(below)
                return
            differences = compare(after, self._snapshot())
            if differences:
                self._difference(revision, "upgrade", differences)
            try:
                self._run([self._step(revision, upgrade=False)])
            except _StepFailed as failed:
                self._finding(revision, "downgrade", "downgrade-fails", "fails", failed)
                self.result.not_reached.extend(below)
                return
            current = self._snapshot()
            trace = compare(before, current)
            if trace:
                self._difference(revision, "downgrade", trace)
            if not differences and not trace:
                self.result.round_tripped.append(rev)

    def _build_at_head(self, spec: str) -> None:
        """create_all of the metadata, and the version table stamped at heads,
        by Alembic (its ``MigrationContext.stamp``)."""
        from alembic.runtime.migration import MigrationContext

        self._run([])  # env.py's configuration: its version table, its target_metadata
        if spec == ENV_METADATA:
            found = self.target_metadata
            if not found:
                raise UsageError(
                    f"--metadata: {self._env_py()} gives Alembic no target_metadata; "
                    "name one: --metadata module:attr"
                )
            metadatas = list(found) if isinstance(found, (list, tuple)) else [found]
        else:
            metadatas = [_metadata(spec, "--metadata")]
        for metadata in metadatas:
            _create_all(metadata, self.connection, "--metadata")
        schema, table = self.version_table
        context = MigrationContext.configure(
            self.connection, opts={"version_table": table, "version_table_schema": schema}
        )
        context.stamp(self.script, "heads")
        self.connection.commit()
        where = "env.py's target_metadata" if spec == ENV_METADATA else spec
        self.result.start = (
            f"{self.result.env.name}: started at head from the tables of {where} (--metadata), "
            "stamped; the walk goes downwards"
        )

    # -- one revision ------------------------------------------------------

    def _roundtrip(self, revision: Any, before: Any) -> Any:
        """Round-trip ``revision``; the fingerprint of the schema it leaves
        (None: unknown).

        Steps are compared by fingerprint, one catalog query each. Only where
        two differ is the schema reflected: the one now, and the one it is
        compared with, on a database built again to that state (the same
        migrations from empty give the same schema)."""
        from .schema_snapshot import compare

        rev = revision.revision
        if before is None:
            before = self._fingerprint()
        try:
            self._run([self._step(revision, upgrade=True)])
        except _StepFailed as failed:
            self._finding(revision, "upgrade", "upgrade-fails", "fails", failed)
            self.blocked.add(rev)
            self._rebuild()
            return None
        after = self._fingerprint()
        try:
            self._run([self._step(revision, upgrade=False)])
        except _StepFailed as failed:
            self._finding(revision, "downgrade", "downgrade-fails", "fails", failed)
            self._rebuild_with(revision)
            return None
        signatures = self._fingerprint()
        if not _same(signatures, before):
            now = self._snapshot(signatures)
            self._rebuild()  # as before upgrade(), to compare with
            differences = compare(self._snapshot(), now)
            if differences:
                self._difference(revision, "downgrade", differences)
                self._rebuild_with(revision)
                return None
        try:
            self._run([self._step(revision, upgrade=True)])
        except _StepFailed as failed:
            self._finding(
                revision,
                "upgrade",
                "upgrade-fails-again",
                "fails when run again after its downgrade()",
                failed,
            )
            self._rebuild_with(revision)
            return None
        signatures = self._fingerprint()
        self.applied.append(revision)
        if not _same(signatures, after):
            now = self._snapshot(signatures)
            self._rebuild()  # as after the first upgrade()
            differences = compare(self._snapshot(), now)
            if differences:
                self._difference(revision, "upgrade", differences)
                return None
            signatures = self._fingerprint()
        self.result.round_tripped.append(rev)
        return signatures

    def _apply_from_template(self, revisions: Sequence[Any]) -> None:
        """:meth:`_apply`; on SQLite, the first revisions (those below
        ``--against``'s fork or ``--since``) from a copy of the database they
        made last time, kept under the cache folder by the content of their
        files, env.py's, the configuration's and the versions that ran them."""
        import json

        key = self._template_key(revisions)
        if key is None:
            self._apply(revisions)
            return
        from .cache import cache_path, keep

        path = cache_path("roundtrip", f"{key}.db")
        if os.path.exists(path) and os.path.exists(f"{path}.json"):
            with open(f"{path}.json", encoding="utf-8") as file:
                schema, table = json.load(file)
            self.connection.close()
            self.database.load_from(path)
            self._reconnect()
            self.version_table = (schema, table)
            self.applied.extend(revisions)
            return
        found = len(self.result.findings)
        self._apply(revisions)
        if len(self.result.findings) == found:
            self.connection.close()
            self.database.save_to(path)
            keep(f"{path}.json", json.dumps(list(self.version_table)).encode())
            self._reconnect()

    def _template_key(self, revisions: Sequence[Any]) -> str | None:
        if self.database.dialect != "sqlite" or self.applied or self.initial is not None:
            return None
        import hashlib
        import sqlite3

        import alembic
        import sqlalchemy

        digest = hashlib.sha256(
            f"roundtrip template 1 {alembic.__version__} {sqlalchemy.__version__} "
            f"{sqlite3.sqlite_version}".encode()
        )
        files = [os.path.join(self.script.dir, "env.py"), self.config.config_file_name]
        files += [revision.path for revision in revisions]
        for name in files:
            digest.update(f"\0{os.path.basename(name or '')}\0".encode())
            if name and os.path.exists(name):
                with open(name, "rb") as file:
                    digest.update(file.read())
        return digest.hexdigest()[:32]

    def _reconnect(self) -> None:
        self.connection = self.database.connect()
        self.config.attributes["connection"] = self.connection

    def _apply(self, revisions: Sequence[Any]) -> None:
        """Upgrade through ``revisions`` without round-tripping them."""
        todo = list(revisions)
        while todo:
            try:
                self._run([self._step(revision, upgrade=True) for revision in todo])
            except _StepFailed as failed:
                index = next(i for i, r in enumerate(todo) if r is failed.step.revision)
                self.applied.extend(todo[:index])
                self._finding(todo[index], "upgrade", "upgrade-fails", "fails", failed)
                self.blocked.add(todo[index].revision)
                self._rebuild()
                rest = todo[index + 1 :]
                todo = [r for r in rest if not self._above_blocked(r)]
                for revision in rest:
                    if revision not in todo:
                        self.blocked.add(revision.revision)
                        self.result.not_reached.append(revision.revision)
                continue
            self.applied.extend(todo)
            todo = []

    def _rebuild_with(self, revision: Any) -> None:
        self.applied.append(revision)
        self._rebuild()

    def _rebuild(self) -> None:
        """A fresh database holding exactly ``applied``: after a failed or
        untidy step the old one is in no state anyone can name."""
        self.connection.close()
        self.database.recreate()
        self.connection = self._fresh_connection()
        self.config.attributes["connection"] = self.connection
        if self.applied:
            try:
                self._run([self._step(revision, upgrade=True) for revision in self.applied])
            except _StepFailed as failed:
                raise UsageError(
                    f"upgrade() of {failed.step.revision.revision} succeeded once but "
                    f"fails on a fresh database: {failed}"
                ) from None

    def _above_blocked(self, revision: Any) -> bool:
        return any(parent in self.blocked for parent in _parents(revision))

    # -- running Alembic ---------------------------------------------------

    def _step(self, revision: Any, upgrade: bool) -> Any:
        from alembic.runtime.migration import RevisionStep

        return RevisionStep(self.script.revision_map, revision, upgrade)

    def _run(self, steps: list[Any]) -> None:
        """Run ``steps`` through env.py, as ``alembic upgrade``/``downgrade`` would."""
        from alembic.runtime.environment import EnvironmentContext

        failures: list[tuple[Any, BaseException]] = []
        for step in steps:
            step.migration_fn = _watched(step, step.migration_fn, failures)
        if not self.hand_connection:
            self.config.attributes.pop("connection", None)
        reached: list[bool] = []

        def migrations(heads: Any, context: Any) -> list[Any]:
            reached.append(True)
            self.version_table = (context.version_table_schema, context.version_table)
            self.target_metadata = context.opts.get("target_metadata")
            return steps

        last = steps[-1] if steps else None
        target = "heads" if last is None else last.revision.revision if last.is_upgrade else "base"
        environment = EnvironmentContext(
            self.config, self.script, fn=migrations, as_sql=False, destination_rev=target
        )
        try:
            with environment:
                self.script.run_env()
        except SystemExit as error:  # env.py gave up (a variable it needs is not set, say)
            raise UsageError(f"{self._env_py()} exited: {error.code}") from None
        except Exception as error:
            if _offline(environment):
                raise UsageError(
                    f"{self._env_py()}: configured Alembic without a connection "
                    f"(offline mode): {HONOUR_CONNECTION}"
                ) from None
            foreign = _in_chain(error, ForeignDatabase)
            if foreign is not None:
                assert isinstance(foreign, ForeignDatabase)
                raise UsageError(
                    f"{self._env_py()} connected to another database ({foreign.where}); "
                    f"roundtrip only touches the one it creates: {HONOUR_CONNECTION}"
                ) from None
            for step, failure in failures:
                if _in_chain(error, type(failure)) is failure:
                    raise _StepFailed(step, failure) from None
            handed = self.config.attributes.get("connection")
            if not reached and _branches(error, handed):
                self.hand_connection = False
                return self._run(steps)
            raise UsageError(f"{self._env_py()} failed: {one_line(error)}") from None
        finally:
            if self.connection.in_transaction():
                self.connection.rollback()

    def _env_py(self) -> str:
        return display(Path(self.script.dir) / "env.py", self.cwd)

    def _snapshot(self, signatures: Any = None) -> dict[str, dict[str, str]]:
        """The schema now; ``signatures``: its :meth:`_fingerprint`, if taken."""
        from .schema_snapshot import take_snapshot

        schema, table = self.version_table
        try:
            facts = take_snapshot(self.connection, {(schema, table)}, self.reflected, signatures)
            facts["version table"] = {"heads": ", ".join(self._version_heads())}
        finally:
            self.connection.rollback()
        return facts

    def _fingerprint(self) -> Any:
        """What defines the schema now, in one catalog query (None where the
        database has none): equal fingerprints, equal snapshots."""
        from .schema_snapshot import fingerprint

        try:
            found = fingerprint(self.connection)
            if found is not None:
                found[("", "version table")] = tuple(self._version_heads())
        finally:
            self.connection.rollback()
        return found

    def _version_heads(self) -> list[str]:
        import sqlalchemy

        schema, table = self.version_table
        if not sqlalchemy.inspect(self.connection).has_table(table, schema=schema):
            return []
        quote = self.connection.dialect.identifier_preparer.quote
        name = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
        rows = self.connection.exec_driver_sql(f"SELECT version_num FROM {name}")
        return sorted(row[0] for row in rows)

    # -- what is reported --------------------------------------------------

    def _code(self, revision: Any) -> Any:
        try:
            return read_revision_code(Path(revision.path))
        except (ReadError, OSError, UnicodeDecodeError, SyntaxError):
            return None  # compiled only, or unreadable: Alembic loaded it anyway

    def _line(self, revision: Any, function: str) -> int:
        code = self._code(revision)
        if code is None or function not in code.functions:
            return 1
        line: int = code.functions[function].line
        return line

    def _marked_irreversible(
        self, revision: Any, consequence: str = "upgraded, not round-tripped"
    ) -> bool:
        code = self._code(revision)
        down = code.functions.get("downgrade") if code is not None else None
        if down is None or not down.marked_irreversible:
            return False
        self.result.irreversible.append(
            Finding(
                self._path(revision),
                down.line,
                "irreversible",
                f"downgrade() of {revision.revision} is marked irreversible: {consequence}",
            )
        )
        return True

    def _path(self, revision: Any) -> str:
        return display(Path(revision.path), self.cwd)

    def _finding(
        self, revision: Any, function: str, code: str, what: str, failed: _StepFailed
    ) -> None:
        hint = one_line(failed.error)
        if function == "downgrade" and isinstance(failed.error, NotImplementedError):
            hint += (
                f"\nif it cannot be undone, put the comment '{IRREVERSIBLE_MARKER}' in downgrade()"
            )
        self._add(
            revision,
            Finding(
                self._path(revision),
                self._line(revision, function),
                code,
                f"{function}() of {revision.revision} {what} on {self.database.dialect}",
                hint,
            ),
        )

    def _difference(self, revision: Any, function: str, differences: Sequence[Any]) -> None:
        rev = revision.revision
        if function == "downgrade":
            message = f"downgrade() of {rev} does not undo its upgrade()"
            hints = [_downgrade_hint(rev, difference) for difference in differences]
            code = "downgrade-leaves-trace"
        else:
            message = f"upgrade() of {rev}, run again after its downgrade(), does not repeat itself"
            hints = [_upgrade_hint(rev, difference) for difference in differences]
            code = "upgrade-not-repeatable"
        self._add(
            revision,
            Finding(
                self._path(revision),
                self._line(revision, function),
                code,
                message + f" on {self.database.dialect}",
                "\n".join(hints),
            ),
        )

    def _add(self, revision: Any, finding: Finding) -> None:
        self.result.findings.append(finding)
        self.result.finding_revisions.append(revision.revision)


def _downgrade_hint(rev: str, difference: Any) -> str:
    if difference.was is None:
        return f"downgrade() of {rev} leaves {difference.thing} in place"
    if difference.now is None:
        return f"downgrade() of {rev} removes {difference.thing}, which was there before upgrade()"
    return f"downgrade() of {rev} leaves {difference.thing} changed: {difference.changes()}"


def _upgrade_hint(rev: str, difference: Any) -> str:
    # ``was``: after the first upgrade; ``now``: after the second.
    if difference.now is None:
        return f"upgrade() of {rev}, run again, does not create {difference.thing}"
    if difference.was is None:
        return f"upgrade() of {rev}, run again, creates {difference.thing} the first run did not"
    return (
        f"upgrade() of {rev}, run again, makes {difference.thing} different: {difference.changes()}"
    )


def _watched(
    step: Any, function: Callable[..., Any], failures: list[tuple[Any, BaseException]]
) -> Callable[..., Any]:
    """``function``, noting what it raises: a migration that fails is a
    finding, anything else failing is env.py's."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            failures.append((step, error))
            raise

    return run


def _branches(error: BaseException, connection: Any) -> bool:
    """Whether env.py called ``connect()`` on the connection it was handed: it
    follows Alembic's cookbook of SQLAlchemy 1.x (``with connectable.connect()``,
    a "branch" of the connection, gone in 2.0). Before it reached any migration,
    so it is run again with ``sqlalchemy.url`` alone, which it also honours."""
    return (
        isinstance(error, AttributeError)
        and error.name == "connect"
        and connection is not None
        and error.obj is connection
    )


def _offline(environment: Any) -> bool:
    """Whether env.py configured Alembic with a URL alone (nothing to run on)."""
    context = environment._migration_context
    return context is not None and context.connection is None


def _in_chain(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _parents(revision: Any) -> tuple[str, ...]:
    """What must be applied before ``revision``: its down revisions and dependencies."""
    return tuple(revision._all_down_revisions)


def _topological(script: Any) -> list[Any]:
    """Every revision, parents (and dependencies) first, ties in Alembic's own
    order (the reverse of ``walk_revisions``, which lists heads first)."""
    import heapq

    walked = list(script.walk_revisions("base", "heads"))[::-1]
    rank = {revision.revision: index for index, revision in enumerate(walked)}
    waiting = {r.revision: {p for p in _parents(r) if p in rank} for r in walked}
    children: dict[str, list[str]] = {}
    for rev, parents in waiting.items():
        for parent in parents:
            children.setdefault(parent, []).append(rev)
    ready = [rank[rev] for rev, parents in waiting.items() if not parents]
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


def _scope(
    script: Any, order: Sequence[Any], options: Options, own: frozenset[str] | None
) -> set[str]:
    """The revisions to round-trip (the others are only upgraded through)."""
    everything = {revision.revision for revision in order}
    if own is not None:
        everything &= own
    if options.since is not None:
        from alembic.util import CommandError

        try:
            since = script.get_revision(options.since)
        except CommandError as error:
            raise UsageError(f"--since: {error}") from None
        if since is None:
            raise UsageError(f"--since: no revision {options.since!r}")
        above = {since.revision}
        for revision in order:
            if any(parent in above for parent in _parents(revision)):
                above.add(revision.revision)
        everything &= above
    return everything


def _metadata(spec: str, option: str) -> Any:
    """The ``MetaData`` ``module:attr`` names (or the ``.metadata`` of a declarative base)."""
    import importlib

    import sqlalchemy

    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"{option}: expected module:attribute, got {spec!r}")
    try:
        found: Any = importlib.import_module(module_name)
        for name in attribute.split("."):
            found = getattr(found, name)
    except Exception as error:
        raise UsageError(f"{option}: cannot import {spec}: {one_line(error)}") from None
    metadata = found if isinstance(found, sqlalchemy.MetaData) else getattr(found, "metadata", None)
    if not isinstance(metadata, sqlalchemy.MetaData):
        raise UsageError(f"{option}: {spec} is neither a MetaData nor has one (.metadata)")
    return metadata


def _alembic_config(env: Environment) -> Any:
    from alembic.config import Config

    if env.ini is None and env.toml is None:
        config = Config()  # a versions/ folder found beside its env.py
        script_dir = env.script_dir or os.path.dirname(env.version_locations[0])
        config.set_main_option("script_location", script_dir)
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(env.version_locations))
        return config
    if env.toml is not None:
        return Config(file_=env.ini, toml_file=env.toml, ini_section=env.section)
    return Config(file_=env.ini, ini_section=env.section)


def _script_directory(config: Any, env: Environment, cwd: Path) -> Any:
    from alembic.script import ScriptDirectory

    try:
        script = ScriptDirectory.from_config(config)
        script.revision_map.heads  # noqa: B018  # loads every revision file now
    except Exception as error:
        raise UsageError(
            f"{env.name}: Alembic cannot load the revisions: {one_line(error)}"
        ) from None
    return script


@contextlib.contextmanager
def _quiet_logging() -> Iterator[None]:
    """env.py's ``fileConfig`` turns on Alembic's INFO lines, one per step:
    thousands of them. Warnings still show."""
    before = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(before)


@contextlib.contextmanager
def _in_folder(folder: str | Path) -> Iterator[None]:
    """Where ``alembic`` runs: relative paths in the configuration are from there."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


@contextlib.contextmanager
def _url_variable(name: str | None, database: ScratchDatabase) -> Iterator[None]:
    if name is None:
        yield
        return
    old = os.environ.get(name)
    os.environ[name] = database.url_text
    try:
        yield
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM (and SIGHUP) end the run like Ctrl-C: through every ``finally``,
    so the database is dropped."""

    def interrupt(number: int, frame: Any) -> None:
        raise KeyboardInterrupt

    names = ("SIGTERM", "SIGHUP")
    previous: dict[int, Any] = {}
    try:
        for name in names:
            number = getattr(signal, name, None)
            if number is not None:
                previous[number] = signal.signal(number, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class _ProgressLine:
    """``roundtrip: revision 12 of 200, 3.4 s`` on a terminal's stderr."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        self.stream.write(f"\rroundtrip: revision {done} of {total}, {elapsed:.1f} s\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def build_parser() -> Any:
    import argparse

    from .options import add_config_options

    parser = argparse.ArgumentParser(
        prog="alembic-heads roundtrip",
        description="Upgrade, downgrade and upgrade again every revision, in the graph's own "
        "order, on a database this command creates (a SQLite file, or a new database on the "
        "PostgreSQL server --url names), comparing the schema after each step. Runs the "
        "project's env.py and revisions: run it in the project's environment.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--url",
        metavar="URL",
        help="a PostgreSQL server (postgresql://user@host/postgres): a database with a "
        "random name is created there and dropped at the end (default: a SQLite file in a "
        "temporary folder)",
    )
    parser.add_argument(
        "--url-env",
        metavar="NAME",
        help="also set environment variable NAME to the database's URL, for an env.py "
        "that reads it",
    )
    parser.add_argument("--since", metavar="REV", help="round-trip only REV and what is above it")
    parser.add_argument(
        "--against",
        metavar="REF",
        help="round-trip only the revisions this branch adds to REF (e.g. origin/main)",
    )
    parser.add_argument(
        "--initial",
        metavar="MODULE:ATTR",
        help="for a history whose first revision assumes tables the application creates: "
        "create the tables of this MetaData (or declarative base) before the first revision",
    )
    parser.add_argument(
        "--metadata",
        metavar="MODULE:ATTR",
        nargs="?",
        const=ENV_METADATA,
        help="for a history that cannot run from an empty database: build the database at "
        "head from this MetaData (default: the target_metadata env.py gives autogenerate), "
        "stamp it, and round-trip the revisions newest first, downwards",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def format_text(results: Sequence[GraphRoundtrip]) -> str:
    lines = []
    for result in results:
        if result.start:
            lines.append(result.start)
        for finding in result.findings:
            lines.append(finding.format())
        for note in result.irreversible:
            lines.append(note.format())
        if result.not_reached:
            lines.append(
                f"{result.env.name}: not reached ({result.not_reached_because}): "
                + ", ".join(result.not_reached)
            )
    return "\n".join(lines)


def json_document(results: Sequence[GraphRoundtrip]) -> dict[str, Any]:
    from . import __version__

    return {
        "version": 1,
        "tool": {"name": "alembic-heads", "version": __version__},
        "ok": all(result.ok for result in results),
        "graphs": [
            {
                "name": result.env.name,
                "database": result.dialect,
                "start": result.start or None,
                "ok": result.ok,
                "revisions": result.revisions,
                "round_tripped": result.round_tripped,
                "irreversible": [
                    {"path": note.path, "line": note.line, "message": note.message}
                    for note in result.irreversible
                ],
                "not_reached": result.not_reached,
                "findings": [
                    {
                        "id": finding.code,
                        "revision": revision,
                        "path": finding.path,
                        "line": finding.line,
                        "message": finding.message,
                        "hint": finding.hint,
                    }
                    for finding, revision in zip(
                        result.findings, result.finding_revisions, strict=False
                    )
                ],
            }
            for result in results
        ],
    }


def _create_all(metadata: Any, connection: Any, option: str) -> None:
    """The application's tables; their own failure is one line, naming the option."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        metadata.create_all(connection)
    except SQLAlchemyError as error:
        raise UsageError(f"{option}: creating its tables failed: {one_line(error)}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.initial and args.metadata:
        print(
            "alembic-heads: --initial and --metadata are two start modes: choose one",
            file=sys.stderr,
        )
        return 2
    options = Options(args.url, args.url_env, args.since, args.against, args.initial, args.metadata)
    cwd = Path.cwd()
    progress = _ProgressLine(sys.stderr) if sys.stderr.isatty() else None
    try:
        from .core import chosen_environments

        with _stopped_by_signals():
            envs = chosen_environments(args, cwd)
            results = roundtrip_environments(envs, cwd, options, progress or _no_progress)
    except UsageError as error:
        if progress is not None:
            progress.clear()
        print(f"alembic-heads: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        print("alembic-heads: interrupted; the round trip's database is removed", file=sys.stderr)
        return 130
    if progress is not None:
        progress.clear()
    if args.format == "json":
        import json

        print(json.dumps(json_document(results), indent=2))
    else:
        text = format_text(results)
        if text:
            print(text)
    return 0 if all(result.ok for result in results) else 1
