"""Bringing articles in (issue 12): `annotate fetch`, `ingest` and `refetch`.

The pieces, each pure but for ``http`` (which talks to the network, never
to the workspace: the api writes what they return through the store):

- ``http``      one page over http(s) with the standard library: the
                User-Agent, a deadline for the whole download, a size limit
                enforced while streaming, redirects followed and recorded
- ``charset``   the page's bytes as text: BOM, HTTP header, ``<meta
                charset>``, and what to do when they lie
- ``extract``   the article's text and metadata (trafilatura, htmldate), as
                paragraphs separated by blank lines
- ``slug``      a document id from a headline or an address
- ``changes``   which paragraphs a new version added, removed or edited
- ``metadata``  the metadata record (schemas/metadata.schema.json) and the
                addresses a page is known by

trafilatura, htmldate, lxml and urllib are imported inside the functions
that use them: `annotate --help` must not pay for them.  docs/fetching.md
states the rules users see.
"""

from __future__ import annotations
