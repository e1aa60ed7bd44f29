"""Benchmark for merging (issue 9): grouping into positions, deciding, consensus records.

Generates one document and its reviewers' annotations -- claims, sentence-
to clause-long, that most reviewers mark with a few characters more or less
and mostly the same label, plus some paragraph-long spans over several
claims, clauses marked alone, and 1% of spans marked twice (stacked); each
reviewer's annotations in file order (by id, i.e. creation time) -- then
measures, in one run:

- ``merge_document`` on 20 reviewers x 5,000 annotations of a 1 MB document
  (the target: <= 2 s), with the sweep's candidate checks per distinct span;
- the growth from 10,000 to 100,000 annotations, the document growing with
  them (the target: <= 12x for 10x the data), beside the growth of the
  machine's own floor on the same objects: one pass reading each
  annotation's offsets, and sorting them by (start, end).  Python objects
  for 10,000 annotations fit in this CPU's caches and 100,000 do not, so
  even the single pass grows far more than 10x over this step;
- the baseline: the obvious grouping comparing all pairs
  (``annotate.merge.reference``, the same rule, so the same positions, which
  is checked) against the sweep on a stretch of the document with about
  5,000 annotations; then the baseline extrapolated to all of them
  (quadratic in distinct spans), said to be an extrapolation;
- with ``--large``, the growth from 100,000 to 1,000,000 annotations, both
  beyond the caches.

    python benchmarks/bench_merge.py [--quick] [--large]
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable
from typing import TypeVar

from annotate.merge.consensus import MergeResult, merge_document
from annotate.merge.positions import (
    DEFAULT_MIN_OVERLAP,
    assign_cores,
    extent_support,
    extents,
    group,
)
from annotate.merge.reference import group_all_pairs
from annotate.merge.strategies import Strategy
from annotate.model import Annotation

LABELS = ("sourced", "unsourced", "disputed", "speculative", "opinion")
DOCUMENT = "bench/article.txt"
SHA = "0" * 64
NOW = "2026-01-01T00:00:00.000Z"
T = TypeVar("T")


# --- data ---------------------------------------------------------------------

def text(size: int, seed: int = 1) -> str:
    """Sentences of pseudo-words, about size code points."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
             for _ in range(3000)]
    parts, total = [], 0
    while total < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))).capitalize()
        parts.append(sentence + ". ")
        total += len(parts[-1])
    return "".join(parts)[:size]


def desk(size: int, reviewers: int, per_reviewer: int, seed: int = 2
         ) -> tuple[str, list[Annotation], list[str]]:
    """A document of ``size`` code points and ``per_reviewer`` annotations by each reviewer."""
    rng = random.Random(seed)
    body = text(size, seed)
    names = [f"reviewer{i:02d}" for i in range(reviewers)]
    # Claim sites: non-overlapping spans of 30-200 code points with gaps
    # between them; each reviewer marks about 85% of them.
    sites = []
    cursor = rng.randint(0, 50)
    count = int(per_reviewer / 0.85) + 1
    stride = size // count
    for _ in range(count):
        length = rng.randint(30, min(200, max(31, stride - 10)))
        start = cursor + rng.randint(0, max(0, stride - length - 5))
        sites.append((start, min(size, start + length), rng.choice(LABELS)))
        cursor += stride
    annotations: list[Annotation] = []
    serial = 0
    for reviewer in names:
        # (start, end, label) of what this reviewer marks; 1% of them marked
        # twice, slightly apart (stacked).
        spans: list[tuple[int, int, str]] = []
        for start, end, label in rng.sample(sites, per_reviewer - per_reviewer // 100):
            roll = rng.random()
            if roll < 0.55:  # the same span as most
                pass
            elif roll < 0.95:  # a word more or less at either end
                start, end = start + rng.randint(-8, 8), end + rng.randint(-8, 8)
            elif roll < 0.98:  # a paragraph-long span over several claims
                end = start + rng.randint(600, 1500)
            else:  # the clause alone
                end = start + max(5, (end - start) // 3)
            if rng.random() < 0.05:
                label = rng.choice(LABELS)
            spans.append((max(0, start), min(size, end), label))
        spans += [(start + 2, end, label) for start, end, label
                  in rng.sample(spans, per_reviewer // 100)]
        # A reviewer's file is sorted by id, which is creation time, not
        # text order; records are read, and so allocated, in file order.
        rng.shuffle(spans)
        for start, end, label in spans:
            serial += 1
            annotations.append(Annotation(
                id=f"{serial:08d}", document=DOCUMENT, document_sha256=SHA, start=start,
                end=end, quote=body[start:end], prefix=body[max(0, start - 32):start],
                suffix=body[end:end + 32], label=label, reviewer=reviewer, note="", sources=(),
                created=NOW, modified=NOW))
    return body, annotations, names


# --- timing -------------------------------------------------------------------

def best_of(repeats: int, run: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeats`` runs and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def merge(annotations: list[Annotation], reviewers: list[str]) -> Callable[[], MergeResult]:
    """merge_document on one desk's annotations, ready to time."""
    return lambda: merge_document(DOCUMENT, annotations, reviewers, now=NOW,
                                  strategy=Strategy("majority"))


def floors(annotations: list[Annotation], repeats: int) -> tuple[float, float]:
    """The machine's own cost of linear and n log n work on these objects: one pass
    reading each annotation's offsets, and sorting them by (start, end)."""
    one_pass, _ = best_of(repeats, lambda: sum(a.start + a.end for a in annotations))
    sort, _ = best_of(repeats, lambda: sorted(annotations, key=lambda a: (a.start, a.end)))
    return one_pass, sort


def growth(label: str, small: list[Annotation], small_reviewers: list[str],
           large: list[Annotation], large_reviewers: list[str], repeats: int) -> None:
    """Print how merge_document's time grows from small to large, beside the floors'."""
    small_seconds, _ = best_of(repeats, merge(small, small_reviewers))
    large_seconds, _ = best_of(repeats, merge(large, large_reviewers))
    (pass_small, sort_small), (pass_large, sort_large) = (floors(small, repeats),
                                                          floors(large, repeats))
    times = large_seconds / small_seconds
    factor = len(large) / len(small)
    verdict = "met" if times <= 12 * factor / 10 else "NOT met"
    print(f"\ngrowth {label}: {len(small):,} annotations {small_seconds:.3f} s -> "
          f"{len(large):,} {large_seconds:.3f} s: {times:.1f}x for {factor:g}x the data "
          f"(bound {12 * factor / 10:g}x: {verdict})")
    print(f"  the same step on the same objects: one pass reading each annotation's offsets "
          f"grows {pass_large / pass_small:.1f}x, sorting them by (start, end) "
          f"{sort_large / sort_small:.1f}x; merge_document's growth is "
          f"{times / (sort_large / sort_small):.2f}x the sort's")


def main() -> None:
    """Run every measurement and print it beside its bound or baseline."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    parser.add_argument("--large", action="store_true",
                        help="also 100,000 -> 1,000,000 annotations (about 3 GB, a minute)")
    options = parser.parse_args()
    scale = 10 if options.quick else 1
    repeats = 1 if options.quick else 5
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"min_overlap {DEFAULT_MIN_OVERLAP}, strategy majority, best of {repeats}")

    # 1. The target: 20 reviewers x 5,000 annotations, 1 MB.
    size, per = 1_000_000 // scale, 5000 // scale
    _, annotations, reviewers = desk(size, 20, per)
    seconds, result = best_of(repeats, merge(annotations, reviewers))
    summary = result.summary
    by_extent = extents(annotations)
    checks = assign_cores(extent_support(by_extent), DEFAULT_MIN_OVERLAP).checks
    print(f"\nmerge_document: {len(annotations):,} annotations by 20 reviewers on "
          f"{size / 1e6:g} MB ({len(by_extent):,} distinct spans) -> "
          f"{summary.positions:,} positions ({dict(summary.statuses)}), "
          f"{summary.merged:,} merged")
    print(f"  {seconds:.3f} s (bound 2 s: {seconds / 2:.2f}x the bound); the sweep checked "
          f"{checks / len(by_extent):.2f} candidates per distinct span")

    # 2. Growth: 10,000 -> 100,000 annotations, the document growing with them.
    _, small, small_reviewers = desk(size // 10, 20, per // 10, seed=3)
    growth("10k -> 100k" if not options.quick else "1k -> 10k", small, small_reviewers,
           annotations, reviewers, repeats)

    # 3. Baseline: all pairs, the same rule, on a stretch of the document.
    stretch = size * 5000 // len(annotations)
    sample = [a for a in annotations if a.end <= stretch]
    distinct = len(extents(sample))
    sweep_seconds, swept = best_of(repeats, lambda: group(sample, reviewers))
    pairs_seconds, paired = best_of(1, lambda: group_all_pairs(sample, reviewers))
    assert swept == paired, "the sweep and the all-pairs reference disagree"
    print(f"\nbaseline, all pairs, on a sample ({len(sample):,} annotations, {distinct:,} "
          f"distinct spans, the same {len(swept):,} positions either way): all pairs "
          f"{pairs_seconds:.3f} s, sweep {sweep_seconds:.4f} s: "
          f"{pairs_seconds / sweep_seconds:.0f}x faster")
    group_seconds, _ = best_of(repeats, lambda: group(annotations, reviewers))
    extrapolated = pairs_seconds * (len(by_extent) / distinct) ** 2
    print(f"  all {len(annotations):,} annotations: group() {group_seconds:.3f} s; all pairs "
          f"extrapolated from the sample (quadratic in distinct spans) {extrapolated:,.0f} s: "
          f"{extrapolated / group_seconds:,.0f}x")

    # 4. Beyond the CPU's caches on both sides of the step.
    if options.large:
        del result
        _, huge, huge_reviewers = desk(size * 10, 20, per * 10, seed=4)
        growth("100k -> 1M", annotations, reviewers, huge, huge_reviewers, 2)


if __name__ == "__main__":
    main()
