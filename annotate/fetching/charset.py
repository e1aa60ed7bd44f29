"""A page's bytes as text: which charset, in the order the HTML standard
gives (https://html.spec.whatwg.org/#determining-the-character-encoding):
a byte order mark, then the HTTP header's charset, then the page's own
``<meta charset>`` (or ``http-equiv`` Content-Type, or an XML declaration)
near its start.

Labels are read as browsers read them (the WHATWG Encoding Standard):
"iso-8859-1" and "us-ascii" mean windows-1252, "Shift_JIS" means Microsoft's
cp932 (which real Shift_JIS pages use: ①, ㈱ ...), "gb2312" means gb18030.

Every declared charset is checked: the bytes must decode strictly.  When
the header lies (says UTF-8, the bytes are not) and the page's own
declaration fits the bytes, that one is used and the caller is told; when
no declaration fits, the page is refused (FetchError, one line) rather than
stored with mojibake or replacement characters a reviewer would annotate.
Only a page that declares nothing at all is read as UTF-8, or failing that
as the charset charset_normalizer detects, with a note.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from annotate.errors import FetchError

# WHATWG labels whose Python codec of the same name decodes less than browsers do.
_WHATWG: dict[str, str] = {
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "ascii",
                     "us-ascii", "cp819", "ibm819", "csisolatin1", "iso-ir-100",
                     "windows-1252", "x-cp1252", "cp1252"), "cp1252"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "ms_kanji", "x-sjis", "windows-31j",
                     "csshiftjis", "ms932", "cp932"), "cp932"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "cp936", "chinese", "csgb2312",
                     "gb_2312-80", "iso-ir-58", "gb18030"), "gb18030"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "windows-949", "korean", "cseuckr",
                     "cp949"), "cp949"),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5"), "big5hkscs"),
    **dict.fromkeys(("iso-8859-9", "latin5", "windows-1254", "cp1254"), "cp1254"),
    **dict.fromkeys(("tis-620", "iso-8859-11", "windows-874", "cp874"), "cp874"),
}
# Labels a page must not get to choose: UTF-7 smuggles markup past filters.
_REFUSED = frozenset({"utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7"})

# How far into the page its own declaration is looked for (the standard's
# prescan reads 1024 bytes; real pages put long scripts before it).
PRESCAN_BYTES = 4096
_META = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_:.+-]+)", re.I)
_XML = re.compile(rb"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9_:.+-]+)")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True)
class Decoded:
    """A page as text, and which charset was used (the Python codec's name)."""

    text: str
    charset: str
    note: str | None = None  # for the user: a declaration that lied, or a guess


def codec(label: str | None) -> str | None:
    """The Python codec a charset label means to a browser; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _REFUSED:
        return None
    if name in _WHATWG:
        return _WHATWG[name]
    try:
        found = codecs.lookup(name)
    except LookupError:
        return None
    if found.name in _REFUSED or not getattr(found, "_is_text_encoding", True):
        return None  # a bytes-to-bytes codec such as "hex" is no charset
    return _WHATWG.get(found.name, found.name)


def page_declaration(data: bytes) -> str | None:
    """The charset label a page declares near its start (meta or XML), if any."""
    head = data[:PRESCAN_BYTES]
    found = _XML.match(head) or _META.search(head)
    return found.group(1).decode("ascii") if found else None


def decode_page(data: bytes, header_charset: str | None, shown: str) -> Decoded:
    """The page's text (see the module's docstring); FetchError if the
    charsets it declares do not fit its bytes.  ``shown`` names the page in
    messages."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom):], name, f"its byte order mark ({name})", shown)
    declared = page_declaration(data)
    header_codec, page_codec = codec(header_charset), codec(declared)
    if header_codec is not None:
        try:
            return Decoded(data.decode(header_codec), header_codec)
        except UnicodeDecodeError as error:
            lie = error
        if page_codec is not None and page_codec != header_codec:
            try:
                text = data.decode(page_codec)
            except UnicodeDecodeError:
                pass
            else:
                return Decoded(text, page_codec, (
                    f"the server said the page is {header_charset} but its bytes are not "
                    f"({_where(lie)}); read it as {declared}, which the page itself declares"))
        raise FetchError(
            f"{shown}: the server says the page is {header_charset}, but {_where(lie)} is not "
            f"{header_charset}" + (f" (nor {declared}, which the page declares)"
                                   if page_codec not in (None, header_codec) else "")
            + "; annotate does not guess: save the page from your browser and run "
            "'annotate ingest page.html'")
    if page_codec is not None:
        return _strict(data, page_codec, f"its own <meta charset> ({declared})", shown)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise FetchError(f"{shown} declares no charset and its bytes are not text in any "
                         "charset annotate knows; save the page from your browser and run "
                         "'annotate ingest page.html'")
    name = codec(best.encoding) or best.encoding
    return Decoded(str(best), name, f"the page declares no charset and is not UTF-8; read it "
                                    f"as {name}, the likeliest: check the text")


def _strict(data: bytes, name: str, declared: str, shown: str) -> Decoded:
    try:
        return Decoded(data.decode(name), name)
    except UnicodeDecodeError as error:
        raise FetchError(f"{shown}: {declared} does not fit its bytes: {_where(error)} is "
                         f"not {name}; annotate does not guess: save the page from your "
                         "browser and run 'annotate ingest page.html'") from None


def _where(error: UnicodeDecodeError) -> str:
    return f"byte {error.start:,} (0x{error.object[error.start]:02x})"
