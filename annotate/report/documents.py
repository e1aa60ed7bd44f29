"""`annotate documents`: the corpus as a table or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from annotate.report.listing import one_line, table, to_json
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.api import DocumentInfo

Renderer = Callable[[Sequence["DocumentInfo"]], str]


def documents_table(infos: Sequence[DocumentInfo]) -> str:
    """One row a document: who annotated it (REVIEWERS), who finished it, the
    records of its merged consensus ("-": never merged), how many versions
    of it there are (the stored ones and the current text: `annotate diff`
    compares two), its version shortened to 12 hex digits; nothing when
    empty.  A document that cannot
    be read says why in a PROBLEM column."""
    if not infos:
        return ""
    # File and reviewer names are user data: a name may hold escape sequences.
    headers: tuple[str, ...] = ("DOCUMENT", "CHARACTERS", "ANNOTATIONS", "REVIEWERS",
                                "FINISHED", "CONSENSUS", "VERSIONS", "SHA256")
    rows: list[tuple[str, ...]] = [
        (escape(i.id), str(i.characters) if i.sha256 else "-", str(i.annotations),
         escape(",".join(i.reviewers)) or "-", escape(",".join(i.finished)) or "-",
         "-" if i.consensus is None else str(i.consensus), str(len(i.versions)),
         i.sha256[:12] or "-")
        for i in infos]
    if any(i.problem for i in infos):
        headers += ("PROBLEM",)
        rows = [(*row, escape(one_line(i.problem or "", 200)))
                for row, i in zip(rows, infos, strict=True)]
    return table(headers, rows)


def documents_json(infos: Sequence[DocumentInfo]) -> str:
    """A JSON array of {id, sha256, characters, annotations, reviewers, finished,
    consensus, versions: [{number, sha256, current}] oldest first, problem}."""
    return to_json([{"id": i.id, "sha256": i.sha256 or None,
                     "versions": [{"number": v.number, "sha256": v.sha256,
                                   "current": v.current} for v in i.versions],
                     "characters": i.characters if i.sha256 else None,  # "": not read
                     "annotations": i.annotations, "reviewers": list(i.reviewers),
                     "finished": list(i.finished), "consensus": i.consensus,
                     "problem": i.problem} for i in infos])


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "table": documents_table,
    "json": documents_json,
})
