"""Checks of the files kept beside the annotation files: reviewers' finished
markers (``<reviewer>.finished.json``), their review progress
(``<reviewer>.progress.json``), the editor's decisions (``decisions.json``)
and the document's metadata record (``metadata.json``: where `fetch` or
`ingest` brought it from).

They are few and small, so every run checks them afresh (no cache, no
pool); the checks are the rule book's, as for annotation files, each
problem at the line:column of the offending value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotate import codes, jsonpos, rules, store
from annotate.anchoring.textindex import LineIndex
from annotate.decisions import DECISIONS_FILE
from annotate.model import Finding, Project
from annotate.validation.checks import finding
from annotate.validation.discovery import Target
from annotate.validation.documents import Documents
from annotate.validation.reading import open_regular
from annotate.workspace import Workspace

# Far larger than any real marker or decisions file; a bigger one is refused
# unread rather than parsed into memory whole.
MAX_SIDE_FILE_BYTES = 64 * 1024 * 1024


def check_side_files(workspace: Workspace, project: Project | None, targets: Sequence[Target],
                     documents: Documents | None = None) -> list[Finding]:
    """Every finding for the given finished markers and decisions files."""
    documents = documents or Documents(workspace)
    found: list[Finding] = []
    for target in targets:
        found.extend(_check(workspace, project, documents, target))
    return found


def _check(workspace: Workspace, project: Project | None, documents: Documents,
           target: Target) -> list[Finding]:
    shown = target.shown
    document, _, name = shown.rpartition("/")
    root = workspace.relative(workspace.annotations_dir)
    document = document[len(root) + 1:] if document.startswith(root + "/") else ""
    if not document:
        return [finding(shown, 1, 1, codes.STRAY_ANNOTATION_FILE,
                        "is not in a document's folder under the annotations folder, so it "
                        "belongs to no document; move or remove it")]
    try:
        with open_regular(target.path) as handle:
            data = handle.read(MAX_SIDE_FILE_BYTES + 1)
    except OSError as error:
        return [finding(shown, 1, 1, codes.UNREADABLE_FILE,
                        f"cannot read: {error.strerror or error}")]
    if len(data) > MAX_SIDE_FILE_BYTES:
        return [finding(shown, 1, 1, codes.UNREADABLE_FILE,
                        f"is larger than {MAX_SIDE_FILE_BYTES // 2**20} MiB; not read")]
    text, problems = jsonpos.decode_utf8(data)
    index = LineIndex(text)
    parsed = jsonpos.parse_json_line(text.rstrip("\n"))
    syntax = [*problems, *parsed.problems]
    if syntax:
        return [_syntax_finding(shown, index, p) for p in syntax]
    value = parsed.value
    if name == store.METADATA_FILE:
        broken = rules.metadata_problems(value, document)
        if not any(problem.is_error for problem in broken):
            broken.extend(_provenance_problems(workspace, value, document, documents))
    elif name == DECISIONS_FILE:
        broken = rules.decisions_problems(value, document, project)
        if not any(problem.is_error for problem in broken):
            broken.extend(_anchor_problems(value, document, documents))
    elif name.endswith(store.PROGRESS_SUFFIX):
        broken = rules.progress_problems(value, document, name[: -len(store.PROGRESS_SUFFIX)])
        if not any(problem.is_error for problem in broken):
            broken.extend(_skipped_problems(value, document, documents))
    else:
        reviewer = name[: -len(store.FINISHED_SUFFIX)]
        broken = rules.finished_problems(value, document, reviewer)
    if documents.current(document) is None and documents.unreadable(document) is None:
        broken.append(rules.Problem(codes.STRAY_ANNOTATION_FILE, (),
                                    f"there is no document {document!r} in the corpus"))
    return [finding(shown, *index.position(jsonpos.locate(text, list(p.path))), p.rule,
                    p.message) for p in broken]


def _syntax_finding(shown: str, index: LineIndex, problem: jsonpos.SyntaxProblem) -> Finding:
    """A syntax problem of a side file.  A blank one is an error here, not the
    warning a blank line of an annotation file is: every reader refuses it."""
    if problem.code == codes.BLANK_LINE.code:
        return finding(shown, 1, 1, codes.INVALID_JSON,
                       "the file is empty (or only white space) where one JSON object belongs; "
                       "restore it from git, or delete it")
    return finding(shown, *index.position(problem.offset), codes.get_rule(problem.code),
                   problem.message)


def _provenance_problems(workspace: Workspace, value: dict[str, Any], document: str,
                         documents: Documents) -> list[rules.Problem]:
    """That the document is still the text brought in (AN404), and that every
    raw HTML the record names is kept (AN317)."""
    found = []
    current = documents.current(document)
    if current is not None and current[1] != value["document_sha256"]:
        found.append(rules.Problem(
            codes.NOT_AS_FETCHED, ("document_sha256",),
            f"the document's text (SHA-256 {current[1][:12]}) is not the text brought in on "
            f"{value['fetched'][:10]} ({value['document_sha256'][:12]}): it was edited since; "
            "run 'annotate refetch' (or 'annotate ingest' a saved page) to bring the page's "
            "text back"))
    versions = [((), value), *((("earlier", i), entry)
                               for i, entry in enumerate(value.get("earlier", ())))]
    for path, version in versions:
        sha256 = version.get("html_sha256")
        if sha256 is not None and not store.has_snapshot(workspace, sha256):
            found.append(rules.Problem(
                codes.MISSING_SNAPSHOT, (*path, "html_sha256"),
                f"the page's HTML of {version['fetched'][:10]} is missing (annotations/"
                f".versions/{sha256}.html): nothing proves what the page said; restore it "
                "from git"))
    return found


def _anchor_problems(value: dict[str, Any], document: str, documents: Documents
                     ) -> list[rules.Problem]:
    """Each decision's span against the document, as for an annotation."""
    current = documents.current(document)
    if current is None:
        return []
    text, sha256 = current
    found = []
    for index, decision in enumerate(value["decisions"]):
        made_on = (None if decision["document_sha256"] == sha256
                   else documents.version(decision["document_sha256"]))
        for problem in rules.anchor_problems(decision, text, sha256, made_on):
            found.append(rules.Problem(problem.rule, ("decisions", index, *problem.path),
                                       f"decision for p{decision['start']}-{decision['end']}: "
                                       f"{problem.message}"))
    return found


def _skipped_problems(value: dict[str, Any], document: str, documents: Documents
                      ) -> list[rules.Problem]:
    """Skipped sentences past the end of the document they name as current."""
    current = documents.current(document)
    if current is None or value["document_sha256"] != current[1]:
        return []  # another version: its text is not the one to measure against
    length = len(current[0])
    return [rules.Problem(codes.OFFSETS_OUT_OF_RANGE, ("skipped", index),
                          f"skipped sentence [{start}, {end}] ends past the end of the "
                          f"document ({length} code points)")
            for index, (start, end) in enumerate(value["skipped"]) if end > length]
