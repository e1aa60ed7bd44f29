"""Pausing Python's cycle collector while many objects are built at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building many objects that form no cycles.

    The collector runs after every 700 new containers and, every so often,
    walks the whole heap: building 100,000 annotations' positions spent
    about 40% of its time there (benchmarks/bench_merge.py), and `annotate
    agreement` on 100,000 records about a sixth of its time, for nothing,
    as reference counting frees all of it.  Mercurial's ``util.nogc`` does
    the same for the same reason.  Nested uses keep it paused; it is
    resumed only if it was running.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            # Everything built while paused is young: the first collection
            # after resuming would walk all of it (a tenth of a second after
            # reading 100,000 records).  Moved to the oldest generation first
            # (freeze, then unfreeze: two list splices, nothing walked), it is
            # walked only by a full collection, as long-lived objects are.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
