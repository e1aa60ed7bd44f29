"""The finding-code catalogue: stable, well-formed, and documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from annotate import codes
from annotate.codes import GROUPS, RULES, RULES_BY_CODE, Rule, codes_markdown, get_rule

DOC = Path(__file__).resolve().parents[1] / "docs" / "validation-codes.md"

# Published codes never change meaning: CI configurations and GitHub code
# scanning alerts refer to them.  Changing this table is a breaking change;
# adding a row is not.
PUBLISHED = {
    "AN101": ("InvalidJson", "error"),
    "AN102": ("InvalidUtf8", "error"),
    "AN103": ("ByteOrderMark", "error"),
    "AN104": ("DuplicateKey", "error"),
    "AN105": ("NonFiniteNumber", "error"),
    "AN106": ("NestingTooDeep", "error"),
    "AN107": ("BlankLine", "warning"),
    "AN108": ("EmptyFile", "warning"),
    "AN109": ("UnreadableFile", "error"),
    "AN110": ("UnpairedSurrogate", "error"),
    "AN201": ("AnnotationSchema", "error"),
    "AN202": ("ProjectSchema", "error"),
    "AN203": ("DecisionsSchema", "error"),
    "AN204": ("MetadataSchema", "error"),
    "AN301": ("UnknownLabel", "error"),
    "AN302": ("UnknownDocument", "error"),
    "AN303": ("OffsetsOutOfRange", "error"),
    "AN304": ("QuoteMismatch", "error"),
    "AN305": ("ContextMismatch", "warning"),
    "AN306": ("MissingSource", "error"),
    "AN307": ("DuplicateId", "error"),
    "AN308": ("MisplacedRecord", "error"),
    "AN309": ("TimestampsOutOfOrder", "error"),
    "AN310": ("DuplicateAnnotation", "warning"),
    "AN311": ("StrayAnnotationFile", "error"),
    "AN312": ("SymlinkOutsideWorkspace", "error"),
    "AN313": ("UnknownVerdict", "error"),
    "AN314": ("UnreadableDocument", "error"),
    "AN315": ("SplitsCharacter", "warning"),
    "AN316": ("DuplicateDecision", "error"),
    "AN317": ("MissingSnapshot", "warning"),
    "AN318": ("UnportablePath", "warning"),
    "AN401": ("DocumentChanged", "warning"),
    "AN402": ("QuoteNotFound", "error"),
    "AN403": ("Orphaned", "warning"),
    "AN404": ("NotAsFetched", "warning"),
}


def test_published_codes_keep_their_names_and_severities() -> None:
    assert {rule.code: (rule.name, rule.severity) for rule in RULES} == PUBLISHED


def test_rules_are_ordered_by_code_and_unique() -> None:
    assert [rule.code for rule in RULES] == sorted(PUBLISHED)
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_each_rule_is_well_formed(rule: Rule) -> None:
    assert re.fullmatch(r"AN[1-4][0-9]{2}", rule.code)
    assert rule.group in GROUPS
    assert re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", rule.name)  # PascalCase, as SARIF names go
    assert rule.severity in ("error", "warning")
    # One sentence on one line: it is a SARIF shortDescription and a table cell.
    assert rule.summary[:1].isupper()
    assert rule.summary.endswith(".")
    assert "\n" not in rule.summary
    assert len(rule.summary) <= 100


def test_every_rule_constant_of_the_module_is_in_the_catalogue() -> None:
    constants = {value for value in vars(codes).values() if isinstance(value, Rule)}
    assert constants == set(RULES)


def test_lookup_by_code() -> None:
    assert RULES_BY_CODE["AN304"] is codes.QUOTE_MISMATCH
    assert get_rule("AN401") is codes.DOCUMENT_CHANGED
    with pytest.raises(KeyError, match="unknown finding code 'AN999'"):
        get_rule("AN999")


def test_the_catalogue_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        codes.INVALID_JSON.severity = "warning"  # type: ignore[misc]
    with pytest.raises(TypeError):
        RULES_BY_CODE["AN999"] = codes.INVALID_JSON  # type: ignore[index]


def test_staleness_tells_the_user_what_to_run() -> None:
    assert codes.DOCUMENT_CHANGED.summary == (
        "The document changed since the annotation was made; run `annotate reanchor`.")
    assert codes.QUOTE_NOT_FOUND.severity == "error"
    assert codes.ORPHANED.severity == "warning"


def test_the_docs_page_is_generated_from_the_catalogue() -> None:
    # Regenerate with:
    # python -c "from annotate.codes import codes_markdown as m; open('docs/validation-codes.md',
    #            'w', encoding='utf-8').write(m())"
    assert DOC.read_text(encoding="utf-8") == codes_markdown()


def test_the_docs_page_has_one_row_per_rule_under_its_group() -> None:
    markdown = codes_markdown()
    sections = re.split(r"^## ", markdown, flags=re.MULTILINE)[1:]
    assert [section.split(" ", 1)[0] for section in sections] == [
        "AN1xx", "AN2xx", "AN3xx", "AN4xx"]
    for section in sections:
        prefix = section[:3]
        rows = re.findall(r"^\| (AN\d{3}) \| (\w+) \| (\w+) \| (.+) \|$", section, re.MULTILINE)
        assert rows == [
            (rule.code, rule.name, rule.severity, rule.summary)
            for rule in RULES if rule.group == prefix
        ]
    assert ("| AN303 | OffsetsOutOfRange | error | The offsets break "
            "0 <= start < end <= length of the document text. |") in markdown


def test_a_pipe_in_a_summary_cannot_break_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = Rule("AN199", "PipeTest", "error", "Either a | b.")
    monkeypatch.setattr(codes, "RULES", (*RULES, rule))
    assert "| AN199 | PipeTest | error | Either a \\| b. |" in codes_markdown()
