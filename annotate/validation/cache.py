"""What a run remembers for the next: content hashes by stat, and each
file's findings by content hash and dependencies.

Lives in .annotate-cache/ (which ignores itself in git).  A corrupt or
foreign cache file is simply ignored, so the cache can only ever save work,
never change a result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from annotate import __version__, store
from annotate.model import Finding
from annotate.validation.checks import FileResult
from annotate.validation.hashes import Hashes
from annotate.workspace import Workspace

CACHE_DIR = ".annotate-cache"
CACHE_FILE = "validate-v4.json"
IDS_FILE = "validate-ids-v4.json"


class Cache:
    """Per-file results keyed by the file's content hash and everything else
    the result depends on: annotate's version, the schemas, the project file
    and the documents and versions the file's records refer to.

    The ids of each file sit in a second file, read only when the
    workspace-wide id check has to run again.
    """

    def __init__(self, workspace: Workspace, project_bytes: bytes) -> None:
        from annotate.schema import schema_dir

        self.folder = workspace.root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.ids_path = self.folder / IDS_FILE
        salt = hashlib.sha256(__version__.encode())
        for name in ("annotation", "project"):
            salt.update((schema_dir() / f"{name}.schema.json").read_bytes())
        salt.update(project_bytes)
        self.salt = salt.hexdigest()
        stored = self._load(self.path)
        self.entries: dict[str, Any] = stored.get("files", {})
        self.duplicate_check: dict[str, Any] = stored.get("duplicates", {})
        self.hashes = Hashes(stored.get("hashes"))
        self._ids: dict[str, Any] | None = None  # loaded on first use
        self.changed = False

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        valid = isinstance(stored, dict) and stored.get("salt") == self.salt
        return stored if valid and isinstance(stored.get("files", {}), dict) else {}

    def get(self, shown: str, key: str,
            fingerprint: Callable[[str], str]) -> FileResult | None:
        """The stored result for shown with content hash key, if every
        dependency still has the value it had (fingerprint gives the current one)."""
        entry = self.entries.get(shown)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            dependencies = entry["dependencies"]
            if any(fingerprint(k) != v for k, v in dependencies.items()):
                return None
            return FileResult(
                path=shown,
                findings=[Finding(shown, f[0], f[1], f[2], f[3], f[4])
                          for f in entry["findings"]],
                ids=None, annotations=entry["annotations"], key=key,
                dependencies=dependencies)
        except (KeyError, IndexError, TypeError):
            return None

    def put(self, shown: str, key: str, result: FileResult) -> None:
        """Store the result of checking the file shown whose content hash is key."""
        self.entries[shown] = {
            "key": key, "dependencies": result.dependencies, "annotations": result.annotations,
            "findings": [[f.line, f.column, f.code, f.severity, f.message]
                         for f in result.findings],
        }
        self.changed = True

    def ids(self, shown: str) -> list[tuple[str, int]] | None:
        """The (id, line) pairs stored for shown's current content, if any."""
        if self._ids is None:
            self._ids = self._load(self.ids_path).get("files", {})
        entry = self._ids.get(shown)
        key = self.entries.get(shown, {}).get("key")
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            return [(str(i[0]), int(i[1])) for i in entry["ids"]]
        except (KeyError, IndexError, TypeError, ValueError):
            return None

    def duplicates(self, combined: str) -> list[Finding] | None:
        """The duplicate-id findings of the last check, if the files are the same."""
        if self.duplicate_check.get("key") != combined:
            return None
        try:
            return [Finding(f[0], f[1], f[2], f[3], f[4], f[5])
                    for f in self.duplicate_check["findings"]]
        except (KeyError, IndexError, TypeError):
            return None

    def remember_duplicates(self, combined: str, findings: list[Finding],
                            results: Sequence[FileResult]) -> None:
        """Store the duplicate-id findings for combined, and the ids they came from."""
        self.duplicate_check = {"key": combined, "findings": [
            [f.path, f.line, f.column, f.code, f.severity, f.message] for f in findings]}
        if self._ids is None:
            self._ids = self._load(self.ids_path).get("files", {})
        for result in results:
            if result.ids is not None and result.key:
                self._ids[result.path] = {"key": result.key,
                                          "ids": [list(i) for i in result.ids]}
        self.changed = True

    def save(self) -> None:
        """Write what changed; a folder that cannot be written is no error."""
        if not (self.changed or self.hashes.changed):
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                store.atomic_write(ignore, b"# annotate's cache: safe to delete\n*\n")
            self._write(self.path, {"files": self.entries, "hashes": self.hashes.entries,
                                    "duplicates": self.duplicate_check})
            if self._ids is not None:
                self._write(self.ids_path, {"files": self._ids})
        except OSError:
            pass  # a read-only checkout still validates; it just is not cached

    def _write(self, path: Path, content: dict[str, Any]) -> None:
        data = json.dumps({"salt": self.salt, **content}, separators=(",", ":"),
                          ensure_ascii=False)
        store.atomic_write(path, data.encode("utf-8"))
