"""What a revision file says beyond its identifiers: its message and its functions.

Read with ``ast`` (never executed), and only for the files a hook checks:
the graph commands need none of this.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from .ast_reader import parse_revision_module, read_revision_module
from .revision_file import ReadError, RevisionFile

IRREVERSIBLE_MARKER = "# alembic-heads: irreversible"
_IRREVERSIBLE = re.compile(r"#\s*alembic-heads:\s*irreversible\b", re.IGNORECASE)
_MARKER_WORD = re.compile(r"alembic-heads", re.IGNORECASE)


@dataclass(frozen=True)
class Function:
    """One module-level function: where it is and whether it does anything."""

    name: str
    line: int
    does_work: bool
    marked_irreversible: bool


@dataclass(frozen=True)
class RevisionCode:
    """A revision file's identifiers, its ``-m`` message and its functions.

    ``message`` is the first line of the docstring as Alembic reads it
    (``Script.doc``), empty when the docstring starts with the template's
    ``Revision ID:`` header; ``message_line`` is where it is. ``defined`` holds every
    name the module binds, ``functions`` the plain ``def``s among them.
    """

    file: RevisionFile
    message: str
    message_line: int
    functions: dict[str, Function]
    defined: frozenset[str]


def read_revision_code(path: Path) -> RevisionCode:
    """Read one revision file. Raises :class:`ReadError` with file and line."""
    file, module, text = read_revision_module(path)
    message, message_line = _message(file, module)
    markers = _marker_lines(text)
    functions = {
        node.name: _function(node, markers)
        for node in module.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    return RevisionCode(file, message, message_line, functions, _bound_names(module))


def _message(file: RevisionFile, module: ast.Module) -> tuple[str, int]:
    """``file.message`` (as Alembic's ``Script.doc``) and the line it is on."""
    doc = ast.get_docstring(module, clean=False)
    if doc is None:
        return "", 1
    first = module.body[0]
    message = file.message
    if message.startswith("Revision ID:"):
        return "", first.lineno  # made with -m "": the template's header comes first
    leading = len(doc) - len(doc.lstrip())
    return message, first.lineno + doc.count("\n", 0, leading)


def _marker_lines(text: str) -> set[int]:
    if _MARKER_WORD.search(text) is None:
        return set()  # most files: skip tokenizing
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return {
        token.start[0]
        for token in tokens
        if token.type == tokenize.COMMENT and _IRREVERSIBLE.match(token.string)
    }


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef, markers: set[int]) -> Function:
    above = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    end = node.end_lineno or node.lineno
    marked = any(above <= line <= end for line in markers)
    return Function(node.name, node.lineno, _does_work(node.body), marked)


def _does_work(body: list[ast.stmt]) -> bool:
    """Whether a body holds more than ``pass``, ``...`` and docstrings."""
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        value = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(value, ast.Constant) and (
            isinstance(value.value, str) or value.value is Ellipsis
        ):
            continue
        return True
    return False


def _bound_names(module: ast.Module) -> frozenset[str]:
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return frozenset(names)


def upgrade_does_work(data: bytes, path: str, name: str) -> bool:
    """Whether running the revision's ``upgrade()`` (or the multi-database
    template's ``upgrade_<name>()``) would do anything; a file that cannot
    be read, or has no upgrade, is taken to do work."""
    try:
        _, module, _ = parse_revision_module(data, path, name)
    except ReadError:
        return True
    upgrades = [
        node
        for node in module.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and (node.name == "upgrade" or node.name.startswith("upgrade_"))
    ]
    return not upgrades or any(_does_work(node.body) for node in upgrades)
