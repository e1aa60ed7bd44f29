"""The annotation folder's layout, known by the store alone: annotation_path
and owner_of are inverses, and names outside the layout have no owner."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from annotate import store
from annotate.workspace import Workspace, default_project, project_from_data

WORKSPACE = Workspace(Path("/srv/desk"), project_from_data(default_project("desk")))

# Document ids are paths of non-hidden names; reviewers match the schema's pattern.
segments = st.from_regex(r"[A-Za-z0-9_-][A-Za-z0-9._ -]{0,20}", fullmatch=True)
document_ids = st.lists(segments, min_size=1, max_size=4).map("/".join)
reviewers = st.from_regex(r"[A-Za-z0-9_@+-][A-Za-z0-9._@+-]{0,40}", fullmatch=True)


@given(document_ids, reviewers)
def test_owner_of_inverts_annotation_path(document_id: str, reviewer: str) -> None:
    path = store.annotation_path(WORKSPACE, document_id, reviewer)
    assert store.owner_of(WORKSPACE, path) == (document_id, reviewer)
    assert store.owner_of(WORKSPACE, str(path)) == (document_id, reviewer)
    assert store.is_annotation_file_name(path.name)


def test_places_outside_the_layout_have_no_owner() -> None:
    annotations = WORKSPACE.annotations_dir
    for path in [
        annotations,  # the folder itself
        annotations / "alice.jsonl",  # no document folder
        annotations / "a.txt" / "notes.txt",  # not an annotation file name
        annotations / "a.txt" / ".alice.jsonl.tmp",  # a temporary
        annotations / "a.txt" / ".alice.jsonl",  # hidden: no reviewer name starts with "."
        WORKSPACE.root / "elsewhere" / "a.txt" / "alice.jsonl",
        Path(f"{annotations}-old") / "a.txt" / "alice.jsonl",  # a sibling sharing the prefix
    ]:
        assert store.owner_of(WORKSPACE, path) is None, path


def test_hidden_names_are_outside_the_layout() -> None:
    assert not store.is_annotation_file_name(".alice.jsonl")
    assert not store.is_annotation_file_name("alice.json")


def test_scan_skips_hidden_names_and_asks_about_links(tmp_path: Path) -> None:
    for name in ["a.txt/alice.jsonl", "a.txt/.alice.jsonl.tmp", "a.txt/notes.txt",
                 ".versions/x.jsonl", "b/c.txt/bob.jsonl"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "d.txt").mkdir()
    (tmp_path / "d.txt" / "carol.jsonl").symlink_to(tmp_path / "a.txt" / "alice.jsonl")
    (tmp_path / "linked").symlink_to(tmp_path / "b", target_is_directory=True)
    asked: list[str] = []

    def follow(entry: os.DirEntry[str]) -> bool:
        asked.append(entry.name)
        return entry.name != "carol.jsonl"

    found = store.scan_annotation_files(str(tmp_path), follow)
    names = sorted(Path(entry.path).relative_to(tmp_path).as_posix() for entry in found)
    assert names == ["a.txt/alice.jsonl", "b/c.txt/bob.jsonl"]  # links are not descended
    assert sorted(asked) == ["carol.jsonl", "linked"]
