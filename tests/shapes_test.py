"""``check --single-base`` and ``check --linear``: one base, and no merge revisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import Rev, alembic_answer, run_cli, write_project

TRAIN = [Rev("a1", None, "first"), Rev("b2", "a1", "second"), Rev("c3", "b2", "third")]
# Two bases joined by a merge revision: one head, so plain `check` passes.
JOINED = [
    Rev("a1", None, "users"),
    Rev("x9", None, "billing"),
    Rev("b2", "a1", "email"),
    Rev("m3", ("b2", "x9"), "join"),
]


def test_a_train_passes_every_shape(tmp_path: Path) -> None:
    write_project(tmp_path, TRAIN)

    for option in ("--single-base", "--linear"):
        result = run_cli(["check", option], tmp_path)
        assert (result.code, result.out, result.err) == (0, "", "")


def test_single_base_flags_each_base_as_alembic_sees_them(tmp_path: Path) -> None:
    write_project(tmp_path, JOINED)

    plain = run_cli(["check"], tmp_path)
    result = run_cli(["check", "--single-base"], tmp_path)

    assert (plain.code, plain.out) == (0, "")
    assert result.code == 1
    assert result.out == (
        "versions/a1_users.py:14: revision a1 is one of 2 bases (a1, x9): --single-base "
        "allows one\n"
        "    set its down_revision to the revision it follows, so that the history starts "
        "from one place\n"
        "versions/x9_billing.py:14: revision x9 is one of 2 bases (a1, x9): --single-base "
        "allows one\n"
        "    set its down_revision to the revision it follows, so that the history starts "
        "from one place\n"
    )
    assert alembic_answer(tmp_path)["bases"] == ["a1", "x9"]


def test_linear_flags_bases_and_merge_revisions_as_alembic_sees_them(tmp_path: Path) -> None:
    write_project(tmp_path, JOINED)

    result = run_cli(["check", "--linear", "--format", "json"], tmp_path)

    findings = json.loads(result.out)["graphs"][0]["findings"]
    assert result.code == 1
    assert [(f["id"], f["path"], f["line"]) for f in findings] == [
        ("multiple-bases", "versions/a1_users.py", 14),
        ("merge-revision", "versions/m3_join.py", 14),
        ("multiple-bases", "versions/x9_billing.py", 14),
    ]
    assert findings[1]["message"] == "revision m3 merges b2, x9: --linear allows no merge revisions"
    assert findings[1]["hint"] == (
        "instead of merging, move one branch onto the other (alembic-heads rebase), "
        "then delete this revision"
    )
    assert alembic_answer(tmp_path)["mergepoints"] == ["m3"]


@pytest.mark.parametrize("option", ["--single-base", "--linear"])
def test_a_graph_that_cannot_be_read_reports_that_alone(tmp_path: Path, option: str) -> None:
    write_project(tmp_path, [*JOINED, Rev("d4", "zz", "lost")])

    result = run_cli(["check", option], tmp_path)

    assert result.code == 1
    assert "bases" not in result.out
    assert result.out.startswith("versions/d4_lost.py:14: down_revision 'zz' of revision d4")
