"""Test helpers: real Alembic projects on disk, real git, Alembic as the oracle.

``write_project`` writes a runnable Alembic project (alembic.ini, env.py,
Alembic's own script.py.mako, versions/) from a list of revisions in any of the
template styles Alembic has shipped. ``alembic_answer`` asks real Alembic what
it makes of the same files.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic_heads import cli
from alembic_heads.graph import Graph, build_graph
from alembic_heads.revision_file import RevisionFile

CORPORA = Path(__file__).parent / "corpora"
SNAPSHOTS = Path(__file__).parent / "snapshots"
CORPUS_NAMES = sorted(path.stem for path in CORPORA.glob("*.json"))

# The template styles Alembic has shipped, plus what black/ruff make of them.
STYLES = ("classic", "annotated-1.13", "annotated", "pep604", "split", "list")
SEQ = "Union[str, Sequence[str], None]"
ANNOTATIONS = {
    "classic": {},
    "split": {},
    "list": {},
    "annotated-1.13": {
        "revision": "str",
        "down_revision": "Union[str, None]",
        "branch_labels": SEQ,
        "depends_on": SEQ,
    },
    "annotated": {"revision": "str", "down_revision": SEQ, "branch_labels": SEQ, "depends_on": SEQ},
    "pep604": {
        "revision": "str",
        "down_revision": "str | Sequence[str] | None",
        "branch_labels": "str | Sequence[str] | None",
        "depends_on": "str | Sequence[str] | None",
    },
}
KEYS = ("revision", "down_revision", "branch_labels", "depends_on")

ENV_PY = """\
from alembic import context

config = context.config


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_offline()
"""

INI = """\
[alembic]
script_location = %(here)s
path_separator = os
sqlalchemy.url = sqlite:///test.db
{extra}"""


@dataclass
class Rev:
    """One revision to write: ``down`` is None, an id, or a tuple of ids."""

    revision: str
    down: str | tuple[str, ...] | None = None
    doc: str = ""
    branch_labels: str | tuple[str, ...] | None = None
    depends_on: str | tuple[str, ...] | None = None
    file: str = ""
    body: str = ""  # the code after the identifiers (default: upgrade/downgrade that pass)

    @property
    def file_name(self) -> str:
        return self.file or f"{self.revision}_{(self.doc or 'change').replace(' ', '_')}.py"


def revs_from_corpus(name: str) -> list[Rev]:
    graph = json.loads((CORPORA / f"{name}.json").read_text())
    return [
        Rev(
            revision=r["revision"],
            down=tuple(r["down_revision"])
            if isinstance(r["down_revision"], list)
            else r["down_revision"],
            doc=r.get("doc") or "",
            branch_labels=_tuple_or(r["branch_labels"]),
            depends_on=_tuple_or(r["depends_on"]),
            file=r["file"],
        )
        for r in graph["revisions"]
    ]


def before_merge(name: str, index: int) -> list[Rev]:
    """The corpus's revisions without its ``index``-th two-head moment's merge
    and everything after it: the history as it was when the merge was needed."""
    mergepoint = corpus(name)["two_head_moments"][index]["mergepoint"]
    return without_descendants(revs_from_corpus(name), mergepoint)


def graph_of(revs: Sequence[Rev]) -> Graph:
    """The graph of ``revs`` in memory, as if read from their files."""
    return build_graph(
        RevisionFile(
            path=f"versions/{rev.file_name}",
            revision=rev.revision,
            down_revision=_as_tuple(rev.down),
            branch_labels=_as_tuple(rev.branch_labels),
            depends_on=_as_tuple(rev.depends_on),
            doc=rev.doc,
        )
        for rev in revs
    )


def _as_tuple(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


def assert_snapshot(name: str, text: str) -> None:
    """``text`` equals ``tests/snapshots/NAME``; UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no snapshot {path}: run with UPDATE_SNAPSHOTS=1, then review it"
    assert text == path.read_text()


def corpus(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPORA / f"{name}.json").read_text())
    return data


def _moments() -> list[tuple[str, int]]:
    return [
        (name, index)
        for name in CORPUS_NAMES
        for index, _ in enumerate(corpus(name)["two_head_moments"])
    ]


MOMENTS = _moments()  # (corpus, index) of every two-head moment


def _tuple_or(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def literal(value: object, quote: str = "'", style: str = "classic") -> str:
    if value is None:
        return "None"
    if isinstance(value, str):
        plain = value.isprintable() and quote not in value and "\\" not in value
        return f"{quote}{value}{quote}" if plain else repr(value)
    assert isinstance(value, tuple)
    items = [literal(item, quote) for item in value]
    if style == "split" and len(items) > 1:
        return "(\n" + "".join(f"    {item},\n" for item in items) + ")"
    if style == "list":
        return "[" + ", ".join(items) + "]"
    return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"


def render_revision(rev: Rev, style: str = "classic", quote: str = "'", body: str = "") -> str:
    annotations = ANNOTATIONS[style]
    values = {
        "revision": rev.revision,
        "down_revision": rev.down,
        "branch_labels": rev.branch_labels,
        "depends_on": rev.depends_on,
    }
    downs = [rev.down] if isinstance(rev.down, str) else list(rev.down or ())
    header = (
        f'"""{rev.doc}\n\nRevision ID: {rev.revision}\nRevises: {", ".join(downs)}\n'
        'Create Date: 2024-01-01 00:00:00.000000\n\n"""\n'
    )
    imports = "from typing import Sequence, Union\n\n" if annotations else ""
    imports += "from alembic import op\nimport sqlalchemy as sa\n"
    identifiers = "".join(
        f"{key}{': ' + annotations[key] if key in annotations else ''} = "
        f"{literal(values[key], quote, style)}\n"
        for key in KEYS
    )
    code = body or rev.body or "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    return f"{header}{imports}\n\n# revision identifiers, used by Alembic.\n{identifiers}\n\n{code}"


def write_project(
    root: Path,
    revs: Sequence[Rev],
    style: str = "classic",
    quote: str = "'",
    recursive: bool = False,
    ini_extra: str = "",
    ini: bool = True,
) -> Path:
    """A runnable Alembic project in ``root`` (alembic.ini at its top, unless
    not ``ini``: a versions folder beside an env.py)."""
    versions = root / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    extra = "recursive_version_locations = true\n" if recursive else ""
    if ini:
        (root / "alembic.ini").write_text(INI.format(extra=extra + ini_extra))
    (root / "env.py").write_text(ENV_PY)
    shutil.copy(alembic_template(), root / "script.py.mako")
    for rev in revs:
        write_revision(versions, rev, style, quote)
    return root


def committed_project(
    root: Path, revs: Sequence[Rev], message: str = "history", **options: Any
) -> Path:
    """:func:`write_project` in a new git repository, committed."""
    init_repo(root)
    write_project(root, revs, **options)
    commit_all(root, message)
    return root


def write_revision(versions: Path, rev: Rev, style: str = "classic", quote: str = "'") -> Path:
    path = versions / rev.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_revision(rev, style, quote))
    return path


def alembic_template() -> Path:
    import alembic

    return Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"


def alembic_older_than(version: str) -> bool:
    import alembic

    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(".")[:3])

    return parts(alembic.__version__) < parts(version)


def require_alembic(version: str, feature: str) -> None:
    """Skip the test when the installed Alembic predates ``version``, which
    brought ``feature`` (the oldest supported Alembic runs the suite too)."""
    import alembic
    import pytest

    if alembic_older_than(version):
        pytest.skip(f"Alembic {alembic.__version__} predates {feature} (Alembic {version})")


def alembic_answer(root: Path, ini: str = "alembic.ini") -> dict[str, Any]:
    """What real Alembic says of the project at ``root`` (it runs the files)."""
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        script = ScriptDirectory.from_config(Config(str(root / ini)))
        rmap = script.revision_map
        heads = script.get_heads()
        revisions = {rev.revision: rev for rev in rmap._revision_map.values() if rev is not None}
        scripts = list(revisions.values())
        answer = {
            "heads": sorted(heads),
            "effective_heads": sorted(
                rmap._real_heads
            ),  # get_heads(consider_depends_on=True), 1.18.5+
            "bases": sorted(script.get_bases()),
            "branchpoints": sorted(rev.revision for rev in scripts if rev.is_branch_point),
            "mergepoints": sorted(rev.revision for rev in scripts if rev.is_merge_point),
            "label_heads": {
                label: sorted(rmap.filter_for_lineage(heads, label))
                for label in sorted({label for rev in scripts for label in rev._orig_branch_labels})
            },
            "files": sorted(
                os.path.realpath(rev.path) for rev in scripts if isinstance(rev, Script)
            ),
        }
    return answer


def our_answer(root: Path, ini: str = "alembic.ini") -> dict[str, Any]:
    """The same questions, answered by alembic-heads (nothing executed)."""
    from alembic_heads.config import config_files, load_environment
    from alembic_heads.core import read_graph

    env = load_environment(config_files([str(root / ini)], None, root), root)
    graph, findings = read_graph(env, None)
    assert graph is not None and not findings, findings
    return {
        "heads": sorted(graph.heads),
        "effective_heads": sorted(graph.effective_heads),
        "bases": sorted(graph.bases),
        "branchpoints": sorted(graph.branchpoints),
        "mergepoints": sorted(graph.mergepoints),
        "label_heads": {label: sorted(graph.label_heads(label)) for label in sorted(graph.labels)},
        "files": sorted(os.path.realpath(s.path) for s in graph.revisions.values()),
    }


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(argv: Sequence[str], cwd: Path) -> Run:
    """``alembic-heads ARGV`` in-process, in ``cwd``."""
    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:  # argparse
            code = int(exit_.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=check,
    )


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "master")
    return path


def commit_all(path: Path, message: str) -> None:
    git(path, "add", "-A")
    git(path, "commit", "-q", "--no-verify", "-m", message)


def run(cmd: Sequence[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A real process with the test's git identity, output as text."""
    return subprocess.run(
        list(cmd),
        cwd=cwd,
        env={**os.environ, **GIT_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )


PYTHON = sys.executable
ROOT = Path(__file__).parent.parent


def build_wheel(folder: Path) -> Path:
    """This working tree's wheel, built by pip into ``folder``."""
    subprocess.run(
        [PYTHON, "-m", "pip", "wheel", "-q", "--no-deps", "-w", folder, ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = folder.glob("*.whl")
    return wheel


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (but in hidden folders and caches), by relative path."""
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in names:
            path = Path(folder, name)
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def seed_branches(root: Path, conflict: bool = False) -> Path:
    """The seed story, up to its second merge: master has A, B, C and has
    merged dev1 (D on C); dev2 adds E and F on C. With ``conflict`` both
    branches also change ``models.py``, so merging or rebasing dev2 stops."""
    repo = init_repo(root)
    write_project(repo, [Rev("a", doc="A"), Rev("b", "a", "B"), Rev("c", "b", "C")])
    (repo / "models.py").write_text("tables = []\n")
    commit_all(repo, "A B C")
    git(repo, "checkout", "-q", "-b", "dev1")
    write_revision(repo / "versions", Rev("d", "c", "D"))
    if conflict:
        (repo / "models.py").write_text("tables = ['d']\n")
    commit_all(repo, "D")
    git(repo, "checkout", "-q", "-b", "dev2", "master")
    write_revision(repo / "versions", Rev("e", "c", "E"))
    commit_all(repo, "E")
    write_revision(repo / "versions", Rev("f", "e", "F"))
    if conflict:
        (repo / "models.py").write_text("tables = ['f']\n")
    commit_all(repo, "F")
    git(repo, "checkout", "-q", "master")
    git(repo, "merge", "-q", "--no-edit", "dev1")
    return repo


def without_descendants(revs: Sequence[Rev], rev_id: str) -> list[Rev]:
    """``revs`` without ``rev_id`` and every revision above it."""
    children: dict[str, list[str]] = {}
    for rev in revs:
        for down in (rev.down,) if isinstance(rev.down, str) else rev.down or ():
            children.setdefault(down, []).append(rev.revision)
    removed: set[str] = set()
    todo = [rev_id]
    while todo:
        current = todo.pop()
        if current not in removed:
            removed.add(current)
            todo.extend(children.get(current, []))
    return [rev for rev in revs if rev.revision not in removed]


def write_pre_commit_config(
    project: Path, hook_repo: tuple[Path, str], hook_ids: Sequence[str]
) -> None:
    """``.pre-commit-config.yaml`` with ``hook_ids`` of the hook repository under test."""
    repo, sha = hook_repo
    hooks = "".join(f"    -   id: {hook_id}\n" for hook_id in hook_ids)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {repo}\n    rev: {sha}\n    hooks:\n{hooks}"
    )


# The `pre_commit` fixture: run some of our hooks on a project, all files.
PreCommit = Callable[[Path, Sequence[str]], "subprocess.CompletedProcess[str]"]


# env.py of a project whose migrations run on a real database: the URL from
# $DATABASE_URL, else sqlalchemy.url; offline (--sql) as Alembic's template.
DATABASE_ENV_PY = """\
import os

from alembic import context
from sqlalchemy import create_engine

config = context.config
url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
"""


def table_rev(revision: str, down: str | tuple[str, ...] | None, doc: str) -> Rev:
    """A revision whose upgrade creates table ``t_<revision>`` and whose downgrade drops it."""
    body = (
        f"def upgrade():\n    op.create_table('t_{revision}', sa.Column('id', sa.Integer))\n\n\n"
        f"def downgrade():\n    op.drop_table('t_{revision}')\n"
    )
    return Rev(revision, down, doc, body=body)


def database_project(root: Path, revs: Sequence[Rev]) -> Path:
    """:func:`committed_project` whose migrations run on a database (``test.db``
    by default, ignored by git)."""
    init_repo(root)
    write_project(root, revs)
    (root / "env.py").write_text(DATABASE_ENV_PY)
    (root / ".gitignore").write_text("test.db\n")
    commit_all(root, "history")
    return root


def alembic(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Real ``alembic ARGS`` in ``cwd``, with this interpreter."""
    return run([PYTHON, "-m", "alembic", *args], cwd, **env)
