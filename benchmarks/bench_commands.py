"""Commands that read many records, timed end to end through the installed script.

Generates a workspace the way `annotate init` makes it and fills it as a
desk of reviewers would: one document of prose, each of 20 reviewers'
files with ``per_reviewer`` annotations in the store's layout
(annotations/<document>/<reviewer>.jsonl, canonical lines sorted by id).
The reviewers mark claims spread over the text -- mostly on the same
boundaries and with the same label, some a few characters off, some with
another label, 1% of them twice (stacked) -- with a source where the label
asks for one, a timestamp of its own (as real annotations have) and the
document's real hash, so every record passes every check a reading
command applies.

Then it times the real `annotate agreement DOC` (a fresh process each run,
as a user runs it) at 10,000 and 100,000 annotations (a 100 kB and a 1 MB
document), and prints each figure beside its bound (2 s, issue 9) as a
ratio, and the growth from 10,000 to 100,000 beside its bound (12x for 10x
the data).

Each command is timed three times over: warm, with the record cache of
files read before (annotate/store/record_cache.py: each file parsed and
checked once, as after any earlier command read it); first read, with the
cache on but emptied before each run (every file parsed, checked and
remembered: the first command after a pull that changed every file); and
cold, with the cache off (ANNOTATE_NO_CACHE=1: every file parsed and
checked, nothing remembered).  A command's time runs to its exit: the
entries it remembers are written after it by a detached copy of the
process (annotate.background), which each run waits for before the next
starts, so first read less cold is what remembering still costs the
user.  The caches live in scratch folders of the run's own, never the
user's.

A command is timed by ``time_command(context, workspace, arguments, runs)``: any
command that reads the same workspace (`list`, later `merge`) is one more
``Timed`` in COMMANDS; ``prepare`` runs before each timing, so a command
that writes (merge's consensus file) can be given the same starting point
every time.

    python benchmarks/bench_commands.py [--quick] [--keep DIR] [--baseline SRC]

--quick: one run of each timing instead of the best of three.  --baseline
SRC: the same commands run from another source tree too (say a worktree of
main: git worktree add /tmp/main main), interleaved with this one's runs, so
both sets of figures come from one run of a shared machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import os
import platform
import random
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness import Context, Figure, Run, best_of, environment, tool

from annotate.store import record_cache

DOCUMENT = "desk/article.txt"
REVIEWERS = 20
BOUND = 2.0  # seconds for 100,000 annotations (issue 9)
GROWTH_BOUND = 12.0  # for 10x the data
# (label, needs a source): the project file `annotate init` writes.
LABELS = ("sourced", "unsourced", "disputed", "speculative", "opinion")
NEEDS_SOURCE = ("sourced", "disputed")
CONTEXT = 32  # code points of prefix and suffix, as the store keeps them


# --- data ---------------------------------------------------------------------

def prose(size: int, seed: int) -> str:
    """Sentences of made-up words and paragraph breaks, ``size`` code points."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz")
                          for _ in range(rng.randint(2, 10))) for _ in range(5000)]
    parts, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 28)))
        sentence = sentence.capitalize() + (".\n\n" if rng.random() < 0.15 else ". ")
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:size]


def reviewer_records(text: str, sha256: str, per_reviewer: int, seed: int
                     ) -> dict[str, list[dict[str, object]]]:
    """Each reviewer's records, sorted by id, over claims spread across ``text``."""
    rng = random.Random(seed)
    size = len(text)
    claims = per_reviewer * 6 // 5  # each reviewer marks 5 of every 6
    stride = size // claims
    sites = []
    for number in range(claims):
        length = rng.randint(30, max(31, min(200, stride - 20)))
        start = number * stride + rng.randint(8, max(8, stride - length - 10))
        sites.append((start, min(size, start + length), rng.choice(LABELS)))
    found: dict[str, list[dict[str, object]]] = {}
    for number in range(REVIEWERS):
        reviewer = f"reviewer{number:02d}@desk.example"
        spans = []
        for start, end, label in rng.sample(sites, per_reviewer - per_reviewer // 100):
            if rng.random() < 0.4:  # a few characters more or less at either end
                start, end = start + rng.randint(-5, 5), end + rng.randint(-5, 5)
            if rng.random() < 0.1:
                label = rng.choice(LABELS)
            spans.append((max(0, start), min(size, end), label))
        # 1% marked twice, slightly apart: stacked at one position.
        spans += [(start + 2, end, label) for start, end, label
                  in rng.sample(spans, per_reviewer // 100)]
        records = []
        for serial, (start, end, label) in enumerate(spans):
            stamp = (f"2026-11-{1 + serial % 28:02d}T{number:02d}:{serial // 60 % 60:02d}:"
                     f"{serial % 60:02d}.{serial % 1000:03d}Z")
            records.append({
                "id": f"r{number:02d}n{serial:07d}", "document": DOCUMENT,
                "document_sha256": sha256, "start": start, "end": end,
                "quote": text[start:end], "prefix": text[max(0, start - CONTEXT):start],
                "suffix": text[end:end + CONTEXT], "label": label, "reviewer": reviewer,
                "note": "checked against the agency's statement" if serial % 7 == 0 else "",
                "sources": ([f"https://www.example.org/sources/{serial % 97}"]
                            if label in NEEDS_SOURCE else []),
                "created": stamp, "modified": stamp,
                **({"tags": ["desk-a"]} if serial % 11 == 0 else {}),
            })
        found[reviewer] = records  # ids grow with serial: already in file order
    return found


def make_workspace(context: Context, name: str, per_reviewer: int, size: int,
                   seed: int = 20261201) -> Path:
    """A workspace by `annotate init`, with one document and 20 reviewers' files."""
    root = context.workspace(name)
    text = prose(size, seed)
    data = text.encode("utf-8")
    path = root / "corpus" / DOCUMENT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    folder = root / "annotations" / DOCUMENT
    folder.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256(data).hexdigest()
    for reviewer, records in reviewer_records(text, sha256, per_reviewer, seed).items():
        lines = (json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)
        (folder / f"{reviewer}.jsonl").write_text("".join(lines), encoding="utf-8")
    return root


# --- timing -------------------------------------------------------------------

def time_command(context: Context, workspace: Path, arguments: Sequence[str], runs: int,
                 prepare: Callable[[Path], None] | None = None,
                 accepted: tuple[int, ...] = (0,)) -> Run:
    """The fastest of ``runs`` runs of `annotate ARGUMENTS` in ``workspace``, each a
    fresh process; ``prepare(workspace)`` before each run.  A run exiting with a
    code not ``accepted`` stops here."""

    def once() -> Run:
        if prepare is not None:
            prepare(workspace)
        outcome = context.run([context.annotate, *arguments], workspace)
        # The time is the command's, up to its exit; the record cache is
        # written after it by a detached copy (annotate.background), which
        # must be done before the next run starts or the cache is emptied.
        cache = context.env.get("ANNOTATE_CACHE_DIR")
        if cache:
            record_cache.wait_for_writer(Path(cache))
        if outcome.code not in accepted:
            raise SystemExit(f"annotate {' '.join(arguments)} exited {outcome.code}: "
                             f"{outcome.stderr.decode(errors='replace').strip()}")
        return outcome

    return best_of(runs, once)


@dataclass(frozen=True)
class Timed:
    """A command to time on each workspace, and its bounds."""

    name: str
    arguments: tuple[str, ...]
    bound: float = BOUND
    growth_bound: float = GROWTH_BOUND
    prepare: Callable[[Path], None] | None = field(default=None, compare=False)
    accepted: tuple[int, ...] = (0,)  # exit codes of a successful run


def remove_consensus_file(workspace: Path) -> None:
    """Every timed merge starts where the first did: no consensus written yet."""
    (workspace / "annotations" / DOCUMENT / "consensus.jsonl").unlink(missing_ok=True)


COMMANDS = (
    Timed("agreement DOC", ("agreement", DOCUMENT)),
    # majority merges most positions, so the consensus file written is large;
    # the desk's conflicts leave merge exiting 1, as it should.
    Timed("merge DOC --strategy majority", ("merge", DOCUMENT, "--strategy", "majority"),
          prepare=remove_consensus_file, accepted=(0, 1)),
)

SIZES = ((500, 100_000), (5_000, 1_000_000))  # per reviewer, document size


def measure(contexts: Sequence[Context], command: Timed, workspaces: Sequence[Path],
            runs: int) -> list[list[Run]]:
    """For each context (this tree, and a baseline if given), the best run of the
    command on each workspace; runs interleaved, so noise on a shared machine
    hits every context alike."""
    best: list[list[Run | None]] = [[None] * len(workspaces) for _ in contexts]
    for context, root in itertools.product(contexts, workspaces):
        # An untimed run first: it compiles the bytecode of every module the
        # command imports, warms the file cache and, warm, fills the record
        # cache (for every workspace: else the first timed run of each is a
        # first read, which the best of three hides and --quick does not).
        time_command(context, root, command.arguments, 1, command.prepare, command.accepted)
    for _ in range(runs):
        for row, context in zip(best, contexts, strict=True):
            for column, root in enumerate(workspaces):
                outcome = time_command(context, root, command.arguments, 1, command.prepare,
                                       command.accepted)
                current = row[column]
                if current is None or outcome.seconds < current.seconds:
                    row[column] = outcome
    return [[run for run in row if run is not None] for row in best]


def figures(command: Timed, measured: Sequence[Run], label: str = "") -> list[Figure]:
    """The command's time on each workspace beside its bound, then its growth."""
    found = []
    for (per_reviewer, _), outcome in zip(SIZES, measured, strict=True):
        found.append(Figure(f"{label}annotate {command.name}, {per_reviewer * REVIEWERS:,} "
                            "annotations", outcome.seconds, command.bound, "s",
                            f"cpu {outcome.cpu:.2f} s, peak {outcome.peak / 1e6:.0f} MB"))
    small, large = measured[0].seconds, measured[-1].seconds
    found.append(Figure(f"{label}growth 10k -> 100k ({small:.2f} s -> {large:.2f} s)",
                        large / small, command.growth_bound, "x"))
    return found


def all_pairs_baseline(context: Context, workspace: Path) -> str:
    """merge's grouping (a sort and a windowed sweep) against the obvious all-pairs
    grouping (annotate/merge/reference.py), on the first stretch of the large
    workspace's document: both in one process, the same positions either way."""
    script = f"""
import time
from annotate import api
from annotate.merge.positions import extents, group
from annotate.merge.reference import group_all_pairs
ws = api.open_workspace({str(workspace)!r})
records = api.list_annotations(ws, {DOCUMENT!r})
stretch = max(a.end for a in records) * 5000 // len(records)
sample = [a for a in records if a.end <= stretch]
reviewers = sorted({{a.reviewer for a in records}})
t0 = time.perf_counter(); swept = group(sample, reviewers); sweep = time.perf_counter() - t0
t0 = time.perf_counter(); paired = group_all_pairs(sample, reviewers)
pairs = time.perf_counter() - t0
assert swept == paired, "the sweep and the all-pairs grouping disagree"
print(f"baseline, all pairs, on a sample of the 100,000 ({{len(sample):,}} annotations, "
      f"{{len(extents(sample)):,}} distinct spans, {{len(swept):,}} positions either way): "
      f"all pairs {{pairs:.3f}} s, sweep {{sweep:.4f}} s: {{pairs / sweep:.0f}}x faster")
"""
    outcome = context.run([sys.executable, "-c", script], workspace)
    if outcome.code != 0:
        raise SystemExit(outcome.stderr.decode(errors="replace"))
    return outcome.stdout.decode().strip()


def both(first: Callable[[Path], None] | None, second: Callable[[Path], None]
         ) -> Callable[[Path], None]:
    """One preparation doing two."""
    def prepare(workspace: Path) -> None:
        if first is not None:
            first(workspace)
        second(workspace)
    return prepare


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the workspaces, time every command, print each figure beside its bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one run of each timing, not the best of three")
    parser.add_argument("--keep", type=Path, help="keep the generated workspaces here")
    parser.add_argument("--baseline", type=Path, metavar="SRC",
                        help="also time the annotate package of this source tree (e.g. a "
                             "worktree of main), in the same run, through PYTHONPATH")
    options = parser.parse_args(argv)
    runs = 1 if options.quick else 3
    scratch = options.keep or Path(tempfile.mkdtemp(prefix="bench-commands-"))
    scratch.mkdir(parents=True, exist_ok=True)
    caches = [Path(tempfile.mkdtemp(prefix="bench-pycache-")) for _ in range(2)]
    records = Path(tempfile.mkdtemp(prefix="bench-record-cache-"))
    context = Context(scratch, tool("annotate"), environment(caches[0]), small=options.quick)
    contexts = [context]
    if options.baseline is not None:
        if not (options.baseline / "annotate" / "__init__.py").is_file():
            parser.error(f"{options.baseline} holds no annotate package")
        env = environment(caches[1])
        env["PYTHONPATH"] = str(options.baseline.resolve())
        contexts.append(Context(scratch, context.annotate, env, small=options.quick))
    first_reads = Path(tempfile.mkdtemp(prefix="bench-first-read-cache-"))
    caches += [records, first_reads]

    def forget_first_reads(workspace: Path) -> None:
        shutil.rmtree(first_reads, ignore_errors=True)

    # Each mode: its environment, and what to do before each run.
    modes: dict[str, tuple[dict[str, str], Callable[[Path], None] | None]] = {
        "warm": ({"ANNOTATE_CACHE_DIR": str(records)}, None),
        "first read": ({"ANNOTATE_CACHE_DIR": str(first_reads)}, forget_first_reads),
        "cold": ({"ANNOTATE_NO_CACHE": "1"}, None),
    }
    try:
        workspaces = []
        for per_reviewer, size in SIZES:
            name = f"desk-{per_reviewer * REVIEWERS}"
            if (scratch / name).exists():
                shutil.rmtree(scratch / name)
            workspaces.append(make_workspace(context, name, per_reviewer, size))
        print(f"python {platform.python_version()} on {platform.machine()}, "
              f"{os.cpu_count()} cores; 20 reviewers; best of {runs} "
              "(ratio <= 1.00: the bound is met)")
        print(f"{'figure':<62}{'measured':>16}{'bound':>16}{'ratio':>6}")
        missed = 0
        for command, (mode, (extra, before)) in itertools.product(COMMANDS, modes.items()):
            timed = command if before is None else dataclasses.replace(
                command, prepare=both(command.prepare, before))
            measured = measure([dataclasses.replace(each, env={**each.env, **extra})
                                for each in contexts], timed, workspaces, runs)
            for figure in figures(command, measured[0], f"{mode}: "):
                met = figure.ratio <= 1.0
                missed += not met
                print(figure.row() + ("" if met else "  NOT met"), flush=True)
            if len(measured) > 1:
                for figure in figures(command, measured[1], f"baseline, {mode}: "):
                    print(figure.row())
                print("  this tree against the baseline: " + ", ".join(
                    f"{mine.seconds / theirs.seconds:.2f}x the time"
                    for mine, theirs in zip(measured[0], measured[1], strict=True))
                    + " (10k, 100k)")
        print(all_pairs_baseline(context, workspaces[-1]))
        print("every bound met" if not missed else f"{missed} bound(s) NOT met")
    finally:
        for cache in caches:
            shutil.rmtree(cache, ignore_errors=True)
        if options.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
