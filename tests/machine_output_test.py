"""``check --format json`` against the shipped schema, and GitHub annotations."""

from __future__ import annotations

import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from alembic_heads import __version__
from helpers import Rev, build_wheel, git, run_cli, seed_branches, write_project

SPLIT = [
    Rev("a1", None, "create users"),
    Rev("b2", "a1", "add email"),
    Rev("c3", "a1", "add orders"),
]


def schema() -> dict[str, Any]:
    text = resources.files("alembic_heads").joinpath("schema/check-v1.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def check_json(cwd: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(["check", "--format", "json", *argv], cwd)
    document: dict[str, Any] = json.loads(result.out)
    jsonschema.validate(document, schema(), cls=jsonschema.Draft202012Validator)
    return result.code, document


def test_two_heads_as_json(tmp_path: Path) -> None:
    write_project(tmp_path, SPLIT)

    code, document = check_json(tmp_path)

    assert code == 1
    assert document == {
        "version": 1,
        "tool": {"name": "alembic-heads", "version": __version__},
        "ok": False,
        "graphs": [
            {
                "name": "alembic.ini",
                "config": "alembic.ini",
                "section": "alembic",
                "ok": False,
                "heads": [
                    {
                        "revision": "b2",
                        "path": "versions/b2_add_email.py",
                        "line": 13,
                        "message": "add email",
                    },
                    {
                        "revision": "c3",
                        "path": "versions/c3_add_orders.py",
                        "line": 13,
                        "message": "add orders",
                    },
                ],
                "findings": [
                    {
                        "id": "multiple-heads",
                        "path": "versions/b2_add_email.py",
                        "line": 13,
                        "message": "alembic.ini: Multiple head revisions are present: 2 heads, "
                        "`alembic upgrade head` will fail",
                        "hint": "merge them into one head",
                        "commands": ["alembic merge -m 'merge b2 and c3' b2 c3"],
                        "heads": ["b2", "c3"],
                        "branch": None,
                    }
                ],
            }
        ],
    }


def test_one_head_is_ok_and_exits_0(tmp_path: Path) -> None:
    write_project(tmp_path, SPLIT[:2])

    code, document = check_json(tmp_path)

    assert code == 0
    assert document["ok"] is True
    assert document["graphs"][0]["findings"] == []
    assert [head["revision"] for head in document["graphs"][0]["heads"]] == ["b2"]


def test_unreadable_files_and_folder_graphs(tmp_path: Path) -> None:
    for app in ("one", "two"):
        write_project(tmp_path / app, SPLIT[:2], ini=False)
    (tmp_path / "one" / "versions" / "b2_add_email.py").write_text("<<<<<<< HEAD\n")

    code, document = check_json(tmp_path)

    assert code == 1
    assert [(g["name"], g["config"], g["section"], g["ok"]) for g in document["graphs"]] == [
        ("one/versions", None, None, False),
        ("two/versions", None, None, True),
    ]
    assert document["graphs"][0]["heads"] == []
    assert document["graphs"][0]["findings"] == [
        {
            "id": "conflict-marker",
            "path": "one/versions/b2_add_email.py",
            "line": 1,
            "message": "unresolved merge conflict marker '<<<<<<<'",
            "hint": "resolve the conflict in this file, then stage it",
            "commands": [],
        }
    ]


def test_a_head_outside_the_labelled_branches_has_no_merge_command(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        [
            Rev("a1", None, "base", branch_labels="expand"),
            Rev("b2", "a1", "expand more"),
            Rev("c3", None, "stray base"),
        ],
    )

    _, document = check_json(tmp_path)

    (finding,) = document["graphs"][0]["findings"]
    assert finding["commands"] == []
    assert finding["heads"] == ["c3"]
    assert finding["hint"].startswith("every head must be on a labelled branch (expand)")


def test_labelled_branch_with_two_heads_names_the_branch(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        [
            Rev("a1", None, "base", branch_labels="expand"),
            Rev("b2", "a1", "one"),
            Rev("c3", "a1", "two"),
        ],
    )

    _, document = check_json(tmp_path)

    assert [f["branch"] for f in document["graphs"][0]["findings"]] == ["expand"]


def test_github_annotations_in_github_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, [*SPLIT, Rev("d4", "zz", "50% done, really: yes")])
    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    result = run_cli(["check"], tmp_path)

    assert result.code == 1
    assert result.out.splitlines()[-1:] == [
        "::error file=versions/d4_50%25_done%2C_really%3A_yes.py,line=14,"
        "title=alembic-heads%3A missing-down-revision::down_revision 'zz' of revision d4 "
        "names a revision that does not exist%0Arestore the missing revision file, or point "
        "down_revision at an existing revision",
    ]
    (tmp_path / "versions" / "d4_50%_done,_really:_yes.py").unlink()
    headline = (
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail"
    )
    assert run_cli(["check"], tmp_path).out.splitlines()[-2:] == [
        f"::error file=versions/{name},line=13,title=alembic-heads%3A multiple-heads::"
        f"{headline}%0Amerge them into one head%0Aalembic merge -m 'merge b2 and c3' b2 c3"
        for name in ("b2_add_email.py", "c3_add_orders.py")
    ]
    assert "::error" not in run_cli(["check", "--format", "json"], tmp_path).out
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert "::error" not in run_cli(["check"], tmp_path).out


def test_the_schema_ships_in_the_wheel(tmp_path: Path) -> None:
    with zipfile.ZipFile(build_wheel(tmp_path)) as archive:
        assert "alembic_heads/schema/check-v1.json" in archive.namelist()


def test_github_annotations_name_files_from_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a subfolder (the action's ``working-directory``), annotations
    still name files as GitHub does: from ``GITHUB_WORKSPACE``."""
    project = write_project(tmp_path / "backend", SPLIT)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))

    result = run_cli(["check"], project)

    assert [line.split("::")[1] for line in result.out.splitlines() if "::" in line] == [
        f"error file=backend/versions/{name},line=13,title=alembic-heads%3A multiple-heads"
        for name in ("b2_add_email.py", "c3_add_orders.py")
    ]


def test_github_annotations_keep_the_name_of_a_file_only_ref_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = seed_branches(tmp_path / "repo")
    git(repo, "checkout", "-q", "dev2")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))

    result = run_cli(["check", "--against", "master"], repo)

    assert [line.split("::")[1] for line in result.out.splitlines() if "::" in line] == [
        f"error file={name},line=13,title=alembic-heads%3A multiple-heads"
        for name in ("master%3Aversions/d_D.py", "versions/f_F.py")
    ]
