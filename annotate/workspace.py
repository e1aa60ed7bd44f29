"""Finding the workspace and reading its project file.

A workspace is a folder with a project file, ``annotate.json``, that names
the corpus folder, the annotations folder and the label taxonomy.  Commands
find it by walking up from the current directory, as git finds ``.git``.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate import codes
from annotate.errors import CorruptFileError, InvalidValueError, WorkspaceError
from annotate.model import Label, Project, Publisher

PROJECT_FILE = "annotate.json"
WORKSPACE_ENV = "ANNOTATE_WORKSPACE"
REVIEWER_ENV = "ANNOTATE_REVIEWER"

DEFAULT_LABELS = (
    Label("sourced", "Attributed to an identifiable source a reader can check.",
          "#2ca02c", requires_source=True, key="s"),
    Label("unsourced", "A factual claim with no attribution.", "#ff7f0e", key="u"),
    Label("disputed", "Credible sources or experts conflict, or the reviewer's evidence "
          "contradicts it.", "#d62728", requires_source=True, key="d"),
    Label("speculative", "A hedged, predictive or single-expert claim that cannot be "
          "checked as fact now.", "#9467bd", key="p"),
    Label("opinion", "A value judgement, not a checkable claim.", "#1f77b4", key="o"),
)
DEFAULT_VERDICTS = ("accurate", "mostly-accurate", "misleading", "false", "unverifiable")


@dataclass(frozen=True)
class Workspace:
    """A workspace: its root folder and its parsed project file."""

    root: Path
    project: Project

    @property
    def project_file(self) -> Path:
        """The project file, annotate.json."""
        return self.root / PROJECT_FILE

    @property
    def corpus_dir(self) -> Path:
        """The folder of article texts."""
        return self.root / self.project.corpus

    @property
    def annotations_dir(self) -> Path:
        """The folder of annotation files."""
        return self.root / self.project.annotations

    def relative(self, path: Path) -> str:
        """A path as shown to the user: relative to the workspace when it is
        named inside it (a link is shown where it is, not where it leads)."""
        for shown, root in ((Path(os.path.abspath(path)), Path(os.path.abspath(self.root))),
                            (path.resolve(), self.root.resolve())):
            if shown.is_relative_to(root):
                return shown.relative_to(root).as_posix()
        return str(path)


def default_project(name: str, corpus: str = "corpus",
                    annotations: str = "annotations") -> dict[str, Any]:
    """The project file `annotate init` writes, with the default taxonomy."""
    return {
        "version": 1,
        "name": name,
        "corpus": corpus,
        "annotations": annotations,
        "labels": [
            {"name": label.name, "description": label.description,
             "color": label.color, "requires_source": label.requires_source,
             "key": label.key}
            for label in DEFAULT_LABELS
        ],
        "verdicts": list(DEFAULT_VERDICTS),
    }


def project_from_data(data: dict[str, Any]) -> Project:
    """Build the Project from a project file that passed its schema."""
    labels = tuple(
        Label(item["name"], item["description"], item["color"], item["requires_source"],
              item.get("key"))
        for item in data["labels"]
    )
    return Project(
        name=data["name"],
        corpus=data["corpus"],
        annotations=data["annotations"],
        labels=labels,
        verdicts=tuple(data.get("verdicts", DEFAULT_VERDICTS)),
        publisher=None if "publisher" not in data else Publisher(
            data["publisher"]["name"], data["publisher"].get("url"),
            data["publisher"].get("review_url")),
        documents_url=data.get("documents_url"),
    )


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above start that holds a project file."""
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def locate(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """The workspace root: --workspace, then $ANNOTATE_WORKSPACE, then walking up."""
    chosen = explicit or os.environ.get(WORKSPACE_ENV)
    if chosen:
        root = Path(chosen)
        if not (root / PROJECT_FILE).is_file():
            raise WorkspaceError(
                f"no {PROJECT_FILE} in {root}; create a workspace there with "
                f"'annotate init {root}' or point --workspace at one"
            )
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    found = find_root(here)
    if found is None:
        raise WorkspaceError(
            f"not inside an annotate workspace (no {PROJECT_FILE} here or in any parent "
            "folder); run 'annotate init' or pass --workspace DIR"
        )
    return found


def load(root: Path) -> Workspace:
    """Read and check the project file (the rule book's checks, as validate
    runs them).  Refuses a broken one at the line:column of its first error."""
    from annotate import jsonpos, rules
    from annotate.anchoring.textindex import LineIndex

    path = root / PROJECT_FILE
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WorkspaceError(f"cannot read {shown}: {error.strerror}") from error
    text, problems = jsonpos.decode_utf8(data)
    parsed = jsonpos.parse_json_line(text)
    index = LineIndex(text)
    errors = [p for p in (*problems, *parsed.problems)
              if codes.get_rule(p.code).severity == "error"]
    if errors:
        line, column = index.position(errors[0].offset)
        raise CorruptFileError(shown, line, column, errors[0].message)
    found = [p for p in rules.project_problems(parsed.value) if p.is_error]
    if found:
        line, column = index.position(jsonpos.locate(text, list(found[0].path)))
        raise CorruptFileError(shown, line, column, f"does not match the project schema: "
                               f"{found[0].message}")
    return Workspace(root, project_from_data(parsed.value))


def default_reviewer(root: Path) -> tuple[str, str]:
    """(name, where it came from): $ANNOTATE_REVIEWER, then `git config
    user.email`; else a clear error.  The origin goes into messages, so a bad
    name is fixed where it was set."""
    reviewer = os.environ.get(REVIEWER_ENV, "").strip()
    if reviewer:
        return reviewer, f"${REVIEWER_ENV}"
    try:
        result = subprocess.run(
            ["git", "config", "user.email"], cwd=root, capture_output=True,
            text=True, check=False, timeout=10,
        )
        reviewer = result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        reviewer = ""
    if not reviewer:
        raise InvalidValueError(
            f"no reviewer name: pass --reviewer NAME, set {REVIEWER_ENV}, "
            "or set 'git config user.email'"
        )
    return reviewer, "git config user.email"
