"""Flatten absurdly deep HTML before lxml sees it, so nothing after the deep part is lost.

libxml2 stops parsing at 2,048 levels of nesting even with ``huge_tree`` ("Excessive depth in
document"), and lxml then returns the tree built so far: a page nested 3,000 ``<div>``s deep lost
the deep text and everything after it, with no error. No real page nests that deep; a hostile or
broken one does. :func:`flatten_deep` drops the tags (never the text) below :data:`MAX_DEPTH`
levels, and the converter re-parses the result and says so in the Document's warnings. It runs
only after the parser reported the limit, so ordinary pages pay nothing.

>>> flatten_deep("<div>" * 3 + "x" + "</div>" * 3, max_depth=2)
'<div><div> x </div></div>'
"""

from __future__ import annotations

import re

__all__ = ["MAX_DEPTH", "DEPTH_WARNING", "flatten_deep", "hit_depth_limit"]

#: levels kept as elements; well under libxml2's 2,048 even when implied tags (p, li, tbody) and
#: the parser's own html/body add levels that this tag count does not see
MAX_DEPTH = 1000
DEPTH_WARNING = f"HTML nested deeper than {MAX_DEPTH} levels: the deeper tags were flattened (their text is kept)"

#: elements that never hold children (no end tag), so they add no depth
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr", "keygen", "command", "basefont", "frame", "isindex"})
#: raw-text elements: what they hold is not markup and is skipped whole
_RAW = ("script", "style", "textarea", "title", "xmp", "plaintext", "noembed", "noframes", "iframe")
_TOKEN = re.compile(
    r"<!--.*?(?:-->|$)"                                                   # comment (unclosed: to the end)
    r"|<(?P<raw>" + "|".join(_RAW) + r")\b[^>]*>.*?(?:</(?P=raw)\s*>|$)"  # raw-text element, whole
    r"|<(?P<end>/)?(?P<name>[A-Za-z][^\s/>]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S | re.I,
)


def hit_depth_limit(error_log) -> bool:
    """True when libxml2 gave up on the document's nesting (its error log says so)."""
    return any("Excessive depth" in (entry.message or "") for entry in error_log)


def flatten_deep(text: str, max_depth: int = MAX_DEPTH) -> str:
    """``text`` with every start and end tag below ``max_depth`` open elements replaced by a space.

    End tags close the nearest open element of their name (and whatever was opened after it), the
    way a parser recovers; an end tag with no open element of its name is kept for the parser.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag name, kept as a tag)
    pos = 0
    for m in _TOKEN.finditer(text):
        name = m.group("name")
        if name is None:  # comment or raw-text element: kept as it is, adds no depth
            continue
        name = name.lower()
        if m.group("end"):
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == name:
                    kept = stack[i][1]
                    del stack[i:]
                    break
            else:
                kept = True
        elif name in _VOID or m.group("attrs").rstrip().endswith("/"):
            kept = len(stack) < max_depth
        else:
            kept = len(stack) < max_depth
            stack.append((name, kept))
        if not kept:
            out.append(text[pos:m.start()])
            out.append(" ")
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)
