"""The metadata record of a fetched or ingested document
(``annotations/<document>/metadata.json``, schemas/metadata.schema.json).

Top-level fields describe the page as it was last brought in: where it
was asked for and where it ended up, what it says about itself, when and
by whom, the HTTP answer, and the SHA-256 of the raw HTML (kept as
``annotations/.versions/<html_sha256>.html``) and of the text extracted from
it (the document version, ``.versions/<document_sha256>.txt``).
``earlier`` lists the previous versions brought in, oldest first, each with
the same proof: together they say which page a version of the article came
from, and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from annotate.model import Source

# The fields of a version, kept in ``earlier`` when a newer one replaces it.
VERSION_FIELDS = ("method", "fetched", "fetched_by", "document_sha256", "html_sha256",
                  "final_url", "http_status", "file")


def record(*, document: str, method: str, fetched: str, document_sha256: str,
           **fields: Any) -> dict[str, Any]:
    """A metadata record: the required fields and every given field that is
    not None or empty."""
    found: dict[str, Any] = {"document": document, "method": method, "fetched": fetched,
                             "document_sha256": document_sha256}
    for name, value in fields.items():
        if value is None or value == () or value == []:
            continue
        found[name] = list(value) if isinstance(value, tuple) else value
    return found


def succeed(previous: Mapping[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """``new``, with the versions of ``previous`` (the record it replaces) in its
    ``earlier`` list."""
    if previous is None:
        return new
    earlier = [dict(entry) for entry in previous.get("earlier", ())]
    earlier.append({name: previous[name] for name in VERSION_FIELDS if name in previous})
    return {**new, "earlier": earlier}


def address_key(url: str) -> str:
    """An address as compared with another: scheme and host in lower case, the
    default port and the fragment dropped, an empty path as "/"."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def addresses(value: Mapping[str, Any]) -> set[str]:
    """The address keys a record (or any mapping with these fields) knows the
    page by: as asked for, after redirects, and canonical."""
    return {address_key(value[name]) for name in ("url", "final_url", "canonical_url")
            if isinstance(value.get(name), str) and value[name]}


def same_page(a: Iterable[str], b: Iterable[str]) -> bool:
    """True if two sets of address keys share one."""
    return not set(a).isdisjoint(b)


def source(value: Mapping[str, Any]) -> Source:
    """What an export says of the page: its address (canonical, else after
    redirects, else as asked for), headline, authors, publication date, site."""
    url = value.get("canonical_url") or value.get("final_url") or value.get("url")
    return Source(url=url, title=value.get("title"), authors=tuple(value.get("authors", ())),
                  published=value.get("published"), site_name=value.get("site_name"))
