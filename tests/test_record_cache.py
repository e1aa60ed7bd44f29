"""The record cache (annotate/store/record_cache.py): the checked records of
large reviewer files remembered by content in the user's cache folder, and
believed by ``store.read_annotation_file`` on the next read.

Real files and real reads throughout; nothing of the cache is mocked.  To
show that a read was (or was not) answered by the cache, a test *plants* an
entry with ``record_cache.remember``: records that differ from the file's
(one note changed), stored under the file's exact bytes and owner.  A read
that returns the planted records was served by the cache; a read that
returns the file's own records was not.

Sections: the file generator and helpers; warm reads equal cold reads;
changed files and other owners; damaged entries; unsafe or absent folders;
the size threshold; pruning; the model's from_fields/to_record; the
installed console script end to end; damage marshal itself would believe
(a huge length, a changed quote).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import marshal
import os
import random
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotate import store
from annotate.errors import CorruptFileError
from annotate.model import Annotation
from annotate.store import record_cache
from annotate.workspace import load as load_workspace
from tests.conftest import installed_annotate, permission_bits_prefix, run_installed

DOCUMENT = "cache-desk.txt"
OTHER_DOCUMENT = "cache-other.txt"
Owner = tuple[str, str]
Record = dict[str, Any]

# Words of the generated document: precomposed and combining accents, CJK,
# text outside the BMP (emoji, mathematical letters), a flag and a ZWJ
# sequence (several code points, one grapheme), a ligature, Cyrillic, Hebrew.
WORDS = ("Kim", "Putin", "Vostochny", "café", "cafe\u0301", "naïve", "Zürich", "東京",
         "😀", "𝔘𝔫𝔦", "🇰🇵", "👩\u200d🔬", "straße", "«quote»", "Ж", "ﬁne",
         "\u05e9\u05dc\u05d5\u05dd", "missile", "launch")
LABELS = ("sourced", "unsourced", "disputed", "speculative", "opinion")
NEEDS_SOURCE = {"sourced", "disputed"}
NOTES = ("", "line one\nline two: 😀 cafe\u0301", 'tab\there, "quoted", back\\slash',
         "", "paragraph\u2028separator and 東京", "")


# --- the generator and helpers ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Text:
    """A generated document: its text, its SHA-256 and its words' spans."""

    text: str
    sha256: str
    words: tuple[tuple[int, int], ...]


def make_text(count: int = 3000, seed: int = 7) -> Text:
    """A document of ``count`` words drawn from WORDS, a full stop every twelfth."""
    rng = random.Random(seed)
    parts: list[str] = []
    words: list[tuple[int, int]] = []
    offset = 0
    for number in range(count):
        word = rng.choice(WORDS)
        words.append((offset, offset + len(word)))
        gap = ". " if number % 12 == 11 else " "
        parts += [word, gap]
        offset += len(word) + len(gap)
    text = "".join(parts)
    return Text(text, hashlib.sha256(text.encode("utf-8")).hexdigest(), tuple(words))


TEXT = make_text()


def make_records(reviewer: str, count: int = 160, *, seed: int = 1,
                 document: str = DOCUMENT, relabel_every: int = 0, widen_every: int = 0
                 ) -> list[Record]:
    """``count`` valid records of one reviewer, sorted by id, over word-aligned
    spans of TEXT: notes with escaped line breaks, tabs, quotes and U+2028,
    sources (non-ASCII IRIs too) where the label needs them, tags, verdicts,
    and every seventeenth orphaned with a previous quote.  The same seed
    gives the same spans: ``relabel_every`` / ``widen_every`` make a second
    reviewer disagree on some labels and overlap, not match, some spans."""
    rng = random.Random(seed)
    found = []
    for serial in range(count):
        first = rng.randrange(len(TEXT.words) - 12)
        last = first + rng.randint(0, 7)
        if widen_every and serial % widen_every == 0:
            last += 1
        start, end = TEXT.words[first][0], TEXT.words[last][1]
        label = LABELS[serial % len(LABELS)]
        if relabel_every and serial % relabel_every == 0:
            label = "opinion" if label != "opinion" else "speculative"
        record: Record = {
            "id": f"{reviewer[:3]}-{serial:05d}", "document": document,
            "document_sha256": TEXT.sha256, "start": start, "end": end,
            "quote": TEXT.text[start:end], "prefix": TEXT.text[max(0, start - 32):start],
            "suffix": TEXT.text[end:end + 32], "label": label, "reviewer": reviewer,
            "note": NOTES[serial % len(NOTES)],
            "sources": ([f"https://example.org/sources/{serial}",
                         "https://de.wikipedia.org/wiki/Straße"]
                        if label in NEEDS_SOURCE else []),
            "created": "2026-11-01T10:00:00Z",
            "modified": f"2026-11-{1 + serial % 9:02d}T10:00:00.5Z",
        }
        if serial % 4 == 0:
            record["tags"] = ["desk-a", "東京 tag"]
        if serial % 5 == 1:
            record["verdict"] = "misleading"
        if serial % 17 == 0:
            record["orphaned"] = True
            record["previous_quote"] = "an older 😀 quote"
        found.append(record)
    return found


def consensus_records(count: int = 160) -> list[Record]:
    """Records of the reserved reviewer consensus: each with its provenance,
    a nested record (lists of dicts) that must come back as it was."""
    found = []
    for record in make_records("consensus", count, seed=5):
        record["provenance"] = {
            "position": f"p{record['start']}-{record['end']}", "method": "unanimous",
            "supporters": [{"reviewer": "alice", "annotation": "ali-00001"},
                           {"reviewer": "bob", "annotation": "bob-00001"}]}
        found.append(record)
    return found


def jsonl(records: list[Record]) -> str:
    """The records as a file: one key-sorted object a line, UTF-8 kept, except
    every thirteenth line, written with \\u escapes (surrogate pairs for text
    outside the BMP), and one blank line after the twentieth."""
    lines = []
    for number, record in enumerate(records):
        lines.append(json.dumps(record, sort_keys=True, ensure_ascii=number % 13 == 6))
        if number == 20:
            lines.append("")
    return "".join(line + "\n" for line in lines)


def setup_document(root: Path, document: str = DOCUMENT) -> None:
    """TEXT in the workspace's corpus as ``document``."""
    (root / "corpus" / document).write_text(TEXT.text, encoding="utf-8")


def write_file(root: Path, reviewer: str, records: list[Record] | str,
               document: str = DOCUMENT) -> Path:
    """A reviewer's file of ``records`` (or of that text) at its place."""
    path = root / "annotations" / document / f"{reviewer}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(records if isinstance(records, str) else jsonl(records),
                    encoding="utf-8", newline="")
    return path


def expected(records: list[Record]) -> list[Annotation]:
    """What reading ``records`` must give, built by the dataclass's own
    constructor (not by from_record or from_fields, which are under test)."""
    return [Annotation(**{**record, "sources": tuple(record["sources"]),
                          "tags": tuple(record.get("tags", ()))})
            for record in records]


def assert_same(got: list[Annotation], want: list[Annotation]) -> None:
    """Equal lists, in order, field by field with the same types (tuples for
    sources and tags), and equal hashes (a list would make one unhashable)."""
    assert len(got) == len(want)
    for mine, theirs in zip(got, want, strict=True):
        assert type(mine) is Annotation
        for field in dataclasses.fields(Annotation):
            value, wanted = getattr(mine, field.name), getattr(theirs, field.name)
            assert value == wanted, (theirs.id, field.name)
            assert type(value) is type(wanted), (theirs.id, field.name)
        assert mine == theirs
        assert hash(mine) == hash(theirs)


def read(root: Path, path: Path, owner: Owner | None) -> list[Annotation]:
    """``store.read_annotation_file`` as the readers call it."""
    return store.read_annotation_file(load_workspace(root), path, owner)


def run_settled(*arguments: str, **options: Any) -> subprocess.CompletedProcess[str]:
    """``run_installed``, then a wait for the copy of the process that writes
    the command's entries after it ends (annotate.background)."""
    result = run_installed(*arguments, **options)
    record_cache.wait_for_writer()
    return result


def records_folder() -> Path:
    """The default cache folder under the test's isolated HOME."""
    return Path(os.environ["HOME"]) / ".cache" / "annotate" / "records"


def entries(folder: Path | None = None) -> set[str]:
    """The names of the cache entries (temporary files start with a dot)."""
    folder = records_folder() if folder is None else folder
    if not folder.is_dir():
        return set()
    return {path.name for path in folder.iterdir() if not path.name.startswith(".")}


def planted(records: list[Record]) -> list[Annotation]:
    """The records with the first one's note changed: what a planted entry holds."""
    first, *rest = expected(records)
    return [first.replace(note="planted, not the file's"), *rest]


def plant(path: Path, records: list[Record]) -> list[Annotation]:
    """Remember ``planted(records)`` as the records of the file's current
    bytes; returns them."""
    fake = planted(records)
    record_cache.remember(record_cache.key_of(path.read_bytes()), fake)
    return fake


OWNER = (DOCUMENT, "alice")


@pytest.fixture
def alice(workspace: Path) -> tuple[Path, list[Record]]:
    """alice's large, varied file of DOCUMENT in the workspace, and its records."""
    setup_document(workspace)
    records = make_records("alice")
    path = write_file(workspace, "alice", records)
    assert path.stat().st_size > 2 * record_cache.SMALLEST
    return path, records


# --- a warm read equals a cold read ------------------------------------------------------


def test_a_warm_read_equals_the_cold_read(workspace: Path,
                                          alice: tuple[Path, list[Record]]) -> None:
    """The first read parses and checks the file and leaves one entry; the
    second gives the same annotations, in the same order, field by field
    with the same types, and adds no entry."""
    path, records = alice
    assert entries() == set()
    cold = read(workspace, path, OWNER)
    assert_same(cold, expected(records))
    made = entries()
    assert len(made) == 1
    (name,) = made
    assert len(name) == 64 and set(name) <= set("0123456789abcdef")
    warm = read(workspace, path, OWNER)
    assert_same(warm, cold)
    assert entries() == made
    assert any(a.orphaned and a.previous_quote for a in warm)
    assert any("\n" in a.note for a in warm) and any("😀" in a.quote for a in warm)


def test_a_consensus_files_provenance_survives_the_cache(workspace: Path) -> None:
    """Nested provenance (a dict holding a list of dicts) comes back from the
    cache equal to the file's, lists still lists."""
    setup_document(workspace)
    records = consensus_records()
    path = write_file(workspace, "consensus", records)
    owner = (DOCUMENT, "consensus")
    cold = read(workspace, path, owner)
    assert_same(cold, expected(records))
    assert len(entries()) == 1
    warm = read(workspace, path, owner)
    assert_same(warm, cold)
    assert warm[0].provenance is not None
    assert type(warm[0].provenance["supporters"]) is list


def test_the_warm_read_is_answered_by_the_entry(workspace: Path,
                                                alice: tuple[Path, list[Record]]) -> None:
    """What a warm read returns is the remembered records, not a new parse:
    an entry planted for the file's bytes is what the next read gives (the
    mechanism the unsafe-folder tests rely on to show a folder is ignored)."""
    path, records = alice
    read(workspace, path, OWNER)
    fake = plant(path, records)
    assert_same(read(workspace, path, OWNER), fake)


def test_one_entry_serves_reads_with_and_without_the_owner(
        workspace: Path, alice: tuple[Path, list[Record]]) -> None:
    """A file read without an owner (list, show) and with its owner (merge)
    is one entry, whichever read made it: the entry names the records'
    owners, and a read with the owner is answered only if they are its."""
    path, records = alice
    without = read(workspace, path, None)
    assert len(entries()) == 1
    fake = plant(path, records)  # the entry now answers: a read shows it
    assert_same(read(workspace, path, OWNER), fake)
    assert_same(read(workspace, path, None), fake)
    assert len(entries()) == 1
    assert_same(without, expected(records))


def test_read_all_annotations_is_the_same_warm_and_cold(workspace: Path) -> None:
    """``store.read_all_annotations`` (every file, no owner) gives the same
    list cold and warm, over two reviewers' large files."""
    setup_document(workspace)
    write_file(workspace, "alice", make_records("alice"))
    write_file(workspace, "bob", make_records("bob", seed=2))
    ws = load_workspace(workspace)
    cold = store.read_all_annotations(ws)
    assert len(entries()) == 2
    assert_same(store.read_all_annotations(ws), cold)
    assert len(cold) == 320


# --- a changed file, another owner -----------------------------------------------------


def _line_of(text: str, identifier: str) -> int:
    """The 1-based line of the record with this id."""
    return next(number for number, line in enumerate(text.split("\n"), start=1)
                if f'"id": "{identifier}"' in line)


def _edit(text: str, identifier: str, change: Callable[[str], str]) -> str:
    lines = text.split("\n")
    number = _line_of(text, identifier) - 1
    changed = change(lines[number])
    assert changed != lines[number]
    lines[number] = changed
    return "\n".join(lines)


BREAKING_EDITS: dict[str, Callable[[str], str]] = {
    # a label the schema refuses (minLength 1)
    "empty label": lambda line: line.replace('"label": "unsourced"', '"label": ""'),
    # one byte: an unknown key (and suffix missing)
    "unknown key": lambda line: line.replace('"suffix":', '"suffiz":'),
    # one byte: a timestamp not in UTC (the schema's pattern wants Z)
    "lowercase z": lambda line: line.replace('.5Z"', '.5z"'),
    # one byte: created after modified (same day, 10:00:01 > 10:00:00.5)
    "out of order": lambda line: line.replace('"created": "2026-11-01T10:00:00Z"',
                                              '"created": "2026-11-01T10:00:01Z"'),
    # a duplicate key in one line
    "duplicate key": lambda line: line.replace("{", '{"note": "again", ', 1),
    # a byte that is not UTF-8 (0xff for the two bytes of ü)
    "not utf-8": lambda line: line.replace("Zürich", "Z\udcffrich"),
}


def _target(text: str, edit: str) -> str:
    """The id of the record an edit breaks: ali-00001 (unsourced, modified
    on 11-02) but for the timestamps' order, ali-00009 (modified on 11-01),
    and for the UTF-8 edit, the first record with Zürich unescaped."""
    if edit == "out of order":
        return "ali-00009"
    if edit == "not utf-8":
        line = next(line for line in text.split("\n") if "Zürich" in line)
        return str(json.loads(line)["id"])
    return "ali-00001"


@pytest.mark.parametrize("edit", sorted(BREAKING_EDITS))
def test_a_changed_byte_is_checked_not_recalled(workspace: Path,
                                                alice: tuple[Path, list[Record]],
                                                edit: str) -> None:
    """A file that was remembered, then broken by a small edit to one line,
    is refused at that line with CorruptFileError: the old entry does not
    answer for the new bytes, and no entry is made for a refused file."""
    path, records = alice
    read(workspace, path, OWNER)
    before = entries()
    original = path.read_bytes()
    text = original.decode("utf-8")
    target = _target(text, edit)
    broken = _edit(text, target, BREAKING_EDITS[edit])
    path.write_bytes(broken.encode("utf-8", "surrogateescape"))
    assert len(path.read_bytes()) >= record_cache.SMALLEST
    with pytest.raises(CorruptFileError) as refused:
        read(workspace, path, OWNER)
    assert refused.value.line == _line_of(text, target)
    assert entries() == before
    # the remembered bytes again: served as before
    path.write_bytes(original)
    assert_same(read(workspace, path, OWNER), expected(records))


def test_an_edited_valid_file_gives_its_new_records(workspace: Path,
                                                    alice: tuple[Path, list[Record]]) -> None:
    """A valid edit (one note) is read as the new text says, never as the
    remembered old records; it is remembered as a second entry."""
    path, records = alice
    read(workspace, path, OWNER)
    records[3]["note"] = "rewritten after review"
    write_file(workspace, "alice", records)
    got = read(workspace, path, OWNER)
    assert got[3].note == "rewritten after review"
    assert_same(got, expected(records))
    assert len(entries()) == 2


@pytest.mark.parametrize("owner", [(DOCUMENT, "bob"), (OTHER_DOCUMENT, "alice")],
                         ids=["other reviewer", "other document"])
def test_the_same_bytes_under_another_owner_are_refused(workspace: Path,
                                                        alice: tuple[Path, list[Record]],
                                                        owner: Owner) -> None:
    """alice's remembered bytes copied to another reviewer's (or document's)
    file are refused there as misplaced records, not served from alice's
    entry; no entry is made for them."""
    path, _ = alice
    setup_document(workspace, OTHER_DOCUMENT)
    read(workspace, path, OWNER)
    before = entries()
    copy = workspace / "annotations" / owner[0] / f"{owner[1]}.jsonl"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, copy)
    with pytest.raises(CorruptFileError) as refused:
        read(workspace, copy, owner)
    assert refused.value.line == 1
    assert "AN308" in str(refused.value)
    assert entries() == before


# --- damaged entries -------------------------------------------------------------------


def _payload(entry: bytes) -> bytes:
    """An entry's marshalled payload (after its checksum)."""
    return entry[record_cache._DIGEST_SIZE:]


def _sealed(payload: bytes) -> bytes:
    """An entry of this payload whose checksum holds: only what it holds can be wrong."""
    return record_cache._seal(payload)


def _loaded(entry: bytes) -> tuple[Any, ...]:
    stored = marshal.loads(_payload(entry))
    assert isinstance(stored, tuple) and len(stored) == 4
    return stored


def _random_bytes(entry: bytes) -> bytes:
    """Random bytes, as many as the entry's."""
    return random.Random(20261130).randbytes(len(entry))


def _without_a_field(entry: bytes) -> bytes:
    version, name, owners, rows = _loaded(entry)
    first = dict(rows[0])
    del first["note"]
    return _sealed(marshal.dumps((version, name, owners, (first, *rows[1:]))))


def _with_an_extra_field(entry: bytes) -> bytes:
    version, name, owners, rows = _loaded(entry)
    return _sealed(marshal.dumps(
        (version, name, owners, ({**rows[0], "colour": "red"}, *rows[1:]))))


def _other_rows(rows: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    """The rows with the first note changed: were such an entry believed,
    the read would show it."""
    return ({**rows[0], "note": "not the file's"}, *rows[1:])


def _other_version(entry: bytes) -> bytes:
    version, name, owners, rows = _loaded(entry)
    return _sealed(marshal.dumps((version + 1, name, owners, _other_rows(rows))))


def _other_name(entry: bytes) -> bytes:
    version, _, owners, rows = _loaded(entry)
    return _sealed(marshal.dumps((version, "0" * 64, owners, _other_rows(rows))))


def _other_owners(entry: bytes) -> bytes:
    """Believable rows under owners that are not the reader's: a read with
    the owner is not answered (the rows are alice's; the entry says bob's)."""
    version, name, _, rows = _loaded(entry)
    return _sealed(marshal.dumps((version, name, ((DOCUMENT, "bob"),), _other_rows(rows))))


def _owners_as_list(entry: bytes) -> bytes:
    version, name, owners, rows = _loaded(entry)
    return _sealed(marshal.dumps((version, name, list(owners), _other_rows(rows))))


def _rows_as_list(entry: bytes) -> bytes:
    version, name, owners, rows = _loaded(entry)
    return _sealed(marshal.dumps((version, name, owners, list(_other_rows(rows)))))


def _rows_as_strings(entry: bytes) -> bytes:
    version, name, owners, rows = _loaded(entry)
    return _sealed(marshal.dumps((version, name, owners, tuple(str(row) for row in rows))))


def _five_items(entry: bytes) -> bytes:
    version, name, owners, rows = _loaded(entry)
    return _sealed(marshal.dumps((version, name, owners, _other_rows(rows), "more")))


def _unhashed(entry: bytes) -> bytes:
    """Believable rows (one note changed) under the checksum of the real ones."""
    version, name, owners, rows = _loaded(entry)
    return entry[:record_cache._DIGEST_SIZE] + marshal.dumps(
        (version, name, owners, _other_rows(rows)))


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda entry: entry[: len(entry) // 2],
    "cut by one byte": lambda entry: entry[:-1],
    "empty": lambda entry: b"",
    "random bytes": _random_bytes,
    "a marshalled dict": lambda entry: _sealed(marshal.dumps({"format": 2, "records": []})),
    "a marshalled list": lambda entry: _sealed(marshal.dumps([1, 2, 3])),
    "a marshalled code object": lambda entry: _sealed(
        marshal.dumps(compile("1", "x", "eval"))),
    "a payload that is not marshal": lambda entry: _sealed(b"\xff" * 64),
    "a record missing a field": _without_a_field,
    "a record with an unknown field": _with_an_extra_field,
    "another format": _other_version,
    "another entry's name": _other_name,
    "records in a list": _rows_as_list,
    "records as strings": _rows_as_strings,
    "a fifth item": _five_items,
    "owners that are not the reader's": _other_owners,
    "owners in a list": _owners_as_list,
    "a payload its checksum does not match": _unhashed,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_is_ignored_and_replaced(workspace: Path,
                                                 alice: tuple[Path, list[Record]],
                                                 damage: str) -> None:
    """An entry that is cut short, random, whose payload its checksum does not
    match, the marshal of something else, or whose records are not dicts of
    exactly the fields is ignored: the read returns the file's records
    without an error, and a good entry replaces the damaged one."""
    path, records = alice
    read(workspace, path, OWNER)
    (name,) = entries()
    entry = records_folder() / name
    good = entry.read_bytes()
    entry.write_bytes(DAMAGE[damage](good))
    assert_same(read(workspace, path, OWNER), expected(records))
    assert entries() == {name}
    replaced = entry.read_bytes()
    assert _sealed(_payload(replaced)) == replaced and _loaded(replaced) == _loaded(good)


def test_an_entry_that_is_a_folder_is_ignored(workspace: Path,
                                              alice: tuple[Path, list[Record]]) -> None:
    """An entry's name taken by a folder: reads still work (nothing can be
    remembered there) and no temporary file is left behind."""
    path, records = alice
    read(workspace, path, OWNER)
    (name,) = entries()
    entry = records_folder() / name
    entry.unlink()
    entry.mkdir()
    for _ in range(2):
        assert_same(read(workspace, path, OWNER), expected(records))
    assert entry.is_dir()
    assert sorted(p.name for p in records_folder().iterdir()) == [name]


# --- where the cache lives, and when it is not used -------------------------------------


def test_a_new_cache_folder_is_private(workspace: Path,
                                       alice: tuple[Path, list[Record]]) -> None:
    """The records folder the cache makes is readable by its owner only."""
    path, _ = alice
    read(workspace, path, OWNER)
    mode = records_folder().stat().st_mode
    assert stat.S_ISDIR(mode) and mode & 0o077 == 0


def test_annotate_cache_dir_then_xdg_cache_home_then_home(
        workspace: Path, alice: tuple[Path, list[Record]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """$XDG_CACHE_HOME/annotate when it is absolute, $ANNOTATE_CACHE_DIR
    (absolute) before it, ~/.cache/annotate when either is relative."""
    path, _ = alice
    xdg, own = tmp_path / "xdg", tmp_path / "own"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    read(workspace, path, OWNER)
    assert len(entries(xdg / "annotate" / "records")) == 1
    assert entries() == set()
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(own))
    read(workspace, path, None)
    assert len(entries(own / "records")) == 1
    assert len(entries(xdg / "annotate" / "records")) == 1
    monkeypatch.delenv("ANNOTATE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    read(workspace, path, OWNER)
    assert len(entries()) == 1
    assert not (workspace / "relative").exists()
    # A relative ANNOTATE_CACHE_DIR is ignored as well: taken from where the
    # command runs (a checkout), it could hold a committed secret.
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", "relative/own")
    read(workspace, path, OWNER)
    assert not (workspace / "relative").exists()


def _ignored(workspace: Path, alice: tuple[Path, list[Record]], folder: Path) -> None:
    """The folder is not used: the entry planted there for alice's file is
    not believed, and reading bob's large file writes nothing into it."""
    path, records = alice
    assert_same(read(workspace, path, OWNER), expected(records))
    before = entries(folder)
    bob = write_file(workspace, "bob", make_records("bob", seed=2))
    read(workspace, bob, (DOCUMENT, "bob"))
    read(workspace, bob, (DOCUMENT, "bob"))
    assert entries(folder) == before


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o720, 0o702, 0o2777])
def test_a_folder_others_can_write_is_not_used(workspace: Path,
                                               alice: tuple[Path, list[Record]],
                                               mode: int) -> None:
    """A records folder that the group or anyone may write is neither read
    (a planted entry is not believed) nor written."""
    path, records = alice
    fake = plant(path, records)
    assert_same(read(workspace, path, OWNER), fake)  # believed while private
    folder = records_folder()
    folder.chmod(mode)
    try:
        _ignored(workspace, alice, folder)
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("mode", [0o755, 0o700, 0o500])
def test_a_folder_only_its_owner_can_write_is_used(workspace: Path,
                                                   alice: tuple[Path, list[Record]],
                                                   mode: int) -> None:
    """The counterpart: without group or other write bits, the planted entry
    is believed (read-only to its owner too)."""
    path, records = alice
    fake = plant(path, records)
    folder = records_folder()
    folder.chmod(mode)
    try:
        assert_same(read(workspace, path, OWNER), fake)
    finally:
        folder.chmod(0o700)


def test_a_records_folder_that_is_a_symlink_is_not_used(workspace: Path,
                                                        alice: tuple[Path, list[Record]],
                                                        tmp_path: Path) -> None:
    """records/ a symlink to a private folder of the user's (holding a
    planted entry) is not followed: neither read nor written."""
    path, records = alice
    plant(path, records)
    elsewhere = tmp_path / "elsewhere"
    records_folder().rename(elsewhere)
    records_folder().symlink_to(elsewhere, target_is_directory=True)
    _ignored(workspace, alice, elsewhere)
    assert records_folder().is_symlink()


def test_a_folder_of_another_user_is_not_used(workspace: Path,
                                              alice: tuple[Path, list[Record]]) -> None:
    """A records folder owned by someone else (planted entry inside) is not believed."""
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root (chown)")
    path, records = alice
    plant(path, records)
    folder = records_folder()
    os.chown(folder, 65534, 65534)
    try:
        _ignored(workspace, alice, folder)
    finally:
        os.chown(folder, 0, 0)


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_annotate_no_cache_turns_it_off(workspace: Path, alice: tuple[Path, list[Record]],
                                        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """ANNOTATE_NO_CACHE set (to anything but 0 or nothing): no entry is read
    or written."""
    path, records = alice
    plant(path, records)
    monkeypatch.setenv("ANNOTATE_NO_CACHE", value)
    _ignored(workspace, alice, records_folder())


@pytest.mark.parametrize("value", ["0", ""])
def test_annotate_no_cache_0_or_empty_leaves_it_on(workspace: Path,
                                                   alice: tuple[Path, list[Record]],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   value: str) -> None:
    """ANNOTATE_NO_CACHE=0 or empty: the cache answers as usual."""
    path, records = alice
    fake = plant(path, records)
    monkeypatch.setenv("ANNOTATE_NO_CACHE", value)
    assert_same(read(workspace, path, OWNER), fake)


@pytest.mark.parametrize("under", ["a file", "records a file"])
def test_a_cache_folder_that_cannot_be_made_is_no_error(
        workspace: Path, alice: tuple[Path, list[Record]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, under: str) -> None:
    """ANNOTATE_CACHE_DIR under a regular file (or its records/ a regular
    file): nothing can be cached, every read still works."""
    path, records = alice
    plain = tmp_path / "plain"
    if under == "a file":
        plain.write_text("not a folder\n", encoding="utf-8")
        monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(plain / "cache"))
    else:
        plain.mkdir()
        (plain / "records").write_text("not a folder\n", encoding="utf-8")
        monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(plain))
    for _ in range(2):
        assert_same(read(workspace, path, OWNER), expected(records))
        assert_same(read(workspace, path, None), expected(records))
    assert plain.is_dir() == (under != "a file")
    assert entries() == set()


def test_a_read_only_cache_folder_is_no_error(desk: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed script with a records folder it may not write (0o500):
    exit 0, nothing on stderr, the same output as with the cache off, and
    no entry made (while the same command does make one in a writable
    folder).  Permission bits are made to apply to root (setpriv)."""
    prefix = permission_bits_prefix()
    if prefix is None:
        pytest.skip("running as root, and setpriv cannot drop the capabilities that "
                    "let root ignore permission bits on this machine")
    setup_document(desk)
    write_file(desk, "alice", make_records("alice"))
    command = ("list", DOCUMENT, "--format", "json")
    monkeypatch.setenv("ANNOTATE_NO_CACHE", "1")
    off = run_settled(*command, cwd=desk)
    monkeypatch.delenv("ANNOTATE_NO_CACHE")
    assert off.returncode == 0 and len(json.loads(off.stdout)) == 160
    folder = records_folder()
    folder.mkdir(parents=True)
    folder.chmod(0o500)
    try:
        results = [run_settled(*command, cwd=desk, prefix=prefix) for _ in range(2)]
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o700)
    for result in results:
        assert (result.returncode, result.stderr, result.stdout) == (0, "", off.stdout)
    writable = run_settled(*command, cwd=desk, prefix=prefix)
    assert (writable.returncode, writable.stdout) == (0, off.stdout)
    assert len(entries()) == 1


# --- the size threshold ----------------------------------------------------------------


def _file_of_size(size: int) -> tuple[str, list[Record]]:
    """A valid file of exactly ``size`` bytes (the last note padded), and its records."""
    records = make_records("alice", 200)
    while len(jsonl(records).encode("utf-8")) > size - 16:
        records.pop()
    records[-1]["note"] += "x" * (size - len(jsonl(records).encode("utf-8")))
    text = jsonl(records)
    assert len(text.encode("utf-8")) == size
    return text, records


@pytest.mark.parametrize(("size", "remembered"), [
    (2_000, False), (record_cache.SMALLEST - 1, False), (record_cache.SMALLEST, True)])
def test_files_under_smallest_are_not_remembered(workspace: Path, size: int,
                                                 remembered: bool) -> None:
    """A file under SMALLEST bytes is read as ever and leaves no entry; one of
    exactly SMALLEST bytes is remembered."""
    setup_document(workspace)
    text, records = _file_of_size(size)
    path = write_file(workspace, "alice", text)
    assert path.stat().st_size == size
    for _ in range(2):
        assert_same(read(workspace, path, OWNER), expected(records))
    assert len(entries()) == (1 if remembered else 0)


# --- pruning ---------------------------------------------------------------------------


def records_path(root: Path, reviewer: str) -> Path:
    """A reviewer's file of DOCUMENT."""
    return root / "annotations" / DOCUMENT / f"{reviewer}.jsonl"


def _sizes(folder: Path) -> dict[str, int]:
    return {name: (folder / name).stat().st_size for name in entries(folder)}


def _read_new(workspace: Path, reviewer: str) -> str:
    """Read a reviewer's file; the name of the one entry the read made."""
    before = entries()
    read(workspace, records_path(workspace, reviewer), (DOCUMENT, reviewer))
    (made,) = entries() - before
    return made


def _age(folder: Path, name: str, seconds: float) -> None:
    """Set an entry's mtime that many seconds into the past."""
    then = time.time() - seconds
    os.utime(folder / name, (then, then))


def test_a_warm_read_marks_the_entry_recently_used(workspace: Path,
                                                   alice: tuple[Path, list[Record]]) -> None:
    """Recalling an entry brings its mtime forward (the LRU order of pruning)."""
    path, _ = alice
    read(workspace, path, OWNER)
    (name,) = entries()
    _age(records_folder(), name, 3600)
    old = (records_folder() / name).stat().st_mtime
    read(workspace, path, OWNER)
    assert (records_folder() / name).stat().st_mtime > old + 1800


def test_pruning_drops_the_least_recently_used_first(
        workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over BUDGET, the least recently used entries go until the folder is
    within _KEEP_AFTER_PRUNING: of three old entries, the one read again
    survives, the two left unused go, and the new one stays."""
    setup_document(workspace)
    folder = records_folder()
    for number, reviewer in enumerate(("ann", "ben", "cat", "dan")):
        write_file(workspace, reviewer, make_records(reviewer, seed=11 + number))
    ann, ben, cat = (_read_new(workspace, reviewer) for reviewer in ("ann", "ben", "cat"))
    for name, age in ((ann, 300), (ben, 200), (cat, 100)):
        _age(folder, name, age)
    # The size of dan's entry, learnt in a folder of its own.
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(tmp_path / "measure"))
    read(workspace, records_path(workspace, "dan"), (DOCUMENT, "dan"))
    (dan_size,) = _sizes(tmp_path / "measure" / "records").values()
    monkeypatch.delenv("ANNOTATE_CACHE_DIR")
    # ann, the oldest, is used again: now the most recently used of the three.
    read(workspace, records_path(workspace, "ann"), (DOCUMENT, "ann"))
    sizes = _sizes(folder)
    assert set(sizes) == {ann, ben, cat}
    monkeypatch.setattr(record_cache, "BUDGET", sum(sizes.values()) + dan_size - 1)
    monkeypatch.setattr(record_cache, "_KEEP_AFTER_PRUNING", sizes[ann] + dan_size)
    dan = _read_new(workspace, "dan")
    assert entries() == {ann, dan}
    assert sum(_sizes(folder).values()) <= sizes[ann] + dan_size


def test_the_folder_stays_under_budget(workspace: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With a budget of under three entries, six large files read one after
    another (the earlier entries aged in their order before each read):
    after every read the folder is within the budget and the newest entry
    is kept; the reads return the files' records."""
    setup_document(workspace)
    budget = 150_000
    monkeypatch.setattr(record_cache, "BUDGET", budget)
    monkeypatch.setattr(record_cache, "_KEEP_AFTER_PRUNING", budget * 3 // 4)
    folder = records_folder()
    for number in range(6):
        by_age = sorted(entries(), key=lambda name: (folder / name).stat().st_mtime)
        for rank, name in enumerate(by_age):
            _age(folder, name, 1000 - rank)
        reviewer = f"rev{number}"
        records = make_records(reviewer, seed=20 + number)
        write_file(workspace, reviewer, records)
        newest = _read_new(workspace, reviewer)
        sizes = _sizes(folder)
        assert newest in sizes
        assert budget // 3 < sizes[newest] < budget * 3 // 4  # so three are over budget
        assert sum(sizes.values()) <= budget
        assert_same(read(workspace, records_path(workspace, reviewer), (DOCUMENT, reviewer)),
                    expected(records))
    assert 1 < len(entries()) < 6


# --- the model: from_fields, fields_of, from_record, to_record ---------------------------


STAMP = "2026-11-01T10:00:00Z"
MINIMAL = Annotation(
    id="abcd-0001", document=DOCUMENT, document_sha256="0" * 64, start=0, end=3,
    quote="Kim", prefix="", suffix=" Putin", label="opinion", reviewer="alice", note="",
    sources=(), created=STAMP, modified=STAMP)
FULL = MINIMAL.replace(
    label="sourced", reviewer="consensus", note="two\nlines 😀",
    sources=("https://example.org/a", "https://bücher.example/"), verdict="false",
    tags=("desk-a", "東京"), orphaned=True, previous_quote="Kim Jong",
    provenance={"position": "p0-3", "method": "unanimous",
                "supporters": [{"reviewer": "alice", "annotation": "abcd-0001"}]})
SOME = [MINIMAL, FULL, MINIMAL.replace(verdict="accurate"), MINIMAL.replace(tags=("x",)),
        MINIMAL.replace(orphaned=True), MINIMAL.replace(previous_quote="")]
FIELD_NAMES = [field.name for field in dataclasses.fields(Annotation)]


def test_from_fields_refuses_an_unknown_or_a_missing_field() -> None:
    """from_fields takes exactly the dataclass's fields: one more, one fewer,
    both, or none is a TypeError naming them."""
    fields = MINIMAL.fields_of()
    missing = {name: value for name, value in fields.items() if name != "note"}
    with pytest.raises(TypeError, match=r"unknown \['colour'\], missing \[\]"):
        Annotation.from_fields({**fields, "colour": "red"})
    with pytest.raises(TypeError, match=r"unknown \[\], missing \['note'\]"):
        Annotation.from_fields(missing)
    with pytest.raises(TypeError, match=r"unknown \['colour'\], missing \['note'\]"):
        Annotation.from_fields({**missing, "colour": "red"})
    with pytest.raises(TypeError):
        Annotation.from_fields({})


@pytest.mark.parametrize("annotation", SOME, ids=range(len(SOME)))
def test_from_fields_builds_what_the_constructor_builds(annotation: Annotation) -> None:
    """from_fields(fields_of(a)) is a new object equal to a (same hash, same
    repr); fields_of is a copy of every field, in any order from_fields
    accepts; the result is frozen and ``replace`` works on it."""
    fields = annotation.fields_of()
    assert sorted(fields) == sorted(FIELD_NAMES)
    built = Annotation.from_fields(dict(reversed(list(fields.items()))))
    assert_same([built], [annotation])
    assert built is not annotation and repr(built) == repr(annotation)
    fields["note"] = "changed in the copy"
    assert annotation.note != "changed in the copy"
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.note = "x"  # type: ignore[misc]
    assert built.replace(note="edited").note == "edited" and built == annotation


@pytest.mark.parametrize("annotation", SOME, ids=range(len(SOME)))
def test_from_record_of_to_record_is_the_annotation(annotation: Annotation) -> None:
    """The record round trip gives the annotation back, with and without
    optional fields, directly and through JSON."""
    record = annotation.to_record()
    assert_same([Annotation.from_record(record)], [annotation])
    through_json = json.loads(json.dumps(record, sort_keys=True))
    assert_same([Annotation.from_record(through_json)], [annotation])


def test_to_record_keys_follow_the_field_order() -> None:
    """to_record's keys are the dataclass's fields in their order, the empty
    optional ones left out, however the object was built (constructor,
    from_fields with shuffled fields, from_record of a key-sorted record)."""
    shuffled = dict(sorted(FULL.fields_of().items()))
    built = [FULL, Annotation.from_fields(shuffled),
             Annotation.from_record(json.loads(json.dumps(FULL.to_record(), sort_keys=True)))]
    for annotation in built:
        assert list(annotation.to_record()) == FIELD_NAMES
    assert list(MINIMAL.to_record()) == [name for name in FIELD_NAMES if name not in {
        "verdict", "tags", "orphaned", "previous_quote", "provenance"}]
    record = FULL.to_record()
    assert record["sources"] == list(FULL.sources) and record.get("tags") == list(FULL.tags)
    record["sources"].append("https://example.org/more")
    assert len(FULL.sources) == 2


def test_from_record_fills_the_defaults_and_refuses_unknown_keys() -> None:
    """A record without sources or optional fields gets the dataclass's
    defaults (tuples); a key that is not a field is a TypeError."""
    record = dict(MINIMAL.to_record())
    del record["sources"]
    built = Annotation.from_record(record)
    assert built.sources == () and built.tags == () and built.verdict is None
    assert built.orphaned is False and built.provenance is None
    assert_same([built], [MINIMAL])
    with pytest.raises(TypeError):
        Annotation.from_record({**MINIMAL.to_record(), "colour": "red"})


# --- end to end: the installed console script -------------------------------------------


def test_agreement_and_merge_print_the_same_cold_and_warm(
        desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reviewers' large files of one document, spans overlapping (some
    widened, some labels changed): `annotate agreement --format json` and
    `annotate merge --dry-run --format json` print the same with the cache
    off, on its first run (which leaves entries under
    HOME/.cache/annotate/records) and on its second (which uses them: their
    mtimes move forward and no entry is added); the dry run writes nothing."""
    setup_document(desk)
    for reviewer, records in (
            ("alice", make_records("alice", seed=3)),
            ("bob", make_records("bob", seed=3, relabel_every=4, widen_every=5))):
        assert write_file(desk, reviewer, records).stat().st_size > record_cache.SMALLEST
    commands = [("agreement", DOCUMENT, "--format", "json"),
                ("merge", DOCUMENT, "--dry-run", "--format", "json")]
    monkeypatch.setenv("ANNOTATE_NO_CACHE", "1")
    off = [run_settled(*command, cwd=desk) for command in commands]
    monkeypatch.delenv("ANNOTATE_NO_CACHE")
    assert entries() == set()
    first = [run_settled(*command, cwd=desk) for command in commands]
    made = entries()
    assert len(made) >= 2
    for name in made:
        _age(records_folder(), name, 3600)
    aged = {name: (records_folder() / name).stat().st_mtime for name in made}
    second = [run_settled(*command, cwd=desk) for command in commands]
    assert entries() == made
    assert all((records_folder() / name).stat().st_mtime > aged[name] + 1800
               for name in made)
    for cold, warm, again in zip(off, first, second, strict=True):
        assert cold.returncode in (0, 1), cold.stderr
        assert (warm.returncode, warm.stdout, warm.stderr) == (
            cold.returncode, cold.stdout, cold.stderr)
        assert (again.returncode, again.stdout, again.stderr) == (
            cold.returncode, cold.stdout, cold.stderr)
    agreement, merge = (json.loads(result.stdout) for result in off)
    assert agreement["documents"][0]["all_labels"]["fleiss_kappa"]["reviewers"] == 2
    assert len(merge["positions"]) > 100
    assert not (desk / "annotations" / DOCUMENT / "consensus.jsonl").exists()


# --- damage marshal would believe: a length that allocates gigabytes, a changed quote ------


# Runs a command with its address space limited (2 GiB), after checking
# that the limit holds (exit 99 where it does not).
LIMIT = 2 << 30
LIMITED = (sys.executable, "-c",
           "import os, resource, sys\n"
           f"resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))\n"
           "try:\n"
           f"    bytearray({LIMIT})\n"
           "except MemoryError:\n"
           "    os.execv(sys.argv[1], sys.argv[1:])\n"
           "sys.exit(99)\n")


def _damage_length(blob: bytes, count: int) -> bytes:
    """The entry with the top byte of its records tuple's length set to 0x7f:
    a tuple of count + 0x7f000000 items (marshal's TYPE_TUPLE, '(' or with
    FLAG_REF 0xa8, then the length as four little-endian bytes)."""
    length = count.to_bytes(4, "little")
    places = [at for code in (b"(", b"\xa8") for at in range(len(blob))
              if blob.startswith(code + length, at)]
    assert len(places) == 1
    damaged = bytearray(blob)
    damaged[places[0] + 4] = 0x7F
    # Sealed again, so that the checksum holds and marshal meets the length.
    return _sealed(_payload(bytes(damaged)))


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="needs RLIMIT_AS, which Linux enforces")
def test_an_entry_with_a_damaged_length_is_ignored(desk: Path) -> None:
    """One byte of an entry damaged (the high byte of the records count of a
    300-record file) must be ignored like any damaged entry: the command
    prints what it printed before."""
    setup_document(desk)
    write_file(desk, "alice", make_records("alice", 300))
    before = run_settled("list", DOCUMENT, "--format", "json", cwd=desk, prefix=LIMITED)
    if before.returncode == 99:
        pytest.skip("the address-space limit is not enforced here")
    if before.returncode != 0:
        pytest.skip(f"annotate does not run within {LIMIT} bytes here: {before.stderr}")
    (name,) = entries()
    entry = records_folder() / name
    entry.write_bytes(_damage_length(entry.read_bytes(), 300))
    after = run_settled("list", DOCUMENT, "--format", "json", cwd=desk, prefix=LIMITED)
    assert (after.returncode, after.stderr, after.stdout) == (0, "", before.stdout)


def test_an_entry_damaged_inside_a_string_is_ignored(workspace: Path,
                                                     alice: tuple[Path, list[Record]]) -> None:
    """One byte of an entry changed inside a record's text must not reach
    the reader: the read gives the file's records."""
    path, records = alice
    read(workspace, path, OWNER)
    (name,) = entries()
    entry = records_folder() / name
    blob = entry.read_bytes()
    at = blob.index(b"Vostochny")
    damaged = blob[:at] + b"Vostochnx" + blob[at + len(b"Vostochny"):]
    # Still well-formed after the checksum: only the checksum tells.
    assert isinstance(marshal.loads(damaged[record_cache._DIGEST_SIZE:]), tuple)
    entry.write_bytes(damaged)
    assert_same(read(workspace, path, OWNER), expected(records))


# --- the user's secret, which salts the caches a workspace holds (validate's) ---------------


def test_the_users_secret_is_made_once_kept_private_and_read_back() -> None:
    record_cache._kept_secret.cache_clear()
    secret = record_cache.user_secret()
    kept = Path(os.environ["HOME"]) / ".cache" / "annotate" / "secret" / "key"
    assert kept.read_bytes() == secret and len(secret) == 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    record_cache._kept_secret.cache_clear()
    assert record_cache.user_secret() == secret  # read back, not made again


def test_a_secret_in_a_folder_others_can_write_is_not_used(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # Anyone who could write the folder could have chosen the secret.
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "secret"
    folder.mkdir(parents=True)
    (folder / "key").write_bytes(b"k" * 32)
    folder.chmod(0o777)
    record_cache._kept_secret.cache_clear()
    try:
        assert record_cache.user_secret() == record_cache._PROCESS_SECRET
        folder.chmod(0o700)
        record_cache._kept_secret.cache_clear()
        assert record_cache.user_secret() == b"k" * 32
    finally:
        folder.chmod(0o700)
        record_cache._kept_secret.cache_clear()


# --- a command started while the last one's writer is at work -------------------------------


def _holds_open(pid: int, path: Path) -> bool:
    folder = Path(f"/proc/{pid}/fd")
    with contextlib.suppress(OSError):
        for descriptor in folder.iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(descriptor) == str(path):
                    return True
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(),
                    reason="watches the command's open files in /proc")
def test_a_command_started_while_a_writer_is_at_work_waits_and_reads_its_entry(
        desk: Path) -> None:
    """As in `annotate merge && annotate agreement`: the entries the first
    command remembers are written after it ends; the second, missing one,
    waits for the writer (here: this test, holding its lock) and reads the
    entry, instead of parsing the file and writing the entry again."""
    setup_document(desk)
    write_file(desk, "alice", make_records("alice"))
    command = ("list", DOCUMENT, "--format", "json")
    cold = run_settled(*command, cwd=desk)
    (name,) = entries()
    entry = records_folder() / name
    written = entry.read_bytes()
    entry.unlink()  # not written yet
    lock = records_folder() / ".writing"
    handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        process = subprocess.Popen(
            [installed_annotate(), *command], cwd=desk, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
            env={**os.environ, "ANNOTATE_REVIEWER": "alice", "LC_ALL": "C.UTF-8"})
        for _ in range(3000):  # until it waits: it holds the lock file open
            if _holds_open(process.pid, lock) or process.poll() is not None:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the command did not wait for the writer"
        entry.write_bytes(written)  # the writer's entry arrives
        arrived = entry.stat().st_ino
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)
    out, err = process.communicate(timeout=60)
    record_cache.wait_for_writer()
    assert (process.returncode, out, err) == (0, cold.stdout, "")
    assert entries() == {name} and entry.stat().st_ino == arrived  # read, not written again


def test_a_fifo_where_the_writers_lock_goes_hangs_nothing(desk: Path) -> None:
    """A FIFO in the lock's place (put there by mistake): commands neither
    hang on it nor fail; they read and write as without a lock."""
    setup_document(desk)
    write_file(desk, "alice", make_records("alice"))
    records_folder().mkdir(parents=True)
    os.mkfifo(records_folder() / ".writing")
    command = ("list", DOCUMENT, "--format", "json")
    first = run_settled(*command, cwd=desk, timeout=60)
    second = run_settled(*command, cwd=desk, timeout=60)
    assert first.returncode == 0 and (second.returncode, second.stdout) == (0, first.stdout)
    for _ in range(3000):  # the entry, written without a lock to tell when
        if entries():
            break
        time.sleep(0.01)
    assert len(entries()) == 1


def test_a_broken_secret_is_replaced_and_a_fifo_in_its_place_hangs_nothing() -> None:
    """A key cut short (a full disk) is made anew, whole; a FIFO in its place
    gives the process a secret of its own instead of blocking on it."""
    folder = Path(os.environ["HOME"]) / ".cache" / "annotate" / "secret"
    folder.mkdir(parents=True, mode=0o700)
    (folder / "key").write_bytes(b"")
    record_cache._kept_secret.cache_clear()
    made = record_cache.user_secret()
    assert len(made) == 32 and (folder / "key").read_bytes() == made
    (folder / "key").unlink()
    os.mkfifo(folder / "key")
    record_cache._kept_secret.cache_clear()
    try:
        assert len(record_cache.user_secret()) == 32  # returned, not hung
    finally:
        record_cache._kept_secret.cache_clear()


def test_an_entry_that_is_a_fifo_is_no_entry(desk: Path) -> None:
    setup_document(desk)
    write_file(desk, "alice", make_records("alice"))
    command = ("list", DOCUMENT, "--format", "json")
    cold = run_settled(*command, cwd=desk)
    (name,) = entries()
    (records_folder() / name).unlink()
    os.mkfifo(records_folder() / name)
    again = run_settled(*command, cwd=desk, timeout=60)
    assert (again.returncode, again.stdout, again.stderr) == (0, cold.stdout, "")


def test_a_command_still_running_keeps_no_one_waiting(tmp_path: Path) -> None:
    """The writer's lock is taken as the command ends, not at its first read:
    a long command (`annotate review`) that has entries to write later must
    not make every other command wait for it meanwhile."""
    go = tmp_path / "go"
    script = textwrap.dedent(f"""
        import pathlib, sys, time
        from annotate import background
        from annotate.store import record_cache
        from tests.test_record_cache import make_records
        from annotate.model import Annotation
        background.enable()
        annotations = [Annotation.from_record(r) for r in make_records("alice")]
        record_cache.remember("0" * 64, annotations)
        print("remembered", flush=True)
        while not pathlib.Path({str(go)!r}).exists():
            time.sleep(0.01)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parent.parent,
                               stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert process.stdout is not None and process.stdout.readline() == "remembered\n"
        lock = records_folder() / ".writing"
        if lock.exists():  # (made by an earlier writer): free, no one holds it
            handle = os.open(lock, os.O_RDONLY)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(handle)
        assert entries() == set()
    finally:
        go.write_text("go")
        process.communicate(timeout=60)
    record_cache.wait_for_writer()
    assert entries() == {"0" * 64}


def test_a_file_read_twice_in_one_command_is_parsed_once(desk: Path) -> None:
    """Under the console script an entry is written after the command; until
    then the records it holds answer a second read (export and reanchor read
    every file twice: for repeated ids, then for their work)."""
    setup_document(desk)
    write_file(desk, "alice", make_records("alice"))
    script = textwrap.dedent("""
        from pathlib import Path
        from annotate import background, workspace
        from annotate.store import reading
        parsed = []
        real = reading.parse_annotation_text
        reading.parse_annotation_text = lambda *a: parsed.append(1) or real(*a)
        background.enable()
        ws = workspace.load(Path.cwd())
        first, second = (reading.read_all_annotations(ws) for _ in range(2))
        print(len(parsed), first == second, len(first))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=desk, capture_output=True,
                            text=True, timeout=60, check=False,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert (result.stdout, result.stderr) == ("1 True 160\n", "")
    record_cache.wait_for_writer()
    assert len(entries()) == 1
