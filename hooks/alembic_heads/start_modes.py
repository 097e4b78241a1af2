"""The two start modes, for histories that cannot run from an empty database.

``--initial module:attr``: the tables of the application's "initial models",
created before the first revision, then every revision from base.
``--metadata [module:attr]``: the database built at head from the current
metadata (by default the ``target_metadata`` env.py gives autogenerate),
stamped, and the newest revisions round-tripped downwards.
"""

from __future__ import annotations

from typing import Any

from .findings import UsageError
from .scratch_database import one_line

ENV_METADATA = "env.py"  # --metadata without a value: the target_metadata env.py gives Alembic


def load_metadata(spec: str, option: str) -> Any:
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


def create_all(metadata: Any, connection: Any, option: str) -> None:
    """The application's tables; their own failure is one line, naming the option."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        metadata.create_all(connection)
    except SQLAlchemyError as error:
        raise UsageError(f"{option}: creating its tables failed: {one_line(error)}") from None


def head_metadatas(spec: str, target_metadata: Any, env_py: str) -> list[Any]:
    """What ``--metadata`` builds the database at head from."""
    if spec != ENV_METADATA:
        return [load_metadata(spec, "--metadata")]
    if not target_metadata:
        raise UsageError(
            f"--metadata: {env_py} gives Alembic no target_metadata; "
            "name one: --metadata module:attr"
        )
    if isinstance(target_metadata, (list, tuple)):
        return list(target_metadata)
    return [target_metadata]


def stamp_heads(connection: Any, script: Any, version_table: tuple[str | None, str]) -> None:
    """The version table at heads, written by Alembic (its ``MigrationContext.stamp``)."""
    from alembic.runtime.migration import MigrationContext

    schema, table = version_table
    context = MigrationContext.configure(
        connection, opts={"version_table": table, "version_table_schema": schema}
    )
    context.stamp(script, "heads")


def initial_start(env_name: str, spec: str) -> str:
    return (
        f"{env_name}: started from the tables of {spec} (--initial), "
        "created before the first revision"
    )


def head_start(env_name: str, spec: str) -> str:
    where = "env.py's target_metadata" if spec == ENV_METADATA else spec
    return (
        f"{env_name}: started at head from the tables of {where} (--metadata), "
        "stamped; the walk goes downwards"
    )
