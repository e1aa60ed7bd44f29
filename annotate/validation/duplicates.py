"""Ids unique across the workspace: the one check that needs every file at
once, run last on the ids every file reported, cached or not."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from annotate import codes, jsonpos
from annotate.model import Finding
from annotate.validation import reading
from annotate.validation.cache import Cache
from annotate.validation.checks import FileResult, Ids, finding


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
    ordered = sorted(results, key=lambda r: r.path)
    count = len(ordered)
    # Where each id was first seen, as one int (line * count + file index):
    # a tuple per id would cost 60 more bytes for each of 100,000s of ids.
    first: dict[str, int] = {}
    repeats: list[tuple[int, int, str, int]] = []  # (file index, line, id, first seen)
    for index, result in enumerate(ordered):
        ids = result.ids
        if ids is None:
            ids = (cache.ids(result.path) if cache else None) or _read_ids(paths[result.path])
        for identifier, line in ids:
            where = first.setdefault(identifier, line * count + index)
            if where != line * count + index:
                repeats.append((index, line, identifier, where))
    columns = _id_columns(ordered, paths, repeats)
    findings = []
    for index, line, identifier, where in repeats:
        first_line, first_index = divmod(where, count)
        path = ordered[index].path
        findings.append(finding(path, line, columns.get((index, line), 1), codes.DUPLICATE_ID,
                                f"id {identifier!r} is also used at "
                                f"{ordered[first_index].path}:{first_line}; run "
                                "'annotate dedupe' to give each annotation its own id "
                                "(after a git merge conflict, keep one of the two lines "
                                "instead)"))
    if cache is not None:
        cache.remember_duplicates(combined, findings, results)
    return findings


def _lines(path: str) -> Iterator[str]:
    """The decoded lines of a file (invalid bytes as U+FFFD, as the checks read
    them), one at a time; none if it cannot be read any more."""
    try:
        with reading.open_regular(path) as handle:
            for raw in handle:
                line = raw.decode("utf-8", "replace")
                yield line[:-1] if line.endswith("\n") else line
    except (reading.Unreadable, OSError):
        return


def _read_ids(path: str) -> Ids:
    """Ids of a file whose ids the cache lost: parsed again, nothing more."""
    ids = Ids()
    for number, line in enumerate(_lines(path), start=1):
        value = jsonpos.parse_json_line(line).value if line.strip() else None
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            ids.append(value["id"], number)
    return ids


def _id_columns(ordered: Sequence[FileResult], paths: dict[str, str],
                repeats: list[tuple[int, int, str, int]]) -> dict[tuple[int, int], int]:
    """(file index, line) -> column of the id, for each repeated id.  Located
    only for the rare duplicate, each file read once, so the common case
    never pays for scanning every line a second time."""
    wanted: dict[int, set[int]] = {}
    for index, line, _, _ in repeats:
        wanted.setdefault(index, set()).add(line)
    columns = {}
    for index, lines in wanted.items():
        last = max(lines)
        for number, text in enumerate(_lines(paths[ordered[index].path]), start=1):
            if number in lines:
                columns[index, number] = jsonpos.locate(text, ["id"]) + 1
            if number == last:
                break
    return columns
