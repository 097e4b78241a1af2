"""How fast ``alembic-heads check`` is, next to ``alembic heads`` and a bare read of the files.

    python tests/benchmark.py [--sizes 100,1000,5000,20000] [--runs 5]
                              [--styles classic,annotated] [--envs 5] [--no-alembic]
                              [--hook-env DIR] [--keep DIR] [--install]

Not a test (pytest does not collect it, CI does not run it). The hook runs from
a hook env made once per run the way pre-commit makes one: ``virtualenv`` (which
seeds a current pip), then ``pip install`` of this checkout, not editable (from a
copy of its files, so nothing is built in the working tree); ``--hook-env DIR``
reuses one instead. For each size and template style it writes a synthetic
history with the branch and merge shape of real projects, commits it to a git
repository, and times whole processes, the commands taking turns in every round
so that load from elsewhere hits all alike:

- ``check``: ``alembic-heads check`` of the hook env in the repository, as the
  hook runs it;
- ``check, no git``: the same files in a plain folder (nothing tracked, no cache);
- ``check, --against``: ``alembic-heads check --against HEAD``, which also reads
  every revision file of HEAD from git objects and merges the two graphs;
- ``API``: ``alembic_heads.check_heads()`` in the hook env's interpreter, as a
  project's test suite calls it (it reads the files on disk, not git's index);
- ``message``: ``alembic-heads message`` with no file arguments (every revision
  file), and ``message, +3x files``: given every Python file of a repository that
  also holds three times as many other Python files, as pre-commit passes them
  with ``--all-files``;
- ``alembic heads``: Alembic on the same tree (the ``alembic`` next to the running
  interpreter), warm (it has run once before);
- ``floor``: the hook env's interpreter, with nothing imported, listing the
  versions folder and reading every revision file (``open(path, "rb").read()``).

Files are dated an hour back before they are committed, as real revision files
are, so that git does not re-hash "racily clean" entries on every run, and the
timing starts once they are settled (``alembic_heads.memo.SETTLED_SECONDS``),
as a project's ``alembic.ini`` is.

It prints the median wall time of ``--runs`` rounds, the ratios, the extra cost
per revision between sizes (constant when cost is linear) and each process's
peak memory (GNU time's maximum resident set size). Last, ``--install`` times
pre-commit's first install of the ``alembic-single-head`` hook (a fresh
``PRE_COMMIT_HOME``), which is what a fresh CI runner pays, and the size of the
environment it makes. ``--envs N`` adds a repository
holding N environments (a monorepo) of SIZE/N revisions each; Alembic needs one
process per environment there, and their times are summed.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from alembic_heads.memo import SETTLED_SECONDS
from helpers import Rev, commit_all, git, init_repo, write_project

# (Revisions on each merged arm back to the common ancestor) of the 21 merges
# measured on 17 real revision graphs (2,292 revisions): mostly short arms,
# some long-lived branches, one three-way merge.
OBSERVED_ARMS = (
    (1, 1), (2, 1), (5, 5, 2), (3, 1), (24, 2), (1, 1), (1, 1), (1, 29), (1, 34), (25, 1),
    (23, 28), (28, 7), (1, 1), (1, 45), (5, 6), (9, 2), (10, 1), (1, 3), (1, 1), (1, 6), (4, 2),
)  # fmt: skip
MERGE_RATE = 0.01  # 21 merges in 2,292 revisions
OPS_PER_REVISION = 3
TIME = "/usr/bin/time"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
BACKDATE_SECONDS = 3600
PIP_VERSION = "import importlib.metadata as m; print(m.version('pip'))"

FLOOR = """\
import os, sys
for folder in sys.argv[1:]:
    for name in sorted(entry.name for entry in os.scandir(folder)):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as handle:
                handle.read()
"""


API = "import alembic_heads; alembic_heads.check_heads('.')"


def synthetic_history(count: int, seed: int = 0) -> list[Rev]:
    """``count`` revisions, one head, branching and merging like real projects."""
    rnd = random.Random(seed)
    revs: list[Rev] = []
    seen: set[str] = set()

    def new(down: str | tuple[str, ...] | None, doc: str) -> str:
        rev_id = f"{rnd.getrandbits(48):012x}"
        while rev_id in seen:
            rev_id = f"{rnd.getrandbits(48):012x}"
        seen.add(rev_id)
        revs.append(Rev(rev_id, down, doc))
        return rev_id

    head = new(None, "initial schema")
    while len(revs) < count:
        if rnd.random() >= MERGE_RATE:
            head = new(head, f"change {len(revs)}")
            continue
        arms = list(rnd.choice(OBSERVED_ARMS))
        if len(revs) + sum(arms) + 1 > count:
            arms = [1, 1]
        tips = [head] * len(arms)
        while any(arms):  # interleaved, like concurrent pull requests
            arm = rnd.choice([index for index, left in enumerate(arms) if left])
            tips[arm] = new(tips[arm], f"change {len(revs)}")
            arms[arm] -= 1
        head = new(tuple(tips), "merge heads")
    return revs


def autogenerate_body(rev: Rev, annotated: bool) -> str:
    """Small add/drop column operations, as ``alembic revision --autogenerate`` writes."""
    returns = " -> None" if annotated else ""
    if isinstance(rev.down, tuple):
        return f"def upgrade(){returns}:\n    pass\n\n\ndef downgrade(){returns}:\n    pass\n"
    table = f"synthetic_{rev.revision[:4]}"
    columns = [f"col_{rev.revision[:8]}_{index}" for index in range(OPS_PER_REVISION)]
    start = "    # ### commands auto generated by Alembic - please adjust! ###\n"
    end = "    # ### end Alembic commands ###\n"
    up = "".join(
        f"    op.add_column('{table}', sa.Column('{column}', sa.String(length=255), "
        "nullable=True))\n"
        for column in columns
    )
    down = "".join(f"    op.drop_column('{table}', '{column}')\n" for column in columns)
    return (
        f"def upgrade(){returns}:\n{start}{up}{end}\n\n"
        f"def downgrade(){returns}:\n{start}{down}{end}"
    )


def write_history(root: Path, revs: Sequence[Rev], style: str) -> Path:
    annotated = style != "classic"
    bodies = [dataclasses.replace(rev, body=autogenerate_body(rev, annotated)) for rev in revs]
    return write_project(root, bodies, style)


def backdate(root: Path) -> None:
    """Date every file under ``root`` (but ``.git``) ``BACKDATE_SECONDS`` back.

    Git calls an index entry "racily clean" when its file is not older than the
    index: the stat data cannot tell a later change in the same second, so every
    ``git status`` or ``ls-files --modified`` hashes such files again. Written and
    committed in one second, all of a history would be racy; real revision files
    are written long before a commit.
    """
    past = time.time() - BACKDATE_SECONDS
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git"]
        for name in files:
            os.utime(os.path.join(folder, name), (past, past))


@dataclass
class Project:
    """Where one history lives, and the ``alembic -c`` ini of each environment."""

    label: str
    root: Path
    inis: list[Path]
    revisions: int
    in_git: bool
    check_args: tuple[str, ...] = ()
    command: str = "check"

    @property
    def versions(self) -> list[Path]:
        return [ini.parent / "versions" for ini in self.inis]


def make_projects(base: Path, size: int, style: str, envs: int) -> list[Project]:
    """The history in a git repository and in a plain folder (and a monorepo)."""
    revs = synthetic_history(size)
    repo = init_repo(base / "repo")
    write_history(repo, revs, style)
    backdate(repo)
    commit_all(repo, "history")
    plain = base / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    ini = repo / "alembic.ini"
    projects = [
        Project(f"{size} {style}", repo, [ini], size, True),
        Project(f"{size} {style}, no git", plain, [plain / "alembic.ini"], size, False),
        Project(f"{size} {style}, --against", repo, [ini], size, True, ("--against", "HEAD")),
        Project(f"{size} {style}, API", repo, [ini], size, True, command="api"),
    ]
    files = init_repo(base / "files")
    write_history(files, revs, style)
    for index in range(3 * size):
        package = files / "app" / f"pkg{index % 30}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"module{index}.py").write_text("value = 1\n")
    backdate(files)
    commit_all(files, "history and application")
    names = tuple(sorted(path.relative_to(files).as_posix() for path in files.rglob("*.py")))
    projects.append(
        Project(
            f"{size} {style}, message",
            files,
            [files / "alembic.ini"],
            size,
            True,
            command="message",
        )
    )
    projects.append(
        Project(
            f"{size} {style}, message, +3x files",
            files,
            [files / "alembic.ini"],
            size,
            True,
            names,
            command="message",
        )
    )
    if envs > 1:
        mono = init_repo(base / "mono")
        for index in range(envs):
            write_history(
                mono / f"service{index}" / "migrations",
                synthetic_history(size // envs, index),
                style,
            )
        backdate(mono)
        commit_all(mono, "histories")
        inis = sorted(mono.glob("service*/migrations/alembic.ini"))
        projects.append(Project(f"{size} {style}, {envs} envs", mono, inis, size, True))
    for project in projects:
        if project.in_git:
            git(
                project.root, "status", "--short"
            )  # refresh the index's stat data, as any git use does
    # Dating files back changes their ctime, which says "just written": what
    # alembic.ini said is kept only for files settled for SETTLED_SECONDS. A
    # project's configuration is older than that when a commit is made.
    time.sleep(SETTLED_SECONDS + 0.1)
    return projects


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    peak_kb: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run_once(commands: Sequence[Sequence[str]], cwd: Path) -> float:
    """Wall time of running ``commands`` one after another."""
    start = time.perf_counter()
    for command in commands:
        process = subprocess.run(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if process.returncode:
            raise SystemExit(
                f"{' '.join(command)} in {cwd} exited {process.returncode}: {process.stderr!r}"
            )
    return time.perf_counter() - start


def peak_memory_kb(commands: Sequence[Sequence[str]], cwd: Path) -> int:
    """The largest peak RSS of ``commands``, from GNU time (0 without it).

    Not ``os.wait4`` on our own child: its high-water mark starts from this
    process's memory, which the child shares until it runs the command.
    """
    if not os.path.exists(TIME):
        return 0
    peak = 0
    with tempfile.NamedTemporaryFile("r") as out:
        for command in commands:
            subprocess.run(
                [TIME, "-f", "%M", "-o", out.name, *command],
                cwd=cwd,
                capture_output=True,
                check=True,
            )
            out.seek(0)
            peak = max(peak, int(out.read().split()[-1]))
    return peak


def setup_step(command: Sequence[str]) -> None:
    """Run one step of making the hook env, quietly unless it fails."""
    process = subprocess.run(command, capture_output=True, text=True)
    if process.returncode:
        raise SystemExit(
            f"{' '.join(command)} exited {process.returncode}:\n{process.stdout}{process.stderr}"
        )


def make_hook_env(env: Path) -> str:
    """Make ``env`` as pre-commit makes a hook's environment; say with what.

    pre-commit runs ``virtualenv`` (which seeds a current pip, with its console
    script wrappers) and then ``pip install .``, not editable. The project is
    installed from a copy of the files git would see, so that setuptools writes
    its ``build`` and ``egg-info`` folders there and not in the working tree
    (where a stale ``build/lib`` would also end up in the wheel).
    """
    if importlib.util.find_spec("virtualenv"):
        tool = "virtualenv"
        setup_step([sys.executable, "-m", "virtualenv", "-q", "--clear", str(env)])
    else:
        tool = "venv"
        setup_step([sys.executable, "-m", "venv", "--clear", str(env)])
        setup_step([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "-U", "pip"])
    source = env.parent / "hook-source"
    shutil.rmtree(source, ignore_errors=True)
    listed = git(PROJECT_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in listed.stdout.split("\0"):
        if name and (PROJECT_ROOT / name).is_file():  # not deleted since `git add`
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, source / name)
    try:
        setup_step([str(env / "bin" / "pip"), "install", "-q", str(source)])
    finally:
        shutil.rmtree(source, ignore_errors=True)
    return tool


def hook_env(base: Path, given: str | None) -> tuple[Path, str]:
    """The hook env's bin folder and a description for the header."""
    if given:
        env, made_by = Path(given).resolve(), f"{given} (given)"
    else:
        env = base / "hook-env"
        made_by = make_hook_env(env)
    bin_dir = env / "bin"
    if not (bin_dir / "alembic-heads").exists():
        raise SystemExit(f"{bin_dir / 'alembic-heads'} not found: is alembic-heads installed?")
    pip = subprocess.run(
        [str(bin_dir / "python"), "-c", PIP_VERSION], capture_output=True, text=True
    )
    return bin_dir, f"{made_by}, pip {pip.stdout.strip() or '?'}"


def commands_for(
    project: Project, hook_bin: Path, with_alembic: bool
) -> dict[str, list[list[str]]]:
    bin_dir = Path(sys.executable).parent
    if project.command == "api":
        check = [str(hook_bin / "python"), "-c", API]
    else:
        check = [str(hook_bin / "alembic-heads"), project.command, *project.check_args]
    commands = {
        "check": [check],
        "floor": [[str(hook_bin / "python"), "-c", FLOOR, *map(str, project.versions)]],
    }
    if with_alembic:
        commands["alembic heads"] = [
            [str(bin_dir / "alembic"), "-c", str(ini), "heads"] for ini in project.inis
        ]
    return commands


def measure(project: Project, hook_bin: Path, runs: int, with_alembic: bool) -> dict[str, Sample]:
    commands = commands_for(project, hook_bin, with_alembic)
    samples = {name: Sample() for name in commands}
    first_check = run_once(commands["check"], project.root)  # cold: compiles, fills any cache
    for name, command in commands.items():
        if name != "check":
            run_once(command, project.root)  # warm: Alembic writes its __pycache__
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].seconds.append(run_once(command, project.root))
    for name, command in commands.items():
        samples[name].peak_kb = peak_memory_kb(command, project.root)
    samples["first check"] = Sample([first_check])
    return samples


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, "
        f"git {git(Path.cwd(), '--version').stdout.split()[-1]}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000,20000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--styles", default="classic,annotated")
    parser.add_argument(
        "--envs", type=int, default=5, help="environments in the monorepo (1: none)"
    )
    parser.add_argument("--no-alembic", action="store_true", help="skip `alembic heads` (slow)")
    parser.add_argument(
        "--keep", metavar="DIR", help="write the projects and the hook env here and keep them"
    )
    parser.add_argument(
        "--hook-env",
        metavar="DIR",
        help="time the alembic-heads of this environment instead of making one",
    )
    parser.add_argument(
        "--install",
        action="store_true",
        help="also time pre-commit's first install of alembic-single-head",
    )
    args = parser.parse_args(argv)
    # Installed packages come with bytecode, and Alembic writes it for the
    # revision files it imports: without it every run would compile again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sizes = [int(size) for size in args.sizes.split(",")]
    # Absolute: the commands run in each project's folder.
    base = Path(args.keep or tempfile.mkdtemp(prefix="alembic-heads-bench-")).resolve()
    previous: dict[str, tuple[int, float]] = {}
    try:
        base.mkdir(parents=True, exist_ok=True)
        hook_bin, made_by = hook_env(base, args.hook_env)
        print(f"# {machine()}; median of {args.runs} runs, whole processes; hook env: {made_by}")
        print(
            f"{'history':<34} {'check':>8} {'1st chk':>8} {'alembic':>9} {'alembic/chk':>11} "
            f"{'floor':>8} {'chk/floor':>9} {'us/rev':>7} {'chk MB':>7} {'alembic MB':>10}"
        )
        for style in args.styles.split(","):
            for size in sizes:
                projects = make_projects(base / f"{style}-{size}", size, style, args.envs)
                for project in projects:
                    with_alembic = (
                        project.in_git and not project.check_args and project.command == "check"
                    )
                    samples = measure(
                        project, hook_bin, args.runs, with_alembic and not args.no_alembic
                    )
                    print(row(project, samples, previous))
                    sys.stdout.flush()
                if not args.keep:
                    shutil.rmtree(base / f"{style}-{size}")
        if args.install:
            print(install_row(base))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


def install_row(base: Path) -> str:
    """The wall time of pre-commit's first install of ``alembic-single-head`` from
    this checkout (committed to a scratch repository, as pre-commit clones it),
    and the size of the environment it makes."""
    source = init_repo(base / "install-source")
    listed = git(PROJECT_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in listed.stdout.split("\0"):
        if name and (PROJECT_ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, source / name)
    commit_all(source, "hook")
    rev = git(source, "rev-parse", "HEAD").stdout.strip()
    project = init_repo(base / "install-project")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {source}\n    rev: {rev}\n    hooks:\n    -   id: alembic-single-head\n"
    )
    home = base / "pre-commit-home"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install-hooks"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    size = sum(
        os.path.getsize(os.path.join(folder, name))
        for folder, _, names in os.walk(home)
        for name in names
        if not os.path.islink(os.path.join(folder, name))
    )
    return (
        f"{'pre-commit install-hooks':<34} {seconds:6.1f}s, hook environments {size / 2**20:.0f} MB"
    )


def row(
    project: Project, samples: dict[str, Sample], previous: dict[str, tuple[int, float]]
) -> str:
    check, floor = samples["check"], samples["floor"]
    alembic = samples.get("alembic heads")
    kind = project.label.split(" ", 1)[1]
    per_rev = ""
    if kind in previous:  # the cost one more revision adds, between two sizes
        size, seconds = previous[kind]
        per_rev = f"{(check.median - seconds) / (project.revisions - size) * 1e6:7.1f}"
    previous[kind] = (project.revisions, check.median)
    return (
        f"{project.label:<34} {check.median * 1000:6.0f}ms "
        f"{samples['first check'].median * 1000:6.0f}ms "
        + (
            f"{alembic.median * 1000:7.0f}ms {alembic.median / check.median:10.1f}x "
            if alembic
            else f"{'-':>9} {'-':>11} "
        )
        + f"{floor.median * 1000:6.0f}ms {check.median / floor.median:8.2f}x {per_rev:>7} "
        f"{check.peak_kb / 1024:7.1f} "
        + (f"{alembic.peak_kb / 1024:10.1f}" if alembic else f"{'-':>10}")
    )


if __name__ == "__main__":
    raise SystemExit(main())
