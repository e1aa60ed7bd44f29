"""Output of `annotate reanchor`: a summary per outcome, or JSON per annotation."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from annotate.report.listing import terminal_line, to_json
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.api import ReanchorReport

Renderer = Callable[["ReanchorReport"], str]

# Around each change of a fuzzy quote: this many characters of unchanged
# text either side, and at most this many of each changed part.
CONTEXT = 20
CHANGED = 60
# Quotes are compared word by word with difflib, whose matcher is quadratic
# in the worst case; past this many words in the part that differs (after
# the common beginning and end are set aside) the part is shown replaced whole.
MAX_DIFF_WORDS = 2000

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_SPACE = re.compile(r"\s+")


def render_text(report: ReanchorReport) -> str:
    """A line per fuzzy or orphaned annotation, then one summary line."""
    counts = Counter(result.outcome for result in report.results)
    lines = []
    for result in report.results:
        if result.outcome == "exact":
            continue
        annotation = result.annotation
        where = (f"{escape(annotation.document)} {escape(annotation.id)} "
                 f"({escape(annotation.reviewer)})")
        if result.outcome == "fuzzy":
            # The change itself, not the quotes cut at 50 characters: a late
            # typo fix was invisible that way (issue 8, item 24).
            lines.append(f"fuzzy     {where}: "
                         f"{quote_change(annotation.previous_quote, annotation.quote)}"
                         f" (score {result.score:.2f})")
        else:
            lines.append(f"orphaned  {where}: “{terminal_line(annotation.quote, 60)}” "
                         f"(best score {result.score:.2f}); kept, flagged for a human")
    for decision in report.decisions_orphaned:
        lines.append(f"orphaned  {escape(decision.document)} decision for {decision.position} "
                     f"({escape(decision.editor)}): “{terminal_line(decision.quote, 60)}”; "
                     "kept, no longer applied by merge: decide the position again")
    verb = "would be" if not report.written else "were"
    lines.append(
        f"{report.documents} document(s): {counts['exact']} exact, {counts['fuzzy']} fuzzy, "
        f"{counts['orphaned']} orphaned, {report.up_to_date} already up to date"
        + ("; nothing written (--dry-run)" if not report.written else "")
        + (f"; {report.orphans_remaining} orphan(s) {verb} left: fix them by hand or "
           "remove them" if report.orphans_remaining else "")
        + (f"; {report.decisions_moved} editor's decision(s) moved"
           if report.decisions_moved else ""))
    return "\n".join(lines) + "\n"


def quote_change(old: str | None, new: str) -> str:
    """A one-line word diff of old -> new quote, escaped: each change as
    ``[-old-]{+new+}`` with a little unchanged text around it, the rest as "…".

    ``“North Korea’s new Hwasong-18 [-intercontinental-]{+long-range+} ballistic…”``
    """
    if old is None or old == new:
        return f"“{terminal_line(new, 60)}”"
    # The common beginning and end, cut back to whole words, are context only:
    # the word diff (quadratic at worst) sees just the part that differs.
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    # Never split a word between context and change: "[-tecnology-]{+technology+}".
    while head and _word(old, head - 1) and (_word(old, head) or _word(new, head)):
        head -= 1
    while tail and _word(old, len(old) - tail) and (
            _word(old, len(old) - tail - 1) or _word(new, len(new) - tail - 1)):
        tail -= 1
    old_words = _TOKEN.findall(old[head:len(old) - tail])
    new_words = _TOKEN.findall(new[head:len(new) - tail])
    pieces: list[tuple[str, str, str]] = [("=", old[:head], old[:head])]
    if len(old_words) > MAX_DIFF_WORDS or len(new_words) > MAX_DIFF_WORDS:
        pieces.append(("~", "".join(old_words), "".join(new_words)))
    else:
        from difflib import SequenceMatcher

        matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
        for opcode, i1, i2, j1, j2 in matcher.get_opcodes():
            removed, added = "".join(old_words[i1:i2]), "".join(new_words[j1:j2])
            pieces.append(("=" if opcode == "equal" else "~", removed, added))
    pieces.append(("=", old[len(old) - tail:], old[len(old) - tail:]))
    shown: list[str] = []
    last = len(pieces) - 1
    for position, (kind, removed, added) in enumerate(pieces):
        if kind == "~":
            shown.append((f"[-{_changed(removed)}-]" if removed else "")
                         + (f"{{+{_changed(added)}+}}" if added else ""))
        else:
            shown.append(_unchanged(removed, first=position == 0, last=position == last))
    return f"“{''.join(shown)}”"


def _word(text: str, at: int) -> bool:
    """True if text[at] exists and is a word character (as re's \\w)."""
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] == "_")


def _changed(text: str) -> str:
    # Exactly what changed, line breaks and all, made visible by escape().
    cut = text if len(text) <= CHANGED else text[:CHANGED - 1] + "…"
    return escape(cut)


def _unchanged(text: str, *, first: bool, last: bool) -> str:
    """Unchanged text as context: CONTEXT characters next to each change."""
    text = _SPACE.sub(" ", text)
    if first:
        return escape(text if len(text) <= CONTEXT else "…" + text[-CONTEXT:])
    if last:
        return escape(text if len(text) <= CONTEXT else text[:CONTEXT] + "…")
    if len(text) <= 2 * CONTEXT + 1:
        return escape(text)
    return escape(text[:CONTEXT] + "…" + text[-CONTEXT:])


def render_json(report: ReanchorReport) -> str:
    """A JSON array: each re-anchored annotation's outcome, new span and score."""
    return to_json([
        {"id": r.annotation.id, "document": r.annotation.document,
         "reviewer": r.annotation.reviewer, "outcome": r.outcome,
         "start": r.annotation.start, "end": r.annotation.end,
         "score": round(r.score, 4)}
        for r in report.results
    ])


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_text,
    "json": render_json,
})
