"""Read a revision file's identifiers without executing it.

Alembic imports every revision file to learn ``revision``, ``down_revision``,
``branch_labels`` and ``depends_on``. We read the same four module-level
assignments from the source text instead, so a file that imports an
application which is not installed (or that has side effects) is still read.

Two readers give the same answer: a fast one built from regular expressions for
the shapes Alembic's templates write, and the ``ast`` module for everything
else. The fast reader gives up (returns ``None``) on anything it is not sure of;
a test compares the two on generated sources.
"""

from __future__ import annotations

import os

from .findings import Finding
from .record import Record

# re, ast (and what compiled files need) are imported where they are used:
# the hook runs on every commit, and most runs read every file from the cache.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    import dis
    from collections.abc import Callable
    from pathlib import Path
    from typing import TypeVar

    T = TypeVar("T")

IDENTIFIERS = ("revision", "down_revision", "branch_labels", "depends_on")

# Alembic's legacy rule (alembic/script/base.py): a file without ``revision``
# named like ``1975ea83b712.py`` takes its id from the name.
_LEGACY_REVISION_FILE = r"([a-f0-9]+)\.py$"

_CONFLICT_MARKER = r"^(<{7}|>{7})(?: |$)"

_STRING = r"""(?:'[^'\\\n]*'|"[^"\\\n]*")"""
_COMMENT = r"(?:#[^\n]*)?"
_GAP = r"(?:\s|#[^\n]*)*"  # between the items of a tuple written over several lines
_BLANK_LINES = rf"(?:[ \t]*{_COMMENT}\n)*"
# One assignment to an identifier, at the margin, with an optional one-line
# annotation, whose value is None, a string, or a tuple or list of strings.
_VALUE = (
    rf"(None|{_STRING}|\({_GAP}(?:(?:{_STRING}{_GAP},{_GAP})+(?:{_STRING}{_GAP})?)?\)"
    rf"|\[{_GAP}(?:{_STRING}{_GAP},{_GAP})*(?:{_STRING}{_GAP})?\])"
)
_ANNOTATION_AND_EQUALS = r"(?:[ \t]*:[ \t]*[^=\s#'\"][^=\n#'\"]*)?[ \t]*=[ \t]*"
_END = rf"[ \t]*{_COMMENT}(?:\n|\Z)"


class _Patterns:
    """The fast reader's patterns. Compiled on first use (:func:`_patterns`):
    a run that finds every file in the cache reads none, and compiling them
    would cost it more than all its other work on a thousand revisions."""

    def __init__(self) -> None:
        import re

        self.legacy_revision_file = re.compile(_LEGACY_REVISION_FILE)
        self.conflict_marker = re.compile(_CONFLICT_MARKER, re.MULTILINE)
        # Lines that cannot open a bracket or a string: blank lines, comments,
        # and one-line imports at the margin. What follows is at module level.
        self.plain_lines = re.compile(
            rf"(?:[ \t]*{_COMMENT}\n"
            rf"|(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+[\w., \t]+{_COMMENT}\n)*"
        )
        self.blank_lines = re.compile(_BLANK_LINES)
        self.assignment = re.compile(
            rf"({'|'.join(IDENTIFIERS)}){_ANNOTATION_AND_EQUALS}{_VALUE}{_END}"
        )
        # All four, in the order Alembic's templates write them: one match, not eight.
        self.template_block = re.compile(
            _BLANK_LINES.join(
                rf"(?P<{name}>{name}){_ANNOTATION_AND_EQUALS}{_VALUE}{_END}" for name in IDENTIFIERS
            )
            + _BLANK_LINES
        )
        self.item = re.compile(rf"({_STRING})|#[^\n]*")
        self.statement_end = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
        self.docstring = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*([rRuU]?)(\"\"\"|'''|\"|')")


_compiled: list[_Patterns] = []


def _patterns() -> _Patterns:
    if not _compiled:
        _compiled.append(_Patterns())
    return _compiled[0]


def revision_id_problem(revision: str) -> str | None:
    """Why Alembic refuses ``revision`` as an id (``Revision.__init__``), if it does."""
    illegal = sorted(set(revision) & set("@-+:"))
    if not illegal:
        return None
    return f"character(s) '{', '.join(illegal)}' not allowed in revision identifier '{revision}'"


def is_revision_file_name(name: str, sourceless: bool = False) -> bool:
    """Whether Alembic would load a file of this name from a versions folder
    (``sourceless``: compiled ``.pyc``/``.pyo`` files too).

    Alembic's ``_only_source_rev_file`` and ``_sourceless_rev_file`` patterns,
    ``(?!\\.\\#|__init__)(.*\\.py)(c|o)?$``, written out without ``re``
    (a test holds them equal): this runs on every file of every run.
    """
    if "/" in name or os.sep in name:
        name = os.path.basename(name)
    if name.startswith((".#", "__init__")):
        return False
    if name.endswith("\n"):  # ``$`` also matches before a final newline
        name = name[:-1]
    return "\n" not in name and name.endswith((".py", ".pyc", ".pyo") if sourceless else ".py")


class RevisionFile(Record):
    """The identifiers of one revision file, as Alembic would see them.

    ``down_revision``, ``branch_labels`` and ``depends_on`` are tuples, as
    Alembic's ``util.to_tuple`` makes them (``None`` and ``()`` are both empty).
    ``lines`` holds the line of each identifier's assignment (not compared).
    """

    __slots__ = (
        "path",
        "revision",
        "down_revision",
        "branch_labels",
        "depends_on",
        "doc",
        "lines",
        "has_down_revision",
        "read_from",
    )

    def __init__(
        self,
        path: str,
        revision: str,
        down_revision: tuple[str, ...],
        branch_labels: tuple[str, ...] = (),
        depends_on: tuple[str, ...] = (),
        doc: str = "",
        lines: dict[str, int] | None = None,
        has_down_revision: bool = True,
        read_from: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.revision = revision
        self.down_revision = down_revision
        self.branch_labels = branch_labels
        self.depends_on = depends_on
        self.doc = doc
        self.lines = {} if lines is None else lines
        self.has_down_revision = has_down_revision
        # identifier: where its value was read, when not in this file (constants.py)
        self.read_from = {} if read_from is None else read_from

    def _compared(self) -> tuple[object, ...]:
        return (
            self.path,
            self.revision,
            self.down_revision,
            self.branch_labels,
            self.depends_on,
            self.doc,
            self.has_down_revision,
        )

    def line_of(self, identifier: str = "revision") -> int:
        return self.lines.get(identifier) or self.lines.get("revision") or 1

    @property
    def message(self) -> str:
        """The first line of the docstring: the ``-m`` message it was made with."""
        return self.doc.split("\n", 1)[0].strip()


class ReadError(Exception):
    """The file cannot be read statically; ``line`` says where."""

    # branch_labels not read: the rest, for ``--max-heads`` (labels unknown)
    without_labels: RevisionFile | None = None

    def __init__(self, path: str, line: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.path = path
        self.line = line
        self.code = code
        self.message = message
        self.hint = hint

    def finding(self) -> Finding:
        return Finding(self.path, self.line, self.code, self.message, self.hint)


class _Parsed(Record):
    __slots__ = ("values", "lines", "doc")
    __hash__ = None  # type: ignore[assignment]  # it holds dicts

    def __init__(self, values: dict[str, object], lines: dict[str, int], doc: str | None) -> None:
        self.values = values
        self.lines = lines
        self.doc = doc


def read_revision_file(path: Path | str, shown_as: str | None = None) -> RevisionFile:
    """Read one revision file. Raises :class:`ReadError` with file and line.

    ``shown_as`` is the path that messages and the result carry (default: ``path``).
    """
    data, shown, name = read_revision_bytes(path, shown_as)
    return parse_revision_bytes(data, shown, name)


def parse_revision_bytes(data: bytes, shown: str, name: str) -> RevisionFile:
    """What a revision file holding ``data`` says; ``name`` is the file name
    Alembic judges it by (compiled or source)."""
    if is_compiled(name):
        return parse_compiled(data, shown, name)
    return parse_revision_source(data, shown, name)


def is_compiled(name: str) -> bool:
    return name.endswith((".pyc", ".pyo"))


def read_revision_module(path: Path | str) -> tuple[RevisionFile, ast.Module, str]:
    """A source revision file's identifiers, syntax tree and text, for the
    commands that look past the identifiers (the file is parsed once)."""
    data, shown, name = read_revision_bytes(path, None)
    return parse_revision_module(data, shown, name)


def read_revision_bytes(path: Path | str, shown_as: str | None) -> tuple[bytes, str, str]:
    """The file's bytes, the path to show, and the name Alembic judges it by
    (a link's target's)."""
    path = os.fspath(path)
    shown = shown_as or path
    try:
        data = read_bytes(path)
    except OSError as error:
        raise ReadError(shown, 1, "unreadable", f"cannot read: {error.strerror or error}") from None
    name = os.path.basename(os.path.realpath(path) if os.path.islink(path) else path)
    return data, shown, name


def read_bytes(path: str) -> bytes:
    """The file's contents, without the buffered file object ``open`` builds:
    the check reads thousands of small files and this halves the cost."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = [os.read(descriptor, 1 << 16)]
        while chunks[-1]:
            chunks.append(os.read(descriptor, 1 << 16))
    finally:
        os.close(descriptor)
    return b"".join(chunks)


def parse_revision_source(data: bytes, path: str, name: str) -> RevisionFile:
    text = _source_text(data, path)
    parsed = _parse_fast(text)
    if parsed is None:
        try:
            parsed = _parse_ast(text, path)
        except ReadError as error:  # branch_labels may name a constant of the project
            from .constants import labels_read_elsewhere

            return labels_read_elsewhere(error, text, path, name)
    else:
        _check_syntax(text, path)  # Alembic could not import a file that does not compile
    return _to_revision_file(parsed, path, name)


def parse_revision_module(
    data: bytes, path: str, name: str
) -> tuple[RevisionFile, ast.Module, str]:
    """:func:`parse_revision_source`, also giving the syntax tree and the text."""
    text = _source_text(data, path)
    module = _syntax_tree(text, path)
    return _to_revision_file(_read_module(module, text, path), path, name), module, text


def _source_text(data: bytes, path: str) -> str:
    """The decoded source; a file git left conflict markers in is an error."""
    text = _decode(data, path)
    marker = ("<<<<<<<" in text or ">>>>>>>" in text) and _patterns().conflict_marker.search(text)
    if marker:
        raise ReadError(
            path,
            text.count("\n", 0, marker.start()) + 1,
            "conflict-marker",
            f"unresolved merge conflict marker '{marker.group(1)}'",
            "resolve the conflict in this file, then stage it",
        )
    return text


def _decode(data: bytes, path: str) -> str:
    """The source as Python reads it: UTF-8 unless a PEP 263 coding cookie in
    the first two lines says otherwise (a cookie Python refuses is a syntax
    error, as it is when Alembic imports the file)."""
    second_line_end = data.find(b"\n", data.find(b"\n") + 1)
    if b"coding" in data[: second_line_end if second_line_end >= 0 else len(data)]:
        import io
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as error:
            raise ReadError(path, 1, "syntax-error", f"syntax error: {error.msg}") from None
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise ReadError(path, 1, "encoding", f"cannot decode file: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


# -- the fast reader ----------------------------------------------------------


def _parse_fast(text: str) -> _Parsed | None:
    """The identifiers of a file shaped like Alembic's templates, or ``None``.

    The shape: a docstring, then blank lines, comments and one-line imports
    (nothing that could open a bracket or a string), then the assignments,
    and after them no other mention of an identifier's name anywhere.
    """
    if "\r" in text or "\f" in text:
        return None  # a line break, or indentation, the patterns below do not see
    patterns = _patterns()
    doc, position = _fast_docstring(text, patterns)
    if position < 0:
        return None
    position = patterns.plain_lines.match(text, position).end()  # type: ignore[union-attr]
    line = text.count("\n", 0, position) + 1
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    block = patterns.template_block.match(text, position)
    if block is not None:
        for index, name in enumerate(IDENTIFIERS):
            start = block.start(name)
            line += text.count("\n", position, start)
            position = start
            values[name] = _simple_value(block.group(2 * index + 2), patterns)
            lines[name] = line
        line += text.count("\n", position, block.end())
        position = block.end()
    while (match := patterns.assignment.match(text, position)) is not None:
        name = match.group(1)
        if name in values:
            return None  # assigned twice
        values[name] = _simple_value(match.group(2), patterns)
        lines[name] = line
        end = patterns.blank_lines.match(text, match.end()).end()  # type: ignore[union-attr]
        line += text.count("\n", position, end)
        position = end
    if not values or _mentions_an_identifier(text[position:]):
        return None
    return _Parsed(values, lines, doc)


def _mentions_an_identifier(source: str) -> bool:
    if not source.isascii():
        import unicodedata

        # Python reads identifiers NFKC-normalised: "revision" spelled with a
        # fullwidth r is "revision" (strings change too: only more careful).
        source = unicodedata.normalize("NFKC", source)
    return "revision" in source or "branch_labels" in source or "depends_on" in source


def _fast_docstring(text: str, patterns: _Patterns) -> tuple[str | None, int]:
    """The module docstring and where it ends, or ``-1`` to give up."""
    match = patterns.docstring.match(text)
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
    if patterns.statement_end.match(text, after) is None:
        return None, -1  # e.g. implicit concatenation: "a" "b"
    return body, after


def _simple_value(source: str, patterns: _Patterns) -> object:
    if source == "None":
        return None
    if source[0] == "(":
        return tuple(item[1:-1] for item in patterns.item.findall(source) if item)
    if source[0] == "[":
        return [item[1:-1] for item in patterns.item.findall(source) if item]
    return source[1:-1]


# -- the full reader ----------------------------------------------------------


def _check_syntax(text: str, path: str) -> None:
    """:class:`ReadError` where Python refuses to compile the file: Alembic
    imports it. Compiled, not only parsed: ``return`` or ``break`` at module
    level parse, and stop an import all the same."""
    _without_warnings(path, lambda: compile(text, path, "exec", dont_inherit=True))


def _syntax_tree(text: str, path: str) -> ast.Module:
    """The syntax tree, once compiled (as :func:`_check_syntax`, without
    parsing the text twice)."""
    import ast

    def parse_and_compile() -> ast.Module:
        tree = ast.parse(text, filename=path)
        compile(tree, path, "exec", dont_inherit=True)
        return tree

    return _without_warnings(path, parse_and_compile)


def _without_warnings(path: str, step: Callable[[], T]) -> T:
    """``step()``, its warnings unsaid (``"is" with a literal`` is the
    file's business) and its errors a :class:`ReadError`."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return step()
    except ValueError as error:  # pragma: no cover (Python < 3.11.4: a NUL byte)
        raise ReadError(path, 1, "syntax-error", f"syntax error: {error}") from None
    except SyntaxError as error:
        raise ReadError(
            path, error.lineno or 1, "syntax-error", f"syntax error: {error.msg}"
        ) from None
    except (MemoryError, RecursionError):
        raise ReadError(
            path, 1, "syntax-error", "syntax error: too deeply nested for Python's parser"
        ) from None


def _parse_ast(text: str, path: str) -> _Parsed:
    return _read_module(_syntax_tree(text, path), text, path)


def _read_module(module: ast.Module, text: str, path: str) -> _Parsed:
    """The identifiers of a parsed module: module-level literal assignments."""
    import ast

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
    import ast

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
    import ast

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
    import dis
    import importlib.util
    import marshal

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
        legacy = _patterns().legacy_revision_file.match(name)
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
    problem = revision_id_problem(revision)
    if problem:
        raise ReadError(path, lines.get("revision", 1), "bad-revision", problem)
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
        doc=doc.split("\n\n", 1)[0],
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
