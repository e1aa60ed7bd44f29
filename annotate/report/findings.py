"""Renderers for validation findings: text, json, github, sarif.

Each renderer takes the findings (``model.Finding``, in the order the caller
wants them shown; validation puts the most relevant first) and a ``Summary``,
and returns the whole output as one string; the caller prints it.
``RENDERERS`` maps each ``--format`` name to its renderer.  Severities are
printed as given: ``--strict`` is applied by the caller before rendering.

Messages quote user data (a label, a key, a jsonschema message with the
offending value), so every renderer neutralises what could hurt where its
output goes: control characters (terminal escape sequences, line breaks that
would forge extra findings), bidi controls, unpaired surrogates (which no
UTF-8 stream can carry) -- all with ``terminal.escape``, the one escaping
function of every renderer -- and the format's own syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypedDict
from urllib.parse import quote

from annotate import __version__, codes
from annotate.model import Finding
from annotate.report.terminal import escape


class Summary(TypedDict):
    """What was checked and what was found (the ``summary`` of ``--format json``)."""

    files_checked: int
    annotations_checked: int
    errors: int
    warnings: int


Renderer = Callable[[Sequence[Finding], Summary], str]

# GitHub shows at most 10 error and 10 warning annotations per step (50 per
# job) and drops the rest silently; the step summary is where all of them go.
GITHUB_ANNOTATIONS_PER_KIND = 10
# GitHub refuses a step summary larger than 1 MiB; stay below with room for
# the closing note.
GITHUB_SUMMARY_BUDGET = 1_000_000

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def summarize(findings: Sequence[Finding], *, files_checked: int,
              annotations_checked: int) -> Summary:
    """A summary whose error and warning counts agree with ``findings``."""
    errors = sum(1 for finding in findings if finding.severity == "error")
    return Summary(files_checked=files_checked, annotations_checked=annotations_checked,
                   errors=errors, warnings=len(findings) - errors)


# --- text -------------------------------------------------------------------


def render_text(findings: Sequence[Finding], summary: Summary) -> str:
    """One line per finding, like a compiler, then a summary line.

    ``path:line:column: CODE severity: message``
    """
    lines = [
        f"{escape(finding.path)}:{finding.line}:{finding.column}: "
        f"{finding.code} {finding.severity}: {escape(finding.message)}"
        for finding in findings
    ]
    lines.append(_summary_sentence(summary) + ".")
    return "\n".join(lines) + "\n"


def _summary_sentence(summary: Summary) -> str:
    checked = (f"{_count(summary['files_checked'], 'file')} and "
               f"{_count(summary['annotations_checked'], 'annotation')} checked")
    if not summary["errors"] and not summary["warnings"]:
        return f"{checked}: no problems"
    return (f"{checked}: {_count(summary['errors'], 'error')}, "
            f"{_count(summary['warnings'], 'warning')}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# --- json -------------------------------------------------------------------


def render_json(findings: Sequence[Finding], summary: Summary) -> str:
    """The report of schemas/validation-report.schema.json, keys sorted.

    ASCII-only (``ensure_ascii``): stable across platforms' stdout encodings
    and able to carry an unpaired surrogate from the input as ``\\udXXX``.
    """
    report = {
        "valid": summary["errors"] == 0,
        "findings": [
            {
                "path": finding.path,
                "line": finding.line,
                "column": finding.column,
                "code": finding.code,
                "severity": finding.severity,
                "message": finding.message,
            }
            for finding in findings
        ],
        "summary": dict(summary),
    }
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


# --- github -----------------------------------------------------------------
#
# Workflow commands: ::error file=F,line=L,col=C,title=T::MESSAGE
# Escaping follows @actions/core (packages/core/src/command.ts): escapeData
# for the message, escapeProperty for property values.  "%" goes first so
# the escapes themselves are not escaped again.


def escape_data(text: str) -> str:
    """@actions/core escapeData: % CR LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """@actions/core escapeProperty: % CR LF, and the separators : and ,."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _rule_title(code: str) -> str:
    rule = codes.RULES_BY_CODE.get(code)
    return f"{code} {rule.name}" if rule else code


def render_github(findings: Sequence[Finding], summary: Summary) -> str:
    """GitHub Actions workflow commands, one ``::error``/``::warning`` a finding.

    GitHub turns only the first 10 errors and 10 warnings of a step into
    annotations, so a notice says when some were left out; the full list
    belongs in the step summary (``github_step_summary``).
    """
    lines = []
    for finding in findings:
        properties = ",".join(
            f"{name}={escape_property(value)}"
            for name, value in (
                ("file", escape(finding.path, keep="\r\n")),
                ("line", str(finding.line)),
                ("col", str(finding.column)),
                ("title", _rule_title(finding.code)),
            )
        )
        command = "error" if finding.severity == "error" else "warning"
        message = escape_data(escape(finding.message, keep="\r\n"))
        lines.append(f"::{command} {properties}::{message}")
    if (summary["errors"] > GITHUB_ANNOTATIONS_PER_KIND
            or summary["warnings"] > GITHUB_ANNOTATIONS_PER_KIND):
        note = (f"{_summary_sentence(summary)}. GitHub shows only the first "
                f"{GITHUB_ANNOTATIONS_PER_KIND} errors and {GITHUB_ANNOTATIONS_PER_KIND} "
                "warnings of a step as annotations; the job summary lists every finding.")
        lines.append(f"::notice title={escape_property('annotate validate')}::"
                     f"{escape_data(note)}")
    return "".join(line + "\n" for line in lines)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def _markdown(text: str) -> str:
    """Text safe inside a GitHub Flavored Markdown table cell."""
    text = escape(text, keep="\r\n")
    # HTML first: GitHub renders inline HTML, and "&" must go before the
    # entities are written.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Backslash escapes for every ASCII punctuation character that can start
    # emphasis, code, links, strikethrough or end the cell (CommonMark 2.4).
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def github_step_summary(findings: Sequence[Finding], summary: Summary) -> str:
    """Markdown for the file named by GITHUB_STEP_SUMMARY: every finding.

    Rows stop before the text would pass GitHub's 1 MiB limit, with a line
    saying how many were left out.
    """
    if summary["errors"]:
        verdict = f"❌ {_summary_sentence(summary)}."
    elif summary["warnings"]:
        verdict = f"⚠️ {_summary_sentence(summary)}."
    else:
        verdict = f"✅ {_summary_sentence(summary)}."
    head = [
        "## annotate validate",
        "",
        verdict,
    ]
    if findings:
        head += [
            "",
            "| Severity | Location | Code | Message |",
            "| --- | --- | --- | --- |",
        ]
    text = "\n".join(head) + "\n"
    size = len(text.encode("utf-8"))
    for shown, finding in enumerate(findings):
        location = f"{finding.path}:{finding.line}:{finding.column}"
        row = (f"| {finding.severity} | {_markdown(location)} | "
               f"{_markdown(_rule_title(finding.code))} | {_markdown(finding.message)} |\n")
        row_size = len(row.encode("utf-8"))
        if size + row_size > GITHUB_SUMMARY_BUDGET:
            text += (f"\n{len(findings) - shown} more findings are not shown: GitHub limits a "
                     "step summary to 1 MiB. Run `annotate validate --format json` to see "
                     "them all.\n")
            break
        text += row
        size += row_size
    return text


# --- sarif ------------------------------------------------------------------


def _artifact_uri(path: str) -> str:
    """A relative URI reference with forward slashes (SARIF 2.1.0 section 3.4.3).

    Characters a URI cannot hold are percent-encoded, including ":" so
    "a:b.jsonl" is not read as a URI with scheme "a".  Absolute paths become
    file: URIs.
    """
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "file://" + quote(posix)
    if re.match(r"[A-Za-z]:/", posix):
        return "file:///" + posix[:2] + quote(posix[2:])
    return quote(posix, safe="/")


def _sarif_rule(rule: codes.Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": rule.severity},
    }


def render_sarif(findings: Sequence[Finding], summary: Summary) -> str:
    """A SARIF 2.1.0 log with one run: every catalogued rule, one result a finding.

    Columns count code points (``columnKind: unicodeCodePoints``); without it
    SARIF readers would count UTF-16 code units (SARIF 2.1.0 section 3.14.17).
    """
    rules = [_sarif_rule(rule) for rule in codes.RULES]
    index = {rule.code: position for position, rule in enumerate(codes.RULES)}
    for finding in findings:
        if finding.code not in index:
            # A code missing from the catalogue is a bug, but the log must
            # still describe a rule for every result rather than crash in CI.
            index[finding.code] = len(rules)
            rules.append(_sarif_rule(codes.Rule(
                finding.code, finding.code, finding.severity,
                f"Finding code {finding.code} (not in the catalogue).")))
    results = []
    for finding in findings:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _artifact_uri(finding.path)}}
        region: dict[str, int] = {}
        if finding.line >= 1:
            region["startLine"] = finding.line
            if finding.column >= 1:
                region["startColumn"] = finding.column
        if region:
            physical["region"] = region
        results.append({
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": finding.severity,
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": physical}],
        })
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "annotate",
                "version": __version__,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "filesChecked": summary["files_checked"],
                "annotationsChecked": summary["annotations_checked"],
            },
        }],
    }
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
})
