"""Hypothesis (https://web.hypothes.is/) annotations: import.  Pure.

Two shapes are accepted, in a file or mixed in a JSON array:

- what Hypothesis' API returns (https://h.readthedocs.io/en/latest/api-reference/v1/):
  a search result ``{"rows": [...], "total": N}``, one annotation, or an
  array of them; each with ``user`` (``acct:<username>@<authority>``),
  ``uri``, ``text`` (Markdown), ``tags``, ``created``, ``updated``,
  ``references`` (replies only) and ``target`` (a list holding one
  ``{"source": uri, "selector": [...]}``), the selectors as the Hypothesis
  client writes them: a RangeSelector (``startContainer``/``startOffset``
  ..., XPaths into the page), a TextPositionSelector (offsets into the
  page's text content) and a TextQuoteSelector (``exact``, ``prefix``,
  ``suffix``, up to 32 characters of context);
- what its JSON-LD presenter emits (h/presenters/annotation_jsonld.py): a
  W3C Web Annotation whose ``creator`` is the ``acct:`` string, whose body
  is a TextualBody with format text/markdown and no purpose (the text)
  followed by ``tagging`` bodies, and whose ``target`` is a list, the
  RangeSelector rewritten as an XPathSelector ``refinedBy`` a
  TextPositionSelector, or as a RangeSelector between two of them.

Either way an annotation is anchored by its TextQuoteSelector (the
page's text is not our document's: its offsets are a hint at most, and
offsets inside an element never count).  The text becomes the note, and
each http(s) address in it (a Markdown link, an <autolink> or a bare
address) also becomes a source, in order: fact-checkers cite their
evidence as links in the text, and labels such as ``sourced`` require one.
A tag naming a label of the taxonomy becomes the label (the shared step,
``importing.choose_label``).  Replies (``references``) and page notes (no
selector) are reported: they mark no span.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from annotate.interchange import w3c
from annotate.interchange.importing import Candidate, Corpus, Parsed, Rejected, parse_json

# An address in Markdown text: up to white space or a character that cannot
# end one unquoted (<, >, ", `, brackets of Markdown), then trimmed below.
_ADDRESS = re.compile(r"""https?://[^\s<>"`\[\]{}|\\^]+""", re.IGNORECASE)
_TRAILING = ".,;:!?*_~'"


def addresses(text: str) -> tuple[str, ...]:
    """The http(s) addresses in a Markdown text, in order, each once; the
    punctuation that ends a sentence and an unbalanced closing parenthesis
    (a Markdown link's) are not part of them."""
    found: list[str] = []
    for match in _ADDRESS.finditer(text):
        address = match.group()
        while address:
            unbalanced = address.endswith(")") and address.count(")") > address.count("(")
            if address[-1] in _TRAILING or unbalanced:
                address = address[:-1]
            else:
                break
        if "://" in address and not address.endswith("://"):
            found.append(address)
    return tuple(dict.fromkeys(found))


def load(data: bytes, path: str, corpus: Corpus | None = None) -> Parsed:
    """The annotations of a Hypothesis file (see the module's docstring)."""
    value, problem = parse_json(data)
    if problem is not None:
        return Parsed((problem,))
    notes: list[str] = []
    if isinstance(value, dict) and isinstance(value.get("rows"), list):
        rows: list[Any] = value["rows"]
        total = value.get("total")
        if type(total) is int and total > len(rows):
            notes.append(f"the file holds {len(rows)} of the {total} annotations the search "
                         "found: fetch the other pages too (the API's search_after or "
                         "offset) and import them as well")
        label = "rows"
    elif isinstance(value, list):
        rows, label = value, ""
    elif isinstance(value, dict):
        rows, label = [value], None
    else:
        return Parsed((Rejected("the file", "not a Hypothesis search result, annotation or "
                                            "array of annotations"),))
    items = []
    for index, row in enumerate(rows):
        where = "the annotation" if label is None else f"{label}[{index}]"
        items.append(parse_row(row, where))
    if not items:
        notes.append("the file holds no annotations")
    return Parsed(tuple(items), tuple(notes))


def parse_row(row: Any, where: str) -> Candidate | Rejected:
    """One annotation in either shape."""
    if not isinstance(row, dict):
        return Rejected(where, "not a JSON object: expected a Hypothesis annotation")
    if "@context" in row or "body" in row or "creator" in row:
        found = w3c.parse_annotation(row, where)
    else:
        found = _api_row(row, where)
    if isinstance(found, Rejected):
        return found
    if found.quote is None:
        return Rejected(found.where, "no TextQuoteSelector: Hypothesis' positions count the "
                                     "web page's text, not the document's, so they cannot "
                                     "place it")
    sources = tuple(dict.fromkeys((*found.sources, *addresses(found.note))))
    return dataclasses.replace(found, sources=sources, exact_position=False)


def _api_row(row: dict[str, Any], where: str) -> Candidate | Rejected:
    """A row of the API's search result (or GET /annotations/{id})."""
    source_id = row.get("id") if isinstance(row.get("id"), str) else None
    if source_id is not None:
        where = f"{where} ({source_id[:80]})"
    references = row.get("references")
    if isinstance(references, list) and references:
        return Rejected(where, "a reply to another annotation: it marks no span of its own")
    text = row.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        return Rejected(where, "its 'text' is not a string")
    tags = row.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return Rejected(where, "its 'tags' are not a list of strings")
    targets = row.get("target")
    if not isinstance(targets, list) or not targets:
        return Rejected(where, "no 'target' list: not a Hypothesis annotation")
    first = targets[0]
    if not isinstance(first, dict):
        return Rejected(where, "its target is not a JSON object")
    if first.get("selector") in (None, []):
        return Rejected(where, "a page note (no selector): it is about the whole page, "
                               "not a span of it")
    if len(targets) > 1:
        return Rejected(where, f"{len(targets)} targets: annotate anchors one span per "
                               "annotation")
    uri = row.get("uri")
    target = w3c.parse_target(first)
    if isinstance(target, str):
        return Rejected(where, target)
    reviewer, creator = w3c.creator_name(row.get("user"))
    created, modified = row.get("created"), row.get("updated")
    for name, stamp in (("created", created), ("updated", modified)):
        if stamp is not None and not isinstance(stamp, str):
            return Rejected(where, f"its '{name}' is not a string")
    return Candidate(
        where=where, quote=target.quote, prefix=target.prefix, suffix=target.suffix,
        start=target.start, end=target.end, tags=tuple(tags), note=text, reviewer=reviewer,
        creator=creator, created=created, modified=modified,
        document_uri=uri if isinstance(uri, str) else target.source, source_id=source_id)
