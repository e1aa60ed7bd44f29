"""The grouping rule of ``positions`` written the obvious way, comparing all pairs.

O(n²): the executable definition the sweep in ``positions.assign_cores`` must
agree with (tests/test_merge_properties.py checks it on random inputs) and
the baseline ``benchmarks/bench_merge.py`` races.  Not for real documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from annotate.merge.positions import (
    DEFAULT_MIN_OVERLAP,
    Extent,
    Position,
    build_positions,
    check_min_overlap,
    core_rank,
    extent_support,
    extents,
    jaccard,
)
from annotate.model import Annotation


def assign_cores_all_pairs(support: Mapping[Extent, int],
                           min_overlap: float) -> dict[Extent, Extent]:
    """Each extent's core: every extent not yet placed is tested against every new core."""
    check_min_overlap(min_overlap)
    core_of: dict[Extent, Extent] = {}
    ranked = core_rank(support)
    for core in ranked:
        if core in core_of:
            continue
        core_of[core] = core
        for extent in ranked:
            if extent not in core_of and jaccard(extent, core) >= min_overlap:
                core_of[extent] = core
    return core_of


def group_all_pairs(annotations: Iterable[Annotation], reviewers: Iterable[str],
                    min_overlap: float = DEFAULT_MIN_OVERLAP) -> list[Position]:
    """``positions.group`` by all pairs: the same positions, in quadratic time."""
    by_extent = extents(annotations)
    core_of = assign_cores_all_pairs(extent_support(by_extent), min_overlap)
    return build_positions(by_extent, core_of, reviewers)
