"""Which files form the graph: for each configuration, the files we read are the
files Alembic's own ``ScriptDirectory.from_config(Config(...))`` loads."""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from alembic_heads import memo
from alembic_heads.config import config_files, load_environment
from alembic_heads.discover import revision_paths
from helpers import chdir, require_alembic


@dataclass
class Case:
    files: dict[str, str]
    revisions: list[str]
    config: list[str] = field(default_factory=list)
    section: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    sys_path: str | None = None


SIMPLE = ["migrations/versions/a1_x.py", "migrations/versions/b2_x.py"]
TWO_PLACES = ["migrations/versions/a1_x.py", "more/b2_x.py", "extra/c3_x.py"]
NESTED = [
    "migrations/versions/a1_x.py",
    "migrations/versions/2024/b2_x.py",
    "migrations/versions/2024/q1/c3_x.py",
]

CASES = {
    "relative script_location": Case(
        {"alembic.ini": "[alembic]\nscript_location = migrations\n"}, SIMPLE
    ),
    "here script_location": Case(
        {"alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n"}, SIMPLE
    ),
    "path_separator os": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = os\n"
            f"version_locations = %(here)s/migrations/versions{os.pathsep}%(here)s/more"
            f"{os.pathsep}extra\n"
        },
        TWO_PLACES,
    ),
    "path_separator ;": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = ;\n"
            "version_locations = migrations/versions; more ;extra\n"
        },
        TWO_PLACES,
    ),
    "path_separator space": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = space\n"
            "version_locations = migrations/versions more extra\n"
        },
        TWO_PLACES,
    ),
    "path_separator newline": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = newline\n"
            "version_locations =\n    migrations/versions\n    more\n    extra\n"
        },
        TWO_PLACES,
    ),
    "path_separator colon": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = :\n"
            "version_locations = migrations/versions:more:extra\n"
        },
        TWO_PLACES,
    ),
    "deprecated version_path_separator": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n"
            "version_path_separator = ;\nversion_locations = migrations/versions;more;extra\n"
        },
        TWO_PLACES,
    ),
    "legacy comma split": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n"
            "version_locations = migrations/versions, more,extra\n"
        },
        TWO_PLACES,
    ),
    "legacy space split": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n"
            "version_locations = migrations/versions  more extra\n"
        },
        TWO_PLACES,
    ),
    "version_locations without the default folder": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = os\n"
            "version_locations = more\n"
        },
        TWO_PLACES,
    ),
    "recursive": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n"
            "recursive_version_locations = true\n"
        },
        NESTED,
    ),
    "not recursive": Case({"alembic.ini": "[alembic]\nscript_location = migrations\n"}, NESTED),
    "recursive is only 'true'": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n"
            "recursive_version_locations = True\n"
        },
        NESTED,
    ),
    "named section": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = nowhere\n\n"
            "[reporting]\nscript_location = %(here)s/migrations\n"
        },
        SIMPLE,
        section="reporting",
    ),
    "pyproject only": Case(
        {"pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/migrations"\n'}, SIMPLE
    ),
    "pyproject version_locations list": Case(
        {
            "pyproject.toml": '[tool.alembic]\nscript_location = "migrations"\n'
            'version_locations = ["%(here)s/migrations/versions", "more", "extra"]\n'
        },
        TWO_PLACES,
    ),
    "pyproject recursive": Case(
        {
            "pyproject.toml": '[tool.alembic]\nscript_location = "migrations"\n'
            "recursive_version_locations = true\n"
        },
        NESTED,
    ),
    "ini wins over pyproject": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "pyproject.toml": '[tool.alembic]\nscript_location = "nowhere"\n'
            "recursive_version_locations = true\n",
        },
        NESTED,
    ),
    "ini and pyproject together": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "pyproject.toml": '[tool.alembic]\nversion_locations = ["more", "extra"]\n',
        },
        TWO_PLACES,
    ),
    "-c ini in a subfolder": Case(
        {"deploy/prod.ini": "[alembic]\nscript_location = %(here)s/../migrations\n"},
        SIMPLE,
        config=["deploy/prod.ini"],
    ),
    "-c ini and -c pyproject": Case(
        {
            "deploy/prod.ini": "[alembic]\nscript_location = migrations\n",
            "deploy/pyproject.toml": '[tool.alembic]\nversion_locations = ["more"]\n',
        },
        TWO_PLACES,
        config=["deploy/prod.ini", "deploy/pyproject.toml"],
    ),
    "ALEMBIC_CONFIG ini": Case(
        {"other.ini": "[alembic]\nscript_location = migrations\n"},
        SIMPLE,
        env={"ALEMBIC_CONFIG": "other.ini"},
    ),
    "ALEMBIC_CONFIG pyproject": Case(
        {"conf/pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/../migrations"\n'},
        SIMPLE,
        env={"ALEMBIC_CONFIG": "conf/pyproject.toml"},
    ),
    "package:path, src layout": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = myapp.db:migrations\n",
            "src/myapp/__init__.py": "",
            "src/myapp/db/__init__.py": "",
        },
        ["src/myapp/db/migrations/versions/a1_x.py"],
        sys_path="src",
    ),
    "package:path, flat layout": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = myapp:migrations\n",
            "myapp/__init__.py": "",
        },
        ["myapp/migrations/versions/a1_x.py"],
        sys_path=".",
    ),
    "files Alembic skips": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n"
            "recursive_version_locations = true\n",
            "migrations/versions/__init__.py": "",
            "migrations/versions/.#a1_x.py": "",
            "migrations/versions/notes.txt": "",
            "migrations/versions/__pycache__/a1_x.cpython-311.pyc": "",
            "migrations/versions/__pycache__/z9_x.py": "",
        },
        SIMPLE,
    ),
    "a location listed twice": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = os\n"
            f"version_locations = more{os.pathsep}more{os.pathsep}./more\n"
        },
        TWO_PLACES,
    ),
    "a location that does not exist": Case(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\npath_separator = os\n"
            f"version_locations = more{os.pathsep}gone\n"
        },
        TWO_PLACES,
    ),
}


def build(root: Path, case: Case) -> None:
    (root / "migrations").mkdir()
    for index, path in enumerate(case.revisions):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"revision = 'r{index}'\ndown_revision = None\n")
    for path, text in case.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def alembic_files(root: Path, case: Case) -> set[str]:
    from alembic.config import CommandLine, Config
    from alembic.script import ScriptDirectory

    command_line = CommandLine()
    options = command_line.parser.parse_args([*(f"-c{c}" for c in case.config), "heads"])
    if hasattr(command_line, "_inis_from_config"):  # Alembic 1.16+
        toml, ini = command_line._inis_from_config(options)
        config = Config(ini, toml_file=toml, ini_section=case.section or "alembic")
    else:
        config = Config(options.config, ini_section=case.section or "alembic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        script = ScriptDirectory.from_config(config)
        return {os.path.realpath(s.path) for s in script._load_revisions()}


def require_features(case: Case) -> None:
    """Skip a case whose configuration the installed Alembic cannot read."""
    names = [*case.files, *case.config, *case.env.values()]
    text = "".join(case.files.values()).replace("version_path_separator", "")
    if any(name.endswith(".toml") for name in names) or "path_separator" in text:
        require_alembic("1.16", "[tool.alembic] and path_separator")


def our_files(root: Path, case: Case) -> set[str]:
    env = load_environment(config_files(case.config, case.section, root), root)
    return {os.path.realpath(path) for path in revision_paths(env, None)}


@pytest.mark.parametrize("recalled", [False, True], ids=["read", "recalled"])
@pytest.mark.parametrize("name", CASES)
def test_we_read_the_files_alembic_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, recalled: bool
) -> None:
    case = CASES[name]
    require_features(case)
    build(tmp_path, case)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    if case.sys_path:  # Alembic imports the package to find package:path
        monkeypatch.syspath_prepend(str(tmp_path / case.sys_path))
        for module in [m for m in sys.modules if m.split(".")[0] == "myapp"]:
            monkeypatch.delitem(sys.modules, module)
    if recalled:  # what the configuration said comes from the memo of the last run
        monkeypatch.setattr(memo, "SETTLED_SECONDS", -1.0)
        monkeypatch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(tmp_path / "cache"))
        with chdir(tmp_path):
            our_files(tmp_path, case)
        assert list((tmp_path / "cache").glob("*-*.marshal"))

    with chdir(tmp_path):
        ours = our_files(tmp_path, case)
        theirs = alembic_files(tmp_path, case)

    assert ours == theirs
    assert ours  # every case loads something


def test_there_are_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20
