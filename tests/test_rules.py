"""The rule book: one set of checks for writers and for validate.

The property test at the end is the contract of issue 7: `add` accepts a
record if and only if `validate` passes the file it would write.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate import api, codes, rules, spans
from annotate.errors import AnnotateError, InvalidValueError, UnknownLabelError
from annotate.model import Document, Project
from annotate.workspace import DEFAULT_LABELS, DEFAULT_VERDICTS
from tests.conftest import SEED, SEED_ID
from tests.test_schema_fastpath import VALID
from tests.test_schema_fastpath import records as fastpath_records

PROJECT = Project("t", "corpus", "annotations", DEFAULT_LABELS, DEFAULT_VERDICTS)
TEXT = SEED.read_text(encoding="utf-8")
DOC = Document(SEED_ID, TEXT, "a" * 64)
QUOTE = "is based on Russian technology"


def record(**changes: Any) -> dict[str, Any]:
    start = TEXT.index(QUOTE)
    made = spans.new_annotation(DOC, start, start + len(QUOTE), label="speculative",
                                reviewer="alice", note="", sources=(), verdict=None, tags=())
    return {**made.to_record(), **changes}


def codes_of(problems: list[rules.Problem]) -> list[str]:
    return [p.rule.code for p in problems]


def test_a_record_made_by_add_has_no_problems() -> None:
    made = record()
    assert rules.record_problems(made, PROJECT) == []
    assert list(rules.span_problems(TEXT, made)) == []


def test_unknown_label_lists_the_allowed_ones_and_suggests_the_closest() -> None:
    [problem] = rules.record_problems(record(label="speculatve"), PROJECT)
    assert problem.rule == codes.UNKNOWN_LABEL and problem.path == ("label",)
    assert problem.message == (
        "unknown label 'speculatve'; did you mean 'speculative'? allowed: "
        "sourced, unsourced, disputed, speculative, opinion")
    with pytest.raises(UnknownLabelError, match="did you mean 'speculative'"):
        rules.require([problem])


def test_unknown_verdict_has_its_own_code() -> None:
    [problem] = rules.record_problems(record(verdict="lies"), PROJECT)
    assert (problem.rule.code, problem.path) == ("AN313", ("verdict",))
    assert "allowed: accurate, mostly-accurate" in problem.message


def test_label_requiring_a_source_is_refused_without_one() -> None:
    problems = rules.record_problems(record(label="sourced"), PROJECT)
    assert codes_of(problems) == ["AN306"]
    assert rules.record_problems(record(label="sourced", sources=["https://www.iiss.org/"]),
                                 PROJECT) == []


@pytest.mark.parametrize("name", ["../x", "a/b", "a\\b", "", "a\x00b", ".hidden", "two words"])
def test_reviewer_names_with_path_characters_are_refused(name: str) -> None:
    [problem] = rules.record_problems(record(reviewer=name), PROJECT)
    assert problem.rule == codes.ANNOTATION_SCHEMA
    assert "invalid reviewer name" in problem.message


@pytest.mark.parametrize("url", ["ftp://example.org/x", "www.iiss.org", "/relative/path",
                                 "https://", "http:// spaces.org", "mailto:a@b.c", ""])
def test_sources_must_be_absolute_http_addresses(url: str) -> None:
    problems = rules.record_problems(record(sources=[url]), PROJECT)
    assert codes_of(problems)[:1] == ["AN201"]
    assert "not an absolute http(s) address" in problems[0].message
    with pytest.raises(InvalidValueError, match="not an absolute http"):
        rules.require(problems)


@pytest.mark.parametrize("tag", ["two\nlines", " padded", "padded ", ""])
def test_tags_are_one_line_without_outer_spaces(tag: str) -> None:
    problems = rules.record_problems(record(tags=[tag]), PROJECT)
    assert codes_of(problems)[:1] == ["AN201"], problems


def test_a_float_offset_is_refused_not_a_crash() -> None:
    made = record()
    problems = rules.record_problems({**made, "start": float(made["start"])}, PROJECT)
    assert [(p.rule.code, p.path) for p in problems] == [("AN201", ("start",))]
    assert "whole number" in problems[0].message


def test_text_that_was_not_utf8_on_the_command_line_is_refused() -> None:
    problems = rules.record_problems(record(note="bad \udcff"), PROJECT)
    assert [(p.rule.code, p.path) for p in problems] == [("AN110", ("note",))]


def test_created_after_modified_is_refused() -> None:
    problems = rules.record_problems(record(created="2026-11-30T10:00:00.5Z",
                                            modified="2026-11-30T10:00:00.25Z"), PROJECT)
    assert codes_of(problems) == ["AN309"]


def test_placement_names_the_field_that_differs() -> None:
    problems = list(rules.placement_problems(record(), "other.txt", "bob"))
    assert [(p.rule.code, p.path) for p in problems] == [("AN308", ("document",)),
                                                         ("AN308", ("reviewer",))]


def test_span_checks_against_the_text() -> None:
    made = record()
    assert codes_of(list(rules.span_problems(TEXT, {**made, "end": len(TEXT) + 1}))) == \
        ["AN303"]
    assert codes_of(list(rules.span_problems(TEXT, {**made, "quote": "x" * 30}))) == ["AN304"]
    assert codes_of(list(rules.span_problems(TEXT, {**made, "prefix": "nope"}))) == ["AN305"]


def test_project_file_labels_defined_twice_point_at_the_second() -> None:
    data = {"version": 1, "name": "t", "corpus": "c", "annotations": "a",
            "labels": [{"name": "x", "description": "d", "color": "#000000",
                        "requires_source": False}] * 2}
    [problem] = rules.project_problems(data)
    assert (problem.rule.code, problem.path) == ("AN202", ("labels", 1, "name"))


def test_warnings_do_not_stop_a_writer() -> None:
    rules.require([rules.Problem(codes.CONTEXT_MISMATCH, ("prefix",), "moved")])


# -- add accepts exactly what validate passes ---------------------------------------------

_HOSTS = st.sampled_from(["www.iiss.org", "bücher.example", "de.wikipedia.org",
                          "xn--bcher-kva.example", "example.org:8080", "127.0.0.1",
                          "[::1]", "exa mple.org", "", "例え.テスト"])
_PATH_PIECES = st.sampled_from(["", "/", "/wiki/Straße", "/wiki/Café", "/a%20b", "/%zz",
                                "/a|b", "/{x}", '/"q"', "/<tag>", "/\x1b[31m", "/ä/ö?x=ü",
                                "?q=1&r=2", "#fragment", "#frag ment", "/\u202e", "/😀",
                                "/e\u0301", "\\back"])
_SCHEMES = st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "", "https:/"])
_SOURCES = st.builds(lambda s, h, p, q: s + h + p + q, _SCHEMES, _HOSTS, _PATH_PIECES,
                     _PATH_PIECES)
_TAGS = st.one_of(st.sampled_from(["china", "two words", " pad", "pad ", "line\nbreak", "",
                                   "تاغ", "\u202etag", "😀"]), st.text(max_size=8))
_NOTES = st.one_of(st.text(max_size=20), st.sampled_from(["bad \udcff", "<img src=x>",
                                                          "\x1b]0;title\x07"]))


@pytest.fixture(scope="module")
def two_workspaces() -> Iterator[tuple[Any, Path]]:
    """One workspace `add` writes to, one holding the files validate reads."""
    folder = Path(tempfile.mkdtemp())
    made = []
    for name in ("add", "check"):
        root = folder / name
        api.init_workspace(root, name)
        shutil.copyfile(SEED, root / "corpus" / SEED_ID)
        made.append(api.open_workspace(str(root)))
    yield made[0], made[1].root
    shutil.rmtree(folder)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=st.sampled_from(["sourced", "opinion", "disputed", "rumour"]),
       sources=st.lists(_SOURCES, max_size=3), tags=st.lists(_TAGS, max_size=2),
       note=_NOTES, verdict=st.sampled_from([None, "accurate", "lies"]))
def test_add_accepts_a_record_if_and_only_if_validate_passes_it(
        two_workspaces: tuple[Any, Path], label: str, sources: list[str], tags: list[str],
        note: str, verdict: str | None) -> None:
    ws, check_root = two_workspaces
    start = TEXT.index(QUOTE)
    try:
        added = api.add_annotation(ws, SEED_ID, spans.OffsetSpan(start, start + len(QUOTE)),
                                   label=label, reviewer="alice", note=note,
                                   sources=tuple(sources), verdict=verdict, tags=tuple(tags))
    except AnnotateError:
        added = None
    finally:
        for path in (ws.annotations_dir / SEED_ID).glob("*.jsonl"):
            path.unlink()
    # The record add would have written, built the same way, as a file.
    made = spans.new_annotation(
        api.document(ws, SEED_ID), start, start + len(QUOTE), label=label, reviewer="alice",
        note=note, sources=tuple(dict.fromkeys(sources)), verdict=verdict,
        tags=tuple(dict.fromkeys(tags)))
    line = json.dumps(made.to_record(), sort_keys=True, ensure_ascii=False)
    target = check_root / "annotations" / SEED_ID / "alice.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((line + "\n").encode("utf-8", "surrogatepass"))
    report = api.validate(str(check_root), [str(target)], use_cache=False, jobs=1)
    errors = [f for f in report.findings if f.severity == "error"]
    assert (added is not None) == (not errors and not report.unreadable), (errors, added)


def test_a_span_that_splits_a_character_is_a_warning() -> None:
    text = "Cafe\u0301 au lait 🇫🇷"
    made = spans.new_annotation(Document("d.txt", text, "0" * 64), 0, 4, label="opinion",
                                reviewer="alice", note="", sources=(), verdict=None, tags=())
    problems = list(rules.span_problems(text, made.to_record()))
    assert [(p.rule.code, p.path, p.is_error) for p in problems] == [
        ("AN315", ("end",), False)]
    whole = spans.new_annotation(Document("d.txt", text, "0" * 64), 0, 5, label="opinion",
                                 reviewer="alice", note="", sources=(), verdict=None, tags=())
    assert list(rules.span_problems(text, whole.to_record())) == []
    half_flag = len(text) - 1
    flag = spans.new_annotation(Document("d.txt", text, "0" * 64), half_flag, len(text),
                                label="opinion", reviewer="alice", note="", sources=(),
                                verdict=None, tags=())
    assert [p.rule.code for p in rules.span_problems(text, flag.to_record())] == ["AN315"]


# --- records_pass: a reader's checks on a whole file at once ----------------------------

def reader_finds_nothing(records: list[Any], owner: tuple[str, str] | None) -> bool:
    """What the reader asks record by record: no problem at all, as records_pass means."""
    for made in records:
        problems = rules.record_problems(made, None)
        if owner is not None and not problems:
            problems = list(rules.placement_problems(made, *owner))
        if problems:
            return False
    return True


OWNERS = [None, (VALID["document"], VALID["reviewer"]), ("other.txt", VALID["reviewer"]),
          (VALID["document"], "bob")]


@settings(max_examples=300, deadline=None)
@given(batch=st.lists(fastpath_records(), max_size=4), owner=st.sampled_from(OWNERS))
def test_records_pass_exactly_when_no_record_has_a_problem(batch: list[dict[str, Any]],
                                                         owner: tuple[str, str] | None) -> None:
    assert rules.records_pass(batch, owner) is reader_finds_nothing(batch, owner)


@pytest.mark.parametrize(("change", "owner", "passes"), [
    ({}, OWNERS[1], True),
    ({"start": 4565.0}, None, False),                       # AN201: a whole number
    ({"modified": "2026-11-29T10:59:59.999Z"}, None, False),  # AN309: before created
    ({"modified": "2026-11-29T11:00:00.1230Z"}, None, True),  # the same instant
    ({"created": "2026-11-29T11:00:00Z", "modified": "2026-11-29T11:00:00.000001Z"}, None,
     True),
    ({}, OWNERS[2], False),                                 # AN308: another document
    ({}, OWNERS[3], False),                                 # AN308: another reviewer
    ({"note": "bad \udcff"}, None, False),                  # AN110
])
def test_records_pass_known_cases(change: dict[str, Any], owner: tuple[str, str] | None,
                                  passes: bool) -> None:
    batch = [dict(VALID), {**VALID, **change}]
    assert reader_finds_nothing(batch, owner) is passes
    assert rules.records_pass(batch, owner) is passes


def test_surrogate_free_says_the_utf8_check_cannot_fail() -> None:
    # Only a caller that knows there is no surrogate may say so: the check is
    # then skipped (records parsed from text decoded from UTF-8).
    batch = [{**VALID, "note": "bad \udcff"}]
    assert rules.records_pass(batch) is False
    assert rules.records_pass(batch, surrogate_free=True) is True


@pytest.mark.parametrize("source", ["https://a b.example/", "https://ok.example/\"><img>",
                                    "data:text/html,<script>x</script>"])
def test_a_bad_source_is_one_problem_however_many_schema_keywords_refuse_it(
        source: str) -> None:
    # Both the "iri" format and the pattern refuse these; validate printed
    # the same finding twice and counted two errors.
    from tests.test_schema_fastpath import VALID

    problems = rules.record_problems({**VALID, "sources": [source]}, None)
    assert [(p.rule.code, p.path) for p in problems if p.is_error] == [("AN201", ("sources", 0))]


@pytest.mark.parametrize("source", ["https://ok.example/\u202egnp.exe", "https://ok\u202e.example/",
                                    "https://ok.example/\u2066x\u2069", "https://ok.example/\u200f"])
def test_a_source_with_a_bidirectional_control_is_refused_saying_which(source: str) -> None:
    # RFC 3987 section 4.1: shown, such an address reads otherwise than it leads.
    from tests.test_schema_fastpath import VALID

    [problem] = [p for p in rules.record_problems({**VALID, "sources": [source]}, None)
                 if p.is_error]
    bidi = next(c for c in source if c in "\u200f\u202e\u2066")
    assert (problem.rule.code, problem.path) == ("AN201", ("sources", 0))
    assert f"holds the bidirectional control U+{ord(bidi):04X}" in problem.message
    assert rules.records_pass([{**VALID, "sources": [source]}]) is False
