"""The pure steps of bringing a page in: its charset, the article in it, the
document id, what a new version changed, and the metadata record's helpers."""

from __future__ import annotations

import codecs

import pytest

from annotate.errors import ExtractionError, FetchError
from annotate.fetching import charset, extract, metadata, slug
from annotate.fetching.changes import paragraph_changes, paragraphs
from tests.fetch_helpers import (
    BRIDGE,
    NAVIGATION_ONLY,
    PORT_STRIKE,
    PORT_STRIKE_BOILERPLATE,
    PORT_STRIKE_PARAGRAPHS,
    SNOW,
    edited_port_strike,
    page,
)

RUSSIAN = "«Мы не можем рисковать жизнями людей», — заявил Колесников на брифинге."
JAPANESE = ("「こんなに積もったのは子どもの頃以来です」と、"
            "商店街で雪かきをしていた男性（７１）は話した。")


# -- charset ------------------------------------------------------------------------------


def test_the_header_charset_is_used_when_the_bytes_fit_it() -> None:
    decoded = charset.decode_page(page(BRIDGE), "windows-1251", "p")
    assert (decoded.charset, decoded.note) == ("cp1251", None)
    assert RUSSIAN in decoded.text


def test_the_pages_own_declaration_is_used_without_a_header_charset() -> None:
    assert RUSSIAN in charset.decode_page(page(BRIDGE), None, "p").text  # http-equiv
    decoded = charset.decode_page(page(SNOW), None, "p")  # <meta charset="Shift_JIS">
    assert decoded.charset == "cp932" and JAPANESE in decoded.text


def test_shift_jis_is_read_as_browsers_read_it() -> None:
    # NEC row 13 (①, ㈱) is in Microsoft's Shift_JIS, which every
    # "Shift_JIS" page in the wild is; Python's strict shift_jis refuses it.
    data = "①㈱の記事".encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")
    assert charset.decode_page(data, "Shift_JIS", "p").text == "①㈱の記事"


def test_a_byte_order_mark_wins_over_every_declaration() -> None:
    data = codecs.BOM_UTF8 + "<meta charset=windows-1251><p>é</p>".encode()
    decoded = charset.decode_page(data, "iso-8859-1", "p")
    assert (decoded.text, decoded.charset) == ("<meta charset=windows-1251><p>é</p>", "utf-8")


def test_latin_1_means_windows_1252_as_in_browsers() -> None:
    decoded = charset.decode_page("“quoted” – €5".encode("cp1252"), "ISO-8859-1", "p")
    assert decoded.text == "“quoted” – €5"


def test_a_header_that_lies_gives_way_to_the_pages_declaration_with_a_note() -> None:
    decoded = charset.decode_page(page(BRIDGE), "utf-8", "p")
    assert RUSSIAN in decoded.text
    assert decoded.charset == "cp1251"
    assert decoded.note is not None and decoded.note.startswith(
        "the server said the page is utf-8 but its bytes are not (byte ")
    assert decoded.note.endswith("read it as windows-1251, which the page itself declares")


def test_a_charset_lie_nothing_else_fits_is_refused() -> None:
    data = page(BRIDGE).replace(b"charset=windows-1251", b"charset=utf-8")
    with pytest.raises(FetchError) as caught:
        charset.decode_page(data, "UTF-8", "http://x/p")
    message = str(caught.value)
    assert message.startswith("http://x/p: the server says the page is UTF-8, but byte ")
    assert "is not UTF-8; annotate does not guess: save the page from your browser and run " \
        "'annotate ingest page.html'" in message


def test_a_page_declaration_that_lies_is_refused() -> None:
    data = page(BRIDGE).replace(b"charset=windows-1251", b"charset=shift_jis")
    data += "«Мы»".encode("cp1251") * 3  # bytes that are no valid Shift_JIS
    with pytest.raises(FetchError, match=r"its own <meta charset> \(shift_jis\) does not fit "
                                         r"its bytes: byte [\d,]+ \(0x[0-9a-f]{2}\) is not cp932"):
        charset.decode_page(data, None, "p")


def test_a_page_that_declares_nothing_is_utf8_or_detected_with_a_note() -> None:
    assert charset.decode_page("<p>naïve</p>".encode(), None, "p").charset == "utf-8"
    text = page(BRIDGE).replace(b"; charset=windows-1251", b"")
    decoded = charset.decode_page(text, None, "p")
    assert RUSSIAN in decoded.text
    assert decoded.note is not None and "declares no charset and is not UTF-8" in decoded.note


@pytest.mark.parametrize(("label", "codec"), [
    ("utf-8", "utf-8"), ("UTF8", "utf-8"), ("windows-1251", "cp1251"), ("cp1251", "cp1251"),
    ("koi8-r", "koi8-r"), ("Shift_JIS", "cp932"), ("x-sjis", "cp932"), ("EUC-JP", "euc_jp"),
    ("gb2312", "gb18030"), ("us-ascii", "cp1252"), ("'utf-8'", "utf-8"),
    ("utf-7", None), ("hex", None), ("no-such-charset", None), ("", None), (None, None),
])
def test_charset_labels_as_browsers_read_them(label: str | None, codec: str | None) -> None:
    assert charset.codec(label) == codec


# -- the article --------------------------------------------------------------------------


def _article(name: str, encoding: str = "utf-8") -> extract.Article:
    return extract.extract_article(page(name).decode(encoding), "https://example.org/a",
                                   name)


def test_the_article_comes_out_in_paragraphs_and_the_boilerplate_does_not() -> None:
    article = _article(PORT_STRIKE)
    found = paragraphs(article.text)
    for paragraph in PORT_STRIKE_PARAGRAPHS:
        assert paragraph in found
    for words in PORT_STRIKE_BOILERPLATE:
        assert words not in article.text, words
    assert found[0] == "Port strike enters third week as talks stall"  # the headline first
    assert "\n\n".join(found) + "\n" == article.text  # blank lines between paragraphs


def test_the_pages_metadata_comes_out() -> None:
    article = _article(PORT_STRIKE)
    assert article.title == "Port strike enters third week as talks stall"
    assert article.authors == ("Maria Okafor",)
    assert article.site_name == "The Harbour Gazette"
    assert article.canonical_url == \
        "https://harbour-gazette.example/news/2024/03/14/port-strike-enters-third-week"
    assert (article.published, article.modified) == ("2024-03-14", "2024-03-15")


@pytest.mark.parametrize(("name", "encoding", "inside", "outside"), [
    (BRIDGE, "cp1251", [RUSSIAN, "В Заречье закрыли старый мост через Волгу",
                        "Депутат городской думы Ирина Лебедева утверждает"],
     ["Мы используем файлы cookie", "Главная", "Читайте также", "Давно пора", "Реклама",
      "_top100q"]),
    (SNOW, "cp932", [JAPANESE, "港町で記録的な大雪、交通に乱れ",
                     "気象台は、２６日にかけて再び強い冬型の気圧配置となり"],
     ["クッキー", "アクセスランキング", "新しい水族館", "プライバシーポリシー", "gaq"]),
])
def test_articles_in_other_scripts_come_out(name: str, encoding: str, inside: list[str],
                                            outside: list[str]) -> None:
    article = _article(name, encoding)
    for words in inside:
        assert words in article.text
    for words in outside:
        assert words not in article.text, words
    assert article.published is not None


def test_typographic_characters_are_kept() -> None:
    text = _article(PORT_STRIKE).text
    for character in "’“”—…£á":
        assert character in text


def test_a_page_of_navigation_is_no_article() -> None:
    with pytest.raises(ExtractionError) as caught:
        _article(NAVIGATION_ONLY)
    message = str(caught.value)
    assert message.startswith(f"{NAVIGATION_ONLY} holds no article text annotate can find (")
    assert message.endswith("save the page and run 'annotate ingest page.html'")


def test_a_text_file_becomes_a_document() -> None:
    assert extract.text_document("\ufeffTitle\r\n\r\nBody.\r\n\r\n\r\n", "f") == \
        "Title\n\nBody.\n"
    with pytest.raises(ExtractionError, match="f holds no text"):
        extract.text_document(" \n\t\n", "f")


# -- document ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Port strike enters third week as talks stall",
     "port-strike-enters-third-week-as-talks-stall"),
    ("Élysée: Macron’s “plan B” — ½ day", "elysee-macron-s-plan-b-1-2-day"),
    ("２４日夜から", "24日夜から"),
    ("В Заречье закрыли мост", "в-заречье-закрыли-мост"),
    ("港町で記録的な大雪、交通に乱れ", "港町で記録的な大雪-交通に乱れ"),
    ("Ходорковский: «Й» и «ё»", "ходорковский-й-и-ё"),
    ("../../etc/passwd", "etc-passwd"),
    ("!!!", ""),
])
def test_slugs(text: str, expected: str) -> None:
    assert slug.slugify(text) == expected


def test_a_long_headline_is_cut_at_a_word() -> None:
    cut = slug.slugify("Minister says " + "very " * 30 + "long")
    assert len(cut) <= slug.MAX_SLUG and cut.endswith("very") and not cut.endswith("-")


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/news/2024/03/14/port-strike.html", "port-strike"),
    ("https://example.org/world/europe-68534612", "europe-68534612"),
    ("https://example.org/story/123456/index.html", "example-org"),
    ("https://www.example.org/", "example-org"),
])
def test_address_slugs(url: str, expected: str) -> None:
    assert slug.address_slug(url) == expected


def test_a_taken_id_gets_a_number() -> None:
    taken = {"port-strike.txt", "port-strike-2.txt"}
    assert slug.document_id("port-strike", taken.__contains__) == "port-strike-3.txt"
    assert slug.document_id("", taken.__contains__) == "article.txt"


# -- what a new version changed -----------------------------------------------------------


def test_paragraphs_added_removed_and_edited() -> None:
    old = "Title\n\nOne two three four five.\n\nGone paragraph here.\n\nSame at the end.\n"
    new = ("Title\n\nUpdate: corrected.\n\nOne two three FOUR five.\n\nSame at the end.\n\n"
           "A new closing line.\n")
    changes = paragraph_changes(old, new)
    assert [(c.kind, c.old_number, c.new_number) for c in changes] == [
        ("added", None, 2), ("edited", 2, 3), ("removed", 3, None), ("added", None, 5)]
    assert changes[1].old == "One two three four five."
    assert changes[1].new == "One two three FOUR five."


def test_no_change_and_whitespace_only_changes() -> None:
    assert paragraph_changes("A\n\nB\n", "A\n\nB\n") == ()
    assert paragraph_changes("A\n\nB\n", "A\n \n\nB") == ()


def test_the_stealth_edit_of_the_port_strike_page() -> None:
    old = _article(PORT_STRIKE).text
    new = extract.extract_article(edited_port_strike().decode(), None, "p").text
    kinds = [change.kind for change in paragraph_changes(old, new)]
    assert sorted(kinds) == ["added", "added", "edited", "removed"]


# -- metadata helpers -----------------------------------------------------------------------


def test_address_keys_ignore_case_of_the_host_default_ports_and_fragments() -> None:
    assert metadata.address_key("HTTPS://Example.ORG:443/a?b=1#c") == "https://example.org/a?b=1"
    assert metadata.address_key("http://example.org") == "http://example.org/"
    assert metadata.address_key("http://example.org:8080/A") == "http://example.org:8080/A"


def test_a_record_keeps_the_versions_it_replaces_oldest_first() -> None:
    first = metadata.record(document="a.txt", method="fetch", fetched="2024-01-01T00:00:00Z",
                            document_sha256="1" * 64, url="https://e.org/a", http_status=200,
                            authors=(), title=None)
    assert "authors" not in first and "title" not in first
    second = metadata.succeed(first, metadata.record(
        document="a.txt", method="fetch", fetched="2024-02-01T00:00:00Z",
        document_sha256="2" * 64))
    third = metadata.succeed(second, metadata.record(
        document="a.txt", method="ingest", fetched="2024-03-01T00:00:00Z",
        document_sha256="3" * 64, file="a.html"))
    assert [entry["document_sha256"][0] for entry in third["earlier"]] == ["1", "2"]
    assert third["earlier"][0] == {"method": "fetch", "fetched": "2024-01-01T00:00:00Z",
                                   "document_sha256": "1" * 64, "http_status": 200}
