"""A hostile user's tour of reports and interchange, end to end through the
installed console script: what each output holds is read back the way its
reader reads it (Python's csv module, annotate's own import)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import HWASONG, SEED, SEED_ID, Run, installed_annotate, run_installed

# A claim of the seed article, with words inside it.
CLAIM = "Russia will provide North Korea with support in building satellites"


def _add(desk: Path, *args: str, reviewer: str = "alice") -> str:
    result = run_installed("add", *args, "--reviewer", reviewer, cwd=desk)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _records(desk: Path) -> list[dict[str, object]]:
    result = run_installed("list", "--format", "json", cwd=desk)
    assert result.returncode == 0, result.stderr
    records: list[dict[str, object]] = json.loads(result.stdout)
    return records


def _new_desk(tmp_path: Path, name: str, corpus: Path) -> Path:
    """A second workspace with a copy of ``corpus``'s documents."""
    assert run_installed("init", name, cwd=tmp_path).returncode == 0
    root = tmp_path / name
    shutil.copytree(corpus, root / "corpus", dirs_exist_ok=True)
    return root


def test_a_carriage_return_inside_a_csv_cell_stays_in_its_row(desk: Path) -> None:
    # A lone CR (a note pasted from an old Mac file) ends a row for every CSV
    # reader unless the cell is quoted; the writer's line end is "\n", so it
    # did not quote it.
    note = "first part\rsecond part"
    _add(desk, SEED_ID, "--label", "opinion", "--quote", CLAIM, "--note", note)
    for command in ("report", "list", "export"):
        # Bytes as written: run_installed's text mode would turn the CR into a LF.
        text = subprocess.run([installed_annotate(), command, "--format", "csv"], cwd=desk,
                              capture_output=True, check=True,
                              env={**os.environ, "LC_ALL": "C.UTF-8"}).stdout.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == 2, (command, rows)
        assert len(rows[1]) == len(rows[0]), (command, rows)
        assert rows[1][rows[0].index("note")] == note, command


def test_brat_export_of_a_document_in_a_folder_imports_with_its_reviewers(
        desk: Path, tmp_path: Path) -> None:
    # export writes OUT/<reviewer>/politics/article.ann: the reviewer is the
    # folder above the document's own folders, not the one the file sits in.
    (desk / "corpus" / "politics").mkdir()
    shutil.copyfile(desk / "corpus" / SEED_ID, desk / "corpus" / "politics" / "article.txt")
    _add(desk, "politics/article.txt", "--label", "opinion", "--quote", CLAIM)
    _add(desk, "politics/article.txt", "--label", "opinion", "--quote", CLAIM, reviewer="bob")
    _add(desk, "politics/article.txt", "--label", "speculative", "--quote", HWASONG,
         reviewer="bob")
    assert run_installed("merge", cwd=desk).returncode == 0
    exported = run_installed("export", "--format", "brat", "-o", str(tmp_path / "out"), cwd=desk)
    assert exported.returncode == 0, exported.stderr
    other = _new_desk(tmp_path, "other", desk / "corpus")
    files = [str(tmp_path / "out" / who / "politics" / "article.ann")
             for who in ("alice", "bob", "consensus")]
    result = run_installed("import", "--format", "brat", *files, cwd=other)
    assert result.returncode == 1, result.stderr
    assert ("consensus/politics/article.ann: line 1 (T1): its creator is 'consensus'"
            in result.stderr)
    assert "the reviewer is the folder's name, 'alice'" in result.stderr
    assert sorted((r["reviewer"], r["label"]) for r in _records(other)) == [
        ("alice", "opinion"), ("bob", "opinion"), ("bob", "speculative")]


def test_claimreview_says_how_many_it_wrote_when_the_consensus_is_chosen(
        desk: Path, tmp_path: Path) -> None:
    # A merged document publishes its consensus; the reviewers' records are
    # not chosen, with a verdict or without one, and are not in the file.
    _add(desk, SEED_ID, "--label", "opinion", "--quote", CLAIM)
    _add(desk, SEED_ID, "--label", "opinion", "--quote", CLAIM, reviewer="bob")
    _add(desk, SEED_ID, "--label", "speculative", "--quote", HWASONG, reviewer="bob")
    assert run_installed("merge", cwd=desk).returncode == 0
    target = tmp_path / "claims.json"
    result = run_installed("export", "--format", "claimreview", "-o", str(target), cwd=desk)
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == []
    assert result.stderr.splitlines()[-1] == (
        f"annotate: wrote 0 annotations of 1 document to {target}")


def test_w3c_selector_refined_by_another_is_not_imported_as_the_wider_span(
        desk: Path, tmp_path: Path) -> None:
    # refinedBy narrows the first selector's text (model section 4.2.9): the
    # annotation is about "building satellites", not the whole sentence.
    body = [{"type": "TextualBody", "purpose": "classifying", "value": "opinion"}]
    selector = {"type": "TextQuoteSelector", "exact": CLAIM,
                "refinedBy": {"type": "TextQuoteSelector", "exact": "building satellites"}}
    annotation = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
                  "id": "urn:example:1", "creator": {"type": "Person", "name": "dora"},
                  "body": body,
                  "target": {"source": f"urn:annotate:document:{SEED_ID}",
                             "selector": selector}}
    path = tmp_path / "refined.jsonld"
    path.write_text(json.dumps(annotation), encoding="utf-8")
    result = run_installed("import", "--format", "w3c", str(path), cwd=desk)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"annotate: skipped {path}: the annotation (urn:example:1): its TextQuoteSelector "
        "is refinedBy another selector, which annotate does not apply; give the narrower "
        "span's own TextQuoteSelector instead",
        "annotate: imported 0 annotations; 1 skipped"]
    assert _records(desk) == []


def test_import_indexes_a_document_once_not_once_per_annotation(
        workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The index of a document's astral characters scans the whole text: built
    # for every annotation, 50,000 brat annotations of a 1 MB article took two
    # minutes to import.
    from annotate.api import interchange
    from annotate.interchange.importing import Utf16Index

    built: list[int] = []

    class Counted(Utf16Index):
        def __init__(self, text: str) -> None:
            built.append(len(text))
            super().__init__(text)

    monkeypatch.setattr(interchange, "Utf16Index", Counted)
    text = SEED.read_text(encoding="utf-8")
    words = sorted({word for word in text.split() if text.count(word) == 1 and word.isalpha()})
    lines = [f"T{n}\topinion {text.index(word)} {text.index(word) + len(word)}\t{word}"
             for n, word in enumerate(words[:40], start=1)]
    ann = tmp_path / "dora" / "kim-putin-vostochny.ann"
    ann.parent.mkdir()
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("import", "--format", "brat", str(ann))
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == 40
    assert built == [len(text)]


def test_brat_export_refuses_a_folder_holding_an_earlier_exports_files(
        desk: Path, tmp_path: Path) -> None:
    # Exported again after bob removed his annotation, the folder would still
    # hold bob's old .ann, and importing the folder would bring it back.
    _add(desk, SEED_ID, "--label", "opinion", "--quote", CLAIM)
    removed = _add(desk, SEED_ID, "--label", "speculative", "--quote", HWASONG, reviewer="bob")
    out = tmp_path / "out"
    assert run_installed("export", "--format", "brat", "-o", str(out), cwd=desk).returncode == 0
    # The same export again is fine: it writes the same files.
    assert run_installed("export", "--format", "brat", "-o", str(out), cwd=desk).returncode == 0
    assert run_installed("rm", removed, "--yes", cwd=desk).returncode == 0
    old = (out / "bob" / "kim-putin-vostochny.ann").read_bytes()
    result = run_installed("export", "--format", "brat", "-o", str(out), cwd=desk)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"annotate: error: {out} holds 1 .ann file this export does not write "
        "(bob/kim-putin-vostochny.ann), from an earlier export or elsewhere: importing the "
        "folder would bring its annotations back; export to a new or empty folder, or "
        "delete it"]
    assert (out / "bob" / "kim-putin-vostochny.ann").read_bytes() == old
    fresh = tmp_path / "fresh"
    result = run_installed("export", "--format", "brat", "-o", str(fresh), cwd=desk)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in fresh.iterdir()) == ["alice", "annotation.conf",
                                                        "visual.conf"]


def test_a_merged_workspaces_export_imports_from_standard_input_without_its_consensus(
        desk: Path, tmp_path: Path) -> None:
    """`annotate export ... | annotate import -`: the reviewers' annotations
    come in; the consensus is made by merge, not imported, and the reason
    says so (not "pass --reviewer", which would give it to one reviewer)."""
    _add(desk, SEED_ID, "--quote", CLAIM, "--label", "opinion", reviewer="alice")
    _add(desk, SEED_ID, "--quote", CLAIM, "--label", "opinion", reviewer="bob")
    assert run_installed("merge", cwd=desk).returncode == 0
    exported = run_installed("export", "--format", "w3c", cwd=desk)
    assert exported.returncode == 0, exported.stderr
    other = _new_desk(tmp_path, "other", desk / "corpus")
    whole = run_installed("import", "--format", "w3c", "-", cwd=other, input=exported.stdout)
    assert whole.returncode == 1
    assert ("its creator is 'consensus', the reserved name of the merged result, which "
            "'annotate merge' makes from the reviewers' annotations: it is not imported "
            "(--partial imports the others)") in whole.stderr
    assert _records(other) == []
    partial = run_installed("import", "--format", "w3c", "--partial", "-", cwd=other,
                            input=exported.stdout)
    assert partial.returncode == 1
    assert "it is not imported\n" in partial.stderr  # no "--partial imports" under --partial
    assert sorted(r["reviewer"] for r in _records(other)) == ["alice", "bob"]
    twice = run_installed("import", "--format", "w3c", "-", "-", cwd=other, input="")
    assert (twice.returncode, twice.stderr) == (
        2, "annotate: error: '-' (the standard input) is named more than once; it can be "
           "read once\n")
