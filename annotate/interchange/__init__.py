"""Interchange with other tools (issue 10): W3C Web Annotation, Hypothesis,
schema.org ClaimReview, brat standoff.  Pure: records and texts in, JSON
values or texts out, and back; the api reads and writes.

What every format shares lives here: the URI a document is known by outside
the workspace, and its inverse.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from annotate.model import Project

# Without a documents_url in the project file, a document is named by this
# URN and its percent-encoded id (RFC 8141 allows "/" in the name).
DOCUMENT_URN = "urn:annotate:document:"


def document_uri(project: Project, document_id: str) -> str:
    """The URI of a document: the project's documents_url followed by the
    percent-encoded id, else ``urn:annotate:document:<percent-encoded id>``."""
    encoded = quote(document_id, safe="/")
    base = project.documents_url
    if base is None:
        return DOCUMENT_URN + encoded
    return (base if base.endswith("/") else base + "/") + encoded


def document_id_from_uri(project: Project, uri: str) -> str | None:
    """The document id a URI made by ``document_uri`` names, or None if it
    names no document of this project's scheme (e.g. another site's page)."""
    prefixes = [DOCUMENT_URN]
    if project.documents_url is not None:
        base = project.documents_url
        prefixes.append(base if base.endswith("/") else base + "/")
    for prefix in prefixes:
        if uri.startswith(prefix) and len(uri) > len(prefix):
            return unquote(uri[len(prefix):])
    return None
