"""`annotate review` (issue 11): stepping through a document sentence by
sentence, one decision a key.

``open_review`` gathers what a session needs (the document, its numbered
sentences, the claim candidates, every reviewer's annotations, the
reviewer's progress); the ``ReviewSession`` it returns saves each decision
at once, through the same calls as the commands (`add`, `edit`, `rm`:
``add_annotation``, ``edit_annotation``, ``remove_annotation``), so a
decision made here passes the same rule book and is written atomically
under the document's lock.  Skips have no annotation to live in: they are
kept in the reviewer's progress file (store.progress_path), per document
version.  No click, no printing: the command line draws and asks.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from annotate import rules, spans, store, workspace
from annotate.api._common import Notify, _no_notes, document, refuse_reserved
from annotate.api.annotations import (
    add_annotation,
    edit_annotation,
    list_annotations,
    remove_annotation,
)
from annotate.candidates import Reason, reasons
from annotate.errors import DocumentChangedError, InvalidValueError
from annotate.model import (
    Annotation,
    Document,
    Label,
    ReviewProgress,
    Sentence,
)
from annotate.suggest import shell_word
from annotate.workspace import Workspace


@dataclass(frozen=True)
class Changed:
    """The document changed since the reviewer's last session on it."""

    last_version: str | None  # the version of their last review decisions (progress file)
    last_decided: str | None  # when they were made
    stale: int  # the reviewer's annotations made on another version (not orphaned)


@dataclass(frozen=True)
class Target:
    """Where a label key would go: the whole sentence or a quote in it, and
    the reviewer's annotation already on exactly that span, if any."""

    number: int
    spec: spans.SpanSpec
    start: int
    end: int
    existing: Annotation | None
    note: str | None = None  # how a typed quote was found, for the user


@dataclass(frozen=True)
class SentenceView:
    """What the screen shows of one sentence."""

    sentence: Sentence
    before: Sentence | None
    after: Sentence | None
    mine: tuple[Annotation, ...]  # the reviewer's annotations on it, in reading order
    others: tuple[Annotation, ...]  # everyone else's, consensus included
    skipped: bool
    reasons: tuple[Reason, ...]  # why it is a claim candidate (none: it is not)

    @property
    def decided(self) -> bool:
        """Labelled (an annotation of the reviewer's on it) or skipped."""
        return bool(self.mine) or self.skipped


@dataclass
class Tally:
    """What one session decided, for the summary."""

    labelled: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter)
    skipped: int = 0
    removed: int = 0
    notes: int = 0
    sources: int = 0


def _anchored(annotation: Annotation, doc: Document) -> bool:
    """A span that stands in the current text (as `show` draws it)."""
    return (not annotation.orphaned
            and doc.text[annotation.start:annotation.end] == annotation.quote)


class ReviewSession:
    """One reviewer's review of one document; each method saves one decision."""

    def __init__(self, ws: Workspace, doc: Document, reviewer: str,
                 sentences: Sequence[Sentence], notify: Notify) -> None:
        self.workspace = ws
        self.document = doc
        self.reviewer = reviewer
        self.sentences = tuple(sentences)
        self.reasons = {s.number: reasons(s.text, s.start) for s in self.sentences}
        self.tally = Tally()
        self._notify = notify
        self._annotations: list[Annotation] = []
        self._progress: ReviewProgress | None = None
        self.changed = self._reload(first=True)

    # -- what there is ----------------------------------------------------------

    @property
    def labels(self) -> tuple[Label, ...]:
        """The taxonomy."""
        return self.workspace.project.labels

    def order(self, only_candidates: bool) -> list[int]:
        """The sentence numbers to step through: all, or the candidates."""
        return [s.number for s in self.sentences
                if not only_candidates or self.reasons[s.number]]

    def view(self, number: int) -> SentenceView:
        """A sentence with its neighbours, its spans and its state."""
        sentence = self.sentences[number - 1]
        overlapping = [a for a in self._annotations if _anchored(a, self.document)
                       and a.start < sentence.end and sentence.start < a.end]
        return SentenceView(
            sentence,
            self.sentences[number - 2] if number > 1 else None,
            self.sentences[number] if number < len(self.sentences) else None,
            tuple(a for a in overlapping if a.reviewer == self.reviewer),
            tuple(a for a in overlapping if a.reviewer != self.reviewer),
            (sentence.start, sentence.end) in self._skipped(),
            self.reasons[number])

    def decided(self, numbers: Sequence[int]) -> list[int]:
        """Which of these sentences the reviewer has decided (labelled or skipped)."""
        skipped = self._skipped()
        mine = sorted((a.start, a.end) for a in self._annotations
                      if a.reviewer == self.reviewer and _anchored(a, self.document))
        starts = [start for start, _ in mine]
        # reach[i]: the furthest end of the first i spans, so "a span starting
        # before the sentence's end ends after its start" is one bisection.
        reach = [0, *itertools.accumulate((end for _, end in mine), max)]
        found = []
        for number in numbers:
            sentence = self.sentences[number - 1]
            before_end = bisect.bisect_left(starts, sentence.end)
            if (sentence.start, sentence.end) in skipped or reach[before_end] > sentence.start:
                found.append(number)
        return found

    def first_undecided(self, numbers: Sequence[int]) -> int | None:
        """The first of these sentences the reviewer has not decided, if any."""
        done = set(self.decided(numbers))
        return next((n for n in numbers if n not in done), None)

    # -- where a label goes ---------------------------------------------------------

    def target(self, number: int, quote: str | None = None) -> Target:
        """The whole sentence, or the first place of a typed quote in it (SpanError
        if it is not there), and the reviewer's annotation on exactly that span."""
        sentence = self.sentences[number - 1]
        if quote is None:
            spec: spans.SpanSpec = spans.SentenceSpan(number)
            start, end, note = sentence.start, sentence.end, None
        else:
            found = spans.quote_in_sentence(self.document.text, sentence, quote)
            spec, start, end, note = found.spec, found.start, found.end, found.note
        existing = next((a for a in self.view(number).mine
                         if (a.start, a.end) == (start, end)), None)
        return Target(number, spec, start, end, existing, note)

    def needs_source(self, target: Target, label: str) -> bool:
        """Whether labelling the target so needs a source URL the annotation lacks."""
        found = self.workspace.project.label(label)
        has = target.existing is not None and bool(target.existing.sources)
        return bool(found and found.requires_source and not has)

    def annotation_for_details(self, number: int) -> Annotation | None:
        """The annotation `n` and `l` change: the reviewer's last changed one on the sentence."""
        mine = self.view(number).mine
        return max(mine, key=lambda a: (a.modified, a.id)) if mine else None

    # -- decisions, each saved at once --------------------------------------------

    def label(self, target: Target, label: str, source: str | None = None) -> Annotation:
        """Label the target: a new annotation (as `annotate add`), or the reviewer's
        annotation on exactly that span relabelled (as `annotate edit --label`)."""
        self._still_current()
        sources = (source,) if source else ()
        if target.existing is None:
            made = add_annotation(self.workspace, self.document.id, target.spec, label=label,
                                  reviewer=self.reviewer, sources=sources,
                                  notify=self._notify)
        elif target.existing.label == label and not sources:
            return target.existing
        else:
            made = edit_annotation(self.workspace, target.existing.id,
                                   label=None if target.existing.label == label else label,
                                   add_sources=sources, notify=self._notify)
        self.tally.labelled[label] += 1
        self._record(target.number, skip=False)
        return made

    def note(self, number: int, text: str) -> Annotation:
        """Set the note of the reviewer's annotation on the sentence (as `annotate edit --note`)."""
        found = self._details_target(number)
        self._still_current()
        edited = edit_annotation(self.workspace, found.id, note=text)
        self.tally.notes += 1
        self._reload()
        return edited

    def add_source(self, number: int, url: str) -> Annotation:
        """Add a source URL to the reviewer's annotation on the sentence
        (as `annotate edit --add-source`)."""
        found = self._details_target(number)
        if url in found.sources:
            raise InvalidValueError(f"{found.id} already cites {url}")
        self._still_current()
        edited = edit_annotation(self.workspace, found.id, add_sources=(url,))
        self.tally.sources += 1
        self._reload()
        return edited

    def skip(self, number: int) -> bool:
        """Skip the sentence: remembered as read and left unmarked, unless the
        reviewer already labelled it.  True if that was a new decision."""
        view = self.view(number)
        if view.decided:
            return False
        self._still_current()
        self.tally.skipped += 1
        self._record(number, skip=True)
        return True

    def remove(self, number: int) -> list[Annotation]:
        """Remove the reviewer's annotations on the sentence (as `annotate rm`)
        and forget a skip: the sentence is undecided again."""
        view = self.view(number)
        self._still_current()
        removed = []
        for annotation in view.mine:
            found = remove_annotation(self.workspace, annotation.id)
            if found is not None:
                removed.append(found)
        self.tally.removed += len(removed)
        self._record(number, skip=False)
        return removed

    # -- inside ------------------------------------------------------------------

    def _details_target(self, number: int) -> Annotation:
        found = self.annotation_for_details(number)
        if found is None:
            raise InvalidValueError("you have no annotation on this sentence: label it first "
                                    "(then n adds a note, l a source)")
        return found

    def _skipped(self) -> set[tuple[int, int]]:
        progress = self._progress
        if progress is None or progress.document_sha256 != self.document.sha256:
            return set()
        return set(progress.skipped)

    def _record(self, number: int, *, skip: bool) -> None:
        """Remember a skip, or forget one, in the progress file (written only when
        it changes: the skips or the version they belong to); then reload."""
        sentence = self.sentences[number - 1]
        span = (sentence.start, sentence.end)
        skipped = self._skipped()
        before = set(skipped)
        if skip:
            skipped.add(span)
        else:
            skipped.discard(span)
        stored = self._progress
        if skipped != before or (stored is not None
                                 and stored.document_sha256 != self.document.sha256):
            progress = ReviewProgress(self.document.id, self.reviewer, self.document.sha256,
                                      tuple(sorted(skipped)), spans.now())
            store.save_version(self.workspace, self.document)
            with store.document_session(self.workspace, self.document.id) as session:
                session.write_progress(progress)
        self._reload()

    def _reload(self, first: bool = False) -> Changed | None:
        """Read every reviewer's annotations and the progress again (another
        reviewer may be writing too); the first time, say what changed."""
        self._annotations = list_annotations(self.workspace, self.document.id)
        self._progress = store.read_progress(self.workspace, self.document.id, self.reviewer)
        if not first:
            return None
        progress = self._progress
        moved = progress is not None and progress.document_sha256 != self.document.sha256
        stale = sum(1 for a in self._annotations
                    if a.reviewer == self.reviewer and not a.orphaned
                    and a.document_sha256 != self.document.sha256)
        if not moved and not stale:
            return None
        return Changed(progress.document_sha256 if moved and progress else None,
                       progress.updated if moved and progress else None, stale)

    def _still_current(self) -> None:
        """Refuse to save on sentence numbers of a text that is no longer the file's."""
        now = document(self.workspace, self.document.id)
        if now.sha256 != self.document.sha256:
            raise DocumentChangedError(
                f"{self.document.id} changed on disk during this review, so its sentences "
                "are no longer the ones shown; nothing more was saved (every decision before "
                f"was). Run 'annotate reanchor {shell_word(self.document.id)}', then 'annotate "
                f"review {shell_word(self.document.id)}' again")


def open_review(ws: Workspace, reference: str, *, reviewer: str | None = None,
                notify: Notify = _no_notes) -> ReviewSession:
    """Start a review of a document: its sentences, the annotations on it, the
    reviewer's progress; refuses a reviewer name that could not be saved
    before anything is asked."""
    who, origin = ((reviewer, None) if reviewer is not None
                   else workspace.default_reviewer(ws.root))
    refuse_reserved(who, " of several reviewers; review under your own name")
    doc = document(ws, reference)
    probe = ReviewProgress(doc.id, who, doc.sha256, (), spans.now())
    problems = [p for p in rules.progress_problems(probe.to_record(), doc.id, who)
                if p.is_error]
    problem = problems[0].message if problems else store.unportable_reviewer(ws, doc.id, who)
    if problem is not None:
        hint = f" (the name came from {origin}: fix it there, or pass --reviewer)" \
            if origin else ""
        raise InvalidValueError(problem + hint)
    return ReviewSession(ws, doc, who, store.document_sentences(ws, doc), notify)
