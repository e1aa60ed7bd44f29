"""Start-up time: `annotate --help` against `python -c "import click"`.

Both are measured in the same run, interleaved, so machine noise hits both
alike; the figure that matters is the ratio (target: within 2x).

    python benchmarks/bench_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    script = Path(sys.executable).parent / "annotate"
    annotate = str(script) if script.exists() else shutil.which("annotate")
    if annotate is None:
        sys.exit("install annotate first: pip install .")
    subjects = {
        "python -c 'import click' (baseline)": [sys.executable, "-c", "import click"],
        "annotate --help": [annotate, "--help"],
        "python -m annotate --help": [sys.executable, "-m", "annotate", "--help"],
    }
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    for command in subjects.values():
        timed(command)  # warm the file cache
    for _ in range(runs):
        for name, command in subjects.items():
            samples[name].append(timed(command))
    baseline = statistics.median(samples["python -c 'import click' (baseline)"])
    print(f"median of {runs} runs each, interleaved")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<40} {median * 1000:7.1f} ms   {median / baseline:4.2f}x baseline")
    ratio = statistics.median(samples["annotate --help"]) / baseline
    print(f"target: annotate --help within 2x of the baseline -> "
          f"{'met' if ratio <= 2 else 'NOT met'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
