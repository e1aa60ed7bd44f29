"""`annotate diff`: the changes between two versions of a document as text
(word diff, coloured on a terminal), JSON (schemas/diff.schema.json) or one
self-contained HTML page.

Text marks removed words ``[-so-]`` and inserted ones ``{+so+}`` (git's
--word-diff), with colour on top on a terminal (red, green; never with
NO_COLOR), so the plain and the coloured output hold the same text.
Every piece of the article passes ``terminal.escape``: controls and bidi
overrides are shown, not obeyed.  A line break inside a change is shown as
``↵`` before the break itself, so an inserted blank line is seen.  JSON
holds every text exactly.  HTML is drawn by an autoescaping Jinja2
template (templates/diff.html.j2) with the same guards as `annotate
report`'s page (review/page.py): every printed value passes ``visible``,
no script, a Content-Security-Policy with the style sheet's hash.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from annotate.report.listing import terminal_line, to_json
from annotate.report.terminal import RESET, escape

if TYPE_CHECKING:
    from annotate.api.versions import DiffReport, TouchedAnnotation
    from annotate.versions.changes import Hunk
    from annotate.versions.history import Version

Renderer = Callable[["DiffReport", bool], str]

RED, GREEN, CYAN, BOLD = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m"
NEWLINE_MARK = "↵"  # before a line break that a change removed or inserted
_MARKERS = {"delete": ("[-", "-]", RED), "insert": ("{+", "+}", GREEN)}


def _name(version: Version) -> str:
    return f"version {version.number}" if version.number is not None \
        else f"stored text {version.sha256[:12]}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _paint(text: str, code: str, color: bool) -> str:
    """text in a colour, line by line (a colour never bleeds across a break)."""
    if not color:
        return text
    return "\n".join(f"{code}{part}{RESET}" if part else part for part in text.split("\n"))


def _unchanged(text: str) -> str:
    """Unchanged article text, escaped; its line breaks (CRLF too) kept."""
    if "\r" not in text:
        return escape(text, keep="\n")
    return "\r\n".join(escape(part, keep="\n") for part in text.split("\r\n"))


def _changed(text: str) -> str:
    """Removed or inserted text, escaped, each line break shown as ↵."""
    return "\n".join(escape(part) for part in text.split("\n")).replace(
        "\n", f"{NEWLINE_MARK}\n")


def _hunk_text(hunk: Hunk, color: bool) -> str:
    pieces = ["…" if hunk.cut_before else ""]
    for segment in hunk.segments:
        if segment.op == "equal":
            pieces.append(_unchanged(segment.text))
            continue
        opening, closing, code = _MARKERS[segment.op]
        pieces.append(_paint(f"{opening}{_changed(segment.text)}{closing}", code, color))
    pieces.append("…" if hunk.cut_after else "")
    return "".join(pieces)


def outcome_text(touched: TouchedAnnotation, report: DiffReport) -> str:
    """What re-anchoring does or did to a touched annotation, in words."""
    from annotate.report.reanchor import quote_change

    annotation, result = touched.annotation, touched.reanchored
    if touched.on == "to":
        if annotation.previous_quote is not None and annotation.previous_quote != \
                annotation.quote:
            return ("re-anchored here, fuzzy: "
                    f"{quote_change(annotation.previous_quote, annotation.quote)}")
        return f"made on it or re-anchored to it: “{terminal_line(annotation.quote, 60)}”"
    assert result is not None
    moved = result.annotation
    if result.outcome == "orphaned":
        return (f"re-anchoring orphans it (best score {result.score:.2f}): "
                f"“{terminal_line(annotation.quote, 60)}”")
    if result.outcome == "fuzzy":
        return (f"re-anchoring makes it fuzzy (score {result.score:.2f}): "
                f"{quote_change(annotation.quote, moved.quote)}")
    return (f"re-anchoring keeps it exact, at {moved.start}-{moved.end} of "
            f"{_name(report.new)}: “{terminal_line(moved.quote, 60)}”")


def _touched_line(touched: TouchedAnnotation, report: DiffReport) -> str:
    annotation = touched.annotation
    version = report.old if touched.on == "from" else report.new
    state = ", orphaned" if annotation.orphaned else ""
    return (f"  annotation {escape(annotation.id)} ({escape(annotation.label)} by "
            f"{escape(annotation.reviewer)}), on {_name(version)}{state}: "
            f"{outcome_text(touched, report)}")


def summary(report: DiffReport) -> str:
    """One line: how much changed and how many annotations it touches."""
    found = report.changes
    line = (f"{_plural(len(found.changes), 'change')} in {_plural(len(found.hunks), 'hunk')}: "
            f"{_plural(found.removed_words, 'word')} removed, {found.inserted_words} added "
            f"({report.old_characters} → {report.new_characters} characters)")
    if report.touched:
        outcomes = Counter(t.reanchored.outcome for t in report.touched
                           if t.reanchored is not None)
        line += f"; {_plural(len(report.touched), 'annotation')} touched"
        if outcomes:
            line += " (if re-anchored: " + ", ".join(
                f"{outcomes[name]} {name}" for name in ("exact", "fuzzy", "orphaned")
                if outcomes[name]) + ")"
    return line


def render_text(report: DiffReport, color: bool = False) -> str:
    """Word diff, hunk by hunk, each with the annotations it touches."""
    head = (f"diff {escape(report.document)}: {report.old.describe()} → "
            f"{report.new.describe()}")
    lines = [_paint(head, BOLD, color)]
    if report.changes.identical:
        same = ("the same version" if report.old.sha256 == report.new.sha256
                else "the same text")
        lines.append(f"no changes: {same}")
        return "\n".join(lines) + "\n"
    lines.append(summary(report))
    if report.changes.coarse:
        lines.append("note: some passages changed too much to align word by word; each is "
                     "shown replaced whole")
    by_hunk: dict[int, list[TouchedAnnotation]] = {}
    for touched in report.touched:
        by_hunk.setdefault(touched.hunks[0], []).append(touched)
    for number, hunk in enumerate(report.changes.hunks):
        header = (f"@@ -{hunk.old_line}:{hunk.old_column} "
                  f"+{hunk.new_line}:{hunk.new_column} @@")
        lines += ["", _paint(header, CYAN, color), _hunk_text(hunk, color)]
        lines += [_touched_line(t, report) for t in by_hunk.get(number, ())]
    return "\n".join(lines) + "\n"


def _version_json(version: Version, characters: int) -> dict[str, Any]:
    return {"number": version.number, "sha256": version.sha256, "current": version.current,
            "characters": characters}


def diff_json(report: DiffReport, color: bool = False) -> str:
    """The versions, every change and hunk with its exact text, and the
    touched annotations (schemas/diff.schema.json)."""
    found = report.changes
    changes = [{"old_start": change.old_start, "old_end": change.old_end,
                "new_start": change.new_start, "new_end": change.new_end,
                "removed": removed, "inserted": inserted, "coarse": change.coarse}
               for change, (removed, inserted) in zip(found.changes, found.texts, strict=True)]
    return to_json({
        "document": report.document,
        "from": _version_json(report.old, report.old_characters),
        "to": _version_json(report.new, report.new_characters),
        "identical": found.identical,
        "coarse": found.coarse,
        "summary": {"changes": len(found.changes), "hunks": len(found.hunks),
                    "removed_characters": found.removed_characters,
                    "inserted_characters": found.inserted_characters,
                    "removed_words": found.removed_words,
                    "inserted_words": found.inserted_words,
                    "annotations_touched": len(report.touched)},
        "changes": changes,
        "hunks": [{"old_start": h.old_start, "old_end": h.old_end, "new_start": h.new_start,
                   "new_end": h.new_end, "old_line": h.old_line, "old_column": h.old_column,
                   "new_line": h.new_line, "new_column": h.new_column,
                   "changes": list(h.changes), "coarse": h.coarse,
                   "segments": [{"op": s.op, "text": s.text} for s in h.segments]}
                  for h in found.hunks],
        "annotations": [_touched_json(t) for t in report.touched],
        "versions": [{"number": v.number, "sha256": v.sha256, "current": v.current}
                     for v in report.versions],
    })


def _touched_json(touched: TouchedAnnotation) -> dict[str, Any]:
    annotation, result = touched.annotation, touched.reanchored
    reanchored = None
    if result is not None:
        moved = result.annotation
        reanchored = {"outcome": result.outcome, "score": round(result.score, 4),
                      "start": None if result.outcome == "orphaned" else moved.start,
                      "end": None if result.outcome == "orphaned" else moved.end,
                      "quote": None if result.outcome == "orphaned" else moved.quote}
    return {"id": annotation.id, "reviewer": annotation.reviewer, "label": annotation.label,
            "on": touched.on, "start": annotation.start, "end": annotation.end,
            "quote": annotation.quote, "orphaned": annotation.orphaned,
            "previous_quote": annotation.previous_quote, "hunks": list(touched.hunks),
            "reanchor": reanchored}


# -- HTML -------------------------------------------------------------------------------

def _html_pieces(text: str) -> list[tuple[str, bool]]:
    """Removed or inserted text as (piece, a line break follows) pairs, so the
    page can mark each break the change holds."""
    parts = text.split("\n")
    return [(part, k < len(parts) - 1) for k, part in enumerate(parts)]


def render_html(report: DiffReport, color: bool = False) -> str:
    """One self-contained HTML page (no script, no request; <del> and <ins>)."""
    import base64
    import hashlib

    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    from annotate import __version__
    from annotate.report.review.page import visible

    env = Environment(loader=PackageLoader("annotate.report", "templates"), autoescape=True,
                      finalize=visible, undefined=StrictUndefined, auto_reload=False)
    css = env.get_template("diff.css.j2").render()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; "
           "form-action 'none'")
    by_hunk: dict[int, list[dict[str, Any]]] = {}
    for touched in report.touched:
        annotation = touched.annotation
        by_hunk.setdefault(touched.hunks[0], []).append({
            "id": annotation.id, "label": annotation.label, "reviewer": annotation.reviewer,
            "on": _name(report.old if touched.on == "from" else report.new),
            "orphaned": annotation.orphaned, "quote": annotation.quote,
            "outcome": _html_outcome(touched)})
    hunks = [{"number": number + 1, "hunk": hunk, "touched": by_hunk.get(number, []),
              "segments": [(s.op, _html_pieces(s.text) if s.op != "equal" else s.text)
                           for s in hunk.segments]}
             for number, hunk in enumerate(report.changes.hunks)]
    return env.get_template("diff.html.j2").render(
        report=report, old=_with_size(report.old, report.old_characters),
        new=_with_size(report.new, report.new_characters),
        summary=summary(report) if not report.changes.identical else "no changes",
        hunks=hunks, css=Markup(css), csp=csp, version=__version__)


def _with_size(version: Version, characters: int) -> str:
    """``version 2 (9ca54b0d25ff, current; 5661 characters)``."""
    return version.describe(f"; {characters} characters")


def _html_outcome(touched: TouchedAnnotation) -> dict[str, Any]:
    """What re-anchoring does or did, as the page shows it."""
    annotation, result = touched.annotation, touched.reanchored
    if result is None:
        fuzzy = annotation.previous_quote not in (None, annotation.quote)
        return {"words": "re-anchored here, fuzzy" if fuzzy
                else "made on this version or re-anchored to it",
                "was": annotation.previous_quote if fuzzy else None, "now": None}
    words = {"exact": "re-anchoring keeps it exact",
             "fuzzy": f"re-anchoring makes it fuzzy (score {result.score:.2f})",
             "orphaned": f"re-anchoring orphans it (best score {result.score:.2f})"}
    return {"words": words[result.outcome], "was": None,
            "now": None if result.outcome == "orphaned" else result.annotation.quote}


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_text,
    "json": diff_json,
    "html": render_html,
})


