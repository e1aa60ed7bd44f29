"""Numbered sentences of a document, for `annotate sentences` and `add --sentence`.

pysbd (a port of the Pragmatic Segmenter's rules) handles the abbreviations,
quotation marks and bullet lines of news text far better than a regex; on the
seed article it splits every sentence correctly.
"""

from __future__ import annotations

from annotate.anchoring.textindex import LineIndex
from annotate.model import Sentence

# Bullet characters that open a list item; they belong to the layout, not to
# the first sentence of the item.
_BULLETS = "•◦▪‣·*-–—"


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence with its code-point span, trimmed of surrounding space and bullets."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    index = LineIndex(text)
    sentences: list[Sentence] = []
    for span in segmenter.segment(text):
        start, end = _trim(text, span.start, span.end)
        if start >= end:
            continue
        line, column = index.position(start)
        sentences.append(Sentence(len(sentences) + 1, start, end, text[start:end], line, column))
    return sentences


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or
                           (text[start] in _BULLETS and start + 1 < end
                            and text[start + 1].isspace())):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
