"""Commands suggested in messages, written so that they can be pasted.

Messages quote a whole command in single quotes ("run 'annotate reanchor
DOC'"); a document id may hold spaces, quotes or a dollar sign, and pasted
as it is it would be split or expanded by the shell.
"""

from __future__ import annotations

import re

# What a POSIX shell takes as one literal word (shlex.quote's safe set).
_PLAIN = re.compile(r"[\w@%+=:,./-]+", re.ASCII)
_SPECIAL_IN_DOUBLE_QUOTES = re.compile(r'([$`"\\])')


def shell_word(text: str) -> str:
    """``text`` as one word of a shell command: as it is when nothing in it is
    special to the shell, else in double quotes (single ones would close the
    message's), with ``$ ` " \\`` escaped."""
    if _PLAIN.fullmatch(text):
        return text
    return '"' + _SPECIAL_IN_DOUBLE_QUOTES.sub(r"\\\1", text) + '"'
