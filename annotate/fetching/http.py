"""One web page over http(s), with the standard library's urllib.

urllib, not requests or httpx: one GET with redirects is all `fetch` does,
and urllib already honours the proxy variables (``https_proxy``,
``no_proxy``) and the system's certificate store.  What it lacks is added
here:

- a deadline for the whole download.  A socket timeout bounds each read
  only, so a server dripping a byte a second (slow loris) would hold a
  download for hours; a watchdog thread shuts the connection's socket down
  when the deadline passes, whatever the download is waiting for;
- a size limit enforced while the body streams in (and up front from
  Content-Length): a 500 MB answer is never held in memory;
- redirects recorded hop by hop, each checked (http(s) only, no loops, at
  most ``max_redirects``);
- errors worded for the user, each an ``errors.FetchError`` (exit 2).

Pages are asked for uncompressed (``Accept-Encoding: identity``): the size
limit then bounds what is read, and no decompression bomb can get past it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotate import __version__
from annotate.errors import FetchError

if TYPE_CHECKING:
    import socket
    import urllib.request

# Names the tool, as a polite client does; sites that refuse it can still be
# brought in from a page saved in a browser (`annotate ingest`).
USER_AGENT = f"annotate/{__version__} (fact-checking annotation toolkit; Python urllib)"

DEFAULT_TIMEOUT = 30.0  # seconds, for the whole download
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # trafilatura's own download limit
DEFAULT_MAX_REDIRECTS = 10  # urllib's and most browsers' limit is about this

# What an HTML page is served as; a missing Content-Type is tried as HTML.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """How long and how much one download may take."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS


@dataclass(frozen=True)
class Download:
    """A page as the server sent it."""

    url: str  # as asked for (ASCII: an IRI is percent-encoded, a host IDNA-encoded)
    final_url: str  # after every redirect
    redirects: tuple[str, ...]  # each address redirected to, in order (final_url last)
    status: int
    content_type: str | None  # the Content-Type header as sent, or None
    charset: str | None  # its charset parameter
    body: bytes


def request_address(url: str) -> str:
    """``url`` as an ASCII http(s) address to request; FetchError for any
    other scheme, a missing host, or spaces and control characters."""
    from urllib.parse import urlsplit, urlunsplit

    shown = _shown(url)
    if not url or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise FetchError(f"{shown} is not a web address (it is empty or holds spaces or "
                         "control characters); give one such as https://example.org/news/1")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(f"{shown} is not a web address: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        given = f"a {scheme}: address, not http(s)" if scheme else "not an absolute address"
        raise FetchError(f"{shown} is {given}; annotate fetches web pages only (for a file on "
                         "this computer, run 'annotate ingest FILE')")
    host = parts.hostname
    if not host:
        raise FetchError(f"{shown} names no host; give a full address such as "
                         "https://example.org/news/1")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError(f"{shown}: the host name {host!r} is not valid") from None
    netloc = ascii_host if ":" not in ascii_host else f"[{ascii_host}]"
    if port is not None:
        netloc += f":{port}"
    if parts.username or parts.password:
        raise FetchError(f"{shown} carries a user name or password; annotate does not send "
                         "credentials: save the page from your browser and run 'annotate "
                         "ingest FILE'")
    rest = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return f"{scheme}://{netloc}{_percent_encode(rest)}"


def _percent_encode(text: str) -> str:
    """Each non-ASCII character as its percent-encoded UTF-8 bytes (RFC 3987 3.1)."""
    from urllib.parse import quote

    return "".join(ch if ch.isascii() else quote(ch, safe="") for ch in text)


def _shown(url: str, limit: int = 200) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def download(url: str, limits: Limits | None = None) -> Download:
    """GET ``url``, following redirects, within ``limits``; FetchError with one
    line for the user on any failure (nothing is retried)."""
    import http.client
    import ssl
    import urllib.error
    import urllib.request

    limits = limits or Limits()
    address = request_address(url)
    deadline = _Deadline(limits.timeout)
    chain = [address]
    opener = urllib.request.build_opener(
        _redirect_handler(chain, limits.max_redirects),
        _http_handler(deadline),
        _https_handler(deadline, ssl.create_default_context()))
    request = urllib.request.Request(address, headers={
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "identity",
    })
    try:
        with deadline.running(), opener.open(request, timeout=limits.timeout) as response:
            content_type = response.headers.get("Content-Type")
            _check_type(chain[-1], content_type, response.headers.get_content_type())
            _check_length(chain[-1], response.headers.get("Content-Length"), limits.max_bytes)
            body = _read(response, chain[-1], limits.max_bytes)
            status = response.status
            charset = response.headers.get_content_charset()
    except FetchError:
        raise
    except urllib.error.HTTPError as error:
        error.close()
        if deadline.expired:
            raise _timeout(chain[-1], limits) from None
        raise _status_error(chain[-1], error.code, error.reason) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        if deadline.expired:
            raise _timeout(chain[-1], limits) from None
        raise _network_error(chain[-1], error, limits) from None
    if deadline.expired:  # the watchdog's shutdown can look like a clean end of the body
        raise _timeout(chain[-1], limits)
    return Download(address, chain[-1], tuple(chain[1:]), status, content_type, charset, body)


# -- the deadline ------------------------------------------------------------------------


class _Deadline:
    """Shuts every watched socket down when ``seconds`` have passed since
    ``running()`` began: a blocked read then returns or fails at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @contextmanager
    def running(self) -> Iterator[None]:
        timer = threading.Timer(self.seconds, self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    import socket as sockets

    # The plain socket's shutdown, also for a TLS socket: its own would first
    # tear down the TLS state the reading thread is using.  Closed already: fine.
    with suppress(OSError):
        sockets.socket.shutdown(sock, sockets.SHUT_RDWR)


# -- urllib's handlers, fitted ----------------------------------------------------------


def _watched(base: Any, deadline: _Deadline) -> Any:
    """A connection class whose socket the deadline watches once connected."""

    class Watched(base):  # type: ignore[misc]
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    return Watched


def _http_handler(deadline: _Deadline) -> urllib.request.BaseHandler:
    import http.client
    import urllib.request

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(_watched(http.client.HTTPConnection, deadline), req)

    return Handler()


def _https_handler(deadline: _Deadline, context: Any) -> urllib.request.BaseHandler:
    import http.client
    import urllib.request

    class Handler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(_watched(http.client.HTTPSConnection, deadline), req,
                                context=context)

    return Handler(context=context)


def _redirect_handler(chain: list[str], limit: int) -> urllib.request.BaseHandler:
    import urllib.request

    class Handler(urllib.request.HTTPRedirectHandler):
        # urllib's own loop check (a URL seen 4 times, 10 hops) comes after
        # ours, which stops at the first repeat.
        max_redirections = limit + 2

        def redirect_request(self, req: urllib.request.Request, fp: Any, code: int,
                             msg: str, headers: Any, newurl: str
                             ) -> urllib.request.Request | None:
            source = chain[-1]
            try:
                target = request_address(newurl)
            except FetchError:
                raise FetchError(f"{_shown(source)} redirects to {_shown(newurl)}, which is "
                                 "not an http(s) address; annotate follows http(s) "
                                 "redirects only") from None
            if target in chain:
                loop = " → ".join(_shown(u, 80) for u in chain[chain.index(target):])
                raise FetchError(f"redirect loop: {loop} → {_shown(target, 80)}; the site "
                                 "sends the request round in a circle (try the address "
                                 "in a browser)")
            if len(chain) > limit:
                raise FetchError(f"{_shown(chain[0])} redirects more than {limit} times "
                                 f"(last to {_shown(target)}); give the final address")
            chain.append(target)
            return super().redirect_request(req, fp, code, msg, headers, target)

    return Handler()


# -- checks and messages ----------------------------------------------------------------


def _check_type(url: str, header: str | None, media_type: str) -> None:
    """Refuse what is not an HTML page; a missing Content-Type is tried as HTML."""
    if header is None or media_type in HTML_TYPES:
        return
    if media_type == "application/pdf":
        raise FetchError(f"{_shown(url)} is a PDF (application/pdf): annotate does not read "
                         "PDFs yet; copy the article's text into a .txt file and run "
                         "'annotate ingest FILE.txt'")
    raise FetchError(f"{_shown(url)} is {media_type}, not a web page (text/html); annotate "
                     "fetches HTML pages: save the text as a .txt file and run "
                     "'annotate ingest FILE.txt'")


def _check_length(url: str, header: str | None, limit: int) -> None:
    if header is not None and header.strip().isdigit() and int(header) > limit:
        raise FetchError(f"{_shown(url)} is {int(header):,} bytes, more than the "
                         f"{_size(limit)} annotate reads from one page; nothing was "
                         "read (raise the limit with --max-size)")


def _read(response: Any, url: str, limit: int) -> bytes:
    """The body, streamed: refused as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise FetchError(f"{_shown(url)} is larger than the {_size(limit)} annotate reads "
                             "from one page; stopped reading there, nothing was written "
                             "(raise the limit with --max-size)")
        chunks.append(chunk)


def _size(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{limit:,} bytes"


def _timeout(url: str, limits: Limits) -> FetchError:
    return FetchError(f"{_shown(url)} did not answer in full within {limits.timeout:g} s; "
                      "nothing was written (try again later, or raise --timeout)")


def _status_error(url: str, code: int, reason: str) -> FetchError:
    reason = " ".join(str(reason).split())[:80]
    if 300 <= code < 400:
        return FetchError(f"{_shown(url)} answered {code} {reason}: a redirect annotate cannot "
                          "follow; open the address in a browser and give the final one")
    if code in (401, 402, 403, 407, 451):
        hint = ("the page is behind a login, a paywall or a block; save it from your "
                "browser and run 'annotate ingest page.html'")
    elif code in (404, 410):
        hint = "check the address"
    elif code >= 500:
        hint = "the site has a problem; try again later"
    else:
        hint = "check the address"
    return FetchError(f"{_shown(url)} answered {code} {reason}; {hint} (nothing was written)")


def _network_error(url: str, error: BaseException, limits: Limits) -> FetchError:
    import http.client
    import socket
    import ssl
    import urllib.error

    reason: Any = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError):
        return _timeout(url, limits)
    from urllib.parse import urlsplit

    host = urlsplit(url).netloc
    if isinstance(reason, socket.gaierror):
        what = f"cannot find the host {host} (DNS: {reason.strerror or reason}); check the address"
    elif isinstance(reason, ConnectionRefusedError):
        what = f"cannot connect to {host}: connection refused; check the address and port"
    elif isinstance(reason, ssl.SSLCertVerificationError):
        what = (f"the certificate of {host} cannot be verified "
                f"({reason.verify_message or reason}); annotate does not fetch such pages")
    elif isinstance(reason, http.client.RemoteDisconnected):
        what = f"{host} closed the connection without answering"
    elif isinstance(reason, ssl.SSLError):
        what = f"the secure connection to {host} failed ({reason.reason or reason})"
    elif isinstance(reason, OSError) and reason.strerror:
        what = f"cannot fetch it from {host}: {reason.strerror}"
    else:
        what = f"the connection to {host} failed: {type(reason).__name__}: {reason}"
    return FetchError(f"{_shown(url)}: {what} (nothing was written)")
