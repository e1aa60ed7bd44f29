"""Benchmark for `annotate validate` (issue: validate in CI).

Generates a workspace of 1,000 documents x 5 reviewers x 20 annotations
(100,000 annotations), then measures, in one run:

- cold `annotate validate` (no cache) and annotations/s,
- warm `annotate validate` (cache from the cold run) and warm/cold,
- check-jsonschema on the same records written as JSON arrays, with the same
  record schema (schema checks only) — the baseline,
- peak memory of the whole `annotate validate` process tree.

    python benchmarks/bench_validate.py [--documents 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from harness import tool

LABELS = ["sourced", "unsourced", "disputed", "speculative", "opinion"]
WORDS = ("missile artillery summit Pyongyang Moscow sanctions satellite experts said "
         "according report claims officials rocket launch shells supply deal army "
         "the a of in and to that with for on by").split()


def make_workspace(root: Path, documents: int, reviewers: int, per_file: int) -> int:
    rng = random.Random(20261129)
    subprocess.run([tool("annotate"), "init", str(root)], check=True, capture_output=True)
    arrays = root / "as-arrays"
    arrays.mkdir()
    count = 0
    for number in range(documents):
        text = " ".join(rng.choice(WORDS) for _ in range(400)) + ".\n"
        document_id = f"article-{number:04d}.txt"
        (root / "corpus" / document_id).write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        starts = [i for i in range(1, len(text)) if text[i - 1] == " "]
        for reviewer_number in range(reviewers):
            reviewer = f"reviewer{reviewer_number}@desk.example"
            records = []
            for index in range(per_file):
                start = rng.choice(starts)
                end = min(len(text) - 1, start + rng.randint(10, 80))
                label = LABELS[(index + reviewer_number) % len(LABELS)]
                records.append({
                    "id": f"b{number:04d}r{reviewer_number}n{index:03d}",
                    "document": document_id, "document_sha256": sha,
                    "start": start, "end": end, "quote": text[start:end],
                    "prefix": text[max(0, start - 32):start], "suffix": text[end:end + 32],
                    "label": label, "reviewer": reviewer, "note": "generated",
                    "sources": (["https://www.example.org/source"]
                                if label in ("sourced", "disputed") else []),
                    # distinct times, as real annotations have
                    "created": f"2026-11-{1 + index:02d}T{reviewer_number:02d}:"
                               f"{number // 60 % 60:02d}:{number % 60:02d}.000Z",
                    "modified": f"2026-11-{1 + index:02d}T{reviewer_number:02d}:"
                                f"{number // 60 % 60:02d}:{number % 60:02d}.500Z",
                })
            count += len(records)
            folder = root / "annotations" / document_id
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{reviewer}.jsonl").write_text(
                "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n"
                        for r in records), encoding="utf-8")
            (arrays / f"{number:04d}-{reviewer_number}.json").write_text(
                json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return count


def tree_pss_kib(pid: int) -> int:
    """Proportional set size of a process and all its descendants, from /proc:
    pages shared between the parent and its forked workers count once, as
    the machine pays for them (RSS would count them in every process)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(next(line.split()[1] for line in rollup.splitlines()
                              if line.startswith("Pss:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """(seconds, exit code, peak KiB of the process tree)."""
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_kib(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return elapsed, code, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--per-file", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    options = parser.parse_args()
    root = options.keep or Path(tempfile.mkdtemp(prefix="annotate-bench-")) / "ws"
    if root.exists():
        shutil.rmtree(root)
    print(f"generating {options.documents} documents x {options.reviewers} reviewers x "
          f"{options.per_file} annotations ...", flush=True)
    total = make_workspace(root, options.documents, options.reviewers, options.per_file)
    annotate = tool("annotate")

    schema = json.loads((Path(__file__).resolve().parent.parent / "schemas" /
                         "annotation.schema.json").read_text())
    # The same record schema, as the items of an array; its $defs move to the
    # root so that its "#/$defs/..." references still resolve.
    wrapper = root / "array-of-records.schema.json"
    wrapper.write_text(json.dumps({
        "$schema": schema["$schema"], "type": "array", "$defs": schema["$defs"],
        "items": {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")},
    }))
    array_files = sorted(str(p) for p in (root / "as-arrays").glob("*.json"))

    cache = root / ".annotate-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold, cold_code, cold_peak = run([annotate, "validate"], root)
    warm, warm_code, warm_peak = run([annotate, "validate"], root)
    checker = tool("check-jsonschema", "pip install check-jsonschema")
    baseline, baseline_code, _ = run([checker, "--schemafile", str(wrapper), *array_files],
                                     root)
    serial_cold, serial_code, serial_peak = run([annotate, "validate", "--no-cache",
                                                 "--jobs", "1"], root)
    assert cold_code == warm_code == serial_code == 0, (cold_code, warm_code, serial_code)
    assert baseline_code == 0, "check-jsonschema rejected the generated records"

    print(f"{total:,} annotations in {options.documents * options.reviewers:,} files, "
          f"{os.cpu_count()} cores")
    print(f"cold  annotate validate (all checks)     {cold:7.2f} s  {total / cold:9,.0f} "
          f"annotations/s  (target >= 25,000/s: {total / cold / 25_000:.2f}x)")
    print(f"cold  annotate validate --jobs 1         {serial_cold:7.2f} s  "
          f"{total / serial_cold:9,.0f} annotations/s")
    print(f"warm  annotate validate (cached)         {warm:7.2f} s  warm is "
          f"{cold / warm:.1f}x faster than cold (target >= 10x)")
    print(f"check-jsonschema (schema checks only)    {baseline:7.2f} s  cold annotate is "
          f"{baseline / cold:.1f}x faster (target > 1x)")
    print(f"peak memory (PSS), whole process tree: cold {cold_peak / 1024:.0f} MB, "
          f"--jobs 1 {serial_peak / 1024:.0f} MB, warm {warm_peak / 1024:.0f} MB "
          "(target < 200 MB)")
    if not options.keep:
        shutil.rmtree(root.parent)


if __name__ == "__main__":
    main()
