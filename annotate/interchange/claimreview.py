"""schema.org ClaimReview (JSON-LD) for annotations carrying a verdict (issue 10, item 2).

Pure: annotations, the documents and the project in; records (JSON values)
and warnings out.  The api writes the records; the command prints the
warnings on stderr.  Which field comes from where, the fallbacks and the
rules below are in docs/interchange.md; the record's shape
is schemas/claimreview.schema.json, which ``check_claim_review`` applies.

Google's documentation of the markup:
https://developers.google.com/search/docs/appearance/structured-data/factcheck
(required: claimReviewed, reviewRating with alternateName, url; recommended:
author, datePublished, itemReviewed as a Claim with appearance and author;
a numeric ratingValue with bestRating and worstRating, worstRating >= 1, the
higher the truer).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from annotate.errors import InvalidValueError
from annotate.interchange import document_uri
from annotate.model import CONSENSUS_REVIEWER, Annotation, Document, Project, Source
from annotate.workspace import DEFAULT_VERDICTS

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCHEMA_ORG = "https://schema.org"

# Which records a ClaimReview export publishes (docs: "Consensus or reviewers"):
#   consensus-first  a document's consensus records where `annotate merge` has
#                    made any, its reviewers' records where it has not;
#   consensus        consensus records only;
#   reviewers        reviewers' records only (consensus left out);
#   all              both.
Selection = Literal["consensus-first", "consensus", "reviewers", "all"]
SELECTIONS: tuple[Selection, ...] = ("consensus-first", "consensus", "reviewers", "all")

# Who made the claim (itemReviewed.author) is not a field of an annotation:
# reviewers name the claimant with a tag, "claimant:Jane Doe" for a person,
# "claimant-org:Ministry of Truth" for an organisation (prefixes compared
# without regard to case).
CLAIMANT_TAG = "claimant:"
CLAIMANT_ORGANIZATION_TAG = "claimant-org:"

# The default taxonomy's verdicts that lie on a truth scale, most accurate
# first ("unverifiable" says nothing about truth and gets no number).
DEFAULT_RATING_SCALE = ("accurate", "mostly-accurate", "misleading", "false")

# schemas/claimreview.schema.json's "text": something besides whitespace.
_HAS_TEXT = re.compile(r"[^\s\x1c-\x1f\x85\ufeff]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
                   r"(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?")


@dataclass(frozen=True)
class ClaimReviewExport:
    """The records of an export and what to tell the user about them."""

    records: list[dict[str, Any]]
    # Messages for stderr: which project-file fields to set before
    # publishing, and what was left out.
    warnings: list[str] = field(default_factory=list)
    without_verdict: int = 0  # chosen annotations left out for having no verdict
    not_selected: int = 0  # annotations with a verdict the selection left out
    # Chosen annotations with a verdict left out for a quote of only whitespace
    # (no claim to publish): unlike the two counts above, a failure to carry them.
    blank: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimReviewCheck:
    """What schemas/claimreview.schema.json says of one record."""

    errors: list[str]  # Google's requirements broken: not a valid ClaimReview
    warnings: list[str]  # recommended properties missing: set them before publishing


def default_rating_scale(project: Project) -> tuple[str, ...]:
    """The numeric scale used when none is given: DEFAULT_RATING_SCALE for the
    default verdicts, none (text ratings only) for any other taxonomy."""
    return DEFAULT_RATING_SCALE if project.verdicts == DEFAULT_VERDICTS else ()


def claim_reviews(annotations: Iterable[Annotation], documents: Mapping[str, Document],
                  project: Project, *, selection: Selection = "consensus-first",
                  rating_scale: Sequence[str] | None = None,
                  published: str | None = None,
                  sources: Mapping[str, Source] | None = None) -> ClaimReviewExport:
    """One ClaimReview per chosen annotation with a verdict.

    ``documents`` maps a document id to its current text (to warn about
    claims no longer where their annotation says); ``sources`` maps a
    document id to the page it was fetched from (the claim's appearance:
    its address, headline, authors and date); ``selection`` picks
    consensus or reviewers' records (SELECTIONS); ``rating_scale`` lists
    the verdicts that get a number, most accurate first (None: the
    default_rating_scale; empty: text ratings only); ``published`` is the
    datePublished of every record (an ISO date), else each record's date
    of last change.  Raises InvalidValueError for a bad scale or date.
    """
    if selection not in SELECTIONS:
        raise InvalidValueError(f"unknown selection {selection!r}; one of {', '.join(SELECTIONS)}")
    scale = tuple(default_rating_scale(project) if rating_scale is None else rating_scale)
    _check_scale(scale, project)
    if published is not None and not _DATE.fullmatch(published):
        raise InvalidValueError(f"publication date {published!r} is not an ISO 8601 date "
                                "such as 2026-11-29")
    annotations = list(annotations)
    merged = {a.document for a in annotations if a.reviewer == CONSENSUS_REVIEWER}
    chosen: list[Annotation] = []
    blank: list[str] = []
    not_selected = without_verdict = consensus_without_verdict = 0
    for annotation in annotations:
        if not _selected(annotation, selection, merged):
            not_selected += annotation.verdict is not None
        elif annotation.verdict is None:
            without_verdict += 1
            consensus_without_verdict += annotation.reviewer == CONSENSUS_REVIEWER
        elif not _HAS_TEXT.search(annotation.quote):
            blank.append(annotation.id)
        else:
            chosen.append(annotation)
    chosen.sort(key=lambda a: (a.document, a.start, a.end, a.reviewer, a.id))
    sources = sources or {}
    records = [_record(a, project, scale, published, sources.get(a.document))
               for a in chosen]

    fetched = sum(a.document in sources for a in chosen)
    warnings = _project_warnings(project, fetched, len(chosen)) if records else []
    unnamed = sum("author" not in record["itemReviewed"] for record in records)
    if unnamed:
        warnings.append(
            f"{unnamed} of {len(records)} ClaimReviews name nobody as the claim's author "
            "(itemReviewed.author): tag those annotations 'claimant:NAME' (a person) or "
            "'claimant-org:NAME' (an organisation)")
    stale = [a.id for a in chosen if not _in_place(a, documents)]
    if stale:
        warnings.append(
            f"{len(stale)} ClaimReviews quote text that is not at its place in the current "
            f"document (orphaned, or the document changed since): {_some(stale)}; run "
            "'annotate reanchor' and check them before publishing")
    if without_verdict:
        of_consensus = (f" ({consensus_without_verdict} of them consensus records, whose "
                        "reviewers gave no verdict or different ones)"
                        if consensus_without_verdict else "")
        warnings.append(f"left out {without_verdict} annotations without a verdict"
                        f"{of_consensus}")
    if blank:
        warnings.append(f"left out {len(blank)} annotations whose quote is only whitespace, "
                        f"no claim to publish: {_some(sorted(blank))}")
    if not_selected:
        warnings.append(f"left out {not_selected} annotations with a verdict that "
                        f"selection {selection!r} does not publish"
                        + (" (reviewers' records of documents with a consensus)"
                           if selection == "consensus-first" else ""))
    return ClaimReviewExport(records, warnings, without_verdict, not_selected, tuple(blank))


def _selected(annotation: Annotation, selection: Selection, merged: set[str]) -> bool:
    """Whether the selection publishes this record (``merged``: documents with a consensus)."""
    consensus = annotation.reviewer == CONSENSUS_REVIEWER
    if selection == "all":
        return True
    if selection == "consensus":
        return consensus
    if selection == "reviewers":
        return not consensus
    return consensus or annotation.document not in merged


def _check_scale(scale: tuple[str, ...], project: Project) -> None:
    if not scale:
        return
    unknown = [verdict for verdict in scale if verdict not in project.verdicts]
    if unknown:
        raise InvalidValueError(f"rating scale names unknown verdicts: {', '.join(unknown)}; "
                                f"the project's verdicts are {', '.join(project.verdicts)}")
    if len(set(scale)) != len(scale) or len(scale) < 2:
        raise InvalidValueError("a rating scale lists at least two different verdicts, "
                                "most accurate first")


def _record(annotation: Annotation, project: Project, scale: tuple[str, ...],
            published: str | None, source: Source | None = None) -> dict[str, Any]:
    """The ClaimReview of one annotation with a verdict."""
    assert annotation.verdict is not None
    claim: dict[str, Any] = {
        "@type": "Claim",
        "appearance": _appearance(project, annotation.document, source),
    }
    claimants = _claimants(annotation.tags)
    if claimants:
        claim["author"] = claimants[0] if len(claimants) == 1 else claimants
    return {
        "@context": SCHEMA_ORG,
        "@type": "ClaimReview",
        "url": review_url(project, annotation.document, annotation.id),
        "claimReviewed": claim_text(annotation.quote),
        "reviewRating": _rating(annotation.verdict, scale),
        "author": _author(project, annotation),
        # The date the verdict was last recorded, unless told the date of
        # publication: an export is then the same every time it runs.
        "datePublished": published or annotation.modified[:10],
        "itemReviewed": claim,
    }


def _appearance(project: Project, document: str, source: Source | None) -> dict[str, Any]:
    """The article the claim appears in: the page it was fetched from (its
    address, headline, authors, publication date) where the metadata says,
    else the document's URI."""
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if source is None or source.url is None:
        appearance["url"] = document_uri(project, document)
        return appearance
    appearance["url"] = source.url
    if source.title and _HAS_TEXT.search(source.title):
        appearance["headline"] = source.title
    authors = [{"@type": "Person", "name": name} for name in source.authors
               if _HAS_TEXT.search(name)]
    if authors:
        appearance["author"] = authors[0] if len(authors) == 1 else authors
    if source.published and _DATE.fullmatch(source.published):
        appearance["datePublished"] = source.published
    return appearance


def review_url(project: Project, document: str, annotation: str) -> str:
    """ClaimReview's url: the project's publisher.review_url with {document}
    and {annotation} percent-encoded, else the document's URI with
    ``#<annotation id>``."""
    publisher = project.publisher
    if publisher is not None and publisher.review_url is not None:
        # Literal replacement, not str.format: an address may hold braces of
        # its own, and quote() encodes any brace inside the ids.
        return (publisher.review_url.replace("{document}", quote(document, safe="/"))
                .replace("{annotation}", quote(annotation, safe="")))
    return f"{document_uri(project, document)}#{quote(annotation, safe='')}"


def claim_text(quote_text: str) -> str:
    """claimReviewed: the quote on one line, whitespace runs collapsed (a quote
    of whitespace alone is not exported: there is no claim in it)."""
    return " ".join(quote_text.split()) or quote_text


def rating_name(verdict: str) -> str:
    """The text Google shows for a verdict: "mostly-accurate" -> "Mostly accurate"."""
    words = verdict.replace("-", " ")
    return words[:1].upper() + words[1:]


def _rating(verdict: str, scale: tuple[str, ...]) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": rating_name(verdict)}
    if verdict in scale:
        # Google: the higher the truer, worstRating at least 1.
        rating.update(ratingValue=len(scale) - scale.index(verdict), bestRating=len(scale),
                      worstRating=1)
    return rating


def _author(project: Project, annotation: Annotation) -> dict[str, Any] | list[dict[str, Any]]:
    """The publisher as an Organization; without one, the reviewers as Persons."""
    publisher = project.publisher
    if publisher is not None:
        organization = {"@type": "Organization", "name": publisher.name}
        if publisher.url is not None:
            organization["url"] = publisher.url
        return organization
    names = [annotation.reviewer]
    if annotation.reviewer == CONSENSUS_REVIEWER and annotation.provenance:
        # A consensus is its supporters' (and its editor's) work, not a person's.
        provenance = annotation.provenance
        names = sorted({str(s["reviewer"]) for s in provenance.get("supporters", ())}
                       | ({str(provenance["editor"]["reviewer"])}
                          if provenance.get("editor") else set())) or names
    persons = [{"@type": "Person", "name": name} for name in names]
    return persons[0] if len(persons) == 1 else persons


def _claimants(tags: Iterable[str]) -> list[dict[str, Any]]:
    """itemReviewed.author from claimant: and claimant-org: tags, in tag order."""
    found: list[dict[str, Any]] = []
    for tag in tags:
        lowered = tag.lower()
        for prefix, kind in ((CLAIMANT_ORGANIZATION_TAG, "Organization"),
                             (CLAIMANT_TAG, "Person")):
            if lowered.startswith(prefix):
                name = tag[len(prefix):].strip()
                if _HAS_TEXT.search(name):
                    found.append({"@type": kind, "name": name})
                break
    return found


def _project_warnings(project: Project, fetched: int = 0, chosen: int = 0) -> list[str]:
    """Which project-file fields to set before the records are published
    (``fetched`` of the ``chosen`` claims appear in a page their document was
    fetched from: they need no documents_url)."""
    publisher = project.publisher
    warnings = []
    if publisher is None:
        warnings.append(
            "annotate.json names no publisher: each ClaimReview's author is its reviewer "
            "(a Person) and its url the document's URI with '#<annotation id>'; set "
            "publisher.name, publisher.url and publisher.review_url before publishing")
    else:
        if publisher.url is None:
            warnings.append("annotate.json has no publisher.url: the author (an "
                            "Organization) names no home page; set publisher.url")
        if publisher.review_url is None:
            warnings.append(
                "annotate.json has no publisher.review_url: each ClaimReview's url is the "
                "document's URI with '#<annotation id>', not a page of yours; set "
                "publisher.review_url (e.g. https://factdesk.example/checks/{document}"
                "#{annotation})")
    if project.documents_url is None and not fetched:
        warnings.append(
            "annotate.json has no documents_url: each claim's appearance is "
            "urn:annotate:document:<id>, which no reader can open; set documents_url")
    elif project.documents_url is None and fetched < chosen:
        warnings.append(
            f"annotate.json has no documents_url: {chosen - fetched} of {chosen} claims are in "
            "documents that were not fetched, whose appearance is urn:annotate:document:<id>, "
            "which no reader can open; set documents_url (or fetch those articles)")
    return warnings


def _in_place(annotation: Annotation, documents: Mapping[str, Document]) -> bool:
    document = documents.get(annotation.document)
    return (document is not None and not annotation.orphaned
            and document.text[annotation.start:annotation.end] == annotation.quote)


def _some(ids: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


# -- checking a record against schemas/claimreview.schema.json ----------------------


def check_claim_review(record: Any) -> ClaimReviewCheck:
    """The schema's errors (Google's requirements) and warnings ($defs/recommended)
    for one record, each as "<JSON path>: <message>"."""
    required, recommended = _validators()
    errors = [_describe(error) for error in required.iter_errors(record)]
    rating = record.get("reviewRating") if isinstance(record, dict) else None
    if isinstance(rating, dict):
        errors.extend(_scale_errors(rating))
    warnings = [_describe(error) for error in recommended.iter_errors(record)]
    return ClaimReviewCheck(errors, warnings)


def _scale_errors(rating: dict[str, Any]) -> list[str]:
    """What JSON Schema cannot compare: worstRating < bestRating, the value between."""
    numbers = {key: rating.get(key) for key in ("worstRating", "ratingValue", "bestRating")}
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool)
               for value in numbers.values()):
        return []
    worst, value, best = numbers["worstRating"], numbers["ratingValue"], numbers["bestRating"]
    assert worst is not None and value is not None and best is not None
    if not worst < best:
        return [f"$.reviewRating: worstRating {worst} is not below bestRating {best}"]
    if not worst <= value <= best:
        return [f"$.reviewRating: ratingValue {value} is outside {worst}..{best}"]
    return []


def _describe(error: Any) -> str:
    """"<JSON path>: <message>", a pattern named by its description rather than its regex."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and description:
        shown = error.instance if len(error.instance) <= 80 else error.instance[:79] + "…"
        return f"{error.json_path}: {shown!r} is not {description[0].lower()}{description[1:]}"
    return f"{error.json_path}: {error.message}"


@functools.cache
def load_schema() -> dict[str, Any]:
    """schemas/claimreview.schema.json, parsed once."""
    from annotate.schema import schema_dir

    with open(schema_dir() / "claimreview.schema.json", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def _validators() -> tuple[Validator, Validator]:
    """The schema itself, and the same $defs rooted at $defs/recommended."""
    from jsonschema import Draft202012Validator

    schema = load_schema()
    recommended = {"$schema": schema["$schema"], "$id": schema["$id"],
                   "$defs": schema["$defs"], "$ref": "#/$defs/recommended"}
    return Draft202012Validator(schema), Draft202012Validator(recommended)
