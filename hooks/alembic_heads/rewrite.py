"""Point a revision file at a new parent, changing nothing else in it.

Only two spans of bytes change: the inside of the string literal that names
the old parent in ``down_revision`` (its quotes, prefix, annotation and any
line breaks around it stay), and the value of the docstring's ``Revises:``
line when it names the same parent. The result is read back and must say
what was meant, or nothing is written.
"""

from __future__ import annotations

import ast
import os
import re

from .record import replace
from .revision_file import ReadError, RevisionFile
from .revision_reader import parse_revision_source

_STRING_LITERAL = re.compile(rb"""\A([rRuU]?)('''|\"\"\"|'|")(.*)\2\Z""", re.DOTALL)
_REVISES = re.compile(rb"^Revises:[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)


class RewriteError(Exception):
    """The file is not one whose parent can be changed in place."""


def repoint(data: bytes, file: RevisionFile, old: str, new: str) -> bytes:
    """``data`` (the file of ``file``) with its parent ``old`` replaced by ``new``."""
    try:
        module = ast.parse(data)
    except (SyntaxError, ValueError) as error:  # pragma: no cover - the reader checked it
        raise RewriteError(f"cannot parse: {error}") from None
    starts = _line_starts(data)
    edits = [_down_revision_edit(module, data, starts, old, new)]
    revises = _revises_edit(module, data, starts, old, new)
    if revises is not None:
        edits.append(revises)
    result = data
    for start, end, text in sorted(edits, reverse=True):
        result = result[:start] + text + result[end:]
    _verify(result, file, new)
    return result


def _line_starts(data: bytes) -> list[int]:
    """Byte offset of each line (1-based, as ``ast`` counts), with Python's line breaks."""
    starts = [0, 0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    if data.startswith(b"\xef\xbb\xbf"):
        starts[1] = 3  # ast's columns on the first line do not count the BOM
    return starts


def _offset(starts: list[int], line: int | None, column: int | None) -> int:
    assert line is not None and column is not None
    return starts[line] + column


def _down_revision_edit(
    module: ast.Module, data: bytes, starts: list[int], old: str, new: str
) -> tuple[int, int, bytes]:
    values = [
        node.value
        for node in module.body
        if (isinstance(node, ast.Assign) and _names_down_revision(node.targets))
        or (isinstance(node, ast.AnnAssign) and _names_down_revision([node.target]))
    ]
    if len(values) != 1 or values[0] is None:
        raise RewriteError("down_revision is not one plain module-level assignment")
    value = values[0]
    items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
    # the reader made sure the value is a string or a sequence of strings naming ``old``
    node = next(item for item in items if isinstance(item, ast.Constant) and item.value == old)
    start = _offset(starts, node.lineno, node.col_offset)
    end = _offset(starts, node.end_lineno, node.end_col_offset)
    literal = _STRING_LITERAL.match(data[start:end])
    if literal is None or literal.group(3) != old.encode():
        raise RewriteError(f"down_revision's '{old}' is not written as one plain string literal")
    prefix, quote = literal.group(1), literal.group(2)
    return start, end, prefix + quote + new.encode() + quote


def _names_down_revision(targets: list[ast.expr]) -> bool:
    return any(isinstance(target, ast.Name) and target.id == "down_revision" for target in targets)


def _revises_edit(
    module: ast.Module, data: bytes, starts: list[int], old: str, new: str
) -> tuple[int, int, bytes] | None:
    """The docstring's ``Revises: old`` line, as Alembic's templates write it."""
    if not module.body or ast.get_docstring(module, clean=False) is None:
        return None
    doc = module.body[0]
    start = _offset(starts, doc.lineno, doc.col_offset)
    end = _offset(starts, doc.end_lineno, doc.end_col_offset)
    line = _REVISES.search(data, start, end)
    if line is None or line.group(1) != old.encode():
        return None
    return line.start(1), line.end(1), new.encode()


def _verify(result: bytes, file: RevisionFile, new: str) -> None:
    try:
        after = parse_revision_source(result, file.path, os.path.basename(file.path))
    except ReadError as error:  # pragma: no cover - a bug in the edits above
        raise RewriteError(f"the rewritten file would not read back: {error.message}") from None
    expected = replace(file, down_revision=(new,), doc=after.doc, lines=after.lines)
    if after != expected:  # pragma: no cover - a bug in the edits above
        raise RewriteError("the rewritten file would not say what was meant")
