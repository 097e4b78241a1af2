"""The fast reader answers only when it is sure, and then exactly as ``ast`` does."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alembic_heads.ast_reader import parse_ast as _parse_ast
from alembic_heads.fast_reader import parse_fast as _parse_fast
from alembic_heads.revision_file import ReadError
from helpers import ANNOTATIONS, STYLES, Rev, render_revision

NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
IDS = st.sampled_from(["a1", "b2", "c3", "", "x#y", "it's", 'say "hi"', "revision"])
QUOTES = st.sampled_from(["'", '"'])


@st.composite
def strings(draw: st.DrawFn) -> str:
    value, quote = draw(IDS), draw(QUOTES)
    if quote in value:
        quote = "'" if quote == '"' else '"'
        if quote in value:
            value = "plain"
    return f"{quote}{value}{quote}"


@st.composite
def values(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["none", "string", "tuple", "list", "split", "paren"]))
    if kind == "none":
        return "None"
    if kind == "string":
        return draw(strings())
    if kind == "paren":  # parentheses without a comma: a string, not a tuple
        return f"({draw(strings())})"
    items = draw(st.lists(strings(), max_size=3))
    if kind == "list":
        return "[" + ", ".join(items) + "]"
    if kind == "split":
        inside = "".join(f"    {item},  # {draw(IDS)}\n" for item in items)
        return f"(\n{inside})"
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


@st.composite
def assignments(draw: st.DrawFn, name: str | None = None) -> str:
    name = name or draw(st.sampled_from(NAMES))
    annotation = draw(
        st.sampled_from(
            ["", ": str", ": Union[str, Sequence[str], None]", ": f(globals())", ": str | None"]
        )
    )
    comment = draw(st.sampled_from(["", "", "  # type: ignore", "  # revision = 'zz'"]))
    return f"{name}{annotation} = {draw(values())}{comment}\n"


@st.composite
def blocks(draw: st.DrawFn) -> str:
    """Each identifier at most once, in any order, as templates write them."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, min_size=1))
    return "".join(draw(assignments(name)) for name in names)


DOCSTRINGS = [
    "",
    '"""Add users\n\nRevision ID: a1\nRevises:\n\n"""\n',
    "'''Quotes \"inside\" and revision = 'x'\n'''\n",
    '"one line"\n',
    '"""tricky\nrevision = "zz"\n"""\n',
    'r"""raw"""\n',
    '"""escaped \\n newline"""\n',
    '"""a""" "b"\n',
    "# -*- coding: utf-8 -*-\n",
]
PREAMBLE_LINES = [
    "\n",
    "from alembic import op\n",
    "import sqlalchemy as sa\n",
    "from typing import Sequence, Union\n",
    "# revision identifiers, used by Alembic.\n",
    "import os, sys  # revision\n",
    "from x import (a,\n    b)\n",
    "x = 1\n",
    'op.f(\nrevision="zz")\n',
    "from x import depends_on\n",  # replaced by the assignment only if there is one
    "from x import __getattr__\n",  # supplies what is not assigned
    "import os as branch_labels\n",
    "s = '''\nrevision = 'zz'\n'''\n",
]
TRAILERS = [
    "\n\ndef upgrade():\n    pass\n",
    "\n\ndef upgrade():\n    revision = 'local'\n",
    "\nif True:\n    revision = 'zz'\n",
    "\nrevision += 'zz'\n",
    "\nprint(depends_on)\n",
    "\nnote = 'branch_labels'\n",
    '\n"""\ndown_revision = "zz"\n"""\n',
    "\nfrom x import *\n",
    "\nx = 1\n",
    "\nx = 1; \uff52evision = 'zz'\n",  # a fullwidth r: Python reads it as "revision"
    "\n\x0crevision = 'zz'\n",  # a form feed before it: still module level
    "\nnote = 'caf\u00e9'\n",
    "\nglobals()['x'] = 1\n",  # the namespace: may change any identifier
    "\nexec('x = 1')\n",
    "\nx = vars()\n",
    "\nfrom x import \\\n    *\n",
    "\n(x := 1)\n",
    "\ndef __getattr__(name):\n    raise AttributeError(name)\n",
    "\ndef upgrade():\n    op.execute('select 1')\n",  # not "exec": still fast
]


PLAIN = 6  # how much likelier the plain choices are than each tricky one


@st.composite
def sources(draw: st.DrawFn) -> str:
    """Mostly the shape of a template, with one tricky thing here and there."""
    docstring = draw(st.sampled_from(DOCSTRINGS[:2] * PLAIN + DOCSTRINGS[2:]))
    preamble_lines = PREAMBLE_LINES[:5] * PLAIN + PREAMBLE_LINES[5:]
    preamble = "".join(draw(st.lists(st.sampled_from(preamble_lines), max_size=4)))
    block = draw(blocks())
    between = draw(st.sampled_from(["", "", "\n", "# comment\n", "x = 1\n"]))
    more = draw(st.sampled_from(["", "", "", draw(assignments())]))
    trailer = "".join(
        draw(st.lists(st.sampled_from(TRAILERS[:1] * PLAIN + TRAILERS[1:]), max_size=3))
    )
    source = docstring + preamble + block + between + more + trailer
    return source.replace("\n", "\r") if draw(st.integers(0, 20)) == 0 else source


@settings(max_examples=800, deadline=None)
@given(sources())
def test_fast_reader_answers_as_ast_does_or_not_at_all(source: str) -> None:
    try:
        ast.parse(source)
    except SyntaxError:
        return  # neither reader sees such a file: reading starts with decoding
    fast = _parse_fast(source)
    if fast is None:
        return
    try:
        full = _parse_ast(source, "x.py")
    except ReadError as error:
        pytest.fail(f"fast reader answered {fast} where ast says {error.message}")
    assert (fast.values, fast.lines, fast.doc) == (full.values, full.lines, full.doc)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("quote", ["'", '"'])
@pytest.mark.parametrize(
    "rev",
    [
        Rev("a1", None, "first"),
        Rev("b2", "a1", "second", branch_labels="core", depends_on=("x1",)),
        Rev("c3", ("a1", "b2"), "merge", depends_on=("x1", "y2")),
    ],
)
def test_every_template_style_takes_the_fast_path(rev: Rev, style: str, quote: str) -> None:
    source = render_revision(rev, style, quote)

    fast = _parse_fast(source)

    assert fast is not None
    full = _parse_ast(source, "x.py")
    assert (fast.values, fast.lines, fast.doc) == (full.values, full.lines, full.doc)
    assert set(ANNOTATIONS[style]) <= set(fast.values)


def test_the_fast_reader_gives_up_on_every_word_the_full_reader_looks_for() -> None:
    from alembic_heads.ast_reader import NAMESPACE_WORDS as _NAMESPACE_WORDS
    from alembic_heads.fast_reader import patterns as _patterns
    from alembic_heads.revision_file import IDENTIFIERS

    words = [*_NAMESPACE_WORDS, *IDENTIFIERS, "__getattr__", "from x import *"]
    assert [word for word in words if not _patterns().may_bind.search(f"x = {word}\n")] == []


@pytest.mark.parametrize(
    "rest",
    [
        "import sys\nsys.settrace(None)\n",  # a statement at module level
        "@mark\ndef upgrade():\n    pass\n",  # a decorator
        "def upgrade(x=make()):\n    pass\n",  # a default
        "class C:\n    pass\n",  # a class body
    ],
)
def test_the_fast_reader_gives_up_on_code_run_at_import(rest: str) -> None:
    from alembic_heads.fast_reader import parse_fast

    head = "revision = 'a'\ndown_revision = None\n\n\n"
    assert parse_fast(head + "def upgrade() -> None:\n    pass\n") is not None
    assert parse_fast(head + rest) is None
    assert parse_fast("from . import x\n" + head) is None  # a relative import: code beside
