"""`annotate validate` checks the metadata records fetch and ingest write
(annotations/<document>/metadata.json): their schema (AN204), their place
(AN308, AN311), that the text is still the one brought in (AN404) and that
the raw HTML they name is kept (AN317); and commands refuse a broken record
at its line:column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.fetch_helpers import PORT_STRIKE, page

DOCUMENT = "port-strike-enters-third-week-as-talks-stall.txt"


@pytest.fixture
def ingested(workspace: Path, run: Run, tmp_path: Path) -> Path:
    """The workspace with the port-strike page ingested; its metadata file."""
    saved = tmp_path / "strike.html"
    saved.write_bytes(page(PORT_STRIKE))
    assert run("ingest", str(saved)).exit_code == 0
    return workspace / "annotations" / DOCUMENT / "metadata.json"


def findings(run: Run, *args: str) -> tuple[int, list[str]]:
    result = run("validate", "--format", "json", "--no-cache", *args)
    report = json.loads(result.stdout)
    return result.exit_code, [f"{f['code']} {f['path']}:{f['line']}:{f['column']} {f['message']}"
                              for f in report["findings"]]


def rewrite(path: Path, **changes: object) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    record.update(changes)
    path.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def line_of(path: Path, key: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.lstrip().startswith(f'"{key}"'))


def test_a_record_as_written_is_valid(ingested: Path, run: Run) -> None:
    assert findings(run, "--strict") == (0, [])


def test_the_schema_is_checked_at_the_value(ingested: Path, run: Run) -> None:
    rewrite(ingested, published="14 March 2024")
    code, found = findings(run)
    assert code == 1
    line = line_of(ingested, "published")
    shown = f"annotations/{DOCUMENT}/metadata.json"
    assert found == [f"AN204 {shown}:{line}:16 published: '14 March 2024' is not a 'date'",
                     f"AN204 {shown}:{line}:16 published: '14 March 2024' does not match "
                     "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$(?!\\\\n)'"]


def test_an_ingested_record_has_no_http_fields(ingested: Path, run: Run) -> None:
    rewrite(ingested, url="https://example.org/a")
    code, found = findings(run)
    assert code == 1
    assert found[0].startswith("AN204 ")
    assert found[0].endswith("'https://example.org/a': only a fetched document (method "
                             "\"fetch\") has url, final_url, redirects, http_status and "
                             "content_type; this one was ingested from a file")


def test_a_fetched_record_names_where_it_came_from(ingested: Path, run: Run) -> None:
    rewrite(ingested, method="fetch")
    code, found = findings(run)
    assert code == 1
    assert [f.split(" ", 1)[0] for f in found] == ["AN204"] * 3
    assert any(f.endswith("'url' is a required property") for f in found)


def test_a_record_of_another_document(ingested: Path, run: Run) -> None:
    rewrite(ingested, document="other.txt")
    code, found = findings(run)
    assert code == 1
    assert found == [f"AN308 annotations/{DOCUMENT}/metadata.json:{line_of(ingested, 'document')}"
                     ":15 the metadata is for document 'other.txt' but the file is for "
                     f"{DOCUMENT!r}"]


def test_a_record_for_no_document(ingested: Path, run: Run, workspace: Path) -> None:
    (workspace / "corpus" / DOCUMENT).unlink()
    code, found = findings(run)
    assert code == 1
    assert found[-1].startswith(f"AN311 annotations/{DOCUMENT}/metadata.json:1:1 there is no "
                                f"document {DOCUMENT!r} in the corpus")


def test_a_document_edited_by_hand_is_no_longer_as_fetched(ingested: Path, run: Run,
                                                          workspace: Path) -> None:
    path = workspace / "corpus" / DOCUMENT
    path.write_text(path.read_text(encoding="utf-8").replace("27 ships", "72 ships"),
                    encoding="utf-8")
    code, found = findings(run)
    assert code == 0  # a warning
    (finding,) = found
    assert finding.startswith(f"AN404 annotations/{DOCUMENT}/metadata.json:"
                              f"{line_of(ingested, 'document_sha256')}:22 the document's text "
                              "(SHA-256 ")
    assert finding.endswith("it was edited since; run 'annotate refetch' (or 'annotate "
                            "ingest' a saved page) to bring the page's text back")
    assert run("validate", "--strict").exit_code == 1


def test_a_missing_snapshot_leaves_nothing_to_prove_what_the_page_said(
        ingested: Path, run: Run, workspace: Path) -> None:
    record = json.loads(ingested.read_text(encoding="utf-8"))
    (workspace / "annotations" / ".versions" / f"{record['html_sha256']}.html").unlink()
    code, found = findings(run)
    assert code == 0
    (finding,) = found
    assert finding.startswith(f"AN317 annotations/{DOCUMENT}/metadata.json:"
                              f"{line_of(ingested, 'html_sha256')}:18 the page's HTML of ")
    assert finding.endswith(f"is missing (annotations/.versions/{record['html_sha256']}.html): "
                            "nothing proves what the page said; restore it from git")


def test_validate_checks_a_record_named_on_the_command_line(ingested: Path, run: Run) -> None:
    rewrite(ingested, http_status="200")
    code, found = findings(run, str(ingested))
    assert code == 1 and found[0].startswith("AN204 ")


def test_commands_refuse_a_broken_record_at_its_place(ingested: Path, run: Run,
                                                      tmp_path: Path) -> None:
    ingested.write_text('{"document": "x.txt",\n "method": fetch}\n', encoding="utf-8")
    saved = tmp_path / "again.html"
    saved.write_bytes(page(PORT_STRIKE))
    result = run("ingest", str(saved))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"annotate: error: annotations/{DOCUMENT}/metadata.json:2:12:"
                                    " ")
    assert "(the file was left untouched; fix it by hand or restore it from git)" in \
        result.stderr
