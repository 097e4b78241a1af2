"""Keep an Alembic revision history to one head, reading it without running it."""

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

# The API is imported when first used, not by every hook run (each command
# imports only what it needs: see cli.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .api import GraphResult, HeadsCheckFailed, HeadsResult, assert_single_head, check_heads

_API = ("GraphResult", "HeadsCheckFailed", "HeadsResult", "assert_single_head", "check_heads")


def __getattr__(name: str) -> object:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
