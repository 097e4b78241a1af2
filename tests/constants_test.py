"""Non-literal ``branch_labels`` (issue 18): the expand/contract layout of a
large project names its labels by constants of its own package. They are read
statically from that module, and ``--max-heads`` stays the escape hatch when
they cannot be. Real Alembic, which imports the package, is the oracle."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alembic_heads.constants import resolve
from helpers import Rev, alembic_answer, run_cli, write_project

CLI = """\
EXPAND_BRANCH = "expand"
CONTRACT_BRANCH = "contract"
BRANCHES = {"expand": "expand", "contract": "contract"}
"""

# How a revision file names its branch: (import line, branch_labels value) per form.
FORMS = {
    "module": ("from labelled.db.migration import cli", "(cli.{constant},)"),
    "name": ("from labelled.db.migration.cli import {constant}", "({constant},)"),
    "dotted": ("import labelled.db.migration.cli", "labelled.db.migration.cli.{constant}"),
    "not readable": ("from labelled.db.migration import cli", 'cli.BRANCHES["{label}"]'),
}


@pytest.fixture(autouse=True)
def forget_the_package() -> Iterator[None]:
    """Alembic imports the package the revision files import (prepending the
    project to sys.path): a fresh one per test."""
    path = list(sys.path)
    yield
    sys.path[:] = path
    for name in [name for name in sys.modules if name.split(".")[0] == "labelled"]:
        del sys.modules[name]


def expand_contract(root: Path, form: str) -> Path:
    """A on no parent; expand E1 <- E2 and contract C1 <- C2 start on A."""
    write_project(root, [Rev("A", None, "a")], ini_extra="prepend_sys_path = %(here)s\n")
    package = root / "labelled" / "db" / "migration"
    package.mkdir(parents=True)
    for folder in (root / "labelled", root / "labelled" / "db", package):
        (folder / "__init__.py").write_text("")
    (package / "cli.py").write_text(CLI)
    for label, first, second in (("expand", "E1", "E2"), ("contract", "C1", "C2")):
        write_labelled(root, form, first, "A", label)
        write_labelled(root, form, second, first)
    return root


def write_labelled(root: Path, form: str, revision: str, down: str, label: str = "") -> None:
    text = f"revision = {revision!r}\ndown_revision = {down!r}\n"
    if label:
        constant = f"{label.upper()}_BRANCH"
        importing, value = FORMS[form]
        value = value.format(constant=constant, label=label)
        text = f"{importing.format(constant=constant)}\n\n{text}branch_labels = {value}\n"
    text += "\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    (root / "versions" / f"{revision}.py").write_text(text)


@pytest.mark.parametrize("form", ["module", "name", "dotted"])
def test_labels_read_from_the_projects_module(tmp_path: Path, form: str) -> None:
    root = expand_contract(tmp_path, form)

    healthy = run_cli(["check"], root)

    assert (healthy.code, healthy.out, healthy.err) == (0, "", "")
    assert alembic_answer(root)["label_heads"] == {"contract": ["C2"], "expand": ["E2"]}


@pytest.mark.parametrize("branch", ["expand", "contract"])
def test_a_second_head_on_a_branch_with_labels_read_from_the_module(
    tmp_path: Path, branch: str
) -> None:
    root = expand_contract(tmp_path, "module")
    first = "E1" if branch == "expand" else "C1"
    write_labelled(root, "module", "X", first)

    result = run_cli(["check"], root)

    heads = sorted(["X", "E2" if branch == "expand" else "C2"])
    assert alembic_answer(root)["label_heads"][branch] == heads
    assert result.code == 1
    line = 2 if branch == "contract" else 1
    assert result.out.startswith(
        f"alembic.ini: Multiple head revisions are present on branch '{branch}': 2 heads, "
        f"`alembic upgrade {branch}@head` will fail\n"
        f"    (branch label '{branch}' read from labelled/db/migration/cli.py:{line} "
        f"({branch.upper()}_BRANCH))\n"
    )


@pytest.mark.parametrize("branch", ["expand", "contract"])
def test_max_heads_when_the_labels_cannot_be_read(tmp_path: Path, branch: str) -> None:
    root = expand_contract(tmp_path, "not readable")

    refused = run_cli(["check"], root)
    healthy = run_cli(["check", "--max-heads", "2"], root)
    write_labelled(root, "not readable", "X", "E1" if branch == "expand" else "C1")
    second = run_cli(["check", "--max-heads", "2"], root)

    assert refused.code == 1
    assert "branch_labels is not a literal" in refused.out
    assert (healthy.code, healthy.out) == (0, "")
    assert second.code == 1
    assert second.out.startswith(
        "alembic.ini: Multiple head revisions are present: 3 heads, more than --max-heads 2\n"
    )
    assert len(alembic_answer(root)["heads"]) == 3


def resolved(tmp_path: Path, source: str, modules: dict[str, str]) -> object:
    """What ``branch_labels`` in ``source`` resolves to, beside ``modules``."""
    (tmp_path / ".git").mkdir(exist_ok=True)  # the repository's top
    for name, text in modules.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    versions = tmp_path / "versions"
    versions.mkdir(exist_ok=True)
    module = ast.parse(source)
    assign = next(
        node
        for node in module.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "branch_labels"
    )
    found = resolve(module, assign.value, str(versions / "r.py"))
    return None if found is None else found.value


@pytest.mark.parametrize(
    ("source", "modules", "expected"),
    [
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X = 'x'\n"}, "x"),
        ("from pkg.c import X as Y\nbranch_labels = [Y, 'z']", {"pkg/c.py": "X = 'x'"}, ("x", "z")),
        ("import pkg.c as c\nbranch_labels = c.X", {"pkg/c.py": "X: str = 'x'"}, "x"),
        ("from pkg import c\nbranch_labels = c.X", {"src/pkg/c.py": "X = Z\nZ = 'z'"}, "z"),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "from pkg.d import X"}, None),
        (
            "from pkg.c import X\nbranch_labels = X",
            {"pkg/c.py": "from pkg.d import X", "pkg/d.py": "X = 'd'"},
            "d",
        ),
        ("from ..pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X = 'x'"}, "x"),
        ("from .. import c\nbranch_labels = c.X", {"c.py": "X = 'x'"}, "x"),
        ("LABEL = 'here'\nbranch_labels = (LABEL,)", {}, ("here",)),
        # anything that may rebind the name, or that only running code would tell
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X = 'x'\nX = 'y'"}, None),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X = 'x'\nX += 'y'"}, None),
        (
            "from pkg.c import X\nbranch_labels = X",
            {"pkg/c.py": "X = 'x'\ndef f():\n    global X\n    X = 'y'"},
            None,
        ),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "from os import *\nX = 'x'"}, None),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "if a:\n    X = 'x'"}, None),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X = Y = 'x'"}, None),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X, Y = 'x', 'y'"}, None),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X = f()"}, None),
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "X = ("}, None),
        ("from pkg.c import X\nbranch_labels = X", {}, None),
        ("from pkg import c\nbranch_labels = c.X", {"pkg/c.py": "class X: pass"}, None),
        ("from pkg import c\nbranch_labels = c().X", {"pkg/c.py": "X = 'x'"}, None),
        ("branch_labels = c.X", {"pkg/c.py": "X = 'x'"}, None),
        ("from pkg import c\nc = 1\nbranch_labels = c.X", {"pkg/c.py": "X = 'x'"}, None),
        ("from pkg import c\nbranch_labels = c.X", {"pkg/c.py": "from pkg import c as X"}, None),
        ("c = C()\nbranch_labels = c.X", {"pkg/c.py": "X = 'x'"}, None),
        (
            "from pkg.c import X\nbranch_labels = X",
            {"pkg/c.py": "X = 'x'\ntry:\n    pass\nexcept E:\n    X = 'y'"},
            None,
        ),
        (
            "from pkg.c import X\nbranch_labels = X",
            {"pkg/c.py": "X = 'x'\nmatch a:\n    case 1:\n        X = 'y'"},
            None,
        ),
        # a cycle of re-exports: given up, not followed for ever
        ("from pkg.c import X\nbranch_labels = X", {"pkg/c.py": "from pkg.c import X"}, None),
    ],
)
def test_what_is_read_and_what_is_not(
    tmp_path: Path, source: str, modules: dict[str, str], expected: object
) -> None:
    assert resolved(tmp_path, source, modules) == expected


def test_a_value_over_several_lines_keeps_the_lines_after_it(tmp_path: Path) -> None:
    root = expand_contract(tmp_path, "module")
    (root / "versions" / "E2.py").write_text(
        "from labelled.db.migration import cli\n\n"
        "revision = 'E2'\n"
        "branch_labels = (\n    cli.EXPAND_BRANCH,  # é\n)\n"
        "down_revision = make()\n"
    )

    result = run_cli(["check"], root)

    assert result.out.startswith(
        "versions/E2.py:7: down_revision is not a literal (make()); alembic-heads reads "
        "revision files without running them\n"
    )
