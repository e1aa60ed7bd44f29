"""The HTML report: one self-contained page, drawn by Jinja2 templates with
autoescaping (templates/).

Threat model: every string in the page that did not come from this module
(article text, quotes, notes, names, labels, sources, ids, file names) may
be hostile.  So:

- it reaches the page only through ``{{ }}`` in an autoescaped template, or
  as ``Markup`` that such a template rendered: escaping is by construction,
  not by remembering to call a function.  ``<img src=x onerror=...>`` in a
  note is text;
- every printed value first passes ``finalize`` (``visible``): control
  characters, bidi overrides, embeddings and isolates (Trojan Source) and
  lone surrogates are shown as ``\\x1b`` or ``<U+202E>``, as
  ``report.terminal.escape`` shows them on a terminal, so hidden text
  cannot reorder or hide what a reader sees (line breaks and tabs stay);
  names and notes also sit in ``<bdi>``, so right-to-left text stays in its
  place;
- only http and https addresses become links (``javascript:`` or ``data:``
  stay text), with ``rel="noopener noreferrer nofollow"``;
- the page runs no script, and its Content-Security-Policy says so:
  ``default-src 'none'`` and the SHA-256 of the one style sheet, so even an
  injected ``<script>``, ``<style>``, image or font could neither run nor
  load: the page makes no network request of any kind.

Drawing overlapping spans: see ``segments`` (the text is cut at every span
boundary and each segment is one ``<mark>`` listing the spans over it).
Each highlight is focusable (Tab) and shows the details of every span over
it, on hover and on focus, in a panel at the bottom of the window (CSS
``:hover``/``:focus-within``, no script), which also works on a phone
(a tap focuses).  After each span's end a small number refers to its entry
in the list below (for print, where nothing hovers).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from annotate.report.listing import one_line
from annotate.report.review.segments import segments
from annotate.report.review.view import DocumentJSON, ReportAnnotation, build
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

    from annotate.api.report import Report

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
UNKNOWN_COLOR = "#808080"  # a label the taxonomy no longer has
TINT = 0.38  # the highlight's opacity: dark enough to see, light enough to read black on


def visible(value: Any) -> Any:
    """What a template prints: strings with controls, bidi controls and lone
    surrogates made visible (``report.terminal.escape``, keeping line breaks
    and tabs); anything else as it is (Markup, a str subclass: already the
    page's own)."""
    # Called for every {{ }} of the page: a printable str (every character
    # escape() changes is a control, format or surrogate one: not printable)
    # is returned without a regex.
    if value.__class__ is str and not value.isprintable():
        return escape(value, keep="\n\r")
    return value


def is_link(value: object) -> bool:
    """True for an absolute http(s) address a page may link to; anything else
    (javascript:, data:, relative, with spaces or controls) is shown as text."""
    # Not printable: a control, format (bidi) or surrogate character, or
    # whitespace other than the space, which is refused as well.
    if not isinstance(value, str) or not value.isprintable() or " " in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def shorten(value: str, limit: int) -> str:
    """One line of at most limit characters (whitespace collapsed, an ellipsis when cut)."""
    return one_line(value, limit)


def environment() -> Environment:
    """The templates' environment: autoescaping on for every template,
    ``visible`` on every printed value, undefined names an error."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("annotate.report.review", "templates"),
                      autoescape=True, finalize=visible, undefined=StrictUndefined,
                      auto_reload=False)
    env.filters["shorten"] = shorten
    env.tests["link"] = is_link
    return env


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _tint(color: str) -> str:
    red, green, blue = _rgb(color if _COLOR.fullmatch(color) else UNKNOWN_COLOR)
    return f"rgba({red},{green},{blue},{TINT})"


def _background(tints: Sequence[str]) -> str:
    """One label's tint, or horizontal bands of each label's tint (stripes that
    stay visible on every line of a wrapped highlight)."""
    if len(tints) == 1:
        return tints[0]
    step = 100 / len(tints)
    bands = ",".join(f"{tint} {i * step:.2f}% {(i + 1) * step:.2f}%"
                     for i, tint in enumerate(tints))
    return f"linear-gradient(180deg,{bands})"


def render_html(report: Report) -> str:
    """The report as one HTML page that needs nothing else (see the module docstring)."""
    from annotate.merge.positions import cyclic_gc_paused

    # Hundreds of thousands of short-lived strings and dicts: the cycle
    # collector's passes over them took a fifth of the time, for nothing.
    with cyclic_gc_paused():
        return _render(report)


def _render(report: Report) -> str:
    from markupsafe import Markup

    from annotate import __version__

    data = build(report)
    env = environment()
    macros: Any = env.get_template("macros.html.j2").module
    colors = {label["name"]: label["color"] for label in data["labels"]}
    for document in data["documents"]:
        for annotation in document["annotations"]:
            colors.setdefault(annotation["record"]["label"], UNKNOWN_COLOR)
        for record in document["consensus"]["records"]:
            colors.setdefault(record["label"], UNKNOWN_COLOR)
        conflicts = document["merge"]["conflicts"] if document["merge"] else []
        for position in conflicts:
            for name in position["labels"].values():
                colors.setdefault(name, UNKNOWN_COLOR)
    index_of = {name: number for number, name in enumerate(colors)}
    # Each label's badge, drawn once: the page shows one per annotation, thrice.
    label_html = {name: macros.label(name, index) for name, index in index_of.items()}
    combos: dict[tuple[int, ...], int] = {}
    documents = []
    by_ref: dict[tuple[str, int], ReportAnnotation] = {}
    # Each annotation's quote in its context, drawn once: its entry in the
    # document's list and in its reviewer's both show it.
    context_html: dict[tuple[str, int], Markup] = {}
    doc_id: dict[str, str] = {}
    for number, document in enumerate(data["documents"], start=1):
        page_id = f"d{number}"
        doc_id[document["document"]] = page_id
        for annotation in document["annotations"]:
            key = (document["document"], annotation["number"])
            by_ref[key] = annotation
            record = annotation["record"]
            context_html[key] = macros.in_context(record, index_of[record["label"]])
        documents.append(_page_document(page_id, document, index_of, label_html, combos,
                                        macros.tip, Markup))
    labels = [{"index": index, "tint": _tint(colors[name])} for name, index in index_of.items()]
    names = list(index_of)
    css = env.get_template("report.css.j2").render(
        labels=labels,
        combos=[{"index": k, "background": _background([_tint(colors[names[i]]) for i in combo])}
                for combo, k in combos.items()])
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; "
           "form-action 'none'")
    total = sum(len(document["annotations"]) for document in data["documents"])
    return env.get_template("report.html.j2").render(
        data=data, documents=documents, index_of=index_of, label_html=label_html,
        css=Markup(css), csp=csp,
        version=__version__, total=total, by_ref=by_ref, doc_id=doc_id,
        context_html=context_html)


def _page_document(page_id: str, document: DocumentJSON, index_of: Mapping[str, int],
                   label_html: Mapping[str, Markup], combos: dict[tuple[int, ...], int],
                   tip: Any, markup: type[Markup]) -> dict[str, Any]:
    """What the template needs of one document: its text cut into segments
    (each with its spans' numbers, colour class and details) and its
    annotations grouped by how they are shown."""
    text = document["text"]
    drawn = [a for a in document["annotations"] if a["shown"] == "drawn"]
    tips = [tip(a, label_html[a["record"]["label"]], f"{page_id}-a{a['number']}")
            for a in drawn]
    numbers = [str(a["number"]) for a in drawn]
    label_of = [index_of[a["record"]["label"]] for a in drawn]
    pieces: list[tuple[str, str | None, str, str, Markup | None, str]] = []
    spans = [(a["record"]["start"], a["record"]["end"]) for a in drawn]
    for number, segment in enumerate(segments(len(text), spans)):
        piece = text[segment.start:segment.end]
        ends = " ".join(numbers[i] for i in segment.closing)
        if not segment.covering:
            pieces.append((piece, None, "", "", None, ends))
            continue
        labels = tuple(sorted({label_of[i] for i in segment.covering}))
        # k: the labels' colours; n: how many spans are over it (1, 2, 3 or
        # more), drawn as a deeper underline, so a span nested in another of
        # the same label still shows.
        depth = min(len(segment.covering), 3)
        pieces.append((piece, f"k{combos.setdefault(labels, len(combos))} n{depth}",
                       " ".join(numbers[i] for i in segment.covering), f"{page_id}-t{number}",
                       markup("").join([tips[i] for i in segment.covering]), ends))
    listed: dict[str, list[ReportAnnotation]] = {"drawn": drawn, "orphaned": [], "stale": []}
    for annotation in document["annotations"]:
        if annotation["shown"] != "drawn":
            listed[annotation["shown"]].append(annotation)
    return {"id": page_id, "data": document, "segments": pieces, "drawn": len(drawn),
            "listed": listed}
