"""Renderers of validation findings: text, json, github (+ step summary), sarif."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import annotate
from annotate import codes
from annotate.model import Finding
from annotate.report.findings import (
    GITHUB_SUMMARY_BUDGET,
    RENDERERS,
    Summary,
    escape_data,
    escape_property,
    github_step_summary,
    render_github,
    render_json,
    render_sarif,
    render_text,
    summarize,
)
from annotate.validation import sort_findings

ROOT = Path(__file__).resolve().parents[1]
REPORT_SCHEMA = ROOT / "schemas" / "validation-report.schema.json"
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"

FINDINGS = [
    Finding("annotations/alice/kim-putin.jsonl", 3, 17, "AN304", "error",
            "quote 'Kim' differs from the text 'Kin' at [10, 13)"),
    # Separators of workflow-command properties in the path, escapes in the message.
    Finding("annotations/bob, jr/a:b.jsonl", 1, 1, "AN103", "warning",
            "100% sure:\r\nsecond line, too"),
    # User data quoted in a message: a terminal escape sequence, Markdown and
    # HTML syntax, and an unpaired surrogate no UTF-8 stream can carry.
    Finding("annotations/x.jsonl", 2, 5, "AN201", "error",
            "'\x1b[31mred' is not one of ['a|b', '*c*'] <script>\ud800"),
]
SUMMARY = summarize(FINDINGS, files_checked=2, annotations_checked=4)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- summary and order ---------------------------------------------------------------


def test_summarize_counts_errors_and_warnings() -> None:
    assert SUMMARY == {"files_checked": 2, "annotations_checked": 4, "errors": 2, "warnings": 1}


def test_sort_findings_keeps_relevance_order_within_a_line() -> None:
    best = Finding("b.jsonl", 4, 30, "AN201", "error", "most relevant")
    other = Finding("b.jsonl", 4, 2, "AN201", "error", "less relevant")
    first = Finding("a.jsonl", 9, 1, "AN101", "error", "x")
    earlier = Finding("b.jsonl", 1, 1, "AN101", "error", "y")
    assert sort_findings([best, other, first, earlier]) == [first, earlier, best, other]


def test_the_registry_names_every_format() -> None:
    assert dict(RENDERERS) == {"text": render_text, "json": render_json,
                               "github": render_github, "sarif": render_sarif}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_renderer_output_can_be_written_as_utf8(name: str) -> None:
    output = RENDERERS[name](FINDINGS, SUMMARY)
    assert output.endswith("\n")
    output.encode("utf-8")  # no unpaired surrogate got through


# --- text ------------------------------------------------------------------------------------


def test_text_is_one_compiler_style_line_per_finding() -> None:
    assert render_text(FINDINGS, SUMMARY) == (
        "annotations/alice/kim-putin.jsonl:3:17: AN304 error: "
        "quote 'Kim' differs from the text 'Kin' at [10, 13)\n"
        "annotations/bob, jr/a:b.jsonl:1:1: AN103 warning: 100% sure:\\r\\nsecond line, too\n"
        "annotations/x.jsonl:2:5: AN201 error: "
        "'\\x1b[31mred' is not one of ['a|b', '*c*'] <script>\\ud800\n"
        "2 files and 4 annotations checked: 2 errors, 1 warning.\n"
    )


def test_text_without_findings_says_so() -> None:
    summary = summarize([], files_checked=1, annotations_checked=1)
    assert render_text([], summary) == "1 file and 1 annotation checked: no problems.\n"


# --- json ------------------------------------------------------------------------------------


def test_json_report_content() -> None:
    report = json.loads(render_json(FINDINGS, SUMMARY))
    assert report == {
        "valid": False,
        "findings": [
            {"path": "annotations/alice/kim-putin.jsonl", "line": 3, "column": 17,
             "code": "AN304", "severity": "error",
             "message": "quote 'Kim' differs from the text 'Kin' at [10, 13)"},
            {"path": "annotations/bob, jr/a:b.jsonl", "line": 1, "column": 1,
             "code": "AN103", "severity": "warning", "message": "100% sure:\r\nsecond line, too"},
            {"path": "annotations/x.jsonl", "line": 2, "column": 5, "code": "AN201",
             "severity": "error",
             "message": "'\x1b[31mred' is not one of ['a|b', '*c*'] <script>\ud800"},
        ],
        "summary": {"files_checked": 2, "annotations_checked": 4, "errors": 2, "warnings": 1},
    }


def test_json_report_is_key_sorted_ascii_and_stable() -> None:
    output = render_json(FINDINGS, SUMMARY)
    assert output == json.dumps(json.loads(output), indent=2, sort_keys=True) + "\n"
    assert output.isascii()
    assert output == render_json(list(FINDINGS), dict(SUMMARY))  # type: ignore[arg-type]
    assert output.startswith('{\n  "findings": [\n    {\n      "code": "AN304",\n')


def test_warnings_alone_leave_the_report_valid() -> None:
    warnings = [FINDINGS[1]]
    report = json.loads(render_json(warnings, summarize(warnings, files_checked=1,
                                                        annotations_checked=0)))
    assert report["valid"] is True


def report_validator() -> jsonschema.protocols.Validator:
    schema = load(REPORT_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_the_report_schema_is_draft_2020_12_with_an_id() -> None:
    schema = load(REPORT_SCHEMA)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://annotate.example/schemas/validation-report.schema.json"


@pytest.mark.parametrize("findings", [FINDINGS, []])
def test_json_output_matches_its_schema(findings: list[Finding]) -> None:
    summary = summarize(findings, files_checked=3, annotations_checked=0)
    report_validator().validate(json.loads(render_json(findings, summary)))


@pytest.mark.parametrize(("change", "where"), [
    (lambda report: report["findings"][0].update(line=0), ["findings", 0, "line"]),
    (lambda report: report["findings"][0].update(code="E501"), ["findings", 0, "code"]),
    (lambda report: report["findings"][0].update(severity="note"), ["findings", 0, "severity"]),
    (lambda report: report["findings"][0].pop("column"), ["findings", 0]),
    (lambda report: report["summary"].update(errors=-1), ["summary", "errors"]),
    (lambda report: report.update(extra=1), []),
])
def test_the_report_schema_rejects_what_the_renderer_never_writes(change: Any,
                                                                 where: list[Any]) -> None:
    report = json.loads(render_json(FINDINGS, SUMMARY))
    change(report)
    errors = list(report_validator().iter_errors(report))
    assert [list(error.absolute_path) for error in errors] == [where]


def test_check_jsonschema_accepts_the_json_output(tmp_path: Path) -> None:
    # The tool CI runs: the schema must work there, not only in jsonschema.
    output = tmp_path / "report.json"
    output.write_text(render_json(FINDINGS, SUMMARY), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(REPORT_SCHEMA),
         str(output)],
        capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done")


# --- github ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "data", "prop"), [
    ("plain", "plain", "plain"),
    ("100%", "100%25", "100%25"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("x: y, z", "x: y, z", "x%3A y%2C z"),
    # "%" is escaped first, so an escape already in the text stays text.
    ("%0A", "%250A", "%250A"),
])
def test_escaping_follows_actions_core(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


def runner_unescape(value: str, prop: bool) -> str:
    # The runner undoes the escapes in the order @actions/core applies them,
    # "%25" last.
    for escaped, char in [("%0D", "\r"), ("%0A", "\n"), *([("%3A", ":"), ("%2C", ",")]
                                                          if prop else []), ("%25", "%")]:
        value = value.replace(escaped, char)
    return value


@pytest.mark.parametrize("text", ["%0A%25%", "a:b,c\r\n%3A", "%%2C,,::"])
def test_the_runner_gets_the_original_text_back(text: str) -> None:
    assert runner_unescape(escape_data(text), prop=False) == text
    assert runner_unescape(escape_property(text), prop=True) == text


def test_github_workflow_commands() -> None:
    assert render_github(FINDINGS, SUMMARY) == (
        "::error file=annotations/alice/kim-putin.jsonl,line=3,col=17,"
        "title=AN304 QuoteMismatch::quote 'Kim' differs from the text 'Kin' at [10, 13)\n"
        "::warning file=annotations/bob%2C jr/a%3Ab.jsonl,line=1,col=1,"
        "title=AN103 ByteOrderMark::100%25 sure:%0D%0Asecond line, too\n"
        "::error file=annotations/x.jsonl,line=2,col=5,title=AN201 AnnotationSchema::"
        "'\\x1b[31mred' is not one of ['a|b', '*c*'] <script>\\ud800\n"
    )


def test_github_says_when_annotations_will_be_dropped() -> None:
    findings = [Finding("a.jsonl", line, 1, "AN101", "error", "not valid JSON")
                for line in range(1, 12)]
    output = render_github(findings, summarize(findings, files_checked=1,
                                               annotations_checked=11)).splitlines()
    assert len(output) == 12
    assert output[0] == "::error file=a.jsonl,line=1,col=1,title=AN101 InvalidJson::not valid JSON"
    assert output[-1] == (
        "::notice title=annotate validate::1 file and 11 annotations checked: 11 errors, "
        "0 warnings. GitHub shows only the first 10 errors and 10 warnings of a step as "
        "annotations; the job summary lists every finding.")


def test_github_title_of_an_uncatalogued_code_is_the_code() -> None:
    finding = Finding("a.jsonl", 1, 1, "AN999", "warning", "m")
    assert render_github([finding], summarize([finding], files_checked=1,
                                              annotations_checked=1)) == (
        "::warning file=a.jsonl,line=1,col=1,title=AN999::m\n")


def test_step_summary_lists_every_finding_as_a_markdown_table() -> None:
    assert github_step_summary(FINDINGS, SUMMARY) == (
        "## annotate validate\n"
        "\n"
        "❌ 2 files and 4 annotations checked: 2 errors, 1 warning.\n"
        "\n"
        "| Severity | Location | Code | Message |\n"
        "| --- | --- | --- | --- |\n"
        "| error | annotations/alice/kim-putin.jsonl:3:17 | AN304 QuoteMismatch | "
        "quote 'Kim' differs from the text 'Kin' at \\[10, 13) |\n"
        "| warning | annotations/bob, jr/a:b.jsonl:1:1 | AN103 ByteOrderMark | "
        "100% sure:<br>second line, too |\n"
        "| error | annotations/x.jsonl:2:5 | AN201 AnnotationSchema | "
        "'\\\\x1b\\[31mred' is not one of \\['a\\|b', '\\*c\\*'\\] &lt;script&gt;\\\\ud800 |\n"
    )


def test_step_summary_when_all_is_well_or_only_warnings() -> None:
    clean = summarize([], files_checked=3, annotations_checked=12)
    assert github_step_summary([], clean) == (
        "## annotate validate\n\n✅ 3 files and 12 annotations checked: no problems.\n")
    warnings = [FINDINGS[1]]
    assert github_step_summary(warnings, summarize(warnings, files_checked=1,
                                                   annotations_checked=1)).splitlines()[2] == (
        "⚠️ 1 file and 1 annotation checked: 0 errors, 1 warning.")


def test_step_summary_stays_under_githubs_1_mib_limit() -> None:
    findings = [Finding(f"annotations/r{number}.jsonl", 1, 1, "AN201", "error", "x" * 1000)
                for number in range(1500)]
    text = github_step_summary(findings, summarize(findings, files_checked=1500,
                                                   annotations_checked=1500))
    assert len(text.encode("utf-8")) <= GITHUB_SUMMARY_BUDGET < 1024 * 1024
    rows = [line for line in text.splitlines() if line.startswith("| error |")]
    left_out = 1500 - len(rows)
    assert 0 < left_out < 1500
    assert text.endswith(
        f"\n\n{left_out} more findings are not shown: GitHub limits a step summary to 1 MiB. "
        "Run `annotate validate --format json` to see them all.\n")


# --- sarif -------------------------------------------------------------------------------------


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = load(SARIF_SCHEMA)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_the_stored_sarif_schema_is_the_official_draft_07_one() -> None:
    schema = load(SARIF_SCHEMA)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"] == {
        "description": "The SARIF format version of this log file.", "enum": ["2.1.0"]}
    # It does reject things: a log without a version is not SARIF.
    assert not sarif_validator().is_valid({"runs": []})


@pytest.mark.parametrize("findings", [
    FINDINGS,
    [],
    [Finding("annotations\\carol\\kim putin.jsonl", 1, 1, "AN108", "warning", "empty")],
    [Finding("annotations/a.jsonl", 2, 2, "AN999", "error", "uncatalogued")],
])
def test_sarif_output_matches_the_sarif_2_1_0_schema(findings: list[Finding]) -> None:
    log = json.loads(render_sarif(findings, summarize(findings, files_checked=1,
                                                      annotations_checked=2)))
    errors = [error.message for error in sarif_validator().iter_errors(log)]
    assert errors == []


def test_sarif_run_describes_the_tool_and_every_rule() -> None:
    log = json.loads(render_sarif(FINDINGS, SUMMARY))
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["properties"] == {"filesChecked": 2, "annotationsChecked": 4}
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("annotate", annotate.__version__)
    assert driver["rules"] == [
        {"id": rule.code, "name": rule.name, "shortDescription": {"text": rule.summary},
         "defaultConfiguration": {"level": rule.severity}}
        for rule in codes.RULES
    ]


def test_sarif_results_point_at_the_finding() -> None:
    run = json.loads(render_sarif(FINDINGS, SUMMARY))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"][0] == {
        "ruleId": "AN304",
        "ruleIndex": 17,  # AN101-AN110, AN201-AN204, AN301-AN303 come first
        "level": "error",
        "message": {"text": "quote 'Kim' differs from the text 'Kin' at [10, 13)"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "annotations/alice/kim-putin.jsonl"},
            "region": {"startLine": 3, "startColumn": 17},
        }}],
    }
    for result, finding in zip(run["results"], FINDINGS, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.code
        assert result["level"] == finding.severity
        assert result["message"]["text"] == finding.message


@pytest.mark.parametrize(("path", "uri"), [
    ("annotations/bob, jr/a:b.jsonl", "annotations/bob%2C%20jr/a%3Ab.jsonl"),
    ("annotations\\carol\\doc.jsonl", "annotations/carol/doc.jsonl"),
    ("annotations/é.jsonl", "annotations/%C3%A9.jsonl"),
    ("/srv/repo/x y.jsonl", "file:///srv/repo/x%20y.jsonl"),
    ("C:\\repo\\a.jsonl", "file:///C:/repo/a.jsonl"),
])
def test_sarif_uris_are_relative_with_forward_slashes_and_percent_encoded(path: str,
                                                                           uri: str) -> None:
    finding = Finding(path, 1, 1, "AN101", "error", "m")
    log = json.loads(render_sarif([finding], Summary(files_checked=1, annotations_checked=0,
                                                     errors=1, warnings=0)))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == uri


def test_sarif_keeps_strict_severity_and_describes_uncatalogued_codes() -> None:
    strict = Finding("a.jsonl", 1, 1, "AN401", "error", "document changed")
    odd = Finding("a.jsonl", 2, 1, "AN999", "warning", "uncatalogued")
    run = json.loads(render_sarif([strict, odd], summarize([strict, odd], files_checked=1,
                                                           annotations_checked=2)))["runs"][0]
    assert [result["level"] for result in run["results"]] == ["error", "warning"]
    rules = run["tool"]["driver"]["rules"]
    assert rules[run["results"][0]["ruleIndex"]]["defaultConfiguration"] == {"level": "warning"}
    assert rules[-1] == {
        "id": "AN999", "name": "AN999",
        "shortDescription": {"text": "Finding code AN999 (not in the catalogue)."},
        "defaultConfiguration": {"level": "warning"},
    }
    assert run["results"][1]["ruleIndex"] == len(rules) - 1
