"""`annotate documents`: the corpus as a table or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from annotate.report.listing import table, to_json
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.api import DocumentInfo

Renderer = Callable[[Sequence["DocumentInfo"]], str]


def documents_table(infos: Sequence[DocumentInfo]) -> str:
    """One row a document, its version shortened to 12 hex digits; nothing when empty."""
    if not infos:
        return ""
    # File and reviewer names are user data: a name may hold escape sequences.
    return table(("DOCUMENT", "CHARACTERS", "ANNOTATIONS", "REVIEWERS", "SHA256"),
                 [(escape(i.id), str(i.characters), str(i.annotations),
                   escape(",".join(i.reviewers)) or "-", i.sha256[:12]) for i in infos])


def documents_json(infos: Sequence[DocumentInfo]) -> str:
    """A JSON array of {id, sha256, characters, annotations, reviewers}."""
    return to_json([{"id": i.id, "sha256": i.sha256, "characters": i.characters,
                     "annotations": i.annotations, "reviewers": list(i.reviewers)}
                    for i in infos])


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "table": documents_table,
    "json": documents_json,
})
