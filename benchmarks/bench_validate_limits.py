"""Benchmark for issue 8, items 17 and 19: `annotate validate`'s memory on one
huge annotation file, and a warm run's time against the process start-up.

Generates, in one run:

- a workspace holding one annotation file of 200,000 records (117 MB, as in
  the issue), and measures the peak RSS of `annotate validate --no-cache`
  and of `annotate validate` (which also writes its cache) -- bound 200 MB;
- the 100,000-annotation workspace of bench_validate.py (1,000 documents x 5
  reviewers x 20), validates it once, then times warm `annotate validate`
  (nothing changed) against `annotate --version`, alternating, the median of
  each -- bound 3x.

Commands run as an installed package runs them: with their bytecode cached
(in a temporary PYTHONPYCACHEPREFIX, so the source tree stays clean), as pip
compiles it on install.  Without that (PYTHONDONTWRITEBYTECODE=1 and an
editable install), every run compiles annotate's modules again, and the more
a command imports the more it pays.

    python benchmarks/bench_validate_limits.py [--lines 200000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MEMORY_BOUND_MB = 200
WARM_BOUND = 3.0


def _bench_validate() -> Any:
    # The 100,000-annotation workspace is bench_validate.py's: generated once, in one place.
    spec = importlib.util.spec_from_file_location("bench_validate", HERE / "bench_validate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} is not installed here (pip install -e .)")
    return found


def environment(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def peak_rss(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float, int]:
    """(exit code, seconds, peak RSS in KiB) of a command and the children it waited for."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, elapsed, usage.ru_maxrss


def make_huge_file(root: Path, lines: int, line_bytes: int) -> int:
    """One document, one reviewer file of `lines` valid records of about
    line_bytes each (the note pads them); returns the file's size."""
    annotate = tool("annotate")
    subprocess.run([annotate, "init", str(root)], check=True, capture_output=True)
    bench = _bench_validate()
    rng = random.Random(20261130)
    words: list[str] = bench.WORDS
    text = " ".join(rng.choice(words) for _ in range(2000)) + ".\n"
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


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--line-bytes", type=int, default=585, help="about 117 MB in all")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="build both workspaces here and keep them")
    options = parser.parse_args()
    base = options.keep or Path(tempfile.mkdtemp(prefix="annotate-bench-limits-"))
    for name in ("huge", "many"):
        shutil.rmtree(base / name, ignore_errors=True)
    base.mkdir(parents=True, exist_ok=True)
    pycache = Path(tempfile.mkdtemp(prefix="annotate-pycache-"))
    env = environment(pycache)
    annotate = tool("annotate")

    print(f"generating one file of {options.lines:,} records ...", flush=True)
    size = make_huge_file(base / "huge", options.lines, options.line_bytes)
    print(f"generating {options.documents:,} documents x 5 reviewers x 20 annotations ...",
          flush=True)
    bench = _bench_validate()
    total = bench.make_workspace(base / "many", options.documents, 5, 20)
    # A file written in the last 2 s has a stat the cache does not trust yet.
    time.sleep(2.1)

    many = base / "many"
    # Cold: fills the cache, and compiles the bytecode of every module a run needs.
    subprocess.run([annotate, "validate"], cwd=many, env=env, check=True,
                   stdout=subprocess.DEVNULL)

    # -- item 17: memory on one 117 MB file -------------------------------------------------
    huge = base / "huge"
    code_a, seconds_a, rss_a = peak_rss([annotate, "validate", "--no-cache"], huge, env)
    code_b, seconds_b, rss_b = peak_rss([annotate, "validate"], huge, env)
    assert code_a == code_b == 0, (code_a, code_b)

    # -- item 19: warm validate against the start-up ----------------------------------------
    timed([annotate, "--version"], many, env)
    timed([annotate, "validate"], many, env)
    version_times, warm_times = [], []
    for _ in range(options.repeat):
        version_times.append(timed([annotate, "--version"], many, env))
        warm_times.append(timed([annotate, "validate"], many, env))
    version, warm = statistics.median(version_times), statistics.median(warm_times)

    print(f"{os.cpu_count()} cores; bytecode cached; medians of {options.repeat} runs")
    print(f"item 17  one file, {options.lines:,} records, {size / 1e6:.0f} MB:")
    print(f"   validate --no-cache   peak RSS {rss_a / 1024:6.0f} MB  {seconds_a:6.1f} s  "
          f"{rss_a / 1024 / MEMORY_BOUND_MB:.2f}x the {MEMORY_BOUND_MB} MB bound  "
          f"({rss_a * 1024 / size:.2f}x the file; was 920 MB, 7.9x)")
    print(f"   validate (writes cache) peak RSS {rss_b / 1024:4.0f} MB  {seconds_b:6.1f} s  "
          f"{rss_b / 1024 / MEMORY_BOUND_MB:.2f}x the {MEMORY_BOUND_MB} MB bound")
    print(f"item 19  {total:,} annotations in {options.documents * 5:,} files, nothing changed:")
    print(f"   annotate --version    {version * 1000:6.0f} ms  "
          f"(min {min(version_times) * 1000:.0f})")
    print(f"   warm annotate validate {warm * 1000:5.0f} ms  (min {min(warm_times) * 1000:.0f})  "
          f"{warm / version:.2f}x --version (bound {WARM_BOUND:.0f}x: "
          f"{warm / version / WARM_BOUND:.2f} of it)")
    shutil.rmtree(pycache, ignore_errors=True)
    if not options.keep:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
