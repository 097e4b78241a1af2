"""The walk over a graph's revisions on one database: for each revision R,
upgrade to R, downgrade R, compare the schema with the one before R ("the
downgrade leaves no trace"), upgrade R again and compare with the one after R
("the upgrade is repeatable"); or, started at head (``--metadata``), the same
downwards.

Steps run through the project's env.py (:mod:`env_runner`); schemas are
compared as :mod:`schema_snapshot` reads them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import Environment
from .env_runner import EnvSettings, StepFailed, Stop, run_steps, step
from .findings import UsageError
from .paths import display
from .progress_line import Progress
from .revision_order import parents
from .roundtrip_report import (
    GraphRoundtrip,
    difference_finding,
    failure_finding,
    irreversible_note,
)
from .scratch_database import ScratchDatabase
from .start_modes import create_all, head_metadatas, head_start, stamp_heads

Probe = Callable[[Any], None]  # given the connection the migrations run on


class Walk:
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
        self.settings = EnvSettings()  # env.py's version table and target_metadata
        self.reflected: dict[Any, Any] = {}  # see take_snapshot
        # The kept copy the database was loaded from, and how many of
        # ``applied`` it holds: what the database is built again from.
        self.template: tuple[str, int] | None = None
        config.set_main_option("sqlalchemy.url", database.url_text.replace("%", "%%"))
        config.attributes["connection"] = self.connection

    def close(self) -> None:
        self.connection.close()

    def _fresh_connection(self) -> Any:
        """A connection to the (empty) database, holding the ``--initial`` tables."""
        connection = self.database.connect()
        if self.initial is not None:
            create_all(self.initial, connection, "--initial")
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
                if not self._downgraded(revision, below):
                    return
                current = None
                continue
            todo.discard(rev)
            after = current if current is not None else self._snapshot()
            try:
                self._run([self._step(revision, upgrade=False)])
                before = self._snapshot()
                self._run([self._step(revision, upgrade=True)])
            except StepFailed as failed:
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
            if not self._downgraded(revision, below):
                return
            current = self._snapshot()
            trace = compare(before, current)
            if trace:
                self._difference(revision, "downgrade", trace)
            if not differences and not trace:
                self.result.round_tripped.append(rev)

    def _downgraded(self, revision: Any, below: list[str]) -> bool:
        """Downgrade ``revision`` on the way down; when that fails, the finding,
        and the walk ends (``below`` is not reached)."""
        try:
            self._run([self._step(revision, upgrade=False)])
        except StepFailed as failed:
            self._finding(revision, "downgrade", "downgrade-fails", "fails", failed)
            self.result.not_reached.extend(below)
            return False
        return True

    def _build_at_head(self, spec: str) -> None:
        """create_all of the metadata, and the version table stamped at heads."""
        self._run([])  # env.py's configuration: its version table, its target_metadata
        for metadata in head_metadatas(spec, self.settings.target_metadata, self._env_py()):
            create_all(metadata, self.connection, "--metadata")
        stamp_heads(self.connection, self.script, self.settings.version_table)
        self.connection.commit()
        self.result.start = head_start(self.result.env.name, spec)

    # -- one revision ------------------------------------------------------

    def _roundtrip(self, revision: Any, before: Any) -> Any:
        """Round-trip ``revision``; the fingerprint of the schema it leaves
        (None: unknown).

        First as one ``alembic`` command would run its three steps (upgrade,
        downgrade, upgrade again), each starting as the first step of a
        command of its own would, the schema's fingerprint taken between
        them on the connection they run on. Where a step fails or two
        fingerprints differ, the database is built again to the state before
        the revision and the revision round-tripped step by step
        (:meth:`_roundtrip_step_by_step`): that is what is reported."""
        if before is None:
            before = self._fingerprint()
        taken: dict[str, Any] = {}

        def after_upgrade(connection: Any) -> None:
            taken["after"] = self._fingerprint(connection)

        def after_downgrade(connection: Any) -> None:
            if not _same(self._fingerprint(connection), before):
                raise Stop

        steps = [self._step(revision, upgrade) for upgrade in (True, False, True)]
        try:
            self._run(steps, {1: after_upgrade, 2: after_downgrade})
            signatures = self._fingerprint()
        except (StepFailed, Stop):
            signatures = None
        if signatures is None or not _same(signatures, taken.get("after")):
            self._rebuild()
            return self._roundtrip_step_by_step(revision, None)
        self.applied.append(revision)
        self.result.round_tripped.append(revision.revision)
        return signatures

    def _roundtrip_step_by_step(self, revision: Any, before: Any) -> Any:
        """:meth:`_roundtrip`, each step an ``alembic`` command of its own.

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
        except StepFailed as failed:
            self._finding(revision, "upgrade", "upgrade-fails", "fails", failed)
            self.blocked.add(rev)
            self._rebuild()
            return None
        after = self._fingerprint()
        try:
            self._run([self._step(revision, upgrade=False)])
        except StepFailed as failed:
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
        except StepFailed as failed:
            self._upgrade_fails_again(revision, failed)
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

    def _upgrade_fails_again(self, revision: Any, failed: StepFailed) -> None:
        self._finding(
            revision,
            "upgrade",
            "upgrade-fails-again",
            "fails when run again after its downgrade()",
            failed,
        )

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
        from .cache_folder import cache_path, keep

        path = cache_path("roundtrip", f"{key}.db")
        if os.path.exists(path) and os.path.exists(f"{path}.json"):
            with open(f"{path}.json", encoding="utf-8") as file:
                schema, table = json.load(file)
            self.connection.close()
            self.database.load_from(path)
            self._reconnect()
            self.settings.version_table = (schema, table)
            self.applied.extend(revisions)
            self.template = (path, len(self.applied))
            return
        found = len(self.result.findings)
        self._apply(revisions)
        if len(self.result.findings) == found:
            self.connection.close()
            self.database.save_to(path)
            keep(f"{path}.json", json.dumps(list(self.settings.version_table)).encode())
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
            except StepFailed as failed:
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
        """A fresh database holding exactly ``applied`` (from the kept copy
        it was loaded from, if it was): after a failed or untidy step the old
        one is in no state anyone can name."""
        self.connection.close()
        todo = self.applied
        if self.template is not None:
            path, held = self.template
            self.database.load_from(path)
            todo = self.applied[held:]
        else:
            self.database.recreate()
        self.connection = self._fresh_connection()
        self.config.attributes["connection"] = self.connection
        if todo:
            try:
                self._run([self._step(revision, upgrade=True) for revision in todo])
            except StepFailed as failed:
                raise UsageError(
                    f"upgrade() of {failed.step.revision.revision} succeeded once but "
                    f"fails on a fresh database: {failed}"
                ) from None

    def _above_blocked(self, revision: Any) -> bool:
        return any(parent in self.blocked for parent in parents(revision))

    # -- running Alembic ---------------------------------------------------

    def _step(self, revision: Any, upgrade: bool) -> Any:
        return step(self.script, revision, upgrade)

    def _run(self, steps: list[Any], probes: dict[int, Probe] | None = None) -> None:
        run_steps(
            self.config,
            self.script,
            self.connection,
            steps,
            self.settings,
            self._env_py(),
            probes,
        )

    def _env_py(self) -> str:
        return display(Path(self.script.dir) / "env.py", self.cwd)

    def _snapshot(self, signatures: Any = None) -> dict[str, dict[str, str]]:
        """The schema now; ``signatures``: its :meth:`_fingerprint`, if taken."""
        from .schema_snapshot import take_snapshot

        schema, table = self.settings.version_table
        try:
            facts = take_snapshot(self.connection, {(schema, table)}, self.reflected, signatures)
            facts["version table"] = {"heads": ", ".join(self._version_heads(self.connection))}
        finally:
            self.connection.rollback()
        return facts

    def _fingerprint(self, on: Any = None) -> Any:
        """What defines the schema now, in one catalog query (None where the
        database has none): equal fingerprints, equal snapshots. ``on``: the
        connection migrations run on, in their transaction."""
        from .schema_snapshot import fingerprint

        connection = self.connection if on is None else on
        try:
            found = fingerprint(connection)
            if found is not None:
                found[("", "version table")] = tuple(self._version_heads(connection, found))
        finally:
            if on is None:
                self.connection.rollback()
        return found

    def _version_heads(self, connection: Any, signatures: Any = None) -> list[str]:
        import sqlalchemy

        from .schema_snapshot import shows_table

        schema, table = self.settings.version_table
        if not (
            shows_table(signatures, schema, table)
            or sqlalchemy.inspect(connection).has_table(table, schema=schema)
        ):
            return []
        quote = connection.dialect.identifier_preparer.quote
        name = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
        rows = connection.exec_driver_sql(f"SELECT version_num FROM {name}")
        return sorted(row[0] for row in rows)

    # -- what is reported --------------------------------------------------

    def _marked_irreversible(
        self, revision: Any, consequence: str = "upgraded, not round-tripped"
    ) -> bool:
        note = irreversible_note(revision, self.cwd, consequence)
        if note is not None:
            self.result.irreversible.append(note)
        return note is not None

    def _finding(
        self, revision: Any, function: str, code: str, what: str, failed: StepFailed
    ) -> None:
        finding = failure_finding(
            revision, function, code, what, failed.error, self.database.dialect, self.cwd
        )
        self.result.add(revision.revision, finding)

    def _difference(self, revision: Any, function: str, differences: Sequence[Any]) -> None:
        finding = difference_finding(
            revision, function, differences, self.database.dialect, self.cwd
        )
        self.result.add(revision.revision, finding)


def _same(one: Any, other: Any) -> bool:
    return one is not None and one == other
