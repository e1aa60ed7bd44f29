"""Document ids for fetched and ingested articles.

The slug rule (docs/fetching.md): from the headline, else from the last
meaningful part of the address's path (or the saved file's name), else the
host.  Lower case; accents dropped from Latin letters ("Élysée" ->
"elysee"); letters and digits of every other script kept as they are
("мост", "大雪"); every run of anything else becomes one "-"; at most
``MAX_SLUG`` characters, cut at a "-" where there is one.  The id is the
slug and ".txt"; when that id is taken, "-2", "-3" ... before the ".txt".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

MAX_SLUG = 60
SUFFIX = ".txt"
# Path parts that say nothing about the article.
_EMPTY_PARTS = frozenset({"index", "default", "article", "story", "news", "amp", "html",
                          "content", "page", "view", "print"})
_EXTENSIONS = (".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".cms", ".txt")


def slugify(text: str) -> str:
    """``text`` as a slug (see the module's docstring); "" when nothing is left."""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue  # an accent on a Latin letter
        kept.append(ch)
    folded = unicodedata.normalize("NFC", "".join(kept)).lower()
    out: list[str] = []
    for ch in folded:
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    slug = "".join(out).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut[MAX_SLUG // 2:] else slug[:MAX_SLUG]
    return slug.strip("-")


def address_slug(url: str) -> str:
    """A slug from an address: its last meaningful path part, else its host."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    for part in reversed([p for p in unquote(parts.path).split("/") if p]):
        stem = _without_extension(part)
        slug = slugify(stem)
        if slug and not slug.isdigit() and slug not in _EMPTY_PARTS:
            return slug
    return slugify((parts.hostname or "").removeprefix("www."))


def file_slug(name: str) -> str:
    """A slug from a saved file's name."""
    return slugify(_without_extension(name))


def _without_extension(name: str) -> str:
    lowered = name.lower()
    for extension in _EXTENSIONS:
        if lowered.endswith(extension):
            return name[: -len(extension)]
    return name


def document_id(slug: str, taken: Callable[[str], bool]) -> str:
    """``slug`` + ".txt", or with "-2", "-3" ... while ``taken(id)``."""
    slug = slug or "article"
    candidate = slug + SUFFIX
    number = 2
    while taken(candidate):
        candidate = f"{slug}-{number}{SUFFIX}"
        number += 1
    return candidate
