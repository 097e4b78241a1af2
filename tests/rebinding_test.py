"""Anything that may bind an identifier again is read exactly or reported.

Each case gives revision c (``down_revision = 'b'``) a second binding of
``down_revision`` to ``'a'``, in one of the forms Python binds names (the
language reference's "Naming and binding"), or a way into the module's
namespace. Alembic, which runs the file, then sees two heads or cannot load
it; reading only the plain assignment would say one head and pass.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from alembic_heads.import_time import HINT
from helpers import Rev, alembic_answer, render_revision, run_cli, write_project

BLOCK = "assigned inside a block or changed in place"
EVERY = "revision, down_revision, branch_labels or depends_on"
CASES = {
    # name: (code after the identifiers, its line that is reported, how)
    "tuple unpacking": ("down_revision, x = 'a', 1", 1, "bound by unpacking"),
    "list unpacking": ("[down_revision] = ['a']", 1, "bound by unpacking"),
    "starred unpacking": ("*down_revision, = ['a']", 1, "bound by unpacking"),
    "chained with unpacking": ("x = (down_revision, y) = ('a', 1)", 1, "bound by unpacking"),
    "walrus": ("(down_revision := 'a')", 1, "bound by an assignment expression (:=)"),
    "walrus in a comprehension": (
        "[(down_revision := x) for x in ['a']]",
        1,
        "bound by an assignment expression (:=)",
    ),
    "walrus in a default": (
        "def f(x=(down_revision := 'a')):\n    pass",
        1,
        "bound by an assignment expression (:=)",
    ),
    "walrus in a dict comprehension": (
        "x = {k: (down_revision := k) for k in ['a']}",
        1,
        "bound by an assignment expression (:=)",
    ),
    "walrus in a return annotation": (
        "def f() -> (down_revision := 'a'):\n    pass",
        1,
        "bound by an assignment expression (:=)",
    ),
    "a function run twice at import": (
        "def f():\n    globals().update(down_revision='a')\n\n\nf()\nf()",
        1,
        "possibly changed through 'globals' in a function run at import",
    ),
    "for target": ("for down_revision in ['a']:\n    pass", 1, "bound by a for loop"),
    "for else": ("for x in []:\n    pass\nelse:\n    down_revision = 'a'", 4, BLOCK),
    "with target": (
        "import contextlib\nwith contextlib.nullcontext('a') as down_revision:\n    pass",
        2,
        "bound by a with statement",
    ),
    "except target": (
        "try:\n    raise ValueError\nexcept ValueError as down_revision:\n    pass",
        3,
        "bound by an except clause",
    ),
    "match capture": (
        "match 'a':\n    case down_revision:\n        pass",
        2,
        "bound by a match pattern",
    ),
    "match star": (
        "match ['a']:\n    case [*down_revision]:\n        pass",
        2,
        "bound by a match pattern",
    ),
    "match mapping rest": (
        "match {'a': 1}:\n    case {**down_revision}:\n        pass",
        2,
        "bound by a match pattern",
    ),
    "import as": ("import string as down_revision", 1, "bound by an import"),
    "from import": ("from os.path import sep as down_revision", 1, "bound by an import"),
    "def": ("def down_revision():\n    pass", 1, "bound by a def"),
    "async def": ("async def down_revision():\n    pass", 1, "bound by a def"),
    "class": ("class down_revision:\n    pass", 1, "bound by a class statement"),
    "del": ("del down_revision", 1, "deleted (del)"),
    "augmented": ("down_revision *= 0\ndown_revision += 'a'", 2, BLOCK),
    "if block": ("if True:\n    down_revision = 'a'", 2, BLOCK),
    "annotated in a block": ("if True:\n    down_revision: str = 'a'", 2, BLOCK),
    "while block": ("while down_revision != 'a':\n    down_revision = 'a'", 2, BLOCK),
    "try block": ("try:\n    down_revision = 'a'\nfinally:\n    pass", 2, BLOCK),
    "global in a function": (
        "def f():\n    global down_revision\n    down_revision = 'a'\n\n\nf()",
        2,
        "declared global in a function or class",
    ),
    "global in a class": (
        "class C:\n    global down_revision\n    down_revision = 'a'",
        2,
        "declared global in a function or class",
    ),
    "globals()": (
        "globals()['down_revision'] = 'a'",
        1,
        "possibly changed through 'globals' when the module is imported",
    ),
    "vars()": (
        "vars().update(down_revision='a')",
        1,
        "possibly changed through 'vars' when the module is imported",
    ),
    "exec": (
        "exec(\"down_revision = 'a'\")",
        1,
        "possibly changed through 'exec' when the module is imported",
    ),
    "eval": (
        "eval(compile(\"down_revision = 'a'\", 'x', 'exec'))",
        1,
        "possibly changed through 'eval' when the module is imported",
    ),
    "a frame's globals": (
        "import sys\nsys._getframe().f_globals['down_revision'] = 'a'",
        2,
        "possibly changed through 'f_globals' when the module is imported",
    ),
    "a function run at import": (
        "def f():\n    globals().update(down_revision='a')\n\n\nf()",
        1,
        "possibly changed through 'globals' in a function run at import",
    ),
    "a decorator run at import": (
        "def mark(function):\n    globals()['down_revision'] = 'a'\n    return function\n\n\n"
        "@mark\ndef g():\n    pass",
        1,
        "possibly changed through 'globals' in a function run at import",
    ),
    "a class body": (
        "class C:\n    globals()['down_revision'] = 'a'",
        1,
        "possibly changed through 'globals' when the module is imported",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_second_binding_is_reported_where_alembic_sees_otherwise(
    tmp_path: Path, case: str
) -> None:
    code, reported_line, how = CASES[case]
    name = EVERY if how.startswith("possibly") else "down_revision"
    rev = Rev("c", "b", "third", body=code + "\n")
    write_project(tmp_path, [Rev("a", None, "first"), Rev("b", "a", "second"), rev])
    text = render_revision(rev)
    line = text.splitlines().index(code.splitlines()[0]) + reported_line

    result = run_cli(["check"], tmp_path)

    assert _alembic_heads_or_failure(tmp_path) != ["c"]
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"versions/c_third.py:{line}: {name} is {how}; alembic-heads reads "
        "revision files without running them and needs one plain module-level assignment\n"
    )


def _alembic_heads_or_failure(root: Path) -> list[str] | str:
    tracer = sys.gettrace()  # coverage's: a revision file may set its own
    try:
        heads: list[str] = alembic_answer(root)["heads"]
    except Exception as error:  # Alembic cannot load the history
        return type(error).__name__
    finally:
        sys.settrace(tracer)
    return heads


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("down_revision = 'a'", ["b", "c"]),  # the last plain assignment wins
        ("down_revision = make()\ndown_revision = 'b'", ["c"]),
        ("for down_revision in ['a']:\n    pass\ndown_revision = 'b'", ["c"]),
        ("def upgrade():\n    globals()['down_revision'] = 'a'", ["c"]),  # never run at import
        ("def upgrade():\n    down_revision = 'a'", ["c"]),
        ("class C:\n    down_revision = 'a'", ["c"]),
        ("[down_revision for down_revision in ['a']]", ["c"]),
        ("f = lambda: (down_revision := 'a')", ["c"]),
        ("import sqlalchemy as sa\nfrom alembic import op", ["c"]),
        # code run at import that the rule follows (import_time.py)
        ("down_revision: vars = 'b'", ["c"]),  # an annotation that only looks a name up
        ("import logging\nlog = logging.getLogger(__name__)\nlog.setLevel(logging.INFO)", ["c"]),
        ("import sqlalchemy as sa\nt = sa.table('t', sa.column('id', sa.Integer()))", ["c"]),
        ("import enum\nclass Kind(enum.Enum):\n    A = 'a'", ["c"]),
        ("def mark(f):\n    return f\n\n\n@mark\ndef g():\n    pass", ["c"]),
        ("x = [str(n) for n in range(3)]\ny = '{}_x'.format(', '.join(x))", ["c"]),
        ("f = (lambda: 'x')()", ["c"]),
        (
            "import sqlalchemy as sa\n"
            "kind = sa.Enum('a', name='kind').with_variant(sa.String(), 'sqlite')\n"
            "kind.copy()",
            ["c"],
        ),
        ("try:\n    import sqlalchemy as sa\nexcept ImportError as error:\n    pass", ["c"]),
        (
            "import os\nimport textwrap\n"
            "HERE = os.path.dirname(os.path.abspath(__file__))\n"
            "SQL = os.path.join(HERE, 'sql', os.path.splitext(os.path.basename(__file__))[0])\n"
            "VIEW = textwrap.dedent('''\n    select 1\n''')\nprint(SQL, VIEW)",
            ["c"],
        ),
        (  # optuna's migrations: one name imported from either of two library paths
            "try:\n    from sqlalchemy.orm import declarative_base\nexcept ImportError:\n"
            "    from sqlalchemy.ext.declarative import declarative_base\n"
            "Base = declarative_base()",
            ["c"],
        ),
        (  # superset's migrations: a method of a function's name bound once to a library call
            "class Model:\n    def backend(self):\n        engine = sa.create_engine('sqlite://')\n"
            "        return engine.url.get_backend_name()\n\n\ndef f(model: Model):\n    pass",
            ["c"],
        ),
        (  # every way a function binds a name, in a function code run at import uses
            "def helper():\n    import os\n    global counter\n    a, b = sa.table('t'), 1\n"
            "    try:\n        pass\n    except ValueError as error:\n        pass\n"
            "    match os:\n        case {**rest}:\n            pass\n"
            "        case [*others]:\n            pass\n\n\nhelper",
            ["c"],
        ),
        (  # a model's special names bound to constants and defs
            "SCHEMA = 'app'\n\n\nclass T:\n    __tablename__ = 't'\n"
            "    __table_args__ = (sa.UniqueConstraint('id'), {'schema': SCHEMA})\n"
            "    __hash__ = None\n\n    def __eq__(self, other):\n        return True\n\n\n"
            "T() == T()",
            ["c"],
        ),
        (  # superset's migrations: a model with a property
            "class Table:\n    @property\n    def name(self):\n        return 't'\n\n"
            "    @staticmethod\n    def s():\n        pass\n\n"
            "    @classmethod\n    def k(cls):\n        pass\n\n\nTable()",
            ["c"],
        ),
    ],
)
def test_what_a_later_plain_assignment_replaces_or_never_runs_is_read(
    tmp_path: Path, code: str, expected: list[str]
) -> None:
    body = "def make():\n    return 'a'\n\n\n" + code + "\n"
    write_project(
        tmp_path,
        [Rev("a", None, "first"), Rev("b", "a", "second"), Rev("c", "b", "third", body=body)],
    )

    result = run_cli(["check"], tmp_path)

    assert alembic_answer(tmp_path)["heads"] == expected
    assert result.code == (0 if expected == ["c"] else 1)
    assert "not-literal" not in result.out and "plain module-level" not in result.out


def test_a_bare_annotation_binds_nothing(tmp_path: Path) -> None:
    body = (
        "from typing import TYPE_CHECKING, Union\n\nif TYPE_CHECKING:\n"
        "    down_revision: Union[str, None]\n    depends_on: str\n"
    )
    write_project(
        tmp_path, [Rev("a", None, "first"), Rev("b", "a", "second", body=body)], style="annotated"
    )

    assert alembic_answer(tmp_path)["heads"] == ["b"]
    assert run_cli(["check"], tmp_path).code == 0


@pytest.mark.parametrize(
    ("code", "how"),
    [
        ("from string import *", "possibly bound by 'from ... import *'"),
        (
            "from string import *\nrevision = 'b'\ndown_revision = 'a'",
            "possibly bound by 'from ... import *'",
        ),
        (
            "def __getattr__(name):\n    raise AttributeError(name)",
            "possibly supplied by the module's __getattr__",
        ),
    ],
)
def test_what_may_supply_an_identifier_is_reported(tmp_path: Path, code: str, how: str) -> None:
    """Alembic reads ``branch_labels`` and ``depends_on`` with ``getattr``:
    a star import or a module ``__getattr__`` may supply them."""
    rev = Rev("b", "a", "second", body=code + "\n")
    text = render_revision(rev).replace("branch_labels = None\n", "")
    write_project(tmp_path, [Rev("a", None, "first")])
    (tmp_path / "versions" / rev.file_name).write_text(text)

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    subject = EVERY if "*" in code else "branch_labels"
    assert f": {subject} is {how}; " in result.out


# The module's namespace, reached with none of the words the rules once
# listed (globals, f_globals, exec...): from any frame running the module's code.
NAMESPACE = "object.__getattribute__(sys._getframe(), 'f_glob' + 'als')"
UNFOLLOWED = {
    # name: (code after the identifiers, its line that is reported, what it does)
    "a frame's globals by a built name": (
        f"import sys\n{NAMESPACE}['down_' + 'revision'] = 'a'",
        2,
        "a call of 'object.__getattribute__'",
    ),
    "inspect": (
        "import inspect\nframe = dict(inspect.getmembers(inspect.currentframe()))\n"
        "frame['f_glob' + 'als'].update(down_revision='a')",
        2,
        "a call of 'inspect.getmembers'",
    ),
    "__builtins__": (
        "__builtins__['ex' + 'ec'](\"down_revision = 'a'\")",
        1,
        "a call of '__builtins__['ex' + 'ec']'",
    ),
    "a function run at import": (
        f"import sys\n\n\ndef f():\n    {NAMESPACE}.update(down_revision='a')\n\n\nf()",
        5,
        "a call of 'object.__getattribute__'",
    ),
    "a decorator": (
        f"import sys\n\n\ndef mark(g):\n    {NAMESPACE}.update(down_revision='a')\n"
        "    return g\n\n\n@mark\ndef h():\n    pass",
        5,
        "a call of 'object.__getattribute__'",
    ),
    "a class body": (
        f"import sys\n\n\nclass C:\n    {NAMESPACE}.update(down_revision='a')",
        5,
        "a call of 'object.__getattribute__'",
    ),
    "a default": (
        f"import sys\n\n\ndef f(x={NAMESPACE}.update(down_revision='a')):\n    pass",
        4,
        "a call of 'object.__getattribute__'",
    ),
    "a comprehension": (
        f"import sys\n[{NAMESPACE}.update(down_revision='a') for _ in [1]]",
        2,
        "a call of 'object.__getattribute__'",
    ),
    "a standard-library decorator": (
        "import functools\n\n\n@functools.lru_cache\ndef f():\n    pass\n\n\ndown_revision = 'a'",
        4,
        "a call of 'functools.lru_cache'",
    ),
    "a library's name bound again": (
        "import logging as log\nlog = __builtins__['ex' + 'ec']\nlog(\"down_revision = 'a'\")",
        3,
        "a call of 'log'",
    ),
    "a method of what a standard-library call returned": (
        "import sys\nframe = sys._getframe()\nframe.f_trace_lines = False\n"
        "m = sys.modules.get(__name__, frame)\n"
        "object.__getattribute__(m, 'f_glob' + 'als').update(down_revision='a')",
        2,
        "a call of 'sys._getframe'",
    ),
    "a method of a name bound twice": (
        "import logging\nlog = logging.getLogger(__name__)\nlog = __builtins__\n"
        "log.get('ex' + 'ec')(\"down_revision = 'a'\")",
        4,
        "a call of 'log.get'",
    ),
    "a name two imports bind": (
        "import logging as f\nimport sys as f\n"
        "object.__getattribute__(f._getframe(), 'f_glob' + 'als').update(down_revision='a')",
        3,
        "a call of 'object.__getattribute__'",
    ),
    "a call of an expression": (
        "(print and __builtins__['ex' + 'ec'])(\"down_revision = 'a'\")",
        1,
        "a call of 'print and __builtins__['ex' + 'ec']'",
    ),
    # a name bound in a function or lambda is not there the module's import (sa) of it
    "a parameter named as a library": (
        "def f(sa):\n    sa().update(down_revision='a')\n\n\nf(__builtins__['glob' + 'als'])",
        2,
        "a call of 'sa'",
    ),
    "a lambda's parameter named as a builtin": (
        "(lambda str: str().update(down_revision='a'))(__builtins__['glob' + 'als'])",
        1,
        "a call of 'str'",
    ),
    "a local name named as a library": (
        "def f():\n    sa = __builtins__['glob' + 'als']\n"
        "    sa().update(down_revision='a')\n\n\nf()",
        3,
        "a call of 'sa'",
    ),
    "a local bound twice": (
        "def f():\n    g = sa.table('t')\n    g = __builtins__['glob' + 'als']\n"
        "    g().update(down_revision='a')\n\n\nf()",
        4,
        "a call of 'g'",
    ),
    "a name only a nested function binds": (
        "x = __builtins__\n\n\ndef f():\n    def g():\n        x = sa.table('t')\n\n"
        "    x.get('glob' + 'als')().update(down_revision='a')\n\n\nf()",
        8,
        "a call of 'x.get'",
    ),
    # Python calls a special method, or a property's getter, with no call in sight
    "a special method bound to a builtin": (
        "class A:\n    __eq__ = __builtins__['ex' + 'ec']\n\n\nA() == \"down_revision = 'a'\"",
        2,
        "'__eq__' bound to a value Python may call by itself",
    ),
    "a property of a builtin": (
        "class S(str):\n    p = property(__builtins__['ex' + 'ec'])\n\n\n"
        "S(\"down_revision = 'a'\").p",
        2,
        "a call of 'property'",
    ),
    "a relative import": ("from . import helpers", 1, "a relative import (its module runs)"),
    # Code run before the last assignment can still change it afterwards: a
    # trace function set at import runs on the module's every later line.
    "a trace function": (
        "import sys\n\n\ndef trace(frame, event, arg):\n"
        "    if frame.f_code.co_filename != __file__:\n        return None\n"
        "    namespace = object.__getattribute__(frame, 'f_glob' + 'als')\n"
        "    lines = namespace['lines'] = namespace.get('lines', 0) + (event == 'line')\n"
        "    if lines == 2:  # the line after the last assignment\n"
        "        namespace.update(down_revision='a')\n"
        "        sys.settrace(None)  # (Alembic runs in this process)\n"
        "        return None\n    return trace\n\n\n"
        "sys._getframe().f_trace = trace\nsys.settrace(trace)\ndown_revision = 'b'\nx = 1",
        7,
        "a call of 'object.__getattribute__'",
    ),
}


@pytest.mark.parametrize("case", UNFOLLOWED)
def test_code_run_at_import_that_the_rule_does_not_follow_is_reported(
    tmp_path: Path, case: str
) -> None:
    code, reported_line, what = UNFOLLOWED[case]
    rev = Rev("c", "b", "third", body=code + "\n")
    write_project(tmp_path, [Rev("a", None, "first"), Rev("b", "a", "second"), rev])
    line = render_revision(rev).splitlines().index(code.splitlines()[0]) + reported_line

    result = run_cli(["check"], tmp_path)

    assert _alembic_heads_or_failure(tmp_path) != ["c"]
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"versions/c_third.py:{line}: {EVERY} is possibly changed by code run at import "
        f"that alembic-heads does not follow: {what}; alembic-heads reads revision files "
        "without running them and needs one plain module-level assignment\n"
        f"    {HINT}\n"
    )
