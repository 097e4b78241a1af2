from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The tests import their helpers as `helpers`; the package comes from `hooks/`
# (installed, or straight from the source tree).
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "hooks"))


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests assert exact output; in GitHub Actions, check would add annotations to it."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
