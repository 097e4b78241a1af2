"""The check path imports neither Alembic nor SQLAlchemy: importing them alone
costs about a quarter of a second, on every commit."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import PYTHON, Rev, run, write_project

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
