"""``alembic-heads-post-write``: Alembic's post-write hook that keeps ``head.txt`` current.

Alembic runs its ``[post_write_hooks]`` after ``alembic revision`` or
``alembic merge`` writes a file. A ``console_scripts`` hook runs
``python -c "import alembic_heads.commands.post_write; alembic_heads.commands.post_write.main()"``
with the new file's path as its argument (see ``alembic/script/write_hooks.py``):
this rewrites the head file of the graph holding that file, at once rather
than at the next commit. The graph is read as Alembic reads it, every
revision file on disk (the new file is not tracked yet), without running any.
Alembic ignores the hook's exit code, so what it did is printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import command
from ..core import check_environments
from ..discover import find_environments
from ..head_file import FILE_NAME, update_head_files
from ..options import add_config_options

PROG = "alembic-heads-post-write"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            f"Alembic post-write hook: rewrite {FILE_NAME} of the revision graph that holds "
            "REVISION_FILE, the file `alembic revision` or `alembic merge` just wrote. "
            "Configure it in alembic.ini's [post_write_hooks] with type = console_scripts "
            f"and entrypoint = {PROG} (with -c: options = -c FILE REVISION_SCRIPT_FILENAME)."
        ),
    )
    parser.add_argument("revision_file", metavar="REVISION_FILE", help="the file Alembic wrote")
    add_config_options(parser)
    return parser


@command(build_parser, PROG)
def main(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    if args.config or args.name:
        envs = find_environments([], args.config, args.name, cwd)
    else:
        envs = find_environments([args.revision_file], [], None, cwd)
    results = check_environments(envs, cwd, git_index=False)
    blocks = update_head_files(results, cwd, check=False)
    if blocks:
        print("\n\n".join(blocks))
    return 0 if all(result.ok for result in results) else 1
