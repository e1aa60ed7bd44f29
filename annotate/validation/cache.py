"""What a run remembers for the next: content hashes by stat, each file's
findings by content hash and dependencies, and the whole last run.

Lives in .annotate-cache/ (which ignores itself in git).  A corrupt or
foreign cache file is simply ignored, so the cache can only ever save work,
never change a result: foreign includes one that came with a checkout,
since every key is salted with the user's own secret
(record_cache.user_secret).

Two levels.  When nothing changed since the last run (every file checked and
every document its records refer to has the stat it had), the last run's
findings stand: the run is a walk, a stat per file and one small file read
(issue 8, item 19).  Otherwise each file whose content and dependencies are
unchanged keeps its stored findings, and only the rest is checked again.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from annotate import __version__, files
from annotate.model import Finding
from annotate.store.record_cache import user_secret
from annotate.validation.checks import FileResult, Ids
from annotate.validation.hashes import Hashes, file_stat, is_racy

CACHE_DIR = ".annotate-cache"
CACHE_FILE = "validate-v5.json"
IDS_FILE = "validate-ids-v5.json"
RUN_FILE = "validate-run-v5.json"

Stat = list[int] | None
_NO_STAT = [-1, -1, -1, -1, -1]  # for a file that is not there


class LastRun:
    """The last run's outcome, as remembered: valid while its state stands."""

    __slots__ = ("annotations", "dependencies", "files", "findings", "project_valid",
                 "state")

    def __init__(self, stored: dict[str, Any]) -> None:
        self.state = str(stored["state"])
        # Where each document and stored version the results depend on is,
        # relative to the workspace (as the store placed them when it ran).
        self.dependencies = [str(path) for path in stored["dependencies"]]
        self.files = int(stored["files_checked"])
        self.annotations = int(stored["annotations_checked"])
        self.findings = [Finding(str(f[0]), int(f[1]), int(f[2]), str(f[3]), f[4], str(f[5]))
                         for f in stored["findings"]]
        # The run checked the project file (these very bytes) and found it usable.
        self.project_valid = stored["project_valid"] is True


class Cache:
    """Per-file results keyed by the file's content hash and everything else
    the result depends on: annotate's version, the schemas, the project file
    and the documents and versions the file's records refer to.

    The ids of each file sit in a second file, read only when the
    workspace-wide id check has to run again; the last run's outcome in a
    third, the only one read when nothing changed.
    """

    def __init__(self, root: Path, project_bytes: bytes) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.ids_path = self.folder / IDS_FILE
        self.run_path = self.folder / RUN_FILE
        self.project_bytes = project_bytes
        # The last run's file is salted without the schemas' text, whose
        # place only importlib.resources knows, at a cost a warm run should
        # not pay: it keeps their paths and stats as dependencies instead.
        self.run_salt = hashlib.sha256(__version__.encode() + b"\0" + user_secret() + b"\0"
                                       + project_bytes).hexdigest()
        self._salt: str | None = None
        self._schemas: list[list[Any]] = []  # [path, stat] of each schema in the salt
        self._stored: dict[str, Any] | None = None  # loaded on first use
        self._ids: dict[str, Any] | None = None  # loaded on first use
        self._hashes: Hashes | None = None
        self._last_run: dict[str, Any] | None = None  # to write, if any
        self.changed = False

    @property
    def salt(self) -> str:
        """What every per-file result depends on: annotate's version, the
        schemas and the project file; and the user's secret, so that a cache
        this user's runs did not write is never believed."""
        if self._salt is None:
            salt = hashlib.sha256(__version__.encode() + b"\0" + user_secret())
            for path in _schema_files():
                # The stat before the read, so that it stands for what was read.
                self._schemas.append([str(path), file_stat(str(path))])
                salt.update(path.read_bytes())
            salt.update(self.project_bytes)
            self._salt = salt.hexdigest()
        return self._salt

    def _usable(self) -> bool:
        """Whether the folder is the workspace's own: a link (to outside the
        workspace, or into the corpus) is neither read nor written."""
        return not self.folder.is_symlink()

    def _load(self, path: Path, salt: str | None = None) -> dict[str, Any]:
        if not self._usable():
            return {}
        try:
            with files.open_regular(path, follow_links=False) as opened:
                stored = json.loads(opened.read())
        except (OSError, ValueError, RecursionError):
            return {}
        valid = isinstance(stored, dict) and stored.get("salt") == (salt or self.salt)
        return stored if valid and isinstance(stored.get("files", {}), dict) else {}

    @property
    def stored(self) -> dict[str, Any]:
        """The per-file results, hashes and duplicate check, read on first use."""
        if self._stored is None:
            self._stored = self._load(self.path)
            for name in ("files", "duplicates"):
                if not isinstance(self._stored.get(name), dict):
                    self._stored[name] = {}
        return self._stored

    @property
    def hashes(self) -> Hashes:
        """Content hashes remembered by stat (see hashes.Hashes)."""
        if self._hashes is None:
            self._hashes = Hashes(self.stored.get("hashes"))
        return self._hashes

    # -- the whole last run --------------------------------------------------------------

    def last_run(self) -> LastRun | None:
        """The last run's outcome, if one is remembered for this version of
        annotate and of the project file, and the schemas are unchanged."""
        stored = self._load(self.run_path, self.run_salt)
        try:
            if not stored or any(file_stat(str(path)) != stat
                                 for path, stat in stored["schemas"]):
                return None
            return LastRun(stored)
        except (KeyError, IndexError, TypeError, ValueError):
            return None

    def state(self, include_project: bool, shown: Sequence[str], stats: Sequence[Stat],
              dependency_stats: Sequence[Stat]) -> str:
        """A digest of everything a run's outcome depends on besides the salt:
        which files are checked, and the stat of each and of each dependency."""
        every = [[int(include_project), len(shown)],
                 *(found if found is not None else _NO_STAT
                   for found in (*stats, *dependency_stats))]
        try:
            numbers = array("q", chain.from_iterable(every)).tobytes()
        except OverflowError:  # an inode number past 2**63, on some file systems
            numbers = repr(every).encode()
        digest = hashlib.sha256(numbers)
        digest.update("\0".join(shown).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def remember_run(self, state: str, dependencies: Sequence[str], stats: Sequence[Stat],
                     findings: Sequence[Finding], files: int, annotations: int,
                     project_valid: bool) -> None:
        """Remember a run's outcome for state, unless a file it looked at was
        written too recently to trust its stat (see hashes.Hashes)."""
        if self._salt is None:
            self.salt  # noqa: B018  # takes the schemas' stats
        schemas = self._schemas
        if any(found is not None and is_racy(found)
               for found in (*stats, *(stat for _, stat in schemas))):
            return
        self._last_run = {
            "state": state, "dependencies": list(dependencies), "schemas": schemas,
            "files_checked": files, "annotations_checked": annotations,
            "project_valid": project_valid,
            "findings": [[f.path, f.line, f.column, f.code, f.severity, f.message]
                         for f in findings]}

    # -- per file -------------------------------------------------------------------------

    def get(self, shown: str, key: str,
            fingerprint: Callable[[str], str]) -> FileResult | None:
        """The stored result for shown with content hash key, if every
        dependency still has the value it had (fingerprint gives the current one)."""
        entry = self.stored["files"].get(shown)
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
        except (KeyError, IndexError, TypeError, AttributeError):
            return None

    def put(self, shown: str, key: str, result: FileResult) -> None:
        """Store the result of checking the file shown whose content hash is key."""
        self.stored["files"][shown] = {
            "key": key, "dependencies": result.dependencies, "annotations": result.annotations,
            "findings": [[f.line, f.column, f.code, f.severity, f.message]
                         for f in result.findings],
        }
        self.changed = True

    def ids(self, shown: str) -> Ids | None:
        """The ids stored for shown's current content, if any."""
        if self._ids is None:
            self._ids = self._load(self.ids_path).get("files", {})
        entry = self._ids.get(shown)
        key = self.stored["files"].get(shown, {}).get("key")
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            names, lines = entry["names"], entry["lines"]
            if len(names) != len(lines) or not all(isinstance(n, str) for n in names):
                return None
            ids = Ids()
            ids.names = names
            ids.lines = array("q", lines)
            return ids
        except (KeyError, TypeError, ValueError, OverflowError):
            return None

    def duplicates(self, combined: str) -> list[Finding] | None:
        """The duplicate-id findings of the last check, if the files are the same."""
        check = self.stored["duplicates"]
        if check.get("key") != combined:
            return None
        try:
            return [Finding(f[0], f[1], f[2], f[3], f[4], f[5]) for f in check["findings"]]
        except (KeyError, IndexError, TypeError):
            return None

    def remember_duplicates(self, combined: str, findings: list[Finding],
                            results: Sequence[FileResult]) -> None:
        """Store the duplicate-id findings for combined, and the ids they came from."""
        self.stored["duplicates"] = {"key": combined, "findings": [
            [f.path, f.line, f.column, f.code, f.severity, f.message] for f in findings]}
        if self._ids is None:
            self._ids = self._load(self.ids_path).get("files", {})
        for result in results:
            if result.ids is not None and result.key:
                self._ids[result.path] = {"key": result.key, "names": result.ids.names,
                                          "lines": result.ids.lines.tolist()}
        self.changed = True

    def save(self) -> None:
        """Write what changed; a folder that cannot be written is no error."""
        hashes_changed = self._hashes is not None and self._hashes.changed
        if not (self.changed or hashes_changed or self._last_run is not None) or (
                not self._usable()):
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                files.atomic_write(ignore, b"# annotate's cache: safe to delete\n*\n")
            if self.changed or hashes_changed:
                self._write(self.path, {"files": self.stored["files"],
                                        "hashes": self.hashes.entries,
                                        "duplicates": self.stored["duplicates"]})
            if self._ids is not None and self.changed:
                self._write(self.ids_path, {"files": self._ids})
            if self._last_run is not None:
                self._write(self.run_path, self._last_run, self.run_salt)
        except OSError:
            pass  # a read-only checkout still validates; it just is not cached

    def _write(self, path: Path, content: dict[str, Any], salt: str | None = None) -> None:
        data = json.dumps({"salt": salt or self.salt, **content}, separators=(",", ":"),
                          ensure_ascii=False)
        files.atomic_write(path, data.encode("utf-8", "surrogatepass"))


def _schema_files() -> list[Path]:
    from annotate.schema import schema_dir

    return [schema_dir() / f"{name}.schema.json" for name in ("annotation", "project")]
