"""Performance helpers."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Loading and building allocate millions of small objects and no reference cycles; with the
    collector running, repeated full-generation scans made build time grow superlinearly
    (measured: 10k -> 50k statements took 6.4x instead of 5x).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
