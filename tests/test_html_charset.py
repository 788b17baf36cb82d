"""Character encodings of HTML pages: BOM, HTTP header, <meta charset>, http-equiv, guessing."""

from __future__ import annotations

import codecs

from llmingest.converters.html import convert
from llmingest.converters.html_charset import decode, sniff_meta

TEXT = "Café crème — “quoted” naïve façade, 10 €"


def _page(meta: str = "") -> str:
    return f"<html><head>{meta}<title>Enc</title></head><body><main><h1>Enc</h1><p>{TEXT}</p></main></body></html>"


def test_meta_charset_cp1252():
    data = _page('<meta charset="windows-1252">').encode("cp1252")
    assert TEXT in convert(data).content


def test_meta_http_equiv_latin1_label_decodes_as_cp1252():
    # browsers read "iso-8859-1" as windows-1252: curly quotes and € survive
    data = _page('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">').encode("cp1252")
    assert TEXT in convert(data).content


def test_bom_utf16_wins_over_everything():
    data = codecs.BOM_UTF16_LE + _page('<meta charset="iso-8859-1">').encode("utf-16-le")
    assert TEXT in convert(data, charset="iso-8859-1").content


def test_bom_utf8():
    data = codecs.BOM_UTF8 + _page().encode("utf-8")
    md = convert(data).content
    assert TEXT in md and "\ufeff" not in md


def test_http_header_charset_beats_meta():
    text = "Привет, мир"
    data = f"<html><head><meta charset='utf-8'></head><body><main><p>{text}</p></main></body></html>".encode("koi8-r")
    assert text in convert(data, charset="koi8-r").content


def test_undeclared_utf8_and_guessing():
    assert TEXT in convert(_page().encode("utf-8")).content
    # no declaration, not UTF-8: charset-normalizer guesses a single-byte code page
    guessed = decode(("<p>" + "Ceci est un texte français assez long, déjà vu à l'été. " * 20 + "</p>").encode("cp1252"))
    assert "français" in guessed and "été" in guessed


def test_unknown_label_falls_back_to_detection():
    data = _page('<meta charset="x-no-such-charset">').encode("utf-8")
    assert TEXT in convert(data).content


def test_sniff_meta():
    assert sniff_meta(b'<meta charset="Shift_JIS">') == "Shift_JIS"
    assert sniff_meta(b"<meta http-equiv='content-type' content='text/html;charset=euc-jp'>") == "euc-jp"
    assert sniff_meta(b"<p>no meta</p>") is None


def test_str_input_and_xml_declaration():
    md = convert('<?xml version="1.0" encoding="utf-8"?><html><body><main><p>' + TEXT + "</p></main></body></html>").content
    assert TEXT in md
