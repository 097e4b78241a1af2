"""A database's schema as comparable facts, and what differs between two of them.

A snapshot maps each thing the schema holds ("column orders.total", "index
ix_orders_date on orders", ...) to its properties (type, nullability, default,
columns, ...), as SQLAlchemy's inspector reports them, plus PostgreSQL's enums,
sequences and views from its catalog. Only what a database reports differently
for the same thing is normalised (whitespace in SQL text, the order it lists
things in); a real difference is never hidden. Imported only by the round
trip (``revision_walk``): it needs SQLAlchemy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Schema = dict[str, dict[str, str]]

SYSTEM_SCHEMAS = ("information_schema",)
OWNER = "table"  # the property that says which table a column, key or index belongs to


@dataclass(frozen=True)
class Difference:
    """One thing two snapshots disagree on: ``was`` or ``now`` is None when it is
    missing from that side; otherwise the properties that changed."""

    thing: str
    was: dict[str, str] | None
    now: dict[str, str] | None

    def changes(self) -> str:
        """``type VARCHAR(20) (was VARCHAR(10)), nullable true (was false)``."""
        assert self.was is not None and self.now is not None
        keys = sorted(set(self.was) | set(self.now))
        return ", ".join(
            f"{key} {self.now.get(key, '(none)')} (was {self.was.get(key, '(none)')})"
            for key in keys
            if self.was.get(key) != self.now.get(key)
        )


def compare(expected: Schema, actual: Schema) -> list[Difference]:
    """What ``actual`` has that ``expected`` has not, and the other way, by
    thing; a table only one side has stands for its columns, keys and indexes."""
    whole = {
        thing.split(" ", 1)[1]
        for thing in set(expected) ^ set(actual)
        if thing.startswith("table ")
    }
    differences = []
    for thing in sorted(set(expected) | set(actual)):
        was, now = expected.get(thing), actual.get(thing)
        if was != now and (was or now or {}).get(OWNER) not in whole:
            differences.append(Difference(thing, _shown(was), _shown(now)))
    return differences


def _shown(properties: dict[str, str] | None) -> dict[str, str] | None:
    if properties is None:
        return None
    return {key: value for key, value in properties.items() if key != OWNER}


Signatures = dict[tuple[str, str], Any]


def fingerprint(connection: Any) -> Signatures | None:
    """What defines each table, as the catalog says it, in one query (None
    where there is no such query): equal fingerprints mean equal snapshots,
    so a snapshot is taken only when they differ. The key ``("", "")`` holds
    everything that belongs to no table (enums, sequences, schemas)."""
    name = connection.dialect.name
    if name == "sqlite":
        return _sqlite_signatures(connection)
    if name == "postgresql":
        return _postgresql_signatures(connection)
    if name in ("mysql", "mariadb"):
        return _mysql_signatures(connection)
    return None


def take_snapshot(
    connection: Any,
    skip_tables: set[tuple[str | None, str]],
    remembered: dict[tuple[str, str], tuple[Any, dict[str, Any]]] | None = None,
    signatures: Signatures | None = None,
) -> Schema:
    """The schema ``connection`` sees, but the tables in ``skip_tables``
    (``(schema, name)``: Alembic's version table).

    With the database's :func:`fingerprint` as ``signatures``, ``remembered``
    (kept by the caller between snapshots) saves reflecting a table again
    while its signature is unchanged: the answer would be the same.
    """
    import sqlalchemy

    inspector = sqlalchemy.inspect(connection)
    dialect = connection.dialect
    facts: Schema = {}
    default_schema = inspector.default_schema_name
    signatures = signatures or {}
    memory = remembered if remembered is not None and signatures else {}
    for schema in _schemas(inspector, dialect.name):
        owner = None if schema == default_schema else schema
        if owner is not None:
            facts[f"schema {schema}"] = {}
        tables = [
            name
            for name in inspector.get_table_names(schema=owner)
            if (owner, name) not in skip_tables
        ]
        keys = {table: (schema, table) for table in tables}
        changed = [
            t
            for t in tables
            if keys[t] not in memory or memory[keys[t]][0] != signatures.get(keys[t])
        ]
        reflected = _reflect(inspector, owner, changed)
        for table in changed:
            found = {kind: by_table[table] for kind, by_table in reflected.items()}
            memory[keys[table]] = (signatures.get(keys[table]), found)
        for table in tables:
            _table_facts(facts, memory[keys[table]][1], dialect, owner, table)
        for view in inspector.get_view_names(schema=owner):
            definition = inspector.get_view_definition(view, schema=owner) or ""
            facts[f"view {_qualified(owner, view)}"] = {"definition": _sql(definition)}
    if dialect.name == "postgresql":
        facts.update(_postgresql_facts(connection, default_schema))
    return facts


def _sqlite_signatures(connection: Any) -> Signatures:
    """Each table's SQL and its indexes' and triggers', as SQLite keeps them:
    its reflection reads nothing else."""
    rows = connection.exec_driver_sql(
        "SELECT tbl_name, type, name, sql FROM sqlite_master ORDER BY tbl_name, type, name"
    )
    signatures: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for table, kind, name, sql in rows:
        signatures.setdefault(("main", table), []).append((kind, name, sql or ""))
    return {key: tuple(parts) for key, parts in signatures.items()}


# Per relation: its columns (type, nullability, default), indexes and
# constraints as PostgreSQL prints their definitions, a view's query, a
# sequence's parameters and owner; then the enums and the schemas.
_POSTGRESQL_SIGNATURES = """
SELECT n.nspname, c.relname, c.relkind::text,
  (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
     || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ', '
     ORDER BY a.attnum)
   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY 1)
   FROM pg_index i WHERE i.indrelid = c.oid),
  (SELECT string_agg(o.conname || ' ' || pg_get_constraintdef(o.oid), ', ' ORDER BY 1)
   FROM pg_constraint o WHERE o.conrelid = c.oid),
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
  (SELECT s.seqtypid::regtype::text || ' ' || s.seqstart || ' ' || s.seqincrement || ' '
     || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcycle::text
   FROM pg_sequence s WHERE s.seqrelid = c.oid),
  (SELECT string_agg(t.relname || ' ' || d.deptype::text, ', ' ORDER BY 1)
   FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
   WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'
UNION ALL
SELECT '', '', 'enums and schemas',
  (SELECT string_agg(n.nspname || '.' || t.typname || ' ' || e.labels, ', ' ORDER BY 1)
   FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   JOIN (SELECT enumtypid, string_agg(enumlabel, ' ' ORDER BY enumsortorder) AS labels
         FROM pg_enum GROUP BY enumtypid) e ON e.enumtypid = t.oid),
  (SELECT string_agg(nspname, ', ' ORDER BY 1) FROM pg_namespace),
  current_schema(), NULL, NULL, NULL
"""


def shows_table(signatures: Signatures | None, schema: str | None, table: str) -> bool:
    """Whether a :func:`fingerprint` shows that ``table`` exists where an
    unqualified name (``schema`` None) or ``schema.table`` finds it. False
    says only that it does not show it: ask the database."""
    if not signatures:
        return False
    if schema is None:
        everything = signatures.get(("", ""))  # PostgreSQL: the first schema on the search path
        schema = everything[3] if everything else "main"  # SQLite: main (or temp)
    return (schema, table) in signatures


def _postgresql_signatures(connection: Any) -> Signatures:
    return {
        (row[0], row[1]): tuple(row[2:])
        for row in connection.exec_driver_sql(_POSTGRESQL_SIGNATURES)
    }


# Per table of the current database, what its reflection reads: its kind and
# a view's query, its columns (type, nullability, default, extra), its indexes'
# columns, its constraints (foreign keys with their targets and rules, checks).
_MYSQL_SIGNATURES = (
    "SELECT table_name, 'table', table_type, '', '', '', '', '' FROM information_schema.tables"
    " WHERE table_schema = DATABASE()",
    "SELECT table_name, 'view', view_definition, '', '', '', '', '' FROM information_schema.views"
    " WHERE table_schema = DATABASE()",
    "SELECT table_name, 'column', column_name, column_type, is_nullable,"
    " coalesce(column_default, '(none)'), extra, coalesce(column_comment, '')"
    " FROM information_schema.columns WHERE table_schema = DATABASE()"
    " ORDER BY table_name, ordinal_position",
    "SELECT table_name, 'index', index_name, non_unique, seq_in_index,"
    " coalesce(column_name, ''), coalesce(sub_part, ''), index_type"
    " FROM information_schema.statistics WHERE table_schema = DATABASE()"
    " ORDER BY table_name, index_name, seq_in_index",
    "SELECT k.table_name, 'key', k.constraint_name, k.column_name,"
    " coalesce(k.referenced_table_schema, ''), coalesce(k.referenced_table_name, ''),"
    " coalesce(k.referenced_column_name, ''), k.ordinal_position"
    " FROM information_schema.key_column_usage k WHERE k.table_schema = DATABASE()"
    " ORDER BY k.table_name, k.constraint_name, k.ordinal_position",
    "SELECT table_name, 'rule', constraint_name, update_rule, delete_rule, '', '', ''"
    " FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()"
    " ORDER BY table_name, constraint_name",
    "SELECT table_name, 'constraint', constraint_name, constraint_type, '', '', '', ''"
    " FROM information_schema.table_constraints WHERE table_schema = DATABASE()"
    " ORDER BY table_name, constraint_name",
)

# MariaDB keeps checks in information_schema.check_constraints with their table;
# MySQL 8 there without it (its table_constraints names the table instead).
_MYSQL_CHECKS = (
    "SELECT c.constraint_name, c.check_clause FROM information_schema.check_constraints c"
    " WHERE c.constraint_schema = DATABASE() ORDER BY c.constraint_name, c.check_clause"
)


def _mysql_signatures(connection: Any) -> Signatures:
    database = connection.exec_driver_sql("SELECT DATABASE()").scalar()
    signatures: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for query in _MYSQL_SIGNATURES:
        for table, *rest in connection.exec_driver_sql(query):
            signatures.setdefault((database, table), []).append(tuple(map(str, rest)))
    checks = tuple(tuple(map(str, row)) for row in connection.exec_driver_sql(_MYSQL_CHECKS))
    found: Signatures = {key: tuple(parts) for key, parts in signatures.items()}
    # Everything that belongs to no table: the checks (by name, unique in a
    # database), and where an unqualified name finds a table (see shows_table).
    found[("", "")] = ("checks", checks, "", database)
    return found


def _schemas(inspector: Any, dialect_name: str) -> list[str]:
    if dialect_name in ("sqlite", "mysql", "mariadb"):
        # Attached databases, and the server's other databases, are not ours.
        return [inspector.default_schema_name]
    return [
        name
        for name in inspector.get_schema_names()
        if name not in SYSTEM_SCHEMAS and not name.startswith("pg_")
    ]


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


# What the inspector reports of a table: its get_<kind>() for each kind.
KINDS = (
    "columns",
    "pk_constraint",
    "foreign_keys",
    "indexes",
    "unique_constraints",
    "check_constraints",
)


def _reflect(inspector: Any, schema: str | None, tables: list[str]) -> dict[str, dict[str, Any]]:
    """Each kind for every table of ``schema``: with SQLAlchemy 2's
    ``get_multi_*`` one catalog query per kind, not one per table."""
    found: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        if not tables:
            found[kind] = {}
        elif hasattr(inspector, f"get_multi_{kind}"):
            multi = getattr(inspector, f"get_multi_{kind}")(schema=schema, filter_names=tables)
            found[kind] = {table: value for (_, table), value in multi.items()}
        else:  # SQLAlchemy 1.4
            single = getattr(inspector, f"get_{kind}")
            found[kind] = {table: single(table, schema=schema) for table in tables}
    return found


def _table_facts(
    facts: Schema, reflected: dict[str, Any], dialect: Any, schema: str | None, table: str
) -> None:
    where = _qualified(schema, table)
    facts[f"table {where}"] = {}
    for column in reflected["columns"]:
        facts[f"column {where}.{column['name']}"] = {
            "type": _type(column["type"], dialect),
            "nullable": str(bool(column["nullable"])).lower(),
            "default": _sql(str(column.get("default") or "")) or "(none)",
            OWNER: where,
        }
    primary = reflected["pk_constraint"]
    if primary.get("constrained_columns"):
        facts[f"primary key of {where}"] = {
            "name": primary.get("name") or "(unnamed)",
            "columns": ", ".join(primary["constrained_columns"]),
            OWNER: where,
        }
    for key in reflected["foreign_keys"]:
        columns = ", ".join(key["constrained_columns"])
        target = _qualified(key.get("referred_schema"), key["referred_table"])
        referred = ", ".join(key["referred_columns"])
        name = key.get("name") or f"({columns}) -> {target}({referred})"
        options = key.get("options") or {}
        facts[f"foreign key {name} on {where}"] = {
            "columns": columns,
            "references": f"{target}({referred})",
            OWNER: where,
            **{option: str(value) for option, value in sorted(options.items()) if value},
        }
    # MySQL's unique constraint is a unique index, listed as both: the same thing.
    constraints = {u.get("duplicates_index") for u in reflected["unique_constraints"]}
    for index in reflected["indexes"]:
        if index.get("duplicates_constraint") or index["name"] in constraints - {None}:
            # PostgreSQL's index of a unique constraint, MySQL's unique index:
            continue  # the constraint, below, is that same thing (SQLite lists it once)
        columns = ", ".join(
            str(column) if column is not None else _sql(str(expression))
            for column, expression in zip(
                index["column_names"],
                index.get("expressions") or [None] * len(index["column_names"]),
                strict=False,
            )
        )
        facts[f"index {index['name']} on {where}"] = {
            "columns": columns,
            "unique": str(bool(index["unique"])).lower(),
            OWNER: where,
        }
    for unique in reflected["unique_constraints"]:
        columns = ", ".join(unique["column_names"])
        name = unique.get("name") or f"({columns})"
        facts[f"unique constraint {name} on {where}"] = {"columns": columns, OWNER: where}
    for check in reflected["check_constraints"]:
        text = _sql(check["sqltext"])
        name = check.get("name") or f"({text})"
        facts[f"check constraint {name} on {where}"] = {"condition": text, OWNER: where}


def _type(type_: Any, dialect: Any) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type the dialect cannot render (NullType): its repr says as much
        return repr(type_)


_SPACE = re.compile(r"\s+")


def _sql(text: str) -> str:
    """SQL text as a database stores it, whitespace folded: SQLite keeps what was
    typed, and the same constraint re-created by a batch operation reads differently."""
    return _SPACE.sub(" ", text).strip()


def _postgresql_facts(connection: Any, default_schema: str) -> Schema:
    facts: Schema = {}

    def _owner(schema: str) -> str | None:
        return None if schema == default_schema else schema

    enums = connection.exec_driver_sql(
        "SELECT n.nspname, t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)"
        " FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid"
        " JOIN pg_namespace n ON n.oid = t.typnamespace GROUP BY n.nspname, t.typname"
    )
    for schema, name, labels in enums:
        facts[f"enum {_qualified(_owner(schema), name)}"] = {"values": labels}
    # A serial column's sequence belongs to its table (pg_depend 'a'; identity: 'i').
    sequences = connection.exec_driver_sql(
        "SELECT s.schemaname, s.sequencename, s.data_type::text, s.start_value, s.increment_by,"
        " s.min_value, s.max_value, s.cycle, tn.nspname, t.relname"
        " FROM pg_sequences s"
        " JOIN pg_namespace n ON n.nspname = s.schemaname"
        " JOIN pg_class c ON c.relname = s.sequencename AND c.relnamespace = n.oid"
        " LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass"
        "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
        " LEFT JOIN pg_class t ON t.oid = d.refobjid"
        " LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace"
    )
    for schema, name, data_type, start, step, low, high, cycle, table_schema, table in sequences:
        facts[f"sequence {_qualified(_owner(schema), name)}"] = {
            "type": data_type,
            "start": str(start),
            "increment": str(step),
            "range": f"{low}..{high}",
            "cycle": str(cycle).lower(),
            **({OWNER: _qualified(_owner(table_schema), table)} if table else {}),
        }
    views = connection.exec_driver_sql(
        "SELECT schemaname, matviewname, definition FROM pg_matviews"
    )
    for schema, name, definition in views:
        facts[f"materialized view {_qualified(_owner(schema), name)}"] = {
            "definition": _sql(definition)
        }
    return facts
