"""Terminal helpers: the one escaping function for user-supplied text, when
to use colour, and how to paint with a label's colour."""

from __future__ import annotations

import os
import re
from typing import IO

RESET = "\x1b[0m"

# C0 and C1 controls and DEL (escape sequences, BEL, line breaks that would
# forge output lines), the bidirectional overrides, embeddings and isolates
# that reorder what a reader sees (CVE-2021-42574, "Trojan Source"), the
# byte order mark (invisible: a diff that adds one would show nothing), and
# lone surrogates, which no UTF-8 stream can carry.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ufeff\ud800-\udfff]")


def escape(text: str, keep: str = "") -> str:
    """``text`` safe to print: controls written as Python escapes (``\\x1b``),
    bidi controls as ``<U+202E>``, lone surrogates as ``\\udcff``.

    Tab and the characters in ``keep`` (e.g. "\\n" where the layout needs
    line breaks) are left as they are.  Every renderer that prints user
    text to a terminal or a log passes it through here.
    """
    def visible(match: re.Match[str]) -> str:
        char = match.group()
        code = ord(char)
        if char == "\t" or char in keep:
            return char
        if code < 0x100:
            return repr(char)[1:-1]  # \n, \x1b, \x85: as Python writes them
        if 0xD800 <= code <= 0xDFFF:
            return f"\\u{code:04x}"
        return f"<U+{code:04X}>"

    return _UNSAFE.sub(visible, text)


def use_color(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def background(color: str) -> str:
    """24-bit background in the label's colour, with black or white text for contrast."""
    red, green, blue = _rgb(color)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    foreground = "30" if luminance > 140 else "97"
    return f"\x1b[48;2;{red};{green};{blue}m\x1b[{foreground}m"


def foreground(color: str) -> str:
    """Bold 24-bit foreground in the label's colour."""
    red, green, blue = _rgb(color)
    return f"\x1b[1;38;2;{red};{green};{blue}m"
