"""Text or binary? Decide right both ways, then decode.

No valid UTF-8 file is ever called binary, UTF-16 with a BOM and Latin-1/cp1252 text with a clear
signal are decoded, and nothing that decodes to control-character soup reaches a digest.
"""

from __future__ import annotations

import codecs

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


def decode(data: bytes) -> tuple[str | None, str]:
    """Return ``(text, encoding)`` or ``(None, reason)`` when the bytes are not text.

    Fast path: valid UTF-8 without NULs is text (the common case costs one decode).
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
            if _control_ratio(data[:_SAMPLE]) > 0.1:
                return None, "binary (control characters)"
            return text, "utf-8"
    else:
        # UTF-16 without BOM: every other byte NUL in ASCII-heavy text
        sample = data[:_SAMPLE]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = max(1, len(sample) // 2)
        if odd / half > 0.4 and even / half < 0.05:
            return _try(data, "utf-16-le")
        if even / half > 0.4 and odd / half < 0.05:
            return _try(data, "utf-16-be")
        return None, "binary"
    if _control_ratio(data[:_SAMPLE]) > 0.05:
        return None, "binary (control characters)"
    return _guess_legacy(data)


def _try(data: bytes, encoding: str) -> tuple[str | None, str]:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None, "binary"
    if _control_ratio(text[:_SAMPLE].encode("utf-8", "replace")) > 0.05:
        return None, "binary"
    return text, encoding.replace("-le", "").replace("-be", "")


def _looks_western(text: str) -> bool:
    """True when the non-ASCII characters of a cp1252 reading are Latin letters or typography."""
    odd = [c for c in text if ord(c) > 127]
    if not odd:
        return True
    letters = sum(1 for c in text if c.isalpha())
    if len(odd) > 0.3 * max(1, letters):
        return False  # accents are the exception in Western text; this is another script
    good = sum(1 for c in odd if ("\u00c0" <= c <= "\u024f") or c in "\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u20ac\u00a0\u00a9\u00ae\u00b0\u00b1\u00b5\u00a7\u00ab\u00bb\u00bf\u00a1\u00b7\u00e9")
    return good / len(odd) >= 0.9


def _guess_legacy(data: bytes) -> tuple[str | None, str]:
    """Non-UTF-8 bytes: a Western (cp1252) reading when it is clearly letters, else charset-normalizer."""
    sample = data[:65536]
    try:
        western = sample.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _looks_western(western):
        return data.decode("cp1252", errors="replace"), "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and best.encoding and best.chaos < 0.2:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return None, "undecodable (no clear text encoding)"
