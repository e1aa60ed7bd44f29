"""Where spans stand in a text, and re-anchoring them after the text was
edited.  Pure functions over ``str``; offsets are code points, end exclusive.

Import the module you need; this package imports nothing, so that code
which only needs positions never loads diff-match-patch:

- ``textindex``: line:column positions, the context stored beside a quote,
  snippets for messages, grapheme cluster boundaries, finding a quote the
  user typed (exact, normalised, or the closest matches of a mistyped one).
  Standard library only at import (``regex`` when a boundary is not ASCII).
- ``closest``: the closest passages to a mistyped quote, by q-gram
  filtering, in time bounded whatever the size of the text.
- ``quotes``: finding a stored quote again in an edited text: thresholds,
  the match score, edit distances, approximate search and alignment.
- ``textdiff``: one deterministic diff of the old text against the new one,
  as hunks (diff-match-patch).
- ``diffmap``: the diff as a map of offsets: where spans land, what was
  removed, which inserted text may hold a moved quote.
- ``reanchor``: ``reanchor()`` and its outcomes, built on the others.

How re-anchoring works, its outcomes and its thresholds: docs/reanchoring.md.
"""
