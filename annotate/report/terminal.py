"""Terminal helpers: when to use colour, and how to paint with a label's colour."""

from __future__ import annotations

import os
from typing import IO

RESET = "\x1b[0m"


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
    red, green, blue = _rgb(color)
    return f"\x1b[1;38;2;{red};{green};{blue}m"
