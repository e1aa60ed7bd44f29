"""What the hardening benchmarks (issue 8, items 14-19) share.

A Figure is one measured figure beside its bound; an item is a function
taking a Context (a scratch folder, the CLI, the environment to run it in,
quick or full sizes) and returning its Figures; main() runs items and prints
every figure next to its bound as a ratio (<= 1.00 is met).  run() measures
one command's wall time, CPU time and peak memory.

bench_hardening.py runs every item in one run; bench_show.py and
bench_validate_limits.py hold items 16, 17 and 19 next to their data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000


@dataclass(frozen=True)
class Figure:
    """One measured figure and the bound it must stay within."""

    name: str
    value: float
    bound: float
    unit: str  # "s", "MB", "x", "lines", "bytes", "chars", or "check" (value 1.0 = yes)
    note: str = ""  # shown after the ratio, e.g. the CPU time of a wall-clock figure

    @property
    def ratio(self) -> float:
        """value / bound: at most 1.0 when the bound is met (a check: 1.0 if it holds)."""
        if self.unit == "check":
            return 1.0 if self.value == 1.0 else float("inf")
        return self.value / self.bound if self.bound else float("inf")

    def row(self) -> str:
        """The figure, its bound and the ratio, on one line."""
        if self.unit == "check":
            shown = f"{'yes' if self.value == 1.0 else 'NO':>16}{'yes':>16}"
        else:
            shown = (f"{self.value:>10.3f} {self.unit:<5}{self.bound:>10.3f} {self.unit:<5}")
        return f"  {self.name:<60}{shown}{self.ratio:>6.2f}  {self.note}".rstrip()


@dataclass
class Context:
    """What every item gets: a scratch folder, the CLI, the environment to
    run it in, and whether to use the small sizes."""

    scratch: Path
    annotate: str
    env: dict[str, str]
    small: bool

    def workspace(self, name: str) -> Path:
        """A fresh workspace made by `annotate init`."""
        root = self.scratch / name
        subprocess.run([self.annotate, "init", str(root)], env=self.env, check=True,
                       capture_output=True)
        return root

    def run(self, command: list[str], cwd: Path) -> Run:
        """Run a command in cwd, in the items' environment, and measure it."""
        return run(command, cwd, self.env)


Item = Callable[[Context], list[Figure]]


def tool(name: str, install: str = "pip install -e .") -> str:
    """The installed command beside this Python (else on PATH), or exit saying how to install it."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} is not installed here ({install})")
    return found


def environment(pycache: Path) -> dict[str, str]:
    """The environment commands run in: as an installed package runs them.

    Bytecode is cached (in pycache, so the source tree stays clean), as pip
    compiles it on install: with PYTHONDONTWRITEBYTECODE=1 and an editable
    install every run would compile annotate's modules again, and the more a
    command imports the more it would pay.  Without CI, which turns off
    validate's cache, and ANNOTATE_WORKSPACE: commands use the workspace
    they run in.
    """
    unset = {"PYTHONDONTWRITEBYTECODE", "CI", "ANNOTATE_WORKSPACE"}
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


# Runs a command and writes its wall time, peak memory and CPU time to a
# file.  Measured from this small process, not from the benchmark: Python
# starts a child with vfork, and a vforked child's peak memory starts at its
# parent's high-water mark, so a child of a benchmark that once held 50 MB
# texts would count those pages too (even after the benchmark freed them).
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
elapsed = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    json.dump([code, elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime], out)
"""


@dataclass(frozen=True)
class Run:
    """One command's outcome: exit code, wall and CPU seconds, peak memory, output."""

    code: int
    seconds: float
    cpu: float
    peak: int  # bytes: the largest of the command and the children it waited for
    stdout: bytes  # the first 64 KiB
    stderr: bytes


def run(command: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> Run:
    """Run a command in cwd and measure it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as stats:
        subprocess.run([sys.executable, "-c", _MEASURE, stats.name, *command], cwd=cwd,
                       env=env, stdout=out, stderr=err, check=True)
        code, seconds, peak, cpu = json.loads(Path(stats.name).read_text())
        err.seek(0)
        out.seek(0)
        # Only the head of stdout: `sentences` on 50 MB prints 50 MB.
        return Run(code, seconds, cpu, peak, out.read(1 << 16), err.read())


def best_of(times: int, measure: Callable[[], Run]) -> Run:
    """The fastest of a few runs: on a shared machine the least disturbed one."""
    return min((measure() for _ in range(times)), key=lambda result: result.seconds)


def main(items: Mapping[str, Item], description: str,
         argv: Sequence[str] | None = None) -> None:
    """Run the items named on the command line (all by default) and print their figures."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", default=",".join(items),
                        help="comma-separated item numbers (default: all)")
    parser.add_argument("--keep", type=Path, help="keep the scratch workspaces here")
    parser.add_argument("--small", action="store_true",
                        help="smaller sizes: a quick check that runs, not the bounds")
    options = parser.parse_args(argv)
    chosen = options.items.split(",")
    unknown = [number for number in chosen if number not in items]
    if unknown:
        parser.error(f"no item {', '.join(unknown)} here; items: {', '.join(items)}")
    scratch = options.keep or Path(tempfile.mkdtemp(prefix="bench-hardening-"))
    scratch.mkdir(parents=True, exist_ok=True)
    pycache = Path(tempfile.mkdtemp(prefix="bench-pycache-"))
    context = Context(scratch, tool("annotate"), environment(pycache), options.small)
    print(f"{'figure':<62}{'measured':>16}{'bound':>16}{'ratio':>6}"
          f"{'   (small sizes: not the bounds)' if options.small else ''}")
    missed = 0
    try:
        for number in chosen:
            print(f"item {number}: {' '.join((items[number].__doc__ or '').split())}",
                  flush=True)
            for figure in items[number](context):
                met = figure.ratio <= 1.0
                missed += not met
                print(figure.row() + ("" if met else "  NOT met"), flush=True)
    finally:
        shutil.rmtree(pycache, ignore_errors=True)
        if options.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    print("every bound met" if not missed else f"{missed} bound(s) NOT met")
