"""Benchmark for `annotate report` (issue 10, item 1: at most 2 s for 10
documents x 5 reviewers x 200 annotations).

Generates its own workspace: 10 articles of about 60,000 code points, each
with claim sites (sentence- to clause-long) that every one of 5 reviewers
marks 200 of, mostly on the site's exact boundaries and with its label,
otherwise a few characters off or with another label; some notes, sources
and verdicts; and, for half of the documents, the consensus file that
`annotate merge` writes (run for real).  10,000 annotations in all.

Then it times the installed `annotate report -o FILE` (a fresh process,
as a user runs it: start-up, reading, the dry-run merge, agreement and
rendering) for every format, best of --runs runs, and prints each time
beside the 2 s bound as a ratio (<= 1.00 is met), with the CPU time, peak
memory and the output's size.

    python benchmarks/bench_report.py [--runs 3] [--small] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import Figure, best_of, environment, run, tool

from annotate.model import Annotation
from annotate.records import dump_annotations

BOUND = 2.0  # seconds (issue 10)
LABELS = ("sourced", "unsourced", "disputed", "speculative", "opinion")
SOURCES_FOR = {"sourced", "disputed"}
VERDICTS = ("accurate", "mostly-accurate", "misleading", "false", "unverifiable")
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
STAMP = "2026-11-30T12:00:00.000Z"


def article(size: int, rng: random.Random) -> str:
    """Paragraphs of sentences of pseudo-words, about size code points."""
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
             for _ in range(2000)]
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))).capitalize()
        parts.append(sentence + (".\n\n" if rng.random() < 0.2 else ". "))
        total += len(parts[-1])
    return "".join(parts)[:size]


def context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - 32):start], text[end:end + 32]


def annotation_id(number: int) -> str:
    digits = []
    for _ in range(16):
        number, digit = divmod(number, 32)
        digits.append(CROCKFORD[digit])
    return "".join(reversed(digits))


def reviewers_work(document: str, sha: str, text: str, reviewers: list[str],
                   per_reviewer: int, rng: random.Random, first_id: int
                   ) -> dict[str, list[Annotation]]:
    """Each reviewer's annotations of one document: 200 of 240 claim sites."""
    sites = per_reviewer * 6 // 5
    stride = len(text) // sites
    claims = []
    for number in range(sites):
        start = number * stride + rng.randrange(stride // 4)
        claims.append((start, start + rng.randint(30, stride // 2), rng.choice(LABELS)))
    work: dict[str, list[Annotation]] = {}
    next_id = first_id
    for reviewer in reviewers:
        records = []
        for start, end, label in sorted(rng.sample(claims, per_reviewer)):
            if rng.random() < 0.2:  # a few characters more or less
                start = max(0, start + rng.randint(-5, 5))
                end = min(len(text), max(start + 1, end + rng.randint(-5, 5)))
            if rng.random() < 0.15:
                label = rng.choice(LABELS)
            prefix, suffix = context(text, start, end)
            records.append(Annotation(
                id=annotation_id(next_id), document=document, document_sha256=sha,
                start=start, end=end, quote=text[start:end], prefix=prefix, suffix=suffix,
                label=label, reviewer=reviewer,
                note=rng.choice(("", "", "Checked against the agency's release.",
                                 "One unnamed source; see the thread.")),
                sources=((f"https://example.org/evidence/{next_id}",)
                         if label in SOURCES_FOR else ()),
                created=STAMP, modified=STAMP,
                verdict=rng.choice(VERDICTS) if rng.random() < 0.3 else None))
            next_id += 1
        work[reviewer] = sorted(records, key=lambda a: a.id)
    return work


def make_workspace(root: Path, annotate: str, env: dict[str, str], documents: int,
                   reviewers: int, per_reviewer: int, size: int) -> None:
    """The workspace: documents, reviewer files, and consensus files for half of them."""
    import hashlib

    subprocess.run([annotate, "init", str(root)], env=env, check=True, capture_output=True)
    rng = random.Random(10)
    names = [f"reviewer{number}@desk.example" for number in range(reviewers)]
    for number in range(documents):
        document = f"article-{number:02d}.txt"
        text = article(size, rng)
        data = text.encode("utf-8")
        (root / "corpus" / document).write_bytes(data)
        work = reviewers_work(document, hashlib.sha256(data).hexdigest(), text, names,
                              per_reviewer, rng, (number + 1) * 1_000_000)
        folder = root / "annotations" / document
        folder.mkdir(parents=True)
        for reviewer, records in work.items():
            (folder / f"{reviewer}.jsonl").write_text(dump_annotations(records),
                                                      encoding="utf-8")
        if number % 2 == 0:
            subprocess.run([annotate, "merge", document, "--strategy", "majority"], cwd=root,
                           env=env, check=False, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (3)")
    parser.add_argument("--small", action="store_true",
                        help="2 documents x 3 reviewers x 50: a quick check that it runs")
    parser.add_argument("--keep", type=Path, help="make the workspace here and keep it")
    options = parser.parse_args()
    annotate = tool("annotate")
    scratch = options.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    pycache = Path(tempfile.mkdtemp(prefix="bench-pycache-"))
    env = environment(pycache)
    sizes = (2, 3, 50, 15_000) if options.small else (10, 5, 200, 60_000)
    documents, reviewers, per_reviewer, size = sizes
    root = scratch / "desk"
    try:
        if root.exists():
            shutil.rmtree(root)
        make_workspace(root, annotate, env, documents, reviewers, per_reviewer, size)
        print(f"{documents} documents x {reviewers} reviewers x {per_reviewer} annotations "
              f"({documents * reviewers * per_reviewer:,}), documents of {size:,} code points; "
              f"half merged; best of {options.runs} runs; Python {sys.version.split()[0]}")
        print(f"  {'figure':<60}{'measured':>16}{'bound':>16}{'ratio':>6}")
        missed = 0
        for name, output in (("html", "report.html"), ("md", "report.md"),
                             ("csv", "report.csv"), ("json", "report.json")):
            target = scratch / output
            measured = best_of(options.runs, lambda target=target: run(
                [annotate, "report", "-o", str(target)], root, env))
            if measured.code != 0:
                sys.exit(f"annotate report -o {output} failed: {measured.stderr.decode()}")
            figure = Figure(f"annotate report -o {output} ({name})", measured.seconds, BOUND,
                            "s", f"cpu {measured.cpu:.2f} s, peak {measured.peak / 1e6:.0f} MB,"
                                 f" {target.stat().st_size / 1e6:.1f} MB written")
            missed += figure.ratio > 1.0
            print(figure.row() + ("" if figure.ratio <= 1.0 else "  NOT met"), flush=True)
        print("every bound met" if not missed else f"{missed} bound(s) NOT met")
    finally:
        shutil.rmtree(pycache, ignore_errors=True)
        if options.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
