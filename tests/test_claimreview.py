"""schema.org ClaimReview export (annotate/interchange/claimreview.py) and our
profile schema (schemas/claimreview.schema.json): every export passes it,
a record missing a required field fails it, the warnings appear when the
project file names no publisher."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from annotate.errors import InvalidValueError
from annotate.interchange.claimreview import (
    DEFAULT_RATING_SCALE,
    SELECTIONS,
    check_claim_review,
    claim_reviews,
    default_rating_scale,
    load_schema,
    rating_name,
    review_url,
)
from annotate.model import CONSENSUS_REVIEWER, Label, Project, Publisher
from annotate.report.listing import to_json
from tests.interchange_helpers import (
    PROJECT,
    PUBLISHED,
    REVIEWERS,
    annotated,
    annotation,
    document,
)

SETTINGS = settings(max_examples=150, deadline=None)


def has_claim(quote: str) -> bool:
    """Whether a quote holds more than whitespace (a quote of whitespace alone
    is no claim to publish, and the schema's "text" refuses it)."""
    return re.search(r"[^\s\x1c-\x1f\x85\ufeff]", quote) is not None

DOC = document("Kim said the Hwasong-18 is based on\r\nRussian technology 😀.\n")
CLAIM = annotation(DOC, DOC.text.index("the"), DOC.text.index("😀") + 1, id="abcd1234",
                   verdict="misleading",
                   tags=("claimant:Kim Jong Un", "missiles"))


def projects() -> st.SearchStrategy[Project]:
    """The default project with every combination of publication settings."""
    publishers = st.one_of(st.none(), st.builds(
        Publisher, st.sampled_from(("Fact Desk", "Désk ✓")),
        st.sampled_from((None, "https://factdesk.example/")),
        st.sampled_from((None, "https://factdesk.example/checks/{document}#{annotation}",
                         "https://factdesk.example/c?d={document}&a={annotation}"))))
    return st.builds(dataclasses.replace, st.just(PROJECT), publisher=publishers,
                     documents_url=st.sampled_from((None, "https://news.example/a")))


# -- the schema ------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "https://annotate.example/schemas/claimreview.schema.json"
    assert set(schema["$defs"]) >= {"required", "recommended"}


@SETTINGS
@given(data=annotated(reviewers=(*REVIEWERS, CONSENSUS_REVIEWER)), project=projects(),
       selection=st.sampled_from(SELECTIONS))
def test_every_export_passes_the_schema(data: Any, project: Project, selection: Any) -> None:
    doc, annotations = data
    export = claim_reviews(annotations, {doc.id: doc}, project, selection=selection)
    for record in export.records:
        assert check_claim_review(record).errors == []
        # What the api writes is JSON: the record survives the trip unchanged.
        assert json.loads(to_json(record)) == record
    merged = {a.document for a in annotations if a.reviewer == CONSENSUS_REVIEWER}

    def chosen(a: Any) -> bool:
        consensus = a.reviewer == CONSENSUS_REVIEWER
        return {"all": True, "consensus": consensus, "reviewers": not consensus,
                "consensus-first": consensus or a.document not in merged}[selection]

    assert len(export.records) == sum(chosen(a) and a.verdict is not None and has_claim(a.quote)
                                      for a in annotations)
    assert export.without_verdict == sum(chosen(a) and a.verdict is None for a in annotations)
    assert export.not_selected == sum(not chosen(a) and a.verdict is not None
                                      for a in annotations)
    if export.records and project.publisher is None:
        assert any("set publisher.name, publisher.url and publisher.review_url" in w
                   for w in export.warnings)


@SETTINGS
@given(data=annotated())
def test_a_fully_configured_project_exports_without_warnings(data: Any) -> None:
    doc, annotations = data
    annotations = [a.replace(tags=("claimant:Jane Doe",), verdict=a.verdict or "false")
                   for a in annotations if has_claim(a.quote)]
    export = claim_reviews(annotations, {doc.id: doc}, PUBLISHED)
    assert export.warnings == []
    for record in export.records:
        assert check_claim_review(record).warnings == []
        assert record["url"].startswith("https://factdesk.example/checks/politics/article.txt#")


@pytest.mark.parametrize("path", [
    ("claimReviewed",), ("reviewRating",), ("url",), ("@type",), ("@context",),
    ("reviewRating", "alternateName"), ("reviewRating", "@type"),
])
def test_a_record_missing_a_required_field_fails(path: tuple[str, ...]) -> None:
    record = claim_reviews([CLAIM], {DOC.id: DOC}, PUBLISHED).records[0]
    assert check_claim_review(record).errors == []
    broken = copy.deepcopy(record)
    parent = broken
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    errors = check_claim_review(broken).errors
    assert errors, path
    assert any(repr(path[-1]) in error for error in errors)


@pytest.mark.parametrize(("change", "expected"), [
    ({"claimReviewed": " \n\t"}, "$.claimReviewed"),
    ({"url": "not a uri"}, "$.url"),
    ({"reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 1}},
     "'bestRating' is a dependency of 'ratingValue'"),
    ({"reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 1,
                       "bestRating": 5, "worstRating": 0}}, "$.reviewRating.worstRating"),
    ({"reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 1,
                       "bestRating": 1, "worstRating": 1}}, "not below bestRating"),
    ({"reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 7,
                       "bestRating": 5, "worstRating": 1}}, "outside 1..5"),
    ({"datePublished": "29/11/2026"}, "$.datePublished"),
    ({"author": {"@type": "Robot", "name": "x"}}, "$.author"),
    ({"itemReviewed": {"@type": "Claim", "appearance": {"@type": "CreativeWork"}}},
     "$.itemReviewed"),
])
def test_a_malformed_field_is_an_error(change: dict[str, Any], expected: str) -> None:
    record = {**claim_reviews([CLAIM], {DOC.id: DOC}, PUBLISHED).records[0], **change}
    errors = check_claim_review(record).errors
    assert any(expected in error for error in errors), errors


def test_the_warnings_appear_when_the_publisher_is_unset() -> None:
    export = claim_reviews([CLAIM], {DOC.id: DOC}, PROJECT)
    assert export.warnings == [
        "annotate.json names no publisher: each ClaimReview's author is its reviewer (a "
        "Person) and its url the document's URI with '#<annotation id>'; set publisher.name, "
        "publisher.url and publisher.review_url before publishing",
        "annotate.json has no documents_url: each claim's appearance is "
        "urn:annotate:document:<id>, which no reader can open; set documents_url",
    ]
    record = export.records[0]
    # Still a complete record: the reviewer is the author, the url names the
    # document and the annotation.
    assert record["author"] == {"@type": "Person", "name": "alice"}
    assert record["url"] == "urn:annotate:document:politics/article.txt#abcd1234"
    check = check_claim_review(record)
    assert check.errors == []
    assert sorted(check.warnings) == sorted([
        "$.url: 'urn:annotate:document:politics/article.txt#abcd1234' is not an http(s) "
        "address with a host.",
        "$.author: 'url' is a required property",
        "$.author['@type']: 'Organization' was expected",
        "$.itemReviewed.appearance.url: 'urn:annotate:document:politics/article.txt' is not "
        "an http(s) address with a host.",
    ])


def test_each_missing_publisher_field_is_named() -> None:
    project = dataclasses.replace(PUBLISHED, publisher=Publisher("Fact Desk"))
    warnings = claim_reviews([CLAIM], {DOC.id: DOC}, project).warnings
    assert [w.split(":")[0] for w in warnings] == [
        "annotate.json has no publisher.url", "annotate.json has no publisher.review_url"]
    assert "set publisher.url" in warnings[0]
    assert "set publisher.review_url" in warnings[1]


# -- the mapping -----------------------------------------------------------------------


def test_the_record_of_a_fully_configured_project() -> None:
    record = claim_reviews([CLAIM], {DOC.id: DOC}, PUBLISHED).records[0]
    assert record == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://factdesk.example/checks/politics/article.txt#abcd1234",
        "claimReviewed": "the Hwasong-18 is based on Russian technology 😀",
        "reviewRating": {"@type": "Rating", "alternateName": "Misleading", "ratingValue": 2,
                         "bestRating": 4, "worstRating": 1},
        "author": {"@type": "Organization", "name": "Fact Desk",
                   "url": "https://factdesk.example/"},
        "datePublished": "2026-11-29",
        "itemReviewed": {
            "@type": "Claim",
            "appearance": {"@type": "CreativeWork",
                           "url": "https://news.example/articles/politics/article.txt"},
            "author": {"@type": "Person", "name": "Kim Jong Un"},
        },
    }
    assert check_claim_review(record).errors == []


def test_a_record_shaped_like_googles_example_passes_without_warnings() -> None:
    # The shape of the example on Google's ClaimReview page (one claim, an
    # Organization as author, a Claim with its appearance), with our values.
    record = {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://factdesk.example/checks/flat-earth.html",
        "claimReviewed": "The world is flat",
        "itemReviewed": {"@type": "Claim",
                         "author": {"@type": "Organization", "name": "Square Earth Society",
                                    "sameAs": "https://square.example/"},
                         "datePublished": "2026-06-20",
                         "appearance": {"@type": "OpinionNewsArticle",
                                        "url": "https://news.example/flat.html",
                                        "headline": "Square Earth Society says the world is flat",
                                        "datePublished": "2026-06-22",
                                        "author": {"@type": "Person", "name": "A. Writer"},
                                        "publisher": {"@type": "Organization",
                                                      "name": "Square Earth News"}}},
        "author": {"@type": "Organization", "name": "Fact Desk",
                   "url": "https://factdesk.example/"},
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5,
                         "worstRating": 1, "alternateName": "False"},
        "datePublished": "2026-11-29",
    }
    # Google's example types the appearance as a news article, which is a
    # CreativeWork too: our required part checks only what we write.
    record["itemReviewed"]["appearance"]["@type"] = "CreativeWork"
    assert check_claim_review(record).errors == []
    assert check_claim_review(record).warnings == []


def test_review_url_percent_encodes_the_document_and_the_annotation() -> None:
    project = dataclasses.replace(PUBLISHED, publisher=Publisher(
        "Fact Desk", None, "https://factdesk.example/c?doc={document}&id={annotation}#{x}"))
    url = review_url(project, "world/naïve article {1}.txt", "ab_cd-12")
    assert url == ("https://factdesk.example/c?doc=world/na%C3%AFve%20article%20%7B1%7D.txt"
                   "&id=ab_cd-12#{x}")


def test_without_a_review_url_the_url_is_the_document_uri_and_the_annotation_id() -> None:
    assert review_url(PROJECT, "a b.txt", "abcd") == "urn:annotate:document:a%20b.txt#abcd"
    project = dataclasses.replace(PROJECT, documents_url="https://news.example/a")
    assert review_url(project, "a b.txt", "abcd") == "https://news.example/a/a%20b.txt#abcd"


def test_claim_reviewed_is_the_quote_on_one_line() -> None:
    doc = document("He said:\r\n  “it  is\u2028 true”\t.")
    record = claim_reviews([annotation(doc, 0, len(doc.text), id="abcd", verdict="false")],
                           {doc.id: doc}, PROJECT).records[0]
    assert record["claimReviewed"] == "He said: “it is true” ."


def test_a_quote_of_whitespace_alone_is_left_out_with_a_warning() -> None:
    doc = document("A claim.\r\n\u2028 \ufeffThen more.")
    blank = annotation(doc, 8, 13, id="blank123", verdict="false")
    export = claim_reviews([blank], {doc.id: doc}, PROJECT)
    assert export.records == []
    assert export.warnings == ["left out 1 annotations whose quote is only whitespace, no "
                               "claim to publish: blank123"]


def test_annotations_without_a_verdict_are_left_out_and_counted() -> None:
    plain = annotation(DOC, 0, 3, id="abce")
    export = claim_reviews([CLAIM, plain], {DOC.id: DOC}, PROJECT)
    assert len(export.records) == 1
    assert export.without_verdict == 1
    assert "left out 1 annotations without a verdict" in export.warnings


def test_an_empty_export_has_no_records_and_no_publishing_warnings() -> None:
    export = claim_reviews([], {}, PROJECT)
    assert export.records == []
    assert export.warnings == []
    assert to_json(export.records) == "[]\n"


# -- consensus or reviewers -------------------------------------------------------------


def _desk() -> tuple[list[Any], dict[str, Any]]:
    other = document("Another claim, checked by one reviewer.", id="other.txt")
    provenance = {"position": "p9-59", "method": "majority",
                  "supporters": [{"reviewer": "alice", "annotation": "abcd1234"},
                                 {"reviewer": "bob", "annotation": "bobb1234"}]}
    records = [
        CLAIM,
        annotation(DOC, CLAIM.start, CLAIM.end, id="bobb1234", reviewer="bob", verdict="false"),
        annotation(DOC, CLAIM.start, CLAIM.end, id="c0ns1234", reviewer=CONSENSUS_REVIEWER,
                   verdict="misleading", provenance=provenance),
        annotation(DOC, 0, 3, id="c0ns5678", reviewer=CONSENSUS_REVIEWER, provenance=provenance),
        annotation(other, 0, 13, id="dora1234", reviewer="dora", verdict="accurate"),
    ]
    return records, {DOC.id: DOC, other.id: other}


@pytest.mark.parametrize(("selection", "ids", "not_selected"), [
    # The desk publishes the consensus of a merged document, and what its
    # one reviewer found elsewhere.
    ("consensus-first", ["c0ns1234", "dora1234"], 2),
    ("consensus", ["c0ns1234"], 3),
    ("reviewers", ["abcd1234", "bobb1234", "dora1234"], 1),
    ("all", ["abcd1234", "bobb1234", "c0ns1234", "dora1234"], 0),
])
def test_the_selection_rule(selection: Any, ids: list[str], not_selected: int) -> None:
    records, documents = _desk()
    export = claim_reviews(records, documents, PROJECT, selection=selection)
    assert sorted(r["url"].rsplit("#", 1)[1] for r in export.records) == ids
    assert export.not_selected == not_selected


def test_a_consensus_without_a_verdict_is_counted_with_a_reason() -> None:
    records, documents = _desk()
    export = claim_reviews(records, documents, PROJECT)
    assert export.without_verdict == 1
    assert ("left out 1 annotations without a verdict (1 of them consensus records, whose "
            "reviewers gave no verdict or different ones)") in export.warnings


def test_a_consensus_record_without_a_publisher_is_authored_by_its_supporters() -> None:
    records, documents = _desk()
    record = claim_reviews(records, documents, PROJECT, selection="consensus").records[0]
    assert record["author"] == [{"@type": "Person", "name": "alice"},
                                {"@type": "Person", "name": "bob"}]
    assert check_claim_review(record).errors == []


def test_an_unknown_selection_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="unknown selection"):
        claim_reviews([], {}, PROJECT, selection="editors")  # type: ignore[arg-type]


# -- ratings ------------------------------------------------------------------------------


def test_the_default_verdicts_have_a_numeric_scale_and_unverifiable_has_no_number() -> None:
    assert default_rating_scale(PROJECT) == DEFAULT_RATING_SCALE
    ratings = {verdict: claim_reviews([CLAIM.replace(verdict=verdict)], {DOC.id: DOC},
                                      PROJECT).records[0]["reviewRating"]
               for verdict in PROJECT.verdicts}
    assert {v: r.get("ratingValue") for v, r in ratings.items()} == {
        "accurate": 4, "mostly-accurate": 3, "misleading": 2, "false": 1, "unverifiable": None}
    assert ratings["unverifiable"] == {"@type": "Rating", "alternateName": "Unverifiable"}
    assert ratings["mostly-accurate"]["alternateName"] == "Mostly accurate"


def test_a_custom_taxonomy_gets_text_ratings_unless_given_a_scale() -> None:
    project = dataclasses.replace(PROJECT, verdicts=("true", "half-true", "pants-on-fire"))
    claim = CLAIM.replace(verdict="half-true")
    assert default_rating_scale(project) == ()
    rating = claim_reviews([claim], {DOC.id: DOC}, project).records[0]["reviewRating"]
    assert rating == {"@type": "Rating", "alternateName": "Half true"}
    rating = claim_reviews([claim], {DOC.id: DOC}, project,
                           rating_scale=("true", "half-true", "pants-on-fire")
                           ).records[0]["reviewRating"]
    assert rating == {"@type": "Rating", "alternateName": "Half true", "ratingValue": 2,
                      "bestRating": 3, "worstRating": 1}
    # An empty scale turns numbers off for the default taxonomy too.
    rating = claim_reviews([CLAIM], {DOC.id: DOC}, PROJECT,
                           rating_scale=()).records[0]["reviewRating"]
    assert "ratingValue" not in rating


@pytest.mark.parametrize("scale", [("accurate",), ("accurate", "accurate"), ("true", "false")])
def test_a_bad_rating_scale_is_refused(scale: tuple[str, ...]) -> None:
    with pytest.raises(InvalidValueError):
        claim_reviews([CLAIM], {DOC.id: DOC}, PROJECT, rating_scale=scale)


def test_rating_names() -> None:
    assert rating_name("pants-on-fire") == "Pants on fire"
    assert rating_name("false") == "False"


# -- dates, claimants, stale claims ---------------------------------------------------------


def test_the_publication_date_is_the_last_change_unless_given() -> None:
    assert claim_reviews([CLAIM], {DOC.id: DOC}, PROJECT).records[0]["datePublished"] \
        == "2026-11-29"
    record = claim_reviews([CLAIM], {DOC.id: DOC}, PROJECT, published="2026-12-01").records[0]
    assert record["datePublished"] == "2026-12-01"
    with pytest.raises(InvalidValueError, match="ISO 8601"):
        claim_reviews([CLAIM], {DOC.id: DOC}, PROJECT, published="1 Dec 2026")


def test_claimants_come_from_tags_and_their_absence_is_a_warning() -> None:
    claim = CLAIM.replace(tags=("CLAIMANT:Kim", "claimant-org:KCNA", "claimant:  "))
    record = claim_reviews([claim], {DOC.id: DOC}, PUBLISHED).records[0]
    assert record["itemReviewed"]["author"] == [{"@type": "Person", "name": "Kim"},
                                                {"@type": "Organization", "name": "KCNA"}]
    export = claim_reviews([CLAIM.replace(tags=())], {DOC.id: DOC}, PUBLISHED)
    assert "author" not in export.records[0]["itemReviewed"]
    assert export.warnings == [
        "1 of 1 ClaimReviews name nobody as the claim's author (itemReviewed.author): tag "
        "those annotations 'claimant:NAME' (a person) or 'claimant-org:NAME' (an "
        "organisation)"]
    assert check_claim_review(export.records[0]).warnings == [
        "$.itemReviewed: 'author' is a required property"]


def test_claims_no_longer_in_place_are_exported_with_a_warning() -> None:
    changed = document(DOC.text.replace("Kim", "Mr Kim"))
    orphan = CLAIM.replace(id="orph1234", orphaned=True)
    export = claim_reviews([CLAIM, orphan], {DOC.id: changed}, PUBLISHED)
    assert len(export.records) == 2
    assert any(w.startswith("2 ClaimReviews quote text that is not at its place") and
               "abcd1234, orph1234" in w for w in export.warnings)


def test_a_label_list_does_not_matter_to_claim_reviews() -> None:
    project = dataclasses.replace(PROJECT, labels=(Label("x", "X", "#000000"),))
    assert claim_reviews([CLAIM], {DOC.id: DOC}, project).records
