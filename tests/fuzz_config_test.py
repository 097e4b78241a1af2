"""Configuration text under attack: mutated ``alembic.ini`` and ``[tool.alembic]``
texts, each checked against the promises (exit 0, 1 or 2, never a traceback,
one line on standard error with exit 2) and against Alembic's own reading of
the same text: where Alembic loads a graph, we read the same files, and we
never pass a graph Alembic cannot load or sees with more than one head."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from alembic_heads.core import read_graph
from alembic_heads.discover import find_environments
from alembic_heads.findings import UsageError
from helpers import ENV_PY, alembic_older_than, chdir, run_cli

# Alembic before 1.16 reads no [tool.alembic] and no path_separator, its
# version_path_separator knows no "newline", and an empty script_location is no
# folder to it (os.access("")): there the configurations are only what it reads
# as the newest Alembic does, whose reading is ours.
BEFORE_1_16 = alembic_older_than("1.16")

# The tree every configuration is tried on: which files form the graph
# decides how many heads it has (b2 only when recursive; c3 forks from a1;
# d4 needs c3; e5 forks from a1 too).
TREE = {
    "migrations/env.py": ENV_PY,
    "migrations/versions/a1_x.py": "revision = 'a1'\ndown_revision = None\n",
    "migrations/versions/sub/b2_x.py": "revision = 'b2'\ndown_revision = 'a1'\n",
    "more/c3_x.py": "revision = 'c3'\ndown_revision = 'a1'\n",
    "extra/d4_x.py": "revision = 'd4'\ndown_revision = 'c3'\n",
    "other/e5_x.py": "revision = 'e5'\ndown_revision = 'a1'\n",
}

SCRIPT_LOCATIONS = [
    "migrations",
    "%(here)s/migrations",
    "./migrations/",
    "migrations/../migrations",
    "nowhere",
    "%(nope)s/migrations",
    "%(here)s",
    "nowhere/../migrations",
    "migrations\n  /x",
    *([] if BEFORE_1_16 else [""]),
]
LOCATIONS = [
    "migrations/versions",
    "%(here)s/migrations/versions",
    "more",
    "%(here)s/more",
    "extra",
    "other",
    "more",
    "other",
    "gone",
    "%%(here)s",
    "more/",
    "gone/../other",
    "more:x",
    "my-app:more",
    "",
]
SEPARATORS = [" ", ",", ", ", ":", ";", "\n  ", os.pathsep, " ,"]
SEPARATOR_OPTIONS = ("path_separator", "version_path_separator")
SEPARATOR_VALUES = ["os", "os", "os", "space", "newline", ":", ";", "bogus", "", "OS"]
BOOLEANS = ["true", "true", "false", "True", "1", "yes", ""]
SECTIONS = ["alembic", "alembic", "alembic", "Alembic", "other"]
ODD = [
    "\x00",
    "\r",
    "\t",
    "%",
    "%(",
    "\n",
    "\n  ",
    "[",
    "]",
    "=",
    ":",
    "#",
    ";",
    "\ufeff",
    "é",
    "\x85",
    "\u2028",
    '"',
    "\\",
    "\udcff",  # written as the byte 0xff: not UTF-8
]


@dataclass
class Configuration:
    ini: bytes | None
    toml: bytes | None

    def write(self, root: Path) -> None:
        for name, text in TREE.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        if self.ini is not None:
            (root / "alembic.ini").write_bytes(self.ini)
        if self.toml is not None:
            (root / "pyproject.toml").write_bytes(self.toml)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` with up to two odd characters put anywhere."""
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(ODD)) + text[at:]
    return text.encode("utf-8", "surrogateescape")


@st.composite
def ini_texts(draw: st.DrawFn) -> bytes:
    lines = [f"[{draw(st.sampled_from(SECTIONS))}]"]
    if draw(st.booleans()) or draw(st.booleans()):
        lines.append(f"script_location = {draw(st.sampled_from(SCRIPT_LOCATIONS))}")
    if draw(st.booleans()) or draw(st.booleans()):
        parts = draw(st.lists(st.sampled_from(LOCATIONS), min_size=1, max_size=3))
        lines.append(f"version_locations = {draw(st.sampled_from(SEPARATORS)).join(parts)}")
    options = ("version_path_separator",) if BEFORE_1_16 else SEPARATOR_OPTIONS
    values = [value for value in SEPARATOR_VALUES if not (BEFORE_1_16 and value == "newline")]
    for option in options:
        if draw(st.integers(0, 3)) == 0 or (option == "path_separator" and draw(st.booleans())):
            lines.append(f"{option} = {draw(st.sampled_from(values))}")
    if draw(st.booleans()):
        lines.append(f"recursive_version_locations = {draw(st.sampled_from(BOOLEANS))}")
    if draw(st.integers(0, 4)) == 0:
        lines.insert(0, f"[DEFAULT]\nscript_location = {draw(st.sampled_from(SCRIPT_LOCATIONS))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append("[other]\nscript_location = migrations\nversion_locations = other")
    return draw(mutated("\n".join(lines) + "\n"))


@st.composite
def toml_texts(draw: st.DrawFn) -> bytes:
    lines = ["[tool.alembic]"]
    if draw(st.booleans()) or draw(st.booleans()):
        lines.append(f"script_location = {json.dumps(draw(st.sampled_from(SCRIPT_LOCATIONS)))}")
    if draw(st.booleans()):
        parts = draw(st.lists(st.sampled_from(LOCATIONS), min_size=1, max_size=3))
        value = parts if draw(st.booleans()) else draw(st.sampled_from(SEPARATORS)).join(parts)
        lines.append(f"version_locations = {json.dumps(value)}")
    if draw(st.booleans()):
        value = draw(st.sampled_from(["true", "false", '"true"', "1"]))
        lines.append(f"recursive_version_locations = {value}")
    return draw(mutated("\n".join(lines) + "\n"))


@st.composite
def configurations(draw: st.DrawFn) -> Configuration:
    kind = "ini" if BEFORE_1_16 else draw(st.sampled_from(["ini", "ini", "toml", "both"]))
    ini = draw(ini_texts()) if kind in ("ini", "both") else None
    toml = draw(toml_texts()) if kind in ("toml", "both") else None
    return Configuration(ini, toml)


@dataclass
class AlembicSays:
    files: set[str] | None  # None: Alembic could not load the graph
    heads: int = 0


def alembic_says(root: Path, section: str) -> AlembicSays:
    """What Alembic's own Config and ScriptDirectory make of the configuration
    (run in ``root``, as `alembic -n SECTION heads` would)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    ini, toml = root / "alembic.ini", root / "pyproject.toml"
    path = list(sys.path)
    sys.path.insert(0, str(root))  # as `prepend_sys_path = .`, which `alembic init` writes
    _forget_modules_of(root)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # toml_file= only where there is one: Alembic before 1.16 has no such argument
            toml_file: dict[str, Any] = {"toml_file": str(toml)} if toml.exists() else {}
            config = Config(str(ini) if ini.exists() else None, ini_section=section, **toml_file)
            script = ScriptDirectory.from_config(config)
            files = {os.path.realpath(s.path) for s in script._load_revisions()}
            return AlembicSays(files, len(script.get_heads()))
    except Exception:  # anything Alembic refuses, or fails on
        return AlembicSays(None)
    finally:
        sys.path[:] = path
        _forget_modules_of(root)


def _forget_modules_of(root: Path) -> None:
    """Packages Alembic imported to find ``package:path`` (the tree's
    folders): the next example's folders have the same names."""
    for name in [name for name in sys.modules if name.split(".")[0] in _TOP_FOLDERS]:
        del sys.modules[name]


_TOP_FOLDERS = {name.split("/")[0] for name in TREE}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(configurations())
def test_mutated_configuration_keeps_every_promise(configuration: Configuration) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(os.path.realpath(folder))
        configuration.write(root)

        result = run_cli(["check"], root)  # an exception here is a traceback: a bug

        assert result.code in (0, 1, 2)
        if result.code == 2:
            assert result.out == ""
            assert result.err.startswith("alembic-heads: ")
            assert result.err.count("\n") == 1, result.err
            return
        assert result.err == ""
        with chdir(root):
            envs = find_environments([], [], None, root)
            default = alembic_says(root, "alembic")
            for env in envs:
                if env.ini is None and env.toml is None:
                    continue  # found by its folder: no configuration to compare
                theirs = alembic_says(root, env.section)
                graph, findings = read_graph(env, None)
                if theirs.files is None:  # Alembic fails: we must not pass
                    assert result.code == 1, env
                    continue
                assert not findings  # Alembic loads the same files without error
                assert graph is not None
                ours = {os.path.realpath(script.path) for script in graph.revisions.values()}
                assert ours == theirs.files, env
                assert (result.code == 1) >= (theirs.heads > 1)
        # Without [alembic] of its own, an ini whose other sections set a
        # script_location is one graph per section (`alembic -n NAME`).
        checks_default = any(env.section == "alembic" and (env.ini or env.toml) for env in envs)
        if checks_default and (default.files is None or default.heads > 1):
            assert result.code != 0


def test_a_usage_error_is_raised_not_printed() -> None:
    """The fuzz test's reading of our environments raises only what the
    command turns into its one line."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        try:
            find_environments([], [], None, root)
        except UsageError as error:
            assert "no Alembic environment found" in str(error)
