"""W3C Web Annotation (https://www.w3.org/TR/annotation-model/), JSON-LD with
the context http://www.w3.org/ns/anno.jsonld: export and import.  Pure.

Export: one AnnotationCollection per document, its annotations inline in
its first AnnotationPage.  One record is one Annotation with motivation
``assessing`` and these bodies (docs/interchange.md shows one):

- the label: a TextualBody, purpose ``classifying``;
- the verdict: a TextualBody, purpose ``assessing`` (the annotation's
  assessment of the claim, a value of the project's verdict scale);
- the note: a TextualBody, purpose ``commenting``, format text/plain;
- each tag: a TextualBody, purpose ``tagging``;
- each source: a SpecificResource whose ``source`` is the address, purpose
  ``citing`` (an address written as an IRI is converted to a URI, RFC 3987
  section 3.1, as the model's "uri" format requires; import converts back).

The creator is a Person named by the reviewer name (no ``email``: names
such as dora@hypothes.is look like addresses and are not), ``created`` and
``modified`` are the record's.  The annotation's id is
``urn:annotate:annotation:<id>``, which import recognises to keep the id.
The target's source is the address of the page the document was fetched
from (canonical, else after redirects: its metadata record), else the
document's URI (``document_uri``); its selectors are a TextQuoteSelector
(exact, prefix, suffix) and a TextPositionSelector (code points, end
exclusive, as ours).  Import finds the document by either address.

Import takes an Annotation, an AnnotationPage, an AnnotationCollection with
its first page inline, or a JSON array of any of these, and turns each
annotation into an ``importing.Candidate``: the classifying body is the
label, the assessing one the verdict, commenting (and other textual) bodies
the note, tagging bodies tags, linked resources sources.  A
TextPositionSelector is a hint that the shared step checks against the
quote; other selectors (XPath, CSS, Range, Fragment ...) never give offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from annotate import __version__
from annotate.interchange import document_uri
from annotate.interchange.exporting import ExportBatch, Exported
from annotate.interchange.importing import Candidate, Corpus, Parsed, Rejected, parse_json
from annotate.model import Annotation, Project

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNOTATION_URN = "urn:annotate:annotation:"
COLLECTION_URN = "urn:annotate:collection:"
PAGE_URN = "urn:annotate:page:"
# The id of the one empty collection an export of no annotated document writes.
EMPTY_COLLECTION = COLLECTION_URN + "none"

# The purposes a textual body may carry that import keeps as the note.
_NOTE_PURPOSES = frozenset({"commenting", "describing", "explaining", "questioning",
                            "replying", "editing", "highlighting", "bookmarking",
                            "moderating", "identifying"})
# The selectors import knows and does not take offsets from.
_IGNORED_SELECTORS = frozenset({"XPathSelector", "CssSelector", "RangeSelector",
                                "FragmentSelector", "DataPositionSelector", "SvgSelector",
                                "PageSelector", "EPUBContentSelector"})
_ID_PATTERN = re.compile(r"[0-9a-z][0-9a-z_-]{3,63}")


# -- addresses ----------------------------------------------------------------------


def iri_to_uri(iri: str) -> str:
    """The URI of an IRI: each non-ASCII character as its percent-encoded
    UTF-8 bytes (RFC 3987 section 3.1); an ASCII address is unchanged."""
    if iri.isascii():
        return iri
    return re.sub(r"[^\x00-\x7f]+", lambda m: quote(m.group(), safe=""), iri)


_ENCODED_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def uri_to_iri(uri: str) -> str:
    """The IRI of a URI (RFC 3987 section 3.2): percent-encoded UTF-8 of
    printable non-ASCII characters decoded; everything else (ASCII escapes
    such as %20, invalid UTF-8, controls, bidi formatting) left encoded."""
    if "%" not in uri:
        return uri

    def decode(match: re.Match[str]) -> str:
        raw = match.group()
        data = unquote_to_bytes(raw)
        out: list[str] = []
        at = 0  # index into raw, three characters per byte
        while at < len(raw):
            byte = data[at // 3]
            width = 2 if byte >= 0xC0 else 1
            width = 3 if byte >= 0xE0 else width
            width = 4 if byte >= 0xF0 else width
            piece = data[at // 3:at // 3 + width]
            try:
                char = piece.decode("utf-8") if byte >= 0x80 else ""
            except UnicodeDecodeError:
                char = ""
            if len(char) == 1 and not unicodedata.category(char).startswith(("C", "Z")):
                out.append(char)
                at += 3 * width
            else:
                out.append(raw[at:at + 3])
                at += 3
        return "".join(out)

    return _ENCODED_RUN.sub(decode, uri)


def annotation_uri(annotation_id: str) -> str:
    """The URI an exported annotation is known by."""
    return ANNOTATION_URN + annotation_id


def collection_uri(document_id: str) -> str:
    """The URI of the collection of one document's annotations."""
    return COLLECTION_URN + quote(document_id, safe="/")


def page_uri(document_id: str) -> str:
    """The URI of that collection's one page."""
    return PAGE_URN + quote(document_id, safe="/")


# -- export -----------------------------------------------------------------------------


def annotation_json(project: Project, annotation: Annotation,
                    source_url: str | None = None) -> dict[str, Any]:
    """One record as a Web Annotation (see the module's docstring); the
    target's source is ``source_url`` (the page the document was fetched
    from) when given, else the document's URI."""
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "classifying", "value": annotation.label}]
    if annotation.verdict is not None:
        body.append({"type": "TextualBody", "purpose": "assessing",
                     "value": annotation.verdict})
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "format": "text/plain",
                     "value": annotation.note})
    body.extend({"type": "TextualBody", "purpose": "tagging", "value": tag}
                for tag in annotation.tags)
    body.extend({"type": "SpecificResource", "purpose": "citing", "source": iri_to_uri(url)}
                for url in annotation.sources)
    quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": annotation.quote}
    if annotation.prefix:
        quote_selector["prefix"] = annotation.prefix
    if annotation.suffix:
        quote_selector["suffix"] = annotation.suffix
    return {
        "@context": CONTEXT,
        "id": annotation_uri(annotation.id),
        "type": "Annotation",
        "motivation": "assessing",
        "creator": {"type": "Person", "name": annotation.reviewer},
        "created": annotation.created,
        "modified": annotation.modified,
        "generator": {"type": "Software", "name": f"annotate {__version__}"},
        "body": body,
        "target": {
            "source": iri_to_uri(source_url or document_uri(project, annotation.document)),
            "selector": [quote_selector,
                         {"type": "TextPositionSelector", "start": annotation.start,
                          "end": annotation.end}],
        },
    }


def collection_json(project: Project, document_id: str | None,
                    annotations: tuple[Annotation, ...],
                    source_url: str | None = None) -> dict[str, Any]:
    """A document's annotations as an AnnotationCollection with its one page
    inline (no ``first`` when it is empty, as the model allows); document_id
    None: the empty collection of an export with no annotated document."""
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "id": EMPTY_COLLECTION if document_id is None else collection_uri(document_id),
        "type": "AnnotationCollection",
        "label": (f"{project.name}: no annotations" if document_id is None
                  else f"{project.name}: {document_id}"),
        "total": len(annotations),
    }
    if annotations:
        assert document_id is not None
        collection["first"] = {"@context": CONTEXT, "id": page_uri(document_id),
                               "type": "AnnotationPage", "startIndex": 0,
                               "items": [annotation_json(project, a, source_url)
                                         for a in annotations]}
    return collection


def export(batch: ExportBatch) -> tuple[Any, tuple[str, ...]]:
    """The JSON value of a W3C export, and one line for each annotation left
    out: an orphaned annotation or one made on another version of its
    document has no place in the current text to state.

    One document: its collection; several: a JSON array of them; none: one
    empty collection (a valid collection with total 0).
    """
    collections = []
    left_out: list[str] = []
    for entry in batch.documents:
        kept = []
        for annotation in entry.annotations:
            if annotation.orphaned:
                left_out.append(f"{annotation.id} ({annotation.reviewer}, {entry.document.id}) "
                                "is orphaned: fix its span or remove it, then export again")
            elif annotation.document_sha256 != entry.document.sha256:
                left_out.append(f"{annotation.id} ({annotation.reviewer}, {entry.document.id}) "
                                "was made on another version of the document: run 'annotate "
                                "reanchor' first")
            else:
                kept.append(annotation)
        collections.append(collection_json(batch.project, entry.document.id, tuple(kept),
                                           entry.source.url if entry.source else None))
    if not collections:
        return collection_json(batch.project, None, ()), ()
    return (collections[0] if len(collections) == 1 else collections), tuple(left_out)


def render(batch: ExportBatch) -> Exported:
    """The export as stable JSON text (keys sorted, two-space indent, UTF-8)."""
    import json

    value, left_out = export(batch)
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return Exported(text=text, left_out=left_out)


# -- import -----------------------------------------------------------------------------


def load(data: bytes, path: str, corpus: Corpus | None = None) -> Parsed:
    """The annotations of a W3C file (see the module's docstring)."""
    value, problem = parse_json(data)
    if problem is not None:
        return Parsed((problem,))
    items: list[Candidate | Rejected] = []
    for where, found in annotations_in(value):
        if isinstance(found, str):
            items.append(Rejected(where, found))
        else:
            items.append(parse_annotation(found, where))
    if not items:
        return Parsed((), ("the file holds no annotations",))
    return Parsed(tuple(items))


def _types(value: Any) -> set[str]:
    kinds = value.get("type", value.get("@type")) if isinstance(value, dict) else None
    if isinstance(kinds, str):
        return {kinds}
    if isinstance(kinds, list):
        return {kind for kind in kinds if isinstance(kind, str)}
    return set()


def annotations_in(value: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Each annotation object of a file with where it is, or (where, why)
    for what is no annotation.  Containers nest at most: array, collection,
    page, annotation."""
    kinds = _types(value)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from annotations_in(item, f"{where}[{index}]")
    elif not isinstance(value, dict):
        yield where or "the file", "not a JSON object: expected a W3C Web Annotation"
    elif "AnnotationCollection" in kinds:
        first = value.get("first")
        total = value.get("total")
        if first is None:
            if total not in (None, 0):
                yield (where or "the collection",
                       f"the collection says it holds {total} annotations but has no page "
                       "('first') in the file")
            return
        if isinstance(first, list) and len(first) == 1:
            first = first[0]
        if not isinstance(first, dict):
            yield (f"{where}.first".lstrip("."),
                   "the collection's first page is a link, not in the file: export the "
                   "collection with its pages inline")
            return
        yield from _page_items(first, f"{where}.first".lstrip("."))
    elif "AnnotationPage" in kinds:
        yield from _page_items(value, where)
    elif "Annotation" in kinds or "target" in value:
        yield where or "the annotation", value
    else:
        yield (where or "the file",
               "not a W3C Web Annotation, AnnotationPage or AnnotationCollection (no "
               "'type' saying so, no 'target')")


def _page_items(page: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any] | str]]:
    items = page.get("items")
    if not isinstance(items, list):
        yield where or "the page", "the page has no 'items' array"
        return
    for index, item in enumerate(items):
        here = f"{where}.items[{index}]".lstrip(".")
        if isinstance(item, dict):
            yield here, item
        else:
            yield here, "not a JSON object: expected a W3C Web Annotation"
    if page.get("next") is not None:
        yield (f"{where}.next".lstrip(".") or "the page",
               "the collection has more pages, linked from this one and not in the file: "
               "export it with every page inline")


def creator_name(value: Any) -> tuple[str | None, str | None]:
    """(the reviewer name a creator gives, what the creator was, for messages).

    A string ``acct:dora@hypothes.is`` (Hypothesis' user ids) or
    ``mailto:dora@example.org`` gives the part after the scheme; an Agent
    object its ``name``, else its ``nickname``; anything else no name.
    """
    if value is None:
        return None, None
    if isinstance(value, list):
        if len(value) == 1:
            return creator_name(value[0])
        return None, f"{len(value)} creators"
    if isinstance(value, str):
        for scheme in ("acct:", "mailto:"):
            if value.lower().startswith(scheme) and len(value) > len(scheme):
                return value[len(scheme):], value
        return None, value
    if isinstance(value, dict):
        for key in ("name", "nickname"):
            name = value.get(key)
            if isinstance(name, list) and len(name) == 1:
                name = name[0]
            if isinstance(name, str) and name.strip():
                return name.strip(), name
        shown = value.get("id")
        return None, shown if isinstance(shown, str) else "an agent without a name"
    return None, repr(value)[:60]


def _id_of(value: Any) -> str | None:
    """A resource given as a string or an object with an id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _purposes(body: dict[str, Any]) -> set[str]:
    purpose = body.get("purpose")
    if isinstance(purpose, str):
        return {purpose}
    if isinstance(purpose, list):
        return {p for p in purpose if isinstance(p, str)}
    return set()


class _Bodies:
    """What an annotation's bodies say, gathered."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.verdicts: list[str] = []
        self.notes: list[str] = []
        self.tags: list[str] = []
        self.sources: list[str] = []

    def add(self, body: Any, where: str) -> str | None:
        """Take one body in; a reason when it cannot be."""
        if isinstance(body, str):
            if body.lower().startswith(("http://", "https://")):
                self.sources.append(uri_to_iri(body))
                return None
            return f"{where}: a body {body[:60]!r} that is neither text nor a web address"
        if not isinstance(body, dict):
            return f"{where}: a body that is not a JSON object"
        purposes = _purposes(body)
        kinds = _types(body)
        if "value" in body:
            value = body["value"]
            if not isinstance(value, str):
                return f"{where}: its value is not a string"
            if "classifying" in purposes:
                self.labels.append(value.strip())
            elif "assessing" in purposes:
                self.verdicts.append(value.strip())
            elif "tagging" in purposes:
                self.tags.append(value)
            elif not purposes or purposes & _NOTE_PURPOSES:
                if value:  # Hypothesis writes an empty body for an annotation without text
                    self.notes.append(value)
            else:
                return f"{where}: a textual body with purpose {sorted(purposes)} is not supported"
            return None
        if kinds & {"Choice", "Composite", "List", "Independents"} or "items" in body:
            return f"{where}: a {'/'.join(sorted(kinds)) or 'Choice or Set'} body is not supported"
        address = _id_of(body.get("source")) if "source" in body else _id_of(body)
        if address is None:
            return f"{where}: neither text ('value') nor a link ('source' or 'id')"
        self.sources.append(uri_to_iri(address))
        return None


def parse_annotation(value: dict[str, Any], where: str) -> Candidate | Rejected:
    """One Web Annotation as a candidate for import, or why it cannot be one."""
    source_id = value.get("id") if isinstance(value.get("id"), str) else None
    if source_id is not None:
        where = f"{where} ({source_id[:80]})"
    if "body" in value and "bodyValue" in value:
        return Rejected(where, "it has both 'body' and 'bodyValue', which the model forbids")
    bodies = _Bodies()
    raw = value.get("body", [])
    for index, body in enumerate(raw if isinstance(raw, list) else [raw]):
        problem = bodies.add(body, f"body[{index}]" if isinstance(raw, list) else "body")
        if problem is not None:
            return Rejected(where, problem)
    body_value = value.get("bodyValue")
    if body_value is not None:
        if not isinstance(body_value, str):
            return Rejected(where, "bodyValue is not a string")
        if body_value:
            bodies.notes.append(body_value)
    if len(set(bodies.labels)) > 1:
        return Rejected(where, f"{len(bodies.labels)} classifying bodies "
                               f"({', '.join(bodies.labels)}): an annotation has one label")
    if len(set(bodies.verdicts)) > 1:
        return Rejected(where, f"{len(bodies.verdicts)} assessing bodies "
                               f"({', '.join(bodies.verdicts)}): an annotation has one verdict")
    target = parse_target(value.get("target"))
    if isinstance(target, str):
        return Rejected(where, target)
    reviewer, creator = creator_name(value.get("creator"))
    created, modified = value.get("created"), value.get("modified")
    for name, stamp in (("created", created), ("modified", modified)):
        if stamp is not None and not isinstance(stamp, str):
            return Rejected(where, f"{name} is not a string")
    annotation_id = None
    if source_id is not None and source_id.startswith(ANNOTATION_URN):
        rest = source_id[len(ANNOTATION_URN):]
        annotation_id = rest if _ID_PATTERN.fullmatch(rest) else None
    return Candidate(
        where=where, quote=target.quote, prefix=target.prefix, suffix=target.suffix,
        start=target.start, end=target.end, exact_position=target.quote is None,
        label=bodies.labels[0] if bodies.labels else None, tags=tuple(bodies.tags),
        note="\n\n".join(bodies.notes), sources=tuple(dict.fromkeys(bodies.sources)),
        verdict=bodies.verdicts[0] if bodies.verdicts else None, reviewer=reviewer,
        creator=creator, created=created, modified=modified, document_uri=target.source,
        source_id=source_id, annotation_id=annotation_id)


class Target:
    """What a target's selectors say."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.quote: str | None = None
        self.prefix = ""
        self.suffix = ""
        self.start: int | None = None
        self.end: int | None = None


def parse_target(value: Any) -> Target | str:
    """The one target of an annotation: its source and what its selectors
    say, or why it cannot be anchored."""
    if isinstance(value, list):
        if len(value) != 1:
            return ("no target" if not value else
                    f"{len(value)} targets: annotate anchors one span per annotation")
        value = value[0]
    if value is None:
        return "no target"
    if isinstance(value, str):
        return (f"its target is the whole resource {value[:80]!r}, with no selector to find "
                "a span by")
    if not isinstance(value, dict):
        return "its target is not a JSON object"
    source = value.get("source")
    if isinstance(source, list) and len(source) == 1:
        source = source[0]  # Hypothesis' create payloads write ["https://..."]
    target = Target(_id_of(source))
    return selectors(value.get("selector"), target)


def selectors(value: Any, target: Target) -> Target | str:
    """Fill target from a selector or list of them (alternatives of one
    another, model section 4.2): the first TextQuoteSelector gives the
    quote, the first top-level TextPositionSelector the position hint;
    selectors whose offsets are relative to an element (an XPathSelector
    refinedBy a TextPositionSelector, a RangeSelector) give nothing."""
    listed = value if isinstance(value, list) else [] if value is None else [value]
    seen: list[str] = []
    unknown: list[str] = []
    for selector in listed:
        if not isinstance(selector, dict):
            return "a selector is not a JSON object"
        kinds = _types(selector)
        kind = next(iter(sorted(kinds)), "(no type)")
        seen.append(kind)
        used = (("TextQuoteSelector" in kinds and target.quote is None)
                or ("TextPositionSelector" in kinds and target.start is None))
        if used and selector.get("refinedBy") is not None:
            # It selects part of this selector's text (model section 4.2.9):
            # anchoring by the outer selector alone would widen the span.
            return (f"its {kind} is refinedBy another selector, which annotate does not "
                    f"apply; give the narrower span's own {kind} instead")
        if "TextQuoteSelector" in kinds and target.quote is None:
            exact, prefix, suffix = (selector.get(k) for k in ("exact", "prefix", "suffix"))
            if not isinstance(exact, str) or not exact:
                return "its TextQuoteSelector has no 'exact' text"
            for name, part in (("prefix", prefix), ("suffix", suffix)):
                if part is not None and not isinstance(part, str):
                    return f"its TextQuoteSelector's {name} is not a string"
            target.quote, target.prefix, target.suffix = exact, prefix or "", suffix or ""
        elif "TextPositionSelector" in kinds and target.start is None:
            start, end = selector.get("start"), selector.get("end")
            if not (type(start) is int and type(end) is int and 0 <= start < end):
                return ("its TextPositionSelector needs whole-number start and end with "
                        f"0 <= start < end (has start {start!r}, end {end!r})")
            target.start, target.end = start, end
        elif not kinds & (_IGNORED_SELECTORS | {"TextQuoteSelector", "TextPositionSelector"}):
            unknown.append(kind)
    if target.quote is None and target.start is None:
        if not seen:
            return "no selector: it is about the whole document, not a span of it"
        what = ", ".join(seen)
        if unknown:
            what += f"; unknown selector type{'s' if len(unknown) > 1 else ''} " \
                    f"{', '.join(unknown)}"
        return (f"no TextQuoteSelector or TextPositionSelector to anchor it by ({what}); "
                "offsets inside an element (XPath, Range, CSS) do not locate text in the "
                "document")
    return target
