"""What the operations share: the workspace, a document, a picked span, notes."""

from __future__ import annotations

from collections.abc import Callable

from annotate import spans, store, workspace
from annotate.errors import InvalidValueError
from annotate.model import CONSENSUS_REVIEWER, Document
from annotate.workspace import Workspace

MIN_ID_PREFIX = 4

Notify = Callable[[str], None]


def _no_notes(message: str) -> None:
    """Where notes go when the caller does not want them."""


def open_workspace(explicit: str | None = None) -> Workspace:
    """The workspace named by --workspace/$ANNOTATE_WORKSPACE, else found by walking up."""
    return workspace.load(workspace.locate(explicit))


def refuse_reserved(who: str, advice: str) -> None:
    """Refuse the reserved reviewer name ``consensus`` (the merge's own output)
    for anyone who writes: ``advice`` ends the message (e.g. "; annotate
    under your own name").  In any letter case: on the case-insensitive file
    systems of macOS and Windows, Consensus.jsonl is consensus.jsonl, which
    the next merge overwrites."""
    if who == CONSENSUS_REVIEWER:
        raise InvalidValueError(f"{CONSENSUS_REVIEWER!r} is reserved for the merged result"
                                f"{advice}")
    if who.casefold() == CONSENSUS_REVIEWER:
        raise InvalidValueError(f"{who!r} is the reserved name {CONSENSUS_REVIEWER!r} of the "
                                "merged result in other letters (on macOS and Windows its "
                                f"file is the consensus file){advice}")


def document(ws: Workspace, reference: str) -> Document:
    """The document a user named by id or by path."""
    return store.read_document(ws, store.resolve_document(ws, reference))


def pick(ws: Workspace, doc: Document, span: spans.SpanSpec, notify: Notify
          ) -> tuple[int, int]:
    """The span a user named on a document; how it was found goes to notify."""
    numbered = (store.document_sentences(ws, doc) if isinstance(span, spans.SentenceSpan)
                else None)
    picked = spans.pick(doc.text, span, numbered)
    if picked.note:
        notify(picked.note)
    return picked.start, picked.end
