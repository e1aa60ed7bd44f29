"""Nothing is lost: SIGKILL at random moments never leaves a torn file, and
concurrent writers never lose each other's annotations.

Both use real processes writing through the library (the same code the
CLI calls), real files and real signals.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotate import store
from annotate.workspace import load
from tests.conftest import SEED_ID

# Adds annotations in a loop; argv: workspace, reviewer, first offset, count.
WRITER = textwrap.dedent("""
    import sys
    from annotate import api, spans
    from annotate.errors import AnnotateError
    root, reviewer, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ws = api.open_workspace(root)
    print("ready", flush=True)
    for offset in range(first, first + count):
        api.add_annotation(ws, "kim-putin-vostochny.txt", spans.OffsetSpan(offset, offset + 3),
                           label="opinion", reviewer=reviewer, note="n" * 200)
""")


def start_writer(root: Path, reviewer: str, first: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(root), reviewer, str(first),
                             str(count)], stdout=subprocess.PIPE, text=True)


def check_file(root: Path, reviewer: str) -> list[str]:
    """Parse and schema-check the file as every command would; return the ids."""
    ws = load(root)
    path = store.annotation_path(ws, SEED_ID, reviewer)
    return [a.id for a in store.read_annotation_file(ws, path)]


@pytest.mark.slow
def test_sigkill_at_random_moments_never_tears_a_file(workspace: Path) -> None:
    rng = random.Random(20261129)
    # Start from a file big enough that each rewrite takes a while.
    writer = start_writer(workspace, "alice", 0, 150)
    assert writer.wait(timeout=120) == 0
    committed = check_file(workspace, "alice")
    assert len(committed) == 150
    kills = 0
    for round_number in range(30):
        writer = start_writer(workspace, "alice", 150 + round_number * 100, 100)
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.25))
        if writer.poll() is None:
            os.kill(writer.pid, signal.SIGKILL)
            kills += 1
        writer.wait(timeout=30)
        now = check_file(workspace, "alice")
        # Every annotation that was committed before is still there.
        assert set(committed) <= set(now)
        committed = now
    assert kills >= 25  # the writer was really interrupted, not left to finish


@pytest.mark.slow
def test_eight_concurrent_writers_lose_nothing(workspace: Path) -> None:
    per_writer = 15
    writers = [start_writer(workspace, "alice", 2202 + w * per_writer, per_writer)
               for w in range(8)]
    for writer in writers:
        assert writer.wait(timeout=300) == 0
    ids = check_file(workspace, "alice")
    assert len(ids) == len(set(ids)) == 8 * per_writer
    ws = load(workspace)
    starts = sorted(a.start for a in store.read_annotation_file(
        ws, store.annotation_path(ws, SEED_ID, "alice")))
    assert starts == list(range(2202, 2202 + 8 * per_writer))


# Holds one document session and rewrites three reviewers' files in each
# round, every record of round k carrying the note "round k"; argv: workspace.
SESSION_WRITER = textwrap.dedent("""
    import sys
    from annotate import api, spans, store
    ws = api.open_workspace(sys.argv[1])
    doc = api.document(ws, "kim-putin-vostochny.txt")
    print("ready", flush=True)
    for round_number in range(1, 10_000):
        with store.document_session(ws, doc.id) as session:
            for reviewer in ("alice", "bob", "carol"):
                session.write(reviewer, [
                    spans.new_annotation(doc, offset, offset + 5, label="opinion",
                                         reviewer=reviewer, note=f"round {round_number}",
                                         sources=(), verdict=None, tags=())
                    for offset in range(0, 1500, 10)])
""")


@pytest.mark.slow
def test_sigkill_during_a_three_file_session_leaves_each_file_old_or_new(
        workspace: Path) -> None:
    rng = random.Random(20261130)
    ws = load(workspace)
    mixed = 0
    for _ in range(25):
        writer = subprocess.Popen([sys.executable, "-c", SESSION_WRITER, str(workspace)],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        rounds = []
        for reviewer in ("alice", "bob", "carol"):
            # Parses and passes the rule book, as every command reads it ...
            held = store.read_annotation_file(ws, store.annotation_path(ws, SEED_ID, reviewer))
            # ... and is one whole round: never a mix of two, never cut short.
            assert len(held) in (0, 150)
            assert len({a.note for a in held}) <= 1
            rounds.append(held[0].note if held else None)
        mixed += len(set(rounds)) > 1
    # Files of one session are each atomic, not atomic together: a kill
    # between two renames leaves some files a round ahead.  Seeing that
    # happen shows the kills really landed inside sessions.
    assert mixed >= 1, mixed


def test_a_killed_writers_temporary_files_go_with_the_next_write(workspace: Path) -> None:
    from annotate import api, spans

    ws = load(workspace)
    folder = workspace / "annotations" / SEED_ID
    versions = workspace / "annotations" / ".versions"
    folder.mkdir(parents=True)
    versions.mkdir(parents=True)
    stale = [folder / ".alice.jsonl.k1ll3d_x.tmp", versions / ".abc.txt.k1ll3d_y.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    keep = folder / "notes.tmp"  # not one of ours
    keep.write_bytes(b"mine")
    api.add_annotation(ws, SEED_ID, spans.OffsetSpan(0, 5), label="opinion", reviewer="alice")
    assert not any(path.exists() for path in stale)
    assert keep.exists()
    ignored = (workspace / "annotations" / ".gitignore").read_text(encoding="utf-8")
    assert ".*.tmp" in ignored.splitlines()
