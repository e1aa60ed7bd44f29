"""Reviewers' files that passed every check, remembered by content, so that
reading one again skips the parse and the checks.

Reading an annotation file is a strict JSON parse (duplicate keys refused),
the schema and the rule book's checks, then an Annotation per record: about
14 µs a record, 1.4 s of the 3 s that `merge` and `agreement` spend on
100,000 annotations (benchmarks/bench_commands.py).  What it yields depends
only on the file's bytes and the code and schema that check it, so it is
remembered under a hash of exactly those: a file changed in any byte is
another key and is checked as ever.  Only files that passed are remembered,
as the Annotation fields of each record, with the (document, reviewer)
pairs they belong to: a reader that asks for the owner's own file (the
same bytes under another reviewer's name are not) is answered only if
these are its owner's alone, so one entry serves `merge` and `list` alike.

Where: the user's cache folder ($ANNOTATE_CACHE_DIR, else
$XDG_CACHE_HOME/annotate, else ~/.cache/annotate), not the workspace's
.annotate-cache.  A reader believes these records without checking them
again, so they must come from this user's own runs: a folder inside the
workspace can arrive in a commit from anyone who can push to the
repository.  The folder is used only if it is a real directory owned by the
user that no one else can write.  ANNOTATE_NO_CACHE=1 turns the cache off.
A folder that cannot be made or written is no error: nothing is cached.

Format: marshal, the format of Python's own .pyc files, because loading
100,000 records' fields takes 0.12 s where json takes 0.4 s; each record
is the dict of an Annotation's fields, which becomes the object's own.
An entry is the CRC-32 of its payload, then the payload, which names its
format, key and owners; one whose hash, format or key does not match, or
that holds anything but dicts of exactly the fields, is ignored.  Files under
``SMALLEST`` are not remembered (they parse in about a millisecond), and
the folder is kept under ``BUDGET`` bytes, the least recently used first out.

When: under the console script, entries are written after the command, by
a detached copy of the process (annotate.background), which holds the
folder's lock file ``.writing`` until it is done; a command that misses an
entry while a writer is at work waits for it, once.  The same folder's
sibling ``secret/`` keeps the user's secret that salts the caches a
workspace holds (``user_secret``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import importlib.util
import marshal
import os
import secrets
import stat
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotate import background
from annotate.files import open_regular
from annotate.model import Annotation

_FORMAT = 5
_DIGEST_SIZE = 4  # an entry: the CRC-32 of its payload, then the payload (_seal)
SMALLEST = 32 * 1024  # bytes of annotation file worth remembering
BUDGET = 256 * 1024 * 1024  # bytes of cache entries kept
_KEEP_AFTER_PRUNING = BUDGET * 3 // 4
# The modules whose code decides what a file's records are, and the schema:
# the key changes with any of them (annotate's version alone does not
# change while it is being developed).
_DECIDING_MODULES = ("annotate.jsonpos", "annotate.records", "annotate.rules",
                     "annotate.schema", "annotate.model", "annotate.codes")
# The libraries that judge the schema's keywords and formats: a new
# install of one changes the stat of its module file.
_JUDGING_LIBRARIES = ("jsonschema", "jsonschema_rs", "rfc3339_validator")


def key_of(data: bytes) -> str | None:
    """The name of the entry of a file with these bytes: a hash of the salt
    and the bytes.  None for a file not worth remembering (under SMALLEST),
    with the cache off, or when the code the salt reads cannot be read."""
    if len(data) < SMALLEST or _turned_off():
        return None
    try:
        salt = _salt()
    except OSError:
        return None
    digest = hashlib.sha256(salt)
    digest.update(data)
    return digest.hexdigest()


def recall(key: str | None, owner: tuple[str, str] | None) -> list[Annotation] | None:
    """The records of the file whose entry is ``key`` (``key_of``), if a run
    remembered them; with ``owner`` (document, reviewer), only if every record
    is theirs (else the reader's own checks say which is not)."""
    if key is None:
        return None
    pending = _pending.get(key)
    if pending is not None:  # read before in this command; written after it
        mine = owner is None or all((a.document, a.reviewer) == owner for a in pending)
        return list(pending) if mine else None
    with _opened_folder() as folder:
        if folder is None:
            return None
        try:
            with _open_entry(key, folder) as opened:
                # Whole, then loaded: marshal.load on the file reads it
                # piecemeal, seven times slower.
                entry = memoryview(opened.read())
            # marshal trusts its input: one damaged byte of a length can make
            # it allocate gigabytes, one in a string changes a quote.  The
            # payload's checksum is checked first.  (Views, not copies: an
            # entry holds megabytes.)
            payload = entry[_DIGEST_SIZE:]
            if _checksum(payload) != entry[:_DIGEST_SIZE]:
                return None
            stored = marshal.loads(payload)
            os.utime(key, dir_fd=folder)  # recently used: the last to be pruned
        except (OSError, EOFError, ValueError, TypeError, MemoryError):
            return None
    if not (isinstance(stored, tuple) and len(stored) == 4 and stored[0] == _FORMAT
            and stored[1] == key and isinstance(stored[2], tuple)
            and isinstance(stored[3], tuple)):
        return None
    owners, rows = stored[2], stored[3]
    if owner is not None and any(each != owner for each in owners):
        return None
    try:
        return list(map(Annotation.from_fields, rows))
    except (TypeError, AttributeError):  # not a dict of exactly the fields
        return None


def _open_entry(key: str, folder: int) -> BinaryIO:
    """The entry, open.  One that is missing while a writer is at work (the
    command just before this one, as in a script: `merge && agreement`) is
    looked for again once it is done, the first time only: the wait is
    shorter than parsing what it writes (``WRITER_WAIT`` at most)."""
    try:
        return _open_regular(key, folder)
    except FileNotFoundError:
        if not _waited_for_writer(folder):
            raise
        return _open_regular(key, folder)


def _open_regular(name: str, folder: int) -> BinaryIO:
    """A regular file of the folder, open for reading; OSError for anything else
    (a link; a FIFO, which would block, is opened non-blocking and refused)."""
    return open_regular(name, follow_links=False, dir_fd=folder)


WRITER_WAIT = 5.0  # seconds


def _waited_for_writer(folder: int) -> bool:
    """Whether a writer was at work and is done now (asked once a process)."""
    global _asked_writer
    if _asked_writer:
        return False
    _asked_writer = True
    return _wait_for_lock(folder, WRITER_WAIT)


_asked_writer = False


def remember(key: str | None, annotations: list[Annotation]) -> None:
    """Remember the records of the file whose entry is ``key`` (``key_of``),
    which passed every check a reader applies (but the owner's, which recall
    asks again).

    Under the console script the entry is written after the command, by a
    detached copy of the process (annotate.background): encoding 100,000
    records takes half a second nobody need wait for.  ``wait_for_writer``
    waits for that copy.
    """
    if key is None:
        return
    if background.defer(_write_pending, prepare=_hold_writer_lock):
        _pending[key] = annotations
        return
    _write(key, annotations)


# Entries whose writing waits for the end of the command (recall answers from
# them meanwhile: a command that reads a file twice parses it once), and the
# lock, in the folder, that the writer holds until they are written.
_pending: dict[str, list[Annotation]] = {}
_WRITER_LOCK = ".writing"


def _write_pending() -> None:
    for key, records in _pending.items():
        _write(key, records)
    _pending.clear()


def _write(key: str, annotations: list[Annotation]) -> None:
    with _opened_folder() as folder:
        if folder is None:
            return
        # The (document, reviewer) of the records, which recall holds to the
        # reader's owner without reaching every record.
        owners = tuple(sorted({(a.document, a.reviewer) for a in annotations}))
        payload = marshal.dumps((_FORMAT, key, owners, _shared(annotations)))
        temporary = f".{key}.{secrets.token_hex(4)}.tmp"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW,
                             0o600, dir_fd=folder)
            with open(handle, "wb") as out:
                out.write(_seal(payload))
            os.replace(temporary, key, src_dir_fd=folder, dst_dir_fd=folder)
        except OSError:  # a full disk, a folder made read-only since: no entry
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            return
        _prune(folder)


def _hold_writer_lock() -> None:
    """Take the writer's lock as the command ends, just before the copy that
    writes its entries is made (annotate.background): the copy inherits the
    open file, and so the lock, until it is done.  Held only then, a long
    command (`annotate review`) keeps no one waiting; in the folder, which
    is the user's alone (_opened_folder), no one else can take it."""
    with _opened_folder() as folder, contextlib.suppress(OSError):
        if folder is None:
            return
        handle = os.open(_WRITER_LOCK, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK,
                         0o600, dir_fd=folder)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another writer holds it: waiters wait for that one
            os.close(handle)
            return
        background.keep_open(handle)  # until the copy has written the entries


def wait_for_writer(base: Path | None = None, timeout: float = 120.0) -> bool:
    """Wait until no process is writing entries after its command (remember),
    at most ``timeout`` seconds; whether one was, and is done.  Benchmarks and
    tests look at the folder right after a command.  ``base``: the cache's
    folder ($ANNOTATE_CACHE_DIR), if not this process's."""
    with _opened_folder(None if base is None else base / "records") as folder:
        return folder is not None and _wait_for_lock(folder, timeout)


def _wait_for_lock(folder: int, timeout: float) -> bool:
    """Whether the writer's lock was held and was let go within ``timeout`` seconds."""
    try:
        lock = _open_regular(_WRITER_LOCK, folder)
    except OSError:
        return False  # no writer has ever run here
    with lock:
        return _let_go(lock.fileno(), timeout)


def _let_go(handle: int, timeout: float) -> bool:
    """Whether a lock held on the open file was let go within ``timeout`` seconds."""
    try:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return waited
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                waited = True
                time.sleep(0.01)
    except OSError:
        return False


def _seal(payload: bytes) -> bytes:
    """An entry: the payload's checksum, then the payload."""
    return _checksum(payload) + payload


def _checksum(payload: bytes | memoryview) -> bytes:
    """CRC-32.  Only this user's runs write the folder, so the checksum is
    against damage (a disk, a killed copy), not forgery: CRC-32 catches
    every burst of up to 32 bits and reads 48 MB in 7 ms, where SHA-256
    takes 24 ms."""
    return zlib.crc32(payload).to_bytes(_DIGEST_SIZE, "big")


def _shared(annotations: list[Annotation]) -> tuple[dict[str, Any], ...]:
    """Each record's fields, with equal values of the fields records share
    (document, version, reviewer, label, timestamps, sources...) made one
    object: marshal then stores each once, and a load builds (and the
    end of the command frees) about half as many objects."""
    seen: dict[tuple[type, Any], Any] = {}
    rows = []
    for annotation in annotations:
        row = annotation.fields_of()
        # As the reader builds them, even if a writer passed lists.
        row["sources"], row["tags"] = tuple(row["sources"]), tuple(row["tags"])
        for name in _SHARED_FIELDS:
            value = row[name]
            row[name] = seen.setdefault((type(value), value), value)
        rows.append(row)
    return tuple(rows)


# Fields whose values repeat across a file's records (all hashable).
_SHARED_FIELDS = ("document", "document_sha256", "label", "reviewer", "note", "sources",
                  "created", "modified", "verdict", "tags")


def cache_folder() -> Path | None:
    """Where entries live, made if need be; None when the cache is off."""
    return None if _turned_off() else _user_folder("records")


def _user_folder(name: str) -> Path | None:
    """A folder of the user's cache folder, made if need be (None if it cannot be)."""
    if os.open not in os.supports_dir_fd:
        return None  # (files are opened relative to the checked folder)
    base = os.environ.get("ANNOTATE_CACHE_DIR")
    # A relative folder is ignored, as the XDG base directory spec has it for
    # its own variables: it would be taken from wherever a command runs,
    # often a checkout, where a secret could be committed and then believed.
    if not (base and os.path.isabs(base)):
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (os.path.join(xdg, "annotate") if xdg and os.path.isabs(xdg)
                else os.path.join(os.path.expanduser("~"), ".cache", "annotate"))
    folder = Path(base) / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def user_secret() -> bytes:
    """32 random bytes of this user's, kept in their cache folder (made on first
    use; ANNOTATE_NO_CACHE does not touch it).

    Caches that live in the workspace (validate's) are salted with it.  Such
    a cache is believed, and a checkout can bring one: anyone who can push
    can commit a .annotate-cache with forged findings, whose key is otherwise
    computed from what the repository holds.  Keyed by a secret that never
    leaves this machine, a cache someone else made never matches.  Where
    the folder cannot keep one, a secret of this process: such caches then
    last one run.
    """
    folder = _user_folder("secret")
    kept = None if folder is None else _kept_secret(str(folder))
    return kept if kept is not None else _PROCESS_SECRET


_PROCESS_SECRET = secrets.token_bytes(32)
_SECRET_SIZE = 32


@functools.cache
def _kept_secret(folder: str) -> bytes | None:
    """The secret kept in the folder, made if there is none (or a broken one);
    None if the folder is not safe (see _opened_folder) or cannot keep one."""
    with _opened_folder(Path(folder)) as opened:
        if opened is None:
            return None
        with contextlib.suppress(OSError):
            with _open_regular("key", opened) as kept:
                found = kept.read(_SECRET_SIZE + 1)
            if len(found) == _SECRET_SIZE:
                return found
        # None, or a broken one (a full disk cut it short): made whole in a
        # temporary file first, so that no reader ever sees it half written.
        made = secrets.token_bytes(_SECRET_SIZE)
        temporary = f".key.{secrets.token_hex(4)}.tmp"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW,
                             0o600, dir_fd=opened)
            with open(handle, "wb") as out:
                out.write(made)
            os.replace(temporary, "key", src_dir_fd=opened, dst_dir_fd=opened)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=opened)
            return None
        return made


def _turned_off() -> bool:
    return os.environ.get("ANNOTATE_NO_CACHE", "") not in ("", "0")


@contextlib.contextmanager
def _opened_folder(folder: Path | None = None) -> Iterator[int | None]:
    """The cache folder (or another of the user's cache), open, if it is safe to
    believe (see the module's docstring): a real directory, not a link to
    one, owned by this user, that no one else can write.  Entries are opened
    relative to this very folder, so it cannot be swapped for another
    between the check and the use."""
    folder = cache_folder() if folder is None else folder
    if folder is None:
        yield None
        return
    try:
        handle = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except OSError:
        yield None
        return
    try:
        found = os.fstat(handle)
        getuid = getattr(os, "getuid", None)
        safe = (stat.S_ISDIR(found.st_mode) and not found.st_mode & 0o022
                and (getuid is None or found.st_uid == getuid()))
        yield handle if safe else None
    finally:
        os.close(handle)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


@functools.cache
def _salt() -> bytes:
    """What the outcome of a check depends on besides the file: this cache's
    format, Python's version, the deciding modules' code and the schema, and
    the stat of the libraries that judge the schema."""
    from annotate.schema import schema_dir

    digest = hashlib.sha256(f"{_FORMAT}\0{sys.version}\0".encode())
    for name in _DECIDING_MODULES:
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None)
        if origin is None:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec is not None else None
        digest.update(Path(origin).read_bytes() if origin else name.encode())
    digest.update((schema_dir() / "annotation.schema.json").read_bytes())
    for name in _JUDGING_LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        found: Any = os.stat(origin) if origin else None
        digest.update(repr((name, origin, found and (found.st_size, found.st_mtime_ns)))
                      .encode("utf-8", "surrogatepass"))
    return digest.digest()


def _prune(folder: int) -> None:
    """Keep the folder under BUDGET: the least recently used entries go first."""
    entries = []
    with contextlib.suppress(OSError), os.scandir(folder) as found:
        for entry in found:
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.name != _WRITER_LOCK:
                    info = entry.stat(follow_symlinks=False)
                    entries.append((info.st_mtime_ns, info.st_size, entry.name))
    total = sum(size for _, size, _ in entries)
    if total <= BUDGET:
        return
    for _, size, name in sorted(entries):
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=folder)
            total -= size
        if total <= _KEEP_AFTER_PRUNING:
            return
