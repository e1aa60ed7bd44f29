"""The versions of a document and what changed between two of them, pure
(issue 12, item 5: `annotate diff`, and the VERSIONS of `annotate
documents`).

``history`` orders a document's versions and resolves the names a user
gives one (a number, ``current``, ``previous``, a SHA-256 prefix);
``changes`` is the word-level diff of two texts, grouped into hunks with
context.  The store keeps the texts and the list of each document's
versions; ``api.versions`` ties them together.
"""
