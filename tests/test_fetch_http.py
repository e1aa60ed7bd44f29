"""annotate.fetching.http against a real server on 127.0.0.1 (tests/fetch_helpers.py):
redirects followed and recorded, every failure one FetchError, the size limit
enforced while streaming, the deadline on the whole download."""

from __future__ import annotations

import re
import resource
from collections.abc import Iterator

import pytest

from annotate import __version__
from annotate.errors import FetchError
from annotate.fetching.http import USER_AGENT, Limits, download, request_address
from tests.fetch_helpers import (
    PORT_STRIKE,
    Server,
    closed_port,
    html,
    huge,
    page,
    redirect,
    running_server,
    slow_headers,
    slow_loris,
)


@pytest.fixture
def server() -> Iterator[Server]:
    with running_server() as running:
        yield running


def test_a_page_comes_with_its_status_type_and_charset(server: Server) -> None:
    url = server.serve("/news/port-strike", html(page(PORT_STRIKE), "utf-8"))
    got = download(url)
    assert got.body == page(PORT_STRIKE)
    assert (got.status, got.content_type, got.charset) == (200, "text/html; charset=utf-8",
                                                           "utf-8")
    assert (got.url, got.final_url, got.redirects) == (url, url, ())


def test_the_request_names_the_tool_and_asks_for_html_uncompressed(server: Server) -> None:
    download(server.serve("/a", html(b"<p>x</p>")))
    ((_, headers),) = server.requests
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith(f"annotate/{__version__} ")
    assert headers["Accept-Encoding"] == "identity"
    assert headers["Accept"].startswith("text/html")


def test_redirects_are_followed_and_recorded_hop_by_hop(server: Server) -> None:
    server.serve("/short", redirect("/middle", 301))
    server.serve("/middle", redirect(server.url("/final?x=1"), 307))
    server.serve("/final?x=1", html(b"<p>here</p>"))
    got = download(server.url("/short"))
    assert got.final_url == server.url("/final?x=1")
    assert got.redirects == (server.url("/middle"), server.url("/final?x=1"))
    assert got.body == b"<p>here</p>"


def test_a_redirect_loop_is_refused_at_the_first_repeat(server: Server) -> None:
    server.serve("/a", redirect("/b"))
    server.serve("/b", redirect("/a"))
    with pytest.raises(FetchError, match=r"^redirect loop: .*/a → .*/b → .*/a; "):
        download(server.url("/a"))
    assert [path for path, _ in server.requests] == ["/a", "/b"]


def test_too_many_redirects_are_refused(server: Server) -> None:
    for hop in range(5):
        server.serve(f"/{hop}", redirect(f"/{hop + 1}"))
    with pytest.raises(FetchError, match="redirects more than 3 times"):
        download(server.url("/0"), Limits(max_redirects=3))


@pytest.mark.parametrize(("target", "words"), [
    # urllib itself refuses to follow a redirect to file:
    ("file:///etc/passwd", "answered 302 Found - Redirection to url 'file:///etc/passwd' is "
                           "not allowed: a redirect annotate cannot follow"),
    ("ftp://127.0.0.1/x", "redirects to ftp://127.0.0.1/x, which is not an http(s) address; "
                          "annotate follows http(s) redirects only"),
])
def test_a_redirect_off_http_is_refused(server: Server, target: str, words: str) -> None:
    server.serve("/x", redirect(target))
    with pytest.raises(FetchError, match=re.escape(words)):
        download(server.url("/x"))


@pytest.mark.parametrize(("status", "words"), [
    (404, "answered 404 Not Found; check the address"),
    (410, "answered 410 Gone; check the address"),
    (403, "answered 403 Forbidden; the page is behind a login, a paywall or a block"),
    (500, "answered 500 Internal Server Error; the site has a problem; try again later"),
    (503, "answered 503 Service Unavailable; the site has a problem"),
])
def test_an_error_status_is_one_line(server: Server, status: int, words: str) -> None:
    url = server.serve("/gone", html(b"<html><body>error page</body></html>", status=status))
    with pytest.raises(FetchError) as caught:
        download(url)
    assert str(caught.value).startswith(f"{url} {words}")
    assert "\n" not in str(caught.value)


def test_a_pdf_is_not_supported_yet(server: Server) -> None:
    url = server.serve("/report.pdf", html(b"%PDF-1.7\n"))
    server.routes["/report.pdf"].headers["Content-Type"] = "application/pdf"
    with pytest.raises(FetchError, match=r"is a PDF \(application/pdf\): annotate does not "
                                         r"read PDFs yet; .*annotate ingest FILE.txt"):
        download(url)


def test_another_type_is_refused_by_name(server: Server) -> None:
    url = server.serve("/data", html(b'{"a": 1}'))
    server.routes["/data"].headers["Content-Type"] = "application/json"
    with pytest.raises(FetchError, match="is application/json, not a web page"):
        download(url)


def test_a_closed_port_is_unreachable(server: Server) -> None:
    url = f"http://127.0.0.1:{closed_port()}/news"
    with pytest.raises(FetchError, match=r"cannot connect to 127\.0\.0\.1:\d+: connection "
                                         "refused"):
        download(url)


def _peak_memory_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_500_mb_answer_is_stopped_at_the_limit(server: Server, declare_length: bool) -> None:
    url = server.serve("/huge", huge(500 * 1024 * 1024, declare_length))
    before = _peak_memory_kib()
    with pytest.raises(FetchError) as caught:
        download(url)  # the default limit, 20 MiB
    message = str(caught.value)
    if declare_length:
        assert "is 524,288,000 bytes, more than the 20 MiB annotate reads" in message
        assert "nothing was read" in message
    else:
        assert "is larger than the 20 MiB annotate reads from one page; stopped reading" \
            in message
    # Streamed: the process never held anything near 500 MB (peak RSS grows
    # by at most a few times the 20 MiB limit).
    assert _peak_memory_kib() - before < 100 * 1024


def test_a_smaller_limit_stops_sooner(server: Server) -> None:
    url = server.serve("/page", html(b"<p>" + b"y" * 5000 + b"</p>"))
    with pytest.raises(FetchError, match="is 5,007 bytes, more than the 1,024 bytes"):
        download(url, Limits(max_bytes=1024))


@pytest.mark.parametrize("answer", [slow_loris, slow_headers])
def test_a_slow_loris_server_is_cut_off_at_the_deadline(server: Server, answer: object
                                                        ) -> None:
    # Each byte arrives well within any read timeout; only a deadline on the
    # whole download stops it.
    url = server.serve("/drip", answer())  # type: ignore[operator]
    with pytest.raises(FetchError, match=r"did not answer in full within 0\.3 s; nothing was "
                                         r"written \(try again later, or raise --timeout\)"):
        download(url, Limits(timeout=0.3))


@pytest.mark.parametrize(("url", "words"), [
    ("file:///etc/passwd", "is a file: address, not http(s); annotate fetches web pages "
                           "only (for a file on this computer, run 'annotate ingest FILE')"),
    ("ftp://example.org/a", "is a ftp: address, not http(s)"),
    ("javascript:alert(1)", "is a javascript: address, not http(s)"),
    ("example.org/news", "is not an absolute address"),
    ("https:///news", "names no host"),
    ("http://exa mple.org/", "is not a web address"),
    ("https://user:secret@example.org/", "carries a user name or password"),
    ("", "is not a web address"),
])
def test_addresses_that_are_not_http_are_refused_before_any_connection(url: str,
                                                                      words: str) -> None:
    with pytest.raises(FetchError, match=re.escape(words)):
        request_address(url)


def test_an_iri_is_requested_as_its_uri() -> None:
    assert request_address("https://Bücher.example/straße?q=ä#frag") == \
        "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4"
    assert request_address("HTTP://EXAMPLE.org:8080") == "http://example.org:8080/"
