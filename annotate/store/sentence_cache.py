"""Sentence boundaries, cached per document version."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from annotate.errors import UnsafePathError
from annotate.files import atomic_write, inside, read_file
from annotate.model import Document, Sentence
from annotate.workspace import Workspace

# -- sentence boundaries, cached per document version ---------------------------------
#
# pysbd takes about 1.5 s to segment 1 MB, and `add --sentence N` needs every
# sentence before N to number them (issue 8, item 15).  The boundaries of each
# document version are kept beside validate's cache in .annotate-cache/ (which
# git ignores), named by the document's SHA-256: an edited document is
# another version and never meets the boundaries of the old one.  A cache
# file is believed only if it names this version, this segmenter and this
# text length, its checksum holds and its spans are sound for the text; a
# damaged one is recomputed and rewritten, and a folder that cannot be
# written is no error.  The checksum is keyed with the user's secret
# (record_cache.user_secret), as validate's cache is: a cache committed to
# the repository by someone else (git add -f) never matches, so it cannot
# renumber this user's sentences.

SENTENCE_CACHE = (".annotate-cache", "sentences")
_SENTENCE_CACHE_FORMAT = 2  # 1: a plain SHA-256 of the boundaries, believed from anyone


def boundaries_checksum(document_sha256: str, segmenter: str, flat: str) -> str:
    """The keyed checksum of a version's boundaries as the cache stores them."""
    from annotate.store.record_cache import user_secret

    message = "\0".join((document_sha256, segmenter, flat)).encode("utf-8")
    return hmac.new(user_secret(), message, hashlib.sha256).hexdigest()


def document_sentences(workspace: Workspace, document: Document) -> list[Sentence]:
    """The numbered sentences of a document version, from the cache when it
    holds sound boundaries for it, else segmented and cached."""
    from annotate import sentences

    folder = workspace.root.joinpath(*SENTENCE_CACHE)
    path = folder / f"{document.sha256}.json"
    key = sentences.segmenter_key()
    spans = _cached_sentence_spans(workspace, path, document, key)
    if spans is None:
        spans = sentences.sentence_spans(document.text)
        _cache_sentence_spans(workspace, path, document, key, spans)
    return sentences.numbered(document.text, spans)


def _cached_sentence_spans(workspace: Workspace, path: Path, document: Document,
                           key: str) -> list[tuple[int, int]] | None:

    from annotate.sentences import spans_are_sound

    try:
        stored = json.loads(read_file(workspace, path))
        if not (isinstance(stored, dict)
                and stored.get("format") == _SENTENCE_CACHE_FORMAT
                and stored.get("segmenter") == key
                and stored.get("document_sha256") == document.sha256
                and stored.get("length") == len(document.text)):
            return None
        flat = stored["boundaries"]
        if not hmac.compare_digest(boundaries_checksum(document.sha256, key, flat),
                                   stored["boundaries_mac"]):
            return None
        numbers = [int(n) for n in flat.split(",")] if flat else []
    except (OSError, UnsafePathError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if len(numbers) % 2:
        return None
    # Stored as (gap before, length) pairs: small numbers, a small file.
    spans, end = [], 0
    for i in range(0, len(numbers), 2):
        start = end + numbers[i]
        end = start + numbers[i + 1]
        spans.append((start, end))
    return spans if spans_are_sound(document.text, spans) else None


def _cache_sentence_spans(workspace: Workspace, path: Path, document: Document, key: str,
                          spans: list[tuple[int, int]]) -> None:

    numbers: list[int] = []
    end = 0
    for start, stop in spans:
        numbers += (start - end, stop - start)
        end = stop
    flat = ",".join(map(str, numbers))
    data = json.dumps({
        "format": _SENTENCE_CACHE_FORMAT, "segmenter": key,
        "document_sha256": document.sha256, "length": len(document.text),
        "boundaries": flat,
        "boundaries_mac": boundaries_checksum(document.sha256, key, flat),
    })
    cache = path.parent.parent
    try:
        inside(workspace, path.parent)
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = cache / ".gitignore"
        if not ignore.exists():
            # The same file validate's cache writes: git ignores the whole folder.
            atomic_write(ignore, b"# annotate's cache: safe to delete\n*\n")
        atomic_write(inside(workspace, path), data.encode("utf-8"))
    except (OSError, UnsafePathError):
        pass  # a read-only checkout still numbers sentences; it just is not cached
