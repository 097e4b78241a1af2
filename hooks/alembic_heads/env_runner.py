"""Running migration steps through the project's own env.py, as ``alembic
upgrade``/``downgrade`` would: each a ``RevisionStep`` (its ``upgrade`` or
``downgrade``, and the version table's heads moved as Alembic moves them).

A step that raises is a :class:`StepFailed` (a finding); env.py failing, giving
up, running offline or connecting to another database is one line
(:class:`~alembic_heads.findings.UsageError`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .database_guard import HONOUR_CONNECTION, ForeignDatabase
from .findings import UsageError
from .scratch_database import one_line


class Stop(Exception):
    """Raised by a probe to end the run where it is (passed on as it is)."""


class StepFailed(Exception):
    def __init__(self, step: Any, error: BaseException) -> None:
        super().__init__(one_line(error))
        self.step = step
        self.error = error


@dataclass
class EnvSettings:
    """What env.py configured Alembic with, as seen on its last run."""

    version_table: tuple[str | None, str] = (None, "alembic_version")
    target_metadata: Any = None  # what env.py gives autogenerate
    hand_connection: bool = True  # False: env.py gets sqlalchemy.url alone (see run_steps)


def step(script: Any, revision: Any, upgrade: bool) -> Any:
    from alembic.runtime.migration import RevisionStep

    return RevisionStep(script.revision_map, revision, upgrade)


def run_steps(
    config: Any,
    script: Any,
    connection: Any,
    steps: list[Any],
    settings: EnvSettings,
    env_py: str,
    probes: dict[int, Callable[[Any], None]] | None = None,
) -> None:
    """Run ``steps`` through env.py, as ``alembic upgrade``/``downgrade`` would.

    ``probes[i]`` runs just before step ``i`` (after the version table shows
    the step before it), given the connection the migrations run on: it sees
    the schema the steps so far left, in their transaction. It may end the
    run by raising :class:`Stop`. Step ``i`` then runs as the first step of
    a command of its own would (see :func:`_probed`)."""
    from alembic.runtime.environment import EnvironmentContext

    failures: list[tuple[Any, BaseException]] = []
    running: list[Any] = []  # the MigrationContext env.py configured
    for index, one in enumerate(steps):
        one.migration_fn = _watched(one, one.migration_fn, failures)
        if probes and index in probes:
            one.migration_fn = _probed(probes[index], running, one.migration_fn)
    if not settings.hand_connection:
        config.attributes.pop("connection", None)
    reached: list[bool] = []

    def migrations(heads: Any, context: Any) -> list[Any]:
        reached.append(True)
        settings.version_table = (context.version_table_schema, context.version_table)
        settings.target_metadata = context.opts.get("target_metadata")
        running[:] = [context]
        return steps

    last = steps[-1] if steps else None
    target = "heads" if last is None else last.revision.revision if last.is_upgrade else "base"
    environment = EnvironmentContext(
        config, script, fn=migrations, as_sql=False, destination_rev=target
    )
    try:
        with environment:
            script.run_env()
    except SystemExit as error:  # env.py gave up (a variable it needs is not set, say)
        raise UsageError(f"{env_py} exited: {error.code}") from None
    except Exception as error:
        stopped = _in_chain(error, Stop)
        if stopped is not None:
            raise stopped from None
        if _offline(environment):
            raise UsageError(
                f"{env_py}: configured Alembic without a connection "
                f"(offline mode): {HONOUR_CONNECTION}"
            ) from None
        foreign = _in_chain(error, ForeignDatabase)
        if foreign is not None:
            assert isinstance(foreign, ForeignDatabase)
            raise UsageError(
                f"{env_py} connected to another database ({foreign.where}); "
                f"roundtrip only touches the one it creates: {HONOUR_CONNECTION}"
            ) from None
        for failed_step, failure in failures:
            if _in_chain(error, type(failure)) is failure:
                raise StepFailed(failed_step, failure) from None
        if not reached and _branches(error, config.attributes.get("connection")):
            settings.hand_connection = False
            return run_steps(config, script, connection, steps, settings, env_py, probes)
        raise UsageError(f"{env_py} failed: {one_line(error)}") from None
    finally:
        if connection.in_transaction():
            connection.rollback()


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


def _probed(
    probe: Callable[[Any], None], running: list[Any], function: Callable[..., Any]
) -> Callable[..., Any]:
    """``function`` after ``probe``, starting as the first step of an
    ``alembic`` command of its own would: with Alembic's DDL memo empty (there
    SQLAlchemy notes the enum types a step created, and would not create them
    again)."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        context = running[0]
        probe(context.connection)
        context.impl.memo = {}
        return function(*args, **kwargs)

    return run


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
