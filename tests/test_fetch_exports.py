"""Exports name the page a document was fetched from, where their format
has room for it: ClaimReview's itemReviewed.appearance (url, headline,
author, datePublished) and the W3C target's source; import finds the
document again by that address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotate.interchange.claimreview import check_claim_review
from tests.conftest import Run
from tests.fetch_helpers import PORT_STRIKE, html, page, running_server

DOCUMENT = "port-strike-enters-third-week-as-talks-stall.txt"
CANONICAL = "https://harbour-gazette.example/news/2024/03/14/port-strike-enters-third-week"
QUOTE = "27 ships were redirected last week"


@pytest.fixture
def fetched(workspace: Path, run: Run) -> Iterator[str]:
    """The port-strike page fetched and one claim on it rated; the annotation's id."""
    with running_server() as server:
        assert run("fetch", server.serve("/p", html(page(PORT_STRIKE), "utf-8"))).exit_code == 0
    added = run("add", DOCUMENT, "--label", "unsourced", "--quote", QUOTE, "--verdict",
                "accurate", "--tag", "claimant-org:Harbour master")
    assert added.exit_code == 0, added.stderr
    yield added.stdout.strip()


def test_claimreview_names_the_article_the_claim_appears_in(fetched: str, run: Run) -> None:
    result = run("export", DOCUMENT, "--format", "claimreview")
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork", "url": CANONICAL,
        "headline": "Port strike enters third week as talks stall",
        "author": {"@type": "Person", "name": "Maria Okafor"},
        "datePublished": "2024-03-14"}
    assert check_claim_review(record).errors == []
    # The appearance is a web page now: no call for documents_url.
    assert "documents_url" not in result.stderr


def test_a_document_not_fetched_still_has_its_uri(fetched: str, run: Run) -> None:
    added = run("add", "kim-putin-vostochny.txt", "--label", "opinion", "--quote", "Vostochny",
                "--occurrence", "1", "--verdict", "false")
    assert added.exit_code == 0, added.stderr
    result = run("export", "--format", "claimreview")
    records = {r["claimReviewed"]: r for r in json.loads(result.stdout)}
    assert records["Vostochny"]["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork", "url": "urn:annotate:document:kim-putin-vostochny.txt"}
    assert "1 of 2 claims are in documents that were not fetched" in result.stderr


def test_w3c_targets_the_page_and_import_finds_the_document_by_it(
        fetched: str, run: Run, workspace: Path) -> None:
    exported = run("export", DOCUMENT, "--format", "w3c", "-o", "review.jsonld")
    assert exported.exit_code == 0, exported.stderr
    collection = json.loads((workspace / "review.jsonld").read_text(encoding="utf-8"))
    (annotation,) = collection["first"]["items"]
    assert annotation["target"]["source"] == CANONICAL
    # Gone from the workspace, then back from the export with no --document.
    assert run("rm", fetched, "--yes").exit_code == 0
    imported = run("import", "--format", "w3c", "review.jsonld")
    assert imported.exit_code == 0, imported.stderr
    (back,) = json.loads(run("list", DOCUMENT, "--format", "json").stdout)
    assert (back["id"], back["quote"], back["document"]) == (fetched, QUOTE, DOCUMENT)


def test_import_by_the_address_the_page_was_asked_for(fetched: str, run: Run,
                                                      workspace: Path, tmp_path: Path) -> None:
    record = json.loads((workspace / "annotations" / DOCUMENT / "metadata.json")
                        .read_text(encoding="utf-8"))
    text = (workspace / "corpus" / DOCUMENT).read_text(encoding="utf-8")
    start = text.index("£40 million")
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "classifying", "value": "unsourced"}],
        "target": {"source": record["url"], "selector": [
            {"type": "TextQuoteSelector", "exact": "£40 million"},
            {"type": "TextPositionSelector", "start": start, "end": start + 11}]}}
    path = tmp_path / "one.jsonld"
    path.write_text(json.dumps(annotation), encoding="utf-8")
    result = run("import", "--format", "w3c", str(path), "--reviewer", "erin")
    assert result.exit_code == 0, result.stderr
    quotes = [a["quote"] for a in json.loads(run("list", DOCUMENT, "--format", "json").stdout)]
    assert "£40 million" in quotes

