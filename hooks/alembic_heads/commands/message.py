"""``alembic-heads message``: fail when a revision's message says nothing (the
rule: :mod:`alembic_heads.message`)."""

from __future__ import annotations

import argparse

from .. import per_revision
from ..cli import command
from ..message import message_findings


def build_parser() -> argparse.ArgumentParser:
    return per_revision.build_parser(
        "alembic-heads message",
        "Fail when a revision's message (the docstring's first line, from -m) is empty, "
        "Alembic's default 'empty message', or a word that says nothing.",
    )


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    return per_revision.run(args, message_findings)
