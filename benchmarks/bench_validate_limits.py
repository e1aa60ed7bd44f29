"""`annotate validate`'s memory on one huge annotation file, and a warm
run's time against the process start-up (issue 8, items 17 and 19).

Generates, in one run, each figure beside its bound:

- item 17: a workspace holding one annotation file of 200,000 records
  (117 MB, as in the issue), and the peak memory of `annotate validate
  --no-cache` and of `annotate validate` (which also writes its cache):
  bound 200 MB (before issue 8: 920 MB, 7.9 times the file);
- item 19: the 100,000-annotation workspace of bench_validate.py (1,000
  documents x 5 reviewers x 20), validated once, then warm `annotate
  validate` (nothing changed) against `annotate --version`, alternating,
  the median of each: bound 3 times --version.

Commands run as an installed package runs them, with their bytecode cached
(see harness.environment).  bench_hardening.py runs these items with the
others of the issue.

    python benchmarks/bench_validate_limits.py [--items 17,19] [--keep DIR] [--small]

--small: a 12 MB file of 20,000 records and 20,000 annotations.
"""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import time
from pathlib import Path

from bench_validate import WORDS, make_workspace
from harness import MB, Context, Figure, main

MEMORY_BOUND_MB = 200
WARM_BOUND = 3.0
# A file written in the last 2 s has a stat the validation cache does not trust yet.
CACHE_TRUSTS_AFTER = 2.1


def make_huge_file(root: Path, lines: int, line_bytes: int) -> int:
    """In the workspace root: one document, one reviewer file of `lines`
    valid records of about line_bytes each (the note pads them); returns
    the file's size."""
    rng = random.Random(20261130)
    text = " ".join(rng.choice(WORDS) for _ in range(2000)) + ".\n"
    document_id = "huge-thread.txt"
    (root / "corpus" / document_id).write_text(text, encoding="utf-8")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    starts = [i for i in range(1, len(text) - 100) if text[i - 1] == " "]
    folder = root / "annotations" / document_id
    folder.mkdir(parents=True)
    path = folder / "reviewer@desk.example.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(lines):
            start = rng.choice(starts)
            end = start + rng.randint(10, 80)
            record = {
                "id": f"h{number:07d}", "document": document_id, "document_sha256": sha,
                "start": start, "end": end, "quote": text[start:end],
                "prefix": text[max(0, start - 32):start], "suffix": text[end:end + 32],
                "label": "opinion", "reviewer": "reviewer@desk.example", "note": "",
                "sources": [], "created": f"2026-11-01T00:00:00.{number % 1000:03d}Z",
                "modified": f"2026-11-02T00:00:00.{number % 1000:03d}Z",
                "tags": [f"batch-{number}"],
            }
            shape = json.dumps(record, sort_keys=True, ensure_ascii=False)
            record["note"] = "n" * max(0, line_bytes - len(shape) - 1)
            handle.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
    return path.stat().st_size


def item_17(context: Context) -> list[Figure]:
    """`annotate validate` on one annotation file of 200,000 records (117 MB):
    peak memory, with and without writing the cache."""
    lines = 20_000 if context.small else 200_000
    root = context.workspace("item17")
    size = make_huge_file(root, lines, line_bytes=585)
    time.sleep(CACHE_TRUSTS_AFTER)
    figures = []
    for name, options in (("`validate --no-cache`", ["--no-cache"]),
                          ("`validate` (writes its cache)", [])):
        result = context.run([context.annotate, "validate", *options], root)
        assert result.code == 0, result.stderr
        figures.append(Figure(f"{name}, one {size / MB:.0f} MB file, peak memory",
                              result.peak / MB, MEMORY_BOUND_MB, "MB",
                              f"{result.seconds:.1f} s; {result.peak / size:.2f}x the file"))
    return figures


def item_19(context: Context) -> list[Figure]:
    """Warm `annotate validate` (nothing changed) on 100,000 annotations in
    5,000 files against `annotate --version`, alternating, medians: at most 3x."""
    documents, repeat = (200, 5) if context.small else (1000, 15)
    root = context.scratch / "item19"
    total = make_workspace(root, documents, 5, 20)
    time.sleep(CACHE_TRUSTS_AFTER)
    validate, version = [context.annotate, "validate"], [context.annotate, "--version"]
    # Cold: fills the cache, and compiles the bytecode of every module a run needs.
    cold = context.run(validate, root)
    assert cold.code == 0, cold.stderr
    context.run(version, root)
    version_times, warm_times = [], []
    for _ in range(repeat):
        version_times.append(context.run(version, root).seconds)
        warm = context.run(validate, root)
        assert warm.code == 0, warm.stderr
        warm_times.append(warm.seconds)
    start_up, warm_seconds = statistics.median(version_times), statistics.median(warm_times)
    return [Figure(f"warm `validate`, {total:,} annotations (bound: 3x --version)",
                   warm_seconds, WARM_BOUND * start_up, "s",
                   f"{warm_seconds / start_up:.2f}x `--version` ({start_up * 1000:.0f} ms); "
                   f"cold {cold.seconds:.1f} s")]


if __name__ == "__main__":
    main({"17": item_17, "19": item_19}, __doc__)
