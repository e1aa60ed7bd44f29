"""The sentence boundaries of each document version, cached in
.annotate-cache/sentences/ by the document's SHA-256 (issue 8, item 15): used
when sound, ignored and rewritten when damaged, never a reason to fail."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from annotate import sentences, store, workspace
from annotate.model import Document
from annotate.store.sentence_cache import boundaries_checksum
from tests.conftest import SEED, SEED_ID, Run


def seed_document(root: Path) -> Document:
    ws = workspace.load(root)
    return store.read_document(ws, SEED_ID)


def cache_file(root: Path, document: Document) -> Path:
    return root / ".annotate-cache" / "sentences" / f"{document.sha256}.json"


def segmenter_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> list[tuple[int, int]]:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(sentences, "sentence_spans", refuse)


def test_the_boundaries_are_cached_by_the_documents_sha256(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = workspace_of(workspace)
    document = seed_document(workspace)
    first = store.document_sentences(ws, document)
    assert len(first) == 62
    path = cache_file(workspace, document)
    assert path.is_file()
    assert (workspace / ".annotate-cache" / ".gitignore").read_text().endswith("*\n")
    segmenter_must_not_run(monkeypatch)
    assert store.document_sentences(ws, document) == first


def test_an_edited_document_is_another_version(workspace: Path) -> None:
    ws = workspace_of(workspace)
    store.document_sentences(ws, seed_document(workspace))
    (workspace / "corpus" / SEED_ID).write_text("One sentence. Two sentences.",
                                                encoding="utf-8")
    edited = seed_document(workspace)
    assert [s.text for s in store.document_sentences(ws, edited)] == [
        "One sentence.", "Two sentences."]
    assert len(list((workspace / ".annotate-cache" / "sentences").iterdir())) == 2


def _rewrite(path: Path, change: dict[str, object], recheck: bool = True) -> None:
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored.update(change)
    if recheck and isinstance(stored["boundaries"], str):
        stored["boundaries_mac"] = boundaries_checksum(
            stored["document_sha256"], stored["segmenter"], stored["boundaries"])
    path.write_text(json.dumps(stored), encoding="utf-8")


DAMAGE = {
    "not JSON": lambda p: p.write_bytes(b"\xff{not json"),
    "a list": lambda p: p.write_text("[1, 2]"),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:40]),
    "checksum wrong": lambda p: _rewrite(p, {"boundaries": "0,5"}, recheck=False),
    "spans overlap": lambda p: _rewrite(p, {"boundaries": "0,50,-10,20"}),
    "span past the end": lambda p: _rewrite(p, {"boundaries": "0,999999"}),
    "span starts on a space": lambda p: _rewrite(p, {"boundaries": "56,3"}),
    "not numbers": lambda p: _rewrite(p, {"boundaries": "0,five"}),
    "odd count": lambda p: _rewrite(p, {"boundaries": "0,5,2"}),
    "boundaries not a string": lambda p: _rewrite(p, {"boundaries": [0, 5]}),
    "another segmenter": lambda p: _rewrite(p, {"segmenter": "0/pysbd-0.1"}),
    "another version": lambda p: _rewrite(p, {"document_sha256": "0" * 64}),
    "another length": lambda p: _rewrite(p, {"length": 5}),
    # What a cache made on another machine holds: a checksum anyone can make.
    "a plain checksum": lambda p: _rewrite(p, {
        "boundaries": "0,5", "boundaries_mac": hashlib.sha256(b"0,5").hexdigest()},
        recheck=False),
    "a folder": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_cache_is_ignored_and_rewritten(workspace: Path, damage: str) -> None:
    ws = workspace_of(workspace)
    document = seed_document(workspace)
    expected = store.document_sentences(ws, document)
    path = cache_file(workspace, document)
    DAMAGE[damage](path)
    assert store.document_sentences(ws, document) == expected
    if path.is_file():
        # rewritten whole: the next call believes it again
        stored = json.loads(path.read_text(encoding="utf-8"))
        assert stored["document_sha256"] == document.sha256


def test_a_cache_that_cannot_be_written_is_no_error(workspace: Path) -> None:
    ws = workspace_of(workspace)
    (workspace / ".annotate-cache").write_text("a file where the folder should be")
    assert len(store.document_sentences(ws, seed_document(workspace))) == 62


def test_a_cache_folder_linked_outside_the_workspace_is_not_written(
        workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, workspace / ".annotate-cache")
    ws = workspace_of(workspace)
    assert len(store.document_sentences(ws, seed_document(workspace))) == 62
    assert list(outside.iterdir()) == []


def test_sentences_and_add_sentence_use_the_cache(
        workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = run("sentences", SEED_ID)
    assert cold.exit_code == 0 and len(cold.stdout.splitlines()) == 62
    segmenter_must_not_run(monkeypatch)
    warm = run("sentences", SEED_ID)
    assert warm.stdout == cold.stdout
    added = run("add", SEED_ID, "--label", "opinion", "--sentence", "24")
    assert added.exit_code == 0, added.stderr
    [record] = json.loads(run("list", "--format", "json").stdout)
    assert record["quote"] == "North Korea offered Russia help last year."


def workspace_of(root: Path) -> workspace.Workspace:
    assert SEED.exists()
    return workspace.load(root)


def test_a_cache_someone_else_made_is_not_believed(workspace: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Sound boundaries that merge the first two sentences, checksummed by
    another user (another secret): a cache committed to the repository
    cannot renumber this user's sentences.  The same forgery under this
    user's own secret is believed, so the secret is what refuses it."""
    from annotate.store import record_cache

    ws = workspace_of(workspace)
    document = seed_document(workspace)
    expected = store.document_sentences(ws, document)
    path = cache_file(workspace, document)
    stored = json.loads(path.read_text(encoding="utf-8"))
    numbers = [int(n) for n in stored["boundaries"].split(",")]
    # (gap, length) pairs: the first sentence takes in the gap and the second.
    merged = [numbers[0], numbers[1] + numbers[2] + numbers[3], *numbers[4:]]
    forged = ",".join(map(str, merged))
    with monkeypatch.context() as other_user:
        other_user.setattr(record_cache, "user_secret", lambda: b"someone else's secret")
        stored.update(boundaries=forged, boundaries_mac=boundaries_checksum(
            document.sha256, stored["segmenter"], forged))
    path.write_text(json.dumps(stored), encoding="utf-8")
    assert store.document_sentences(ws, document) == expected
    _rewrite(path, {"boundaries": forged})  # checksummed with this user's secret
    believed = store.document_sentences(ws, document)
    assert len(believed) == len(expected) - 1
    assert believed[0].text.startswith(expected[0].text)
