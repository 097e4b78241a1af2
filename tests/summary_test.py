"""``check --summary FILE``: the Markdown a GitHub job summary shows."""

from __future__ import annotations

from pathlib import Path

from alembic_heads.summary import fenced
from helpers import Rev, git, run_cli, seed_branches, write_project

SPLIT = [Rev("a1", None, "create users"), Rev("b2", "a1", "add email"), Rev("c3", "a1", "orders")]


def test_a_second_head_once_merged(tmp_path: Path) -> None:
    repo = seed_branches(tmp_path / "repo")
    git(repo, "checkout", "-q", "dev2")
    summary = tmp_path / "summary.md"
    summary.write_text("written by an earlier step\n")

    result = run_cli(["check", "--against", "master", "--summary", str(summary)], repo)

    assert result.code == 1
    assert summary.read_text() == (
        "written by an earlier step\n"
        "## alembic-heads\n"
        "\n"
        "### `alembic.ini`, merged with `master`\n"
        "\n"
        "```mermaid\n"
        "flowchart TD\n"
        '    n0["d (head)<br/>D"]\n'
        '    n1["f (head)<br/>F"]\n'
        '    n2["e<br/>E"]\n'
        '    n3["c (branchpoint)<br/>C"]\n'
        "    n0 --> n3\n"
        "    n1 --> n2\n"
        "    n2 --> n3\n"
        "    classDef head stroke-width:3px,stroke:#c00\n"
        "    class n0,n1 head\n"
        "```\n"
        "\n"
        "Fix it with:\n"
        "\n"
        "```sh\n"
        "alembic merge -m 'merge d and f' d f\n"
        "```\n"
        "\n"
        "```text\n"
        f"{result.out.rstrip()}\n"
        "```\n"
    )
    assert "new on this branch: e, f\n" in result.out


def test_healthy_graphs_say_so_with_their_heads(tmp_path: Path) -> None:
    write_project(tmp_path / "app", [Rev("a1", None, "create *users*")], ini=False)
    (tmp_path / "empty" / "versions").mkdir(parents=True)
    (tmp_path / "empty" / "env.py").write_text("")
    summary = tmp_path / "summary.md"

    result = run_cli(["check", "--summary", "summary.md"], tmp_path)

    assert (result.code, result.out, result.err) == (0, "", "")
    assert summary.read_text() == (
        "## alembic-heads\n"
        "\n"
        "Every revision graph is healthy:\n"
        "\n"
        "- `app/versions`: head `a1` create \\*users\\*, in `app/versions/a1_create_*users*.py`\n"
        "- `empty/versions`: no revisions\n"
    )


def test_findings_without_a_merge_have_no_fix_block(tmp_path: Path) -> None:
    write_project(tmp_path, [*SPLIT[:2], Rev("d4", "zz", "lost")])

    result = run_cli(["check", "--summary", "summary.md"], tmp_path)

    assert result.code == 1
    assert (tmp_path / "summary.md").read_text() == (
        f"## alembic-heads\n\n### `alembic.ini`\n\n```text\n{result.out.rstrip()}\n```\n"
    )


def test_a_check_that_cannot_run_says_so(tmp_path: Path) -> None:
    result = run_cli(["check", "--summary", "summary.md"], tmp_path)

    assert result.code == 2
    assert (tmp_path / "summary.md").read_text() == (
        f"## alembic-heads\n\nThe check could not run:\n\n```text\n{result.err.rstrip()}\n```\n"
    )


def test_a_summary_that_cannot_be_written_is_one_line_on_stderr(tmp_path: Path) -> None:
    write_project(tmp_path, SPLIT)
    (tmp_path / "summary.md").mkdir()

    result = run_cli(["check", "--summary", "summary.md"], tmp_path)

    assert (result.code, result.out) == (2, "")
    assert result.err == "alembic-heads: summary.md: cannot write the summary: Is a directory\n"


def test_no_text_closes_its_fence() -> None:
    assert fenced("text", "plain\n") == "```text\nplain\n```"
    assert fenced("text", "a ``` b ```` c") == "`````text\na ``` b ```` c\n`````"


def test_backticks_in_names_stay_inside_their_code_span(tmp_path: Path) -> None:
    write_project(tmp_path, [Rev("a1", None, "`x`")])

    run_cli(["check", "--summary", "summary.md"], tmp_path)

    assert (tmp_path / "summary.md").read_text().splitlines()[-1] == (
        "- `alembic.ini`: head `a1` \\`x\\`, in ``versions/a1_`x`.py``"
    )
