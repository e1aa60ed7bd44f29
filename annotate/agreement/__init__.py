"""How far reviewers agree: Cohen's kappa, Fleiss' kappa, Krippendorff's
alpha (nominal) over positions, and span precision/recall/F1 (issue 9, item 6).

Pure: already-grouped data in, frozen results out; no I/O, no click.  The
input for one document is a `DocumentData`: its reviewers (everyone who
annotated it or finished it), its positions (for each, reviewer -> label; a
reviewer of the document missing from a position did not mark it) and each
reviewer's spans.  Grouping spans into positions is not done here
(``annotate/merge/``).  A position where a reviewer has several spans
(``stacked``) must reach this package with one label for that reviewer: the
caller decides which, or leaves the position out.

Choices, and why:

- ``absent="none"`` (the default) codes "a reviewer of the document did not
  mark this position" as a category of its own, so a span only one reviewer
  marked counts against agreement.  ``absent="missing"`` makes it a missing
  value, as the classic coefficients do: Krippendorff's alpha uses every
  position with values from at least two reviewers; Cohen's kappa uses the
  positions both reviewers marked; Fleiss' kappa, which needs the same
  number of values on every position, uses only the positions every
  reviewer of the document marked.  Each coefficient says how many
  positions it used and how many it skipped.
- The "not marked" category is Python's None, never a string: "none" is a
  valid label name in a taxonomy.
- A position no reviewer marked carries no information and is not a unit.
  For Cohen's kappa of two reviewers under ``absent="none"``, the units are
  the positions at least one of the two marked: positions only other
  reviewers marked would add "neither marked it" agreement that has nothing
  to do with the pair, so a pair's kappa does not change when a third
  reviewer joins.
- Per label, the coefficients are one-vs-rest over the same units as the
  coefficient for all labels: a value is the label or "anything else"
  (another label, or not marked).  For Fleiss' kappa this is exactly
  Fleiss's (1971) kappa for one category.
- Span precision/recall/F1 of a pair: the first reviewer (in name order) is
  the reference.  A span counts as matched when the other reviewer has a
  span with the same label that is identical (``exact``: same start and
  end) or shares at least one character (``overlap``).  Matching is not
  one-to-one: recall is the share of the reference's spans that some
  candidate span matches, precision the share of the candidate's spans
  that match some reference span, so swapping the pair swaps precision and
  recall and leaves F1 unchanged.  F1 is their harmonic mean, 0 when either
  is 0 (one reviewer marked nothing the other found).
- Pooled results ("overall") add the sufficient statistics of the
  documents: a pair is compared over the documents both reviewed; Fleiss'
  kappa needs every used position to have the same number of reviewers and
  otherwise says so (Krippendorff's alpha has no such need).
- An undefined coefficient is None with a reason (one category only, no
  unit to compare, ...), never a division by zero.  No document with two
  reviewers raises `TooFewReviewersError` (an `AnnotateError`: exit 2).
- Arithmetic is exact (integer tallies, `Fraction`), so results do not
  depend on the order of positions or reviewers, and perfect agreement is
  exactly 1.

Where each part lives, by job:

- ``data.py``: the input (`Span`, `DocumentData`), the frozen results
  (`Coefficient`, `SpanScores`, `PairAgreement`, `Agreement`,
  `ScopeAgreement`, `AgreementReport`) and the names of the modes.
- ``tally.py``: the sufficient statistics of a document (category counts,
  confusion tables, span matches), which add up across documents, and how
  they are computed fast enough (issue 9's bound).
- ``coefficients.py``: the coefficients and span scores from those
  statistics, and the public functions (`agreement`, `cohen_kappa`,
  `fleiss_kappa`, `krippendorff_alpha`, `span_scores`).
- ``json_report.py``: the JSON output (`to_json`) and its shape as TypedDicts.

Import from ``annotate.agreement``; the modules under it may be rearranged.
"""

from __future__ import annotations

from annotate.agreement.coefficients import (
    agreement,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    span_scores,
)
from annotate.agreement.data import (
    ABSENT_MODES,
    Absent,
    Agreement,
    AgreementReport,
    Category,
    Coefficient,
    CoefficientName,
    DocumentData,
    Matching,
    PairAgreement,
    ScopeAgreement,
    Span,
    SpanScores,
)
from annotate.agreement.json_report import (
    JSON_DECIMALS,
    AgreementJSON,
    CoefficientJSON,
    PairJSON,
    ReportJSON,
    ScopeJSON,
    SpanScoresJSON,
    to_json,
)

# TooFewReviewersError lives in errors.py, with the other exceptions; it is
# re-exported here so that it can be imported with the functions that raise it.
from annotate.errors import TooFewReviewersError

__all__ = [
    "ABSENT_MODES",
    "JSON_DECIMALS",
    "Absent",
    "Agreement",
    "AgreementJSON",
    "AgreementReport",
    "Category",
    "Coefficient",
    "CoefficientJSON",
    "CoefficientName",
    "DocumentData",
    "Matching",
    "PairAgreement",
    "PairJSON",
    "ReportJSON",
    "ScopeAgreement",
    "ScopeJSON",
    "Span",
    "SpanScores",
    "SpanScoresJSON",
    "TooFewReviewersError",
    "agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "span_scores",
    "to_json",
]
