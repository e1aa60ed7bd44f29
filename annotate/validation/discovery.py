"""Which files a run checks: the project file and every annotation file, or
the paths given; links that leave the workspace are reported, not followed.

Plain strings, not pathlib: a workspace has thousands of files and this runs
for each of them on every run, cached or not.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from annotate import codes, portable, store
from annotate.errors import AnnotateError
from annotate.model import Finding
from annotate.validation.checks import finding
from annotate.workspace import PROJECT_FILE, Workspace


class Target:
    """One annotation file to check."""

    # A plain class: one is made for every file on every run, cached or not,
    # and a frozen dataclass's __init__ costs twice as much.
    __slots__ = ("path", "shown")

    def __init__(self, path: str, shown: str) -> None:
        self.path = path  # absolute
        self.shown = shown  # relative to the workspace, "/"-separated, when inside it

    def __repr__(self) -> str:
        return f"Target({self.path!r}, {self.shown!r})"


class Selection:
    """What a run checks, and findings about the paths it cannot check."""

    # A plain class: a dataclass or NamedTuple definition costs 0.1-0.6 ms
    # at import, and every run imports this module.
    __slots__ = ("findings", "include_project", "side", "targets")

    def __init__(self, targets: list[Target], findings: list[Finding],
                 include_project: bool, side: list[Target] | None = None) -> None:
        self.targets = targets  # sorted by shown path
        self.findings = findings
        self.include_project = include_project
        # Finished markers and decisions files (validation.sidefiles), sorted.
        self.side = side or []


def collect(workspace: Workspace, paths: Sequence[str]) -> Selection:
    """The files to check: the whole workspace when paths is empty."""
    finder = _Finder(workspace, include_project=not paths)
    if not paths and workspace.annotations_dir.is_dir():
        finder.walk(os.path.abspath(workspace.annotations_dir))
    for given in paths:
        finder.add_given(given)
    finder.targets.sort(key=lambda target: target.shown)
    finder.side.sort(key=lambda target: target.shown)
    shown = [target.shown for target in (*finder.targets, *finder.side)
             if not os.path.isabs(target.shown)]
    if not paths:  # the whole workspace: its documents too
        corpus = workspace.relative(workspace.corpus_dir)
        shown += [f"{corpus}/{document}" for document in store.list_documents(workspace)]
    findings = [*finder.findings, *unportable_paths(shown)]
    return Selection(finder.targets, findings, finder.include_project, finder.side)


def unportable_paths(shown: list[str]) -> list[Finding]:
    """AN318 for each path (relative to the workspace) that a teammate's
    checkout on macOS or Windows could not hold (annotate.portable)."""
    found = [finding(path, 1, 1, codes.UNPORTABLE_PATH,
                     f"differs only in case from {earlier}: on macOS and Windows the two are "
                     "one, and a checkout there keeps only one of them; rename one")
             for path, earlier in portable.case_twins(shown).items()]
    for path in shown:
        problem = portable.windows_problem(path)
        if problem is not None:
            found.append(finding(path, 1, 1, codes.UNPORTABLE_PATH,
                                 f"{problem}: a checkout on Windows cannot make this file; "
                                 "rename it"))
    return found


def relative(path: str, root: str) -> str | None:
    """path relative to root ("/"-separated), or None when it is not inside."""
    if path == root:
        return ""
    if not path.startswith(root + os.sep):
        return None
    return path[len(root) + 1:].replace(os.sep, "/")


class _Finder:
    """Gathers targets and findings as the given paths and folders are walked."""

    def __init__(self, workspace: Workspace, include_project: bool) -> None:
        self.root = os.path.abspath(workspace.root)
        self.targets: list[Target] = []
        self.side: list[Target] = []
        self.findings: list[Finding] = []
        self.include_project = include_project

    def add_given(self, given: str) -> None:
        path = os.path.abspath(given)
        if not os.path.lexists(path):
            raise AnnotateError(f"no such file or folder: {given}")
        if os.path.isdir(path) and not os.path.islink(path):
            self.walk(path)
        else:
            self.consider(path)

    def walk(self, folder: str) -> None:
        # What the scan yields needs none of consider's questions: links
        # leaving the workspace were refused by follows, folders are
        # descended, and the project file is not named like an annotation file.
        root = self.root + os.sep
        cut = len(root)
        targets = self.targets
        side: list[os.DirEntry[str]] = []
        for entry in store.scan_annotation_files(folder, self.follows, side, self.unreadable):
            path = entry.path
            if not path.startswith(root):
                targets.append(Target(path, path))
            elif os.sep == "/":
                targets.append(Target(path, path[cut:]))
            else:
                targets.append(Target(path, path[cut:].replace(os.sep, "/")))
        self.side.extend(Target(entry.path, self.shown(entry.path)) for entry in side)

    def unreadable(self, folder: str, error: OSError) -> None:
        self.findings.append(finding(
            self.shown(folder), 1, 1, codes.UNREADABLE_FILE,
            f"cannot read this folder: {error.strerror or error}; its files were not "
            "checked: give yourself read and search permission on it (chmod u+rx)"))

    def follows(self, link: os.DirEntry[str]) -> bool:
        return not self.leaves_workspace(link.path)

    def consider(self, path: str) -> None:
        if os.path.islink(path) and self.leaves_workspace(path):
            return
        if os.path.basename(path) == PROJECT_FILE and os.path.dirname(path) == self.root:
            self.include_project = True
        elif os.path.isdir(path):
            self.findings.append(finding(
                self.shown(path), 1, 1, codes.UNREADABLE_FILE,
                "is a directory, not an annotation file"))
        elif store.is_side_file_name(os.path.basename(path)):
            self.side.append(Target(path, self.shown(path)))
        else:
            self.targets.append(Target(path, self.shown(path)))

    def leaves_workspace(self, path: str) -> bool:
        if relative(os.path.realpath(path), os.path.realpath(self.root)) is not None:
            return False
        self.findings.append(finding(
            self.shown(path), 1, 1, codes.SYMLINK_OUTSIDE_WORKSPACE,
            f"symbolic link to {os.readlink(path)} leaves the workspace; it was not followed"))
        return True

    def shown(self, path: str) -> str:
        inside = relative(path, self.root)
        return path if inside is None else inside
