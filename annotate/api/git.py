"""Operations for git: the merge driver and installing it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from annotate import store
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.gitrepo import DriverInstalled
    from annotate.merge.gitdriver import DecisionsMerge, ThreeWayMerge

def git_merge_driver(ancestor: Path, ours: Path, theirs: Path,
                     shown_path: str) -> ThreeWayMerge | DecisionsMerge:
    """Merge git's three versions of an annotation file by id (of a decisions
    file, by position) into ``ours`` (%A).

    Writes the merged file (with both versions of each conflicting record)
    only when all three versions parse; otherwise raises and ``ours`` is
    left as it was.
    """
    from annotate import gitrepo
    from annotate.decisions import DECISIONS_FILE
    from annotate.merge import gitdriver

    old, mine, other = (gitrepo.read_version(path, f"{shown_path} ({side})") for path, side
                        in ((ancestor, "common ancestor"), (ours, "ours"), (theirs, "theirs")))
    merge = (gitdriver.merge_decision_bytes if PurePosixPath(shown_path).name == DECISIONS_FILE
             else gitdriver.merge_bytes)
    result = merge(old, mine, other, shown_path)
    gitrepo.write_result(ours, result.text().encode("utf-8"))
    return result


def install_git_driver(ws: Workspace) -> DriverInstalled:
    """Route the workspace's annotation files to the merge driver, for this
    clone, and keep the documents and their stored versions byte for byte."""
    from annotate import gitrepo

    return gitrepo.install_driver(ws.root, ws.annotations_dir, (
        ("corpus", ws.corpus_dir), ("annotations", store.versions_folder(ws))))
