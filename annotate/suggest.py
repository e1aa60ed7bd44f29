"""Commands suggested in messages, written so that they can be pasted.

Messages quote a whole command in single quotes ("run 'annotate reanchor
DOC'"); a document id may hold spaces, quotes, a dollar sign, a leading
dash or a control character, and pasted as it is it would be split,
expanded, taken for an option or shown otherwise than it is.
"""

from __future__ import annotations

import re

# What a POSIX shell takes as one literal word (shlex.quote's safe set).
_PLAIN = re.compile(r"[\w@%+=:,./-]+", re.ASCII)
_SPECIAL_IN_DOUBLE_QUOTES = re.compile(r'([$`"\\])')


def shell_word(text: str) -> str:
    """``text`` as one word of a shell command, read back as ``text`` by sh,
    bash and zsh (an interactive one too):

    - as it is when nothing in it is special to a shell;
    - after ``./`` when it starts with ``-`` (a document id is a path under
      the corpus folder, so ``./-draft.txt`` names it, where ``-draft.txt``
      would be an option);
    - in ``$'...'`` with escapes when it holds a character a terminal would
      not show as itself (a control or a bidirectional control): bash and
      zsh read it back (a plain POSIX sh such as dash does not; nothing
      shown on a terminal could name such a file there);
    - in single quotes when it holds a ``!`` (an interactive bash expands
      it inside double quotes);
    - else in double quotes (single ones would close the message's), with
      ``$ ` " \\`` escaped.
    """
    if text.startswith("-"):
        text = "./" + text
    if _PLAIN.fullmatch(text):
        return text
    if not text.isprintable():
        return "$'" + "".join(_ansi_c(char) for char in text) + "'"
    if "!" in text:
        return "'" + text.replace("'", "'\\''") + "'"
    return '"' + _SPECIAL_IN_DOUBLE_QUOTES.sub(r"\\\1", text) + '"'


def _ansi_c(char: str) -> str:
    """One character inside $'...'."""
    if char in "\\'":
        return "\\" + char
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"
