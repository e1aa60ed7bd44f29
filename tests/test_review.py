"""`annotate review` driven by scripted standard input (one key a line; the
prompts of n, l and / read the next line): every key, resuming, the summary,
and the bad input of issue 11.  The decisions are checked in the files they
are saved to, as `annotate add`/`edit`/`rm` leave them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import Result

from annotate import api
from annotate.sentences import split_sentences
from annotate.workspace import load
from tests.conftest import REPO, SEED, SEED_ID, Run, run_installed

SENTENCES = split_sentences(SEED.read_text(encoding="utf-8"))
FOLDER = Path("annotations") / SEED_ID


def sentence(number: int) -> tuple[int, int]:
    return SENTENCES[number - 1].start, SENTENCES[number - 1].end


def review(run: Run, *keys: str, args: tuple[str, ...] = (), doc: str = SEED_ID) -> Result:
    """Run `annotate review DOC` with one key (or answer) a line."""
    return run("review", doc, *args, input="".join(f"{key}\n" for key in keys))


def records(reviewer: str = "alice") -> list[dict[str, object]]:
    path = FOLDER / f"{reviewer}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def spans(reviewer: str = "alice") -> list[tuple[object, object, object]]:
    return sorted((r["start"], r["end"], r["label"]) for r in records(reviewer))


def progress(reviewer: str = "alice") -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        (FOLDER / f"{reviewer}.progress.json").read_text(encoding="utf-8"))
    return loaded


def summary(run: Run, *keys: str, args: tuple[str, ...] = ()) -> dict[str, object]:
    result = review(run, *keys, args=("--format", "json", *args))
    assert result.exit_code == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def shown(result: Result) -> list[int]:
    """The sentence numbers the screen showed, in order."""
    return [int(line.split()[1]) for line in result.stderr.splitlines()
            if line.startswith("sentence ")]


# -- the session of the issue ---------------------------------------------------------

def test_two_skips_a_label_and_quit(workspace: Path, run: Run) -> None:
    result = review(run, "j", "j", "p", "q")
    assert result.exit_code == 0, result.stderr
    assert shown(result) == [1, 2, 3, 4]
    assert spans() == [(*sentence(3), "speculative")]
    saved = records()[0]
    assert saved["quote"] == "The two heads of state want to deepen their relations."
    assert progress()["skipped"] == [list(sentence(1)), list(sentence(2))]
    assert progress()["document_sha256"] == saved["document_sha256"]
    # The summary is the data (stdout); the screen went to stderr.
    assert result.stdout.startswith("Reviewed kim-putin-vostochny.txt as alice in ")
    assert "1 labelled (speculative 1), 2 skipped, 0 removed." in result.stdout
    assert "3 of 62 sentences decided." in result.stdout
    assert "Next undecided: sentence 4" in result.stdout
    assert "sentence 1 of 62 · 0 decided" in result.stderr
    assert "sentence 4 of 62 · 3 decided" in result.stderr
    assert "saved: speculative (" in result.stderr
    # What review saved, validate accepts (the progress file included).
    assert run("validate", "--strict").exit_code == 0


def test_a_rerun_resumes_at_the_first_undecided_sentence(workspace: Path, run: Run) -> None:
    review(run, "j", "j", "p", "q")
    result = review(run, "q")
    assert shown(result) == [4]
    # Going back over decided sentences changes nothing: j on a skipped one and
    # the same label on a labelled one move on.
    result = review(run, "k", "k", "j", "p", "j", "p", "q")
    assert shown(result) == [4, 3, 2, 3, 4, 5, 6]
    assert "already speculative" in result.stderr
    assert shown(review(run, "q")) == [6]
    assert progress()["skipped"] == [list(sentence(n)) for n in (1, 2, 4)]
    assert spans() == [(*sentence(3), "speculative"), (*sentence(5), "speculative")]


def test_the_json_summary_matches_its_schema(workspace: Path, run: Run) -> None:
    schema = json.loads((REPO / "schemas" / "review-summary.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    data = summary(run, "j", "p", "o", "k", "x", "q")
    jsonschema.Draft202012Validator(schema).validate(data)
    assert {key: data[key] for key in ("labelled", "skipped", "removed", "decided",
                                       "next_undecided", "stopped", "sentences",
                                       "stepped", "only_candidates")} == {
        "labelled": {"opinion": 1, "speculative": 1}, "skipped": 1, "removed": 1,
        "decided": 2, "next_undecided": 3, "stopped": "quit", "sentences": 62,
        "stepped": 62, "only_candidates": False}
    assert isinstance(data["seconds"], float)


def test_the_end_of_input_stops_cleanly(workspace: Path, run: Run) -> None:
    result = review(run, "j", "p")
    assert result.exit_code == 0
    assert "stopped at the end of the input: every decision made so far is saved" \
        in result.stderr
    assert spans() == [(*sentence(2), "speculative")]
    assert json.loads(review(run, args=("--format", "json")).stdout)["stopped"] == \
        "end-of-input"


@pytest.mark.parametrize("keys", [("/",), ("s",), ("p", "k", "n"), ("p", "k", "l")])
def test_the_end_of_input_at_a_prompt_stops_cleanly(workspace: Path, run: Run,
                                                    keys: tuple[str, ...]) -> None:
    result = review(run, *keys)
    assert result.exit_code == 0
    assert "stopped at the end of the input: every decision made so far is saved" \
        in result.stderr
    assert spans() == ([(*sentence(1), "speculative")] if keys[0] == "p" else [])


def test_the_installed_script_reads_keys_from_a_pipe(workspace: Path) -> None:
    done = run_installed("review", SEED_ID, "--reviewer", "erin@factdesk.example",
                         cwd=workspace, input="j\nj\np\nq\n")
    assert done.returncode == 0, done.stderr
    assert "1 labelled (speculative 1), 2 skipped" in done.stdout
    assert spans("erin@factdesk.example") == [(*sentence(3), "speculative")]


# -- each key ---------------------------------------------------------------------------

def test_a_label_that_needs_a_source_asks_for_one(workspace: Path, run: Run) -> None:
    result = review(run, "s", "", "s", "not a url", "s", "https://www.iiss.org/", "q")
    assert result.exit_code == 0
    assert "nothing saved: sourced needs a source" in result.stderr
    assert "not saved: sources/0: source 'not a url' is not an absolute http(s) address" \
        in result.stderr
    assert shown(result) == [1, 2]
    assert [(r["label"], r["sources"]) for r in records()] == [
        ("sourced", ["https://www.iiss.org/"])]


def test_space_skips_like_j(workspace: Path, run: Run) -> None:
    assert shown(review(run, " ", "q")) == [1, 2]
    assert progress()["skipped"] == [list(sentence(1))]


def test_a_quote_narrows_the_span(workspace: Path, run: Run) -> None:
    result = review(run, "/", "20,000 artillery pieces", "s", "https://www.iiss.org/", "q",
                    args=("--from", "29"))
    assert result.exit_code == 0, result.stderr
    text = SEED.read_text(encoding="utf-8")
    start = text.index("20,000 artillery pieces")
    assert spans() == [(start, start + len("20,000 artillery pieces"), "sourced")]
    assert shown(result) == [29, 30]


def test_a_quote_typed_with_straight_quotes_is_found_and_said(workspace: Path,
                                                             run: Run) -> None:
    result = review(run, "/", '"Russia has begun a holy struggle', "o", "q",
                    args=("--from", "14"))
    assert result.exit_code == 0, result.stderr
    assert records()[0]["quote"] == "“Russia has begun a holy struggle"
    assert "matched only after folding typographic quotes" in result.stderr


def test_a_quote_of_a_word_twice_in_the_sentence_marks_the_first(workspace: Path,
                                                                 run: Run) -> None:
    # Sentence 58: "It remains to be seen whether China would agree to this."
    # Sentence 12 has "will" twice: "what North Korea will deliver ... whether Russia will".
    result = review(run, "/", "will", "p", "q", args=("--from", "12"))
    assert result.exit_code == 0, result.stderr
    start = SENTENCES[11].start + SENTENCES[11].text.index("will")
    assert spans() == [(start, start + 4, "speculative")]
    assert "'will' occurs more than once in this sentence: the first is marked" \
        in result.stderr


@pytest.mark.parametrize(("answer", "then", "message"), [
    ("Vladivostok", "p", "'Vladivostok' is not in this sentence"),  # in sentence 7, not 3
    ("", "p", "no quote: nothing marked"),
    ("heads of state", "j", "not a label key: nothing marked"),
])
def test_a_quote_that_marks_nothing(workspace: Path, run: Run, answer: str, then: str,
                                    message: str) -> None:
    result = review(run, "/", answer, then, "q", args=("--from", "3"))
    assert result.exit_code == 0
    assert message in result.stderr
    # After a refused quote the next key acts on the sentence as usual.
    assert spans() == ([(*sentence(3), "speculative")] if then == "p" else [])


def test_note_and_source_go_on_the_annotation_of_the_sentence(workspace: Path,
                                                              run: Run) -> None:
    result = review(run, "n", "u", "k", "n", "a single source", "l",
                    "https://example.org/a", "q")
    assert result.exit_code == 0, result.stderr
    assert "you have no annotation on this sentence: label it first" in result.stderr
    [saved] = records()
    assert (saved["label"], saved["note"], saved["sources"]) == (
        "unsourced", "a single source", ["https://example.org/a"])
    assert "note saved" in result.stderr and "source added" in result.stderr
    assert "yours: unsourced whole sentence · note: a single source · source: " \
           "https://example.org/a" in " ".join(result.stderr.split())


def test_an_empty_note_or_source_changes_nothing(workspace: Path, run: Run) -> None:
    result = review(run, "p", "k", "n", "", "l", "", "q")
    assert "note unchanged" in result.stderr and "no source added" in result.stderr
    assert [(r["note"], r["sources"]) for r in records()] == [("", [])]


def test_another_label_key_relabels_the_same_annotation(workspace: Path, run: Run) -> None:
    review(run, "p", "q")
    first = records()[0]["id"]
    result = review(run, "p", "k", "o", "q", args=("--from", "1"))
    assert "already speculative" in result.stderr
    assert "relabelled: opinion" in result.stderr
    assert [(r["id"], r["label"]) for r in records()] == [(first, "opinion")]


def test_x_removes_your_annotations_and_a_skip(workspace: Path, run: Run) -> None:
    # Sentence 1: a quote of it, then the whole of it; sentence 2 skipped.
    review(run, "/", "Kim Jong Un", "o", "k", "p", "j", "q")
    assert spans() == sorted([(*sentence(1), "speculative"),
                              (SENTENCES[0].start + 5, SENTENCES[0].start + 16, "opinion")])
    assert progress()["skipped"] == [list(sentence(2))]
    result = review(run, "x", "q", args=("--from", "1"))
    assert "removed 2 annotations; the sentence is undecided" in result.stderr
    result = review(run, "x", "x", "q", args=("--from", "2"))
    assert "forgot the skip; the sentence is undecided" in result.stderr
    assert "nothing of yours here; the sentence is undecided" in result.stderr
    assert records() == [] and progress()["skipped"] == []
    # Every sentence is undecided again: the next run starts at the first.
    assert shown(review(run, "q")) == [1]


def test_other_reviewers_are_shown_by_name(workspace: Path, run: Run) -> None:
    assert run("add", SEED_ID, "--sentence", "1", "--label", "opinion",
               "--reviewer", "bob").exit_code == 0
    result = review(run, "q")
    assert "bob: opinion whole sentence" in result.stderr
    assert "yours:" not in result.stderr


def test_k_on_the_first_sentence_and_an_unknown_key_only_say_so(workspace: Path,
                                                                 run: Run) -> None:
    result = review(run, "k", "z", "jj", "", "q")
    assert result.exit_code == 0
    assert "this is the first sentence" in result.stderr
    assert "unknown key z: press ? for the keys" in result.stderr
    assert "unknown key 'jj': press ? for the keys" in result.stderr
    assert "no key given (one key a line when scripted)" in result.stderr
    assert shown(result) == [1]  # drawn once: nothing moved
    assert records() == [] and not (FOLDER / "alice.progress.json").exists()


def test_help_lists_every_key(workspace: Path, run: Run) -> None:
    result = review(run, "?", "q")
    for line in ("s  sourced: Attributed", "p  speculative: A hedged", "o  opinion",
                 "/  mark a quote", "n  note", "l  add a source URL", "j  skip (space too)",
                 "k  back", "x  remove", "?  this help", "q  quit"):
        assert line in result.stderr


def test_the_last_sentence_ends_the_session(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "short.txt").write_text("One. Two 2.\n")
    result = review(run, "j", "o", doc="short.txt")
    assert result.exit_code == 0
    assert "that was the last sentence" in result.stderr
    assert "Every sentence stepped through is decided; 'annotate finish short.txt'" \
        in result.stdout
    again = review(run, "q", doc="short.txt")
    assert again.exit_code == 0 and shown(again) == []
    assert "you have decided every sentence of short.txt" in again.stderr
    assert "--from N goes over them again" in again.stderr
    assert shown(review(run, "q", doc="short.txt", args=("--from", "2"))) == [2]


# -- claim candidates ----------------------------------------------------------------------

def test_only_candidates_steps_through_the_candidates(workspace: Path, run: Run) -> None:
    result = review(run, "j", "p", "q", args=("--only-candidates",))
    assert result.exit_code == 0, result.stderr
    assert shown(result) == [7, 9, 12]
    assert "sentence 7 of 62 · candidate 1 of 29 · 0 decided" in result.stderr
    assert "candidate: attribution “Experts”, hedge “predicted”" in result.stderr
    assert spans() == [(*sentence(9), "speculative")]
    assert progress()["skipped"] == [list(sentence(7))]
    assert shown(review(run, "q", args=("--only-candidates",))) == [12]
    assert shown(review(run, "k", "q", args=("--only-candidates",))) == [12, 9]
    # All sentences: the first undecided is 1.
    assert shown(review(run, "q")) == [1]


def test_every_sentence_shows_why_it_is_a_candidate(workspace: Path, run: Run) -> None:
    result = review(run, "q", args=("--from", "29"))
    assert ("candidate: attribution “According to”, number “26 million”, number "
            "“20,000”, attribution “experts”, hedge “believe”, comparison “world "
            "record”") in " ".join(line.strip() for line in result.stderr.splitlines())


def test_from_picks_the_first_sentence(workspace: Path, run: Run) -> None:
    assert shown(review(run, "q", args=("--from", "40"))) == [40]
    assert shown(review(run, "q", args=("--from", "43", "--only-candidates"))) == [47]
    result = review(run, "q", args=("--from", "60", "--only-candidates"))
    assert result.exit_code == 0
    assert "no claim candidate at or after sentence 60" in result.stderr
    result = review(run, "q", args=("--from", "63"))
    assert result.exit_code == 2
    assert result.stderr == ("annotate: error: invalid value for '--from': "
                             "kim-putin-vostochny.txt has 62 sentences "
                             "(see 'annotate review --help')\n")


# -- bad input ------------------------------------------------------------------------------

def test_an_empty_document_has_nothing_to_review(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "empty.txt").write_text(" \n\n")
    result = review(run, "p", "q", args=("--format", "json", "--from", "3"), doc="empty.txt")
    assert result.exit_code == 0
    assert result.stderr == ("annotate: note: empty.txt has no sentences (it is empty or "
                             "only white space): nothing to review\n")
    data = json.loads(result.stdout)
    assert (data["sentences"], data["stopped"]) == (0, "nothing-to-review")
    assert not (workspace / "annotations" / "empty.txt").exists() or not any(
        (workspace / "annotations" / "empty.txt").iterdir())


def test_no_candidates_with_only_candidates(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "calm.txt").write_text("The cat sat on the mat. It purred.\n")
    result = review(run, "p", args=("--only-candidates",), doc="calm.txt")
    assert result.exit_code == 0
    assert "calm.txt has no claim candidates (no numbers, attributions, hedges or " \
           "comparisons); run without --only-candidates to step through all 2 sentences" \
        in result.stderr
    assert "nothing-to-review" not in result.stdout  # text summary
    assert "0 of 2 sentences decided." in result.stdout


def test_a_document_changed_since_the_last_session(workspace: Path, run: Run) -> None:
    review(run, "j", "p", "q")
    corpus = workspace / "corpus" / SEED_ID
    corpus.write_text("Editor's note: updated.\n\n" + corpus.read_text(encoding="utf-8"),
                      encoding="utf-8")
    result = review(run, "p", "q")
    assert result.exit_code == 0, result.stderr
    notice = " ".join(result.stderr.split())
    assert "annotate: note: kim-putin-vostochny.txt changed since your last review " \
           "session (your skips were on version " in notice
    assert "those skips no longer count" in notice
    assert "1 of your annotations was made on another version and may no longer be " \
           "where they were: run 'annotate reanchor kim-putin-vostochny.txt'" in notice
    assert "continuing on the current text" in notice
    # It goes on on the current text, from its first sentence (the old skips do
    # not count): the new first sentence is labelled there.
    assert shown(result) == [1, 2]
    first, earlier = sorted(records(), key=lambda r: r["start"])
    assert (first["start"], first["quote"]) == (0, "Editor's note: updated.")
    assert first["document_sha256"] != earlier["document_sha256"]
    # The progress now belongs to the current version; after reanchor nothing
    # is stale, so no notice.
    assert progress()["skipped"] == []
    assert progress()["document_sha256"] == api.document(load(workspace), SEED_ID).sha256
    assert run("reanchor", SEED_ID).exit_code == 0
    again = review(run, "q")
    assert "changed since your last review session" not in again.stderr
    assert shown(again) == [2]


def test_a_document_changed_during_the_session_stops_it(workspace: Path, run: Run,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    from annotate.cli import interactive

    corpus = workspace / "corpus" / SEED_ID
    read = interactive.Keys.key
    calls = []

    def key_then_edit(self: interactive.Keys) -> str:
        calls.append(1)
        if len(calls) == 2:  # another program rewrites the file while a key is awaited
            corpus.write_text(corpus.read_text(encoding="utf-8") + "\nMore.\n",
                              encoding="utf-8")
        return read(self)

    monkeypatch.setattr(interactive.Keys, "key", key_then_edit)
    result = review(run, "p", "p", "q", args=("--format", "json"))
    assert result.exit_code == 2
    assert "kim-putin-vostochny.txt changed on disk during this review" in result.stderr
    assert "Run 'annotate reanchor kim-putin-vostochny.txt', then 'annotate review" \
        in result.stderr
    assert json.loads(result.stdout)["stopped"] == "document-changed"
    assert spans() == [(*sentence(1), "speculative")]  # the first decision was saved


def test_a_narrow_terminal_wraps_every_line(workspace: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from annotate.cli import cli

    keys = "".join(f"{key}\n" for key in ("j", "?", "z", "k", "q"))
    for columns in ("1", "12", "30"):
        result = CliRunner(env={"COLUMNS": columns}).invoke(
            cli, ["review", SEED_ID, "--from", "29"], input=keys)
        assert result.exit_code == 0, result.stderr
        width = max(int(columns) - 1, 16)
        assert all(len(line) <= width for line in result.stderr.splitlines()), columns
        assert "sentence 30 of 62" in " ".join(result.stderr.split())
    # A word longer than the line is cut, not lost.
    joined = "".join(result.stderr.split())
    assert "Institute" in joined


def test_hostile_text_is_escaped_on_the_screen(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "hostile.txt").write_text(
        "It said \x1b[31mred\x1b[0m and \u202eevil. Next one.\n", encoding="utf-8")
    result = review(run, "/", "red\x1b[0m", "o", "q", doc="hostile.txt")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b[31mred" in result.stderr and "<U+202E>evil" in result.stderr
    saved = Path("annotations") / "hostile.txt" / "alice.jsonl"
    assert [json.loads(line)["quote"] for line in saved.read_text().splitlines()] == [
        "red\x1b[0m"]


@pytest.mark.parametrize(("args", "message"), [
    (("--reviewer", "consensus"), "'consensus' is reserved for the merged result"),
    (("--reviewer", "a b"), "invalid reviewer name 'a b'"),
])
def test_a_reviewer_name_that_cannot_be_saved_is_refused_first(workspace: Path, run: Run,
                                                               args: tuple[str, ...],
                                                               message: str) -> None:
    result = review(run, "p", args=args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert not (workspace / FOLDER).exists() or not any((workspace / FOLDER).iterdir())


def test_a_bad_reviewer_from_the_environment_says_where_it_came_from(
        workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATE_REVIEWER", "al ice")
    result = review(run, "p")
    assert result.exit_code == 2
    assert "(the name came from $ANNOTATE_REVIEWER: fix it there, or pass --reviewer)" \
        in result.stderr


def test_an_unknown_document(workspace: Path, run: Run) -> None:
    result = review(run, "q", doc="kim.txt")
    assert result.exit_code == 2
    assert result.stderr.startswith("annotate: error: unknown document 'kim.txt'")


# -- the library calls behind it ---------------------------------------------------------

def test_the_session_saves_through_the_library(workspace: Path) -> None:
    ws = load(workspace)
    session = api.open_review(ws, SEED_ID, reviewer="dana")
    assert session.order(only_candidates=True)[:3] == [7, 9, 12]
    target = session.target(29, "world record")
    made = session.label(target, "opinion")
    assert made.quote == "world record" and made.reviewer == "dana"
    assert api.list_annotations(ws, SEED_ID, reviewer="dana") == [made]
    assert session.skip(1) is True and session.skip(1) is False
    assert session.decided([1, 2, 29]) == [1, 29]
    assert session.first_undecided([1, 2, 29]) == 2
    assert session.tally.skipped == 1 and dict(session.tally.labelled) == {"opinion": 1}
