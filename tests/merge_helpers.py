"""Small builders for the merge tests: annotations on one synthetic document."""

from __future__ import annotations

import itertools

from annotate.model import Annotation

DOCUMENT = "article.txt"
SHA = "a" * 64
# Letters only, so every span has text; long enough for every test's offsets.
TEXT = "".join(chr(ord("a") + (i * 7) % 26) for i in range(20_000))

_ids = itertools.count(1)


def ann(reviewer: str, start: int, end: int, label: str = "disputed", *,
        id: str | None = None, note: str = "", sources: tuple[str, ...] = (),
        verdict: str | None = None, tags: tuple[str, ...] = (),
        orphaned: bool = False, sha: str = SHA, document: str = DOCUMENT) -> Annotation:
    """An annotation of TEXT[start:end] by reviewer."""
    return Annotation(
        id=id or f"{next(_ids):04d}{reviewer}", document=document, document_sha256=sha,
        start=start, end=end, quote=TEXT[start:end], prefix=TEXT[max(0, start - 32):start],
        suffix=TEXT[end:end + 32], label=label, reviewer=reviewer, note=note, sources=sources,
        created="2026-01-01T00:00:00.000Z", modified="2026-01-01T00:00:00.000Z",
        verdict=verdict, tags=tags, orphaned=orphaned)
