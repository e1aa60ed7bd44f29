"""Large objects held until the process ends, never freed object by object.

The console script (cli.main) ends the process at once after a command
(cli._exit_at_once), so what is held here costs nothing to free: the
operating system takes the memory back whole.  Freeing is not free: the
records of 100,000 annotations take 0.25 s to free as they are dropped
(their dicts and 1.7 million key strings), and a merge's result 0.18 s.
Elsewhere (a command run in-process, as the tests do, or the library) no
``hold`` was called and ``keep`` holds nothing, so nothing accumulates.
"""

from __future__ import annotations

_kept: list[object] | None = None


def hold() -> None:
    """From now on, ``keep`` holds what it is given, until the process ends (cli.main)."""
    global _kept
    _kept = []


def keep(large: object) -> None:
    """Hold ``large`` until the process ends if the console script runs; else nothing."""
    if _kept is not None:
        _kept.append(large)
