"""Agreement coefficients (annotate/agreement/, issue 9 item 6) against
published values, hand-computed examples, and their degenerate cases.

Published tables, looked up rather than recalled:

- Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability",
  the reliability data of 4 observers x 12 units with missing values:
  nominal alpha = 0.743 (the same matrix is the test data of the
  ``krippendorff`` package, ordinal 0.815).
- Fleiss, J. L. (1971), the 10 subjects x 14 raters x 5 categories table of
  Wikipedia's "Fleiss' kappa" worked example: P-bar = 0.378,
  P-bar_e = 0.213, kappa = 0.210.
- Cohen's kappa: the textbook 50 grant proposals (20 yes/yes, 5 yes/no,
  10 no/yes, 15 no/no: p_o = 0.70, p_e = 0.50, kappa = 0.40) and the
  behaviour scikit-learn documents for ``cohen_kappa_score``: symmetric in
  the two annotators, the categories are those either one used, and an
  undefined kappa (p_e = 1) is not a number (NaN there, None here).
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest

from annotate.agreement import (
    DocumentData,
    Span,
    TooFewReviewersError,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    span_scores,
    to_json,
)
from annotate.errors import EXIT_USAGE, AnnotateError

# --- published tables ---------------------------------------------------------

# Krippendorff (2011): observers A-D (rows) x units 1-12; "." is a missing value.
KRIPPENDORFF_2011 = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}

# Fleiss (1971) via Wikipedia: for each subject, how many of the 14 raters
# chose each of the 5 categories.
FLEISS_1971 = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def krippendorff_document() -> DocumentData:
    positions: list[dict[str, str]] = [{} for _ in range(12)]
    for observer, row in KRIPPENDORFF_2011.items():
        for unit, value in enumerate(row.split()):
            if value != ".":
                positions[unit][observer] = value
    return DocumentData("krippendorff-2011.txt", frozenset(KRIPPENDORFF_2011), positions)


def fleiss_document() -> DocumentData:
    # Fleiss' kappa does not depend on which rater gave which rating, so the
    # raters of a subject are handed its ratings in category order.
    raters = [f"rater{number:02}" for number in range(1, 15)]
    positions = []
    for row in FLEISS_1971:
        ratings = [f"category{category}" for category, n in enumerate(row, 1) for _ in range(n)]
        positions.append(dict(zip(raters, ratings, strict=True)))
    return DocumentData("fleiss-1971.txt", frozenset(raters), positions)


def pair_document(first: list[str], second: list[str], name: str = "pair.txt") -> DocumentData:
    """Two reviewers who both labelled every position."""
    return DocumentData(name, frozenset({"ann", "bob"}),
                        [{"ann": x, "bob": y} for x, y in zip(first, second, strict=True)])


def test_krippendorff_2011_nominal_alpha_is_0743() -> None:
    alpha = krippendorff_alpha(krippendorff_document(), absent="missing")
    assert alpha.value is not None and round(alpha.value, 3) == 0.743
    # by hand from the paper's coincidence matrix: n = 40 pairable values
    # (n_1..n_5 = 9, 13, 10, 5, 3), 8 of the coincidences disagree:
    # alpha = 1 - 39 * 8 / (40^2 - (81 + 169 + 100 + 25 + 9)) = 113/152
    assert alpha.value == float(Fraction(113, 152))
    assert alpha.observed == float(1 - Fraction(8, 40))
    # unit 12 has one value: it cannot be paired, and is said to be skipped
    assert (alpha.positions, alpha.skipped, alpha.reviewers) == (11, 1, 4)
    assert alpha.reason is None


def test_krippendorff_2011_with_absent_as_a_category_is_another_question() -> None:
    # "not marked" as a value: the missing cells now disagree with the rest
    alpha = krippendorff_alpha(krippendorff_document(), absent="none")
    assert alpha.value is not None and alpha.value < 0.743
    assert (alpha.positions, alpha.skipped) == (12, 0)


def test_fleiss_1971_kappa_is_0210() -> None:
    for absent in ("none", "missing"):  # every rater rated every subject
        kappa = fleiss_kappa(fleiss_document(), absent=absent)
        assert kappa.value is not None and round(kappa.value, 3) == 0.210
        assert kappa.observed is not None and round(kappa.observed, 3) == 0.378
        assert kappa.expected is not None and round(kappa.expected, 3) == 0.213
        assert (kappa.positions, kappa.reviewers, kappa.skipped) == (10, 14, 0)


def test_fleiss_per_label_is_fleiss_kappa_for_one_category() -> None:
    # Fleiss (1971): kappa_j = 1 - sum_i n_ij (m - n_ij) / (N m (m - 1) p_j q_j)
    n, m = len(FLEISS_1971), 14
    for category in range(5):
        column = [row[category] for row in FLEISS_1971]
        p = Fraction(sum(column), n * m)
        expected = 1 - Fraction(sum(x * (m - x) for x in column), n * m * (m - 1)) / (p * (1 - p))
        kappa = fleiss_kappa(fleiss_document(), label=f"category{category + 1}")
        assert kappa.value == float(expected)


def test_fleiss_with_missing_values_uses_only_complete_positions() -> None:
    kappa = fleiss_kappa(krippendorff_document(), absent="missing")
    # units 2-9 have all four observers' values; 1, 10, 11 and 12 do not
    assert (kappa.positions, kappa.skipped, kappa.reviewers) == (8, 4, 4)
    assert kappa.value is not None


def test_cohen_textbook_50_proposals() -> None:
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    kappa = cohen_kappa(pair_document(first, second), "ann", "bob")
    assert (kappa.observed, kappa.expected) == (0.7, 0.5)
    assert kappa.value == float(Fraction(2, 5))
    assert (kappa.positions, kappa.reviewers, kappa.skipped) == (50, 2, 0)


def test_cohen_three_categories_by_hand() -> None:
    first = ["negative", "positive", "negative", "neutral", "positive"]
    second = ["negative", "positive", "negative", "neutral", "negative"]
    # p_o = 4/5; marginals (2, 2, 1) and (3, 1, 1): p_e = (6 + 2 + 1) / 25
    kappa = cohen_kappa(pair_document(first, second), "ann", "bob")
    assert kappa.value == float((Fraction(4, 5) - Fraction(9, 25)) / (1 - Fraction(9, 25)))
    assert kappa.value == 0.6875


def test_cohen_is_symmetric_as_scikit_learn_documents() -> None:
    document = pair_document(["a", "a", "b", "c", "b"], ["a", "b", "b", "c", "c"])
    assert cohen_kappa(document, "ann", "bob") == cohen_kappa(document, "bob", "ann")


def test_cohen_undefined_with_one_category_is_none_not_nan() -> None:
    kappa = cohen_kappa(pair_document(["a"] * 4, ["a"] * 4), "ann", "bob")
    assert kappa.value is None
    assert kappa.reason is not None and "'a'" in kappa.reason and "undefined" in kappa.reason
    assert (kappa.observed, kappa.expected, kappa.positions) == (1.0, 1.0, 4)


# --- absent: none or missing --------------------------------------------------------

ONE_SIDED = DocumentData("one-sided.txt", frozenset({"ann", "bob"}), [
    {"ann": "x", "bob": "x"},
    {"ann": "y", "bob": "y"},
    {"ann": "x"},
    {"bob": "y"},
])


def test_absent_none_counts_one_sided_positions_against_agreement() -> None:
    # units: all four; ann x, y, x, - and bob x, y, -, y: p_o = 2/4,
    # marginals (x 2, y 1, - 1) and (x 1, y 2, - 1): p_e = 5/16
    kappa = cohen_kappa(ONE_SIDED, "ann", "bob")
    assert kappa.value == float((Fraction(1, 2) - Fraction(5, 16)) / (1 - Fraction(5, 16)))
    assert (kappa.positions, kappa.skipped) == (4, 0)


def test_absent_missing_uses_the_positions_both_marked() -> None:
    kappa = cohen_kappa(ONE_SIDED, "ann", "bob", absent="missing")
    assert kappa.value == 1.0
    assert (kappa.positions, kappa.skipped) == (2, 2)


def test_a_label_called_none_is_not_the_absent_category() -> None:
    document = DocumentData("none-label.txt", frozenset({"ann", "bob"}), [
        {"ann": "none", "bob": "none"}, {"ann": "x", "bob": "x"}, {"ann": "none"}])
    kappa = cohen_kappa(document, "ann", "bob")
    assert kappa.observed == float(Fraction(2, 3))


def test_pair_kappa_ignores_positions_only_other_reviewers_marked() -> None:
    two = DocumentData("d.txt", frozenset({"ann", "bob"}),
                       [{"ann": "x", "bob": "x"}, {"ann": "y", "bob": "x"}])
    three = DocumentData("d.txt", frozenset({"ann", "bob", "cy"}),
                         [{"ann": "x", "bob": "x"}, {"ann": "y", "bob": "x"}, {"cy": "y"}])
    assert cohen_kappa(two, "ann", "bob").value == cohen_kappa(three, "ann", "bob").value
    assert cohen_kappa(three, "ann", "bob").skipped == 1


def test_a_position_nobody_marked_is_not_a_unit() -> None:
    document = DocumentData("d.txt", frozenset({"ann", "bob"}),
                            [{"ann": "x", "bob": "x"}, {}, {"ann": "y", "bob": "y"}])
    report = agreement(document)
    assert report.overall.all_labels.positions == 2
    assert report.overall.all_labels.krippendorff_alpha.positions == 2


def test_invalid_absent_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="absent"):
        agreement(ONE_SIDED, absent="ignore")  # type: ignore[arg-type]


# --- per label -------------------------------------------------------------------

def test_per_label_results_are_one_vs_rest_over_the_same_units() -> None:
    report = agreement(ONE_SIDED)
    labels = {result.label: result for result in report.overall.labels if result.label}
    assert sorted(labels) == ["x", "y"]
    x = labels["x"].pairs[0].cohen_kappa
    # recoded: ann x, rest, x, rest; bob x, rest, rest, rest: p_o = 3/4,
    # marginals (2, 2) and (1, 3): p_e = (2 + 6) / 16
    assert x.value == float((Fraction(3, 4) - Fraction(1, 2)) / (1 - Fraction(1, 2)))
    assert x.positions == 4


def test_a_label_nobody_disagrees_on_still_gets_a_value() -> None:
    document = DocumentData("d.txt", frozenset({"ann", "bob"}), [
        {"ann": "x", "bob": "x"}, {"ann": "y", "bob": "z"}, {"ann": "z", "bob": "y"}])
    x = cohen_kappa(document, "ann", "bob", label="x")
    assert x.value == 1.0


# --- pooled over documents ---------------------------------------------------------

def test_pairs_are_compared_over_the_documents_both_reviewed() -> None:
    first = DocumentData("1.txt", frozenset({"ann", "bob"}), [{"ann": "x", "bob": "x"}])
    second = DocumentData("2.txt", frozenset({"ann", "cy"}),
                          [{"ann": "x", "cy": "y"}, {"ann": "y", "cy": "y"}])
    report = agreement([second, first])
    assert [scope.document for scope in report.documents] == ["1.txt", "2.txt"]
    pairs = [pair.reviewers for pair in report.overall.all_labels.pairs]
    assert pairs == [("ann", "bob"), ("ann", "cy")]
    unshared = cohen_kappa([first, second], "bob", "cy")
    assert unshared.value is None and unshared.reason == "bob and cy reviewed no document in common"


def test_pooled_fleiss_needs_the_same_number_of_reviewers_everywhere() -> None:
    first = DocumentData("1.txt", frozenset({"ann", "bob"}),
                         [{"ann": "x", "bob": "x"}, {"ann": "y", "bob": "y"}])
    second = DocumentData("2.txt", frozenset({"ann", "bob", "cy"}),
                          [{"ann": "x", "bob": "x", "cy": "y"}])
    kappa = fleiss_kappa([first, second])
    assert kappa.value is None
    assert kappa.reason is not None and "(2, 3)" in kappa.reason
    assert "krippendorff_alpha" in kappa.reason
    assert krippendorff_alpha([first, second]).value is not None
    # each document on its own is fine
    assert agreement([first, second]).documents[0].all_labels.fleiss_kappa.value == 1.0


# --- too few reviewers, and other degenerate input ------------------------------------

def test_a_single_reviewer_is_an_error_the_cli_reports_with_exit_2() -> None:
    alone = DocumentData("alone.txt", frozenset({"ann"}), [{"ann": "x"}])
    with pytest.raises(TooFewReviewersError) as raised:
        agreement(alone)
    assert isinstance(raised.value, AnnotateError)
    assert raised.value.exit_code == EXIT_USAGE
    assert str(raised.value).startswith(
        "agreement needs at least two reviewers: alone.txt has 1 (ann)")
    for function in (fleiss_kappa, krippendorff_alpha):
        with pytest.raises(TooFewReviewersError):
            function(alone)
    with pytest.raises(TooFewReviewersError, match="none of the 2 documents"):
        agreement([alone, DocumentData("other.txt", frozenset({"bob"}))])


def test_one_single_reviewer_document_among_others_is_reported_not_raised() -> None:
    alone = DocumentData("alone.txt", frozenset({"ann"}), [{"ann": "x"}])
    report = agreement([alone, ONE_SIDED])
    (scope,) = [s for s in report.documents if s.document == "alone.txt"]
    assert scope.all_labels.pairs == ()
    assert scope.all_labels.fleiss_kappa.value is None
    assert scope.all_labels.fleiss_kappa.reason == (
        "agreement needs at least two reviewers; this document has 1 (ann)")


def test_no_positions_at_all() -> None:
    empty = DocumentData("empty.txt", frozenset({"ann", "bob"}))
    result = agreement(empty).overall.all_labels
    assert result.fleiss_kappa.value is None and result.fleiss_kappa.reason
    assert result.krippendorff_alpha.reason == "no position has values from two reviewers"
    assert result.pairs[0].cohen_kappa.reason == "neither ann nor bob marked a position"
    assert result.pairs[0].exact.reason == "neither ann nor bob marked a span"
    assert result.pairs[0].exact.f1 is None


def test_alpha_undefined_with_one_category() -> None:
    document = DocumentData("d.txt", frozenset({"ann", "bob"}),
                            [{"ann": "x", "bob": "x"}, {"ann": "x", "bob": "x"}])
    alpha = krippendorff_alpha(document)
    assert alpha.value is None
    assert alpha.reason is not None and "every value is 'x'" in alpha.reason


def test_input_naming_strangers_or_empty_spans_is_refused() -> None:
    with pytest.raises(ValueError, match="not among its reviewers"):
        DocumentData("d.txt", frozenset({"ann"}), [{"bob": "x"}])
    with pytest.raises(ValueError, match="not among its reviewers"):
        DocumentData("d.txt", frozenset({"ann"}), spans={"bob": [Span(0, 1, "x")]})
    with pytest.raises(ValueError, match="empty or reversed"):
        DocumentData("d.txt", frozenset({"ann"}), spans={"ann": [Span(3, 3, "x")]})
    with pytest.raises(ValueError, match="more than once"):
        agreement([ONE_SIDED, ONE_SIDED])
    with pytest.raises(ValueError, match="two different reviewers"):
        cohen_kappa(ONE_SIDED, "ann", "ann")


# --- spans -----------------------------------------------------------------------

SPANS = DocumentData("spans.txt", frozenset({"ann", "bob"}), spans={
    "ann": [Span(0, 10, "claim"), Span(20, 30, "claim"), Span(40, 50, "opinion")],
    "bob": [Span(0, 10, "claim"), Span(22, 28, "claim"), Span(40, 50, "claim"),
            Span(60, 70, "claim")],
})


def test_exact_span_matching_needs_same_start_end_and_label() -> None:
    scores = span_scores(SPANS, "ann", "bob")
    assert (scores.found, scores.reference_spans) == (1, 3)
    assert (scores.correct, scores.candidate_spans) == (1, 4)
    assert (scores.recall, scores.precision) == (1 / 3, 1 / 4)
    assert scores.f1 == pytest.approx(2 / 7)


def test_overlap_span_matching_needs_a_shared_character_and_the_label() -> None:
    scores = span_scores(SPANS, "ann", "bob", matching="overlap")
    # ann's 0-10 and 20-30 are found; 40-50 is an opinion, bob's a claim
    assert (scores.found, scores.correct) == (2, 2)
    assert (scores.recall, scores.precision) == (2 / 3, 1 / 2)
    assert scores.f1 == pytest.approx(4 / 7)


def test_swapping_the_reference_swaps_precision_and_recall() -> None:
    for matching in ("exact", "overlap"):
        forward = span_scores(SPANS, "ann", "bob", matching=matching)
        backward = span_scores(SPANS, "bob", "ann", matching=matching)
        assert (forward.precision, forward.recall) == (backward.recall, backward.precision)
        assert forward.f1 == pytest.approx(backward.f1)


def test_touching_spans_do_not_overlap() -> None:
    document = DocumentData("d.txt", frozenset({"ann", "bob"}), spans={
        "ann": [Span(0, 10, "x")], "bob": [Span(10, 20, "x")]})
    assert span_scores(document, "ann", "bob", matching="overlap").found == 0


def test_span_scores_per_label() -> None:
    claim = span_scores(SPANS, "ann", "bob", matching="overlap", label="claim")
    assert (claim.found, claim.reference_spans, claim.correct, claim.candidate_spans) == (
        2, 2, 2, 4)
    opinion = span_scores(SPANS, "ann", "bob", label="opinion")
    assert (opinion.recall, opinion.precision, opinion.f1) == (0.0, None, 0.0)
    assert opinion.reason == "bob marked no span: precision is undefined"


def test_f1_is_zero_when_one_reviewer_marked_nothing() -> None:
    document = DocumentData("d.txt", frozenset({"ann", "bob"}),
                            spans={"ann": [Span(0, 5, "x")]})
    scores = span_scores(document, "ann", "bob")
    assert (scores.precision, scores.recall, scores.f1) == (None, 0.0, 0.0)
    reverse = span_scores(document, "bob", "ann")
    assert (reverse.precision, reverse.recall, reverse.f1) == (0.0, None, 0.0)
    assert reverse.reason == "bob (the reference) marked no span: recall is undefined"


def test_more_than_64_reviewers() -> None:
    # the packed popcount counts reviewers 64 at a time
    names = [f"r{number:03}" for number in range(70)]
    document = DocumentData("d.txt", frozenset(names),
                            [dict.fromkeys(names, "x")],
                            {name: [Span(0, 5, "x"), Span(9, 12, "y")] for name in names})
    report = agreement(document)
    pairs = report.overall.all_labels.pairs
    assert len(pairs) == 70 * 69 // 2
    assert all(pair.exact.f1 == 1.0 and pair.overlap.f1 == 1.0 for pair in pairs)


# --- JSON ----------------------------------------------------------------------

def _assert_keys_sorted(value: Any) -> None:
    if isinstance(value, dict):
        assert list(value) == sorted(value)
        for item in value.values():
            _assert_keys_sorted(item)
    elif isinstance(value, list):
        for item in value:
            _assert_keys_sorted(item)


def test_json_is_key_sorted_stable_and_names_each_coefficient() -> None:
    documents = [krippendorff_document(), SPANS, ONE_SIDED]
    data = to_json(agreement(documents, absent="missing"))
    _assert_keys_sorted(data)
    text = json.dumps(data)
    assert json.loads(text) == data
    assert json.dumps(to_json(agreement(list(reversed(documents)), absent="missing"))) == text
    assert data["absent"] == "missing"
    assert [scope["document"] for scope in data["documents"]] == [
        "krippendorff-2011.txt", "one-sided.txt", "spans.txt"]
    overall = data["overall"]
    assert overall["document"] is None
    alpha = data["documents"][0]["all_labels"]["krippendorff_alpha"]
    assert alpha == {"expected_agreement": 0.220513, "observed_agreement": 0.8,
                     "positions": 11, "reason": None, "reviewers": 4,
                     "skipped_positions": 1, "value": 0.743421}
    pair = overall["all_labels"]["pairs"][0]
    assert set(pair) == {"cohen_kappa", "exact", "overlap", "reviewers"}
    assert set(pair["exact"]) >= {"precision", "recall", "f1", "reference", "candidate"}
    assert set(overall["all_labels"]) == {"fleiss_kappa", "krippendorff_alpha", "pairs",
                                          "positions", "reviewers"}
    assert sorted(overall["labels"]) == ["1", "2", "3", "4", "5", "claim", "opinion", "x", "y"]
