"""Ids unique across the workspace: the one check that needs every file at
once, run last on the ids every file reported, cached or not."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from annotate import codes, jsonpos
from annotate.model import Finding
from annotate.validation.cache import Cache
from annotate.validation.checks import FileResult, finding


def duplicate_ids(results: Sequence[FileResult], paths: dict[str, str],
                  cache: Cache | None) -> list[Finding]:
    """A finding for each id used before (in path order); paths maps each
    shown path to the file.  When no file changed, the last answer stands."""
    keys = hashlib.sha256()
    for path, key in sorted((result.path, result.key) for result in results):
        keys.update(f"{path}\0{key}\n".encode())
    combined = keys.hexdigest()
    if cache is not None:
        known = cache.duplicates(combined)
        if known is not None:
            return known
    first: dict[str, tuple[str, int]] = {}
    findings = []
    for result in sorted(results, key=lambda r: r.path):
        ids = result.ids
        if ids is None:
            ids = (cache.ids(result.path) if cache else None) or _read_ids(paths[result.path])
        for identifier, line in ids:
            if identifier in first:
                path, where = first[identifier]
                column = _id_column(paths[result.path], line)
                findings.append(finding(result.path, line, column, codes.DUPLICATE_ID,
                                        f"id {identifier!r} is also used at {path}:{where}"))
            else:
                first[identifier] = (result.path, line)
    if cache is not None:
        cache.remember_duplicates(combined, findings, results)
    return findings


def _read_ids(path: str) -> list[tuple[str, int]]:
    """Ids of a file whose ids the cache lost: parsed again, nothing more."""
    with open(path, "rb") as handle:
        text, _ = jsonpos.decode_utf8(handle.read())
    ids = []
    for number, line in enumerate(text.split("\n"), start=1):
        value = jsonpos.parse_json_line(line).value if line.strip() else None
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            ids.append((value["id"], number))
    return ids


def _id_column(path: str, line: int) -> int:
    # Located only for the rare duplicate, so the common case never pays
    # for scanning every line a second time.
    with open(path, "rb") as handle:
        text, _ = jsonpos.decode_utf8(handle.read())
    return jsonpos.locate(text.split("\n")[line - 1], ["id"]) + 1
