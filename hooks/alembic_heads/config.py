"""Alembic's configuration, read the way ``alembic.config.Config`` reads it.

Only what decides *which files form the graph* is read: ``script_location``,
``version_locations`` (split by ``path_separator``, then the deprecated
``version_path_separator``, then the legacy space/comma split) and
``recursive_version_locations``, from the ini section (``-n``) first and
``[tool.alembic]`` in ``pyproject.toml`` second, with ``%(here)s`` expanded in
both. Alembic itself is never imported.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .findings import UsageError
from .paths import display

# configparser and tomllib are imported when a file needs them: a hook that
# runs on every commit pays for every module it imports.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_INI = "alembic.ini"
DEFAULT_SECTION = "alembic"

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
_LEGACY_SPLIT = re.compile(r", *|(?: +)")


@dataclass(frozen=True)
class Environment:
    """One Alembic environment: one revision graph.

    ``ini``/``toml``/``section`` say how to reach it with the ``alembic``
    command (they become ``-c``/``-n`` in suggested commands), run in
    ``run_from`` (``None``: where alembic-heads runs); an environment found by
    its folder alone has none of them.
    """

    name: str
    version_locations: tuple[Path, ...]
    recursive: bool = False
    ini: Path | None = None
    toml: Path | None = None
    section: str = DEFAULT_SECTION
    run_from: Path | None = None
    flask: bool = False
    sourceless: bool = False
    script_dir: Path | None = None  # script_location: where env.py is


@dataclass(frozen=True)
class ConfigFiles:
    ini: Path
    toml: Path
    section: str
    cwd: Path

    def shown(self, path: Path) -> str:
        return display(path, self.cwd)


def config_files(config: Sequence[str], section: str | None, cwd: Path) -> ConfigFiles:
    """Which ini and pyproject.toml Alembic's command line would read.

    Mirrors ``CommandLine._inis_from_config``: ``-c`` may be given for an ini
    file and for a ``pyproject.toml``; ``ALEMBIC_CONFIG`` sets the default.
    """
    from_env = os.environ.get("ALEMBIC_CONFIG")
    default_ini, default_toml = DEFAULT_INI, "pyproject.toml"
    if from_env and os.path.basename(from_env) == "pyproject.toml":
        default_toml = from_env
    elif from_env:
        default_ini = from_env
    ini = toml = None
    for name in config:
        if os.path.basename(name) == "pyproject.toml":
            if toml is not None:
                raise UsageError("pyproject.toml indicated more than once")
            toml = name
        else:
            if ini is not None:
                raise UsageError("only one ini file may be indicated")
            ini = name
    return ConfigFiles(
        cwd / (ini or default_ini), cwd / (toml or default_toml), section or DEFAULT_SECTION, cwd
    )


def has_config(files: ConfigFiles) -> bool:
    """Whether the files exist and hold an Alembic configuration."""
    return files.ini.is_file() or bool(_read_toml(files.toml))


def load_environments(files: ConfigFiles, cwd: Path, every_section: bool) -> list[Environment]:
    """The environments a configuration describes. Raises :class:`UsageError`.

    With ``every_section`` (no ``-n`` given) an ini file with several sections
    holding a ``script_location`` (one per database, run as ``alembic -n
    NAME``) gives one environment per section.
    """
    if every_section and files.ini.is_file():
        parser = _Options(files).parser
        inherited = parser.defaults().get("script_location")
        with_script = [  # sections that set it themselves, not through [DEFAULT]
            name
            for name in parser.sections()
            if parser.has_option(name, "script_location")
            and (
                name == files.section or parser.get(name, "script_location", raw=True) != inherited
            )
        ]
        others = [name for name in with_script if name != files.section]
        envs = [load_environment(replace(files, section=name), cwd) for name in others]
        if envs and files.section not in with_script and not _read_toml(files.toml):
            return envs
        return [load_environment(files, cwd), *envs]
    return [load_environment(files, cwd)]


def load_environment(files: ConfigFiles, cwd: Path) -> Environment:
    """The environment one configuration section describes."""
    options = _Options(files)
    where = _describe(files)
    if files.section != DEFAULT_SECTION and not options.parser.has_section(files.section):
        raise UsageError(f"{files.shown(files.ini)}: no section [{files.section}]")
    script_location = options.get("script_location")
    flask = False
    if script_location is None:
        if not _is_flask_migrate(files):
            raise UsageError(f"{where}: no 'script_location' key found in configuration")
        # Flask-Migrate's migrations/alembic.ini: the folder it sits in is the
        # script location (flask_migrate sets it when it builds its Config).
        script_location, flask, cwd = str(files.ini.parent), True, files.ini.parent.parent
    script_dir = resolve_location(str(script_location), cwd, where)
    if not script_dir.is_dir():
        raise UsageError(
            f"{where}: script_location {script_location} does not exist ({script_dir})"
        )
    locations = options.version_locations()
    if locations:
        version_locations = tuple(resolve_location(loc, cwd, where) for loc in locations)
    else:
        version_locations = (script_dir / "versions",)
    return Environment(
        name=where,
        version_locations=version_locations,
        recursive=options.boolean("recursive_version_locations"),
        ini=files.ini if files.ini.is_file() else None,
        toml=files.toml if options.toml else None,
        section=files.section,
        run_from=cwd if flask else None,
        flask=flask,
        sourceless=options.boolean("sourceless"),
        script_dir=script_dir,
    )


def _is_flask_migrate(files: ConfigFiles) -> bool:
    folder = files.ini.parent
    return files.ini.is_file() and (folder / "env.py").is_file() and (folder / "versions").is_dir()


def resolve_location(location: str, cwd: Path, where: str) -> Path:
    """A path as Alembic resolves it: relative to the working directory, or
    ``package:path`` found in the repository without importing the package."""
    if not os.path.isabs(location) and ":" in location:
        package, *parts = location.split(":")
        base = _find_package(package, cwd)
        if base is None:
            raise UsageError(
                f"{where}: cannot find package '{package}' of '{location}' in {cwd} "
                "(looked in . and src/ without importing it)"
            )
        return base.joinpath(*parts)
    return cwd / location


def _find_package(dotted: str, cwd: Path) -> Path | None:
    relative = Path(*dotted.split("."))
    for root in (cwd, cwd / "src"):
        if (root / relative).is_dir():
            return root / relative
    return None


def _describe(files: ConfigFiles) -> str:
    name = files.shown(files.ini if files.ini.is_file() else files.toml)
    if files.section != DEFAULT_SECTION:
        name += f" [{files.section}]"
    return name


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path.name}: cannot read: {_one_line(error)}") from None
    tool = data.get("tool", {})
    section = tool.get("alembic", {}) if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        raise UsageError(f"{path.name}: [tool.alembic] must be a table")
    return section


class _Options:
    """``Config.get_alembic_option`` and friends: ini first, then TOML."""

    def __init__(self, files: ConfigFiles) -> None:
        import configparser

        self.section = files.section
        self.parser = configparser.ConfigParser({"here": files.ini.parent.absolute().as_posix()})
        if files.ini.is_file():
            try:
                self.parser.read(files.ini, encoding="utf-8")
            except (configparser.Error, OSError, UnicodeDecodeError) as error:
                raise UsageError(f"{files.shown(files.ini)}: {_one_line(error)}") from None
        self.toml = _read_toml(files.toml)
        self.toml_here = files.toml.parent.absolute().as_posix()
        self.where = files.shown(files.ini)

    def _ini(self, name: str) -> str | None:
        if not self.parser.has_option(self.section, name):
            return None
        import configparser

        try:
            return self.parser.get(self.section, name)
        except configparser.Error as error:
            raise UsageError(f"{self.where}: {_one_line(error)}") from None

    def get(self, name: str) -> str | list[str] | None:
        value = self._ini(name)
        if value is not None:
            return value
        raw = self.toml.get(name)
        if isinstance(raw, str):
            return self._expand(raw)
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return [self._expand(item) for item in raw]
        if raw is not None:
            raise UsageError(f"pyproject.toml: unsupported value for [tool.alembic] {name}")
        return None

    def _expand(self, value: str) -> str:
        try:
            return value % {"here": self.toml_here}
        except (KeyError, ValueError, TypeError) as error:
            raise UsageError(f"pyproject.toml: cannot expand {value!r}: {error}") from None

    def boolean(self, name: str) -> bool:
        value = self._ini(name)
        if value is not None:
            return value == "true"
        raw = self.toml.get(name, False)
        if not isinstance(raw, bool):
            raise UsageError(f"pyproject.toml: boolean value expected for {name!r}")
        return raw

    def version_locations(self) -> list[str]:
        value = self._ini("version_locations")
        if not value:
            toml_value = self.get("version_locations") if "version_locations" in self.toml else None
            if isinstance(toml_value, str):
                return [toml_value]
            return list(toml_value or [])
        separator = self._separator()
        if separator is None:
            return _LEGACY_SPLIT.split(value)
        return [part.strip() for part in value.split(separator) if part]

    def _separator(self) -> str | None:
        for name in ("path_separator", "version_path_separator"):
            value = self._ini(name)  # Alembic reads these from the ini file only
            if value is None:
                continue
            if value not in _SEPARATORS:
                raise UsageError(
                    f"{self.where}: '{value}' is not a valid value for {name}; "
                    "expected 'space', 'newline', 'os', ':', ';'"
                )
            return _SEPARATORS[value]
        return None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
