"""Benchmark for `annotate ingest` (issue 12): how many saved pages a second.

Generates 200 saved news pages (the layout of tests/data/pages/port-strike.html:
navigation, a cookie banner, share buttons, an advertisement and a newsletter
box inside the article, related stories, comments, inline scripts and
styles; each with its own headline, byline, date and 6 to 20 paragraphs of
generated prose; 3 in 20 in windows-1251, 1 in 10 in Shift_JIS), then in one
run:

- ``annotate ingest`` on all of them: the installed command, as a user runs
  it (start-up, reading, charset, extraction, dates, metadata, the rule
  book, every file written atomically), in a fresh workspace;
- the same pipeline in-process, without the writes (decode, extract,
  metadata record), to show what the command adds;
- the baseline: trafilatura.extract() on the same bytes, bare (no
  metadata, no dates), which is what extraction alone costs.

Each figure is printed as pages/s and as a ratio to the baseline.

    python benchmarks/bench_ingest.py [--pages N]
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "tests" / "data" / "pages" / "port-strike.html").read_text(encoding="utf-8")

WORDS = ("port union strike talks operator terminal ships week council minister economy "
         "prices workers offer inflation mediator harbour government transport shipping "
         "container pay rise regional secretary department statement figures estimate month "
         "said told reporters according analysts expected would could agreement dispute").split()
RUSSIAN = ("город мост администрация депутат ремонт жители автобус маршрут опора трещина "
           "инженер бюджет заявил сообщил года область").split()
JAPANESE = ["気象台", "路線バス", "市長", "積雪", "運休", "観測", "住民", "警戒", "発表", "交通"]


def sentence(rng: random.Random, words: list[str], joiner: str = " ") -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(8, 22))]
    text = joiner.join(chosen)
    return text[0].upper() + text[1:] + ("。" if joiner == "" else ".")


def saved_page(number: int, rng: random.Random) -> tuple[str, bytes]:
    """One saved page: (file name, bytes)."""
    kind = "cp932" if number % 10 == 0 else "cp1251" if number % 20 in (3, 7, 13) else "utf-8"
    words = JAPANESE if kind == "cp932" else RUSSIAN if kind == "cp1251" else WORDS
    joiner = "" if kind == "cp932" else " "
    headline = sentence(rng, words, joiner).rstrip(".。")[:80] + f" {number}"
    paragraphs = [" ".join(sentence(rng, words, joiner) for _ in range(rng.randint(2, 5)))
                  for _ in range(rng.randint(6, 20))]
    body = "\n    ".join(f"<p>{p}</p>" for p in paragraphs)
    html = TEMPLATE
    start = html.index('<div class="story-body">') + len('<div class="story-body">')
    end = html.index("</div>\n  <div class=\"tags\">")
    html = html[:start] + "\n    " + body + "\n  " + html[end:]
    html = html.replace("Port strike enters third week as talks stall", headline)
    html = html.replace("2024-03-14", f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}")
    html = html.replace("port-strike-enters-third-week", f"story-{number}")
    charset = {"utf-8": "utf-8", "cp1251": "windows-1251", "cp932": "Shift_JIS"}[kind]
    html = html.replace('<meta charset="utf-8">', f'<meta charset="{charset}">')
    html = html.replace("£", "GBP ").replace("©", "(c)").replace("›", ">")
    return f"page-{number:03d}.html", html.encode(kind, errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    arguments = parser.parse_args()
    annotate = shutil.which("annotate", path=str(Path(sys.executable).parent)) or "annotate"
    rng = random.Random(12)
    pages = [saved_page(number, rng) for number in range(arguments.pages)]
    size = sum(len(data) for _, data in pages)
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}; {len(pages)} saved pages, {size / len(pages) / 1024:.1f} KiB "
          "on average")

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "saved"
        folder.mkdir()
        for name, data in pages:
            (folder / name).write_bytes(data)
        workspace = Path(scratch) / "desk"
        subprocess.run([annotate, "init", str(workspace)], check=True, capture_output=True)
        files = sorted(str(path) for path in folder.iterdir())
        started = time.perf_counter()
        done = subprocess.run([annotate, "ingest", *files], cwd=workspace, capture_output=True,
                              text=True, env={"ANNOTATE_REVIEWER": "bench", "PATH": ""})
        command = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"annotate ingest failed: {done.stderr}")
        stored = len(list((workspace / "corpus").iterdir()))
        if stored != len(pages):
            raise SystemExit(f"only {stored} of {len(pages)} pages became documents")

    from annotate.fetching import charset, extract, metadata

    started = time.perf_counter()
    for name, data in pages:
        decoded = charset.decode_page(data, None, name)
        article = extract.extract_article(decoded.text, None, name, saved=True)
        metadata.record(document=name, method="ingest", fetched="2024-01-01T00:00:00Z",
                        document_sha256=hashlib.sha256(article.text.encode()).hexdigest(),
                        title=article.title, authors=article.authors)
    pipeline = time.perf_counter() - started

    import trafilatura

    started = time.perf_counter()
    for _, data in pages:
        trafilatura.extract(data)
    baseline = time.perf_counter() - started

    count = len(pages)
    rows = [
        ("annotate ingest, the installed command (one run, everything written)", command),
        ("the same pipeline in-process, nothing written (charset, article, dates, record)",
         pipeline),
        ("baseline: trafilatura.extract() on the same bytes, bare", baseline),
    ]
    print(f"\n  {'':<84}{'pages/s':>9}{'vs baseline':>13}")
    for label, seconds in rows:
        print(f"  {label:<84}{count / seconds:>9.1f}{baseline / seconds:>12.2f}x")
    print(f"\n  ({count} pages: the command took {command:.2f} s, the pipeline {pipeline:.2f} s, "
          f"the baseline {baseline:.2f} s; a ratio below 1 is slower than the baseline)")


if __name__ == "__main__":
    main()
