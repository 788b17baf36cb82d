"""Text or binary? Decide right both ways, then decode.

No valid UTF-8 file is ever called binary, UTF-16 with a BOM and Latin-1/cp1252 text with a clear
signal are decoded, and nothing that decodes to control-character soup reaches a digest.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

_SAMPLE = 8192
# bytes that never occur in text: C0 controls except \t \n \v \f \r and ESC (ANSI colours in logs)
_BINARY_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_CTRL_TABLE = bytes.maketrans(b"", b"")


def _has_bom(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    stripped = sample.translate(_CTRL_TABLE, _BINARY_CONTROLS)
    return 1 - len(stripped) / len(sample)


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte is NUL (ASCII-heavy UTF-16 text), else None."""
    half = max(1, len(sample) // 2)
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def sniff_binary(head: bytes) -> str | None:
    """Why the first bytes of a file already prove it binary, or None: lets callers skip a
    multi-gigabyte binary after reading 8 KB instead of all of it."""
    sample = head[:_SAMPLE]
    if _has_bom(sample):
        return None
    if b"\x00" in sample:
        return None if _utf16_without_bom(sample) else "binary"
    if _control_ratio(sample) > 0.1:
        return "binary (control characters)"
    return None


def decode(data: bytes, legacy: Callable[[bytes], tuple[str | None, str]] | None = None, *,
           sniffed: bool = False) -> tuple[str | None, str]:
    """Return ``(text, encoding)`` or ``(None, reason)`` when the bytes are not text.

    Fast path: valid UTF-8 without NULs is text (the common case costs one decode). ``legacy``
    replaces :func:`guess_legacy` for the rest (a caller that caches its verdicts); ``sniffed``
    says :func:`sniff_binary` already passed these bytes, so valid UTF-8 needs no second look.
    """
    bom = _has_bom(data)
    if bom:
        try:
            return data.decode(bom), bom.replace("-sig", "")
        except UnicodeDecodeError:
            return None, f"invalid {bom} text"
    if b"\x00" not in data[:_SAMPLE]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not sniffed and _control_ratio(data[:_SAMPLE]) > 0.1:
                return None, "binary (control characters)"
            return text, "utf-8"
        mostly = _mostly_utf8(data)
        if mostly is not None and _control_ratio(data[:_SAMPLE]) <= 0.05:
            return mostly, "utf-8 (invalid bytes replaced)"
    else:
        codec = _utf16_without_bom(data[:_SAMPLE])
        return _try(data, codec) if codec else (None, "binary")
    if _control_ratio(data[:_SAMPLE]) > 0.05:
        return None, "binary (control characters)"
    return (legacy or guess_legacy)(data)


_UTF8_MULTI = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few corrupt bytes: real multi-byte sequences and rare invalid ones.

    A file with no valid multi-byte sequence at all is more likely a legacy encoding (cp1252...).
    """
    valid = len(_UTF8_MULTI.findall(data))
    if not valid:
        return None
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return text if bad <= max(2, valid // 20) else None


def _try(data: bytes, encoding: str) -> tuple[str | None, str]:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None, "binary"
    if _control_ratio(text[:_SAMPLE].encode("utf-8", "replace")) > 0.05:
        return None, "binary"
    return text, encoding.replace("-le", "").replace("-be", "")


_GOOD_EXTRA = set("\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u20ac\u00a0\u00a9\u00ae\u00b0\u00b1\u00b5\u00a7"
                  "\u00ab\u00bb\u00bf\u00a1\u00b7\u00a3\u00a5\u00bd\u00bc\u00be\u2022\u2122")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _looks_western(text: str) -> bool:
    """True when a cp1252 reading looks like Western European text.

    Two signals: the non-ASCII characters are Latin letters or typography, and words are mostly
    ASCII with an accent here and there (Cyrillic or Greek read as cp1252 gives words made
    entirely of accented letters).
    """
    odd = [c for c in text if ord(c) > 127]
    if not odd:
        return True
    good = sum(1 for c in odd if ("\u00c0" <= c <= "\u024f") or c in _GOOD_EXTRA)
    if good / len(odd) < 0.9:
        return False
    words = _WORD.findall(text)
    if not words:
        return True
    foreign = sum(1 for w in words if all(ord(c) > 127 for c in w))
    return foreign / len(words) <= 0.3


_LEGACY = ("cp1251", "koi8-r", "cp1253", "cp1250", "iso-8859-2", "cp1254", "cp1255", "cp1256", "cp1257", "cp874")


def _plausibility(text: str) -> float:
    """How much a decoding looks like real text: letters of real scripts, words cased sanely.

    A wrong single-byte reading gives halfwidth katakana, mixed-case soup ("рТЙЧЕФ") or symbols;
    the right one gives words that are lower-case, Capitalised or UPPER-CASE.
    """
    import unicodedata

    odd = [c for c in text if ord(c) > 127]
    if not odd:
        return 1.0
    plausible = 0
    for c in odd:
        if "\uff61" <= c <= "\uff9f" or unicodedata.category(c) in ("Co", "Cn", "Cc", "So", "Sk"):
            continue
        if c.isalpha() or c in _GOOD_EXTRA or unicodedata.category(c).startswith(("P", "Z", "N")):
            plausible += 1
    letters_score = plausible / len(odd)
    words = [w for w in _WORD.findall(text) if any(ord(c) > 127 for c in w)]
    cased = [w for w in words if w.lower() != w.upper()]
    if not cased:
        return letters_score
    sane = sum(1 for w in cased if w.islower() or w.isupper() or (w[0].isupper() and w[1:].islower()))
    return letters_score * (sane / len(cased))


def guess_legacy(data: bytes) -> tuple[str | None, str]:
    """Non-UTF-8 bytes: a Western (cp1252) reading when it is clearly letters, else the most
    plausible of charset-normalizer's guess and the common single-byte code pages."""
    sample = data[:65536]
    try:
        western = sample.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _looks_western(western):
        return data.decode("cp1252", errors="replace"), "cp1252"
    from charset_normalizer import from_bytes

    candidates: list[str] = []
    best = from_bytes(sample).best()
    if best is not None and best.encoding:
        candidates.append(best.encoding)
    candidates += [c for c in _LEGACY if c not in candidates]
    scored = []
    for rank, enc in enumerate(candidates):
        try:
            text = sample.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((_plausibility(text), -rank, enc))
    if scored:
        score, _, enc = max(scored)
        if score >= 0.9:
            try:
                return data.decode(enc), enc
            except (UnicodeDecodeError, LookupError):
                pass
    return None, "undecodable (no clear text encoding)"
