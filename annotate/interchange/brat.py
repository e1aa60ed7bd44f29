"""brat standoff (issue 10, item 2): export per reviewer and document, and
reading ``.ann`` files for import.

Pure: annotations, documents and the project in, ``{relative path: text}``
out (the api writes them under ``-o DIR``); ``.ann`` text and the document's
text in, items and problems out (the api turns items into annotations and
puts them through the rule book).  The rules, with the brat source they
follow, are in docs/interchange.md; in short:

* Offsets are what brat's server checks a ``T`` line against: indices into
  the ``.txt`` file decoded as UTF-8 without newline translation
  (``annotation.open_textfile``), i.e. code points, CR counted -- the same
  offsets as ours.
* A ``.ann`` file is read line by line with Python's line boundaries
  (``str.splitlines``: ``\\n``, ``\\r``, ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``,
  ``\\x85``, U+2028, U+2029), so no field may hold one.  A span that does is
  written as brat itself writes a selection across lines
  (``annotator.__create_span``): discontinuous fragments ``start end;start
  end`` split at the line breaks, their texts joined by one space
  (``DISCONT_SEP``).  Reading, fragments whose gaps are whitespace holding a
  line break or a tab (exactly what brat splits at) are joined back into one
  span; any other discontinuous annotation is reported, not guessed.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from annotate import portable
from annotate.interchange.importing import Candidate, Corpus, Parsed, Rejected
from annotate.model import Annotation, Document, Project

# Python's line boundaries (str.splitlines), which is how brat reads a .ann
# file (codecs' StreamReader.readlines, or str.splitlines for in-memory text).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_RUN = re.compile(f"[{LINE_BREAKS}]+")
# What brat's own annotator splits a selection at (annotator.__create_span).
_BRAT_SPLITS = frozenset(LINE_BREAKS + "\t")
# brat's annotation.DISCONT_SEP: how fragment texts are joined in a T line.
DISCONTINUOUS_SEPARATOR = " "

# The line types we write besides T: brat's own note, a multi-valued
# attribute for the verdict (declared in annotation.conf), and one-line
# comments of our own types for sources and tags (brat shows every comment
# of an annotation in its tooltip).
NOTE_TYPE = "AnnotatorNotes"
VERDICT_ATTRIBUTE = "Verdict"
SOURCE_TYPE = "Source"
TAG_TYPE = "Tag"
CONFIG_FILES = ("annotation.conf", "visual.conf")

# brat's id syntax (annotation.__split_annotation_id): letters or '#'+letters,
# a number, an optional tail.
_ID = re.compile(r"([A-Za-z]+|#[A-Za-z]*)([0-9]+)(.*)", re.DOTALL)
# "label start end[;start end]*", trailing whitespace allowed as brat allows it.
_TEXTBOUND = re.compile(r"(\S+) ((?:[0-9]+ [0-9]+;)*[0-9]+ [0-9]+)\s*")

Severity = Literal["error", "warning"]


# -- export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BratExport:
    """The files of an export, by path relative to the output folder ("/"-separated),
    and what to tell the user (annotations left out or changed to fit the format)."""

    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    # The ids of the annotations not written at all (the warnings say why),
    # so that `export` counts them and exits 1.
    left_out: list[str] = field(default_factory=list)


def brat_name(document_id: str) -> str:
    """The name brat knows a document by: its id without a final ``.txt``
    (``politics/article.txt`` -> ``politics/article``, files
    ``politics/article.txt`` and ``.ann``)."""
    stem = document_id[:-4] if document_id.endswith(".txt") else document_id
    return stem if stem and not stem.endswith("/") else document_id


def brat_export(annotations: Iterable[Annotation], documents: Mapping[str, Document],
                project: Project, *, reviewed: Iterable[tuple[str, str]] = (),
                config: bool = True) -> BratExport:
    """``<reviewer>/<brat name>.txt`` (the document's text) and ``.ann`` for every
    reviewer and document with annotations, and for every (reviewer,
    document) pair in ``reviewed`` (a finished review with nothing marked
    gets an empty ``.ann``); with ``config``, brat's ``annotation.conf`` and
    ``visual.conf`` at the top (the labels, their colours, the verdicts).
    """
    work: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for annotation in annotations:
        work[(annotation.reviewer, annotation.document)].append(annotation)
    for pair in reviewed:
        work.setdefault(pair, [])
    warnings: list[str] = []
    named: dict[str, set[str]] = defaultdict(set)
    for _, document_id in work:
        named[brat_name(document_id)].add(document_id)
    clashing = {document for ids in named.values() if len(ids) > 1 for document in ids}
    if clashing:
        warnings.append(f"left out documents whose brat names collide: {_some(sorted(clashing))}")
    missing = sorted({document_id for _, document_id in work
                      if document_id not in documents and document_id not in clashing})
    if missing:
        warnings.append(f"left out annotations of documents not in the corpus: {_some(missing)}")

    files: dict[str, str] = {}
    report = _Report()
    used_labels: set[str] = set()
    left_out: list[str] = []
    for (reviewer, document_id), found in sorted(work.items()):
        document = documents.get(document_id)
        if document is None or document_id in clashing:
            left_out.extend(a.id for a in found)
            continue
        base = f"{reviewer}/{brat_name(document_id)}"
        files[f"{base}.txt"] = document.text
        files[f"{base}.ann"] = _ann(document.text, found, report)
        used_labels.update(a.label for a in found)
    warnings.extend(report.messages())
    twins = portable.case_twins({reviewer for reviewer, _ in work})
    if twins:
        # Per document a new twin is refused, but two documents can each
        # have one of the pair: their folders here are one on macOS/Windows.
        path, earlier = min(twins.items())
        warnings.append(f"reviewer folders {earlier}/ and {path}/ differ only in case: on "
                        "macOS and Windows they are one folder, so read the export on a "
                        "system that tells them apart")
    if config:
        clash = sorted({reviewer for reviewer, _ in work} & set(CONFIG_FILES))
        if clash:
            warnings.append(f"no {' or '.join(CONFIG_FILES)} written: a reviewer is named "
                            f"{clash[0]!r}")
        else:
            files.update(brat_config(project, used_labels))
    left_out.extend(report.misplaced + report.blank + report.unlabelled)
    return BratExport(files, warnings, sorted(left_out))


@dataclass
class _Report:
    """What one export had to leave out or change, by annotation id."""

    misplaced: list[str] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)
    flattened: list[str] = field(default_factory=list)
    unwritable: list[str] = field(default_factory=list)
    # Those of unwritable whose label brat cannot hold: not written at all (a
    # verdict it cannot hold only loses the verdict).
    unlabelled: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        found = []
        if self.misplaced:
            found.append("left out annotations whose quote is not at their place in the "
                         "current document (orphaned, or the document changed since; run "
                         f"'annotate reanchor'): {_some(sorted(self.misplaced))}")
        if self.blank:
            found.append("left out annotations that cover only line breaks (a brat span "
                         f"cannot): {_some(sorted(self.blank))}")
        if self.narrowed:
            found.append("written without the line breaks they begin or end with (brat "
                         f"spans cannot hold them): {_some(sorted(self.narrowed))}")
        if self.flattened:
            found.append("notes, sources or tags put on one line, their line breaks as "
                         f"spaces and surrounding whitespace trimmed (brat keeps one line "
                         f"each): {_some(sorted(self.flattened))}")
        if self.unwritable:
            found.append("labels or verdicts with whitespace, which brat cannot hold, "
                         f"left out: {_some(sorted(self.unwritable))}")
        return found


def _ann(text: str, annotations: Sequence[Annotation], report: _Report) -> str:
    """The .ann file of one reviewer's annotations of one document."""
    lines: list[str] = []
    numbers = {"T": 0, "A": 0, "#": 0}

    def number(kind: str) -> str:
        numbers[kind] += 1
        return f"{kind}{numbers[kind]}"

    for annotation in sorted(annotations, key=lambda a: (a.start, a.end, a.label, a.id)):
        if annotation.orphaned or text[annotation.start:annotation.end] != annotation.quote:
            report.misplaced.append(annotation.id)
            continue
        if not _is_token(annotation.label):
            report.unwritable.append(annotation.id)
            report.unlabelled.append(annotation.id)
            continue
        fragments = line_fragments(text, annotation.start, annotation.end)
        if not fragments:
            report.blank.append(annotation.id)
            continue
        if (fragments[0][0], fragments[-1][1]) != (annotation.start, annotation.end):
            report.narrowed.append(annotation.id)
        span = number("T")
        offsets = ";".join(f"{start} {end}" for start, end in fragments)
        covered = DISCONTINUOUS_SEPARATOR.join(text[start:end] for start, end in fragments)
        lines.append(f"{span}\t{annotation.label} {offsets}\t{covered}")
        if annotation.verdict is not None:
            if _is_token(annotation.verdict):
                lines.append(f"{number('A')}\t{VERDICT_ATTRIBUTE} {span} {annotation.verdict}")
            else:
                report.unwritable.append(annotation.id)
        comments = [(NOTE_TYPE, annotation.note), *((SOURCE_TYPE, s) for s in annotation.sources),
                    *((TAG_TYPE, tag) for tag in annotation.tags)]
        flattened = False
        for kind, value in comments:
            line = one_line(value)
            flattened |= line != value
            if line:
                lines.append(f"{number('#')}\t{kind} {span}\t{line}")
        if flattened:
            report.flattened.append(annotation.id)
    return "".join(line + "\n" for line in lines)


def line_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of text[start:end] between runs of line breaks (none if it is
    all line breaks): how a span is written as brat fragments."""
    fragments = []
    position = start
    for match in _LINE_BREAK_RUN.finditer(text, start, end):
        if match.start() > position:
            fragments.append((position, match.start()))
        position = match.end()
    if end > position:
        fragments.append((position, end))
    return fragments


def one_line(value: str) -> str:
    """A note, source or tag as a brat comment holds it: line breaks as spaces,
    trimmed (brat strips a comment's text when it reads it)."""
    return _LINE_BREAK_RUN.sub(" ", value).strip()


def _is_token(value: str) -> bool:
    """A label or verdict brat can hold: one space-free word."""
    return bool(value) and not any(c.isspace() for c in value)


def brat_config(project: Project, extra_labels: Iterable[str] = ()) -> dict[str, str]:
    """brat's annotation.conf (the labels as entity types, the verdicts as the
    values of a Verdict attribute) and visual.conf (each label's colour)."""
    labels = list(project.label_names)
    labels += sorted(set(extra_labels) - set(labels))
    labels = [label for label in labels if _is_token(label)]
    verdicts = [verdict for verdict in project.verdicts if _is_token(verdict)]
    annotation = ["# brat's types for annotate's taxonomy (annotate.json), written by",
                  "# 'annotate export --format brat'.", "[entities]", *labels,
                  "[relations]", "[events]", "[attributes]"]
    if verdicts:
        annotation.append(f"{VERDICT_ATTRIBUTE}\tArg:<ENTITY>, Value:{'|'.join(verdicts)}")
    visual = ["# The label colours of annotate.json.", "[labels]", "[drawing]"]
    for label in project.labels:
        if _is_token(label.name):
            ink = "white" if _dark(label.color) else "black"
            visual.append(f"{label.name}\tbgColor:{label.color}, fgColor:{ink}")
    return {"annotation.conf": "\n".join(annotation) + "\n",
            "visual.conf": "\n".join(visual) + "\n"}


def _dark(color: str) -> bool:
    """Whether black text would be hard to read on this "#rrggbb" (WCAG luminance)."""
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(color[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    # Contrast with black (L+0.05)/0.05 below that with white 1.05/(L+0.05).
    return (luminance + 0.05) / 0.05 < 1.05 / (luminance + 0.05)


def _some(ids: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


# -- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BratItem:
    """One text-bound annotation read from a .ann file, with what is attached to it."""

    id: str  # its brat id, e.g. T3
    line: int  # the line of its T line, from 1
    label: str
    start: int
    end: int
    text: str  # the document's text at start..end
    note: str = ""
    verdict: str | None = None
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class BratProblem:
    """A line that could not be read (error: the annotation it carries is lost)
    or was ignored (warning: nothing annotate can hold was on it)."""

    line: int
    severity: Severity
    message: str


class ParsedAnn(NamedTuple):
    """What parse_ann read: the items in file order and the problems by line."""

    items: list[BratItem]
    problems: list[BratProblem]


@dataclass
class _Attached:
    """A note, verdict, source or tag line, attached to its T line once all are read."""

    line: int
    kind: str
    target: str
    value: str


def parse_ann(ann_text: str, document_text: str) -> ParsedAnn:
    """The text-bound annotations of a brat .ann file on document_text, checked
    as brat checks them, and a problem for every line that could not be
    read or was ignored (see the module docstring and the docs)."""
    problems: list[BratProblem] = []
    items: dict[str, BratItem] = {}
    attached: list[_Attached] = []
    seen: dict[str, int] = {}
    failed: set[str] = set()  # T ids whose line was refused: what they carry goes too
    other: set[str] = set()  # ids of lines that are not T lines

    def problem(line: int, severity: Severity, message: str) -> None:
        problems.append(BratProblem(line, severity, message))

    # An editor's byte order mark is not part of the first id.
    for number, line in enumerate(ann_text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        identifier, tab, rest = line.partition("\t")
        if not tab:
            problem(number, "error", "no tab after the id: not a brat annotation line")
            continue
        if identifier == "*":
            problem(number, "warning", "equivalence (*) ignored: annotate has no relations")
            continue
        if not _ID.fullmatch(identifier):
            problem(number, "error", f"{_clip(identifier, 40)!r} is not a brat id (a letter "
                                     "or '#' and a number, e.g. T1)")
            continue
        if identifier in seen:
            problem(number, "error", f"duplicate id {identifier} (first on line "
                                     f"{seen[identifier]}); this line is not read")
            continue
        seen[identifier] = number
        kind = identifier[0]
        if kind == "T":
            item, message = _textbound(identifier, number, rest, document_text)
            if item is None:
                failed.add(identifier)
            else:
                items[identifier] = item
            if message is not None:
                problem(number, "error" if item is None else "warning", message)
            continue
        other.add(identifier)
        if kind in "AM":
            parts = rest.partition("\t")[0].split(" ", 2)
            if len(parts) < 2 or not all(parts):
                problem(number, "error", "malformed attribute line: expected "
                                         "'A1<TAB>Name T1 value'")
            elif parts[0] == VERDICT_ATTRIBUTE and len(parts) == 3:
                attached.append(_Attached(number, VERDICT_ATTRIBUTE, parts[1],
                                          parts[2].rstrip()))
            else:
                problem(number, "warning", f"attribute {_clip(parts[0], 40)!r} ignored: "
                                           f"annotate keeps only the {VERDICT_ATTRIBUTE} "
                                           "attribute, with a value")
        elif kind == "#":
            data, _, comment = rest.partition("\t")
            parts = data.split()
            if len(parts) != 2:
                problem(number, "error", "malformed note line: expected "
                                         f"'#1<TAB>{NOTE_TYPE} T1<TAB>text'")
            elif parts[0] in (NOTE_TYPE, SOURCE_TYPE, TAG_TYPE):
                # brat strips a comment's text (OnelineCommentAnnotation.get_text).
                attached.append(_Attached(number, parts[0], parts[1], comment.strip()))
            else:
                problem(number, "warning", f"comment type {_clip(parts[0], 40)!r} ignored: "
                                           f"annotate reads {NOTE_TYPE}, {SOURCE_TYPE} and "
                                           f"{TAG_TYPE}")
        elif kind in _UNSUPPORTED:
            problem(number, "warning", f"{_UNSUPPORTED[kind]} ignored: annotate's annotations "
                                       "are labelled spans, with no relations between them")
        else:
            problem(number, "error", f"unknown line type {kind!r} (brat's are T, R, E, A, M, "
                                     "N, # and *)")

    for entry in attached:
        item = items.get(entry.target)
        if item is None:
            if entry.target in failed:
                continue  # its T line is reported; what it carries goes with it
            if entry.target in other:
                problem(entry.line, "warning", f"{entry.kind} of {entry.target} ignored: only "
                                               "text-bound (T) annotations are read")
            else:
                problem(entry.line, "error", f"{entry.kind} of {_clip(entry.target, 40)}, "
                                             "which no line defines")
            continue
        if entry.kind in (NOTE_TYPE, VERDICT_ATTRIBUTE):
            name = "note" if entry.kind == NOTE_TYPE else "verdict"
            if getattr(item, name):
                problem(entry.line, "error", f"a second {entry.kind} for {item.id}: annotate "
                                             f"keeps one {name}; this line is not read")
            elif entry.kind == NOTE_TYPE:
                items[item.id] = dataclasses.replace(item, note=entry.value)
            else:
                items[item.id] = dataclasses.replace(item, verdict=entry.value)
        elif entry.value and entry.kind == SOURCE_TYPE:
            items[item.id] = dataclasses.replace(item, sources=(*item.sources, entry.value))
        elif entry.value:
            items[item.id] = dataclasses.replace(item, tags=(*item.tags, entry.value))
    problems.sort(key=lambda p: p.line)
    return ParsedAnn(sorted(items.values(), key=lambda item: item.line), problems)


_UNSUPPORTED = {"R": "relation", "E": "event", "N": "normalization"}


def _textbound(identifier: str, number: int, rest: str, text: str
               ) -> tuple[BratItem | None, str | None]:
    """A T line's item (None if refused) and the message to report, if any."""
    data, tab, tail = rest.partition("\t")
    match = _TEXTBOUND.fullmatch(data)
    if match is None:
        return None, "malformed text-bound line: expected 'T1<TAB>label start end<TAB>text'"
    label = match.group(1)
    fragments = [(int(pair.split(" ")[0]), int(pair.split(" ")[1]))
                 for pair in match.group(2).split(";")]
    for start, end in fragments:
        if start >= end:
            return None, f"empty span {start}..{end}: a span covers at least one character"
        if end > len(text):
            return None, f"offsets {start}..{end} are outside the document (0..{len(text)})"
    ordered = sorted(fragments)
    if any(a_end >= b_start for (_, a_end), (b_start, _) in itertools.pairwise(ordered)):
        return None, "fragments overlap or touch (brat refuses them too)"
    expected = DISCONTINUOUS_SEPARATOR.join(text[start:end] for start, end in fragments)
    message = None
    stored, after = tail[:len(expected)], tail[len(expected):]
    if not tab or (stored != expected and not tail.strip()):
        # brat fills a missing text from the document, and so do we (a span
        # of whitespace has its text, blank as it is, when it matches).
        message = "no text after the offsets: the document's text is taken, as brat does"
    else:
        if stored != expected:
            return None, (f"stored text “{_clip(stored)}” is not the document's text at "
                          f"{match.group(2)}: “{_clip(expected)}”"
                          + _offset_hint(text, fragments, stored))
        if after and not after[0].isspace():
            return None, (f"the stored text runs on past the span: “{_clip(after)}” "
                          "(brat refuses this too)")
        if after.strip():
            message = f"text after the span's text ignored: “{_clip(after)}”"
    if len(fragments) > 1 and not joins(text, fragments):
        return None, (f"discontinuous annotation ({len(fragments)} fragments, "
                      f"{match.group(2)}): annotate's spans are contiguous, so it is not "
                      "imported; join or split it in brat")
    start, end = fragments[0][0], fragments[-1][1]
    return BratItem(identifier, number, label, start, end, text[start:end]), message


def joins(text: str, fragments: Sequence[tuple[int, int]]) -> bool:
    """Whether fragments are one span that brat split at line breaks or tabs:
    in order, and every gap whitespace holding a line break or a tab."""
    for (_, end), (start, _) in itertools.pairwise(fragments):
        gap = text[end:start]
        if not gap or not gap.isspace() or not _BRAT_SPLITS.intersection(gap):
            return False
    return True


def _offset_hint(text: str, fragments: Sequence[tuple[int, int]], stored: str) -> str:
    """Why the offsets may be off: counted in UTF-16, or on a copy without CRs."""
    if len(fragments) != 1:
        return ""
    start, end = fragments[0]
    units = text.encode("utf-16-le", "surrogatepass")
    try:
        as_utf16 = units[2 * start:2 * end].decode("utf-16-le")
    except UnicodeDecodeError:
        as_utf16 = None
    if as_utf16 == stored:
        return ("; the offsets fit the text counted in UTF-16 code units (brat's browser "
                "client, or brat on a narrow Python 2 build), not in characters")
    without_cr = text.replace("\r\n", "\n")
    if without_cr != text and without_cr[start:end] == stored:
        return ("; the offsets fit the document with its CRLF line endings read as LF: the "
                ".ann was made on a copy with LF line endings")
    return ""


def _clip(value: str, limit: int = 60) -> str:
    """A value for a message: on one line, at most limit characters."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- which document a .ann file is about ----------------------------------------------


class DocumentMatch(NamedTuple):
    """The document a .ann file is about, or None and why."""

    document: str | None
    problem: str | None


def document_for_ann(stem: str, document_ids: Iterable[str]) -> DocumentMatch:
    """The corpus document a ``.ann`` file annotates, from the file's path without
    ``.ann`` ("/"-separated, with as many of its folders as known): the
    document whose brat name ends the path or is ended by it
    (``out/alice/article`` -> ``article.txt``), the one matching the most
    trailing folders when several do (``out/alice/politics/article`` ->
    ``politics/article.txt`` rather than ``article.txt``).  None with a reason
    when no document, or several equally, match (``--document`` settles it)."""
    parts = [part for part in stem.split("/") if part]
    best: list[str] = []
    best_shared = 0
    for document in document_ids:
        name = brat_name(document).split("/")
        shared = 0
        while (shared < min(len(name), len(parts))
               and name[-1 - shared] == parts[-1 - shared]):
            shared += 1
        # One path must end the other: "alice/article" is not "politics/article".
        if shared == 0 or shared < min(len(name), len(parts)):
            continue
        if shared > best_shared:
            best, best_shared = [document], shared
        elif shared == best_shared:
            best.append(document)
    shown = "/".join(parts)
    if len(best) == 1:
        return DocumentMatch(best[0], None)
    if not best:
        return DocumentMatch(None, f"no document of the corpus goes with {shown}.ann (brat "
                                   f"pairs {parts[-1] if parts else ''}.ann with "
                                   f"{parts[-1] if parts else ''}.txt); pass --document")
    return DocumentMatch(None, f"{shown}.ann could belong to {_some(sorted(best))}; pass "
                               "--document")


# -- import: the importer annotate.interchange.importing calls ------------------------

def load(data: bytes, path: str, corpus: Corpus) -> Parsed:
    """A .ann file's text-bound annotations as import candidates: the document
    is --document, else the one the file's name matches (``document_for_ann``);
    the reviewer is the folder it sits in (export writes one per reviewer),
    above the document's own folders (``alice/politics/article.ann``: alice),
    unless --reviewer says otherwise.  brat's offsets are the span itself;
    each stored text is checked against the document's slice."""
    stem = (path[:-4] if path.endswith(".ann") else path).replace(os.sep, "/")
    document = corpus.chosen
    if document is None:
        match = document_for_ann(stem, corpus.document_ids)
        if match.document is None:
            return Parsed((Rejected("the file", match.problem or "it names no document"),))
        document = match.document
    text = corpus.read(document)
    if text is None:
        return Parsed((Rejected("the file", f"cannot read document {document!r}"),))
    try:
        ann = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return Parsed((Rejected("the file", f"is not UTF-8 (byte {error.start})"),))
    parsed = parse_ann(ann, text)
    parts = [part for part in stem.split("/") if part not in ("", ".", "..")]
    # Export writes REVIEWER/<brat name>.ann: for a document in a folder of
    # the corpus (politics/article) the reviewer is the folder above those.
    name = brat_name(document).split("/")
    folders = parts[:-len(name)] if parts[-len(name):] == name else parts[:-1]
    reviewer = folders[-1] if folders else None
    found: list[tuple[int, Candidate | Rejected]] = [
        (problem.line, Rejected(f"line {problem.line}", problem.message))
        for problem in parsed.problems if problem.severity == "error"]
    found += [(item.line, Candidate(
        where=f"line {item.line} ({item.id})", quote=item.text, start=item.start, end=item.end,
        exact_position=True, label=item.label, note=item.note, verdict=item.verdict,
        sources=item.sources, tags=item.tags, reviewer=reviewer, creator=reviewer,
        document_id=document, source_id=item.id)) for item in parsed.items]
    # The caller puts the file's name before each note.
    notes = tuple(f"line {problem.line}: {problem.message}"
                  for problem in parsed.problems if problem.severity == "warning")
    if reviewer is not None and parsed.items and not corpus.reviewer_given:
        # A folder such as Downloads/ would otherwise become a reviewer unseen.
        notes += (f"the reviewer is the folder's name, {reviewer!r}, unless --reviewer "
                  "names another",)
    return Parsed(tuple(item for _, item in sorted(found, key=lambda pair: pair[0])), notes)
