"""The check path imports neither Alembic nor SQLAlchemy: importing them alone
costs about a quarter of a second, on every commit. A run that finds every file
unchanged imports nothing beyond the interpreter's start-up and the package."""

from __future__ import annotations

import ast
import json
import os
import time
from collections.abc import Container, Iterator
from pathlib import Path

from alembic_heads import memo
from helpers import PYTHON, Rev, commit_all, init_repo, run, write_project

PROBE = """
import json, sys
from alembic_heads.cli import main
code = main(["check"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "sqlalchemy", "mako"))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_check_imports_neither_alembic_nor_sqlalchemy(tmp_path: Path) -> None:
    write_project(tmp_path, [Rev("aaaa", None), Rev("bbbb", "aaaa"), Rev("cccc", "aaaa")])

    result = run([PYTHON, "-c", PROBE], tmp_path)

    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last == {"code": 1, "heavy": []}


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    write_project(tmp_path, [Rev("aaaa", None), Rev("bbbb", "aaaa"), Rev("cccc", "aaaa")])

    result = run([PYTHON, "-m", "alembic_heads", "check"], tmp_path)

    assert result.returncode == 1
    assert result.stdout.startswith("alembic.ini: Multiple head revisions are present")


WARM_PROBE = """
import sys
before = set(sys.modules)
from alembic_heads.cli import main
code = main(["check"])
print(code, *sorted(set(sys.modules) - before))
"""
# What a warm check may import besides the package: all built into the interpreter.
ALLOWED = {"__future__", "gc"}


def test_a_warm_check_imports_only_the_package(tmp_path: Path) -> None:
    """No re, configparser, tomllib, dataclasses, pathlib, ast, argparse,
    subprocess, zlib or typing: each costs from 1 to 10 ms, and the whole run
    at a thousand revisions is about 30."""
    init_repo(tmp_path)
    write_project(tmp_path, [Rev("aaaa", None), Rev("bbbb", "aaaa"), Rev("cccc", "bbbb")])
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    commit_all(tmp_path, "history")
    written = max(path.stat().st_mtime for path in tmp_path.iterdir())
    time.sleep(max(0.0, written + memo.SETTLED_SECONDS + 0.1 - time.time()))
    assert run([PYTHON, "-m", "alembic_heads", "check"], tmp_path).returncode == 0

    code, *imported = run([PYTHON, "-c", WARM_PROBE], tmp_path).stdout.split()

    assert code == "0"
    assert {name for name in imported if name.split(".")[0] != "alembic_heads"} <= ALLOWED
    assert sorted(os.listdir(os.environ["ALEMBIC_HEADS_CACHE_DIR"]))


API_PROBE = """
import sys
before = set(sys.modules)
from alembic_heads import check_heads
ok = check_heads(".").ok
print(ok, *sorted(set(sys.modules) - before))
"""


def test_the_api_on_settled_files_imports_only_the_package(tmp_path: Path) -> None:
    """A test suite's ``check_heads()`` outside git: what the warm hook imports,
    and not a file read (each is recalled by its size, times and inode)."""
    write_project(tmp_path, [Rev("aaaa", None), Rev("bbbb", "aaaa"), Rev("cccc", "bbbb")])
    written = max(path.stat().st_ctime for path in tmp_path.rglob("*"))
    time.sleep(max(0.0, written + memo.SETTLED_SECONDS + 0.1 - time.time()))
    assert run([PYTHON, "-c", API_PROBE], tmp_path).stdout.startswith("True")

    ok, *imported = run([PYTHON, "-c", API_PROBE], tmp_path).stdout.split()

    assert ok == "True"
    assert {name for name in imported if name.split(".")[0] != "alembic_heads"} <= ALLOWED


PACKAGE = Path(__file__).parent.parent / "hooks" / "alembic_heads"


def _module_name(path: Path) -> str:
    parts = ["alembic_heads", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: Container[str], lazy: bool) -> set[str]:
    """The package's modules ``path`` imports: at module level (under ``if
    TYPE_CHECKING:`` too), and with ``lazy`` inside functions as well."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if lazy else _module_level(tree.body)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*parts, target] if target else parts)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in modules else target)
    return {module for module in found if module in modules}


def _module_level(body: list[ast.stmt]) -> Iterator[ast.AST]:
    for statement in body:
        if isinstance(statement, ast.If | ast.Try):
            yield from _module_level(statement.body)
            yield from _module_level(statement.orelse)
        else:
            yield statement


def _import_graph(lazy: bool) -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: _imports(path, paths, lazy) for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The sets of modules that import each other, round a cycle."""
    reach = {name: _reachable(graph, name) for name in graph}
    return {
        frozenset(other for other in reach[name] if name in reach[other])
        for name in graph
        if name in reach[name]
    }


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return seen


def test_only_the_cli_imports_a_command() -> None:
    """A command module is a parser and a ``main``: what another module needs
    from one belongs in a library module beside it."""
    importers = {
        name: sorted(module for module in imported if module.startswith("alembic_heads.commands."))
        for name, imported in _import_graph(lazy=True).items()
    }

    assert {name: found for name, found in importers.items() if found} == {}


def test_the_command_table_names_every_command_module() -> None:
    """cli imports the commands by name (``_lazy("commands.check")``), when run."""
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    named = {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_lazy"
        and isinstance(node.args[0], ast.Constant)
    }
    commands = {f"commands.{path.stem}" for path in (PACKAGE / "commands").glob("[!_]*.py")}

    assert commands <= named
    assert {
        name for name in named if not (PACKAGE / f"{name.replace('.', '/')}.py").is_file()
    } == set()


def test_no_import_cycle() -> None:
    assert _cycles(_import_graph(lazy=False)) == set()
    assert _cycles(_import_graph(lazy=True)) == set()  # imports inside functions too
