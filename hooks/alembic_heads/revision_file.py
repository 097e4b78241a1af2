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
import stat

from .findings import Finding
from .record import Record

# re, ast (and what compiled files need) are imported where they are used:
# the hook runs on every commit, and most runs read every file from the cache.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    import dis
    import types
    from collections.abc import Callable, Iterable, Iterator
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
# Between the items of a tuple written over several lines. A comment runs to
# the end of its line: "#[^\n]*" alone could also stop at each "#" inside it,
# and a line of "# # # ..." would then take exponential time to fail.
_GAP = r"(?:\s|#[^\n]*(?![^\n]))*"
_BLANK_LINES = rf"(?:[ \t]*{_COMMENT}\n)*"
# One assignment to an identifier, at the margin, with an optional one-line
# annotation, whose value is None, a string, or a tuple or list of strings.
_VALUE = (
    rf"(None|{_STRING}|\({_GAP}(?:(?:{_STRING}{_GAP},{_GAP})+(?:{_STRING}{_GAP})?)?\)"
    rf"|\[{_GAP}(?:{_STRING}{_GAP},{_GAP})*(?:{_STRING}{_GAP})?\])"
)
# An annotation runs at import: without parentheses it calls nothing
_ANNOTATION_AND_EQUALS = r"(?:[ \t]*:[ \t]*[^=\s#'\"()][^=\n#'\"()]*)?[ \t]*=[ \t]*"
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
        self.line_break = re.compile(r"\r\n?|\n")
        # What may bind an identifier when it is not plainly assigned: its
        # name, a way into the module's namespace, a star import.
        self.may_bind = re.compile(
            r"revision|branch_labels|depends_on|global|locals|getattr|__dict__|attrgetter|methodcaller"
            r"|\b(?:vars|exec|eval)\b|\bimport\s*(?:\\\s*)*\*"
        )
        self.comment = re.compile(r"#[^\n]*")
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
    _check_file_name(name, shown)
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
    # Non-blocking: opening a named pipe must not wait for a writer. Only a
    # regular file is read: a pipe or a device would never end (Alembic's
    # import of one hangs), a socket cannot be opened.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:  # a socket cannot be opened: say what it is
        _refuse_special(path)
        raise
    try:
        _refuse_special(path, os.fstat(descriptor).st_mode)
        chunks = [os.read(descriptor, 1 << 16)]
        while chunks[-1]:
            chunks.append(os.read(descriptor, 1 << 16))
    finally:
        os.close(descriptor)
    return b"".join(chunks)


_SPECIAL = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def _refuse_special(path: str, mode: int | None = None) -> None:
    """Raise :class:`OSError` saying what ``path`` is when it is not a regular file."""
    if mode is None:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return
    kind = _SPECIAL.get(stat.S_IFMT(mode))
    if kind is not None:
        raise OSError(f"not a regular file: {kind}")


def parse_revision_source(data: bytes, path: str, name: str) -> RevisionFile:
    text = _source_text(data, path)
    parsed = _parse_fast(text)
    if parsed is None:
        try:
            parsed = _parse_ast(data, path, text)
        except ReadError as error:  # branch_labels may name a constant of the project
            from .constants import labels_read_elsewhere

            return labels_read_elsewhere(error, text, path, name)
    else:
        _check_syntax(data, path)  # Alembic could not import a file that does not compile
    return _to_revision_file(parsed, path, name)


def parse_revision_module(
    data: bytes, path: str, name: str
) -> tuple[RevisionFile, ast.Module, str]:
    """:func:`parse_revision_source`, also giving the syntax tree and the text."""
    text = _source_text(data, path)
    module = _syntax_tree(data, path)
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
    error, as it is when Alembic imports the file).

    Lines end as Python's tokenizer ends them (``\\n``, ``\\r\\n`` or a lone
    ``\\r``). When the text does not decode, Python's own compiler decides:
    what it refuses is a finding; what it lets through (a stray byte in a
    comment) is read as U+FFFD, where it changes nothing.
    """
    head = data[: _line_end(data, _line_end(data, 0))]
    encoding = _declared_encoding(head, path) if b"coding" in head else "utf-8"
    try:
        text = data.decode(encoding)
    except Exception as error:  # a codec may fail in any way (``undefined``, ``punycode``)
        text = _decoded_as_python_does(data, encoding, path, error)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def _line_end(data: bytes, start: int) -> int:
    """Where the line that starts at ``start`` ends, its line break included."""
    newline = data.find(b"\n", start)
    end = len(data) if newline < 0 else newline
    carriage = data.find(b"\r", start, end)
    if carriage < 0:
        return end if newline < 0 else end + 1
    return carriage + (2 if data[carriage + 1 : carriage + 2] == b"\n" else 1)


def _declared_encoding(head: bytes, path: str) -> str:
    """The encoding the first two lines (``head``) declare, as Python finds it."""
    import io
    import tokenize

    # The cookie is ASCII, and Python's tokenizer looks for it in the bytes:
    # a stray byte in a comment on these lines is no reason to refuse them.
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    head = head[:bom] + head[bom:].translate(_NON_ASCII_AS_QUESTION_MARKS)
    first_end = _line_end(head, 0)
    lines = [head[:first_end], head[first_end:]]
    # tokenize reads lines up to "\n": give it the lines Python sees
    readline = io.BytesIO(b"".join(_with_newline(line) for line in lines)).readline
    try:
        return tokenize.detect_encoding(readline)[0]
    except SyntaxError as error:
        raise ReadError(path, 1, "syntax-error", f"syntax error: {error.msg}") from None


_NON_ASCII_AS_QUESTION_MARKS = bytes(range(128)) + b"?" * 128


def _with_newline(line: bytes) -> bytes:
    stripped = line.rstrip(b"\r\n")
    return stripped + b"\n" if stripped != line else line


def _decoded_as_python_does(data: bytes, encoding: str, path: str, error: Exception) -> str:
    refused = _compile_error(data)
    if refused is None:
        try:
            return data.decode(encoding, "replace")
        except Exception:  # pragma: no cover (a codec Python used, failing only here)
            refused = 1
    raise ReadError(path, refused, "encoding", f"cannot decode file: {error}") from None


def _compile_error(data: bytes) -> int | None:
    """The line where Python refuses to compile ``data`` (bytes, decoded as
    an import decodes them), or ``None`` when it compiles."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<revision>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return error.lineno or 1
    except (ValueError, MemoryError, RecursionError):
        return 1
    return None


# -- the fast reader ----------------------------------------------------------


def _parse_fast(text: str) -> _Parsed | None:
    """The identifiers of a file shaped like Alembic's templates, or ``None``.

    The shape: a docstring, then blank lines, comments and one-line imports
    (nothing that could open a bracket or a string), then the assignments.
    Why nothing else can bind an identifier: every binding form names what it
    binds, and none of the four names appears after the assignments or in the
    imports; every way into the module's namespace (see :func:`_read_module`)
    is a word of ``may_bind`` (a test holds them so), and none appears either.
    """
    if "\r" in text or "\f" in text:
        return None  # a line break, or indentation, the patterns below do not see
    patterns = _patterns()
    doc, position = _fast_docstring(text, patterns)
    if position < 0:
        return None
    preamble = position
    position = patterns.plain_lines.match(text, position).end()  # type: ignore[union-attr]
    assignments = position
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
    if not values or _may_bind_an_identifier(text[position:], patterns):
        return None
    imports = patterns.comment.sub("", text[preamble:assignments])
    if _may_bind_an_identifier(imports, patterns):
        return None  # e.g. "from x import depends_on", or a module __getattr__
    return _Parsed(values, lines, doc)


def _may_bind_an_identifier(source: str, patterns: _Patterns) -> bool:
    """Whether ``source`` holds anything that may bind an identifier: its
    name, or a way to the module's namespace (see :func:`_read_module`). The
    identifiers' plain assignments are read; nothing else may change them."""
    if not source.isascii():
        import unicodedata

        # Python reads identifiers NFKC-normalised: "revision" spelled with a
        # fullwidth r is "revision" (strings change too: only more careful).
        source = unicodedata.normalize("NFKC", source)
    return patterns.may_bind.search(source) is not None


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


def _check_syntax(source: str | bytes, path: str) -> None:
    """:class:`ReadError` where Python refuses to compile the file: Alembic
    imports it. Compiled, not only parsed: ``return`` or ``break`` at module
    level parse, and stop an import all the same. Compiled from the bytes, as
    an import compiles them (a second byte order mark, a stray byte outside a
    comment)."""
    _without_warnings(path, lambda: compile(source, path, "exec", dont_inherit=True))


def _syntax_tree(source: str | bytes, path: str) -> ast.Module:
    """The syntax tree, once compiled (as :func:`_check_syntax`, without
    parsing the text twice)."""
    import ast

    def parse_and_compile() -> ast.Module:
        tree = ast.parse(source, filename=path)
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


def _parse_ast(source: str | bytes, path: str, text: str | None = None) -> _Parsed:
    """The full reader; ``text`` is ``source`` decoded (when it is bytes)."""
    if text is None:
        text = source if isinstance(source, str) else _decode(source, path)
    return _read_module(_syntax_tree(source, path), text, path)


# Words through which code can reach the module's namespace without naming an
# identifier: ``globals()['revision'] = ...``, ``exec(...)``, a frame's
# ``f_globals``, a function's ``__globals__``, ``getattr(frame, ...)``.
_NAMESPACE_WORDS = frozenset(
    (
        *("globals", "locals", "vars", "exec", "eval", "getattr", "attrgetter", "methodcaller"),
        *("f_globals", "f_locals", "__globals__", "__dict__"),
    )
)
# A module-level ``__getattr__`` answers Alembic's ``getattr(module, name)``
# for every identifier the module does not bind itself.
_MODULE_GETATTR = "__getattr__"
_BLOCK = "assigned inside a block or changed in place"
_STAR = "possibly bound by 'from ... import *'"
_EVERY = "revision, down_revision, branch_labels or depends_on"  # what a star or globals() reach


class _Binding:
    """What one module-level statement leaves in an identifier: a literal
    ``value``, or a ``problem`` (a value only running the file would tell)."""

    __slots__ = ("line", "value", "problem")

    def __init__(self, line: int, value: object = None, problem: ReadError | None = None) -> None:
        self.line = line
        self.value = value
        self.problem = problem


def _read_module(module: ast.Module, text: str, path: str) -> _Parsed:
    """The identifiers of a parsed module, as importing it would leave them.

    Every way Python binds a name is looked at (the language reference's
    "Naming and binding"): a plain module-level assignment of a literal is
    read; any other binding of an identifier at module level (unpacking,
    ``:=``, a ``for``/``with``/``except``/``match`` target, an import, ``def``,
    ``class``, ``del``, ``global`` in a function, a block, ``+=``) and any
    code run at import that can reach the module's namespace (``globals()``,
    ``exec``...) is a :class:`ReadError`, unless a later plain assignment
    replaces what it did, as it would when Python runs the file.
    """
    import ast

    final: dict[str, _Binding] = {}
    getattr_line = 0  # where the module binds __getattr__, if it does
    definitions: dict[str, list[ast.AST]] = {}
    loaded: set[str] = set()
    for statement in module.body:
        changed: dict[str, _Binding] = {}
        plain = _plain_targets(statement)
        for name, node, how in _bindings(statement, plain, definitions):
            if name == _MODULE_GETATTR:
                getattr_line = getattr_line or getattr(node, "lineno", statement.lineno)
            elif name in IDENTIFIERS and name not in changed:
                line = getattr(node, "lineno", statement.lineno)
                shown = _EVERY if how == _STAR else name
                changed[name] = _Binding(line, problem=_rebound(path, line, shown, how))
        word = _namespace_word(_import_time_nodes(statement), loaded)
        if word is not None:
            for name in IDENTIFIERS:
                changed.setdefault(name, _namespace_binding(path, statement.lineno, word))
        if plain is not None:
            for name in plain[0]:
                changed[name] = _literal(plain[1], statement.lineno, text, path, name)
        final.update(changed)
    for name, line, how in _late_changes(module, definitions, loaded):
        if name in final and final[name].problem is not None:
            continue
        shown = name if how.startswith("declared") else _EVERY
        final[name] = _Binding(line, problem=_rebound(path, line, shown, how))
    if getattr_line:
        for name in IDENTIFIERS:
            if name not in final:
                how = "possibly supplied by the module's __getattr__"
                problem = _rebound(path, getattr_line, name, how)
                final[name] = _Binding(getattr_line, problem=problem)
    problems = [
        (binding.problem.line, IDENTIFIERS.index(name), binding.problem)
        for name, binding in final.items()
        if binding.problem is not None
    ]
    if problems:
        raise min(problems, key=lambda problem: problem[:2])[2]
    values = {name: binding.value for name, binding in final.items()}
    lines = {name: binding.line for name, binding in final.items()}
    return _Parsed(values, lines, ast.get_docstring(module, clean=False))


def _plain_targets(statement: ast.stmt) -> tuple[list[str], ast.expr] | None:
    """The identifiers a plain module-level ``name = value`` (or
    ``name: annotation = value``) statement assigns, and the value."""
    import ast

    if isinstance(statement, ast.Assign):
        names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        return [name for name in names if name in IDENTIFIERS], statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target = statement.target
        if isinstance(target, ast.Name) and target.id in IDENTIFIERS:
            return [target.id], statement.value
    return None


def _literal(value: ast.expr, line: int, text: str, path: str, name: str) -> _Binding:
    import ast

    try:
        return _Binding(line, ast.literal_eval(value))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _Binding(line, problem=_not_literal(path, line, name, _short_segment(text, value)))


def _bindings(
    statement: ast.stmt,
    plain: tuple[list[str], ast.expr] | None,
    definitions: dict[str, list[ast.AST]],
) -> Iterator[tuple[str, ast.AST, str]]:
    """Each name ``statement`` binds in the module's namespace (but the plain
    targets of a plain assignment), with the node and how, in order.

    Function and class bodies bind their own names (``global`` aside, see
    :func:`_late_changes`); a comprehension's targets are its own, but a
    ``:=`` inside it binds in the module; a lambda's body binds nothing.
    ``definitions`` collects the module-level ``def`` and ``class`` nodes.
    """
    import ast

    top_assignment = isinstance(statement, ast.Assign) and plain is not None
    # (node, how a Name stored or deleted below it is bound)
    todo: list[tuple[ast.AST, str]] = [(statement, _BLOCK)]
    top = True
    while todo:
        node, how = todo.pop()
        children: list[ast.AST | None]
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                yield node.id, node, how
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions.setdefault(node.name, []).append(node)
            yield (
                node.name,
                node,
                "bound by a def"
                if not isinstance(node, ast.ClassDef)
                else "bound by a class statement",
            )
            children = [*node.decorator_list]
            if isinstance(node, ast.ClassDef):
                children += [*node.bases, *node.keywords]
            else:
                children += [*_argument_defaults(node.args), *_annotations(node.args)]
                children.append(node.returns)
        elif isinstance(node, ast.Lambda):
            children = [*_argument_defaults(node.args)]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            children = [*_comprehension_parts(node)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    for name in (*IDENTIFIERS, _MODULE_GETATTR):
                        yield name, node, _STAR
                else:
                    yield (alias.asname or alias.name.split(".")[0]), node, "bound by an import"
            continue
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            children = [node.annotation]  # an annotation alone binds nothing
        else:
            children = list(ast.iter_child_nodes(node))
            captured = _pattern_or_handler_name(node)
            if captured is not None:
                yield captured, node, _how_bound(node, top)
        if top and top_assignment:
            assert isinstance(node, ast.Assign)
            plainly = [t for t in node.targets if isinstance(t, ast.Name) and t.id in IDENTIFIERS]
            children = [node.value, *(t for t in node.targets if t not in plainly)]
        child_how = _how_bound(node, top) if isinstance(node, ast.stmt | ast.NamedExpr) else how
        todo.extend((child, child_how) for child in reversed(children) if child is not None)
        top = False


def _how_bound(node: ast.AST, top: bool) -> str:
    import ast

    if isinstance(node, ast.Assign):
        return "bound by unpacking" if top else _BLOCK
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        ((ast.For, ast.AsyncFor), "bound by a for loop"),
        ((ast.With, ast.AsyncWith), "bound by a with statement"),
        (ast.Delete, "deleted (del)"),
        (ast.NamedExpr, "bound by an assignment expression (:=)"),
        (ast.ExceptHandler, "bound by an except clause"),
        ((ast.MatchAs, ast.MatchStar, ast.MatchMapping), "bound by a match pattern"),
    ]
    if hasattr(ast, "TypeAlias"):  # pragma: no cover (Python 3.12: type X = ...)
        kinds.append((ast.TypeAlias, "bound by a type statement"))
    for kind, how in kinds:
        if isinstance(node, kind):
            return how
    return _BLOCK


def _pattern_or_handler_name(node: ast.AST) -> str | None:
    import ast

    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


def _argument_defaults(args: ast.arguments) -> list[ast.expr | None]:
    return [*args.defaults, *args.kw_defaults]


def _annotations(args: ast.arguments) -> list[ast.expr | None]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return [arg.annotation for arg in every if arg is not None]


def _comprehension_parts(node: ast.expr) -> Iterator[ast.AST]:
    """What a comprehension evaluates in its own scope, but its targets
    (which are its own): a ``:=`` in there binds in the module."""
    import ast

    assert isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp))
    if isinstance(node, ast.DictComp):
        yield node.key
        yield node.value
    else:
        yield node.elt
    for generator in node.generators:
        yield generator.iter
        yield from generator.ifs


def _import_time_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``root`` that run when the module is imported: all but
    function bodies (decorators, defaults and annotations run; class bodies
    run; lambdas are counted as run, to be safe)."""
    import ast

    todo = [root]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo += node.decorator_list
            todo += [n for n in (*_argument_defaults(node.args), *_annotations(node.args)) if n]
            if node.returns is not None:
                todo.append(node.returns)
        else:
            todo.extend(ast.iter_child_nodes(node))


def _namespace_word(nodes: Iterable[ast.AST], loaded: set[str]) -> str | None:
    """The first word of :data:`_NAMESPACE_WORDS` that ``nodes`` use (as a
    name, an attribute, an import or a string); names they load go to ``loaded``."""
    import ast

    found: list[tuple[int, int, str]] = []
    for node in nodes:
        words: tuple[object, ...] = ()
        if isinstance(node, ast.Name):
            loaded.add(node.id)
            words = (node.id,)
        elif isinstance(node, ast.Attribute):
            words = (node.attr,)
        elif isinstance(node, ast.alias):
            words = (node.name, node.asname)
        elif isinstance(node, ast.Constant):
            words = (node.value,)
        for word in words:
            if isinstance(word, str) and word in _NAMESPACE_WORDS:
                found.append((getattr(node, "lineno", 0), getattr(node, "col_offset", 0), word))
    return min(found)[2] if found else None


def _namespace_binding(path: str, line: int, word: str) -> _Binding:
    how = f"possibly changed through '{word}' when the module is imported"
    return _Binding(line, problem=_rebound(path, line, _EVERY, how))


def _late_changes(
    module: ast.Module, definitions: dict[str, list[ast.AST]], loaded: set[str]
) -> Iterator[tuple[str, int, str]]:
    """Identifiers that functions may change whenever they are called:
    declared ``global`` in any function or class, or reached through the
    namespace (``globals()``...) by a function or class that code run at
    import names (and so may call)."""
    import ast

    for node in ast.walk(module):
        if isinstance(node, ast.Global):
            for name in node.names:
                if name in IDENTIFIERS:
                    yield name, node.lineno, "declared global in a function or class"
    seen: set[int] = set()
    todo = list(loaded)
    while todo:
        for definition in definitions.get(todo.pop(), []):
            if id(definition) in seen:
                continue
            seen.add(id(definition))
            called: set[str] = set()
            word = _namespace_word(ast.walk(definition), called)
            todo += called
            if word is not None:
                line = getattr(definition, "lineno", 1)
                how = f"possibly changed through '{word}' in a function run at import"
                for name in IDENTIFIERS:
                    yield name, line, how


def _rebound(path: str, line: int, name: str, how: str) -> ReadError:
    return ReadError(
        path,
        line,
        "not-literal",
        f"{name} is {how}; alembic-heads reads revision files without running "
        "them and needs one plain module-level assignment",
    )


def _not_literal(path: str, line: int, name: str, source: str | None) -> ReadError:
    shown = f" ({source})" if source and len(source) <= 60 else ""
    return ReadError(
        path,
        line,
        "not-literal",
        f"{name} is not a literal{shown}; alembic-heads reads revision files without running them",
        "write the value as a string, a tuple of strings or None",
    )


def _short_segment(text: str, node: ast.expr) -> str | None:
    """The source of ``node`` when it is short and on one line.

    Not ``ast.get_source_segment``: before Python 3.12 it splits the whole
    text one character at a time, in time quadratic in a line's length."""
    end = node.end_col_offset
    if node.end_lineno != node.lineno or end is None or end - node.col_offset > 240:
        return None
    start = 0
    if node.lineno > 1:
        breaks = _patterns().line_break.finditer(text)
        for _ in range(node.lineno - 1):
            start = next(breaks).end()
    line = text[start : start + end]
    return line.encode()[node.col_offset : end].decode(errors="replace")


# -- compiled files (``sourceless = true``) -----------------------------------


def parse_compiled(data: bytes, path: str, name: str) -> RevisionFile:
    """Read a ``.pyc`` without running it: the constants its module-level code
    stores in the identifiers, found in its bytecode."""
    import importlib.util
    import marshal
    import types

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
    if not isinstance(code, types.CodeType):  # importlib refuses it: "Non-code object"
        raise ReadError(
            path,
            1,
            "bad-compiled",
            f"cannot read compiled file: it holds {type(code).__name__}, not code",
        )
    try:
        parsed = _read_bytecode(code, path)
    except (IndexError, KeyError, ValueError, TypeError) as error:  # bytecode no Python wrote
        raise ReadError(path, 1, "bad-compiled", f"cannot read compiled file: {error}") from None
    return _to_revision_file(parsed, path, name)


def _read_bytecode(code: types.CodeType, path: str) -> _Parsed:
    """The constants the module's code stores in the identifiers; anything
    else that may bind one (as :func:`_read_module` judges source) is a
    :class:`ReadError`."""
    import dis

    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    recent: list[dis.Instruction] = []
    line: int | None = None
    for instruction in dis.get_instructions(code):
        line = _line_of(instruction, line)
        name = instruction.argval
        if instruction.opname == "STORE_NAME" and name in (*IDENTIFIERS, "__doc__"):
            value = _constant_stored(recent)
            if value is _UNKNOWN or name in values:
                raise _not_literal(path, line or 1, name, None)
            values[name] = value
            lines[name] = line or 1
        elif instruction.opname == "DELETE_NAME" and name in IDENTIFIERS:
            raise _rebound(path, line or 1, name, "deleted (del)")
        elif _imports_star(instruction):
            raise _rebound(path, line or 1, _EVERY, _STAR)
        elif instruction.opname == "STORE_NAME" and name == _MODULE_GETATTR:
            missing = [identifier for identifier in IDENTIFIERS if identifier not in values]
            if missing:  # (assigned later is no excuse here: simpler, and never seen)
                how = "possibly supplied by the module's __getattr__"
                raise _rebound(path, line or 1, missing[0], how)
        if instruction.opname not in ("CACHE", "NOP", "EXTENDED_ARG"):
            recent.append(instruction)
    _check_compiled_namespace(code, path)
    doc = values.pop("__doc__", None)
    lines.pop("__doc__", None)
    return _Parsed(values, lines, doc if isinstance(doc, str) else None)


def _check_compiled_namespace(module: types.CodeType, path: str) -> None:
    """:func:`_late_changes` for bytecode: ``global`` of an identifier in any
    function, and a way into the namespace in code run at import (the
    module's, class bodies, comprehensions and lambdas, and functions whose
    name that code loads)."""
    import dis
    import types

    optimized = 1  # CO_OPTIMIZED: a function's code, not a class body's
    todo, seen = [module], set()
    loaded: set[str] = set()
    functions: list[types.CodeType] = []
    while todo or functions:
        if not todo:
            waiting = [f for f in functions if f.co_name in loaded]
            if not waiting:
                break
            functions = [f for f in functions if f.co_name not in loaded]
            todo = waiting
        code = todo.pop()
        if id(code) in seen:
            continue
        seen.add(id(code))
        strings = [c for c in code.co_consts if isinstance(c, str)]
        words = sorted(_NAMESPACE_WORDS.intersection([*code.co_names, *strings]))
        if words:
            how = f"possibly changed through '{words[0]}' when the module is imported"
            raise _rebound(path, code.co_firstlineno, _EVERY, how)
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_NAME", "LOAD_GLOBAL"):
                loaded.add(instruction.argval)
        for nested in code.co_consts:
            if isinstance(nested, types.CodeType):
                _check_globals(nested, path)
                runs = not nested.co_flags & optimized or nested.co_name.startswith("<")
                (todo if runs else functions).append(nested)


def _check_globals(code: types.CodeType, path: str) -> None:
    import dis

    for instruction in dis.get_instructions(code):
        is_global = instruction.opname in ("STORE_GLOBAL", "DELETE_GLOBAL")
        if is_global and instruction.argval in IDENTIFIERS:
            line = _line_of(instruction, None) or code.co_firstlineno
            how = "declared global in a function or class"
            raise _rebound(path, line, instruction.argval, how)


_UNKNOWN = object()


def _line_of(instruction: dis.Instruction, previous: int | None) -> int | None:
    """The source line of ``instruction``: its ``positions`` (Python 3.11+),
    or before that the line the last instruction starting a line started."""
    positions = getattr(instruction, "positions", None)
    if positions is None:  # pragma: no cover (Python 3.10; tests/sourceless_test.py runs there)
        starts = instruction.starts_line
        return starts if isinstance(starts, int) and not isinstance(starts, bool) else previous
    return positions.lineno  # type: ignore[no-any-return]


def _imports_star(instruction: dis.Instruction) -> bool:
    """``from x import *``: its own opcode up to Python 3.11, an intrinsic
    call from 3.12 on."""
    return instruction.opname == "IMPORT_STAR" or (
        instruction.opname == "CALL_INTRINSIC_1" and instruction.argrepr == "INTRINSIC_IMPORT_STAR"
    )


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


def _check_file_name(name: str, path: str) -> None:
    if name.endswith("\n"):
        raise ReadError(
            path,
            1,
            "bad-file-name",
            f"file name {name!r} ends in a line break: Alembic counts it as a revision "
            "file (its pattern's '$' matches before a final newline) but cannot load it",
            "rename the file without the line break",
        )


def _to_revision_file(parsed: _Parsed, path: str, name: str) -> RevisionFile:
    _check_file_name(name, path)
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
    """The identifiers Alembic takes from ``value``, keeping only strings.

    Alembic applies ``util.to_tuple`` and then, to ``down_revision`` and
    ``depends_on``, ``tuple_rev_as_scalar``: a one-item tuple is its item, so
    ``(None,)`` (or ``[None]``) is ``None``.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list, set, frozenset)):
        items = tuple(value)
        if key != "branch_labels" and items == (None,):
            return ()
        if all(isinstance(item, str) for item in items):
            return items
        if key == "branch_labels" and None in items:
            raise ReadError(
                path,
                line,
                "bad-value",
                f"branch_labels holds None ({value!r}): Alembic loads it, but `alembic heads` "
                "and `alembic history` fail on it (TypeError)",
                "write branch_labels = None, or name the branch",
            )
    raise ReadError(
        path,
        line,
        "bad-value",
        f"{key} must be a string, a tuple of strings or None, not {value!r}",
    )
