"""``alembic-heads downgrade``: fail when a ``downgrade()`` cannot undo its
``upgrade()`` (the rule: :mod:`alembic_heads.downgrade`)."""

from __future__ import annotations

import argparse

from .. import per_revision
from ..cli import command
from ..downgrade import downgrade_findings
from ..revision_code import IRREVERSIBLE_MARKER


def build_parser() -> argparse.ArgumentParser:
    return per_revision.build_parser(
        "alembic-heads downgrade",
        "Fail when a revision's upgrade() does work but its downgrade() is missing or "
        f"empty. Mark a revision that cannot be undone with '{IRREVERSIBLE_MARKER}' "
        "in its downgrade().",
    )


@command(build_parser)
def main(args: argparse.Namespace) -> int:
    return per_revision.run(args, downgrade_findings)
