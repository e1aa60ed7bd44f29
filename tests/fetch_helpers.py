"""A real HTTP server on 127.0.0.1 for the fetch tests: a thread of the test
process (http.server), no outside network, serving the saved news pages of
tests/data/pages/ and whatever a test puts in its routes (redirects, errors,
a PDF, a 500 MB answer, a slow-loris drip).

Every handler stops by itself: the endless answers end when the client
hangs up or after a bounded time, so a failing test cannot leave the
server busy.
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "data" / "pages"

# The saved pages, and what their article says (and must not say).
PORT_STRIKE = "port-strike.html"  # UTF-8
BRIDGE = "bridge-closed-windows-1251.html"  # windows-1251, declared by http-equiv
SNOW = "heavy-snow-shift_jis.html"  # Shift_JIS (cp932), declared by <meta charset>
NAVIGATION_ONLY = "navigation-only.html"  # a subscription page: no article

PORT_STRIKE_PARAGRAPHS = (
    "Port strike enters third week as talks stall",
    "Dock workers at the city’s container terminal began a third week of strike action on "
    "Monday, after talks between the union and the port operator broke down late on Friday "
    "without agreement.",
    "The union says the operator offered a pay rise of 3.5 per cent — less than half the "
    "rate of inflation over the past two years. “We are not asking for the moon,” said the "
    "union’s regional secretary, Tomás Brennan. “We are asking to stand still.”",
    "The operator, Northgate Terminals, said its offer was “fair and final” and that the "
    "strike was costing the regional economy £40 million a week… a figure the union "
    "disputes.",
    "Government urged to intervene",
    "Economists at the University of Eastport estimate that food prices in the region could "
    "rise by up to 8 per cent if the dispute lasts another month.",
)
PORT_STRIKE_BOILERPLATE = (
    "cookies", "Accept all", "Subscribe from £1", "Search the Gazette", "Share on",
    "Sign up to Business Today", "Advertisement", "renderAd", "Related stories",
    "Ferry services cancelled", "Five things to do", "Solidarity with the workers",
    "dockerdave", "Join the discussion", "Privacy policy", "Registered in England",
    "analytics", "dataLayer", "font-family", "Photograph: Gazette staff", "Home",
)


def page(name: str) -> bytes:
    """A saved page's bytes, as a server sends them."""
    return (PAGES / name).read_bytes()


def edited_port_strike() -> bytes:
    """The port-strike page after a stealth edit: a figure corrected, a note
    added, the closing paragraph replaced."""
    text = page(PORT_STRIKE).decode("utf-8")
    for old, new in (
        ("costing the regional economy £40 million a week",
         "costing the regional economy £25 million a week"),
        ("<p>Shipping lines have begun",
         "<p><em>Update, 15 March:</em> this article was amended to correct the estimated "
         "cost of the strike.</p>\n    <p>Shipping lines have begun"),
        ("<p>Economists at the University of Eastport estimate that food prices in the region "
         "could rise by up to 8 per cent if the dispute lasts another month.</p>",
         "<p>Talks are due to resume on Thursday under an independent mediator, the "
         "department confirmed on Tuesday.</p>"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text.encode("utf-8")


@dataclass
class Answer:
    """What the server answers on one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Instead of a body: a function writing to the socket (endless answers).
    stream: Callable[[http.server.BaseHTTPRequestHandler], None] | None = None


def html(body: bytes, charset: str | None = None, status: int = 200) -> Answer:
    kind = "text/html" + (f"; charset={charset}" if charset else "")
    return Answer(status, body, {"Content-Type": kind})


def redirect(location: str, status: int = 302) -> Answer:
    return Answer(status, b"", {"Location": location})


def huge(total: int, declare_length: bool) -> Answer:
    """An HTML answer of ``total`` bytes, written 1 MiB at a time until the
    client hangs up (it is never built in memory)."""
    chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"

    def write(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if declare_length:
            handler.send_header("Content-Length", str(total))
        handler.end_headers()
        sent = 0
        while sent < total:
            handler.wfile.write(chunk)
            sent += len(chunk)

    return Answer(stream=write)


def slow_loris(seconds: float = 10.0) -> Answer:
    """Headers, then a byte of body every 50 ms: each read is quick, the
    whole never ends (until the client hangs up, or ``seconds`` pass)."""

    def write(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        handler.wfile.write(b"<html><body><p>")
        handler.wfile.flush()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(0.05)

    return Answer(stream=write)


def slow_headers(seconds: float = 10.0) -> Answer:
    """The status line, then a header dripped a byte every 50 ms."""

    def write(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        handler.wfile.flush()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(0.05)

    return Answer(stream=write)


class Server:
    """The routes of one test's server, and what it was asked."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.routes: dict[str, Answer] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, answer: Answer) -> str:
        self.routes[path] = answer
        return self.url(path)


@contextmanager
def running_server() -> Iterator[Server]:
    """A ThreadingHTTPServer on a free port of 127.0.0.1, for the block."""
    state = Server(0)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            answer = state.routes.get(self.path)
            if answer is None:
                answer = Answer(404, b"<html><body>Not found</body></html>",
                                {"Content-Type": "text/html"})
            try:
                if answer.stream is not None:
                    self.close_connection = True
                    answer.stream(self)
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up: what the test wants

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), to show nothing changed."""
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found
