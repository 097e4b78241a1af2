"""What the checks find: one problem, at one place, with a hint that fixes it."""

from __future__ import annotations

import os
import sys

from .paths import displayer, named
from .record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


class Finding(Record):
    """A problem at ``path:line``. ``path`` is as read (absolute for a file
    of the project): a report shows it through :func:`.paths.display`.

    ``code`` is the kind of problem, a stable identifier: ``check --format
    json`` writes it as each finding's ``id``, and the schema
    (``schema/check-v1.json``) promises it, so a code is never renamed.
    ``hint`` is an indented remediation line printed under the finding.

    The codes, by who finds them:

    reading a revision file (:mod:`.revision_file`, :mod:`.commit_files`):
    ``unreadable``              the file cannot be read at all (permissions, gone)
    ``encoding``                its bytes are not in its declared encoding
    ``syntax-error``            Python cannot parse it
    ``conflict-marker``         an unresolved ``<<<<<<<`` / ``>>>>>>>`` line
    ``no-revision``             no ``revision`` identifier: Alembic cannot load it
    ``bad-revision``            ``revision`` is not a usable id (empty, not a string)
    ``bad-value``               ``down_revision``, ``branch_labels`` or ``depends_on``
                                holds something not a string, a tuple of strings or
                                None
    ``not-literal``             a value that is not a literal, or that code run at
                                import may rebind: it is not guessed
    ``bad-file-name``           a name Alembic lists but cannot load
    ``bad-compiled``            a compiled (sourceless) file that cannot be read
    ``compiled-elsewhere``      compiled by another Python version
    the graph (:mod:`.graph`, :mod:`.heads`, :mod:`.shapes`):
    ``no-down-revision``        the file has no ``down_revision`` assignment at all:
                                Alembic cannot load it
    ``missing-down-revision``   ``down_revision`` names a revision no file defines
    ``missing-dependency``      ``depends_on`` names neither a revision nor a label
    ``duplicate-revision``      two files define the same revision id
    ``duplicate-branch-label``  two revisions carry the same branch label
    ``cycle``                   ``down_revision`` leads back to itself
    ``multiple-heads``          more heads than allowed (JSON only: the text is a
                                report of its own, :class:`~.heads.TooManyHeads`)
    ``multiple-bases``          more than one base (``--single-base``, ``--linear``)
    ``merge-revision``          a merge revision (``--linear``)
    ``merge-conflict``          ``--against``: git's merge with REF stops here
    other hooks (:mod:`.head_file`, :mod:`.message`, :mod:`.downgrade`):
    ``head-file-missing``       no ``head.txt`` beside ``env.py``
    ``head-file-stale``         ``head.txt`` names other heads than the graph's
    ``head-file-conflict``      ``head.txt`` holds git's conflict markers
    ``meaningless-message``     a revision's message says nothing
    ``no-downgrade``            ``upgrade()`` does work, ``downgrade()`` is missing
    ``empty-downgrade``         ``upgrade()`` does work, ``downgrade()`` does none

    The round trip's codes (``irreversible`` and what a run on a database
    finds) are :mod:`.roundtrip`'s.
    """

    __slots__ = ("path", "line", "code", "message", "hint", "ref")
    _keyword_only = ("ref",)

    def __init__(
        self,
        path: str,
        line: int,
        code: str,
        message: str,
        hint: str = "",
        ref: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.code = code
        self.message = message
        self.hint = hint
        # the ref whose file this is when this side does not have it (``--against``)
        self.ref = ref

    def format(self) -> str:
        text = f"{named(self.path, self.ref)}:{self.line}: {self.message}"
        if self.hint:
            text += "".join(f"\n    {line}" for line in self.hint.splitlines())
        return text


def in_order(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` in the one order every report shows them: by file (as
    shown from the working directory), line, message."""
    shown = displayer(os.getcwd())
    return sorted(findings, key=lambda item: (shown(item.path, item.ref), item.line, item.message))


class UsageError(Exception):
    """Bad input, configuration or usage: printed as one line, exit code 2.

    The message is one line whatever it quotes: a value holding a newline
    (an ini continuation line, ``-n``, a ref) is shown escaped, as ``repr``
    shows it.
    """

    def __str__(self) -> str:
        return one_line(super().__str__())


# Control characters as Python writes them in a string literal ("\n", "\x00").
_ESCAPED = {code: repr(chr(code))[1:-1] for code in (*range(32), 127)}


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped."""
    return text.translate(_ESCAPED)


def error_line(message: object, prog: str = "alembic-heads") -> None:
    """Why a command cannot go on, as the one line on standard error that
    comes with exit code 2."""
    print(f"{prog}: {one_line(str(message))}", file=sys.stderr)
