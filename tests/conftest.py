from __future__ import annotations

import sys
from pathlib import Path

# The tests import their helpers as `helpers`; the package comes from `hooks/`
# (installed, or straight from the source tree).
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "hooks"))
