"""The round trip's progress: ``roundtrip: revision 12 of 200, 3.4 s`` on a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# Called with (revisions done, revisions in all) before each revision.
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    pass


class ProgressLine:
    """``roundtrip: revision 12 of 200, 3.4 s`` on a terminal's stderr."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        self.stream.write(f"\rroundtrip: revision {done} of {total}, {elapsed:.1f} s\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
