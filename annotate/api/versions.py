"""Operations on the versions of a document: which there are, and what
changed between two of them (`annotate diff`, issue 12 item 5)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from annotate import store
from annotate.api._common import Notify, _no_notes
from annotate.errors import DocumentEncodingError, UnknownVersionError
from annotate.model import Annotation, Document
from annotate.versions.history import Version, ordered, resolve
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.anchoring.reanchor import Reanchored
    from annotate.versions.changes import TextChanges


def document_versions(ws: Workspace, document_id: str, current: str | None,
                      annotations: Sequence[Annotation] | None = None) -> list[Version]:
    """The versions of a document, oldest first: the ones the store listed for
    it, the stored ones its records name, and the current text (``current``:
    its SHA-256, None if it cannot be read); ``annotations``: the document's
    records when the caller has read them already (docs/diff.md)."""
    return ordered(store.read_version_list(ws, document_id),
                   store.named_versions(ws, document_id, annotations), current,
                   lambda sha: store.has_version(ws, sha))


@dataclass(frozen=True)
class TouchedAnnotation:
    """An annotation whose span a change of the diff overlaps.

    ``on`` says which version its offsets are on: ``from`` (made on the
    older side, not yet re-anchored: ``reanchored`` is what re-anchoring it
    onto the --to version gives, computed, nothing written) or ``to``
    (already on the newer side: made there, or moved there by `annotate
    reanchor`, which kept an edited quote as ``previous_quote``).
    """

    annotation: Annotation
    on: Literal["from", "to"]
    hunks: tuple[int, ...]  # indices of the hunks whose changes it overlaps
    reanchored: Reanchored | None


@dataclass(frozen=True)
class DiffReport:
    """What `annotate diff` shows: the two versions, the changes and the
    annotations they touch."""

    document: str
    old: Version
    new: Version
    old_characters: int
    new_characters: int
    changes: TextChanges
    touched: tuple[TouchedAnnotation, ...]
    versions: tuple[Version, ...]  # every version of the document, oldest first


def diff(ws: Workspace, reference: str, from_version: str | None = None,
         to_version: str | None = None, notify: Notify = _no_notes) -> DiffReport:
    """What changed between two versions of a document, word by word, and
    which annotations the changes touch (with what re-anchoring does to
    them).  --to defaults to the current text, --from to the version before
    --to; writes nothing."""
    from annotate.versions.changes import compare

    document_id = store.resolve_document(ws, reference)
    current: Document | None = None
    unreadable: DocumentEncodingError | None = None
    try:
        current = store.read_document(ws, document_id)
    except DocumentEncodingError as error:
        unreadable = error
    annotations = _annotations(ws, document_id)
    versions = document_versions(ws, document_id, current.sha256 if current else None,
                                 annotations)
    stored = store.stored_versions(ws)
    if unreadable is not None and (to_version or "current").strip().lower() == "current":
        raise UnknownVersionError(f"{unreadable}; compare stored versions with --from and "
                                  "--to")
    new = resolve(to_version or "current", versions, document_id, stored)
    old = (resolve(from_version, versions, document_id, stored) if from_version is not None
           else _before(new, versions, document_id, notify))
    for version in (old, new):
        if version.number is None:
            notify(f"{version.sha256[:12]} is a stored text that nothing records as a "
                   f"version of {document_id}")
    old_text, new_text = _text(ws, old, current, document_id), _text(ws, new, current,
                                                                       document_id)
    changes = compare(old_text, new_text)
    touched = () if changes.identical else tuple(
        _touched(annotations, old, new, old_text, new_text, changes))
    return DiffReport(document_id, old, new, len(old_text), len(new_text), changes, touched,
                      tuple(versions))


def _annotations(ws: Workspace, document_id: str) -> list[Annotation]:
    """Every reviewer's records of the document (the consensus's too), by
    reviewer, in file order: as `annotate reanchor` takes them."""
    found: list[Annotation] = []
    for path in store.reviewer_files(ws, document_id).values():
        found.extend(store.read_annotation_file(ws, path))
    return found


def _before(new: Version, versions: Sequence[Version], document_id: str,
            notify: Notify) -> Version:
    """The default --from: the version before --to (for the current text,
    the newest other one); --to itself if there is none."""
    if new.current:
        earlier = [v for v in versions if not v.current]
    else:
        earlier = [v for v in versions if v.number is not None and new.number is not None
                   and v.number < new.number]
    if earlier:
        return earlier[-1]
    notify(f"{document_id} has no version before {new.describe()}: nothing to compare "
           "(a version is stored when someone annotates the text, and kept when it changes)")
    return new


def _text(ws: Workspace, version: Version, current: Document | None,
          document_id: str) -> str:
    if version.current and current is not None:
        return current.text
    text = store.read_version(ws, version.sha256)
    if text is None:
        raise UnknownVersionError(
            f"the stored text of {version.describe()} of {document_id} is missing or damaged "
            f"(its SHA-256 does not match): {ws.relative(store.version_path(ws, version.sha256))}"
            "; restore it from git")
    return text


def _touched(annotations: Sequence[Annotation], old: Version, new: Version, old_text: str,
             new_text: str, changes: TextChanges) -> list[TouchedAnnotation]:
    """The annotations on either version whose span a change overlaps (an
    insertion strictly inside it, or removed or replaced text in it), with
    what re-anchoring does to those on the older side."""
    from annotate.anchoring.reanchor import reanchor

    hunk_of = {k: h for h, hunk in enumerate(changes.hunks) for k in hunk.changes}
    sides = [("from", [a for a in annotations if a.document_sha256 == old.sha256],
              [(c.old_start, c.old_end) for c in changes.changes]),
             ("to", [a for a in annotations if a.document_sha256 == new.sha256
                     and not a.orphaned],
              [(c.new_start, c.new_end) for c in changes.changes])]
    found: list[tuple[tuple[int, int, int, str, str], TouchedAnnotation]] = []
    for side, records, spans in sides:
        ends = [end for _, end in spans]
        hits: list[tuple[Annotation, tuple[int, ...]]] = []
        for annotation in records:
            k = bisect.bisect_right(ends, annotation.start)
            overlapping = []
            while k < len(spans) and spans[k][0] < annotation.end:
                overlapping.append(k)
                k += 1
            if overlapping:
                hunks = tuple(dict.fromkeys(hunk_of[k] for k in overlapping))
                hits.append((annotation, hunks))
        results: dict[tuple[str, str], Reanchored] = {}
        if side == "from" and hits:
            # Every record on that version in one call, as `annotate reanchor`
            # makes it, so the outcome shown is the one it would give.
            outcomes = reanchor(old_text, new_text, new.sha256, records)
            results = {(r.reviewer, r.id): result
                       for r, result in zip(records, outcomes, strict=True)}
        for annotation, hunks in hits:
            key = (annotation.reviewer, annotation.id)
            order = (hunks[0], side == "to", annotation.start, annotation.reviewer,
                     annotation.id)
            found.append((order,
                          TouchedAnnotation(annotation, "from" if side == "from" else "to",
                                            hunks, results.get(key))))
    found.sort(key=lambda pair: pair[0])
    return [touched for _, touched in found]
