"""One exception tree for everything a user can get wrong.

Every error carries a message that says what is wrong and what to do next,
and the exit code the CLI turns it into.  The CLI catches ``AnnotateError``
in exactly one place (``cli.AnnotateGroup``); anything else is a bug and is
allowed to show its traceback.
"""

from __future__ import annotations

# Exit codes, documented in the README: 0 ok, 1 findings, 2 usage or
# unreadable input, 3 internal error (a bug; never 1, which CI reads as
# "the annotations are invalid").
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class AnnotateError(Exception):
    """Base of every error the user can cause; the message is for them."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WorkspaceError(AnnotateError):
    """No workspace, or its project file is missing or invalid."""


class UnknownDocumentError(AnnotateError):
    """The document id or path names no document of the corpus."""


class DocumentEncodingError(AnnotateError):
    """A document is not valid UTF-8."""


class UnknownLabelError(AnnotateError):
    """A label (or verdict) is not in the project's taxonomy."""


class SpanError(AnnotateError):
    """A span cannot be picked: empty, reversed, out of range, not found, ambiguous."""


class InvalidValueError(AnnotateError):
    """A field given on the command line is malformed (reviewer, URL, ...)."""


class AnnotationNotFoundError(AnnotateError):
    """No annotation has that id (or the id prefix is ambiguous)."""


class CorruptFileError(AnnotateError):
    """A file of the workspace does not parse or does not match its schema.

    Carries the position so the message reads like a compiler's and the
    file is never rewritten.
    """

    def __init__(self, path: str, line: int, column: int, problem: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.problem = problem
        super().__init__(
            f"{path}:{line}:{column}: {problem} "
            "(the file was left untouched; fix it by hand or restore it from git)"
        )


class LockTimeoutError(AnnotateError):
    """Another process held the annotation file's lock for too long."""


class GitSetupError(AnnotateError):
    """Git cannot be set up to merge annotation files: no git, or no repository here."""


class UnsafePathError(AnnotateError):
    """A path leaves the workspace (through a symbolic link or ``..``), or is
    not a regular file where one is expected (a FIFO, a device, a folder)."""


class WriteError(AnnotateError):
    """The operating system refused a write (permissions, a full disk ...)."""


class TooFewReviewersError(AnnotateError):
    """No document has two reviewers, so there is no agreement to measure."""


class UnknownPositionError(AnnotateError):
    """A position id that the document's merge does not have."""


class UnreadableInputError(AnnotateError):
    """A file named on the command line to read from (an import) is missing,
    unreadable or not a regular file."""


class InputTooLargeError(AnnotateError):
    """A file to read from is larger than annotate reads (an import's limit)."""


class FetchError(AnnotateError):
    """A page cannot be brought in: not an http(s) address, unreachable, an HTTP
    error status, too large, too slow, a redirect loop, not an HTML page, or
    bytes that are not in the charset the page declares."""


class ExtractionError(AnnotateError):
    """A page was read but holds no article text annotate can find (a page of
    navigation, a paywall, a cookie wall, a page its scripts draw)."""


class DocumentChangedError(AnnotateError):
    """The document's file changed while an interactive review was deciding on it."""


class UnknownVersionError(AnnotateError):
    """A VERSION (`annotate diff --from/--to`) names no stored version of the
    document, names several, or cannot be read."""
