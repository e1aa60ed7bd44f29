"""`annotate fetch`, `ingest` and `refetch` as a user runs them, against a real
HTTP server on 127.0.0.1 (tests/fetch_helpers.py): what lands in the
workspace, the fetch -> add -> edit -> refetch cycle, and every bad input
of issue 12 refused with one line, exit 2 and nothing written."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from annotate import schema
from tests.conftest import Run, run_installed
from tests.fetch_helpers import (
    BRIDGE,
    NAVIGATION_ONLY,
    PORT_STRIKE,
    PORT_STRIKE_PARAGRAPHS,
    SNOW,
    Answer,
    Server,
    closed_port,
    edited_port_strike,
    html,
    huge,
    page,
    redirect,
    running_server,
    slow_loris,
    tree,
)

STRIKE_ID = "port-strike-enters-third-week-as-talks-stall.txt"
CANONICAL = "https://harbour-gazette.example/news/2024/03/14/port-strike-enters-third-week"


@pytest.fixture
def server() -> Iterator[Server]:
    with running_server() as running:
        yield running


def metadata_of(workspace: Path, document: str) -> dict[str, object]:
    record: dict[str, object] = json.loads(
        (workspace / "annotations" / document / "metadata.json").read_text(encoding="utf-8"))
    return record


def versions(workspace: Path) -> set[str]:
    folder = workspace / "annotations" / ".versions"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- fetch --------------------------------------------------------------------------------


def test_fetch_stores_the_article_its_metadata_and_the_raw_html(workspace: Path, run: Run,
                                                               server: Server) -> None:
    url = server.serve("/news/port-strike", html(page(PORT_STRIKE), "utf-8"))
    result = run("fetch", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"new        {STRIKE_ID}: “Port strike enters third week as talks stall” (Maria Okafor, "
        "2024-03-14) 10 paragraphs, 1,357 characters\n")
    assert result.stderr == ""
    text = (workspace / "corpus" / STRIKE_ID).read_text(encoding="utf-8")
    for paragraph in PORT_STRIKE_PARAGRAPHS:
        assert f"\n{paragraph}\n" in f"\n{text}"
    record = metadata_of(workspace, STRIKE_ID)
    jsonschema.validate(record, schema.load_schema("metadata"))
    assert record["method"] == "fetch" and record["fetched_by"] == "alice"
    assert (record["url"], record["final_url"], record["http_status"]) == (url, url, 200)
    assert record["canonical_url"] == CANONICAL
    assert record["document_sha256"] == sha(text.encode("utf-8"))
    assert record["html_sha256"] == sha(page(PORT_STRIKE))
    assert (record["published"], record["modified"]) == ("2024-03-14", "2024-03-15")
    assert record["extractor"] == f"trafilatura {__import__('trafilatura').__version__}"
    folder = workspace / "annotations" / ".versions"
    assert (folder / f"{record['html_sha256']}.html").read_bytes() == page(PORT_STRIKE)
    assert (folder / f"{record['document_sha256']}.txt").read_text(encoding="utf-8") == text
    assert run("validate", "--strict").exit_code == 0


@pytest.mark.parametrize(("name", "header", "words", "charset"), [
    (BRIDGE, "windows-1251", "«Мы не можем рисковать жизнями людей», — заявил Колесников",
     "cp1251"),
    (BRIDGE, None, "В Заречье закрыли старый мост через Волгу", "cp1251"),
    (SNOW, None, "港町では２５日朝までに４２センチの積雪を観測した", "cp932"),
    (SNOW, "Shift_JIS", "気象台によると、１月としては観測史上最も多い。", "cp932"),
])
def test_fetch_reads_pages_in_other_charsets(workspace: Path, run: Run, server: Server,
                                             name: str, header: str | None, words: str,
                                             charset: str) -> None:
    url = server.serve("/p", html(page(name), header))
    result = run("fetch", url, "--as", "foreign.txt")
    assert result.exit_code == 0, result.stderr
    assert words in (workspace / "corpus" / "foreign.txt").read_text(encoding="utf-8")
    assert metadata_of(workspace, "foreign.txt")["charset"] == charset


def test_a_header_charset_that_lies_falls_back_to_the_page_with_a_note(
        workspace: Path, run: Run, server: Server) -> None:
    result = run("fetch", server.serve("/p", html(page(BRIDGE), "utf-8")), "--as", "b.txt")
    assert result.exit_code == 0
    assert result.stderr.startswith("annotate: note: b.txt: the server said the page is utf-8 "
                                    "but its bytes are not")
    assert "мост через Волгу" in (workspace / "corpus" / "b.txt").read_text(encoding="utf-8")


def test_a_page_fetched_again_is_checked_not_copied(workspace: Path, run: Run,
                                                   server: Server) -> None:
    url = server.serve("/p", html(page(PORT_STRIKE), "utf-8"))
    assert run("fetch", url).exit_code == 0
    before = tree(workspace)
    again = run("fetch", server.url("/p#comments"))
    assert again.exit_code == 0
    assert again.stdout == f"unchanged  {STRIKE_ID}\n"
    assert "is already in the corpus as " + STRIKE_ID in again.stderr
    assert tree(workspace) == before


def test_another_page_with_the_same_headline_gets_a_numbered_id(workspace: Path, run: Run,
                                                               server: Server) -> None:
    other = page(PORT_STRIKE).replace(CANONICAL.encode(), b"https://other.example/strike")
    other = other.replace(b"Dock workers", b"Dockers")
    run("fetch", server.serve("/a", html(page(PORT_STRIKE), "utf-8")))
    result = run("fetch", server.serve("/b", html(other, "utf-8")))
    assert result.stdout.startswith(
        "new        port-strike-enters-third-week-as-talks-stall-2.txt: ")


def test_without_a_headline_the_id_comes_from_the_address(workspace: Path, run: Run,
                                                        server: Server) -> None:
    body = "".join(f"<p>{p}</p>" for p in PORT_STRIKE_PARAGRAPHS[1:4]).encode()
    url = server.serve("/news/dockers-strike.html",
                       html(b"<html><body><article>" + body + b"</article></body></html>"))
    result = run("fetch", url)
    assert result.stdout.startswith("new        dockers-strike.txt: 3 paragraphs")


def test_the_id_can_be_a_path_under_the_corpus(workspace: Path, run: Run,
                                               server: Server) -> None:
    url = server.serve("/p", html(page(PORT_STRIKE), "utf-8"))
    assert run("fetch", url, "--as", "business/strike.txt").exit_code == 0
    assert (workspace / "corpus" / "business" / "strike.txt").is_file()
    assert metadata_of(workspace, "business/strike.txt")["document"] == "business/strike.txt"


# -- the cycle: fetch, annotate, the page changes, refetch ---------------------------------


def test_fetch_add_edit_refetch_moves_the_annotations_and_keeps_both_versions(
        workspace: Path, run: Run, server: Server) -> None:
    url = server.serve("/news/port-strike", html(page(PORT_STRIKE), "utf-8"))
    assert run("fetch", url).exit_code == 0
    old_text = (workspace / "corpus" / STRIKE_ID).read_text(encoding="utf-8")
    ids = {}
    for key, label, quote in (
        ("exact", "unsourced", "27 ships were redirected last week"),
        ("fuzzy", "unsourced", "costing the regional economy £40 million a week"),
        ("orphan", "speculative", "food prices in the region could rise by up to 8 per cent"),
    ):
        added = run("add", STRIKE_ID, "--label", label, "--quote", quote)
        assert added.exit_code == 0, added.stderr
        ids[key] = added.stdout.strip()

    unchanged = run("refetch")
    assert (unchanged.exit_code, unchanged.stdout) == (0, f"unchanged  {STRIKE_ID}\n")

    server.serve("/news/port-strike", html(edited_port_strike(), "utf-8"))
    result = run("refetch", STRIKE_ID)
    assert result.exit_code == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (f"changed    {STRIKE_ID}: 2 paragraphs added, 1 paragraph removed, "
                        "1 paragraph edited; annotations: 1 exact, 1 fuzzy, 1 orphaned")
    assert lines[1] == "  ~ ¶5→¶5  “…e regional economy £[-40-]{+25+} million a week… a f…”"
    assert lines[2].startswith("  + ¶6  “Update, 15 March: this article was amended")
    assert lines[3].startswith("  - ¶10  “Economists at the University of Eastport")
    assert lines[4].startswith("  + ¶11  “Talks are due to resume on Thursday")
    assert f"  exact     {ids['exact']} (alice): “27 ships were redirected last week”" in lines
    assert any(line.startswith(f"  fuzzy     {ids['fuzzy']} (alice): “…e regional economy "
                               "£[-40-]{+25+} million a week” (score ") for line in lines)
    assert any(line.startswith(f"  orphaned  {ids['orphan']} (alice): “food prices")
               for line in lines)

    # Both versions kept, the text and the HTML of each.
    new_text = (workspace / "corpus" / STRIKE_ID).read_text(encoding="utf-8")
    assert "£25 million" in new_text and "£40 million" not in new_text
    record = metadata_of(workspace, STRIKE_ID)
    old_sha, new_sha = sha(old_text.encode()), sha(new_text.encode())
    assert record["document_sha256"] == new_sha
    assert record["html_sha256"] == sha(edited_port_strike())
    earlier = record["earlier"]
    assert isinstance(earlier, list) and len(earlier) == 1
    assert earlier[0]["document_sha256"] == old_sha
    assert earlier[0]["html_sha256"] == sha(page(PORT_STRIKE))
    assert {f"{old_sha}.txt", f"{new_sha}.txt", f"{sha(page(PORT_STRIKE))}.html",
            f"{sha(edited_port_strike())}.html"} <= versions(workspace)

    # The annotations are on the new text: where exact, the same quote.
    listed = {a["id"]: a for a in json.loads(run("list", STRIKE_ID, "--format",
                                                 "json").stdout)}
    exact = listed[ids["exact"]]
    assert new_text[exact["start"]:exact["end"]] == "27 ships were redirected last week"
    assert exact["document_sha256"] == new_sha
    fuzzy = listed[ids["fuzzy"]]
    assert fuzzy["quote"] == "costing the regional economy £25 million a week"
    assert fuzzy["previous_quote"] == "costing the regional economy £40 million a week"
    assert listed[ids["orphan"]]["orphaned"] is True

    # Unchanged now: exit 0 and nothing written.
    before = tree(workspace)
    again = run("refetch")
    assert (again.exit_code, again.stdout) == (0, f"unchanged  {STRIKE_ID}\n")
    assert tree(workspace) == before


def test_refetch_json_follows_its_schema(workspace: Path, run: Run, server: Server) -> None:
    url = server.serve("/p", html(page(PORT_STRIKE), "utf-8"))
    run("fetch", url)
    run("add", STRIKE_ID, "--label", "unsourced", "--quote", "£40 million a week")
    server.serve("/p", html(edited_port_strike(), "utf-8"))
    result = run("refetch", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, json.loads(
        (schema.schema_dir() / "fetch-report.schema.json").read_text(encoding="utf-8")))
    (entry,) = report
    assert entry["status"] == "changed"
    assert [c["kind"] for c in entry["changes"]] == ["edited", "added", "removed", "added"]
    assert entry["annotations"][0]["outcome"] == "fuzzy"
    assert entry["annotations"][0]["quote"] == "£25 million a week"


def test_refetch_reports_a_page_that_now_fails_and_touches_nothing(
        workspace: Path, run: Run, server: Server) -> None:
    run("fetch", server.serve("/a", html(page(PORT_STRIKE), "utf-8")))
    run("fetch", server.serve("/b", html(page(BRIDGE), "windows-1251")), "--as", "bridge.txt")
    server.serve("/a", html(edited_port_strike(), "utf-8"))
    server.routes.pop("/b")  # now 404
    result = run("refetch")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0].startswith(f"changed    {STRIKE_ID}: ")
    assert result.stdout.splitlines()[-1] == "2 document(s): 1 changed, 1 failed"
    assert result.stderr == (f"annotate: error: bridge.txt: {server.url('/b')} answered 404 "
                             "Not Found; check the address (nothing was written)\n")
    # The failed one is as it was; the changed one has its new version.
    assert "мост" in (workspace / "corpus" / "bridge.txt").read_text(encoding="utf-8")
    assert "earlier" not in metadata_of(workspace, "bridge.txt")


def test_refetch_skips_what_was_not_fetched_unless_named(workspace: Path, run: Run,
                                                         tmp_path: Path) -> None:
    saved = tmp_path / "strike.html"
    saved.write_bytes(page(PORT_STRIKE))
    assert run("ingest", str(saved)).exit_code == 0
    result = run("refetch")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"skipped    {STRIKE_ID}: was ingested from a saved file, "
                                    "not fetched; save the page again and run 'annotate "
                                    f"ingest FILE --as {STRIKE_ID}'")
    named = run("refetch", STRIKE_ID)
    assert named.exit_code == 2
    assert named.stderr.count("\n") == 1 and "was ingested from a saved file" in named.stderr
    seed = run("refetch", "kim-putin-vostochny.txt")
    assert seed.exit_code == 2
    assert "has no metadata: it was not fetched (placed in the corpus by hand)" in seed.stderr


# -- ingest -------------------------------------------------------------------------------


def test_ingest_a_saved_page_in_windows_1251(workspace: Path, run: Run,
                                             tmp_path: Path) -> None:
    saved = tmp_path / "Мост закрыт.html"
    saved.write_bytes(page(BRIDGE))
    result = run("ingest", str(saved))
    assert result.exit_code == 0, result.stderr
    document = "в-заречье-закрыли-старый-мост-через-волгу.txt"
    assert result.stdout.startswith(f"new        {document}: “В Заречье")
    record = metadata_of(workspace, document)
    jsonschema.validate(record, schema.load_schema("metadata"))
    assert (record["method"], record["file"], record["charset"]) == (
        "ingest", "Мост закрыт.html", "cp1251")
    assert "url" not in record and "http_status" not in record
    assert record["html_sha256"] == sha(page(BRIDGE))
    assert f"{record['html_sha256']}.html" in versions(workspace)


def test_ingest_text_files_and_standard_input(workspace: Path, run: Run,
                                              tmp_path: Path) -> None:
    first = tmp_path / "Council minutes.txt"
    first.write_text("Council minutes\r\n\r\nThe council met on Tuesday.\r\n", encoding="utf-8")
    result = run("ingest", str(first), "-", input="Piped in.\n\nSecond paragraph.\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "new        council-minutes.txt: 2 paragraphs, 45 characters",
        "new        piped-in.txt: 2 paragraphs, 29 characters",
        "2 document(s): 2 new"]
    assert (workspace / "corpus" / "council-minutes.txt").read_bytes() == \
        b"Council minutes\n\nThe council met on Tuesday.\n"
    assert metadata_of(workspace, "piped-in.txt")["file"] == "-"
    assert run("validate", "--strict").exit_code == 0


def test_ingest_stores_nothing_when_one_file_is_bad(workspace: Path, run: Run,
                                                    tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_bytes(page(PORT_STRIKE))
    bad = tmp_path / "subscribe.html"
    bad.write_bytes(page(NAVIGATION_ONLY))
    before = tree(workspace)
    result = run("ingest", str(good), str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"annotate: error: {bad} holds no article text annotate "
                                    "can find (")
    assert result.stderr.endswith("copy the article's text into a .txt file and run "
                                  "'annotate ingest FILE.txt'\n")
    assert tree(workspace) == before


def test_an_ingested_page_and_the_fetched_one_are_one_document(workspace: Path, run: Run,
                                                               server: Server,
                                                               tmp_path: Path) -> None:
    # Saved from a browser behind the paywall, then fetched once the page is
    # public: the canonical address says it is the same article.
    saved = tmp_path / "saved.html"
    saved.write_bytes(page(PORT_STRIKE))
    assert run("ingest", str(saved)).exit_code == 0
    result = run("fetch", server.serve("/public", html(edited_port_strike(), "utf-8")))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"changed    {STRIKE_ID}: ")
    record = metadata_of(workspace, STRIKE_ID)
    assert record["method"] == "fetch"
    assert record["earlier"] == [{k: v for k, v in record["earlier"][0].items()}]
    assert record["earlier"][0]["method"] == "ingest"


def test_ingest_as_names_one_document(workspace: Path, run: Run, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A text.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B text.\n", encoding="utf-8")
    result = run("ingest", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--as", "x.txt")
    assert result.exit_code == 2
    assert result.stderr == "annotate: error: --as names one document: give one FILE with it\n"


# -- bad input: one line, exit 2, nothing written -----------------------------------------


def _refused(workspace: Path, run: Run, *args: str) -> str:
    before = tree(workspace)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("annotate: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert tree(workspace) == before, "something was written"
    return result.stderr.removeprefix("annotate: error: ").rstrip("\n")


@pytest.mark.parametrize(("route", "words"), [
    (None, "is a file: address, not http(s)"),
    (html(b"", status=404), "answered 404 Not Found; check the address"),
    (html(b"oops", status=500), "answered 500 Internal Server Error; the site has a problem"),
    (html(b"", status=401), "answered 401 Unauthorized; the page is behind a login"),
    (Answer(200, b"%PDF-1.7", {"Content-Type": "application/pdf"}),
     "is a PDF (application/pdf): annotate does not read PDFs yet"),
    (html(page(NAVIGATION_ONLY), "utf-8"), "holds no article text annotate can find"),
    (huge(500 * 1024 * 1024, declare_length=False),
     "is larger than the 20 MiB annotate reads from one page; stopped reading there"),
    (huge(500 * 1024 * 1024, declare_length=True), "is 524,288,000 bytes, more than the 20 MiB"),
    (redirect("/loop"), "redirect loop:"),
    (html(page(BRIDGE).replace(b"windows-1251", b"utf-8"), "utf-8"),
     "the server says the page is utf-8, but byte "),
], ids=["file-scheme", "404", "500", "401", "pdf", "navigation-only", "500MB-streamed",
        "500MB-declared", "redirect-loop", "charset-lie"])
def test_bad_pages_are_refused(workspace: Path, run: Run, server: Server, route: Answer | None,
                               words: str) -> None:
    url = "file:///etc/passwd" if route is None else server.serve("/loop", route)
    message = _refused(workspace, run, "fetch", url)
    assert words in message


def test_an_unreachable_host(workspace: Path, run: Run) -> None:
    message = _refused(workspace, run, "fetch", f"http://127.0.0.1:{closed_port()}/news")
    assert "connection refused" in message


def test_a_slow_loris_server_times_out(workspace: Path, run: Run, server: Server) -> None:
    message = _refused(workspace, run, "fetch", server.serve("/drip", slow_loris()),
                       "--timeout", "0.3")
    assert message.endswith("did not answer in full within 0.3 s; nothing was written (try "
                            "again later, or raise --timeout)")


def test_a_small_max_size(workspace: Path, run: Run, server: Server) -> None:
    message = _refused(workspace, run, "fetch", server.serve("/p", html(page(PORT_STRIKE))),
                       "--max-size", "0.001")
    assert "more than the 1,048 bytes annotate reads from one page" in message


def test_an_empty_extraction_suggests_ingest(workspace: Path, run: Run,
                                             server: Server) -> None:
    message = _refused(workspace, run, "fetch",
                       server.serve("/subscribe", html(page(NAVIGATION_ONLY))))
    assert message.endswith("nothing was written; open it in a browser (logged in, if need "
                            "be), save the page and run 'annotate ingest page.html'")


@pytest.mark.parametrize(("as_id", "words"), [
    ("../outside.txt", "is not a path under the corpus folder corpus/"),
    ("/etc/cron.d/x", "is not a path under the corpus folder"),
    ("news/../../x.txt", "is not a path under the corpus folder"),
    ("a\\b.txt", "is not a path under the corpus folder"),
    (".hidden/x.txt", "has a hidden part"),
    ("link-out/x.txt", "outside the corpus folder corpus/"),
    ("kim-putin-vostochny.txt", "already exists and was not brought in by fetch or ingest"),
])
def test_a_document_id_that_leaves_the_corpus_or_exists(workspace: Path, run: Run,
                                                        server: Server, tmp_path: Path,
                                                        as_id: str, words: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (workspace / "corpus" / "link-out").symlink_to(outside)
    url = server.serve("/p", html(page(PORT_STRIKE), "utf-8"))
    assert words in _refused(workspace, run, "fetch", url, "--as", as_id)
    assert list(outside.iterdir()) == []
    if as_id != "kim-putin-vostochny.txt":
        assert server.requests == []  # refused before the page was asked for


def test_an_existing_document_is_never_replaced_by_another_page(workspace: Path, run: Run,
                                                                server: Server) -> None:
    run("fetch", server.serve("/a", html(page(PORT_STRIKE), "utf-8")), "--as", "a.txt")
    message = _refused(workspace, run, "fetch",
                       server.serve("/b", html(page(BRIDGE), "windows-1251")), "--as", "a.txt")
    assert message == (f"document 'a.txt' already exists and came from {CANONICAL}; annotate "
                       "never replaces a document with another page: choose another --as")


def test_a_terminal_escape_in_an_address_is_shown_escaped(workspace: Path, run: Run) -> None:
    message = _refused(workspace, run, "fetch", "http://example.org/\x1b[2Jx")
    assert "\x1b" not in message and "\\x1b[2Jx" in message


# -- the installed console script, and start-up ---------------------------------------------


def test_the_installed_script_fetches_and_refuses(desk: Path, server: Server) -> None:
    url = server.serve("/p", html(page(SNOW), None))
    done = run_installed("fetch", url, cwd=desk)
    assert done.returncode == 0, done.stderr
    document = "港町で記録的な大雪-交通に乱れ.txt"
    assert done.stdout.startswith(f"new        {document}: “港町で記録的な大雪、交通に乱れ”")
    assert (desk / "corpus" / document).is_file()
    refused = run_installed("fetch", server.serve("/pdf", Answer(
        200, b"%PDF", {"Content-Type": "application/pdf"})), cwd=desk)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "not read PDFs yet" in refused.stderr
    assert refused.stdout == ""


def test_start_up_does_not_import_the_fetching_libraries() -> None:
    code = ("import sys, annotate.cli, annotate.api; "
            "print(sorted(m for m in ('trafilatura', 'htmldate', 'lxml', 'justext', "
            "'charset_normalizer', 'urllib.request', 'http.client', 'ssl') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.stdout.strip() == "[]"


def test_refetch_a_broken_record_fails_its_document_only(workspace: Path, run: Run,
                                                         server: Server) -> None:
    run("fetch", server.serve("/a", html(page(PORT_STRIKE), "utf-8")), "--as", "a.txt")
    run("fetch", server.serve("/b", html(page(BRIDGE), "windows-1251")), "--as", "b.txt")
    (workspace / "annotations" / "a.txt" / "metadata.json").write_text("{", encoding="utf-8")
    result = run("refetch")
    assert result.exit_code == 2
    assert result.stdout == "unchanged  b.txt\n2 document(s): 1 unchanged, 1 failed\n"
    assert result.stderr.startswith("annotate: error: a.txt: annotations/a.txt/metadata.json:1:2:")


def test_an_id_whose_old_annotations_are_left_is_refused(workspace: Path, run: Run,
                                                         server: Server) -> None:
    added = run("add", "kim-putin-vostochny.txt", "--label", "opinion", "--quote", "Vostochny",
                "--occurrence", "1")
    assert added.exit_code == 0, added.stderr
    (workspace / "corpus" / "kim-putin-vostochny.txt").unlink()
    message = _refused(workspace, run, "fetch",
                       server.serve("/p", html(page(PORT_STRIKE), "utf-8")),
                       "--as", "kim-putin-vostochny.txt")
    assert message.startswith("annotations/kim-putin-vostochny.txt/ holds the annotations of "
                              "an earlier document 'kim-putin-vostochny.txt'")


def test_refetch_does_not_take_another_page_for_a_new_version(workspace: Path, run: Run,
                                                              server: Server) -> None:
    # The article was taken down and its address now redirects to the home page.
    url = server.serve("/news/strike", html(page(PORT_STRIKE), "utf-8"))
    run("fetch", url)
    before = tree(workspace)
    home = page(PORT_STRIKE).replace(CANONICAL.encode(), b"https://harbour-gazette.example/")
    server.serve("/news/strike", redirect("/"))
    server.serve("/", html(home.replace(b"Port strike enters", b"Today: port strike enters")
                           .replace(b"Dock workers", b"Dockers"), "utf-8"))
    result = run("refetch")
    assert result.exit_code == 2
    assert result.stderr == (
        f"annotate: error: {STRIKE_ID}: {url} now leads to another page (its canonical address "
        f"is https://harbour-gazette.example/, the document's {CANONICAL}); nothing was "
        "written: if the article moved, fetch it as a new document\n")
    assert tree(workspace) == before


def test_a_newer_saved_page_updates_its_ingested_document(workspace: Path, run: Run,
                                                          tmp_path: Path) -> None:
    # What refetch's advice for an ingested document does.
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    first.write_bytes(page(PORT_STRIKE))
    second.write_bytes(edited_port_strike())
    assert run("ingest", str(first), "--as", "strike.txt").exit_code == 0
    run("add", "strike.txt", "--label", "unsourced", "--quote", "£40 million a week")
    result = run("ingest", str(second), "--as", "strike.txt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("changed    strike.txt: 2 paragraphs added, 1 paragraph "
                                    "removed, 1 paragraph edited; annotations: 0 exact, "
                                    "1 fuzzy, 0 orphaned\n")
    record = metadata_of(workspace, "strike.txt")
    assert record["file"] == "second.html" and record["earlier"][0]["file"] == "first.html"
