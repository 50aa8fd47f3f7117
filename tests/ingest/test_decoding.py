"""Which bytes are a text document, and in which encoding (bot.ingest.decoding)."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.ingest.decoding import NotText, decode_document

REPORT_ZH = "英文媒体关于中国的报道汇总\n摘要\n中文标题: 日本与中国在东京举行稀土会谈\n"
NOTE_EN = "The committee’s “review” of the café’s naïve résumé — €25, déjà vu.\n"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello " * 200)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (REPORT_ZH.encode(), REPORT_ZH, "utf-8"),
        (b"\xef\xbb\xbf" + REPORT_ZH.encode(), REPORT_ZH, "utf-8-sig"),
        (REPORT_ZH.encode("utf-16"), REPORT_ZH, "utf-16"),
        (b"\xfe\xff" + REPORT_ZH.encode("utf-16-be"), REPORT_ZH, "utf-16"),
        (REPORT_ZH.encode("utf-32"), REPORT_ZH, "utf-32"),
        (REPORT_ZH.encode("gbk"), REPORT_ZH, "gb18030"),
        (REPORT_ZH.encode("gb18030"), REPORT_ZH, "gb18030"),
        ("黄靖".encode("gbk"), "黄靖", "gb18030"),  # two characters: Big5 and Korean read too
        ("日本与中国的供应链对话".encode("gbk"), "日本与中国的供应链对话", "gb18030"),
        (NOTE_EN.encode("cp1252"), NOTE_EN, "cp1252"),
        (b"Page one\fPage two\twith a tab\r\n", "Page one\fPage two\twith a tab\r\n", "utf-8"),
    ],
)
def test_text_in_the_encodings_editors_use_is_read(data: bytes, text: str, encoding: str) -> None:
    decoded = decode_document(data)
    assert (decoded.text, decoded.encoding) == (text, encoding)


def test_a_declared_charset_is_used_when_it_reads_the_bytes() -> None:
    data = "Zürich".encode("latin-1")
    assert decode_document(data, declared="ISO-8859-1").text == "Zürich"
    assert decode_document(REPORT_ZH.encode("gbk"), declared="gb2312").text == REPORT_ZH
    # A charset name Python does not know is ignored, not fatal.
    assert decode_document(REPORT_ZH.encode(), declared="x-unknown").text == REPORT_ZH


def test_a_big5_document_is_read_as_big5() -> None:
    text = "中華民國與日本的關係在過去十年中經歷了許多變化，雙方在貿易上的往來十分密切。" * 3
    assert decode_document(text.encode("big5")).text == text


@pytest.mark.parametrize(
    ("data", "reason", "looks_like"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "binary", "elf"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "binary", "exe"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "binary", "png"),
        (_zip(), "binary", "zip"),
        ("UTF-16 without its byte-order mark".encode("utf-16-le"), "binary", None),
        (b"ctrl" + bytes(range(1, 9)) * 40 + b" not text", "binary", None),
        (bytes(range(0x80, 0x100)) * 8, "undecodable", None),
        (b"\xff\xfe\x00\xd8", "undecodable", None),  # a UTF-16 mark, then half a pair
    ],
)
def test_binary_and_undecodable_bytes_are_not_text(
    data: bytes, reason: str, looks_like: str | None
) -> None:
    with pytest.raises(NotText) as caught:
        decode_document(data)
    assert (caught.value.reason, caught.value.looks_like) == (reason, looks_like)


def test_a_stray_control_character_in_a_long_text_is_tolerated() -> None:
    text = "A long paragraph of ordinary prose. " * 20 + "\x07" + " And more." * 10
    assert decode_document(text.encode()).text == text


def test_the_refusal_says_why_in_both_languages() -> None:
    error = NotText("binary", "zip")
    assert str(error) == "it holds binary data (ZIP)"
    assert error.text("zh") == "其中是二进制数据（ZIP）"
    assert "GB18030" in NotText("undecodable").text("en")
