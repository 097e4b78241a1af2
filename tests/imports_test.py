"""The check path imports neither Alembic nor SQLAlchemy: importing them alone
costs about a quarter of a second, on every commit. A run that finds every file
unchanged imports nothing beyond the interpreter's start-up and the package."""

from __future__ import annotations

import json
import os
import time
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
