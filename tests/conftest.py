from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The tests import their helpers as `helpers`; the package comes from `hooks/`
# (installed, or straight from the source tree).
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "hooks"))


@pytest.fixture(autouse=True, scope="session")
def _revision_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The check's cache of parsed revisions goes to a temporary folder, not ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALEMBIC_HEADS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield
