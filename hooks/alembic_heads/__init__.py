"""Keep an Alembic revision history to one head, reading it without running it."""

from .findings import Finding, UsageError

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "GraphResult",
    "HeadsCheckFailed",
    "HeadsResult",
    "RoundtripFailed",
    "RoundtripResult",
    "UsageError",
    "__version__",
    "assert_roundtrip",
    "assert_single_head",
    "check_heads",
    "check_roundtrip",
]

# The API is imported when first used, not by every hook run (CONTRIBUTING.md,
# "Speed rules").
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .api import (
        GraphResult,
        HeadsCheckFailed,
        HeadsResult,
        RoundtripFailed,
        RoundtripResult,
        assert_roundtrip,
        assert_single_head,
        check_heads,
        check_roundtrip,
    )

_API = (
    "GraphResult",
    "HeadsCheckFailed",
    "HeadsResult",
    "RoundtripFailed",
    "RoundtripResult",
    "assert_roundtrip",
    "assert_single_head",
    "check_heads",
    "check_roundtrip",
)


def __getattr__(name: str) -> object:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
