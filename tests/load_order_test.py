"""A commit loads the files its checkout loads, in the same order: one
implementation of Alembic's load order reads the working tree and git's
objects alike, with real Alembic as the oracle on the checkout."""

from __future__ import annotations

import py_compile
import sys
from importlib.util import cache_from_source
from pathlib import Path

from alembic_heads.commit_files import LoadOrder, scripts_at
from alembic_heads.config import Environment, config_files, load_environment
from alembic_heads.core import graph_of, read_graph
from alembic_heads.discover import WORKING_TREE, load_order
from alembic_heads.paths import display
from alembic_heads.revision_file import RevisionFile
from helpers import Rev, alembic_answer, chdir, committed_project, git, write_revision


def _environment(root: Path) -> Environment:
    return load_environment(config_files([str(root / "alembic.ini")], None, root), root)


def _commit_and_checkout_read_alike(root: Path) -> list[tuple[str, str]]:
    """The (path, revision) of each file, in load order, as the commit and as
    its checkout; the checkout's heads as Alembic's."""
    env = _environment(root)
    with chdir(root):
        checkout, findings = read_graph(env, None)
        [at_commit] = scripts_at([env], "HEAD", root)
    assert checkout is not None and not findings, findings
    committed, findings = graph_of(at_commit)
    assert committed is not None and not findings, findings
    read = [(script.path, rev) for rev, script in checkout.revisions.items()]
    assert [(script.path, rev) for rev, script in committed.revisions.items()] == read
    assert sorted(checkout.heads) == alembic_answer(root)["heads"]
    assert sorted(checkout.revisions) == sorted(
        script.revision for script in at_commit if isinstance(script, RevisionFile)
    )
    # the key --against sorts two trees' files by agrees with the walk
    order, loaded = LoadOrder(env), load_order(env, WORKING_TREE)
    assert sorted(loaded, key=lambda pair: order(*pair) or ()) == loaded
    assert None not in [order(*pair) for pair in loaded]
    return [(display(path, root), rev) for path, rev in read]


def test_sourceless_files_at_a_commit(tmp_path: Path) -> None:
    """Compiled files beside their module, in ``__pycache__`` only, and
    beside a source that wins: the commit reader used to skip every one."""
    revs = [
        Rev("aaaa", None, "first"),
        Rev("bbbb", "aaaa", "second"),
        Rev("cccc", "bbbb", "third"),
        Rev("dddd", "cccc", "fourth"),
    ]
    root = committed_project(tmp_path, revs, ini_extra="sourceless = true\n")
    versions = root / "versions"
    py_compile.compile(str(versions / "bbbb_second.py"), doraise=True)  # __pycache__ only
    (versions / "bbbb_second.py").unlink()
    third = versions / "cccc_third.py"
    py_compile.compile(str(third), cfile=f"{third}c", doraise=True)  # beside, source kept
    fourth = versions / "dddd_fourth.py"
    py_compile.compile(str(fourth), cfile=f"{fourth}c", doraise=True)  # beside, no source
    fourth.unlink()
    git(root, "add", "-A", "-f")
    git(root, "commit", "-q", "-m", "compiled")

    assert _commit_and_checkout_read_alike(root) == [
        ("versions/aaaa_first.py", "aaaa"),
        ("versions/cccc_third.py", "cccc"),
        ("versions/dddd_fourth.pyc", "dddd"),
        (f"versions/{cache_from_source('bbbb_second.py')}", "bbbb"),
    ]


def test_symlinks_at_a_commit(tmp_path: Path) -> None:
    """A link judged by the name it leads to, reached first where Alembic
    reaches it, and a link to a folder (even one named like a module) never
    entered: the commit reader used to take the last for an unreadable file."""
    root = committed_project(tmp_path, [Rev("aaaa", None, "first")], recursive=True)
    versions = root / "versions"
    write_revision(root / "shared", Rev("bbbb", "aaaa", "second"))
    (versions / "link").symlink_to("../shared/bbbb_second.py")
    write_revision(versions / "2024", Rev("cccc", "bbbb", "third"))
    (versions / "again.py").symlink_to("2024/cccc_third.py")
    if sys.version_info < (3, 12):  # from 3.12 Alembic's own import of it fails (a folder)
        write_revision(root / "folder.py", Rev("zzzz", "aaaa", "never loaded"))
        (versions / "folder.py").symlink_to("../folder.py", target_is_directory=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")

    assert _commit_and_checkout_read_alike(root) == [
        ("versions/aaaa_first.py", "aaaa"),
        ("versions/again.py", "cccc"),
        ("versions/link", "bbbb"),
    ]


def test_the_key_of_the_order_places_what_two_trees_hold(tmp_path: Path) -> None:
    """--against sorts files of both trees by this key: compiled files of
    ``__pycache__`` after their folder's files, before its subfolders."""
    here, more = str(tmp_path / "versions"), str(tmp_path / "more")
    env = Environment("x", (here, more), recursive=True, sourceless=True)
    order = LoadOrder(env)
    flat = LoadOrder(Environment("x", (here,)))

    keys = [
        order(f"{here}/b.py"),
        order(f"{here}/__pycache__/a.cpython-311.pyc"),
        order(f"{here}/sub/a.py"),
        order(f"{more}/a.py"),
    ]

    assert keys == sorted(keys, key=lambda key: key or ())
    assert None not in keys
    assert order(f"{here}/__pycache__/sub/a.pyc") is None
    assert order(f"{here}/notes.txt") is None
    assert order("/elsewhere/a.py") is None
    assert flat(f"{here}/sub/a.py") is None
    assert flat(f"{here}/__pycache__/a.cpython-311.pyc") is None
    assert flat(f"{here}/link", f"{here}/a.py") == (0, (), (False, "link"))
