"""A document's versions: their order, the names that pick one
(annotate/versions/history.py, pure), and the store's list of each
document's versions -- kept by save_version, robust to damage, to git
conflicts and to other files beside the stored texts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from annotate import store
from annotate.errors import UnknownVersionError
from annotate.model import Document
from annotate.versions.history import Version, ordered, resolve
from annotate.workspace import load
from tests.conftest import SEED_ID, Run


def sha(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


A, B, C, D = sha(1), sha(2), sha(3), sha(4)


def everything_stored(_: str) -> bool:
    return True


# -- order -------------------------------------------------------------------------------

def test_listed_versions_keep_their_order_and_the_current_text_comes_last() -> None:
    versions = ordered([B, A], {}, C, everything_stored)
    assert [(v.number, v.sha256, v.current) for v in versions] == [
        (1, B, False), (2, A, False), (3, C, True)]


def test_versions_only_records_name_come_first_oldest_first() -> None:
    named = {D: "2024-03-01T00:00:00Z", C: "2024-01-01T00:00:00Z", A: "2024-05-01T00:00:00Z"}
    versions = ordered([A, B], named, B, everything_stored)
    assert [v.sha256 for v in versions] == [C, D, A, B]
    assert [v.current for v in versions] == [False, False, False, True]


def test_a_text_put_back_as_it_was_is_current_where_it_stands() -> None:
    versions = ordered([A, B], {}, A, everything_stored)
    assert [(v.sha256, v.current) for v in versions] == [(A, True), (B, False)]


def test_a_version_whose_text_is_not_stored_is_left_out() -> None:
    versions = ordered([A, B], {C: "2024-01-01T00:00:00Z"}, D, lambda s: s == A)
    assert [v.sha256 for v in versions] == [A, D]
    assert [v.sha256 for v in ordered([A], {}, None, everything_stored)] == [A]


# -- names -------------------------------------------------------------------------------

VERSIONS = ordered([A, B], {}, C, everything_stored)


@pytest.mark.parametrize(("name", "expected"), [
    ("1", A), ("2", B), ("3", C), ("current", C), ("CURRENT", C), ("previous", B),
    (A[:7], A), (B[:12].upper(), B), (C, C),
])
def test_names_that_pick_a_version(name: str, expected: str) -> None:
    assert resolve(name, VERSIONS, "doc.txt").sha256 == expected


def test_previous_is_the_newest_version_other_than_the_current_text() -> None:
    put_back = ordered([A, B], {}, A, everything_stored)
    assert resolve("previous", put_back, "doc.txt").sha256 == B


@pytest.mark.parametrize(("name", "message"), [
    ("4", "no version 4 of doc.txt: doc.txt has 3 versions: 1 "),
    ("0", "no version 0 of doc.txt"),
    (A[:6], "'" + A[:6] + "' is too short for a SHA-256 prefix: give at least 7 hex digits"),
    ("latest", "'latest' is not a version: give a number (1 = the oldest), 'current', "
               "'previous' or the first 7+ hex digits of its SHA-256"),
    ("f" * 9, "no version of doc.txt begins 'fffffffff': doc.txt has 3 versions: "),
])
def test_names_that_pick_nothing_say_what_there_is(name: str, message: str) -> None:
    with pytest.raises(UnknownVersionError) as raised:
        resolve(name, VERSIONS, "doc.txt")
    text = str(raised.value)
    assert message in text and "\n" not in text
    if "has 3 versions" in text:
        assert text.endswith(f"1 {A[:12]}, 2 {B[:12]}, 3 {C[:12]} (current)")


def test_an_ambiguous_prefix_lists_the_candidates() -> None:
    twins = [Version(1, "abcdef0" + "1" * 57, False), Version(2, "abcdef0" + "2" * 57, True)]
    with pytest.raises(UnknownVersionError, match=r"'abcdef0' is ambiguous: it begins "
                       r"1 abcdef011111, 2 abcdef022222 \(current\); give more hex digits"):
        resolve("abcdef0", twins, "doc.txt")
    assert resolve("abcdef01", twins, "doc.txt").number == 1


def test_a_prefix_may_name_a_stored_text_no_record_links_to_the_document() -> None:
    found = resolve(D[:10], VERSIONS, "doc.txt", stored=[A, D])
    assert found == Version(None, D, False)
    with pytest.raises(UnknownVersionError, match="is ambiguous: it begins the stored texts"):
        resolve("abcdef0", VERSIONS, "doc.txt",
                stored=["abcdef0" + "1" * 57, "abcdef0" + "2" * 57])


def test_previous_of_a_document_with_one_version() -> None:
    only = ordered([], {}, A, everything_stored)
    with pytest.raises(UnknownVersionError, match="has no version but the current text"):
        resolve("previous", only, "doc.txt")


# -- the store's list ---------------------------------------------------------------------

def document(text: str, document_id: str = SEED_ID) -> Document:
    data = text.encode("utf-8")
    return Document(document_id, text, hashlib.sha256(data).hexdigest())


def test_save_version_lists_each_version_once_in_order(workspace: Path) -> None:
    ws = load(workspace)
    first, second = document("one"), document("two")
    for version in (first, second, first, second):
        store.save_version(ws, version)
    assert store.read_version_list(ws, SEED_ID) == [first.sha256, second.sha256]
    path = store.version_list_path(ws, SEED_ID)
    assert path == workspace / "annotations" / ".versions" / ".documents" / SEED_ID / ".list"
    assert path.read_text(encoding="utf-8").startswith("# ")
    # The same text as a version of another document is listed for that one too.
    store.save_version(ws, document("one", "other/doc.txt"))
    assert store.read_version_list(ws, "other/doc.txt") == [first.sha256]
    assert store.stored_versions(ws) == sorted([first.sha256, second.sha256])


def test_a_list_with_conflict_markers_or_damage_keeps_every_version_it_names(
        workspace: Path) -> None:
    ws = load(workspace)
    store.save_version(ws, document("one"))
    path = store.version_list_path(ws, SEED_ID)
    path.write_text(f"<<<<<<< ours\n{A}\n=======\n{B}\n{A}\n>>>>>>> theirs\nnot a hash\n"
                    f"{C[:40]}\n\x00\xff", encoding="utf-8")
    assert store.read_version_list(ws, SEED_ID) == [A, B]
    store.save_version(ws, document("two"))  # rewritten clean
    assert store.read_version_list(ws, SEED_ID) == [A, B, document("two").sha256]
    assert "<<<<<<<" not in path.read_text(encoding="utf-8")


def test_a_lost_list_starts_again_with_the_versions_the_records_name(
        workspace: Path, run: Run) -> None:
    added = run("add", SEED_ID, "--label", "opinion", "--quote", "holy struggle")
    assert added.exit_code == 0, added.stderr
    ws = load(workspace)
    original = store.read_document(ws, SEED_ID)
    store.version_list_path(ws, SEED_ID).unlink()
    assert store.read_version_list(ws, SEED_ID) == []
    edited = document(original.text + "\nA correction.\n")
    store.save_version(ws, edited)
    assert store.read_version_list(ws, SEED_ID) == [original.sha256, edited.sha256]


def test_other_files_beside_the_stored_texts_are_not_versions(workspace: Path) -> None:
    ws = load(workspace)
    store.save_version(ws, document("one"))
    folder = store.versions_folder(ws)
    (folder / f"{A}.html").write_text("<p>raw page</p>", encoding="utf-8")
    (folder / f".{B}.txt.k1ll3d.tmp").write_text("half", encoding="utf-8")
    (folder / "README").write_text("hello", encoding="utf-8")
    (folder / "sub").mkdir()
    assert store.stored_versions(ws) == [document("one").sha256]
    assert not store.has_version(ws, A)
