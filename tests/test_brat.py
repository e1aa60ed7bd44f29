"""brat standoff (annotate/interchange/brat.py): the files an export writes,
offsets as brat counts them, reading .ann files back with every problem
reported at its line, and the round trip (property-based, over text outside
the BMP, CRLF documents and combining characters)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings

from annotate.interchange.brat import (
    LINE_BREAKS,
    BratItem,
    BratProblem,
    brat_export,
    brat_name,
    document_for_ann,
    joins,
    line_fragments,
    one_line,
    parse_ann,
)
from annotate.model import CONSENSUS_REVIEWER, Label
from tests.interchange_helpers import (
    PROJECT,
    REVIEWERS,
    annotated,
    annotation,
    document,
)

SETTINGS = settings(max_examples=200, deadline=None)


def errors(problems: list[BratProblem]) -> list[BratProblem]:
    return [p for p in problems if p.severity == "error"]


# -- the round trip -------------------------------------------------------------------


@SETTINGS
@given(data=annotated(reviewers=(*REVIEWERS, CONSENSUS_REVIEWER)))
def test_export_then_parse_gives_back_the_spans_labels_and_notes(data: Any) -> None:
    doc, annotations = data
    export = brat_export(annotations, {doc.id: doc}, PROJECT)
    for reviewer in {a.reviewer for a in annotations}:
        base = f"{reviewer}/politics/article"
        # The .txt is the document, byte for byte once encoded: CRs and all.
        assert export.files[f"{base}.txt"] == doc.text
        items, problems = parse_ann(export.files[f"{base}.ann"], doc.text)
        assert problems == []
        expected = []
        for a in sorted((a for a in annotations if a.reviewer == reviewer),
                        key=lambda a: (a.start, a.end, a.label, a.id)):
            # The documented exceptions: a span loses the line breaks it
            # begins or ends with; one of line breaks alone is left out.
            fragments = line_fragments(doc.text, a.start, a.end)
            if not fragments:
                continue
            start, end = fragments[0][0], fragments[-1][1]
            assert (start, end) == (a.start, a.end) or (
                set(doc.text[a.start:start] + doc.text[end:a.end]) <= set(LINE_BREAKS))
            expected.append((a.label, start, end, doc.text[start:end], one_line(a.note),
                             a.verdict, tuple(filter(None, map(one_line, a.sources))),
                             tuple(filter(None, map(one_line, a.tags)))))
        assert [(i.label, i.start, i.end, i.text, i.note, i.verdict, i.sources, i.tags)
                for i in items] == expected


@SETTINGS
@given(data=annotated())
def test_spans_and_notes_without_line_breaks_come_back_exactly(data: Any) -> None:
    doc, annotations = data
    annotations = [a for a in annotations
                   if a.quote[0] not in LINE_BREAKS and a.quote[-1] not in LINE_BREAKS]
    annotations = [a.replace(note=one_line(a.note), tags=tuple(t for t in a.tags
                                                               if one_line(t) == t))
                   for a in annotations]
    export = brat_export(annotations, {doc.id: doc}, PROJECT)
    assert export.warnings == []
    found = set()
    for reviewer in {a.reviewer for a in annotations}:
        items, problems = parse_ann(export.files[f"{reviewer}/politics/article.ann"],
                                    doc.text)
        assert problems == []
        found |= {(reviewer, i.label, i.start, i.end, i.note, i.verdict, i.sources, i.tags)
                  for i in items}
    assert found == {(a.reviewer, a.label, a.start, a.end, a.note, a.verdict, a.sources,
                      a.tags) for a in annotations}


# -- what an export writes -----------------------------------------------------------------


DOC = document("Kim said 😀 the missile\r\nis Russian.\r\n\r\nIt is e\u0301 not.\n",
               id="politics/article.txt")


def test_the_files_of_an_export() -> None:
    claim = annotation(DOC, 4, 10, id="abcd1234", note="Checked\r\nwith two sources.",
                       verdict="false", sources=("https://a.example/x",),
                       tags=("missiles",))
    accent = annotation(DOC, 45, 47, id="abce1234", label="opinion")
    export = brat_export([claim, accent, annotation(DOC, 0, 3, id="bobb1234", reviewer="bob")],
                         {DOC.id: DOC}, PROJECT)
    assert sorted(export.files) == [
        "alice/politics/article.ann", "alice/politics/article.txt", "annotation.conf",
        "bob/politics/article.ann", "bob/politics/article.txt", "visual.conf"]
    # Offsets count code points: 😀 is one (two in UTF-16), e + U+0301 two.
    assert export.files["alice/politics/article.ann"] == (
        "T1\tdisputed 4 10\tsaid 😀\n"
        "A1\tVerdict T1 false\n"
        "#1\tAnnotatorNotes T1\tChecked with two sources.\n"
        "#2\tSource T1\thttps://a.example/x\n"
        "#3\tTag T1\tmissiles\n"
        "T2\topinion 45 47\te\u0301\n")
    assert export.files["bob/politics/article.ann"] == "T1\tdisputed 0 3\tKim\n"
    assert export.warnings == ["notes, sources or tags put on one line, their line breaks as "
                               "spaces and surrounding whitespace trimmed (brat keeps one line "
                               "each): abcd1234"]


def test_a_span_across_lines_is_written_as_brat_writes_a_selection_across_lines() -> None:
    # brat's annotator.__create_span splits a selection at each newline into
    # fragments "start end;start end" whose texts are joined by one space.
    start = DOC.text.index("the")
    end = DOC.text.index("It") + 2
    claim = annotation(DOC, start, end, id="abcd1234")
    ann = brat_export([claim], {DOC.id: DOC}, PROJECT).files["alice/politics/article.ann"]
    assert ann == "T1\tdisputed 11 22;24 35;39 41\tthe missile is Russian. It\n"
    # CR counts: "the missile" ends at 22, "\r\n" is 22..24.
    assert DOC.text[22:24] == "\r\n" and DOC.text[35:39] == "\r\n\r\n"
    items, problems = parse_ann(ann, DOC.text)
    assert problems == []
    assert (items[0].start, items[0].end, items[0].text) == (start, end, claim.quote)


def test_line_breaks_at_the_ends_of_a_span_are_left_out_and_reported() -> None:
    edges = annotation(DOC, 21, 26, id="abcd1234")
    assert DOC.text[21:26] == "e\r\nis"
    only = annotation(DOC, 35, 39, id="abce1234")
    assert DOC.text[35:39] == "\r\n\r\n"
    trailing = annotation(DOC, 29, 38, id="abcf1234")
    assert DOC.text[29:38] == "ssian.\r\n\r"
    export = brat_export([edges, only, trailing], {DOC.id: DOC}, PROJECT)
    assert export.files["alice/politics/article.ann"] == (
        "T1\tdisputed 21 22;24 26\te is\n"
        "T2\tdisputed 29 35\tssian.\n")
    assert export.warnings == [
        "left out annotations that cover only line breaks (a brat span cannot): abce1234",
        "written without the line breaks they begin or end with (brat spans cannot hold "
        "them): abcf1234"]


def test_every_python_line_boundary_is_a_line_break_to_brat() -> None:
    # brat reads a .ann with readlines() of a codecs reader: str.splitlines.
    assert set(LINE_BREAKS) == {c for c in map(chr, range(0x3000))
                                if len(f"a{c}b".splitlines()) == 2}
    doc = document("a\x85b\u2028c\x0cd")
    ann = brat_export([annotation(doc, 0, 7, id="abcd1234", note="x\u2029y")],
                      {doc.id: doc}, PROJECT).files["alice/politics/article.ann"]
    assert len(ann.splitlines()) == 2
    assert ann.splitlines()[0] == "T1\tdisputed 0 1;2 3;4 5;6 7\ta b c d"


def test_annotations_not_in_place_are_left_out() -> None:
    changed = document(DOC.text.replace("Kim", "Mr Kim"), id=DOC.id)
    stale = annotation(DOC, 4, 8, id="abcd1234")
    orphan = annotation(changed, 0, 2, id="abce1234", orphaned=True)
    export = brat_export([stale, orphan], {DOC.id: changed}, PROJECT)
    assert export.files["alice/politics/article.ann"] == ""
    assert export.warnings == [
        "left out annotations whose quote is not at their place in the current document "
        "(orphaned, or the document changed since; run 'annotate reanchor'): abcd1234, "
        "abce1234"]
    assert export.left_out == ["abcd1234", "abce1234"]  # so that export counts them


def test_a_finished_review_with_nothing_marked_gets_an_empty_ann() -> None:
    export = brat_export([], {DOC.id: DOC}, PROJECT, reviewed=[("carol", DOC.id)],
                         config=False)
    assert export.files == {"carol/politics/article.txt": DOC.text,
                            "carol/politics/article.ann": ""}


def test_brat_names() -> None:
    assert brat_name("article.txt") == "article"
    assert brat_name("politics/article.txt") == "politics/article"
    assert brat_name("notes.md") == "notes.md"
    assert brat_name(".txt") == ".txt"
    assert brat_name("a/.txt") == "a/.txt"


def test_documents_whose_brat_names_collide_are_left_out() -> None:
    one, two = document("one", id="a"), document("two", id="a.txt")
    export = brat_export([annotation(one, 0, 1, id="abcd1234"),
                          annotation(two, 0, 1, id="abce1234")],
                         {one.id: one, two.id: two}, PROJECT, config=False)
    assert export.files == {}
    assert export.warnings == ["left out documents whose brat names collide: a, a.txt"]
    assert export.left_out == ["abcd1234", "abce1234"]


def test_annotations_of_unknown_documents_are_left_out() -> None:
    export = brat_export([annotation(DOC, 0, 3, id="abcd1234")], {}, PROJECT, config=False)
    assert export.files == {}
    assert export.warnings == ["left out annotations of documents not in the corpus: "
                               "politics/article.txt"]
    assert export.left_out == ["abcd1234"]


def test_the_brat_configuration_names_the_labels_colours_and_verdicts() -> None:
    export = brat_export([annotation(DOC, 0, 3, id="abcd1234", label="retracted")],
                         {DOC.id: DOC}, PROJECT)
    conf = export.files["annotation.conf"].splitlines()
    assert conf[conf.index("[entities]") + 1:conf.index("[relations]")] == [
        "sourced", "unsourced", "disputed", "speculative", "opinion", "retracted"]
    assert ("Verdict\tArg:<ENTITY>, Value:accurate|mostly-accurate|misleading|false|"
            "unverifiable") in conf
    visual = export.files["visual.conf"].splitlines()
    # Dark colours get white text, light ones black (WCAG contrast).
    assert "disputed\tbgColor:#d62728, fgColor:white" in visual
    assert "unsourced\tbgColor:#ff7f0e, fgColor:black" in visual
    assert "[labels]" in visual and "[drawing]" in visual


def test_no_configuration_where_a_reviewer_folder_would_take_its_name() -> None:
    export = brat_export([annotation(DOC, 0, 3, id="abcd1234", reviewer="visual.conf")],
                         {DOC.id: DOC}, PROJECT)
    assert "annotation.conf" not in export.files
    assert export.warnings == ["no annotation.conf or visual.conf written: a reviewer is named "
                               "'visual.conf'"]


def test_labels_and_verdicts_brat_cannot_hold_are_left_out() -> None:
    project = dataclasses.replace(PROJECT, labels=(*PROJECT.labels,
                                                   Label("two words", "x", "#000000")))
    export = brat_export([annotation(DOC, 0, 3, id="abcd1234", label="two words"),
                          annotation(DOC, 4, 8, id="abce1234", verdict="not sure")],
                         {DOC.id: DOC}, project)
    assert export.files["alice/politics/article.ann"] == "T1\tdisputed 4 8\tsaid\n"
    assert "two words" not in export.files["annotation.conf"]
    assert export.warnings[-1].endswith("left out: abcd1234, abce1234")
    # Only the annotation whose label brat cannot hold is missing; the other lost its verdict.
    assert export.left_out == ["abcd1234"]


# -- reading .ann files: every problem at its line --------------------------------------------


TEXT = "Kim said 😀 the missile\r\nis Russian.\nAlpha beta gamma."


def test_a_file_brat_wrote_by_hand_is_read() -> None:
    ann = ("T1\tdisputed 0 3\tKim\n"
           "T2\tspeculative 11 22\tthe missile\n"
           "#1\tAnnotatorNotes T2\t  Needs a second source.  \n"
           "A1\tVerdict T2 misleading\n"
           "#2\tSource T2\thttps://a.example/x\n"
           "#3\tTag T2\tmissiles\n"
           "#4\tTag T2\tkorea\n")
    items, problems = parse_ann(ann, TEXT)
    assert problems == []
    assert items == [
        BratItem("T1", 1, "disputed", 0, 3, "Kim"),
        BratItem("T2", 2, "speculative", 11, 22, "the missile", note="Needs a second source.",
                 verdict="misleading", sources=("https://a.example/x",),
                 tags=("missiles", "korea")),
    ]


def test_notes_may_come_before_their_span_and_crlf_files_are_read() -> None:
    ann = "#1\tAnnotatorNotes T1\tfirst\r\nT1\tdisputed 0 3\tKim\r\n"
    items, problems = parse_ann("\ufeff" + ann, TEXT)
    assert problems == []
    assert items[0].note == "first" and items[0].line == 2


def test_fragments_split_at_a_line_break_are_joined_and_others_are_reported() -> None:
    start, end = TEXT.index("missile"), TEXT.index("is R") + 2
    joined = f"T1\tdisputed {start} {start + 7};{end - 2} {end}\tmissile is\n"
    items, problems = parse_ann(joined, TEXT)
    assert problems == []
    assert (items[0].start, items[0].end, items[0].text) == (start, end, "missile\r\nis")
    # Fragments with a word between them are a discontinuous annotation.
    alpha, gamma = TEXT.index("Alpha"), TEXT.index("gamma")
    apart = f"T1\tdisputed {alpha} {alpha + 5};{gamma} {gamma + 5}\tAlpha gamma\n"
    items, problems = parse_ann(apart, TEXT)
    assert items == []
    assert problems == [BratProblem(1, "error", (
        f"discontinuous annotation (2 fragments, {alpha} {alpha + 5};{gamma} {gamma + 5}): "
        "annotate's spans are contiguous, so it is not imported; join or split it in brat"))]
    # A gap of spaces alone is no line break brat split at: reported too.
    beta = TEXT.index("beta")
    spaced = f"T1\tdisputed {alpha} {alpha + 5};{beta} {beta + 4}\tAlpha beta\n"
    assert errors(parse_ann(spaced, TEXT).problems)


def test_joins() -> None:
    text = "ab \t cd\n\nef gh"
    assert joins(text, [(0, 2), (5, 7)])
    assert joins(text, [(0, 2), (5, 7), (9, 11)])
    assert not joins(text, [(9, 11), (12, 14)])  # a space is no split of brat's
    assert not joins(text, [(5, 7), (0, 2)])  # out of order


@pytest.mark.parametrize(("line", "message"), [
    ("T1 disputed 0 3 Kim", "no tab after the id: not a brat annotation line"),
    ("X\tdisputed 0 3\tKim", "'X' is not a brat id (a letter or '#' and a number, e.g. T1)"),
    ("T1\tdisputed 0\tKim", "malformed text-bound line: expected 'T1<TAB>label start end<TAB>"
                            "text'"),
    ("T1\tdisputed -1 3\tKim", "malformed text-bound line: expected 'T1<TAB>label start "
                               "end<TAB>text'"),
    ("T1\tdisputed 3 3\t", "empty span 3..3: a span covers at least one character"),
    ("T1\tdisputed 40 99\tx", "offsets 40..99 are outside the document (0..53)"),
    ("T1\tdisputed 0 3\tTim", "stored text “Tim” is not the document's text at 0 3: “Kim”"),
    ("T1\tdisputed 0 3\tKimberley", "the stored text runs on past the span: “berley” (brat "
                                    "refuses this too)"),
    ("T1\tdisputed 0 3;2 5\tKim  s", "fragments overlap or touch (brat refuses them too)"),
    ("Q1\tdisputed 0 3\tKim", "unknown line type 'Q' (brat's are T, R, E, A, M, N, # and *)"),
    ("A1\tVerdict", "malformed attribute line: expected 'A1<TAB>Name T1 value'"),
    ("#1\tAnnotatorNotes\tno target", "malformed note line: expected '#1<TAB>AnnotatorNotes "
                                      "T1<TAB>text'"),
    ("#1\tAnnotatorNotes T9\ta note", "AnnotatorNotes of T9, which no line defines"),
])
def test_a_bad_line_is_an_error_at_its_line(line: str, message: str) -> None:
    items, problems = parse_ann(f"T5\topinion 4 8\tsaid\n{line}\n", TEXT)
    assert [(i.id, i.line) for i in items] == [("T5", 1)]
    assert problems == [BratProblem(2, "error", message)]


@pytest.mark.parametrize(("line", "message"), [
    ("R1\tCause Arg1:T5 Arg2:T5", "relation ignored: annotate's annotations are labelled "
                                  "spans, with no relations between them"),
    ("E1\tAttack:T5", "event ignored: annotate's annotations are labelled spans, with no "
                      "relations between them"),
    ("N1\tReference T5 Wikipedia:534366\tKim", "normalization ignored: annotate's "
                                               "annotations are labelled spans, with no "
                                               "relations between them"),
    ("*\tEquiv T5 T6", "equivalence (*) ignored: annotate has no relations"),
    ("A1\tNegation T5", "attribute 'Negation' ignored: annotate keeps only the Verdict "
                        "attribute, with a value"),
    ("M1\tSpeculation T5", "attribute 'Speculation' ignored: annotate keeps only the Verdict "
                           "attribute, with a value"),
    ("#1\tSTATUS T5\tdone", "comment type 'STATUS' ignored: annotate reads AnnotatorNotes, "
                            "Source and Tag"),
])
def test_lines_annotate_has_no_place_for_are_ignored_with_a_warning(line: str,
                                                                     message: str) -> None:
    items, problems = parse_ann(f"T5\topinion 4 8\tsaid\n{line}\n", TEXT)
    assert [i.id for i in items] == ["T5"]
    assert problems == [BratProblem(2, "warning", message)]


def test_a_note_on_an_event_is_ignored_and_a_note_on_a_refused_span_goes_with_it() -> None:
    ann = ("T1\tAttack 0 3\tKim\nE1\tAttack:T1\n#1\tAnnotatorNotes E1\tabout the event\n"
           "T2\tdisputed 4 8\tsaix\n#2\tAnnotatorNotes T2\tgone\n")
    items, problems = parse_ann(ann, TEXT)
    assert [i.id for i in items] == ["T1"]
    assert [(p.line, p.severity) for p in problems] == [(2, "warning"), (3, "warning"),
                                                        (4, "error")]
    assert problems[1].message == ("AnnotatorNotes of E1 ignored: only text-bound (T) "
                                   "annotations are read")


def test_duplicate_ids_and_second_notes_are_errors() -> None:
    ann = ("T1\tdisputed 0 3\tKim\nT1\topinion 4 8\tsaid\n#1\tAnnotatorNotes T1\tone\n"
           "#2\tAnnotatorNotes T1\ttwo\nA1\tVerdict T1 false\nA2\tVerdict T1 accurate\n")
    items, problems = parse_ann(ann, TEXT)
    assert [(i.id, i.label, i.note, i.verdict) for i in items] == [
        ("T1", "disputed", "one", "false")]
    assert problems == [
        BratProblem(2, "error", "duplicate id T1 (first on line 1); this line is not read"),
        BratProblem(4, "error", "a second AnnotatorNotes for T1: annotate keeps one note; "
                                "this line is not read"),
        BratProblem(6, "error", "a second Verdict for T1: annotate keeps one verdict; this "
                                "line is not read"),
    ]


def test_a_missing_text_is_taken_from_the_document_and_extra_text_is_ignored() -> None:
    items, problems = parse_ann("T1\tdisputed 0 3\nT2\tdisputed 4 8\tsaid  # check\n", TEXT)
    assert [(i.text, i.line) for i in items] == [("Kim", 1), ("said", 2)]
    assert problems == [
        BratProblem(1, "warning", "no text after the offsets: the document's text is taken, "
                                  "as brat does"),
        BratProblem(2, "warning", "text after the span's text ignored: “# check”"),
    ]


def test_offsets_counted_in_utf16_or_without_crs_are_reported_with_the_likely_cause() -> None:
    # "missile" after 😀: one code point, two UTF-16 code units.
    start = TEXT.index("missile")
    items, problems = parse_ann(f"T1\tdisputed {start + 1} {start + 8}\tmissile\n", TEXT)
    assert items == []
    assert problems[0].message.endswith(
        "the offsets fit the text counted in UTF-16 code units (brat's browser client, or "
        "brat on a narrow Python 2 build), not in characters")
    # "Russian" after a CRLF, offsets of a copy with LF line endings.
    start = TEXT.index("Russian") - 1
    items, problems = parse_ann(f"T1\tdisputed {start} {start + 7}\tRussian\n", TEXT)
    assert problems[0].message.endswith(
        "the offsets fit the document with its CRLF line endings read as LF: the .ann was "
        "made on a copy with LF line endings")


def test_blank_lines_are_skipped() -> None:
    items, problems = parse_ann("\n  \nT1\tdisputed 0 3\tKim\n\n", TEXT)
    assert problems == [] and items[0].line == 3


# -- which document a .ann file is about ------------------------------------------------------


@pytest.mark.parametrize(("stem", "document", "problem"), [
    # The root's article.txt and politics/article.txt end alike: a path that
    # names no folder cannot tell them apart.
    ("article", None, "article.ann could belong to article.txt, politics/article.txt; pass "
                      "--document"),
    ("out/alice/article", "article.txt", None),
    ("out/alice/politics/article", "politics/article.txt", None),
    ("politics/article", "politics/article.txt", None),
    ("notes.md", "notes.md", None),
    ("sports/match", "sports/match.txt", None),
    ("report", None, "report.ann could belong to politics/report.txt, sports/report.txt; "
                     "pass --document"),
    ("missing", None, "no document of the corpus goes with missing.ann (brat pairs "
                      "missing.ann with missing.txt); pass --document"),
    ("alice/match", None, "no document of the corpus goes with alice/match.ann (brat pairs "
                          "match.ann with match.txt); pass --document"),
])
def test_document_for_ann(stem: str, document: str | None, problem: str | None) -> None:
    corpus = ["article.txt", "politics/article.txt", "notes.md", "sports/match.txt",
              "politics/report.txt", "sports/report.txt"]
    assert document_for_ann(stem, corpus) == (document, problem)
