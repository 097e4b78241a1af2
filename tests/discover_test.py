"""Which files form a graph: the same ones, in the same order, as Alembic loads."""

from __future__ import annotations

from pathlib import Path

from alembic_heads.config import Environment
from alembic_heads.discover import revision_file_paths, revision_paths
from helpers import Rev, alembic_answer, our_answer, write_project, write_revision


def test_symlinks_and_subfolders_as_alembic_walks_them(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", [Rev("aaaa", None, "first")], recursive=True)
    versions = project / "versions"
    write_revision(versions / "2024", Rev("bbbb", "aaaa", "second"))
    write_revision(versions / "2025", Rev("cccc", "bbbb", "third"))
    elsewhere = write_revision(tmp_path / "elsewhere", Rev("dddd", "cccc", "fourth"))
    (versions / "dddd_fourth.py").symlink_to(elsewhere)
    (versions / "again.py").symlink_to(versions / "2024" / "bbbb_second.py")
    (versions / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (versions / "__pycache__").mkdir()
    (versions / "__pycache__" / "x.py").write_text("revision = 'zzzz'\n")

    assert our_answer(project) == alembic_answer(project)
    env = Environment("x", (str(versions), str(versions / "missing")), recursive=True)
    assert revision_paths(env, None) == [
        versions / "aaaa_first.py",
        versions / "again.py",
        versions / "dddd_fourth.py",
        versions / "2025" / "cccc_third.py",
    ]
    assert revision_file_paths(env, {str(versions / "aaaa_first.py")}) == [
        str(versions / "aaaa_first.py")
    ]
