"""Unit tests of the annotate.anchoring package: positions and quote search, the
approximate matcher, the thresholds, the diff, and re-anchoring's contract
(the property-based and editorial tests are in tests/test_reanchor_*.py)."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.anchoring import reanchor as reanchoring
from annotate.anchoring import textdiff
from annotate.anchoring.closest import fuzzy_candidates
from annotate.anchoring.quotes import (
    DEFAULT_MIN_SCORE,
    approx_search,
    edit_distance,
    edit_distances,
    max_quote_errors,
    min_quote_similarity,
    required_score,
)
from annotate.anchoring.reanchor import reanchor
from annotate.anchoring.textindex import (
    LineIndex,
    context,
    find_exact,
    splits_line_ending,
)
from annotate.model import Annotation

SETTINGS = settings(max_examples=200, deadline=None)


def make(text: str, start: int, end: int, name: str = "ann-0001") -> Annotation:
    prefix, suffix = context(text, start, end)
    return Annotation(
        id=name, document="doc.txt", document_sha256="a" * 64, start=start, end=end,
        quote=text[start:end], prefix=prefix, suffix=suffix, label="claim",
        reviewer="tester", note="n", sources=("https://example.org/a",),
        created="2024-01-01T00:00:00Z", modified="2024-01-02T00:00:00Z")


def on(text: str, quote: str, occurrence: int = 0) -> Annotation:
    start = find_exact(text, quote)[occurrence]
    return make(text, start, start + len(quote))


def paragraphs(count: int, seed: int = 1) -> str:
    """Prose-like text: distinct words, so every passage has one place."""
    rng = random.Random(seed)
    words: set[str] = set()
    result = []
    for _ in range(count):
        sentence = []
        for _ in range(rng.randint(12, 30)):
            word = "".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(4, 9)))
            while word in words:
                word = "".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(7))
            words.add(word)
            sentence.append(word)
        result.append(" ".join(sentence).capitalize() + ".")
    return "\n\n".join(result)


# --- import cost ----------------------------------------------------------------

def _loads_diff_match_patch(module: str) -> bool:
    """Whether importing module loads diff-match-patch, in a fresh
    interpreter: in this one, other tests have imported it already."""
    code = f"import sys, {module}; print('diff_match_patch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return run.stdout.strip() == "True"


@pytest.mark.parametrize("module", [
    "annotate.api", "annotate.store", "annotate.spans", "annotate.sentences",
    "annotate.report.show", "annotate.validation", "annotate.anchoring",
    "annotate.anchoring.textindex", "annotate.anchoring.quotes"])
def test_positions_do_not_load_the_diff(module: str) -> None:
    """Code that only needs positions or quote scores (every command, the
    store, validation) must not pay for diff-match-patch (STYLE.md: imports
    cost start-up time); only re-anchoring loads it."""
    assert not _loads_diff_match_patch(module)


def test_reanchoring_loads_the_diff() -> None:
    """The check above can tell: the re-anchoring module does load it."""
    assert _loads_diff_match_patch("annotate.anchoring.reanchor")


# --- positions and quote search (used by other commands) ---------------------

def test_line_index_counts_lines_at_lf() -> None:
    index = LineIndex("ab\r\ncd\ne")
    assert index.position(0) == (1, 1)
    assert index.position(2) == (1, 3)  # the CR is the last column of line 1
    assert index.position(4) == (2, 1)
    assert index.offset(3, 1) == 7


def test_context_and_crlf() -> None:
    assert context("x" * 40 + "QUOTE" + "y" * 40, 40, 45) == ("x" * 32, "y" * 32)
    assert splits_line_ending("a\r\nb", 2)
    assert not splits_line_ending("a\r\nb", 1) and not splits_line_ending("a\r\nb", 3)


def test_find_exact_and_fuzzy_candidates() -> None:
    text = "aaa Vostochny cosmodrome, not the Vostochny port"
    assert find_exact(text, "Vostochny") == [4, 34]
    assert find_exact("aaaa", "aa") == [0, 1, 2]
    best = fuzzy_candidates(text, "Vostochni cosmodrome")[0]
    assert best.start == 4 and best.score > 0.8


# --- the approximate matcher --------------------------------------------------

def _dp(pattern: str, text: str, anchored: bool) -> list[int]:
    """The textbook dynamic programme the bit-vector algorithm must equal."""
    previous = list(range(len(pattern) + 1))
    rows = []
    for j, char in enumerate(text, start=1):
        current = [j if anchored else 0]
        for i, wanted in enumerate(pattern, start=1):
            current.append(min(previous[i] + 1, current[i - 1] + 1,
                               previous[i - 1] + (wanted != char)))
        rows.append(current[-1])
        previous = current
    return rows


small_texts = st.text(alphabet="abcé\u0301😀 ", max_size=40)


@SETTINGS
@given(pattern=st.text(alphabet="abcé\u0301😀 ", min_size=1, max_size=70), text=small_texts,
       anchored=st.booleans())
def test_edit_distances_equal_the_dynamic_programme(pattern: str, text: str,
                                                    anchored: bool) -> None:
    assert edit_distances(pattern, text, anchored) == _dp(pattern, text, anchored)


@SETTINGS
@given(a=small_texts, b=small_texts)
def test_edit_distance_is_levenshtein(a: str, b: str) -> None:
    expected = _dp(a, b, anchored=True)[-1] if b else len(a)
    assert edit_distance(a, b) == edit_distance(b, a) == expected


def test_approx_search_finds_both_ends_of_a_long_pattern() -> None:
    """No 32-character limit (match_main's bitap has Match_MaxBits = 32)."""
    pattern = "x" * 10 + "the quick brown fox jumps over the lazy dog " * 3
    text = "prefix " + pattern.replace("lazy", "lazzy", 1) + " suffix"
    ((start, end, errors),) = approx_search(text, pattern, 5)
    assert (start, end, errors) == (7, 7 + len(pattern) + 1, 1)


# --- thresholds ---------------------------------------------------------------

def test_quote_error_cap_is_stricter_for_short_quotes() -> None:
    caps = {length: max_quote_errors(length) for length in (3, 5, 7, 8, 10, 11, 12, 20, 40)}
    assert caps == {3: 0, 5: 0, 7: 0, 8: 1, 10: 1, 11: 2, 12: 3, 20: 5, 40: 10}
    assert min_quote_similarity(100) == 0.75


def test_required_score_is_stricter_for_short_quotes() -> None:
    assert required_score(32) == required_score(500) == DEFAULT_MIN_SCORE
    assert required_score(3) > required_score(11) > required_score(20) > DEFAULT_MIN_SCORE
    assert required_score(3) == pytest.approx(0.871875)
    assert required_score(32, min_score=0.8) == 0.8


# --- the diff -----------------------------------------------------------------

def _apply(old: str, new: str, hunks: list[textdiff.Hunk]) -> str:
    """Rebuild new from old and the hunks, checking the equal stretches."""
    out, i, j = [], 0, 0
    for a0, a1, b0, b1, _ in hunks:
        assert a0 >= i and b0 >= j and a0 - i == b0 - j
        assert old[i:a0] == new[j:b0]
        out.append(old[i:a0])
        out.append(new[b0:b1])
        i, j = a1, b1
    assert old[i:] == new[j:]
    out.append(old[i:])
    return "".join(out)


edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 30),
                           st.text(alphabet="abc xyzΩ\n", max_size=12)), max_size=6)


@SETTINGS
@given(seed=st.integers(0, 1000), changes=edits)
def test_diff_rebuilds_the_new_text(seed: int, changes: list[tuple[int, int, str]]) -> None:
    old = paragraphs(4, seed)
    new = old
    for at, size, text in changes:
        at %= len(new) + 1
        new = new[:at] + text + new[at + size:]
    hunks = textdiff.Differ(old, new).run()
    assert _apply(old, new, hunks) == new
    assert hunks == textdiff.Differ(old, new).run()  # deterministic


def test_diff_sets_no_clock() -> None:
    """Diff_Timeout = 0: a slow machine must not get a different diff."""
    assert textdiff._dmp().Diff_Timeout == 0


def test_diff_of_a_text_with_every_paragraph_edited_stays_fine() -> None:
    """No line is unique in both texts: the words still align (a whole-text
    block, or blank lines pairing paragraphs wrongly, would make every span
    look edited)."""
    old = paragraphs(300, seed=7)
    rng = random.Random(3)
    lines = old.split("\n\n")
    edited = [line[:n] + "QQ" + line[n + 3:] for line in lines
              for n in [rng.randrange(len(line) - 3)]]
    # One paragraph more at the top, one fewer in the middle: matching the
    # blank lines between them would pair each with its neighbour's new text.
    new = "\n\n".join(["A new first paragraph.", *edited[:150], *edited[151:]])
    hunks = textdiff.Differ(old, new).run()
    assert _apply(old, new, hunks) == new
    assert not any(coarse for *_, coarse in hunks)
    assert sum(a1 - a0 for a0, a1, *_ in hunks) < 6 * len(lines) + len(lines[150])


def test_degraded_diff_falls_back_to_searching(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no budget for Myers, unaligned blocks are marked coarse and
    their spans are searched for, per annotation, with the same outcomes."""
    old = paragraphs(6, seed=2)
    words = old.split()
    new = old.replace(words[5], words[5].upper()).replace(words[40], "")
    new = "\n\n".join(reversed(new.split("\n\n")))  # every paragraph moved, no anchor
    annotations = [make(old, old.index(w), old.index(w) + len(w) + 1 + len(n), name=f"a-{k:03d}")
                   for k, (w, n) in enumerate(zip(words[10:60:7], words[11:61:7], strict=True))]
    normal = reanchor(old, new, "b" * 64, annotations)
    monkeypatch.setattr(textdiff, "DIFF_WORK_BASE", 0)
    monkeypatch.setattr(textdiff, "DIFF_WORK_PER_CHAR", 0)
    monkeypatch.setattr(textdiff, "MYERS_CHEAP_SYMBOLS", 0)
    monkeypatch.setattr(textdiff, "CHAR_DIFF_MAX", 0)
    monkeypatch.setattr(textdiff, "ANCHOR_RUN", 10**6)
    monkeypatch.setattr(textdiff, "_unique_lcs", lambda *args, **kwargs: [])
    hunks = textdiff.Differ(old, new).run()
    assert any(coarse for *_, coarse in hunks)
    degraded = reanchor(old, new, "b" * 64, annotations)
    assert [r.outcome for r in degraded] == [r.outcome for r in normal]
    assert [r.annotation for r in degraded] == [r.annotation for r in normal]
    assert {r.outcome for r in normal} == {"exact"}


# --- re-anchoring -------------------------------------------------------------

def test_unchanged_text_is_all_exact_and_only_the_version_changes() -> None:
    text = paragraphs(3)
    annotation = on(text, text[40:70])
    (result,) = reanchor(text, text, "b" * 64, [annotation])
    assert result.outcome == "exact" and result.score == 1.0
    assert result.annotation == annotation.replace(document_sha256="b" * 64)


def test_insertions_at_the_boundaries_stay_outside() -> None:
    """ProseMirror's mapping with assoc: text typed right before or right
    after a span is not part of it."""
    old = "alpha beta gamma delta"
    annotation = on(old, "beta gamma")
    new = "alpha NEWbeta gammaNEW delta"
    (result,) = reanchor(old, new, "b" * 64, [annotation])
    assert result.outcome == "exact"
    assert new[result.annotation.start:result.annotation.end] == "beta gamma"
    assert result.annotation.prefix.endswith("NEW")
    assert result.annotation.suffix.startswith("NEW")


def test_fuzzy_keeps_the_previous_quote_and_orphan_keeps_everything() -> None:
    old = paragraphs(2)
    words = old.split()
    fixed = on(old, " ".join(words[3:7]))
    gone = on(old, " ".join(words[20:24]))
    new = old.replace(words[4], words[4][:-1] + "x").replace(" ".join(words[19:25]), "")
    orphan_before = gone.replace(orphaned=False)
    fuzzy, orphan = reanchor(old, new, "b" * 64, [fixed, gone])
    assert fuzzy.outcome == "fuzzy" and fuzzy.annotation.previous_quote == fixed.quote
    assert fuzzy.annotation.modified == fixed.modified  # the caller sets it
    assert orphan.outcome == "orphaned"
    assert orphan.annotation == orphan_before.replace(orphaned=True)
    # Placed again later (say the text came back): no longer orphaned.
    (back,) = reanchor(old, old, "c" * 64, [orphan.annotation])
    assert back.outcome == "exact" and not back.annotation.orphaned


def test_long_quote_with_an_edit_in_each_half() -> None:
    """Longer than match_main's 32-bit bitap: both ends found, fuzzy."""
    old = paragraphs(3)
    quote = old[100:400]
    annotation = on(old, quote)
    edited = quote[:20] + "X" + quote[21:250] + "Y" + quote[251:]
    new = "A new first paragraph.\n\n" + old.replace(quote, edited)
    for old_text in (old, None):
        (result,) = reanchor(old_text, new, "b" * 64, [annotation])
        assert result.outcome == "fuzzy"
        assert result.annotation.quote == edited


# Paragraphs in scripts that share no letter with each other or with the
# quotes below: the context stored beside a quote scores next to nothing at
# its new place, as when a paragraph moves between unrelated ones, so only
# what re-anchoring knows of the move can place it.
GREEK = "Αλφα βητα γαμμα δελτα εψιλον ζητα ητα θητα ιωτα καππα λαμδα μυ νυ ξι ομικρον πι."
ARABIC = "ضاغذخغ تمضلؼب تدوةظظجك ثتخرد ةؾوؼ زؿمخفـج لجذبقظع ىػجشتخبػ دضجؿ طثزكةػع."


def test_paragraph_moved_with_the_full_stop_the_diff_kept() -> None:
    """A paragraph moved away from between two others ends in "." as the one
    before it does: the diff pairs its "." with that one's and calls it
    kept, and the "." before it removed.  The quote, all of the paragraph
    but that full stop, is found with it all the same (hypothesis found
    this one, tests/test_reanchor_properties.py)."""
    quote = "Nobody expected it"
    old = f"{GREEK}\n\n{quote}.\n\n{ARABIC}"
    new = f"{GREEK.replace('πι', 'ΠΙ')}\n\n{ARABIC}\n\n{quote}."
    full_stop = old.index(quote) + len(quote)
    assert not any(a0 <= full_stop < a1 for a0, a1, *_ in textdiff.Differ(old, new).run())
    (result,) = reanchor(old, new, "b" * 64, [on(old, quote)])
    assert result.outcome == "exact"
    assert result.annotation.start == new.index(quote)


def test_swapped_paragraphs_sharing_their_last_words() -> None:
    """Swapped, two paragraphs that end in the same words are paired by the
    diff, which keeps "in 2023." where it was: almost half of the quote
    reads as kept, so edited in place, where the other paragraph's words
    do not match it.  It is verbatim in the paragraph that moved."""
    first = "Zulu yankee xray kilo happened in 2023."
    second = "ضاغذخغ تمضلؼب تدوةظظجك took place in 2023."
    middle = "Делегации прибыли поздно вечером в пятницу и долго говорили обо всём подряд."
    old = "\n\n".join([GREEK, first, middle, second, ARABIC])
    new = "\n\n".join([GREEK, second, middle, first, ARABIC])
    quote = "happened in 2023"
    kept = old.index(" in 2023.")
    assert not any(a0 <= kept < a1 for a0, a1, *_ in textdiff.Differ(old, new).run())
    (result,) = reanchor(old, new, "b" * 64, [on(old, quote)])
    assert result.outcome == "exact"
    assert result.annotation.start == new.index(quote)


def test_paragraph_moved_where_a_deleted_one_shared_its_words() -> None:
    """A paragraph moved to where one was deleted: the diff pairs the two on
    the words they share, so " North Korea" in the quote reads as kept, the
    image of the deleted paragraph's.  With its own line around it, the
    moved text is the quote's all the same."""
    deleted = ("Beijing is far more important for Kim, as China is by far North Korea’s "
               "most important trading partner.")
    moved = (">> Read here: This is how dangerous an alliance between North Korea and Russia "
             "could be")
    other = ("Other experts therefore assume that North Korea would supply ammunition for "
             "small arms.")
    last = "That would also be surprising with regard to North Korea."
    old = "\n\n".join(["Title of the piece", deleted, other, moved, last])
    new = "\n\n".join(["Title of the piece", moved, other, last])
    quote = "between North Korea"
    (result,) = reanchor(old, new, "b" * 64, [on(old, quote)])
    assert result.outcome == "exact"
    assert result.annotation.start == new.index(quote)


def test_deleted_word_is_not_found_inside_a_moved_paragraph() -> None:
    """ "so " deleted, and a paragraph with "also be" moved: what the diff
    removed around the quote is only its space, no evidence that the "so "
    of "also be" is it."""
    first = "North Korea could supply artillery shells in large numbers."
    deleted_in = "so Russia could fire its long-range missiles at last."
    third = "Experts doubt that the stocks are in good condition after decades."
    moved = "That would also be surprising."
    old = "\n\n".join([first, deleted_in, third, moved])
    new = "\n\n".join([moved, first, deleted_in.replace("so ", ""), third])
    (result,) = reanchor(old, new, "b" * 64, [on(old, "so")])
    assert result.outcome == "orphaned"


def test_insertions_and_deletions_slide_to_the_best_boundary() -> None:
    """Among the places where an insertion or a deletion costs the same, the
    diff takes the one at a blank line (diff_cleanupSemanticLossless), never
    between a CR and its LF or before a combining mark."""
    def changed(old: str, new: str) -> list[tuple[str, str]]:
        return [(old[a0:a1], new[b0:b1]) for a0, a1, b0, b1, _ in
                textdiff.Differ(old, new).run()]

    # A paragraph moved away ends in "." as the one before it does.
    old = "Alpha beta gamma.\n\nDelta epsilon.\n\nZeta eta theta."
    new = "Alpha betaX gamma.\n\nZeta eta theta.\n\nDelta epsilon."
    assert ("\n\nDelta epsilon.", "") in changed(old, new)
    # A paragraph moved before one that begins with the same letter: not
    # inserted after that "K", inside a quote on "Kilo mike".
    old = "Kilo mike november oscar.\n\nKappa lambda."
    new = "Kappa lambdaX.\n\nYKilo mike november oscar."
    assert changed(old, new) == [("", "Kappa lambdaX.\n\nY"), ("\n\nKappa lambda.", "")]
    (result,) = reanchor(old, new, "b" * 64, [on(old, "Kilo mike")])
    assert result.outcome == "exact" and result.annotation.start == new.index("Kilo")
    # One "e\u0301" of three deleted: the accent goes with its letter.
    old, new = "ae\u0301e\u0301e\u0301b", "ae\u0301e\u0301b"
    assert all(not text or text[0] != "\u0301" for pair in changed(old, new) for text in pair)
    # A CRLF line of three deleted: never "\n\r".
    old, new = "a\r\n\r\n\r\nb", "a\r\n\r\nb"
    assert [pair for pair in changed(old, new)] == [("\r\n", "")]


def test_only_copy_of_a_long_quote_is_taken_though_all_around_it_changed() -> None:
    """Moved, and the words on both sides of it replaced: nothing of its
    context is left, but a quote this long that occurs once in each text
    is the same passage (as Hypothesis takes an exact match first)."""
    quote = "the central bank raised its key rate by half a point"
    old = f"{GREEK}\n\nЖук {quote} ЩЦ.\n\n{ARABIC}"
    new = f"{GREEK.replace('πι', 'ΠΙ')}\n\n{ARABIC}\n\nשלום {quote} אבג!"
    (result,) = reanchor(old, new, "b" * 64, [on(old, quote)])
    assert result.outcome == "exact"
    assert result.annotation.start == new.index(quote)


def test_only_copy_with_its_stored_context_is_taken_for_a_short_quote() -> None:
    """A short quote at the start of its paragraph, moved with the
    paragraph before it, the rest of its own line rewritten: its stored
    prefix stands intact beside that copy alone, so it is this "Kim", not
    the one in the first line."""
    before = "Делегации прибыли поздно вечером в пятницу."
    old = f"Kim {GREEK}\n\n{before}\n\nKim ЖЖЖЖ ЩЩЩЩ.\n\n{ARABIC}"
    new = f"Kim {GREEK}\n\n{ARABIC}\n\n{before}\n\nKim שלום."
    (result,) = reanchor(old, new, "b" * 64, [on(old, "Kim", 1)])
    assert result.outcome == "exact"
    assert result.annotation.start == new.rindex("Kim")


def test_short_quote_without_any_of_its_context_stays_orphaned() -> None:
    """The documented limit: a short quote moved and rewritten around is
    not told from the same word written anew, even where it is the only
    one."""
    old = f"{GREEK}\n\nЖук Alvarez ЩЦ.\n\n{ARABIC}"
    new = f"{GREEK.replace('πι', 'ΠΙ')}\n\n{ARABIC}\n\nשלום Alvarez אבג!"
    (result,) = reanchor(old, new, "b" * 64, [on(old, "Alvarez")])
    assert result.outcome == "orphaned"


def test_quote_moved_far_is_found_without_the_old_text() -> None:
    """match_main with the default Match_Distance of 1000 calls a verbatim
    quote 2,000 code points away "not found"."""
    old = paragraphs(3)
    annotation = on(old, old[200:260])
    new = paragraphs(40, seed=9) + "\n\n" + old
    (result,) = reanchor(None, new, "b" * 64, [annotation])
    assert result.outcome == "exact"
    assert result.annotation.start == len(new) - len(old) + 200


def test_edited_quote_moved_a_few_paragraphs_is_found_without_the_old_text(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The near search (match_main) looks SEARCH_RADIUS either side of the
    stored offsets: its Match_Distance is scaled so that 3,000 code points
    away does not count as "not found" as it would with the default 1000.
    (The whole-text scan, for texts up to FULL_SCAN_LIMIT, is switched off
    to see the near search alone, as on a large text.)"""
    monkeypatch.setattr(reanchoring, "FULL_SCAN_LIMIT", 0)
    old = paragraphs(3)
    quote = old[200:260]
    annotation = on(old, quote)
    edited = quote[:30] + "Q" + quote[31:]
    new = paragraphs(12, seed=9)[:3000] + "\n\n" + old.replace(quote, edited)
    (result,) = reanchor(None, new, "b" * 64, [annotation])
    assert result.outcome == "fuzzy" and result.annotation.quote == edited


def test_near_search_is_not_drawn_to_a_verbatim_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """hypothesis/h#2798 without the old text, on a text too big for the
    whole-text scan: a copy edit respelled the annotated "Kim Jong Un";
    another "Kim Jong Un" a paragraph away must not win the near search
    (match_main lowers its threshold to any exact match it sees)."""
    monkeypatch.setattr(reanchoring, "FULL_SCAN_LIMIT", 0)
    old = ("Kim Jong Un and Putin met on Wednesday.\n\n" + paragraphs(2)
           + "\n\nThe North Korean leader Kim Jong Un said little.")
    annotation = on(old, "Kim Jong Un", 1)
    new = old.replace("leader Kim Jong Un", "leader Kim Jong-un")
    (result,) = reanchor(None, new, "b" * 64, [annotation])
    assert result.outcome == "fuzzy" and result.annotation.quote == "Kim Jong-un"


def test_min_score_decides_what_is_close_enough() -> None:
    old = paragraphs(2)
    quote = old[50:90]
    annotation = on(old, quote)
    new = old.replace(quote, quote[:10] + "ZZZ" + quote[13:])
    (default,) = reanchor(old, new, "b" * 64, [annotation])
    (strict,) = reanchor(old, new, "b" * 64, [annotation], min_score=0.99)
    assert default.outcome == "fuzzy"
    assert strict.outcome == "orphaned" and strict.score == pytest.approx(default.score)


def test_stale_offsets_are_found_by_quote_and_context() -> None:
    old = paragraphs(2)
    annotation = on(old, old[60:90]).replace(start=0, end=30)
    (result,) = reanchor(old, "Intro.\n\n" + old, "b" * 64, [annotation])
    assert result.outcome == "exact" and result.annotation.start == 68


def test_a_new_crlf_pair_at_a_boundary_is_taken_in_whole() -> None:
    old = "first line\rsecond line"
    annotation = on(old, "first line\r")
    new = "first line\r\nsecond line"
    (result,) = reanchor(old, new, "b" * 64, [annotation])
    assert not splits_line_ending(new, result.annotation.end)
    assert result.outcome == "fuzzy" and result.annotation.quote == "first line\r\n"


def test_results_keep_the_order_of_the_input() -> None:
    old = paragraphs(3)
    annotations = [make(old, s, s + 25, name=f"ann-{s:04d}") for s in (300, 10, 150, 10)]
    new = "A line.\n\n" + old.replace(old[150:175], "")
    results = reanchor(old, new, "b" * 64, annotations)
    assert [r.annotation.id for r in results] == [a.id for a in annotations]
    assert [r.outcome for r in results] == ["exact", "exact", "orphaned", "exact"]
