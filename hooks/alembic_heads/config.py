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
import sys

from .findings import UsageError
from .memo import remembered
from .paths import display
from .record import Record, replace

# configparser, tomllib, re and pathlib are imported when a file needs them
# (CONTRIBUTING.md, "Speed rules").
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from .paths import StrPath

    # What an ini file says (see _Ini): kept by memo.remembered.
    _IniValues = tuple[str | None, dict[str, str], dict[str, dict[str, tuple[bool, str]]]]

DEFAULT_INI = "alembic.ini"
DEFAULT_SECTION = "alembic"

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}


class Environment(Record):
    """One Alembic environment: one revision graph.

    ``ini``/``toml``/``section`` say how to reach it with the ``alembic``
    command (they become ``-c``/``-n`` in suggested commands), run in
    ``run_from`` (``None``: where alembic-heads runs); an environment found by
    its folder alone has none of them. Paths are absolute and normalised.
    """

    __slots__ = (
        "name",
        "version_locations",
        "recursive",
        "ini",
        "toml",
        "section",
        "run_from",
        "flask",
        "sourceless",
        "script_dir",
    )

    def __init__(
        self,
        name: str,
        version_locations: tuple[str, ...],
        recursive: bool = False,
        ini: str | None = None,
        toml: str | None = None,
        section: str = DEFAULT_SECTION,
        run_from: str | None = None,
        flask: bool = False,
        sourceless: bool = False,
        script_dir: str | None = None,  # script_location: where env.py is
    ) -> None:
        self.name = name
        self.version_locations = version_locations
        self.recursive = recursive
        self.ini = ini
        self.toml = toml
        self.section = section
        self.run_from = run_from
        self.flask = flask
        self.sourceless = sourceless
        self.script_dir = script_dir


def version_folders(envs: Sequence[Environment]) -> list[str]:
    """Every version location of ``envs``, each once, in order."""
    return list(dict.fromkeys(loc for env in envs for loc in env.version_locations))


class ConfigFiles(Record):
    """The ini file and ``pyproject.toml`` to read, and the ini section."""

    __slots__ = ("ini", "toml", "section", "cwd")

    def __init__(self, ini: str, toml: str, section: str, cwd: str) -> None:
        self.ini = ini
        self.toml = toml
        self.section = section
        self.cwd = cwd

    def shown(self, path: str) -> str:
        return display(path, self.cwd)


def config_files(config: Sequence[str], section: str | None, cwd: StrPath) -> ConfigFiles:
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
        _join(cwd, ini or default_ini),
        _join(cwd, toml or default_toml),
        section or DEFAULT_SECTION,
        os.path.abspath(cwd),
    )


def _join(base: StrPath, *parts: str) -> str:
    """``base / parts`` as an absolute, normalised path."""
    return os.path.abspath(os.path.join(base, *parts))


def has_config(files: ConfigFiles) -> bool:
    """Whether the files exist and hold an Alembic configuration."""
    return os.path.isfile(files.ini) or bool(_read_toml(files.toml))


def load_environments(files: ConfigFiles, cwd: StrPath, every_section: bool) -> list[Environment]:
    """The environments a configuration describes. Raises :class:`UsageError`.

    With ``every_section`` (no ``-n`` given) an ini file with several sections
    holding a ``script_location`` (one per database, run as ``alembic -n
    NAME``) gives one environment per section.
    """
    if every_section and os.path.isfile(files.ini):
        ini = _Options(files).ini
        with_script = [  # sections that set it themselves, not through [DEFAULT]
            name
            for name in ini.sections
            if name in ini.script_locations
            and (name == files.section or ini.script_locations[name] != ini.inherited)
        ]
        others = [name for name in with_script if name != files.section]
        envs = [load_environment(replace(files, section=name), cwd) for name in others]
        if envs and files.section not in with_script and not _read_toml(files.toml):
            return envs
        return [load_environment(files, cwd), *envs]
    return [load_environment(files, cwd)]


def load_environment(files: ConfigFiles, cwd: StrPath) -> Environment:
    """The environment one configuration section describes."""
    options = _Options(files)
    where = _describe(files)
    if files.section != DEFAULT_SECTION and files.section not in options.ini.sections:
        raise UsageError(f"{files.shown(files.ini)}: no section [{files.section}]")
    script_location = options.get("script_location")
    flask = False
    if script_location is None:
        if not _is_flask_migrate(files):
            raise UsageError(f"{where}: no 'script_location' key found in configuration")
        # Flask-Migrate's migrations/alembic.ini: the folder it sits in is the
        # script location (flask_migrate sets it when it builds its Config).
        script_location, flask = os.path.dirname(files.ini), True
        cwd = os.path.dirname(script_location)
    script_dir = resolve_location(str(script_location), cwd, where)
    if not os.path.isdir(script_dir):
        raise UsageError(
            f"{where}: script_location {script_location} does not exist ({script_dir})"
        )
    locations = options.version_locations()
    if locations:
        version_locations = tuple(resolve_location(loc, cwd, where) for loc in locations)
    else:
        version_locations = (os.path.join(script_dir, "versions"),)
    return Environment(
        name=where,
        version_locations=version_locations,
        recursive=options.boolean("recursive_version_locations"),
        ini=files.ini if os.path.isfile(files.ini) else None,
        toml=files.toml if options.toml else None,
        section=files.section,
        run_from=os.path.abspath(cwd) if flask else None,
        flask=flask,
        sourceless=options.boolean("sourceless"),
        script_dir=script_dir,
    )


def _is_flask_migrate(files: ConfigFiles) -> bool:
    folder = os.path.dirname(files.ini)
    return (
        os.path.isfile(files.ini)
        and os.path.isfile(os.path.join(folder, "env.py"))
        and os.path.isdir(os.path.join(folder, "versions"))
    )


def resolve_location(location: str, cwd: StrPath, where: str) -> str:
    """A path as Alembic resolves it: relative to the working directory, or
    ``package:path`` found in the repository without importing the package."""
    if "\0" in location:  # Alembic's os.access raises; Path.exists says no
        raise UsageError(f"{where}: {location!r} is not a path: it holds a NUL byte")
    if not os.path.isabs(location) and ":" in location:
        package, *parts = location.split(":")
        base = _find_package(package, cwd)
        if base is None:
            raise UsageError(
                f"{where}: cannot find package '{package}' of '{location}' in {cwd} "
                "(looked in . and src/ without importing it)"
            )
        return _as_the_system_finds(os.path.join(base, *parts))
    return _as_the_system_finds(os.path.join(cwd, location))


def _as_the_system_finds(path: str) -> str:
    """``path`` absolute and normalised, as the system resolves it: a ``..``
    after a folder that does not exist, or after a symbolic link, is not
    undone by the letter (``nowhere/../versions`` is no folder to Alembic)."""
    if ".." not in path.replace(os.sep, "/").split("/"):
        return os.path.abspath(path)
    if os.path.exists(path):
        return os.path.realpath(path)
    return os.path.join(os.getcwd(), path)  # as it is: it names nothing


def _find_package(dotted: str, cwd: StrPath) -> str | None:
    if not all(part.isidentifier() for part in dotted.split(".")):
        return None  # no module has that name: Alembic cannot import it
    for root in (cwd, os.path.join(cwd, "src")):
        folder = _join(root, *dotted.split("."))
        if os.path.isdir(folder):
            return folder
    return None


def _describe(files: ConfigFiles) -> str:
    name = files.shown(files.ini if os.path.isfile(files.ini) else files.toml)
    if files.section != DEFAULT_SECTION:
        name += f" [{files.section}]"
    return name


def _read_toml(path: str) -> dict[str, Any]:
    """``[tool.alembic]``, recalled while the file is unchanged."""
    if not os.path.isfile(path):
        return {}
    return remembered("toml", path, lambda: _read_tool_alembic(path))


def _read_tool_alembic(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{os.path.basename(path)}: cannot read: {_one_line(error)}") from None
    tool = data.get("tool", {})
    section = tool.get("alembic", {}) if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        raise UsageError(f"{os.path.basename(path)}: [tool.alembic] must be a table")
    return section


# The options Alembic reads that decide which files form a graph.
_OPTIONS = (
    "script_location",
    "version_locations",
    "recursive_version_locations",
    "sourceless",
    "path_separator",
    "version_path_separator",
)


class _Ini:
    """What an ini file says of :data:`_OPTIONS`, as ``configparser`` reads it
    for Alembic (``%(here)s`` and ``[DEFAULT]`` included): ``[DEFAULT]``'s
    own ``script_location``, each section's ``script_location`` before
    interpolation, and, section by section in order, each option's value or
    why ``configparser`` could not give it."""

    def __init__(self, path: str) -> None:
        if os.path.isfile(path):
            values = remembered("ini", path, lambda: _read_ini(path))
        else:
            values = (None, {}, {})
        self.inherited: str | None = values[0]
        self.script_locations: dict[str, str] = values[1]
        self.options: dict[str, dict[str, tuple[bool, str]]] = values[2]
        self.sections = list(self.options)


class _Unreadable(Exception):
    """configparser's reason, on one line."""


def _read_ini(path: str) -> _IniValues:
    import configparser

    parser = configparser.ConfigParser({"here": _posix(os.path.dirname(path))})
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError) as error:
        raise _Unreadable(_one_line(error)) from None
    script_locations: dict[str, str] = {}
    options: dict[str, dict[str, tuple[bool, str]]] = {}
    for section in parser.sections():
        if parser.has_option(section, "script_location"):
            script_locations[section] = parser.get(section, "script_location", raw=True)
        options[section] = {}
        for name in _OPTIONS:
            if parser.has_option(section, name):
                try:
                    options[section][name] = (True, parser.get(section, name))
                except configparser.Error as error:
                    options[section][name] = (False, _one_line(error))
    return parser.defaults().get("script_location"), script_locations, options


class _Options:
    """``Config.get_alembic_option`` and friends: ini first, then TOML."""

    def __init__(self, files: ConfigFiles) -> None:
        self.section = files.section
        try:
            self.ini = _Ini(files.ini)
        except _Unreadable as error:
            raise UsageError(f"{files.shown(files.ini)}: {error}") from None
        self.toml = _read_toml(files.toml)
        self.toml_here = _posix(os.path.dirname(files.toml))
        self.where = files.shown(files.ini)

    def _ini(self, name: str) -> str | None:
        if name not in _OPTIONS:
            raise KeyError(name)  # pragma: no cover (a new option must be added there)
        found = self.ini.options.get(self.section, {}).get(name)
        if found is None:
            return None
        ok, value = found
        if not ok:
            raise UsageError(f"{self.where}: {value}")
        return value

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
            if isinstance(toml_value, str) and toml_value:
                raise UsageError(
                    f"pyproject.toml: [tool.alembic] version_locations must be a list of "
                    f"paths, not the string {toml_value!r} (Alembic would take each of its "
                    "characters for a path)"
                )
            return list(toml_value or [])
        separator = self._separator()
        if separator is None:
            import re

            return re.split(r", *|(?: +)", value)
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


def _posix(path: str) -> str:
    """``Path(path).as_posix()``: what Alembic puts in ``%(here)s``."""
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def main_option(env: Environment, name: str) -> str | None:
    """``Config.get_main_option(name)``: the option in the environment's ini
    section, ``%(here)s`` and ``[DEFAULT]`` expanded; ``None`` without one.
    Read afresh (not remembered): only the database commands ask."""
    if env.ini is None:
        return None
    import configparser

    parser = configparser.ConfigParser({"here": _posix(os.path.dirname(env.ini))})
    shown = display(env.ini, os.getcwd())
    try:
        parser.read(env.ini, encoding="utf-8")
        if not parser.has_option(env.section, name):
            return None
        return parser.get(env.section, name)
    except (configparser.Error, OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{shown}: {_one_line(error)}") from None
