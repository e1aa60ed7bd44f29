"""Writes tests/examples/{valid,invalid}/: one or more example files per
validation code, each invalid one with a .expect file naming the findings
it must produce (CODE LINE:COLUMN), derived here from where the offending
key stands in the line — independently of the validator.

    python tests/examples/make_examples.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = HERE.parent.parent / "corpus" / "kim-putin-vostochny.txt"
TEXT = SEED.read_text(encoding="utf-8")
SHA = hashlib.sha256(SEED.read_bytes()).hexdigest()
OTHER_SHA = "f" * 64


def record(quote: str, label: str = "speculative", occurrence: int = 0, **changes: Any
           ) -> dict[str, Any]:
    start = TEXT.index(quote)
    for _ in range(occurrence):
        start = TEXT.index(quote, start + 1)
    end = start + len(quote)
    base: dict[str, Any] = {
        "id": "ex-" + hashlib.sha256(f"{quote}|{label}".encode()).hexdigest()[:12],
        "document": "kim-putin-vostochny.txt", "document_sha256": SHA,
        "start": start, "end": end, "quote": quote,
        "prefix": TEXT[max(0, start - 32):start], "suffix": TEXT[end:end + 32],
        "label": label, "reviewer": "alice", "note": "", "sources": [],
        "created": "2026-11-29T10:00:00.000Z", "modified": "2026-11-29T10:00:00.000Z",
    }
    base.update(changes)
    return base


def line(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def column_of(text: str, key: str) -> int:
    """1-based column where the value of "key" starts in a canonical line."""
    return text.index(f'"{key}": ') + len(f'"{key}": ') + 1


HWASONG = record("is based on Russian technology", id="ex-hwasong")
IISS = record("has over 20,000 artillery pieces", "sourced", id="ex-iiss",
              sources=["https://www.iiss.org/publications/the-military-balance/"])
OPINION = record("That would also be surprising with regard to North Korea.", "opinion",
                 id="ex-opinion", note="Value judgement.", tags=["closing"])

VALID = {
    "three-records": [HWASONG, IISS, OPINION],
    "verdict-and-tags": [record("Beijing is far more important for Kim", "opinion",
                                id="ex-beijing", verdict="mostly-accurate",
                                tags=["china", "trade"])],
    "unicode-quote": [record("“That’s why we came to the Vostochny Cosmodrome.”", "sourced",
                             id="ex-cosmodrome", sources=["https://tass.com/"])],
}


def invalid_examples() -> dict[str, tuple[list[str], list[str], str | None]]:
    """name -> (lines, expected "CODE L:C" findings, place or None)."""
    examples: dict[str, tuple[list[str], list[str], str | None]] = {}

    def one(name: str, bad: dict[str, Any], code: str, key: str | None,
            place: str | None = None) -> None:
        text = line(bad)
        column = column_of(text, key) if key else 1
        examples[name] = ([line(HWASONG), text], [f"{code} 2:{column}"], place)

    good = line(HWASONG)
    truncated = line(IISS)[:50]
    examples["AN101-truncated-line"] = ([good, truncated], [f"AN101 2:{len(truncated) + 1}"],
                                        None)
    examples["AN101-not-json"] = ([good, "{'single': 'quotes'}"], ["AN101 2:2"], None)
    twice = '{"id": "ex-a", "id": "ex-b"}'
    examples["AN104-duplicate-key"] = (
        [good, twice], [f"AN104 2:{twice.index(chr(34) + 'id', 2) + 1}"], None)
    examples["AN105-nan"] = ([good, '{"start": NaN}'], ["AN105 2:11"], None)
    examples["AN105-infinity"] = ([good, '{"start": -Infinity}'], ["AN105 2:11"], None)
    deep = "[" * 100 + "]" * 100
    examples["AN106-too-deep"] = ([good, deep], ["AN106 2:65"], None)
    examples["AN107-blank-line"] = ([good, "", line(IISS)], ["AN107 2:1"], None)
    examples["AN110-unpaired-surrogate"] = (
        [good, line(OPINION).replace('"note": "Value judgement."',
                                     '"note": "Value \\ud800 judgement."')],
        [f"AN110 2:{column_of(line(OPINION), 'note')}"], None)
    one("AN201-missing-quote", {k: v for k, v in IISS.items() if k != "quote"}, "AN201", None)
    bad_url = line({**IISS, "sources": ["www.iiss.org"]})
    at_item = column_of(bad_url, "sources") + 1  # the string inside the array
    # Fails both the iri format and the pattern: one bad address, one finding.
    examples["AN201-bad-source-url"] = ([good, bad_url], [f"AN201 2:{at_item}"], None)
    one("AN201-reviewer-with-path", {**IISS, "reviewer": "../alice"}, "AN201", "reviewer")
    one("AN301-unknown-label", {**IISS, "label": "rumour"}, "AN301", "label")
    one("AN313-unknown-verdict", {**OPINION, "verdict": "lies"}, "AN313", "verdict")
    one("AN303-end-past-text", {**OPINION, "start": 5680, "end": 6000}, "AN303", "end")
    one("AN304-quote-mismatch", {**OPINION, "start": OPINION["start"] + 1,
                                 "end": OPINION["end"] + 1}, "AN304", "quote")
    one("AN305-prefix-mismatch", {**OPINION, "prefix": "nothing like this"}, "AN305", "prefix")
    one("AN306-sourced-without-source", {**IISS, "sources": []}, "AN306", "sources")
    one("AN308-other-reviewer", {**IISS, "reviewer": "bob"}, "AN308", "reviewer")
    one("AN309-created-after-modified", {**IISS, "created": "2026-11-30T00:00:00Z"}, "AN309",
        "modified")
    one("AN401-document-changed", {**IISS, "document_sha256": OTHER_SHA}, "AN401",
        "document_sha256")
    one("AN402-quote-gone", {**OPINION, "document_sha256": OTHER_SHA,
                             "quote": "A sentence the editor has since removed."},
        "AN402", "quote")
    one("AN403-orphaned", {**OPINION, "document_sha256": OTHER_SHA, "orphaned": True},
        "AN403", None)
    examples["AN307-duplicate-id"] = (
        [line(IISS), line({**HWASONG, "id": IISS["id"]})],
        [f"AN307 2:{column_of(line(HWASONG), 'id')}"], None)
    examples["AN310-duplicate-annotation"] = (
        [line(IISS), line({**IISS, "id": "ex-iiss-again", "created": "2026-11-29T11:00:00Z",
                           "modified": "2026-11-29T11:00:00Z"})], ["AN310 2:1"], None)
    missing = {**IISS, "document": "missing.txt"}
    examples["AN302-unknown-document"] = (
        [good, line(missing)],
        [f"AN308 2:{column_of(line(missing), 'document')}",
         f"AN302 2:{column_of(line(missing), 'document')}"], None)
    examples["AN311-no-such-document"] = (
        [line(missing)], ["AN311 1:1"], "annotations/missing.txt/alice.jsonl")
    return examples


def main() -> None:
    for kind in ("valid", "invalid"):
        folder = HERE / kind
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    for name, records in VALID.items():
        (HERE / "valid" / f"{name}.jsonl").write_text(
            "".join(line(r) + "\n" for r in sorted(records, key=lambda r: r["id"])),
            encoding="utf-8")
    for name, (lines, expected, place) in invalid_examples().items():
        (HERE / "invalid" / f"{name}.jsonl").write_text("".join(x + "\n" for x in lines),
                                                        encoding="utf-8")
        header = [f"# place: {place}"] if place else []
        (HERE / "invalid" / f"{name}.expect").write_text(
            "\n".join(header + expected) + "\n", encoding="utf-8")
    # Byte-level cases that JSON text cannot spell.
    good = (line(HWASONG) + "\n").encode("utf-8")
    (HERE / "invalid" / "AN102-invalid-utf8.jsonl").write_bytes(
        good + line(OPINION).encode("utf-8").replace(b"Value", b"Val\xffue") + b"\n")
    column = column_of(line(OPINION), "note") + len('"Val')
    (HERE / "invalid" / "AN102-invalid-utf8.expect").write_text(f"AN102 2:{column}\n")
    (HERE / "invalid" / "AN103-byte-order-mark.jsonl").write_bytes(b"\xef\xbb\xbf" + good)
    (HERE / "invalid" / "AN103-byte-order-mark.expect").write_text("AN103 1:1\n")
    # An empty file is a reviewer who marked nothing (AN108 is retired).
    (HERE / "valid" / "empty-reviewer-file.jsonl").write_bytes(b"")


if __name__ == "__main__":
    main()
