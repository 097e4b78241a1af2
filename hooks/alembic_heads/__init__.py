"""Keep an Alembic revision history to one head, reading it without running it."""

from .api import GraphResult, HeadsCheckFailed, HeadsResult, assert_single_head, check_heads
from .findings import Finding, UsageError

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "GraphResult",
    "HeadsCheckFailed",
    "HeadsResult",
    "UsageError",
    "__version__",
    "assert_single_head",
    "check_heads",
]
