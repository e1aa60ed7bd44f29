"""The article in a page: its text as a document of the corpus, and what
the page says about it (headline, authors, site, dates, canonical address).

trafilatura finds the main text (it falls back on its readability port and
jusText when its own pass finds too little) and drops navigation, cookie
banners, related-article lists, comments, scripts and styles; its
paragraphs, headings, list items, quotes and table rows become the
document's paragraphs, separated by blank lines.  The headline is the
first paragraph (headlines make claims too) unless the body starts with
its own heading.  Typographic characters (quotes, dashes, ellipses,
guillemets) are kept as the page has them; trafilatura turns no-break
spaces into plain spaces.

Dates come from htmldate reading only what the page declares (meta tags,
JSON-LD, <time> elements, the address): no guessing from the running text.

A page in which less than ``MIN_ARTICLE_LETTERS`` letters survive is no
article (a page of navigation, a paywall, a cookie wall, an app its
scripts draw): ExtractionError, since storing its leftovers would have
reviewers annotate a cookie notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotate.errors import ExtractionError

if TYPE_CHECKING:
    from lxml.etree import _Element

# About three sentences: less is a page's furniture, not an article.
MIN_ARTICLE_LETTERS = 200

_SPACES = re.compile(r"[ \t\r\f\v]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Article:
    """What a page holds: the document's text and the page's own metadata."""

    text: str  # paragraphs separated by blank lines, ending in a newline
    title: str | None
    authors: tuple[str, ...]
    site_name: str | None
    canonical_url: str | None  # <link rel=canonical> (else og:url), http(s) only
    published: str | None  # YYYY-MM-DD
    modified: str | None  # YYYY-MM-DD, only when it differs from published


def extractor() -> str:
    """The extractor and its version, for the metadata record."""
    from importlib.metadata import version

    return f"trafilatura {version('trafilatura')}"


def extract_article(html: str, url: str | None, shown: str, *, saved: bool = False) -> Article:
    """The article of a page's HTML (``url``: where it came from, to resolve
    relative addresses); ExtractionError when there is none.  ``shown``
    names the page in messages; ``saved``: it is a file the user saved."""
    import htmldate
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError(f"{shown} is not an HTML page annotate can read" + _advice(saved))
    canonical = _canonical(tree, url)
    dates = {kind: htmldate.find_date(tree, extensive_search=False, original_date=kind,
                                      url=url, deferred_url_extractor=True)
             for kind in (True, False)}
    # Last: trafilatura cleans the tree it is given.
    found: Any = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, include_links=False, include_formatting=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    body = None if found is None else found.body
    blocks = [] if body is None else _blocks(body)
    title = _clean(getattr(found, "title", None))
    if title and not (blocks and (blocks[0][0] or _same(blocks[0][1], title))) and \
            not any(_same(text, title) for _, text in blocks):
        blocks.insert(0, (True, title))
    text = "\n\n".join(block for _, block in blocks)
    letters = sum(ch.isalpha() for ch in text)
    if letters < MIN_ARTICLE_LETTERS:
        raise ExtractionError(
            f"{shown} holds no article text annotate can find ({letters} letters outside "
            "navigation, banners and comments: a page of links, a paywall or cookie wall, or "
            "one its scripts draw?); nothing was written" + _advice(saved))
    published, modified = dates[True], dates[False]
    return Article(
        text=text + "\n", title=title, authors=_authors(getattr(found, "author", None)),
        site_name=_clean(getattr(found, "sitename", None)), canonical_url=canonical,
        published=published, modified=modified if modified != published else None)


def _advice(saved: bool) -> str:
    if saved:
        return ("; copy the article's text into a .txt file and run 'annotate ingest "
                "FILE.txt'")
    return ("; open it in a browser (logged in, if need be), save the page and run "
            "'annotate ingest page.html'")


def text_document(text: str, shown: str) -> str:
    """A plain text file as a document: line endings made "\\n", the byte
    order mark dropped, one newline at the end; ExtractionError if it holds
    no text."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip("\n")
    if not any(ch.isalnum() for ch in text):
        raise ExtractionError(f"{shown} holds no text; nothing was written")
    return text + "\n"


# -- the body, as paragraphs -------------------------------------------------------------


def _blocks(body: _Element) -> list[tuple[bool, str]]:
    """(is a heading, text) of each paragraph of trafilatura's body."""
    found: list[tuple[bool, str]] = []
    for element in body:
        tag = element.tag
        if tag == "list":
            found.extend((False, item) for item in _items(element))
        elif tag == "table":
            rows = [" | ".join(filter(None, (_inline(cell) for cell in row)))
                    for row in element.iter("row")]
            found.append((False, "\n".join(filter(None, rows))))
        else:
            found.append((tag == "head", _inline(element)))
    return [(heading, text) for heading, text in found if text]


def _items(element: _Element) -> list[str]:
    """Each item of a list (and of the lists inside it), as its own paragraph."""
    items: list[str] = []
    for item in element:
        nested = [child for child in item if child.tag == "list"]
        for child in nested:
            item.remove(child)
        items.append(_inline(item))
        for child in nested:
            items.extend(_items(child))
    return items


def _inline(element: _Element) -> str:
    """An element's text, its <lb/> as line breaks, spaces collapsed."""
    pieces: list[str] = []

    def walk(node: _Element) -> None:
        if node.tag == "lb":
            pieces.append("\n")
        elif node.text:
            pieces.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    text = _CONTROLS.sub("", "".join(pieces))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    text = _SPACES.sub(" ", _CONTROLS.sub("", value)).strip()
    return " ".join(text.split("\n")) or None


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _authors(value: str | None) -> tuple[str, ...]:
    names = (_clean(name) for name in (value or "").split(";"))
    return tuple(dict.fromkeys(name for name in names if name))


def _canonical(tree: _Element, base: str | None) -> str | None:
    """<link rel="canonical">, else og:url, made absolute; http(s) only."""
    from urllib.parse import urljoin, urlsplit

    candidates = [
        *(link.get("href") for link in tree.iter("link")
          if "canonical" in (link.get("rel") or "").lower().split()),
        *(meta.get("content") for meta in tree.iter("meta")
          if (meta.get("property") or meta.get("name") or "").lower() == "og:url"),
    ]
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        address = urljoin(base, candidate.strip()) if base else candidate.strip()
        parts = urlsplit(address)
        if parts.scheme in ("http", "https") and parts.netloc and \
                not any(ch.isspace() for ch in address):
            return str(address)
    return None
