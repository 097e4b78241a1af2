"""Writing the merge revision ``alembic merge`` would write (for ``alembic-heads merge``).

Alembic's ``merge`` first loads every revision file (importing the application
they import) only to check the heads it is given. We check them on the graph
read statically, then let Alembic itself do the rest: its ``ScriptDirectory``
names the file (``file_template``, ``truncate_slug_length``, ``timezone``),
Mako renders the project's ``script.py.mako`` with the arguments
``generate_revision`` passes, and its post-write hooks format the result.
Alembic is imported only here, and ``env.py`` is never run.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Environment
from .files import create_file
from .findings import UsageError
from .graph import Graph
from .heads import too_many_heads
from .paths import display
from .report import merge_message
from .revision_arguments import resolve_revision
from .revision_file import revision_id_problem


@dataclass(frozen=True)
class MergePlan:
    """What to write: a revision ``rev_id`` whose parents are ``heads``."""

    env: Environment
    heads: tuple[str, ...]
    message: str
    rev_id: str
    version_path: Path


def heads_to_merge(graph: Graph, env: Environment) -> tuple[str, ...] | None:
    """The heads the graph has too many of, or ``None`` when it has not."""
    problems = too_many_heads(graph)
    if not problems:
        return None
    if len(problems) > 1:
        shown = "; ".join(", ".join(problem.heads) for problem in problems)
        raise UsageError(
            f"{env.name}: several branches have more than one head ({shown}): "
            "name the revisions to merge"
        )
    if problems[0].unlabelled:
        raise UsageError(
            f"{env.name}: head(s) {', '.join(problems[0].heads)} are outside every labelled "
            "branch: name the revisions to merge"
        )
    return problems[0].heads


def plan_merge(
    env: Environment,
    graph: Graph,
    revisions: Sequence[str],
    message: str | None,
    rev_id: str | None,
) -> MergePlan:
    """Check a merge the way ``generate_revision`` would, on the static graph."""
    if revisions:
        heads = tuple(rev for ident in revisions for rev in resolve_revision(graph, ident))
    else:
        found = heads_to_merge(graph, env)
        if found is None:
            raise UsageError(f"nothing to merge: {env.name} has one head ({_heads(graph)})")
        heads = found
    if len(set(heads)) != len(heads):
        raise UsageError(f"duplicate head revisions specified: {' '.join(heads)}")
    if len(heads) < 2:
        raise UsageError(
            f"nothing to merge: a merge needs at least two revisions, got {' '.join(heads)}"
        )
    for rev in heads:
        if graph.children[rev]:
            raise UsageError(
                f"revision {rev} is not a head revision (revision "
                f"{graph.children[rev][0]} is based on it): merging it would add a branch"
            )
    rev_id = rev_id or uuid.uuid4().hex[-12:]  # alembic.util.rev_id()
    problem = revision_id_problem(rev_id)
    if problem:
        raise UsageError(problem)
    owner = graph.revisions.get(graph.labels.get(rev_id, rev_id))
    if owner is not None:
        what = "exists" if owner.revision == rev_id else "is a branch label"
        where = display(owner.path, os.getcwd())
        raise UsageError(f"revision id {rev_id} {what} already ({where})")
    return MergePlan(
        env=env,
        heads=heads,
        message=merge_message(heads) if message is None else message,
        rev_id=rev_id,
        version_path=_version_path(env, graph, heads),
    )


def _heads(graph: Graph) -> str:
    return ", ".join(graph.heads) or "none"


def _version_path(env: Environment, graph: Graph, heads: Sequence[str]) -> Path:
    """Where ``generate_revision`` puts the file: the only version location,
    or else the folder of the first head."""
    if len(env.version_locations) == 1:
        return Path(env.version_locations[0])
    folder = Path(graph.revisions[heads[0]].path).parent.absolute()
    if folder not in [Path(location) for location in env.version_locations]:
        raise UsageError(f"path {folder} is not represented in current version locations")
    return folder


@dataclass(frozen=True)
class Written:
    """A revision file just written, and the post-write hooks still to run on it."""

    path: Path
    hooks: list[dict[str, str]]


def write_merge(plan: MergePlan) -> Written:
    """Render and write the merge revision (its post-write hooks are left to run)."""
    from alembic import util
    from alembic.script import ScriptDirectory
    from mako.template import Template  # type: ignore[import-untyped]

    config = alembic_config(plan.env)
    script_dir = Path(plan.env.script_dir or os.path.dirname(plan.env.version_locations[0]))
    template = script_dir / "script.py.mako"
    if not template.is_file():
        raise UsageError(f"no script.py.mako in {script_dir}: cannot write a revision")
    try:
        script = ScriptDirectory(
            script_dir,
            file_template=_option(config, "file_template") or "%(rev)s_%(slug)s",
            truncate_slug_length=int(_option(config, "truncate_slug_length") or 40),
            version_locations=[str(path) for path in plan.env.version_locations],
            output_encoding=_option(config, "output_encoding") or "utf-8",
            timezone=_option(config, "timezone"),
        )
        create_date = script._generate_create_date()
        path = Path(script._rev_path(plan.version_path, plan.rev_id, plan.message, create_date))
        hooks = _hooks(config)
    except (util.CommandError, ValueError, TypeError, KeyError, configparser.Error) as error:
        raise UsageError(f"{plan.env.name}: {' '.join(str(error).split())}") from None
    arguments: dict[str, Any] = {
        "up_revision": plan.rev_id,
        "down_revision": plan.heads,
        "branch_labels": None,
        "depends_on": None,
        "create_date": create_date,
        "comma": util.format_as_comma,
        "message": plan.message,
        "refresh": True,
        "config": config,
    }
    try:
        rendered = Template(filename=str(template)).render_unicode(**arguments)
        data = rendered.encode(script.output_encoding)
    except Exception as error:  # anything the project's template raises
        raise UsageError(f"{template}: rendering failed: {type(error).__name__}: {error}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        create_file(path, data)
    except FileExistsError:
        raise UsageError(f"{path} already exists: not overwriting it") from None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    return Written(path, hooks)


def require_alembic() -> None:
    """Alembic writes the file (its template, its hooks): the check itself
    needs none of it, so it is an extra of this package."""
    import importlib.util

    if importlib.util.find_spec("alembic") is None:
        raise UsageError(
            "writing a merge revision needs Alembic: pip install 'alembic-heads[merge]' "
            "(the alembic-merge-heads hook brings it)"
        )


def alembic_config(env: Environment) -> Any:
    """Alembic's own ``Config`` for ``env``, as ``alembic -c ... -n ...`` builds it."""
    from alembic import __version__
    from alembic.config import Config

    if env.toml is None:
        return Config(file_=env.ini, ini_section=env.section)
    try:
        return Config(file_=env.ini, toml_file=env.toml, ini_section=env.section)
    except TypeError:  # no toml_file before Alembic 1.16
        raise UsageError(
            f"{env.name}: Alembic {__version__} cannot read [tool.alembic] (Alembic 1.16 can)"
        ) from None


def _hooks(config: Any) -> list[dict[str, str]]:
    """The ``post_write_hooks``: ``Config.get_hooks_list`` (Alembic 1.16+), or
    read from the ini section as older Alembic's ``_run_hooks`` reads it."""
    if hasattr(config, "get_hooks_list"):
        return list(map(dict, config.get_hooks_list()))
    section = config.get_section("post_write_hooks", {})
    hooks = []
    for name in section.get("hooks", "").replace(",", " ").split():
        prefix = name + "."
        hook = {
            key[len(prefix) :]: value for key, value in section.items() if key.startswith(prefix)
        }
        hook["_hook_name"] = name
        hooks.append(hook)
    return hooks


def _option(config: Any, name: str) -> str | None:
    getter = getattr(config, "get_alembic_option", None) or config.get_main_option
    value = getter(name)
    return None if value is None else str(value)


def run_post_write_hooks(path: Path, hooks: Sequence[dict[str, str]]) -> None:
    """Alembic's ``_run_hooks``, without its status lines. A ``console_scripts``
    hook whose tool is not installed beside us (a pre-commit hook has its own
    environment) runs the tool of that name found on ``PATH`` instead."""
    from alembic import util
    from alembic.script import write_hooks

    for hook in hooks:
        name = hook["_hook_name"]
        if "type" not in hook:
            raise UsageError(
                f"post write hook {name!r}: key '{name}.type' (or 'type' in toml) is required"
            )
        try:
            _run_hook(write_hooks, str(path), hook)
        except (util.CommandError, OSError) as error:
            raise UsageError(f"post write hook {name!r}: {error}") from None


def _run_hook(write_hooks: Any, path: str, hook: dict[str, str]) -> None:
    entrypoint = hook.get("entrypoint", "")
    if hook["type"] == "console_scripts" and not _installed_script(entrypoint):
        executable = shutil.which(entrypoint)
        if executable is not None:
            options = write_hooks._parse_cmdline_options(hook.get("options", ""), path)
            subprocess.run([executable, *options], cwd=hook.get("cwd"))
            return
    write_hooks._invoke(hook["type"], path, hook)


def _installed_script(name: str) -> bool:
    from alembic.util import compat  # how the console_scripts hook looks them up

    return any(entry.name == name for entry in compat.importlib_metadata_get("console_scripts"))
