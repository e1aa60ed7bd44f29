"""The agreement measures' data: what goes in and what comes out.

The input for one document (`DocumentData`, with each reviewer's `Span`s),
checked when it is built; the frozen results (`Coefficient`, `SpanScores`,
per pair `PairAgreement`, per scope and label `Agreement`, per scope
`ScopeAgreement`, the whole `AgreementReport`); and the names of the modes
and of the categories the coefficients count.  No computation: the
package docstring (``annotate/agreement/__init__.py``) says what the
numbers mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Literal

Absent = Literal["none", "missing"]
Matching = Literal["exact", "overlap"]
CoefficientName = Literal["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]

ABSENT_MODES: tuple[Absent, ...] = ("none", "missing")

# A value of the reliability data: a label, or None for "this reviewer of
# the document did not mark this position" (absent="none"), and, per label,
# for "anything but this label".
Category = str | None


# --- input --------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """One reviewer's labelled span: code-point offsets, end exclusive."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class DocumentData:
    """One document's reliability data: its reviewers, positions and spans.

    ``reviewers``: everyone who annotated the document or finished it.
    ``positions``: for each position, reviewer -> label; a reviewer of the
    document missing from it did not mark the position.
    ``spans``: reviewer -> their spans; a reviewer without spans may be left out.
    """

    document: str
    reviewers: AbstractSet[str]
    positions: Sequence[Mapping[str, str]] = ()
    spans: Mapping[str, Sequence[Span]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A reviewer unknown to the document is the caller's bug, and would
        # silently change every coefficient: refuse it.
        for number, position in enumerate(self.positions, 1):
            strangers = set(position) - set(self.reviewers)
            if strangers:
                raise ValueError(f"{self.document}: position {number} has labels from "
                                 f"{sorted(strangers)}, who are not among its reviewers")
        strangers = set(self.spans) - set(self.reviewers)
        if strangers:
            raise ValueError(f"{self.document}: spans of {sorted(strangers)}, "
                             "who are not among its reviewers")
        for reviewer, spans in self.spans.items():
            for span in spans:
                if not 0 <= span.start < span.end:
                    raise ValueError(f"{self.document}: {reviewer}'s span "
                                     f"{span.start}-{span.end} is empty or reversed")


# --- results ------------------------------------------------------------------

@dataclass(frozen=True)
class Coefficient:
    """A chance-corrected coefficient, or None and the reason it is undefined.

    All three have the form (observed - expected) / (1 - expected), where the
    agreements are p_o and p_e (Cohen), P-bar and P-bar_e (Fleiss), and
    1 - D_o and 1 - D_e (Krippendorff).  ``positions`` were used;
    ``skipped`` positions of the same documents were not (see the package
    docstring, ``__init__.py``, for which); ``reviewers`` gave the values used.
    """

    name: CoefficientName
    value: float | None
    observed: float | None
    expected: float | None
    positions: int
    reviewers: int
    skipped: int
    reason: str | None = None


@dataclass(frozen=True)
class SpanScores:
    """A candidate reviewer's spans against a reference reviewer's, one matching rule.

    ``found``: reference spans some candidate span matches (recall's
    numerator); ``correct``: candidate spans that match some reference span
    (precision's numerator).
    """

    matching: Matching
    reference: str
    candidate: str
    reference_spans: int
    candidate_spans: int
    found: int
    correct: int
    precision: float | None
    recall: float | None
    f1: float | None
    reason: str | None = None


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers (the first, by name, is the span reference): kappa and span scores."""

    reviewers: tuple[str, str]
    cohen_kappa: Coefficient
    exact: SpanScores
    overlap: SpanScores


@dataclass(frozen=True)
class Agreement:
    """Every result for one scope (a document, or all) and one label (None: all labels)."""

    label: str | None
    positions: int
    reviewers: int
    fleiss_kappa: Coefficient
    krippendorff_alpha: Coefficient
    pairs: tuple[PairAgreement, ...]


@dataclass(frozen=True)
class ScopeAgreement:
    """One document's results (document None: pooled over all), for all labels and per label."""

    document: str | None
    all_labels: Agreement
    labels: tuple[Agreement, ...]


@dataclass(frozen=True)
class AgreementReport:
    """Results per document and pooled over all of them.

    The caller that grouped the spans may record how (``min_overlap``) and
    how many positions of each document it left out before they reached
    this package (``stacked_skipped``: stacked positions where a reviewer's
    spans carry different labels), so the output can say so.
    """

    absent: Absent
    documents: tuple[ScopeAgreement, ...]
    overall: ScopeAgreement
    min_overlap: float | None = None
    stacked_skipped: Mapping[str, int] = field(default_factory=dict)
