"""What a revision file is to us, and how one is read without executing it.

Alembic imports every revision file to learn ``revision``, ``down_revision``,
``branch_labels`` and ``depends_on``. We read the same four module-level
assignments from the source text instead, so a file that imports an
application which is not installed (or that has side effects) is still read.

This module holds the types (:class:`RevisionFile`, :class:`ReadError`, the
readers' :class:`Parsed` values), the rules of names and values Alembic
applies, and the reading of a file's bytes and text. The entry points
that choose a reader are in :mod:`.revision_reader`. Three readers give the
same answer:

- :mod:`.fast_reader`: regular expressions, for the shapes Alembic's
  templates write; it gives up (``None``) on anything it is not sure of;
- :mod:`.ast_reader`: the syntax tree, for everything else, with the
  rebinding rules;
- :mod:`.compiled_reader`: the bytecode of a ``.pyc`` (``sourceless``).

The readers import this module and nothing imports them but
:mod:`.revision_reader`: no import cycle.
"""

from __future__ import annotations

import os
import stat

from .findings import Finding
from .record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import TypeVar

    T = TypeVar("T")

IDENTIFIERS = ("revision", "down_revision", "branch_labels", "depends_on")

# Alembic's legacy rule (alembic/script/base.py): a file without ``revision``
# named like ``1975ea83b712.py`` takes its id from the name.
_LEGACY_REVISION_FILE = r"(?P<revision>[a-f0-9]+)\.py$"

_CONFLICT_MARKER = r"^(?P<marker><{7}|>{7})(?: |$)"


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
        "ref",
    )
    _keyword_only = ("ref",)

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
        ref: str | None = None,
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
        # the ref whose file this is when this side does not have it (``--against``)
        self.ref = ref

    def _compared(self) -> tuple[object, ...]:
        return (
            self.path,
            self.revision,
            self.down_revision,
            self.branch_labels,
            self.depends_on,
            self.doc,
            self.has_down_revision,
            self.ref,
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

    def __init__(
        self,
        path: str,
        line: int,
        code: str,
        message: str,
        hint: str = "",
        ref: str | None = None,
    ):
        super().__init__(message)
        self.path = path
        self.line = line
        self.code = code
        self.message = message
        self.hint = hint
        self.ref = ref  # as :attr:`RevisionFile.ref`

    def finding(self) -> Finding:
        return Finding(self.path, self.line, self.code, self.message, self.hint, self.ref)


class Parsed(Record):
    """What a reader found: each identifier's value and line, and the docstring."""

    __slots__ = ("values", "lines", "doc")
    __hash__ = None  # type: ignore[assignment]  # it holds dicts

    def __init__(self, values: dict[str, object], lines: dict[str, int], doc: str | None) -> None:
        self.values = values
        self.lines = lines
        self.doc = doc


# -- reading the bytes --------------------------------------------------------


def is_compiled(name: str) -> bool:
    return name.endswith((".pyc", ".pyo"))


def read_revision_bytes(path: Path | str) -> tuple[bytes, str]:
    """The file's bytes, and the name Alembic judges it by (a link's target's)."""
    path = os.fspath(path)
    try:
        data = read_bytes(path)
    except OSError as error:
        raise ReadError(path, 1, "unreadable", f"cannot read: {error.strerror or error}") from None
    name = os.path.basename(os.path.realpath(path) if os.path.islink(path) else path)
    return data, name


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


# -- the text Python reads ----------------------------------------------------


def source_text(data: bytes, path: str) -> str:
    """The decoded source; a file git left conflict markers in is an error."""
    text = decode(data, path)
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return text
    import re

    marker = re.search(_CONFLICT_MARKER, text, re.MULTILINE)
    if marker:
        raise ReadError(
            path,
            text.count("\n", 0, marker.start()) + 1,
            "conflict-marker",
            f"unresolved merge conflict marker '{marker.group('marker')}'",
            "resolve the conflict in this file, then stage it",
        )
    return text


def decode(data: bytes, path: str) -> str:
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


def check_syntax(source: str | bytes, path: str) -> None:
    """:class:`ReadError` where Python refuses to compile the file: Alembic
    imports it. Compiled, not only parsed: ``return`` or ``break`` at module
    level parse, and stop an import all the same. Compiled from the bytes, as
    an import compiles them (a second byte order mark, a stray byte outside a
    comment)."""
    without_warnings(path, lambda: compile(source, path, "exec", dont_inherit=True))


def without_warnings(path: str, step: Callable[[], T]) -> T:
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


# -- from parsed values to a revision ----------------------------------------


def check_file_name(name: str, path: str) -> None:
    if name.endswith("\n"):
        raise ReadError(
            path,
            1,
            "bad-file-name",
            f"file name {name!r} ends in a line break: Alembic counts it as a revision "
            "file (its pattern's '$' matches before a final newline) but cannot load it",
            "rename the file without the line break",
        )


def to_revision_file(parsed: Parsed, path: str, name: str) -> RevisionFile:
    check_file_name(name, path)
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
        import re

        legacy = re.match(_LEGACY_REVISION_FILE, name)
        if legacy is None:
            raise ReadError(
                path,
                1,
                "no-revision",
                "no 'revision' identifier: Alembic cannot load this file from a versions folder",
                "declare revision = '<id>', or move a file that is not a revision "
                "out of the versions folder",
            )
        revision = legacy.group("revision")
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
