"""Read a revision file's identifiers without executing it.

Alembic imports every revision file to learn ``revision``, ``down_revision``,
``branch_labels`` and ``depends_on``. We read the same four module-level
assignments from the source text instead, so a file that imports an
application which is not installed (or that has side effects) is still read.

Two readers give the same answer: a fast one built from regular expressions for
the shapes Alembic's templates write, and the ``ast`` module for everything
else. The fast reader gives up (returns ``None``) on anything it is not sure of.
"""

from __future__ import annotations

import ast
import dis
import importlib.util
import io
import marshal
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

IDENTIFIERS = ("revision", "down_revision", "branch_labels", "depends_on")

# Alembic's own filters (alembic/script/base.py): which names in a versions
# folder are revision files, and the legacy "revision id from file name" rule.
_SOURCE_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_SOURCE_OR_COMPILED_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)(c|o)?$")
_LEGACY_REVISION_FILE = re.compile(r"([a-f0-9]+)\.py$")

_CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})(?: |$)", re.MULTILINE)

# Any line that starts with an identifier, and the one shape the fast reader
# accepts there: a module-level assignment with an optional one-line annotation.
_MENTION = re.compile(r"^[ \t]*(?:revision|down_revision|branch_labels|depends_on)\b", re.MULTILINE)
_ASSIGNMENT = re.compile(
    r"(revision|down_revision|branch_labels|depends_on)[ \t]*(?::[^=\n]*)?=(?!=)[ \t]*"
)
_STRING = r"""(?:'[^'\\\n]*'|"[^"\\\n]*")"""
_SIMPLE_VALUE = re.compile(
    rf"(None|{_STRING}|[(\[]\s*(?:{_STRING}\s*,\s*)*(?:{_STRING}\s*)?[)\]])"
    r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)"
)
_STRING_ITEM = re.compile(_STRING)
_STATEMENT_END = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
_DOCSTRING = re.compile(
    r"\A(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*([rRuU]?)(\"\"\"|'''|\"|')",
)


def is_revision_file_name(name: str, sourceless: bool = False) -> bool:
    """Whether Alembic would load a file of this name from a versions folder
    (``sourceless``: compiled ``.pyc``/``.pyo`` files too)."""
    pattern = _SOURCE_OR_COMPILED_FILE if sourceless else _SOURCE_FILE
    return pattern.match(os.path.basename(name)) is not None


@dataclass(frozen=True)
class RevisionFile:
    """The identifiers of one revision file, as Alembic would see them.

    ``down_revision``, ``branch_labels`` and ``depends_on`` are tuples, as
    Alembic's ``util.to_tuple`` makes them (``None`` and ``()`` are both empty).
    ``lines`` holds the line of each identifier's assignment.
    """

    path: str
    revision: str
    down_revision: tuple[str, ...]
    branch_labels: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    doc: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    has_down_revision: bool = True

    def line_of(self, identifier: str = "revision") -> int:
        return self.lines.get(identifier) or self.lines.get("revision") or 1

    @property
    def message(self) -> str:
        """The first line of the docstring: the ``-m`` message it was made with."""
        return self.doc.split("\n", 1)[0].strip()


class ReadError(Exception):
    """The file cannot be read statically; ``line`` says where."""

    def __init__(self, path: str, line: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.path = path
        self.line = line
        self.code = code
        self.message = message
        self.hint = hint


@dataclass
class _Parsed:
    values: dict[str, object]
    lines: dict[str, int]
    doc: str | None


def read_revision_file(path: Path | str, shown_as: str | None = None) -> RevisionFile:
    """Read one revision file. Raises :class:`ReadError` with file and line.

    ``shown_as`` is the path that messages and the result carry (default: ``path``).
    """
    path = Path(path)
    shown = shown_as or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ReadError(shown, 1, "unreadable", f"cannot read: {error.strerror or error}") from None
    name = os.path.basename(os.path.realpath(path))  # Alembic names a file by its link's target
    if name.endswith((".pyc", ".pyo")):
        return parse_compiled(data, shown, name)
    return parse_revision_source(data, shown, name)


def parse_revision_source(data: bytes, path: str, name: str) -> RevisionFile:
    text = _decode(data, path)
    marker = _CONFLICT_MARKER.search(text)
    if marker:
        raise ReadError(
            path,
            text.count("\n", 0, marker.start()) + 1,
            "conflict-marker",
            f"unresolved merge conflict marker '{marker.group(1)}'",
            "resolve the conflict in this file, then stage it",
        )
    parsed = _parse_fast(text)
    if parsed is None:
        parsed = _parse_ast(text, path)
    else:
        _check_syntax(text, path)  # Alembic could not import a file that does not compile
    return _to_revision_file(parsed, path, name)


def _decode(data: bytes, path: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text = data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as error:
            raise ReadError(path, 1, "encoding", f"cannot decode file: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


# -- the fast reader ----------------------------------------------------------


# Lines Python reads differently from a plain scan: a form feed or a lone
# carriage return, and identifiers that are only NFKC-equal to ASCII ones.
_UNUSUAL_LINES = re.compile(r"[\f\r]|^[ \t]*\w*[^\x00-\x7f]", re.MULTILINE)


def _parse_fast(text: str) -> _Parsed | None:
    if _UNUSUAL_LINES.search(text):
        return None
    doc, doc_end = _fast_docstring(text)
    if doc_end < 0:
        return None
    later_strings = _first_triple_quote(text, doc_end)
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    for mention in _MENTION.finditer(text):
        if mention.start() < doc_end:
            continue  # inside the module docstring
        if mention.start() > later_strings:
            return None  # possibly inside a string
        match = _ASSIGNMENT.match(text, mention.start())
        if match is None or match.group(1) in values:
            return None  # nested, not a plain assignment, or assigned twice
        value = _SIMPLE_VALUE.match(text, match.end())
        if value is None:
            return None
        name = match.group(1)
        values[name] = _simple_value(value.group(1))
        lines[name] = text.count("\n", 0, match.start()) + 1
    return _Parsed(values, lines, doc)


def _fast_docstring(text: str) -> tuple[str | None, int]:
    """The module docstring and where it ends, or ``-1`` to give up."""
    match = _DOCSTRING.match(text)
    if match is None:
        stripped = text.lstrip()
        if stripped[:1] in ("'", '"') or stripped[:2].lower() in ("b'", 'b"', "f'", 'f"'):
            return None, -1
        return None, 0
    prefix, quote = match.groups()
    end = text.find(quote, match.end())
    if end < 0 or (len(quote) == 1 and "\n" in text[match.end() : end]):
        return None, -1
    body = text[match.end() : end]
    if prefix or "\\" in body:
        return None, -1
    after = end + len(quote)
    if _STATEMENT_END.match(text, after) is None:
        return None, -1  # e.g. implicit concatenation: "a" "b"
    return body, after


def _first_triple_quote(text: str, start: int) -> int:
    found = [p for p in (text.find('"""', start), text.find("'''", start)) if p >= 0]
    return min(found) if found else len(text)


def _simple_value(source: str) -> object:
    """The value of a source ``_SIMPLE_VALUE`` matched, as ``ast.literal_eval`` gives it."""
    if source == "None":
        return None
    if source[0] not in "([":
        return source[1:-1]
    items = [item[1:-1] for item in _STRING_ITEM.findall(source)]
    if source[0] == "[":
        return items
    if len(items) == 1 and "," not in _STRING_ITEM.sub("", source):
        return items[0]  # ("a1") and ('a,b') are parenthesised strings
    return tuple(items)


# -- the full reader ----------------------------------------------------------


def _check_syntax(text: str, path: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as error:
        raise ReadError(
            path, error.lineno or 1, "syntax-error", f"syntax error: {error.msg}"
        ) from None
    except (MemoryError, RecursionError):
        raise ReadError(
            path, 1, "syntax-error", "syntax error: too deeply nested for Python's parser"
        ) from None


def _parse_ast(text: str, path: str) -> _Parsed:
    module = _check_syntax(text, path)
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    for node in module.body:
        for name, value in _assignments(node):
            lines[name] = node.lineno
            try:
                values[name] = ast.literal_eval(value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                source = ast.get_source_segment(text, value)
                raise _not_literal(path, node.lineno, name, source) from None
    for nested in _nested_assignments(module):
        name, lineno = nested
        raise ReadError(
            path,
            lineno,
            "not-literal",
            f"{name} is assigned inside a block or changed in place; alembic-heads "
            "reads revision files without running them and needs one plain "
            "module-level assignment",
        )
    doc = ast.get_docstring(module, clean=False)
    return _Parsed(values, lines, doc)


def _assignments(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    if isinstance(node, ast.Assign):
        return [
            (target.id, node.value)
            for target in node.targets
            if isinstance(target, ast.Name) and target.id in IDENTIFIERS
        ]
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        target = node.target
        if isinstance(target, ast.Name) and target.id in IDENTIFIERS:
            return [(target.id, node.value)]
    return []


def _nested_assignments(module: ast.Module) -> list[tuple[str, int]]:
    """Identifiers assigned inside module-level blocks (if/try/with/for...)
    or changed in place (``+=``): values only running the file would tell."""
    found: list[tuple[str, int]] = []

    def visit(statements: list[ast.stmt], nested: bool) -> None:
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            targets: list[ast.expr] = []
            if isinstance(statement, ast.AugAssign):
                targets = [statement.target]
            elif nested and isinstance(statement, ast.Assign):
                targets = statement.targets
            elif nested and isinstance(statement, ast.AnnAssign):
                targets = [statement.target]
            found.extend(
                (target.id, statement.lineno)
                for target in targets
                if isinstance(target, ast.Name) and target.id in IDENTIFIERS
            )
            blocks = [getattr(statement, name, []) for name in ("body", "orelse", "finalbody")]
            blocks += [handler.body for handler in getattr(statement, "handlers", [])]
            blocks += [case.body for case in getattr(statement, "cases", [])]
            for block in blocks:
                visit(block, True)

    visit(module.body, False)
    return found


def _not_literal(path: str, line: int, name: str, source: str | None) -> ReadError:
    shown = f" ({source})" if source and len(source) <= 60 else ""
    return ReadError(
        path,
        line,
        "not-literal",
        f"{name} is not a literal{shown}; alembic-heads reads revision files without running them",
        "write the value as a string, a tuple of strings or None",
    )


# -- compiled files (``sourceless = true``) -----------------------------------


def parse_compiled(data: bytes, path: str, name: str) -> RevisionFile:
    """Read a ``.pyc`` without running it: the constants its module-level code
    stores in the identifiers, found in its bytecode."""
    if data[:4] != importlib.util.MAGIC_NUMBER:
        raise ReadError(
            path,
            1,
            "compiled-elsewhere",
            "compiled by another Python version: alembic-heads reads compiled revision "
            "files only from the Python that runs it",
        )
    try:
        code = marshal.loads(data[16:])
    except (ValueError, EOFError, TypeError) as error:
        raise ReadError(path, 1, "bad-compiled", f"cannot read compiled file: {error}") from None
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    recent: list[dis.Instruction] = []
    for instruction in dis.get_instructions(code):
        if instruction.opname == "STORE_NAME" and instruction.argval in (*IDENTIFIERS, "__doc__"):
            line = instruction.positions.lineno if instruction.positions else None
            value = _constant_stored(recent)
            if value is _UNKNOWN or instruction.argval in values:
                raise _not_literal(path, line or 1, instruction.argval, None)
            values[instruction.argval] = value
            lines[instruction.argval] = line or 1
        if instruction.opname not in ("CACHE", "NOP", "EXTENDED_ARG"):
            recent.append(instruction)
    doc = values.pop("__doc__", None)
    lines.pop("__doc__", None)
    return _to_revision_file(
        _Parsed(values, lines, doc if isinstance(doc, str) else None), path, name
    )


_UNKNOWN = object()


def _constant_stored(recent: list[dis.Instruction]) -> object:
    """The value the instructions before a store leave on the stack, when it
    is a constant, a tuple or a list of constants; else ``_UNKNOWN``."""
    if not recent:
        return _UNKNOWN
    last = recent[-1]
    if last.opname == "LOAD_CONST":
        return last.argval
    if last.opname in ("BUILD_LIST", "BUILD_TUPLE"):
        count = last.arg or 0
        items = recent[-1 - count : -1] if count else []
        if len(items) == count and all(item.opname == "LOAD_CONST" for item in items):
            values = [item.argval for item in items]
            return values if last.opname == "BUILD_LIST" else tuple(values)
    if last.opname == "LIST_EXTEND" and len(recent) >= 3:
        build, constant = recent[-3], recent[-2]
        if build.opname == "BUILD_LIST" and build.arg == 0 and constant.opname == "LOAD_CONST":
            return list(constant.argval)
    return _UNKNOWN


# -- from parsed values to a revision ----------------------------------------


def _to_revision_file(parsed: _Parsed, path: str, name: str) -> RevisionFile:
    values, lines = parsed.values, parsed.lines
    if "revision" in values:
        revision = values["revision"]
        if not isinstance(revision, str) or not revision:
            raise ReadError(
                path,
                lines["revision"],
                "bad-revision",
                f"revision must be a non-empty string, not {revision!r}",
            )
    else:
        legacy = _LEGACY_REVISION_FILE.match(name)
        if legacy is None:
            raise ReadError(
                path,
                1,
                "no-revision",
                "no 'revision' identifier: Alembic cannot load this file from a versions folder",
                "declare revision = '<id>', or move a file that is not a revision "
                "out of the versions folder",
            )
        revision = legacy.group(1)
    illegal = sorted(set(revision) & set("@-+:"))
    if illegal:
        raise ReadError(
            path,
            lines.get("revision", 1),
            "bad-revision",
            f"character(s) '{', '.join(illegal)}' not allowed in revision identifier '{revision}'",
        )
    identifiers = {
        key: _as_tuple(values.get(key), key, path, lines.get(key, 1))
        for key in ("down_revision", "branch_labels", "depends_on")
    }
    doc = (parsed.doc or "").strip()
    return RevisionFile(
        path=path,
        revision=revision,
        down_revision=identifiers["down_revision"],
        branch_labels=identifiers["branch_labels"],
        depends_on=identifiers["depends_on"],
        doc=re.split("\n\n", doc)[0],
        lines=lines,
        has_down_revision="down_revision" in values,
    )


def _as_tuple(value: object, key: str, path: str, line: int) -> tuple[str, ...]:
    """``util.to_tuple`` as Alembic applies it, keeping only strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list, set, frozenset)) and all(
        isinstance(item, str) for item in value
    ):
        return tuple(value)
    raise ReadError(
        path,
        line,
        "bad-value",
        f"{key} must be a string, a tuple of strings or None, not {value!r}",
    )
