"""Values a revision file takes from a module of its own repository, read
statically: ``branch_labels = (cli.EXPAND_BRANCH,)`` after ``from
myapp.db.migration import cli``, or ``(EXPAND_BRANCH,)`` after ``from
myapp.db.migration.cli import EXPAND_BRANCH``.

The module is found on disk (above the revision file, up to the repository's
top), parsed with :mod:`ast` and never imported. A name counts only when the
module binds it exactly once, at its top level, to a literal (or to another
such name); anything that could rebind it makes the value unknown.
"""

from __future__ import annotations

import ast
import os

from .paths import display
from .record import Record, replace
from .revision_file import ReadError, RevisionFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# How many modules one value may pass through (a re-export of a re-export...).
_DEPTH = 8


class Resolved(Record):
    """A value, and where it was read: ``path:line (NAME)``."""

    __slots__ = ("value", "origin")

    def __init__(self, value: object, origin: str) -> None:
        self.value = value
        self.origin = origin


class _Unknown(Exception):
    """The value cannot be read exactly without running code."""


def labels_read_elsewhere(
    error: ReadError,
    text: str,
    path: str,
    name: str,
    parse_revision_source: Callable[[bytes, str, str], RevisionFile],
) -> RevisionFile:
    """The revision file (``text``, at ``path``) whose reading stopped at
    ``error``, when that is a ``branch_labels`` that is not a literal: its
    value read from the module it names, and where. Else ``error`` again;
    and when the value cannot be read, ``error`` carrying the rest of the
    file with the labels unknown (``without_labels``, for ``--max-heads``).

    The file is read again with the value written in as a literal, on the
    same lines, so that the reader's every other rule still applies.
    """
    if error.code != "not-literal" or not error.message.startswith("branch_labels is not"):
        raise error
    module = ast.parse(text)
    value = next(
        (
            node.value
            for node in module.body
            if isinstance(node, (ast.Assign, ast.AnnAssign))
            and node.lineno == error.line
            and node.value is not None
            and [getattr(target, "id", None) for target in _targets(node)] == ["branch_labels"]
        ),
        None,
    )
    if value is None:  # pragma: no cover (the reader names the assignment's line)
        raise error
    resolved = resolve(module, value, path)
    written = _written_in(text, value, "None" if resolved is None else repr(resolved.value))
    script = parse_revision_source(written.encode("utf-8"), path, name)
    if resolved is None:
        hint = (
            f"{error.hint}, or a constant of a module of this repository (read without "
            "running it); or pass --max-heads N to count heads, labels aside"
        )
        unknown = ReadError(error.path, error.line, error.code, error.message, hint)
        unknown.without_labels = script
        raise unknown
    return replace(script, read_from={"branch_labels": resolved.origin})


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _written_in(text: str, node: ast.expr, literal: str) -> str:
    """``text`` with ``node``'s source replaced by ``literal``, every line
    where it was (ast's columns count UTF-8 bytes)."""
    assert node.end_lineno is not None and node.end_col_offset is not None
    lines = text.splitlines(keepends=True)
    first = lines[node.lineno - 1].encode("utf-8")
    last = lines[node.end_lineno - 1].encode("utf-8")
    before = first[: node.col_offset].decode("utf-8")
    after = last[node.end_col_offset :].decode("utf-8")
    spanned = node.end_lineno - node.lineno
    middle = f"({literal}" + "\n" * spanned + ")" if spanned else literal
    return (
        "".join(lines[: node.lineno - 1])
        + before
        + middle
        + after
        + "".join(lines[node.end_lineno :])
    )


def resolve(module: ast.Module, value: ast.expr, path: str) -> Resolved | None:
    """``value`` (a name, ``module.NAME``, or a tuple or list of those and
    literals) in ``module``, the revision file at ``path``; ``None`` when
    reading it would take running code."""
    try:
        found, origins = _Module(module, os.path.abspath(path), 0).evaluate(value)
    except (_Unknown, RecursionError):
        return None
    return Resolved(found, ", ".join(dict.fromkeys(origins)))


class _Module:
    def __init__(self, tree: ast.Module, path: str, depth: int) -> None:
        if depth > _DEPTH:
            raise _Unknown
        self.tree = tree
        self.path = path
        self.depth = depth
        self.bindings = _bindings(tree)

    def evaluate(self, node: ast.expr) -> tuple[object, list[str]]:
        if isinstance(node, (ast.Tuple, ast.List)):
            values, origins = [], []
            for element in node.elts:
                value, where = self.evaluate(element)
                values.append(value)
                origins += where
            return tuple(values), origins
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Attribute):
            return self.imported(self.module_of(node.value)).name(node.attr)
        try:
            return ast.literal_eval(node), []
        except (ValueError, TypeError, SyntaxError, MemoryError):
            raise _Unknown from None

    def name(self, name: str) -> tuple[object, list[str]]:
        """The value this module gives ``name``, and where it was read."""
        statement = self.bound_once(name)
        if isinstance(statement, ast.Assign) and len(statement.targets) != 1:
            raise _Unknown  # A = B = ..., or A, B = ...: one target only
        if isinstance(statement, ast.Assign) and not isinstance(statement.targets[0], ast.Name):
            raise _Unknown
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            value, origins = self.evaluate(statement.value)
            shown = display(self.path, os.getcwd())
            return value, origins or [f"{shown}:{statement.lineno} ({name})"]
        if isinstance(statement, ast.ImportFrom):
            alias = next(alias for alias in statement.names if (alias.asname or alias.name) == name)
            source = self.from_module(statement)
            return self.imported(source).name(alias.name)
        raise _Unknown

    def module_of(self, node: ast.expr) -> str:
        """The file of the module ``node`` (``cli``, ``pkg.cli``) names here."""
        if isinstance(node, ast.Attribute):
            return _module_file(self.module_of(node.value), node.attr)
        if not isinstance(node, ast.Name):
            raise _Unknown
        statement = self.bound_once(node.id)
        if isinstance(statement, ast.ImportFrom):  # from pkg import cli
            alias = next(a for a in statement.names if (a.asname or a.name) == node.id)
            return _module_file(self.from_module(statement), alias.name)
        if isinstance(statement, ast.Import):  # import pkg.cli as cli, or import pkg
            alias = next(
                a for a in statement.names if (a.asname or a.name.split(".")[0]) == node.id
            )
            dotted = alias.name if alias.asname else alias.name.split(".")[0]
            return self.find(dotted)
        raise _Unknown

    def from_module(self, statement: ast.ImportFrom) -> str:
        if statement.level:
            folder = os.path.dirname(self.path)
            for _ in range(statement.level - 1):
                folder = os.path.dirname(folder)
            package = os.path.join(folder, "__init__.py")
            if not statement.module:
                return package
            return _module_file(package, *statement.module.split("."))
        if not statement.module:  # pragma: no cover (``from import x`` is not Python)
            raise _Unknown
        return self.find(statement.module)

    def find(self, dotted: str) -> str:
        """The file of module ``dotted``, searched from the revision file's
        folder up to the repository's top (and each folder's ``src``)."""
        parts = dotted.split(".")
        for root in _roots(os.path.dirname(self.path)):
            for base in (root, os.path.join(root, "src")):
                try:
                    return _module_file(os.path.join(base, "__init__.py"), *parts)
                except _Unknown:
                    continue
        raise _Unknown

    def imported(self, path: str) -> _Module:
        try:
            with open(path, "rb") as handle:
                tree = ast.parse(handle.read(), path)
        except (OSError, SyntaxError, ValueError):
            raise _Unknown from None
        return _Module(tree, path, self.depth + 1)

    def bound_once(self, name: str) -> ast.stmt:
        statements = self.bindings.get(name, [])
        if len(statements) != 1 or "*" in self.bindings:  # a star import may bind anything
            raise _Unknown
        if statements[0] not in self.tree.body:  # bound only when a block runs
            raise _Unknown
        return statements[0]


def _module_file(package_file: str, *parts: str) -> str:
    """The file of submodule ``parts`` of the package whose ``__init__.py``
    is ``package_file`` (which need not exist: a namespace package)."""
    folder = os.path.join(os.path.dirname(package_file), *parts)
    if os.path.isfile(folder + ".py"):
        return folder + ".py"
    if os.path.isdir(folder):  # a package; without __init__.py, a namespace package
        return os.path.join(folder, "__init__.py")
    raise _Unknown


def _roots(folder: str) -> Iterator[str]:
    """``folder`` and its parents, up to the repository's top (the folder
    holding ``.git``), or to the file system's root outside git."""
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")) or parent == folder:
            return
        folder = parent


def _bindings(tree: ast.Module) -> dict[str, list[ast.stmt]]:
    """Every statement that binds each module-level name: assignments and
    imports at the top level or in its blocks, definitions, ``global``
    anywhere, and any other store of that name outside functions."""
    found: dict[str, list[ast.stmt]] = {}

    def add(name: str, statement: ast.stmt) -> None:
        found.setdefault(name, []).append(statement)

    def visit(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                add(statement.name, statement)
                for inner in ast.walk(statement):
                    if isinstance(inner, ast.Global):
                        for name in inner.names:
                            add(name, inner)
                continue
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for alias in statement.names:
                    add(alias.asname or alias.name.split(".")[0], statement)
                continue
            for node in _own_nodes(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    add(node.id, statement)
            for field in ("body", "orelse", "finalbody"):
                visit(getattr(statement, field, []))
            for handler in getattr(statement, "handlers", []):
                visit(handler.body)
            for case in getattr(statement, "cases", []):
                visit(case.body)

    visit(tree.body)
    return found


def _own_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of ``statement`` outside its nested statement blocks."""
    for field, value in ast.iter_fields(statement):
        if field in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        for node in value if isinstance(value, list) else [value]:
            if isinstance(node, ast.AST):
                yield from ast.walk(node)
