"""The report as GitHub-flavoured Markdown, for a pull-request comment.

User text (names, quotes, notes, labels, document ids) is written so that
it can only ever be text: whitespace collapsed to one line (a line break
would end a table row), controls and bidi controls made visible
(``report.terminal.escape``), every ASCII punctuation character Markdown
gives a meaning to backslash-escaped (``|`` would split a table cell,
``[``/``]`` make links, backticks code, ``<`` HTML, ``$`` maths), and an
``@`` that would mention a GitHub user or team (``@alice``) is followed by
an invisible WORD JOINER so nobody is notified by an annotation's note.
Only http(s) sources become links (``<https://...>``).  The article text
itself is not included: a comment is short (GitHub takes up to 65,536
characters), and the tables quote each span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from annotate.report.listing import one_line
from annotate.report.review.page import is_link
from annotate.report.review.view import (
    AgreementJSON,
    DocumentJSON,
    FigureJSON,
    ReportAnnotation,
    ScoresJSON,
    build,
)
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.api.report import Report

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones
# GitHub gives a meaning to inside a line (emphasis, links and images, code,
# HTML, table cells, strikethrough, maths, entities, headings).  List and
# block-quote markers (- + 1. >) matter only at the start of a line, and user
# text never starts one here: it follows a table pipe or a fixed lead-in.
_SPECIAL = re.compile(r"([\\`*_\[\]#|<>~&$])")
# An @ that starts a mention: at the start or after a non-word character.
_MENTION = re.compile(r"(?<![\w@])@(?=\w)")
WORD_JOINER = "\u2060"
# An address that can stand in an autolink (<...>) inside a table cell as it is.
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def text(value: str, limit: int = 300) -> str:
    """User text as one line of literal Markdown, at most ``limit`` characters
    before escaping (an ellipsis when cut)."""
    shown = escape(one_line(value, limit))
    shown = _SPECIAL.sub(r"\\\1", shown)
    return _MENTION.sub("@" + WORD_JOINER, shown)


def link(url: str) -> str:
    """An http(s) address as an autolink; anything else as text."""
    if is_link(url) and _PLAIN_URL.fullmatch(url):
        return f"<{url}>"
    return text(url, 200)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: int = 0) -> list[str]:
    """A table; the first ``numeric`` columns right-aligned."""
    rule = ["---:" if i < numeric else "---" for i in range(len(headers))]
    return [_row(headers), _row(rule), *(_row(row) for row in rows), ""]


def _figure(value: FigureJSON) -> str:
    if value["value"] is None:
        return "– (" + text(value["reason"] or "undefined", 120) + ")"
    return f"{value['value']:.3f}"


def _f1(value: ScoresJSON) -> str:
    if value["f1"] is None:
        return "– (" + text(value["reason"] or "undefined", 120) + ")"
    return f"{value['f1']:.3f}"


def _annotation_rows(annotations: Iterable[ReportAnnotation]) -> list[list[str]]:
    return [[str(a["number"]), text(r["label"], 60), text(r["reviewer"], 80),
             "“" + text(r["quote"], 160) + "”", text(r["note"], 200),
             text(r.get("verdict") or "", 40), " ".join(link(url) for url in r["sources"])]
            for a in annotations for r in (a["record"],)]


ANNOTATION_HEADERS = ("#", "Label", "Reviewer", "Quote", "Note", "Verdict", "Sources")


def _agreement(agreement: AgreementJSON) -> list[str]:
    lines = [f"Agreement over {agreement['positions']} positions and "
             f"{agreement['reviewers']} reviewers: Krippendorff's alpha "
             f"{_figure(agreement['krippendorff_alpha'])}, Fleiss' kappa "
             f"{_figure(agreement['fleiss_kappa'])}.", ""]
    rows = [[text(p["reviewers"][0], 80) + " × " + text(p["reviewers"][1], 80),
             _figure(p["cohen_kappa"]), str(p["cohen_kappa"]["positions"]),
             _f1(p["f1_overlap"]), _f1(p["f1_exact"])] for p in agreement["pairs"]]
    return lines + _table(("Reviewers", "Cohen's kappa", "Positions", "Span F1 (overlap)",
                           "Span F1 (exact)"), rows)


def _document(document: DocumentJSON) -> list[str]:
    name = text(document["document"], 200)
    reviewers = ", ".join(text(r, 80) for r in document["reviewers"]) or "none yet"
    lines = [f"### Document: {name}", "",
             f"{document['characters']} characters · version {document['sha256'][:12]} · "
             f"reviewers: {reviewers}", ""]
    for note in document["notes"]:
        lines += [f"> **Note:** {text(note, 600)}", ""]
    by_shown: dict[str, list[ReportAnnotation]] = {"drawn": [], "orphaned": [], "stale": []}
    for annotation in document["annotations"]:
        by_shown[annotation["shown"]].append(annotation)
    if by_shown["drawn"]:
        lines += _table(ANNOTATION_HEADERS, _annotation_rows(by_shown["drawn"]), numeric=1)
    else:
        lines += ["No annotations.", ""]
    if by_shown["orphaned"]:
        lines += ["**Orphaned** (no place in the current text; last known quote):", ""]
        lines += _table(ANNOTATION_HEADERS, _annotation_rows(by_shown["orphaned"]), numeric=1)
    if by_shown["stale"]:
        lines += ["**Not drawn** (made on another version of the text; run `annotate "
                  "reanchor`):", ""]
        lines += _table(ANNOTATION_HEADERS, _annotation_rows(by_shown["stale"]), numeric=1)
    if not document["reviewers"]:
        return lines
    consensus = document["consensus"]
    if consensus["exists"]:
        state = {True: " (up to date)", False: " — **out of date**: run `annotate merge`",
                 None: ""}[consensus["current"]]
        lines += [f"**Consensus** ({len(consensus['records'])} merged positions, from "
                  f"{text(consensus['file'], 200)}){state}", ""]
        if consensus["records"]:
            rows = [[text(str((c.get("provenance") or {}).get("position", "")), 40),
                     text(c["label"], 60), "“" + text(c["quote"], 160) + "”",
                     text(str((c.get("provenance") or {}).get("method", "")), 60)]
                    for c in consensus["records"]]
            lines += _table(("Position", "Label", "Quote", "How"), rows)
    else:
        lines += ["No consensus yet (run `annotate merge`).", ""]
    merge = document["merge"]
    if merge is not None:
        statuses = ", ".join(f"{n} {status}" for status, n in merge["statuses"].items())
        lines += [f"**Open conflicts** (`annotate merge --dry-run --strategy "
                  f"{text(merge['strategy'], 60)}`): {len(merge['conflicts'])} of "
                  f"{merge['positions']} positions ({statuses}).", ""]
        if merge["conflicts"]:
            rows = [[p["id"], "“" + text(p["quote"], 160) + "”",
                     "; ".join(f"{text(r, 80)}: " + "+".join(
                         text(one, 60) for one in p.get("stacked_labels", {}).get(r, [label]))
                               for r, label in p["labels"].items())]
                    for p in merge["conflicts"]]
            lines += _table(("Position", "Quote", "Labels"), rows)
    if document["agreement"] is not None:
        lines += _agreement(document["agreement"])
    return lines


def render_markdown(report: Report) -> str:
    """The report as a Markdown comment: per document its annotations, consensus,
    open conflicts and agreement; per reviewer their counts and agreement."""
    data = build(report)
    total = sum(len(d["annotations"]) for d in data["documents"])
    who = (f"by {text(data['reviewer'], 80)} only" if data["reviewer"]
           else f"by {_count(len(data['reviewers']), 'reviewer')}")
    lines = [f"## Fact-check report: {text(data['project'], 200)}", "",
             f"{_count(len(data['documents']), 'document')}, "
             f"{_count(total, 'annotation')} {who}.", ""]
    for document in data["documents"]:
        lines += _document(document)
    if data["reviewers"]:
        lines += ["### Reviewers", ""]
        rows = []
        for r in data["reviewers"]:
            counts = ", ".join(f"{text(label, 60)} {n}" for label, n in r["labels"].items())
            positions = r["positions"]
            agreed = (f"{positions['same_label']} of {positions['shared']}"
                      if positions["shared"] else "–")
            kappas = "; ".join(f"{text(w['reviewer'], 80)} {_figure(w['cohen_kappa'])}"
                               for w in r["agreement"]) or "–"
            rows.append([text(r["reviewer"], 80), str(len(r["annotations"])), counts or "–",
                         agreed, kappas])
        lines += _table(("Reviewer", "Annotations", "Per label",
                         "Others chose their label", "Cohen's kappa with"), rows)
    return "\n".join(lines).rstrip("\n") + "\n"
