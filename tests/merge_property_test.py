"""``check --against`` from either side says what ``check`` says of the tree
``git merge`` makes (issue 18): random two-branch histories, built with real
git commits, merged for real."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import Rev, committed_project, git, render_revision, run_cli

# One step of a branch's history; the numbers pick among the revisions there
# are when the step is taken, so every generated history can be built.
STEP = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 20)),
    st.tuples(st.just("edit"), st.integers(0, 20)),
    st.tuples(st.just("repoint"), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("merge"), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("squash")),
)
SIDE = st.lists(st.lists(STEP, min_size=1, max_size=3), min_size=1, max_size=3)  # commits


class History:
    """The revisions of one side, in the order they were made (a parent is
    always made before its child: no cycles)."""

    def __init__(self, root: Path, prefix: str, revs: dict[str, Rev]) -> None:
        self.root = root
        self.prefix = prefix
        self.revs = dict(revs)
        self.made = 0

    def write(self, rev: Rev) -> None:
        self.revs[rev.revision] = rev
        (self.root / "versions" / rev.file_name).write_text(render_revision(rev))

    def pick(self, number: int) -> Rev:
        ids = list(self.revs)
        return self.revs[ids[number % len(ids)]]

    def new_id(self) -> str:
        self.made += 1
        return f"{self.prefix}{self.made}"

    def apply(self, step: tuple[object, ...]) -> None:
        kind, *numbers = step
        picked = [n for n in numbers if isinstance(n, int)]
        if not self.revs:
            self.write(Rev(self.new_id(), None, "start", file=f"{self.prefix}{self.made}.py"))
            return
        if kind == "add":
            new = self.new_id()
            self.write(Rev(new, self.pick(picked[0]).revision, "added", file=f"{new}.py"))
        elif kind == "edit":
            rev = self.pick(picked[0])
            self.write(Rev(rev.revision, rev.down, rev.doc + " edited", file=rev.file_name))
        elif kind == "repoint":
            ids = list(self.revs)
            child = ids[picked[0] % len(ids)]
            index = ids.index(child)
            parent = ids[picked[1] % index] if index else None
            rev = self.revs[child]
            self.write(Rev(child, parent, rev.doc, file=rev.file_name))
        elif kind == "delete":
            rev = self.pick(picked[0])
            del self.revs[rev.revision]
            (self.root / "versions" / rev.file_name).unlink()
        elif kind == "merge":
            one, other = self.pick(picked[0]).revision, self.pick(picked[1]).revision
            new = self.new_id()
            down = (one, other) if one != other else one
            self.write(Rev(new, down, "merge", file=f"{new}.py"))
        else:  # squash: every revision replaced by one new base
            for rev in self.revs.values():
                (self.root / "versions" / rev.file_name).unlink()
            self.revs = {}
            new = self.new_id()
            self.write(Rev(new, None, "squashed", file=f"{new}.py"))


Steps = list[list[tuple[object, ...]]]


def build(root: Path, prefix: str, commits: Steps, base: dict[str, Rev]) -> None:
    history = History(root, prefix, base)
    for steps in commits:
        for step in steps:
            history.apply(step)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "--no-verify", "-m", f"{prefix}: {steps}")


def findings(output: str, ref: str) -> list[str]:
    """The unindented lines (findings, heads, headlines), as the merged tree names them."""
    lines = [line for line in output.splitlines() if line and not line.startswith(" ")]
    return sorted(line.replace(f", merged with {ref}", "").replace(f"{ref}:", "") for line in lines)


SEED = [
    Rev("A", None, "a", file="A.py"),
    Rev("B", "A", "b", file="B.py"),
    Rev("C", "B", "c", file="C.py"),
]


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(ours=SIDE, theirs=SIDE)
def test_against_equals_the_check_of_the_merge(ours: Steps, theirs: Steps) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = committed_project(Path(folder) / "repo", SEED, "A, B, C")
        base = {rev.revision: rev for rev in SEED}
        git(root, "checkout", "-q", "-b", "ours")
        build(root, "o", ours, base)
        git(root, "checkout", "-q", "-b", "theirs", "master")
        build(root, "t", theirs, base)

        from_theirs = run_cli(["check", "--against", "ours"], root)
        git(root, "checkout", "-q", "ours")
        from_ours = run_cli(["check", "--against", "theirs"], root)
        merge = git(root, "merge", "-q", "--no-edit", "theirs", check=False)
        if merge.returncode != 0:  # a conflict: the check says so (merge_shapes_test)
            assert from_ours.code == from_theirs.code == 1
            assert "stops here" in from_ours.out and "stops here" in from_theirs.out
            return
        merged = run_cli(["check"], root)

        expected = (merged.code, findings(merged.out, "theirs"))
        assert (from_ours.code, findings(from_ours.out, "theirs")) == expected, (
            from_ours.out,
            merged.out,
        )
        expected = (merged.code, findings(merged.out, "ours"))
        assert (from_theirs.code, findings(from_theirs.out, "ours")) == expected, (
            from_theirs.out,
            merged.out,
        )
