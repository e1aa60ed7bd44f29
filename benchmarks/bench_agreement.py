"""Benchmark for agreement (issue 9, item 6): annotate/agreement/.

Generates one document of reliability data the way a desk makes it: claims
spread over a 1 MB article, each of 20 reviewers marking 5,000 of the 6,000
claims (100,000 annotations), mostly with the claim's label and mostly on
its exact boundaries, otherwise with another label or a few characters
off.  Each claim is one position (the grouping into positions is
annotate/merge/'s work and is not timed here).  Then it times, in one run:

- ``agreement()``: every coefficient, per label and for all labels, for the
  document and pooled, with both ``absent`` modes, and ``to_json``;
- each public function on its own;

prints the time of ``agreement()`` beside the 2 s bound (issue 9) as a
ratio, and how time grows from 10,000 to 100,000 annotations (the bound:
at most 12x for 10x the data).

    python benchmarks/bench_agreement.py [--quick]
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable
from functools import partial

from annotate.agreement import (
    Absent,
    DocumentData,
    Span,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    span_scores,
    to_json,
)

LABELS = ("claim", "sourced", "speculative", "misleading", "opinion")
BOUND = 2.0  # seconds, issue 9
GROWTH_BOUND = 12.0  # for 10x the data


def reliability_data(reviewers: int, per_reviewer: int, size: int,
                     seed: int = 1) -> DocumentData:
    """One document: claims spread over ``size`` characters, each reviewer
    marking ``per_reviewer`` of them (5 of every 6 claims)."""
    rng = random.Random(seed)
    claims = per_reviewer * 6 // 5
    stride = size // claims
    truth = []
    for number in range(claims):
        start = number * stride + rng.randrange(max(1, stride // 4))
        length = rng.randint(min(40, stride // 2), max(40, stride // 2))
        truth.append((start, start + length, rng.choice(LABELS)))
    names = [f"reviewer{number:02}" for number in range(reviewers)]
    positions: list[dict[str, str]] = [{} for _ in truth]
    spans: dict[str, list[Span]] = {}
    for name in names:
        own = []
        for number in sorted(rng.sample(range(claims), per_reviewer)):
            start, end, label = truth[number]
            if rng.random() < 0.2:
                label = rng.choice(LABELS)
            if rng.random() < 0.4:  # a few characters off, inside the claim's stride
                start = max(number * stride, start + rng.randint(-5, 5))
                end = max(start + 1, end + rng.randint(-5, 5))
            positions[number][name] = label
            own.append(Span(start, end, label))
        spans[name] = own
    return DocumentData("article.txt", frozenset(names), positions, spans)


def report(document: DocumentData, absent: Absent) -> object:
    """What `annotate agreement --format json` will compute."""
    return to_json(agreement(document, absent=absent))


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings, in seconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    """Print each figure beside its bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each timing, not three")
    runs = 1 if parser.parse_args().quick else 3
    print(f"python {platform.python_version()} on {platform.machine()}, best of {runs}")

    small = reliability_data(20, 500, 100_000)
    large = reliability_data(20, 5_000, 1_000_000)
    positions = len(large.positions)
    annotations = sum(len(own) for own in large.spans.values())
    print(f"data: 20 reviewers, {annotations:,} annotations, {positions:,} positions, 1 MB")

    modes: tuple[Absent, ...] = ("none", "missing")
    for absent in modes:
        seconds = best_of(runs, partial(report, large, absent))
        print(f"agreement(absent={absent!r}) + to_json: {seconds:.3f} s "
              f"(bound {BOUND:.0f} s: {seconds / BOUND:.2f} of it)")

    first, second = sorted(large.reviewers)[:2]
    singles: list[tuple[str, Callable[[], object]]] = [
        ("krippendorff_alpha", lambda: krippendorff_alpha(large)),
        ("fleiss_kappa", lambda: fleiss_kappa(large)),
        ("cohen_kappa (one pair)", lambda: cohen_kappa(large, first, second)),
        ("span_scores exact (one pair)", lambda: span_scores(large, first, second)),
        ("span_scores overlap (one pair)",
         lambda: span_scores(large, first, second, matching="overlap")),
    ]
    for name, work in singles:
        print(f"  {name}: {best_of(runs, work) * 1000:.1f} ms")

    small_seconds = best_of(runs, lambda: agreement(small))
    large_seconds = best_of(runs, lambda: agreement(large))
    growth = large_seconds / small_seconds
    print(f"growth, 10,000 -> 100,000 annotations: {small_seconds:.3f} s -> "
          f"{large_seconds:.3f} s = {growth:.1f}x (bound {GROWTH_BOUND:.0f}x: "
          f"{growth / GROWTH_BOUND:.2f} of it)")


if __name__ == "__main__":
    main()
