"""Bytes of an HTML page -> text, with the encoding found the way browsers find it.

Order (WHATWG "determine the character encoding", simplified): a byte-order mark wins, then the
HTTP header's charset, then ``<meta charset>`` / ``http-equiv`` in the first bytes, then strict
UTF-8, then charset-normalizer's guess. Latin-1 labels decode as windows-1252 because that is what
browsers do and what pages labelled latin-1 actually contain (curly quotes, euro signs).
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
    re.I,
)
#: labels browsers treat as windows-1252 (the WHATWG Encoding Standard's table, the common part)
_MULTIBYTE = ("utf", "shift_jis", "cp932", "euc", "gb", "big5", "iso2022", "iso-2022", "cp949", "johab", "hz",
              "cp950", "cp936", "ms9", "ms_kanji")
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "iso_8859-1", "cp819"}


def _codec(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _AS_CP1252:
        return "cp1252"
    if label in ("utf-16", "utf-16le", "utf-16be"):
        # a meta/header claiming UTF-16 on bytes without a BOM is almost always wrong (the meta
        # itself was readable as ASCII); the spec says to use UTF-8 then
        return "utf-8"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def sniff_meta(data: bytes) -> str | None:
    """The charset declared by a ``<meta>`` in the first 4 KB, if any."""
    m = _META.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode(data: bytes | str, charset: str | None = None) -> str:
    """HTML bytes -> str. ``charset`` is the HTTP header's value, if there was one."""
    if isinstance(data, str):
        return data
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace").lstrip("\ufeff")
    for label in (charset, sniff_meta(data)):
        name = _codec(label)
        if name:
            try:
                return data.decode(name)
            except UnicodeDecodeError:
                if name != "utf-8":
                    return data.decode(name, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            if best.encoding.lower().startswith(_MULTIBYTE):
                return data.decode(best.encoding, errors="replace")
            # among single-byte code pages the guess is shaky (French text "looks" Baltic);
            # unlabelled legacy pages are windows-1252 far more often, as browsers assume
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                return data.decode(best.encoding, errors="replace")
    except Exception:  # pragma: no cover - a guesser failing must not lose the page
        pass
    return data.decode("cp1252", errors="replace")
