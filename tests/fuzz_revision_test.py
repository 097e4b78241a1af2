"""Mutated revision files against the promises, with Alembic as the oracle.

Revision c is written in a template style Alembic has shipped, then mutated:
statements that bind ``down_revision`` again (or only look as if they did),
coding cookies, stray bytes in comments, byte order marks, line endings and
odd whitespace. Whatever comes out, ``alembic-heads check`` exits 0, 1 or 2,
never with a traceback, with exactly one line on standard error for 2, and
never 0 where Alembic, running the same files, fails or sees another head.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import STYLES, Rev, alembic_answer, our_answer, render_revision, run_cli, write_project

# Code after the identifiers: most bind down_revision again, some only look so.
SNIPPETS = [
    "def upgrade():\n    pass\n",
    "def upgrade():\n    down_revision = 'a'\n",
    "down_revision = 'a'\n",
    "down_revision = 'b'\n",
    "down_revision, x = 'a', 1\n",
    "[down_revision] = ['a']\n",
    "(down_revision := 'a')\n",
    "[(down_revision := x) for x in ['a']]\n",
    "[down_revision for down_revision in ['a']]\n",
    "for down_revision in ['a']:\n    pass\n",
    "import contextlib\nwith contextlib.nullcontext('a') as down_revision:\n    pass\n",
    "try:\n    raise ValueError\nexcept ValueError as down_revision:\n    pass\n",
    "match 'a':\n    case down_revision:\n        pass\n",
    "import string as down_revision\n",
    "from os.path import sep as down_revision\n",
    "def down_revision():\n    pass\n",
    "class down_revision:\n    pass\n",
    "class C:\n    down_revision = 'a'\n",
    "del down_revision\n",
    "globals()['down_revision'] = 'a'\n",
    "globals().update(x=1)\n",
    "exec(\"down_revision = 'a'\")\n",
    "down_revision += ''\n",
    "if True:\n    down_revision = 'a'\n",
    "def f():\n    global down_revision\n    down_revision = 'a'\n\n\nf()\n",
    "x = 'down_revision = \"a\"'\n",
    "# down_revision = 'a'\n",
    "'''\ndown_revision = 'a'\n'''\n",
    "down_revision = (None,)\n",
    "depends_on = (None,)\n",
    "depends_on = 'b'\n",
    "branch_labels = ('x',)\n",
    "revision = 'b'\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    down_revision: str\n",
    "\uff44own_revision = 'a'\n",  # a fullwidth d: Python reads "down_revision"
    "def __getattr__(name):\n    raise AttributeError(name)\n",
    "f = lambda: (down_revision := 'a')\n",
]
PREFIXES = [
    b"",
    b"# -*- coding: utf-8 -*-\n",
    b"# -*- coding: latin-1 -*-\n",
    b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\n",
    b"# coding: undefined\n",
    b"# coding: rot13\n",
    b"# one\n# two\n# coding: undefined\n",  # on line 3: not a cookie
    b"# caf\xe9\n# -*- coding: latin-1 -*-\n",
    b"# -*- coding: utf-8 -*- caf\xe9\n",
]
COMMENTS = [b"", b"# caf\xe9\n", b"# caf\xc3\xa9\n", b"# \xff\xfe\n", b"# revision = 'zz'\n"]


@st.composite
def revision_files(draw: st.DrawFn) -> bytes:
    down = draw(st.sampled_from(["b", "a", ("a", "b"), None]))
    style = draw(st.sampled_from(STYLES))
    quote = draw(st.sampled_from(["'", '"']))
    body = "".join(draw(st.lists(st.sampled_from(SNIPPETS), max_size=3)))
    text = render_revision(Rev("c", down, "third"), style, quote, body or "\n")
    if draw(st.booleans()):  # something before the identifiers too
        marker = "# revision identifiers"
        text = text.replace(marker, draw(st.sampled_from(SNIPPETS)) + marker, 1)
    whitespace = draw(st.sampled_from(["", "form feed", "trailing", "tabs"]))
    if whitespace == "form feed":
        text = text.replace("\n\n", "\n\x0c\n", 1)
    elif whitespace == "trailing":
        text = text.replace("\n", "  \n")
    elif whitespace == "tabs":
        text = text.replace("    ", "\t")
    comment = draw(st.sampled_from(COMMENTS))
    data = draw(st.sampled_from(PREFIXES)) + text.encode()
    at = data.find(b"\n# revision identifiers")
    if at >= 0:
        data = data[: at + 1] + comment + data[at + 1 :]
    ending = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    data = data.replace(b"\n", ending)
    return b"\xef\xbb\xbf" * draw(st.sampled_from([0, 0, 1, 2])) + data


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(revision_files())
def test_mutated_revision_files_keep_the_promises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), [Rev("a", None, "first"), Rev("b", "a", "second")])
        (root / "versions" / "c_third.py").write_bytes(data)

        result = run_cli(["check"], root)

        assert result.code in (0, 1, 2), result
        if result.code == 2:
            assert result.err.count("\n") == 1 and result.err.endswith("\n"), result
        if result.code == 0:
            answer = alembic_answer(root)  # raises where Alembic cannot load the files
            assert answer["heads"] == our_answer(root)["heads"] == ["c"]
