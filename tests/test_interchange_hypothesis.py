"""Hypothesis import (issue 10, item 2), with annotations shaped exactly as
Hypothesis writes them.

tests/data/hypothesis/ (see its README.md for where each shape comes from):
search.json is a response of the API's GET /api/search (rows with user,
uri, text, tags, target[].selector[] as the client writes them: a
RangeSelector, a TextPositionSelector into the web page's text, a
TextQuoteSelector); search-page.json a page of a longer search;
jsonld.json two of them as h's JSON-LD presenter renders them (creator an
acct: string, a Markdown TextualBody without purpose, tagging bodies, the
RangeSelector rewritten as XPathSelectors refinedBy TextPositionSelectors).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.interchange import hypothesis
from annotate.interchange.importing import Candidate, Rejected
from tests.conftest import SEED_ID, Run

DATA = Path(__file__).resolve().parent / "data" / "hypothesis"
SEARCH = str(DATA / "search.json")
JSONLD = str(DATA / "jsonld.json")
PAGE = str(DATA / "search-page.json")
TASS = "https://tass.com/politics/1673395"


def records(workspace: Path, reviewer: str) -> list[dict[str, object]]:
    path = workspace / "annotations" / SEED_ID / f"{reviewer}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_fixture_is_the_api_shape() -> None:
    search = json.loads(Path(SEARCH).read_text(encoding="utf-8"))
    assert set(search) == {"rows", "total"}
    for row in search["rows"]:
        assert row["user"].startswith("acct:") and row["user"].endswith("@hypothes.is")
        assert {"id", "created", "updated", "uri", "text", "tags", "group", "permissions",
                "target", "document", "links"} <= set(row)


def test_parsing_the_search_result() -> None:
    parsed = hypothesis.load(Path(SEARCH).read_bytes(), "search.json")
    first, second, reply, page_note, two_labels, no_label, elsewhere = parsed.items
    assert isinstance(first, Candidate)
    assert first.reviewer == "dora@hypothes.is"
    assert first.quote == "Russia will provide North Korea with support in building satellites"
    assert first.tags == ("Sourced", "satellites")
    assert first.sources == (TASS,)  # the Markdown link in the text
    assert first.note.startswith("Putin said so")
    assert first.created == "2023-09-14T08:12:45.617322+00:00"
    assert first.modified == "2023-09-14T08:15:02.001947+00:00"
    assert first.source_id == "Yk2mQFJPEe6wB4sF1qk3uw"
    assert first.document_uri is not None and "example-news.com" in first.document_uri
    # The page's TextPositionSelector is a hint at most, never the span.
    assert (first.start, first.end) == (1734, 1801) and not first.exact_position
    assert isinstance(second, Candidate) and isinstance(no_label, Candidate)
    assert isinstance(elsewhere, Candidate) and isinstance(two_labels, Candidate)
    assert two_labels.sources == ("https://www.38north.org/2023/07/hwasong-18/",)
    assert isinstance(reply, Rejected) and "reply" in reply.reason
    assert isinstance(page_note, Rejected) and "page note" in page_note.reason


def test_the_jsonld_shape_gives_the_same_candidates() -> None:
    api = hypothesis.load(Path(SEARCH).read_bytes(), "search.json").items[:2]
    jsonld = hypothesis.load(Path(JSONLD).read_bytes(), "jsonld.json").items
    for one, other in zip(api, jsonld, strict=True):
        assert isinstance(one, Candidate) and isinstance(other, Candidate)
        for field in ("quote", "prefix", "suffix", "start", "end", "tags", "note", "sources",
                      "reviewer", "created", "modified", "document_uri"):
            assert getattr(one, field) == getattr(other, field), field


@pytest.mark.parametrize(("text", "found"), [
    ("See [the report](https://x.example/a_(b)).", ("https://x.example/a_(b)",)),
    ("Two: https://a.example/x, and <https://b.example/y>.",
     ("https://a.example/x", "https://b.example/y")),
    ("Twice https://a.example/x https://a.example/x", ("https://a.example/x",)),
    ("**https://a.example/bold**", ("https://a.example/bold",)),
    ("no address, ftp://x.example/ and http:// alone", ()),
])
def test_addresses_in_the_text(text: str, found: tuple[str, ...]) -> None:
    assert hypothesis.addresses(text) == found


def test_import_needs_the_document_when_the_page_is_not_ours(workspace: Path,
                                                             run: Run) -> None:
    result = run("import", "--format", "hypothesis", SEARCH)
    assert result.exit_code == 1
    assert "names no document of the corpus; pass --document DOC" in result.stderr
    assert result.stdout == ""
    assert records(workspace, "dora@hypothes.is") == []


def test_without_partial_a_file_with_problems_imports_nothing(workspace: Path,
                                                              run: Run) -> None:
    result = run("import", "--format", "hypothesis", SEARCH, "--document", SEED_ID)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ")[2].split()[0] for line in lines[:5]] == [
        "rows[2]", "rows[3]", "rows[4]", "rows[5]", "rows[6]"]
    assert "a reply to another annotation" in lines[0]
    assert "a page note (no selector)" in lines[1]
    assert "its tags name 2 labels (disputed, opinion)" in lines[2]
    assert "no label" in lines[3] and "--label LABEL" in lines[3]
    assert "“Vostochny Cosmodrome launch complex in Amur” is not in the document" in lines[4]
    assert "nothing imported: 2 valid annotations held back" in lines[5]
    assert lines[-1] == "annotate: imported 0 annotations; 5 skipped; 2 held back"
    assert not (workspace / "annotations" / SEED_ID).exists()


def test_partial_imports_the_valid_ones(workspace: Path, run: Run) -> None:
    result = run("import", "--format", "hypothesis", SEARCH, "--document", SEED_ID,
                 "--partial", "--label", "unsourced")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "annotate: imported 3 annotations into 1 document; 4 skipped")
    assert len(result.stdout.split()) == 3
    sourced, speculative = sorted(records(workspace, "dora@hypothes.is"),
                                  key=lambda r: r["start"])  # type: ignore[arg-type,return-value]
    assert sourced["label"] == "sourced" and sourced["tags"] == ["satellites"]
    assert sourced["sources"] == [TASS]
    assert sourced["created"] == "2023-09-14T08:12:45.617322Z"
    assert sourced["modified"] == "2023-09-14T08:15:02.001947Z"
    text = (workspace / "corpus" / SEED_ID).read_text(encoding="utf-8")
    assert text[sourced["start"]:sourced["end"]] == sourced["quote"]
    # The page had one space between two paragraphs; the record quotes the document.
    assert speculative["quote"] == ("Kim told Putin.\n\n“We will always support the "
                                    "decisions of President Putin")
    assert speculative["label"] == "speculative"
    (located,) = records(workspace, "sam_k@hypothes.is")
    assert located["label"] == "unsourced" and located["tags"] == ["location"]
    assert run("validate", "--no-cache").exit_code == 0


def test_the_jsonld_shape_imports_alike(workspace: Path, run: Run) -> None:
    result = run("import", "--format", "hypothesis", JSONLD, "--document", SEED_ID)
    assert result.exit_code == 0, result.stderr
    assert sorted(r["label"] for r in records(workspace, "dora@hypothes.is")) == [
        "sourced", "speculative"]
    again = run("import", "--format", "hypothesis", SEARCH, "--document", SEED_ID,
                "--partial", "--label", "unsourced")
    # The two already imported from the JSON-LD are the same annotations.
    assert "2 already there" in again.stderr.splitlines()[-1]
    assert len(records(workspace, "dora@hypothes.is")) == 2


def test_reviewer_option_replaces_the_creator(workspace: Path, run: Run) -> None:
    result = run("import", "--format", "hypothesis", JSONLD, "--document", SEED_ID,
                 "--reviewer", "desk")
    assert result.exit_code == 0, result.stderr
    assert len(records(workspace, "desk")) == 2
    assert records(workspace, "dora@hypothes.is") == []


def test_a_paginated_search_says_so(workspace: Path, run: Run) -> None:
    result = run("import", "--format", "hypothesis", PAGE, "--document", SEED_ID)
    assert result.exit_code == 0
    assert "holds 1 of the 412 annotations the search found" in result.stderr


def test_the_page_uri_maps_to_a_document_through_documents_url(workspace: Path,
                                                               run: Run) -> None:
    project = json.loads((workspace / "annotate.json").read_text(encoding="utf-8"))
    project["documents_url"] = "https://www.example-news.com/world/2023/09/13/"
    (workspace / "annotate.json").write_text(json.dumps(project), encoding="utf-8")
    (workspace / "corpus" / SEED_ID).rename(
        workspace / "corpus" / "what-kim-jong-un-and-vladimir-putin-want")
    result = run("import", "--format", "hypothesis", JSONLD)
    assert result.exit_code == 0, result.stderr
    assert (workspace / "annotations" / "what-kim-jong-un-and-vladimir-putin-want"
            / "dora@hypothes.is.jsonl").exists()


@pytest.mark.parametrize(("change", "reason"), [
    ({"target": None}, "no 'target' list"),
    ({"target": [{"source": "https://x.example/", "selector": [
        {"type": "TextPositionSelector", "start": 1, "end": 5}]}]},
     "no TextQuoteSelector: Hypothesis' positions count the web page's text"),
    ({"target": [{"source": "https://x.example/", "selector": [
        {"type": "TextQuoteSelector", "prefix": "a"}]}]}, "has no 'exact' text"),
    ({"tags": "sourced"}, "its 'tags' are not a list of strings"),
    ({"text": 5}, "its 'text' is not a string"),
    ({"updated": 20230914}, "its 'updated' is not a string"),
])
def test_rows_missing_what_they_need(change: dict[str, object], reason: str) -> None:
    row = json.loads(Path(SEARCH).read_text(encoding="utf-8"))["rows"][0]
    row.update(change)
    (item,) = hypothesis.load(json.dumps({"rows": [row], "total": 1}).encode(), "x").items
    assert isinstance(item, Rejected) and reason in item.reason, item


def test_a_row_without_user_needs_the_reviewer_option(workspace: Path, run: Run,
                                                      tmp_path: Path) -> None:
    row = json.loads(Path(SEARCH).read_text(encoding="utf-8"))["rows"][0]
    del row["user"]
    path = tmp_path / "x.json"
    path.write_text(json.dumps([row]), encoding="utf-8")
    result = run("import", "--format", "hypothesis", str(path), "-d", SEED_ID)
    assert result.exit_code == 1
    assert "no reviewer: it names no creator; pass --reviewer NAME" in result.stderr
    assert run("import", "--format", "hypothesis", str(path), "-d", SEED_ID,
               "-r", "desk").exit_code == 0
