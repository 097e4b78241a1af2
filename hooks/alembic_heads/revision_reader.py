"""The entry points that read a revision file: they choose the reader.

:func:`read_revision_file` reads the bytes; :func:`parse_revision_bytes`
sends a ``.pyc`` to :mod:`.compiled_reader` and source to
:func:`parse_revision_source`, which takes the answer of :mod:`.fast_reader`
when it is sure, and else that of :mod:`.ast_reader`. The readers import only
:mod:`.revision_file` (the types), never this module: no import cycle. A run
that finds every file in its cache imports none of them, and ``ast`` only
for a file the fast reader refuses.
"""

from __future__ import annotations

import os

from .revision_file import (
    ReadError,
    RevisionFile,
    check_file_name,
    check_syntax,
    is_compiled,
    read_revision_bytes,
    source_text,
    to_revision_file,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def read_revision_file(path: Path | str) -> RevisionFile:
    """Read one revision file. Raises :class:`ReadError` with file and line."""
    data, name = read_revision_bytes(path)
    return parse_revision_bytes(data, os.fspath(path), name)


def parse_revision_bytes(data: bytes, shown: str, name: str) -> RevisionFile:
    """What a revision file holding ``data`` says; ``name`` is the file name
    Alembic judges it by (compiled or source)."""
    check_file_name(name, shown)
    if is_compiled(name):
        from .compiled_reader import parse_compiled

        return parse_compiled(data, shown, name)
    return parse_revision_source(data, shown, name)


def parse_revision_source(data: bytes, path: str, name: str) -> RevisionFile:
    """What a source revision file holding ``data`` says: the fast reader's
    answer when it is sure (:mod:`.fast_reader` says when), else the ``ast``
    reader's."""
    from .fast_reader import parse_fast

    text = source_text(data, path)
    parsed = parse_fast(text)
    if parsed is None:
        from .ast_reader import parse_ast

        try:
            parsed = parse_ast(data, path, text)
        except ReadError as error:  # branch_labels may name a constant of the project
            from .constants import labels_read_elsewhere

            return labels_read_elsewhere(error, text, path, name, parse_revision_source)
    else:
        check_syntax(data, path)  # Alembic could not import a file that does not compile
    return to_revision_file(parsed, path, name)
