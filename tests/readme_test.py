"""Every fenced code block of the documentation is exercised: configuration is
parsed and validated (the main snippet run with real pre-commit), commands are
run or parsed by the real parser, Python is executed, and shown output is what
the command prints (here, or in the test named for it). The option tables are
the parsers' options, the findings table the finding ids of the code, the
environment table the variables the code reads.

A block no check claims fails ``test_every_block_is_claimed_by_a_check``: add
its check below."""

from __future__ import annotations

import ast
import configparser
import os
import re
import shlex
import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from alembic_heads import __version__
from helpers import (
    PYTHON,
    ROOT,
    Rev,
    commit_all,
    committed_project,
    database_project,
    git,
    init_repo,
    render_revision,
    run,
    run_cli,
    seed_branches,
    table_rev,
    write_project,
    write_revision,
)
from roundtrip_test import HARD_CODED_ENV_PY  # an env.py that connects elsewhere

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DOCUMENTS = ("README.md", "CONTRIBUTING.md", "docs/ci.md", "docs/json.md", "docs/speed.md")
REPO_URL = "https://github.com/alembic-heads/alembic-heads"
TAG = f"v{__version__}"


class Block(NamedTuple):
    document: str
    line: int
    info: str
    text: str

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]

    @property
    def key(self) -> str:
        return f"{self.document}:{self.line}:{self.info or 'text'}"


def fenced_blocks(document: str) -> list[Block]:
    """The fenced code blocks of a Markdown file, as CommonMark reads them (a
    backtick fence's info string holds no backtick, so ```` ```sh ```` in a
    line of text is inline code)."""
    blocks = []
    lines = (ROOT / document).read_text().split("\n")
    index = 0
    while index < len(lines):
        opening = re.fullmatch(r"(`{3,})([^`]*)", lines[index])
        if opening is None:
            index += 1
            continue
        fence, start = opening.group(1), index
        index += 1
        while not re.fullmatch(f"{fence}`*\\s*", lines[index]):
            index += 1
        text = "\n".join(lines[start + 1 : index]) + "\n"
        blocks.append(Block(document, start + 1, opening.group(2).strip(), text))
        index += 1
    return blocks


ALL_BLOCKS = [block for document in DOCUMENTS for block in fenced_blocks(document)]


def section(document: str, heading: str) -> str:
    """The text under ``heading`` (a whole heading line), up to the next heading
    of the same or a higher level (a ``#`` in a code block is no heading)."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = (ROOT / document).read_text().split("\n")
    start = lines.index(heading) + 1
    fenced = False
    for index in range(start, len(lines)):
        line = lines[index]
        if line.startswith("```"):
            fenced = not fenced
        heading_level = len(line) - len(line.lstrip("#"))
        if not fenced and 0 < heading_level <= level and line[heading_level:].startswith(" "):
            return "\n".join(lines[start:index])
    return "\n".join(lines[start:])


# -- What shown output is compared with -------------------------------------


def assert_excerpt(shown: str, real: str) -> None:
    """``shown`` is ``real``, or, where it has a line ``...``, ``real`` with
    lines left out there."""
    parts = [part.strip("\n") for part in re.split(r"^\.\.\.\n", shown, flags=re.M)]
    if len(parts) == 1:
        assert shown == real
        return
    position = 0
    for part in parts:
        if part:
            found = real.find(part + "\n", position)
            assert found >= 0, f"{part!r} not in\n{real}"
            position = found + len(part)


def string_constants(test_module: str) -> list[str]:
    """Every string a test module writes (adjacent literals joined, as Python
    joins them)."""
    tree = ast.parse((ROOT / "tests" / test_module).read_text())
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def asserted_by(test_module: str, replace: tuple[tuple[str, str], ...] = ()) -> Checker:
    """The block's output (its ``$`` lines left out) is a string the test module
    asserts: that test runs it."""

    def check(block: Block, tmp_path: Path) -> None:
        shown = "".join(line for line in block.text.splitlines(True) if not line.startswith("$"))
        for old, new in replace:
            shown = shown.replace(old, new)
        assert any(shown in constant for constant in string_constants(test_module)), shown

    return check


def checked_by(test: str) -> Checker:
    """A test that reads README itself (``tests/x_test.py::test_name``)."""

    def check(block: Block, tmp_path: Path) -> None:
        module, name = test.split("::")
        source = (ROOT / "tests" / module).read_text()
        function = source.split(f"\ndef {name}(", 1)[1].split("\ndef ", 1)[0]
        assert '"README.md"' in function

    return check


# -- Commands ---------------------------------------------------------------

CI_RUN = (ROOT / ".ci" / "run").read_text()
# What a CI variable stands for when a documented command is run here.
VARIABLES = {
    "${{ github.base_ref }}": "main",
    "$BASE": "main",
    "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
}


def words(command: str, summary: Path) -> list[str]:
    for name, value in VARIABLES.items():
        command = command.replace(name, value)
    command = command.replace("$GITHUB_STEP_SUMMARY", str(summary))
    return shlex.split(command, comments=True)


def example_repository(tmp_path: Path) -> Path:
    """The bundled example, committed in a repository of its own with a
    ``main`` branch on an ``origin``."""
    origin = tmp_path / "origin"
    shutil.copytree(ROOT / "example", origin)
    init_repo(origin)
    commit_all(origin, "example")
    git(origin, "branch", "-q", "main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", str(origin), str(clone))
    return clone


def assert_parsed_by_the_command(argv: list[str], cwd: Path) -> Any:
    """Run ``alembic-heads ARGV`` for real: argparse took every argument
    (its errors print a usage line), and the run ended as a command ends."""
    result = run_cli(argv, cwd)
    assert "usage:" not in result.err, (argv, result.err)
    assert result.code in (0, 1) or result.err.startswith("alembic-heads: "), (argv, result)
    return result


def check_command(command: str, tmp_path: Path) -> None:
    """One documented command line, run or checked as far as it can be here."""
    argv = words(command.split(" | ")[0], tmp_path / "summary.md")
    program, args = argv[0], argv[1:]
    if program == "alembic-heads":
        repo = tmp_path / "clone"
        if not repo.exists():
            repo = example_repository(tmp_path)
        assert_parsed_by_the_command(args, repo)
    elif program == "pre-commit":
        assert args[0] == "install"
        repo = tmp_path / "installed"
        if not repo.exists():
            init_repo(repo)
        done = run([PYTHON, "-m", "pre_commit", *args], repo)
        assert done.returncode == 0, done.stdout + done.stderr
        for hook_type in args[2::2]:
            assert (repo / ".git" / "hooks" / hook_type).is_file()
    elif program == "pip":
        assert args == ["install", f"alembic-heads @ git+{REPO_URL}@{TAG}"]
    elif program == "git":
        repo = tmp_path / "clone"
        if not repo.exists():
            repo = example_repository(tmp_path)
        done = git(repo, *args)
        assert done.returncode == 0
    else:
        check_development_command(command)


def check_development_command(command: str) -> None:
    """Commands of the development set-up: each is what CI runs, or names
    options, markers and sessions that exist."""
    for part in command.split(" && "):
        part = part.split("  #", 1)[0].strip()
        argv = shlex.split(part)
        if argv[:2] == ["python3", "-m"] or argv[0] in (".venv/bin/mypy", ".venv/bin/ruff"):
            assert part in CI_RUN or f"{part}\n" in (ROOT / "noxfile.py").read_text(), part
        elif argv[0].endswith("/pip"):
            assert argv[1:] in (
                ["install", "-q", "-e", ".[test]"],
                ["install", "-q", "pre-commit"],
                ["install", "-q", "nox"],
            ), part
        elif argv[0].endswith("/pre-commit"):
            # .ci/run runs it from the wheel and expects README's report (exit 1)
            assert f'pre-commit" {shlex.join(argv[1:])}' in CI_RUN, part
        elif argv[:3] == [".venv/bin/python", "-m", "pytest"]:
            assert_pytest_arguments(argv[3:])
        elif argv[0] == ".ci/nox/bin/nox":
            sessions = re.findall(r"^def (\w+)\(session", (ROOT / "noxfile.py").read_text(), re.M)
            for name in argv[argv.index("-s") + 1 :][:1] if "-s" in argv else ():
                assert name.split("-")[0] in sessions, name
        elif argv[-1].endswith("benchmark.py") or any(a.endswith("benchmark.py") for a in argv):
            assert_benchmark_options(argv)
        else:
            raise AssertionError(f"no check for the command {part!r}")


def assert_pytest_arguments(args: list[str]) -> None:
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    known = {m.split(":")[0] for m in markers["ini_options"]["markers"]}
    for flag, value in zip(args, [*args[1:], ""], strict=True):
        if flag == "-m":
            assert value.replace("not ", "") in known
        elif flag.startswith("-"):
            assert flag in ("--cov", "--cov-fail-under=95", "-x", "-m"), flag


def assert_benchmark_options(argv: list[str]) -> None:
    script = next(a for a in argv if a.endswith("benchmark.py"))
    helped = run([PYTHON, str(ROOT / "tests" / Path(script).name), "--help"], ROOT)
    assert helped.returncode == 0, helped.stderr
    for option in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", shlex.join(argv)):
        assert option in helped.stdout, option


def check_shell(block: Block, tmp_path: Path) -> None:
    for line in block.text.splitlines():
        if line.strip():
            check_command(line, tmp_path)


# -- Configuration ----------------------------------------------------------


def manifest() -> dict[str, dict[str, Any]]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return {hook["id"]: hook for hook in hooks}


def assert_valid_pre_commit_config(config: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    done = run([PYTHON, "-m", "pre_commit", "validate-config", str(path)], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def check_hooks(hooks: list[dict[str, Any]], tmp_path: Path) -> None:
    """Each hook is one of ours (or the documented local round trip), and its
    ``args`` are taken by its command's real parser."""
    ours = manifest()
    project = committed_project(tmp_path / "hooks", [Rev("a1a1a1a1a1a1", None, "a")])
    for hook in hooks:
        if hook["id"] in ours:
            entry = ours[hook["id"]]["entry"]
        else:
            assert hook["id"] == "alembic-roundtrip" and hook["language"] == "system", hook
            entry = hook["entry"]
        assert entry.startswith("alembic-heads ")
        argv = [*entry.split()[1:], *[str(arg) for arg in hook.get("args", [])]]
        if argv[0] != "roundtrip":  # runs env.py: checked in real pre-commit elsewhere
            assert_parsed_by_the_command(argv, project)


def check_yaml(block: Block, tmp_path: Path) -> None:
    data = yaml.safe_load(textwrap.dedent(block.text))
    if isinstance(data, list) and all("repo" in repo for repo in data):
        data = {"repos": data}  # the entries of `repos:`
    if isinstance(data, dict) and "repos" in data:
        assert_valid_pre_commit_config(data, tmp_path)
        for repo in data["repos"]:
            if repo["repo"] != "local":
                assert (repo["repo"], repo["rev"]) == (REPO_URL, TAG)
            check_hooks(repo["hooks"], tmp_path)
    elif isinstance(data, dict) and set(data) == {"default_install_hook_types"}:
        assert_valid_pre_commit_config({"repos": [], **data}, tmp_path)
    elif isinstance(data, dict) and set(data) == {"hooks"}:
        check_hooks(data["hooks"], tmp_path)
    elif isinstance(data, list) and all("id" in hook for hook in data):
        check_hooks(data, tmp_path)
    elif isinstance(data, dict) and "jobs" in data:  # a GitHub workflow
        for job in data["jobs"].values():
            check_steps(job["steps"], tmp_path)
    elif isinstance(data, list):  # GitHub workflow steps
        check_steps(data, tmp_path)
    else:  # a GitLab CI job
        (job,) = data.values()
        for command in job["script"]:
            check_command(command, tmp_path)


def check_steps(steps: list[dict[str, Any]], tmp_path: Path) -> None:
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    for step in steps:
        if step.get("uses", "").startswith("alembic-heads/"):
            assert step["uses"] == f"alembic-heads/alembic-heads@{TAG}"
            assert set(step.get("with", {})) <= set(inputs)
            args = shlex.split(step["with"].get("args", ""))
            repo = example_repository(tmp_path / "action")
            assert_parsed_by_the_command(["check", *args], repo)
        elif "run" in step:
            check_command(step["run"], tmp_path)
        else:
            assert step["uses"].startswith("actions/checkout@"), step


def check_toml(block: Block, tmp_path: Path) -> None:
    data = tomllib.loads(block.text)
    if "alembic" in data["tool"]:  # README's post-write hook, as post_write_test runs it
        assert block.text.strip() in "".join(string_constants("post_write_test.py"))
        return
    options = data["tool"]["pytest"]["ini_options"]
    helped = run([PYTHON, "-m", "pytest", "--help", "-p", "no:cacheprovider"], tmp_path)
    registered = re.findall(r"^  (alembic_heads_\w+) ", helped.stdout, re.M)
    assert set(options) <= set(registered), (options, registered)


def check_ini(block: Block, tmp_path: Path) -> None:
    parser = configparser.ConfigParser()
    parser.read_string(block.text)
    hooks = parser["post_write_hooks"]
    assert hooks["alembic_heads.entrypoint"] == "alembic-heads-post-write"
    assert any(block.text in constant for constant in string_constants("post_write_test.py"))


def check_json(block: Block, tmp_path: Path) -> None:
    """The document shown is what ``check --format json`` prints on the project
    it describes, and what its schema allows."""
    import json

    import jsonschema

    project = committed_project(tmp_path, HEADS_B2_C3)
    result = run_cli(["check", "--format", "json"], project)
    shown = json.loads(block.text)
    schema = json.loads((ROOT / "hooks/alembic_heads/schema/check-v1.json").read_text())
    jsonschema.validate(shown, schema)
    assert (result.code, shown) == (1, json.loads(result.out))


HEADS_B2_C3 = [
    Rev("a1", None, "create users"),
    Rev("b2", "a1", "add email"),
    Rev("c3", "a1", "add phone"),
]

# -- Python blocks and shown output, by their first line --------------------

Checker = Callable[[Block, Path], None]


def expand_project(tmp_path: Path, code: str) -> Path:
    """Branch labels named by a constant of the project's own package, the
    revision file written with README's lines."""
    root = committed_project(tmp_path, [])
    package = root / "myapp" / "db" / "migration"
    package.mkdir(parents=True)
    for folder in (root / "myapp", root / "myapp" / "db", package):
        (folder / "__init__.py").write_text("")
    (package / "cli.py").write_text('EXPAND_BRANCH = "expand"\n')
    base = render_revision(Rev("a1a1a1a1a1a1", None, "create users"))
    import_line, _, labels_line = code.strip().split("\n")
    base = base.replace("import sqlalchemy as sa\n", f"import sqlalchemy as sa\n{import_line}\n")
    base = base.replace("branch_labels = None\n", f"{labels_line}\n")
    (root / "versions" / "a1a1a1a1a1a1_create_users.py").write_text(base)
    write_revision(root / "versions", Rev("b2b2b2b2b2b2", "a1a1a1a1a1a1", "add email"))
    write_revision(root / "versions", Rev("c3c3c3c3c3c3", "a1a1a1a1a1a1", "add phone"))
    commit_all(root, "expand")
    return root


def check_branch_label_constant(block: Block, tmp_path: Path) -> None:
    root = expand_project(tmp_path, block.text)
    result = run_cli(["check"], root)
    shown = next(b for b in ALL_BLOCKS if b.first_line.startswith(EXPAND_REPORT))
    assert result.code == 1
    assert_excerpt(shown.text, result.out)


EXPAND_REPORT = "alembic.ini: Multiple head revisions are present on branch 'expand'"


def check_expand_report(block: Block, tmp_path: Path) -> None:
    code = next(b for b in ALL_BLOCKS if b.first_line.startswith("from myapp.db.migration"))
    check_branch_label_constant(code, tmp_path)


def check_irreversible_comment(block: Block, tmp_path: Path) -> None:
    body = "def upgrade():\n    op.drop_column('orders', 'total')\n\n\n" + block.text
    root = write_project(tmp_path, [Rev("a1a1a1a1a1a1", None, "drop total", body=body)])
    result = run_cli(["downgrade"], root)
    assert (result.code, result.out, result.err) == (0, "", "")


def check_try_it_report(block: Block, tmp_path: Path) -> None:
    result = run([PYTHON, "-m", "alembic_heads", "check"], ROOT, NO_COLOR="1")
    assert result.returncode == 1
    assert block.text.split("- exit code: 1\n\n", 1)[1] == result.stdout


def check_head_txt(block: Block, tmp_path: Path) -> None:
    root = committed_project(tmp_path, [Rev("f6f6f6f6f6f6", None, "first")])
    result = run_cli(["head-file"], root)
    assert result.code == 1
    assert (root / "head.txt").read_text() == block.text


def check_message_report(block: Block, tmp_path: Path) -> None:
    revs = [
        Rev("0ec979123ba4", None, "empty message", file="0ec979123ba4_.py"),
        Rev("d4c1e2f3a4b5", "0ec979123ba4", "WIP.", file="d4c1e2f3a4b5_wip.py"),
    ]
    result = run_cli(["message"], committed_project(tmp_path, revs))
    assert (result.code, result.out) == (1, block.text)


def check_downgrade_report(block: Block, tmp_path: Path) -> None:
    adds = "def upgrade():\n    op.add_column('users', sa.Column('{0}', sa.String()))\n"
    revs = [
        Rev("1f2e3d4c5b6a", None, "add email", body=adds.format("email") + EMPTY_DOWNGRADE),
        Rev("2a3b4c5d6e7f", "1f2e3d4c5b6a", "add phone", body=adds.format("phone")),
    ]
    result = run_cli(["downgrade"], committed_project(tmp_path, revs))
    assert (result.code, result.out) == (1, block.text)


EMPTY_DOWNGRADE = "\n\ndef downgrade():\n    pass\n"


def check_findings_sample(block: Block, tmp_path: Path) -> None:
    root = committed_project(
        tmp_path,
        [
            Rev("c3c3", None, "add orders"),
            Rev("d4d4", "c3c3_add_orders", "add invoices"),
            Rev("e5e5", "c3c3", "add email"),
        ],
    )
    (root / "versions" / "e5e5_add_phone.py").write_text(
        render_revision(Rev("e5e5", "c3c3", "add phone"))
    )
    git(root, "add", "-A")
    result = run_cli(["check"], root)
    assert (result.code, result.out) == (1, block.text)


def check_against_missing_ref(block: Block, tmp_path: Path) -> None:
    root = committed_project(tmp_path, HEADS_B2_C3[:2])
    result = run_cli(["check", "--against", "origin/main"], root)
    assert (result.code, result.out, result.err) == (2, "", block.text)


def check_pytest_report(block: Block, tmp_path: Path) -> None:
    """README's one line in a test module of a project with two heads."""
    line = next(b for b in ALL_BLOCKS if "import test_single_head" in b.text).text
    project = committed_project(tmp_path, HEADS_B2_C3)
    (project / "test_migrations.py").write_text(line)
    done = run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "test_migrations.py"], project)
    assert done.returncode == 1
    report = done.stdout.split("= FAILURES =", 1)[1].split("\n", 1)[1]
    assert_excerpt(block.text, report)


def check_single_head_test(block: Block, tmp_path: Path) -> None:
    project = committed_project(tmp_path, HEADS_B2_C3[:2])
    (project / "test_migrations.py").write_text(block.text)
    done = run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "test_migrations.py"], project)
    assert done.returncode == 0, done.stdout
    assert "1 passed" in done.stdout


def check_roundtrip_test_import(block: Block, tmp_path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(block.text, namespace)
    assert callable(namespace["test_roundtrip"])


def exec_with_comments(block: Block, folder: Path) -> dict[str, Any]:
    """Run the block's statements in ``folder``; an expression statement whose
    comment is a Python literal must equal it."""
    namespace: dict[str, Any] = {}
    old = os.getcwd()
    os.chdir(folder)
    try:
        for statement in ast.parse(block.text).body:
            source = ast.get_source_segment(block.text, statement) or ""
            line = block.text.splitlines()[statement.end_lineno - 1 if statement.end_lineno else 0]
            comment = line.split("#", 1)[1].strip() if "#" in line else ""
            if isinstance(statement, ast.Expr) and comment:
                try:
                    claimed = ast.literal_eval(comment.split(":")[0])
                except (ValueError, SyntaxError):
                    claimed = Ellipsis
                value = eval(source, namespace)
                if claimed is not Ellipsis:
                    assert value == claimed, (source, value, comment)
            else:
                exec(compile(ast.Module([statement], []), "<README>", "exec"), namespace)
    finally:
        os.chdir(old)
    return namespace


def check_heads_api(block: Block, tmp_path: Path) -> None:
    """Run in a folder whose backend/ has two heads: the last line raises."""
    committed_project(tmp_path / "backend", HEADS_B2_C3)
    *lines, last = block.text.rstrip("\n").split("\n")
    namespace = exec_with_comments(block._replace(text="\n".join(lines) + "\n"), tmp_path)
    assert last.startswith('assert_single_head("backend")')
    raised = raises(namespace["assert_single_head"], tmp_path / "backend")
    assert type(raised).__name__ == "HeadsCheckFailed"
    assert str(raised) == namespace["result"].report


def raises(function: Callable[..., Any], *args: Any) -> BaseException:
    with pytest.raises(AssertionError) as raised:
        function(*args)
    return raised.value


def check_roundtrip_api(block: Block, tmp_path: Path) -> None:
    require_roundtrip()
    database_project(tmp_path / "backend", [table_rev("a1a1a1a1a1a1", None, "a")])
    namespace = exec_with_comments(block, tmp_path)
    assert namespace["result"].ok


def claim(block: Block) -> Checker | None:
    """The check that exercises ``block``."""
    generic: dict[str, Checker] = {
        "yaml": check_yaml,
        "toml": check_toml,
        "ini": check_ini,
        "json": check_json,
        "sh": check_shell,
    }
    if block.info in generic:
        return generic[block.info]
    registry = {"python": PYTHON_BLOCKS, "": OUTPUT_BLOCKS}.get(block.info, {})
    checks = [check for start, check in registry.items() if block.first_line.startswith(start)]
    assert len(checks) <= 1, f"{block.key}: more than one check"
    return checks[0] if checks else None


def test_every_block_is_claimed_by_a_check() -> None:
    unclaimed = [f"{block.key}: {block.first_line}" for block in ALL_BLOCKS if not claim(block)]

    assert unclaimed == []


def test_every_check_of_a_block_has_its_block() -> None:
    starts = [*PYTHON_BLOCKS, *OUTPUT_BLOCKS]
    unused = [key for key in starts if not any(b.first_line.startswith(key) for b in ALL_BLOCKS)]

    assert unused == []


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=lambda block: block.key)
def test_block(block: Block, tmp_path: Path) -> None:
    check = claim(block)
    assert check is not None
    check(block, tmp_path)


def session(setup: Callable[[Path], Path]) -> Checker:
    """Run the block's ``$`` lines in the repository ``setup`` makes: what the
    ``alembic-heads`` lines print is the rest of the block."""

    def check(block: Block, tmp_path: Path) -> None:
        repo = setup(tmp_path)
        printed = ""
        for line in block.text.splitlines():
            if not line.startswith("$ "):
                continue
            argv = shlex.split(line[2:], comments=True)
            if argv[0] == "git":
                git(repo, *argv[1:])
            else:
                assert argv[0] == "alembic-heads"
                result = run_cli(argv[1:], repo)
                assert result.err == ""
                printed += result.out
        shown = "".join(line for line in block.text.splitlines(True) if not line.startswith("$"))
        assert printed == shown

    return check


def orders(upgrade: str, downgrade: str) -> str:
    return f"def upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"


ROUNDTRIP_STORY = [
    Rev(
        "3c4d5e6f7081",
        None,
        "create orders table",
        body=orders(
            "op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True),"
            " sa.Column('total', sa.Integer), sa.Column('placed', sa.Integer),"
            " sa.Column('note', sa.String))\n"
            "    op.create_index('ix_orders_total', 'orders', ['total'])",
            "op.drop_table('orders')",
        ),
    ),
    Rev(
        "5e6f708192a3",
        "3c4d5e6f7081",
        "add shipping address",
        body=orders("op.add_column('orders', sa.Column('shipping_address', sa.String))", "pass"),
    ),
    Rev(
        "7a8b9c0d1e2f",
        "5e6f708192a3",
        "index placed",
        body=orders(
            "op.create_index('ix_orders_placed', 'orders', ['placed'])",
            "op.drop_index('ix_orders_total', 'orders')",
        ),
    ),
    Rev(
        "9c0d1e2f3a4b",
        "7a8b9c0d1e2f",
        "drop note",
        body=orders(
            "op.drop_column('orders', 'note')",
            "raise NotImplementedError('the notes are gone')",
        ),
    ),
]


def require_roundtrip() -> None:
    """The round trip speaks SQLAlchemy 2.0 (on an older one it says so in one
    line: roundtrip_requirements_test.py)."""
    import sqlalchemy

    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        pytest.skip(f"roundtrip needs SQLAlchemy 2.0; installed: {sqlalchemy.__version__}")


def roundtrip_story(tmp_path: Path) -> Path:
    require_roundtrip()
    return database_project(tmp_path / "repo", ROUNDTRIP_STORY)


def check_roundtrip_irreversible(block: Block, tmp_path: Path) -> None:
    require_roundtrip()
    drop_note = orders("op.drop_column('orders', 'note')", "pass  # alembic-heads: irreversible")
    repo = database_project(
        tmp_path / "repo",
        [ROUNDTRIP_STORY[0], Rev("b2", "3c4d5e6f7081", "drop note", body=drop_note)],
    )
    result = run_cli(["roundtrip"], repo)
    assert (result.code, result.out, result.err) == (0, block.text, "")


def check_roundtrip_elsewhere(block: Block, tmp_path: Path) -> None:
    """An env.py that connects to its own development database is stopped."""
    require_roundtrip()
    development = tmp_path / "home" / "me" / "app" / "development.db"
    development.parent.mkdir(parents=True)
    repo = database_project(tmp_path / "repo", ROUNDTRIP_STORY[:1])
    (repo / "env.py").write_text(HARD_CODED_ENV_PY.format(path=development))
    result = run_cli(["roundtrip"], repo)
    shown = block.text.replace("/home/me/app/development.db", str(development))
    assert (result.code, result.out, result.err) == (2, "", shown)
    assert not development.exists()


def check_missing_blob(block: Block, tmp_path: Path) -> None:
    """A partial clone: origin/main's revision file is not in the object store."""
    root = committed_project(tmp_path, HEADS_B2_C3[:1])
    git(root, "checkout", "-q", "-b", "side")
    write_revision(root / "versions", Rev("D", "a1", "d"))
    commit_all(root, "D")
    git(root, "update-ref", "refs/remotes/origin/main", "side")
    git(root, "checkout", "-q", "master")
    git(root, "branch", "-q", "-D", "side")
    blob = git(root, "rev-parse", "origin/main:versions/D_d.py").stdout.strip()
    (root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    result = run_cli(["check", "--against", "origin/main"], root)
    shown = re.sub(r"its blob [0-9a-f]{40}", f"its blob {blob}", block.text)
    assert (result.code, result.out, result.err) == (2, "", shown)


def check_benchmark_report(block: Block, tmp_path: Path) -> None:
    """A measurement: the command's options exist, and the header is the one
    the benchmark prints."""
    command, *comments = block.text.splitlines()
    if command.startswith("#"):  # tests/benchmark.py's own report
        source = (ROOT / "tests" / "benchmark.py").read_text()
        for word in comments[0].split():
            assert word in source, word
        return
    assert_benchmark_options(shlex.split(command))
    assert all(line.startswith("# ") for line in comments)


# The block each check exercises, by the start of its first line.
PYTHON_BLOCKS: dict[str, Checker] = {
    "from myapp.db.migration import cli": check_branch_label_constant,
    "def downgrade():": check_irreversible_comment,
    "from alembic_heads.testing import test_roundtrip": check_roundtrip_test_import,
    "from alembic_heads import assert_roundtrip, check_roundtrip": check_roundtrip_api,
    "from alembic_heads.testing import test_single_head": check_single_head_test,
    "from alembic_heads import assert_single_head, check_heads": check_heads_api,
}

OUTPUT_BLOCKS: dict[str, Checker] = {
    "alembic single head.....": check_try_it_report,
    "alembic.ini: Multiple head revisions are present on branch 'expand'": check_expand_report,
    "# alembic-heads": check_head_txt,
    "versions/0ec979123ba4_.py:1: revision 0ec979123ba4 has the message": check_message_report,
    "versions/1f2e3d4c5b6a_add_email.py:23: downgrade()": check_downgrade_report,
    "versions/d4d4_add_invoices.py:14: down_revision": check_findings_sample,
    "alembic-heads: cannot read origin/main from git": check_against_missing_ref,
    "alembic-heads: cannot read origin/main:versions/D_d.py": check_missing_blob,
    "_______________________________ test_single_head": check_pytest_report,
    "alembic.ini, merged with master:": asserted_by("against_test.py"),
    "versions/C_c.py:1: git's merge with master stops here": asserted_by("merge_shapes_test.py"),
    "$ git checkout feature-b": checked_by("status_test.py::test_readme_shows_the_real_report"),
    "$ alembic-heads roundtrip": session(roundtrip_story),
    "$ git checkout dev2": session(seed_branches),
    "$ alembic-heads rebase --base master": asserted_by("status_test.py"),
    "versions/b2_drop_note.py:23: downgrade() of b2 is marked irreversible": (
        check_roundtrip_irreversible
    ),
    "alembic-heads: env.py connected to another database": check_roundtrip_elsewhere,
    "python tests/roundtrip_benchmark.py": check_benchmark_report,
    "# AMD EPYC, 2 cores": check_benchmark_report,
}


# -- Tables: the options of each command, the finding ids, the variables -----

# Where README's table of each command's options is.
OPTION_TABLES = {
    "check": "### `alembic-single-head`",
    "head-file": "### `alembic-head-file`",
    "post-write": "### `alembic-heads post-write`",
    "message": "### `alembic-message`",
    "downgrade": "### `alembic-downgrade`",
    "graph": "### `alembic-heads graph`",
    "merge": "### `alembic-merge-heads`",
    "rebase": "### `alembic-heads rebase`",
    "status": "### `alembic-database-status`",
    "roundtrip": "### `alembic-roundtrip` (a local hook)",
}
# A positional argument, as README's tables write it.
POSITIONALS = {"paths": "`PATH ...`", "REV": "`REV ...`", "REVISION_FILE": "`REVISION_FILE`"}


def parser_arguments(command: str, cwd: Path) -> list[str]:
    """Each argument of the command's ``--help``, as README's tables write it:
    ``"`-c FILE`, `--config FILE`"``."""
    result = run_cli([command, "--help"], cwd)
    assert result.code == 0, result.err
    arguments = []
    for entry in re.findall(r"^  (\S.*?)(?:  |$)", result.out, re.M):
        if entry in POSITIONALS:
            arguments.append(POSITIONALS[entry])
        elif entry.startswith("-") and entry != "-h, --help":
            parts = entry.split(", ")
            metavar = parts[-1].partition(" ")[2]  # Python 3.13 writes it once: -c, --config FILE
            if metavar:
                parts = [part if " " in part else f"{part} {metavar}" for part in parts]
            arguments.append(", ".join(f"`{part}`" for part in parts))
    return arguments


def table_first_column(text: str, header: str) -> list[str]:
    """The first cell of each row of the first table whose header row is ``header``."""
    table = text.split(f"\n{header}\n", 1)[1].split("\n\n", 1)[0]
    return [row.split(" | ")[0][2:] for row in table.splitlines()[1:]]


def test_every_command_has_its_option_table() -> None:
    from alembic_heads.cli import COMMANDS

    assert set(OPTION_TABLES) == set(COMMANDS)


@pytest.mark.parametrize("command", OPTION_TABLES)
def test_the_option_table_is_the_parsers(command: str, tmp_path: Path) -> None:
    shown = table_first_column(section("README.md", OPTION_TABLES[command]), "| option | meaning |")

    assert sorted(shown) == sorted(parser_arguments(command, tmp_path))


def finding_ids_in_the_code() -> set[str]:
    """The stable ids the package gives findings: the ``code`` of each
    ``Finding``, ``ReadError`` and round-trip finding, and the JSON ``id``."""
    ids: set[str] = set()
    for path in (ROOT / "hooks" / "alembic_heads").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            values: list[ast.expr | None] = []
            if isinstance(node, ast.Call) and len(node.args) > 2:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("Finding", "ReadError", "_finding"):
                    values.append(node.args[2])
            elif isinstance(node, ast.Assign):
                if [getattr(target, "id", "") for target in node.targets] == ["code"]:
                    values.append(node.value)
            elif isinstance(node, ast.Dict):
                values.extend(
                    value
                    for key, value in zip(node.keys, node.values, strict=True)
                    if isinstance(key, ast.Constant) and key.value == "id"
                )
            ids.update(
                value.value
                for value in values
                if isinstance(value, ast.Constant) and isinstance(value.value, str)
            )
    return ids


def test_the_findings_table_has_every_finding_id() -> None:
    shown = table_first_column(
        section("README.md", "## Findings"), "| id | reported by | what it means | the fix |"
    )

    assert sorted(shown) == sorted(f"`{code}`" for code in finding_ids_in_the_code())


def variables_read_by_the_code() -> tuple[set[str], set[str]]:
    """The environment variables the package reads (``environ.get("X")``,
    ``environ["X"]``), and every string it names."""
    read: set[str] = set()
    named: set[str] = set()
    for path in (ROOT / "hooks" / "alembic_heads").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver, args = node.func.value, node.args
                if node.func.attr != "get":
                    continue
            elif isinstance(node, ast.Subscript):
                receiver, args = node.value, [node.slice]
            else:
                continue
            if getattr(receiver, "attr", getattr(receiver, "id", "")) != "environ":
                continue
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                read.add(args[0].value)
    return read, named


def test_the_environment_table_has_every_variable_the_code_reads() -> None:
    rows = table_first_column(
        section("README.md", "## Environment variables"), "| variable | read by | what it does |"
    )
    shown = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    read, named = variables_read_by_the_code()

    assert read <= shown, read - shown
    assert shown <= named, shown - named


@pytest.mark.slow
def test_the_readmes_snippet_runs_in_real_pre_commit(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    """What it is: README's `.pre-commit-config.yaml`, pointed at this working
    tree, blocks a second head."""
    snippet = section("README.md", "## What it is").split("```yaml\n", 1)[1].split("```")[0]
    repo, sha = hook_repo
    project = committed_project(tmp_path, HEADS_B2_C3)
    config = snippet.replace(REPO_URL, str(repo)).replace(f"rev: {TAG}", f"rev: {sha}")
    (project / ".pre-commit-config.yaml").write_text(config)
    git(project, "add", ".pre-commit-config.yaml")

    done = run(
        [PYTHON, "-m", "pre_commit", "run", "--all-files"],
        project,
        PRE_COMMIT_HOME=str(pre_commit_home),
        NO_COLOR="1",
    )

    assert done.returncode == 1, done.stdout
    assert "- hook id: alembic-single-head" in done.stdout
    assert (
        "alembic.ini: Multiple head revisions are present: 2 heads, "
        "`alembic upgrade head` will fail\n"
    ) in done.stdout


def anchors(document: str) -> set[str]:
    """The anchors GitHub gives the headings of ``document`` (lower case, no
    punctuation but ``-`` and ``_``, a space a ``-``; code blocks skipped)."""
    text = "".join(re.split(r"^```.*?^```", (ROOT / document).read_text(), flags=re.M | re.S))
    headings = re.findall(r"^#{1,6} (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_link_of_the_documentation_leads_somewhere(document: str) -> None:
    text = "".join(re.split(r"^```.*?^```", (ROOT / document).read_text(), flags=re.M | re.S))
    folder = (ROOT / document).parent
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith("https://"):
            continue
        path, _, anchor = target.partition("#")
        linked = (folder / path).resolve() if path else ROOT / document
        missing = not linked.exists()
        if missing or (anchor and anchor not in anchors(str(linked.relative_to(ROOT)))):
            broken.append(target)

    assert broken == []
