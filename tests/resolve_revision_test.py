"""A revision argument names what Alembic's ``get_revisions`` names, with
real Alembic as the oracle on the same files."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from alembic_heads.config import config_files, load_environment
from alembic_heads.core import read_graph
from alembic_heads.findings import UsageError
from alembic_heads.graph import Graph, resolve_revision
from helpers import Rev, run_cli, write_project

# Ids of eight characters and of two (too short for a partial match), labels
# one can shorten, a prefix two ids share, a label and an id sharing a start,
# a head another revision depends on (not one of `heads`).
HISTORY = [
    Rev("a1b2c3d4", None, "create users", branch_labels="core"),
    Rev("a1b2ffff", "a1b2c3d4", "add email"),
    Rev("c3", "a1b2ffff", "add orders"),
    Rev("d4e5f6a7", "a1b2ffff", "add prices", branch_labels="feature"),
    Rev("e5", "d4e5f6a7", "add taxes", branch_labels="d4e5x"),
    Rev("f6a7b8c9", "c3", "add refunds", depends_on="e5"),
]

IDENTS = [
    "a1b2c3d4",
    "a1b2",
    "a1b2f",
    "a",
    "c3",
    "c",
    "b",
    "zz",
    "zzzzz",
    "core",
    "feat",
    "d4e5",
    "heads",
    "head",
    "base",
    "core@head",
    "core@heads",
    "core@base",
    "feature@head",
    "feature@heads",
    "feature@e5",
    "feature@c3",
    "feature@d4e5",
    "feature@f6a7",
    "nope@e5",
    "nope@head",
    "nope@heads",
    "d4e5f6a7@head",
    "a1b2f@heads",
    "c3@head",
    "@head",
    "base@heads",
    "heads@head",
    "feature@base",
]


def _alembic(root: Path, ident: str) -> tuple[str, object]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        revision_map = ScriptDirectory.from_config(Config(str(root / "alembic.ini"))).revision_map
        try:
            found = revision_map.get_revisions(ident)
        except RevisionError as error:
            return "error", _as_ours(str(error))
    return "ok", [getattr(rev, "revision", rev) for rev in found if rev is not None]


def _as_ours(message: str) -> str:
    """Alembic's message as a sentence of ours: lower case first, and the
    advice on short ids in our words."""
    advice = "please ensure at least four characters are present for partial revision identifier"
    message = message.replace(f"{advice} matches", "give at least four characters of a revision id")
    return message[0].lower() + message[1:]


def _ours(graph: Graph, ident: str) -> tuple[str, object]:
    try:
        return "ok", resolve_revision(graph, ident)
    except UsageError as error:
        return "error", str(error)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    root = write_project(tmp_path_factory.mktemp("resolve"), HISTORY)
    env = load_environment(config_files([str(root / "alembic.ini")], None, root), root)
    graph, findings = read_graph(env, None)
    assert graph is not None and not findings
    return root, graph


@pytest.mark.parametrize("ident", IDENTS)
def test_as_alembic_resolves_it(project: tuple[Path, Graph], ident: str) -> None:
    root, graph = project

    assert _ours(graph, ident) == _alembic(root, ident)


def test_the_cases_that_matter_answer_as_expected(project: tuple[Path, Graph]) -> None:
    """What the oracle said, spelled out for the cases the commands meet."""
    _, graph = project

    assert resolve_revision(graph, "a1b2f") == ["a1b2ffff"]
    assert resolve_revision(graph, "feat") == ["d4e5f6a7"]
    assert resolve_revision(graph, "heads") == ["f6a7b8c9"]
    assert resolve_revision(graph, "feature@head") == ["e5"]
    assert _ours(graph, "a1b2") == (
        "error",
        "multiple revisions start with 'a1b2': 'a1b2c3d4', 'a1b2ffff'...",
    )
    assert _ours(graph, "d4e5") == (
        "error",
        "multiple revisions start with 'd4e5': 'd4e5f6a7', 'd4e5x'...",
    )
    assert resolve_revision(graph, "c") == ["a1b2c3d4"]  # the start of the label core
    assert _ours(graph, "b") == (
        "error",
        "no such revision or branch 'b'; give at least four characters of a revision id",
    )


def test_what_alembic_cannot_answer_is_one_clear_line(project: tuple[Path, Graph]) -> None:
    """Alembic fails an assertion on an empty identifier; a relative one
    (``-1``) walks from the heads, which a command here does not do."""
    _, graph = project

    assert _ours(graph, "") == (
        "error",
        "no such revision or branch ''; give at least four characters of a revision id",
    )
    assert _ours(graph, "core@-1") == (
        "error",
        "core@-1: a relative revision (-N) cannot be resolved here",
    )


def test_merge_takes_what_alembic_takes(tmp_path: Path) -> None:
    write_project(tmp_path, HISTORY)

    ambiguous = run_cli(["merge", "a1b2", "e5"], tmp_path)
    short = run_cli(["merge", "b", "e5"], tmp_path)
    label = run_cli(["merge", "feature@head", "c3@head", "--message", "join"], tmp_path)

    assert (ambiguous.code, ambiguous.out) == (2, "")
    assert ambiguous.err == (
        "alembic-heads: multiple revisions start with 'a1b2': 'a1b2c3d4', 'a1b2ffff'...\n"
    )
    assert (short.code, short.out) == (2, "")
    assert short.err == (
        "alembic-heads: no such revision or branch 'b'; give at least four characters "
        "of a revision id\n"
    )
    assert label.code == 0, label.err
