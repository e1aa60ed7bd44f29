"""Hypothesis strategies for the interchange tests: documents and the
annotations a user could have made on them.

Texts mix scripts and the characters that trip offsets up: characters
outside the BMP (JavaScript counts them twice), combining marks (a span
must not split "é" written as e + U+0301), CRLF line endings, right-to-left
text and flags.  Annotations are what `add` accepts: spans on grapheme
boundaries with some text in them, labels of the default taxonomy (with a
source where the label needs one), reviewer names, notes of any text,
sources written as URIs and as IRIs, tags, verdicts, timestamps.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from annotate.anchoring.textindex import context, splits_grapheme, splits_line_ending
from annotate.model import Annotation, Document
from annotate.workspace import DEFAULT_LABELS, DEFAULT_VERDICTS

PIECES = ["Kim", "Putin", "met", "in", "Vostochny", "said", "the", "missile", " ", " ", ", ",
          ". ", "\n", "\r\n", "\n\n", "café", "cafe\u0301", "Straße", "😀", "𝔘𝔫𝔦", "🇰🇵",
          "👩‍🔬", "שלום", "مرحبا", "北朝鮮", "“quoted”", "—", "e\u0301\u0323", "\t"]

REVIEWERS = ["alice", "bob@factdesk.example", "dora@hypothes.is", "sam_k", "x-1+2"]
SOURCES = ["https://www.iiss.org/publications/", "https://de.wikipedia.org/wiki/Straße",
           "http://bücher.example/suche?q=ü#treffer", "https://例え.テスト/パス",
           "https://x.example/a%20b?c=d&e=%2F", "HTTPS://EXAMPLE.ORG/Upper"]
TAGS = ["missiles", "North Korea", "Ünïcode", "😀 tag", "a/b", "quotes “x”"]
LABELS = [label.name for label in DEFAULT_LABELS]
NEEDS_SOURCE = {label.name for label in DEFAULT_LABELS if label.requires_source}

texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map("".join).filter(
    lambda text: bool(text.strip()))


def document(document_id: str, text: str) -> Document:
    """A Document as the store reads it (the version is the hash of the UTF-8 bytes)."""
    return Document(document_id, text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def boundaries(text: str) -> list[int]:
    """The offsets a span may start or end at."""
    return [i for i in range(len(text) + 1)
            if not splits_grapheme(text, i) and not splits_line_ending(text, i)]


timestamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 1, 1)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z")


@st.composite
def annotations_on(draw: st.DrawFn, doc: Document, max_size: int = 6,
                   id_prefix: str = "a") -> list[Annotation]:
    """Annotations of one document, no two with the same reviewer, span and
    label (ids start with id_prefix: unique across documents)."""
    points = boundaries(doc.text)
    made: dict[tuple[str, int, int, str], Annotation] = {}
    for number in range(draw(st.integers(0, max_size))):
        start = draw(st.sampled_from(points[:-1]))
        end = draw(st.sampled_from([p for p in points if p > start]))
        if not doc.text[start:end].strip():
            continue
        label = draw(st.sampled_from(LABELS))
        sources = draw(st.lists(st.sampled_from(SOURCES), unique=True,
                                min_size=1 if label in NEEDS_SOURCE else 0, max_size=3))
        first, second = sorted(draw(st.lists(timestamps, min_size=2, max_size=2)))
        prefix, suffix = context(doc.text, start, end)
        annotation = Annotation(
            id=f"{id_prefix}{number:02d}x" + draw(st.text("0123456789abcdefghjkmnpqrstvwxyz",
                                                 min_size=8, max_size=12)),
            document=doc.id, document_sha256=doc.sha256, start=start, end=end,
            quote=doc.text[start:end], prefix=prefix, suffix=suffix, label=label,
            reviewer=draw(st.sampled_from(REVIEWERS)), note=draw(st.text(max_size=40)),
            sources=tuple(sources), created=first, modified=second,
            verdict=draw(st.none() | st.sampled_from(DEFAULT_VERDICTS)),
            tags=tuple(draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3))))
        made.setdefault((annotation.reviewer, start, end, label), annotation)
    return list(made.values())


def record_fields(annotation: Annotation) -> dict[str, Any]:
    """A record for comparing, in a failure message."""
    return dict(annotation.to_record())
