"""Hypothesis strategies and builders shared by the interchange tests: documents
with the characters that break offset arithmetic, and annotations on them."""

from __future__ import annotations

import hashlib

from hypothesis import strategies as st

from annotate.anchoring.textindex import context
from annotate.model import CONSENSUS_REVIEWER, Annotation, Document, Project, Publisher
from annotate.workspace import DEFAULT_LABELS, DEFAULT_VERDICTS

PROJECT = Project("test desk", "corpus", "annotations", DEFAULT_LABELS, DEFAULT_VERDICTS)
PUBLISHED = Project("test desk", "corpus", "annotations", DEFAULT_LABELS, DEFAULT_VERDICTS,
                    publisher=Publisher("Fact Desk", "https://factdesk.example/",
                                        "https://factdesk.example/checks/{document}"
                                        "#{annotation}"),
                    documents_url="https://news.example/articles/")
REVIEWERS = ("alice", "bob", "dora@hypothes.is")
LABELS = tuple(label.name for label in DEFAULT_LABELS)

# Pieces of text: characters outside the BMP (one code point each, two in
# UTF-16), combining marks, ZWJ sequences, every kind of line break and
# control character brat or a terminal could choke on, CRLF as a unit.
PIECES = ("a", "b", "Kim", " ", "  ", "\t", "\n", "\r\n", "\r", "😀", "𝒳", "👩\u200d👩\u200d👧",
          "e\u0301", "\u0301", "’", "中", "ש", "\xa0", "\ufeff", "\x00", "\x07", "\x1b", "\x7f",
          "\x85", "\x0b", "\x0c", "\x1c", "\u2028", "\u2029", "\u200b")
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)
# Free text for notes and tags: anything Python can encode, lines and all.
notes = st.one_of(st.just(""), st.text(max_size=30),
                  st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
sources = st.lists(st.sampled_from(("https://a.example/x", "https://b.example/ü?q=1#f",
                                    "http://c.example/")), max_size=2, unique=True)
tags = st.lists(st.one_of(st.sampled_from(("missiles", "claimant:Kim Jong Un",
                                           "Claimant-Org:Ministry of Defence", "claimant:")),
                          st.text(min_size=1, max_size=12)), max_size=3, unique=True)


def document(text: str, id: str = "politics/article.txt") -> Document:
    return Document(id, text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def annotation(doc: Document, start: int, end: int, *, id: str, reviewer: str = "alice",
               label: str = "disputed", note: str = "", verdict: str | None = None,
               sources: tuple[str, ...] = (), tags: tuple[str, ...] = (),
               modified: str = "2026-11-29T10:00:00.000Z",
               provenance: dict[str, object] | None = None,
               orphaned: bool = False) -> Annotation:
    """An annotation of doc.text[start:end], with its quote and context."""
    prefix, suffix = context(doc.text, start, end)
    return Annotation(id=id, document=doc.id, document_sha256=doc.sha256, start=start, end=end,
                      quote=doc.text[start:end], prefix=prefix, suffix=suffix, label=label,
                      reviewer=reviewer, note=note, sources=sources,
                      created="2026-11-28T09:00:00.000Z", modified=modified, verdict=verdict,
                      tags=tags, orphaned=orphaned, provenance=provenance)


@st.composite
def annotated(draw: st.DrawFn, reviewers: tuple[str, ...] = REVIEWERS,
              verdicts: st.SearchStrategy[str | None] | None = None,
              max_size: int = 8) -> tuple[Document, list[Annotation]]:
    """A document and annotations on it by several reviewers (ids unique)."""
    doc = document(draw(texts))
    found = []
    for number in range(draw(st.integers(0, max_size))):
        start = draw(st.integers(0, len(doc.text) - 1))
        end = draw(st.integers(start + 1, len(doc.text)))
        reviewer = draw(st.sampled_from(reviewers))
        provenance = None
        if reviewer == CONSENSUS_REVIEWER:
            provenance = {"position": f"p{start}-{end}", "method": "majority",
                          "supporters": [{"reviewer": r, "annotation": f"{r[0]}{number:04d}"}
                                         for r in draw(st.lists(st.sampled_from(REVIEWERS),
                                                                min_size=1, unique=True))]}
        found.append(annotation(
            doc, start, end, id=f"{number:04d}{reviewer[0]}", reviewer=reviewer,
            label=draw(st.sampled_from(LABELS)), note=draw(notes),
            verdict=draw(verdicts if verdicts is not None
                         else st.one_of(st.none(), st.sampled_from(DEFAULT_VERDICTS))),
            sources=tuple(draw(sources)), tags=tuple(draw(tags)), provenance=provenance))
    return doc, found
