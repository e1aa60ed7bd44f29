"""Benchmark for `annotate diff`'s word diff (annotate/versions/changes.py).

Generates prose-like documents (bench_reanchor's: a 6,000-word vocabulary
of syllables, harder than real prose for a diff) and scattered edits
(words inserted, deleted, replaced, misspelt), then measures, on the same
texts:

- ``compare(old, new)``: the one diff (lines, then words, then characters,
  Diff_Timeout 0, work budgets), widened to whole words, folded and grouped
  into hunks with context -- everything `annotate diff` computes;
- the text rendering of those hunks (report/diff.py);
- the baseline: a naive word diff, ``difflib.SequenceMatcher`` over the
  same texts cut into words, spaces and punctuation (its default autojunk
  on: with it off, 100 KB already takes 30 s), ``get_opcodes()``.  Its
  time grows with the product of the text and its length, so it runs in
  a child process with a time limit; past it the ratio is a lower bound
  (printed with ">").

Every result of ``compare`` is checked to rebuild the new text exactly.

    python benchmarks/bench_diff.py [--quick] [--limit SECONDS]
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import queue
import re
import statistics
import time
from collections.abc import Callable

from bench_reanchor import document, edit

from annotate.versions.changes import apply, compare

TOKEN = re.compile(r"\w+|\s+|[^\w\s]+")


def naive_word_diff(old: str, new: str) -> int:
    """The baseline: difflib over word tokens; returns the changed opcodes."""
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, TOKEN.findall(old), TOKEN.findall(new))
    return sum(1 for opcode in matcher.get_opcodes() if opcode[0] != "equal")


def _baseline_child(size: int, edits: int, results: multiprocessing.Queue[float]) -> None:
    old, vocabulary = document(size)
    new = edit(old, vocabulary, edits)
    started = time.perf_counter()
    naive_word_diff(old, new)
    results.put(time.perf_counter() - started)


def baseline(size: int, edits: int, limit: float) -> tuple[float, bool]:
    """The baseline's seconds on the case, and whether it finished within limit."""
    results: multiprocessing.Queue[float] = multiprocessing.Queue()
    child = multiprocessing.Process(target=_baseline_child, args=(size, edits, results))
    child.start()
    try:
        return results.get(timeout=limit + 60), True  # + making the texts
    except queue.Empty:
        return limit, False
    finally:
        child.kill()
        child.join()


def label(size: int, edits: int) -> str:
    """``1 MB, 1,000 edits``."""
    shown = f"{size // 1_000_000} MB" if size >= 1_000_000 else f"{size // 1000} KB"
    return f"{shown}, {edits:,} edits"


def timed(function: Callable[[str, str], object], old: str, new: str, repeat: int) -> float:
    """The median seconds of function(old, new) over repeat runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(old, new)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rendered(old: str, new: str) -> str:
    from annotate.api.versions import DiffReport
    from annotate.report.diff import render_text
    from annotate.versions.history import Version

    report = DiffReport("bench.txt", Version(1, "0" * 64, False), Version(2, "1" * 64, True),
                        len(old), len(new), compare(old, new), (), ())
    return render_text(report, False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 KB cases only")
    parser.add_argument("--limit", type=float, default=300.0,
                        help="seconds the baseline may take per case (default 300)")
    options = parser.parse_args()
    cases = [(100_000, 100), (100_000, 1_000)]
    if not options.quick:
        cases += [(1_000_000, 100), (1_000_000, 1_000), (1_000_000, 10_000)]
    print(f"Python {platform.python_version()} on {platform.machine()}; baseline: difflib "
          f"SequenceMatcher over word tokens, at most {options.limit:.0f} s a case")
    print(f"{'case':<28}{'diff+hunks':>12}{'diff+text':>10}{'baseline':>12}{'ratio':>10}"
          f"{'changes':>9}{'hunks':>7}")
    for size, edits in cases:
        old, vocabulary = document(size)
        new = edit(old, vocabulary, edits)
        repeat = 3
        seconds = timed(compare, old, new, repeat)
        changes = compare(old, new)
        assert apply(old, changes.hunks) == new, "the hunks do not rebuild the new text"
        with_text = timed(rendered, old, new, repeat)
        naive, finished = baseline(size, edits, options.limit)
        ratio = f"{'' if finished else '>'}{naive / seconds:.0f}x"
        shown = f"{naive:.2f} s" if finished else f">{naive:.0f} s"
        print(f"{label(size, edits):<28}{seconds:>10.3f} s"
              f"{with_text:>8.3f} s{shown:>12}{ratio:>10}{len(changes.changes):>9}"
              f"{len(changes.hunks):>7}", flush=True)
    # How the diff grows: with the text (edits in proportion) and with the edits.
    print("\nhow compare() grows (no baseline):")
    for size, edits in ([(100_000, 100), (1_000_000, 1_000)] if options.quick else
                        [(100_000, 100), (1_000_000, 1_000), (10_000_000, 10_000),
                         (1_000_000, 50_000)]):
        old, vocabulary = document(size)
        new = edit(old, vocabulary, edits)
        seconds = timed(compare, old, new, 1)
        print(f"  {label(size, edits):<28}{seconds:>8.3f} s "
              f"({seconds / (size / 1_000_000):.3f} s per MB)", flush=True)


if __name__ == "__main__":
    main()
