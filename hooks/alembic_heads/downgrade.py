"""The rule of ``alembic-heads downgrade``: what ``upgrade()`` does, ``downgrade()`` undoes.

A revision whose ``upgrade()`` does work but whose ``downgrade()`` is missing,
only ``pass``/``...`` or only a docstring makes ``alembic downgrade`` report
success while leaving the change in place. The multi-database template's
``upgrade_<name>()``/``downgrade_<name>()`` pairs are checked the same way.

A revision that cannot be undone says so with a comment
``# alembic-heads: irreversible`` inside its ``downgrade()``, on its ``def``
line or on the line directly above it. A ``downgrade()`` that raises (e.g.
``raise NotImplementedError``) is not empty, so it passes as well.
"""

from __future__ import annotations

from .findings import Finding
from .revision_code import IRREVERSIBLE_MARKER, RevisionCode

UPGRADE, DOWNGRADE = "upgrade", "downgrade"


def downgrade_findings(code: RevisionCode) -> list[Finding]:
    file = code.file
    findings = []
    for name, upgrade in code.functions.items():
        if not upgrade.does_work or not (name == UPGRADE or name.startswith(UPGRADE + "_")):
            continue
        down_name = DOWNGRADE + name[len(UPGRADE) :]
        downgrade = code.functions.get(down_name)
        if downgrade is None and down_name not in code.defined:
            findings.append(
                Finding(
                    file.path,
                    upgrade.line,
                    "no-downgrade",
                    f"revision {file.revision} has {name}() but no {down_name}(): "
                    "`alembic downgrade` cannot undo it",
                    f"add a {down_name}() that undoes {name}(), or, if it cannot be undone, "
                    f"one holding the comment '{IRREVERSIBLE_MARKER}'",
                )
            )
        elif downgrade is not None and not downgrade.does_work:
            if downgrade.marked_irreversible:
                continue
            findings.append(
                Finding(
                    file.path,
                    downgrade.line,
                    "empty-downgrade",
                    f"{down_name}() of revision {file.revision} is empty but {name}() "
                    "is not: `alembic downgrade` would leave its changes in place",
                    f"undo {name}() in {down_name}(), or, if it cannot be undone, "
                    f"put the comment '{IRREVERSIBLE_MARKER}' in it",
                )
            )
    return findings
