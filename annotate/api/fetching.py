"""Bringing articles in (issue 12): fetch, ingest, refetch.

Each page goes through the same steps: its bytes (downloaded, or read from a
saved file), its text (charset), the article (extraction), a metadata
record (schemas/metadata.schema.json), and only then the workspace: the raw
HTML and the text kept as versions, the document and its record written
under the document's lock.  Everything that can refuse a page does so
before anything is written.

A page is one document: it is known by its addresses (as asked for, after
redirects, canonical), and bringing in a page a document already came from
updates that document (a new version, annotations re-anchored) instead of
making another.  An existing document is never replaced by a different
page, nor by one that was not brought in (a text placed by hand).
The rules users see: docs/fetching.md.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from annotate import portable, spans, store, workspace
from annotate.api._common import Notify, _no_notes
from annotate.errors import (
    AnnotateError,
    ExtractionError,
    FetchError,
    InputTooLargeError,
    InvalidValueError,
    UnsafePathError,
)
from annotate.model import Document
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.anchoring.reanchor import Reanchored
    from annotate.fetching.changes import ParagraphChange
    from annotate.fetching.http import Limits

Status = Literal["new", "changed", "unchanged", "failed", "skipped"]

# Saved pages and text files are read whole; past this they are refused unread.
MAX_INGEST_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Brought:
    """What happened to one document: brought in new, a changed or unchanged
    version, or why it could not be (failed) or was not tried (skipped)."""

    document: str | None  # None: a page that failed before it had an id
    status: Status
    source: str  # the address or file it came from
    sha256: str | None = None  # the document's version now
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    characters: int = 0
    paragraphs: int = 0
    changes: tuple[ParagraphChange, ...] = ()  # changed: paragraphs added, removed, edited
    reanchored: tuple[Reanchored, ...] = ()  # changed: each annotation moved, and how
    decisions_orphaned: int = 0  # changed: editor's decisions no longer placed
    problem: str | None = None  # failed or skipped: why
    notes: tuple[str, ...] = ()  # for the user: a charset that lied, a guess ...


@dataclass(frozen=True)
class FetchReport:
    """What `fetch`, `ingest` or `refetch` did, document by document."""

    documents: tuple[Brought, ...]

    def count(self, status: Status) -> int:
        """How many documents ended with this status."""
        return sum(entry.status == status for entry in self.documents)


@dataclass(frozen=True)
class _Page:
    """A page read and extracted, not yet stored."""

    text: str
    html: bytes | None
    fields: dict[str, Any]  # the metadata record's fields but document, fetched, hashes
    source: str
    slug: str
    notes: tuple[str, ...] = ()
    keys: frozenset[str] = field(default_factory=frozenset)


class _Known:
    """What one run knows of the corpus, read once and kept up to date with
    what the run adds: which page each document came from, and the ids taken.

    A hint only: ids are checked against the disk again under the corpus
    lock before a document is written."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._pages: dict[str, frozenset[str]] | None = None
        self._ids: set[str] | None = None
        self.broken: list[str] = []  # documents whose record does not parse

    def pages(self) -> dict[str, frozenset[str]]:
        """Each document's page address keys."""
        if self._pages is None:
            from annotate.fetching.metadata import addresses

            self._pages = {}
            for document, fields in store.page_addresses(self.ws).items():
                if fields is None:
                    self.broken.append(document)
                else:
                    self._pages[document] = frozenset(addresses(fields))
        return self._pages

    def ids(self) -> set[str]:
        """Every document id, case folded."""
        if self._ids is None:
            self._ids = {d.casefold() for d in store.list_documents(self.ws)}
        return self._ids

    def add(self, document_id: str, keys: frozenset[str]) -> None:
        self.pages()[document_id] = keys
        self.ids().add(document_id.casefold())


# -- the three operations --------------------------------------------------------------


def fetch(ws: Workspace, url: str, *, as_id: str | None = None, reviewer: str | None = None,
          limits: Limits | None = None, notify: Notify = _no_notes) -> FetchReport:
    """Download the page at ``url``, extract its article and store it as a new
    document (``as_id``, else a slug of its headline), or as a new version
    of the document it already is."""
    who = _who(ws, reviewer)
    if as_id is not None:
        as_id = check_document_id(ws, as_id)
    page = _download_page(url, limits)
    return FetchReport((_bring(ws, _Known(ws), page, as_id, who, notify),))


def ingest(ws: Workspace, inputs: Sequence[tuple[str, bytes | None]], *,
           as_id: str | None = None, reviewer: str | None = None,
           notify: Notify = _no_notes) -> FetchReport:
    """Store saved pages (.html) and text files (.txt) as documents.

    ``inputs`` are (name, bytes): bytes None means read the file ``name``
    (the command passes standard input's bytes for "-").  Every input is
    read and extracted before anything is written, so one bad file stores
    nothing."""
    who = _who(ws, reviewer)
    if as_id is not None:
        if len(inputs) != 1:
            raise InvalidValueError("--as names one document: give one FILE with it")
        as_id = check_document_id(ws, as_id)
    pages = [_saved_page(name, data) for name, data in inputs]
    known = _Known(ws)
    return FetchReport(tuple(_bring(ws, known, page, as_id, who, notify) for page in pages))


def refetch(ws: Workspace, references: Sequence[str] = (), *, reviewer: str | None = None,
            limits: Limits | None = None, notify: Notify = _no_notes) -> FetchReport:
    """Fetch each document's page again (every fetched document when none is
    named); a changed text becomes a new version with every annotation
    re-anchored.  A page that fails is reported, and its document left as it
    was; the others go on."""
    who = _who(ws, reviewer)
    if references:
        documents = list(dict.fromkeys(store.resolve_document(ws, r) for r in references))
    else:
        documents = store.metadata_documents(ws)
    entries: list[Brought] = []
    for document_id in documents:
        try:
            record = store.read_metadata(ws, document_id)
        except AnnotateError as error:  # a broken record stops its document only
            entries.append(Brought(document_id, "failed", document_id, problem=str(error)))
            continue
        if record is None or record["method"] != "fetch":
            how = ("has no metadata: it was not fetched (placed in the corpus by hand)"
                   if record is None else
                   "was ingested from a saved file, not fetched; save the page again and run "
                   f"'annotate ingest FILE --as {document_id}'")
            entries.append(Brought(document_id, "failed" if references else "skipped",
                                   document_id, problem=how))
            continue
        try:
            page = _download_page(record["url"], limits)
            entries.append(_update(ws, document_id, record, page, who))
        except AnnotateError as error:
            entries.append(Brought(document_id, "failed", record["url"], problem=str(error)))
    return FetchReport(tuple(entries))


# -- reading a page ---------------------------------------------------------------------


def _download_page(url: str, limits: Limits | None) -> _Page:
    from annotate.fetching import charset, extract, metadata, slug
    from annotate.fetching.http import download

    got = download(url, limits)
    decoded = charset.decode_page(got.body, got.charset, got.final_url)
    article = extract.extract_article(decoded.text, got.final_url, got.final_url)
    fields = _article_fields(article) | {
        "url": got.url, "final_url": got.final_url, "redirects": got.redirects,
        "http_status": got.status, "content_type": got.content_type,
        "charset": decoded.charset, "extractor": extract.extractor()}
    name = slug.slugify(article.title or "") or slug.address_slug(got.final_url)
    return _Page(article.text, got.body, fields, got.url, name,
                 tuple(filter(None, [decoded.note])), frozenset(metadata.addresses(fields)))


def _saved_page(name: str, data: bytes | None) -> _Page:
    from annotate.fetching import charset, extract, metadata, slug

    shown = "standard input" if name == "-" else name
    if data is None:
        try:
            data = store.read_input_file(Path(name), MAX_INGEST_BYTES)
        except InputTooLargeError:
            raise ExtractionError(f"{name} is larger than the {MAX_INGEST_BYTES // 2**20} MiB "
                                  "annotate reads from one saved page; nothing was "
                                  "written") from None
    file_name = "-" if name == "-" else os.path.basename(name)
    base = slug.file_slug(file_name) if name != "-" else ""
    if _is_html(name, data):
        decoded = charset.decode_page(data, None, shown)
        article = extract.extract_article(decoded.text, None, shown, saved=True)
        fields = _article_fields(article) | {"charset": decoded.charset, "file": file_name,
                                             "extractor": extract.extractor()}
        return _Page(article.text, data, fields, shown,
                     slug.slugify(article.title or "") or base or "article",
                     tuple(filter(None, [decoded.note])),
                     frozenset(metadata.addresses(fields)))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ExtractionError(f"{shown} is not UTF-8 text (bad byte at offset {error.start}); "
                              "convert it to UTF-8 first, or give the saved page (.html)"
                              ) from None
    document = extract.text_document(text, shown)
    first = next((line for line in document.splitlines() if line.strip()), "")
    return _Page(document, None, {"charset": "utf-8", "file": file_name}, shown,
                 base or slug.slugify(first) or "article")


def _is_html(name: str, data: bytes) -> bool:
    """A saved page by its name (.html, .htm, .xhtml), a text file by its name
    (.txt), else by its first bytes."""
    lowered = name.lower()
    if lowered.endswith((".html", ".htm", ".xhtml", ".shtml")):
        return True
    if lowered.endswith((".txt", ".text")):
        return False
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<!--")) or \
        b"<html" in head or b"<body" in head


def _article_fields(article: Any) -> dict[str, Any]:
    return {"title": article.title, "authors": article.authors,
            "site_name": article.site_name, "canonical_url": article.canonical_url,
            "published": article.published, "modified": article.modified}


# -- storing it ---------------------------------------------------------------------------


def _bring(ws: Workspace, known: _Known, page: _Page, as_id: str | None, who: str | None,
           notify: Notify) -> Brought:
    """Store a page: a new document, or a new version of the one it already is."""
    from annotate.fetching import metadata

    with store.corpus_lock(ws):
        if as_id is not None:
            if not _exists(ws, as_id):
                twin = portable.case_twin(as_id, store.list_documents(ws))
                if twin is not None:
                    raise InvalidValueError(
                        f"document {as_id!r} differs only in case from {twin!r}, already in "
                        "the corpus: on macOS and Windows the two would be one file; name "
                        f"that one (--as {twin}) to check it for a new version, or choose "
                        "another --as")
                left = store.annotation_folder(ws, as_id)
                if store.reviewer_files(ws, as_id) or os.path.lexists(
                        store.metadata_path(ws, as_id)):
                    raise InvalidValueError(
                        f"{ws.relative(left)}/ holds the annotations of an earlier document "
                        f"{as_id!r}, which they would now be checked against; remove them "
                        "or choose another --as")
                return _create(ws, known, as_id, page, who)
            record = store.read_metadata(ws, as_id)
            if record is None or not metadata.same_page(metadata.addresses(record), page.keys):
                came = ("was not brought in by fetch or ingest (placed by hand)"
                        if record is None else f"came from {_origin(record)}")
                raise InvalidValueError(
                    f"document {as_id!r} already exists and {came}; annotate never replaces a "
                    f"document with another page: choose another --as")
            target = as_id
        else:
            matches = sorted(doc for doc, keys in known.pages().items()
                             if metadata.same_page(keys, page.keys))
            if not matches:
                for broken in known.broken:
                    # It may be this page's: refuse (at the record's line:column)
                    # rather than make a second document of it.
                    store.read_metadata(ws, broken)
                return _create(ws, known, _free_id(ws, known, page.slug), page, who)
            target = matches[0]
            notify(f"{page.source} is already in the corpus as {target}; checked it for a "
                   "new version")
            record = store.read_metadata(ws, target)
            assert record is not None
    return _update(ws, target, record, page, who)


def _create(ws: Workspace, known: _Known, document_id: str, page: _Page,
            who: str | None) -> Brought:
    """A new document (the corpus lock is held)."""
    from annotate import rules

    document = _document(document_id, page.text)
    record = _record(document, page, who)
    rules.require(rules.metadata_problems(record, document_id))
    store.document_place(ws, document_id)
    if page.html is not None:
        store.save_snapshot(ws, page.html)
    store.save_version(ws, document)
    with store.document_session(ws, document_id) as session:
        session.write_text(page.text)
        session.write_metadata(record)
    known.add(document_id, page.keys)
    return _entry(document_id, "new", page, document)


def _update(ws: Workspace, document_id: str, previous: dict[str, Any], page: _Page,
            who: str | None) -> Brought:
    """A page the document already came from: a new version if its text changed."""
    from annotate import rules
    from annotate.api.check import reanchor, refuse_repeated_ids
    from annotate.fetching import metadata
    from annotate.fetching.changes import paragraph_changes

    old = store.read_document(ws, document_id)
    new = _document(document_id, page.text)
    if new.sha256 == old.sha256:
        return _entry(document_id, "unchanged", page, new)
    was, now = previous.get("canonical_url"), page.fields.get("canonical_url")
    if was and now and metadata.address_key(was) != metadata.address_key(now):
        # A removed article often redirects to a section front or the home
        # page: that is no new version of it.
        raise FetchError(f"{page.source} now leads to another page (its canonical address is "
                         f"{now}, the document's {was}); nothing was written: if the article "
                         "moved, fetch it as a new document")
    record = metadata.succeed(previous, _record(new, page, who))
    rules.require(rules.metadata_problems(record, document_id))
    refuse_repeated_ids(ws, [document_id])  # before anything is written, not after
    store.save_version(ws, old)  # re-anchoring needs the text the annotations were made on
    if page.html is not None:
        store.save_snapshot(ws, page.html)
    store.save_version(ws, new)
    with store.document_session(ws, document_id) as session:
        session.write_text(page.text)
        session.write_metadata(record)
    moved = reanchor(ws, [document_id])
    return _entry(document_id, "changed", page, new,
                  changes=paragraph_changes(old.text, new.text), reanchored=moved.results,
                  decisions_orphaned=len(moved.decisions_orphaned))


def _record(document: Document, page: _Page, who: str | None) -> dict[str, Any]:
    from annotate.fetching import metadata

    html = None if page.html is None else hashlib.sha256(page.html).hexdigest()
    method = "fetch" if "url" in page.fields else "ingest"
    return metadata.record(document=document.id, method=method, fetched=spans.now(),
                           document_sha256=document.sha256, html_sha256=html, fetched_by=who,
                           **page.fields)


def _document(document_id: str, text: str) -> Document:
    return Document(document_id, text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _entry(document_id: str, status: Status, page: _Page, document: Document,
           **more: Any) -> Brought:
    from annotate.fetching.changes import paragraphs

    fields = page.fields
    return Brought(document_id, status, page.source, document.sha256, fields.get("title"),
                   tuple(fields.get("authors", ())), fields.get("published"),
                   len(document.text), len(paragraphs(document.text)), notes=page.notes,
                   **more)


def _origin(record: dict[str, Any]) -> str:
    return str(record.get("canonical_url") or record.get("url") or
               f"the file {record.get('file', '?')}")


# -- document ids ---------------------------------------------------------------------------


def check_document_id(ws: Workspace, document_id: str) -> str:
    """A document id given with --as, once checked to be a plain path under the
    corpus folder (no "..", no absolute path, no hidden part, no link out)."""
    parts = document_id.split("/")
    if (not document_id or document_id.startswith("/") or "\\" in document_id
            or "\0" in document_id or any(p in ("", ".", "..") for p in parts)):
        raise UnsafePathError(f"--as {document_id!r} is not a path under the corpus folder "
                              f"{ws.relative(ws.corpus_dir)}/ (no '..', no leading '/', no "
                              "backslash); give one such as news/port-strike.txt")
    if any(p.startswith(".") for p in parts):
        raise UnsafePathError(f"--as {document_id!r} has a hidden part (starting with '.'), "
                              "which the corpus does not list; give another name")
    store.document_place(ws, document_id)
    return document_id


def _exists(ws: Workspace, document_id: str) -> bool:
    return os.path.lexists(store.document_path(ws, document_id))


def _free_id(ws: Workspace, known: _Known, slug_text: str) -> str:
    """The slug's id, or the first "-N" one no file or annotation folder has."""
    from annotate.fetching.slug import document_id

    def taken(candidate: str) -> bool:
        return (candidate.casefold() in known.ids() or _exists(ws, candidate)
                or os.path.lexists(store.annotation_folder(ws, candidate)))

    return document_id(slug_text, taken)


def _who(ws: Workspace, reviewer: str | None) -> str | None:
    """Who brings the page in: --reviewer, else the default reviewer if one is set."""
    if reviewer is not None:
        from annotate.interchange.importing import reviewer_problems

        problems = reviewer_problems(reviewer)
        if problems:
            raise InvalidValueError(f"--reviewer: {problems[0]}")
        return reviewer
    try:
        who = workspace.default_reviewer(ws.root)[0]
    except AnnotateError:
        return None
    from annotate.interchange.importing import reviewer_problems

    return None if reviewer_problems(who) else who

