"""`annotate report`: the reviewer report in HTML, Markdown, CSV or JSON.

``RENDERERS`` is the registry ``--format`` offers; each renderer takes an
``api.Report``.  ``view`` builds the data every format shows (and is the
JSON), ``segments`` cuts a text for drawing overlapping spans, ``page``
draws the HTML with Jinja2 templates (templates/, shipped as package data)
and ``markdown`` writes a pull-request comment.  Jinja2 is imported only
when the HTML is drawn, so neither this registry nor `annotate --help`
pays for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotate.api.report import Report

Renderer = Callable[["Report"], str]

# What -o FILE's suffix means when --format is not given (else: html).
SUFFIXES: Mapping[str, str] = MappingProxyType({
    ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".csv": "csv",
    ".json": "json"})
DEFAULT_FORMAT = "html"


def render_html(report: Report) -> str:
    """One self-contained HTML page (review/page.py)."""
    from annotate.report.review.page import render_html as render

    return render(report)


def render_md(report: Report) -> str:
    """GitHub-flavoured Markdown for a pull-request comment (review/markdown.py)."""
    from annotate.report.review.markdown import render_markdown

    return render_markdown(report)


def render_csv(report: Report) -> str:
    """One row per annotation, spreadsheet-safe (review/view.py)."""
    from annotate.report.review.view import render_csv as render

    return render(report)


def render_json(report: Report) -> str:
    """The report's data, key-sorted (schemas/report.schema.json)."""
    from annotate.report.review.view import render_json as render

    return render(report)


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "html": render_html,
    "md": render_md,
    "csv": render_csv,
    "json": render_json,
})
