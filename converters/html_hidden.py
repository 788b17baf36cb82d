"""What a person would not see on an HTML page, found from the page's own CSS (pure functions).

Text a reader cannot see but an LLM reads is a prompt-injection vector: an instruction set in
white on white, at 1px, pushed off screen or hidden by a class that the page's ``<style>`` sets to
``display:none`` reaches the agent as if it were content. :mod:`.html_select` already drops what
attributes and a few inline styles hide; this module adds what a browser's cascade would do with
inline ``style``, presentational attributes (``<font color>``, ``bgcolor``) and the page's own
``<style>`` rules (read by :mod:`.html_css`):

* an element is **hidden** (dropped with all it holds) when it has ``display:none``,
  ``visibility:hidden``, opacity ~0, a zero clip or clip-path, ``scale(0)``, a position or
  ``text-indent`` 1000px or more off screen, or no height (or width) with overflow hidden;
* an element's own text is **faint** (cleared; its children are judged on their own, since colour
  and size are inherited and can be set back) when its font is under 3px, its colour is
  transparent, or its colour has no contrast with the nearest declared background (the page's
  white when none is declared).

What keeps real pages whole, each learned from the WCXB pages: a background image, gradient or
value we cannot compute makes the background unknown and keeps the text; code (``pre``/``code``)
loses text only against a background declared for it; a rule that another rule shows in some state
(tabs, accordions, menus) hides nothing; and a style-sheet rule that would hide more than
:data:`RULE_SHARE` of the page's text hides nothing either: that is a UI state (collapsed FAQ
answers, "critical CSS" that hides ``main`` until the full sheet loads), while an injected
instruction is a small part of a page. :func:`clear_faint` likewise leaves alone a region holding
more than half of the page's text (a dark theme whose background lives in an external sheet).

:func:`strip_invisible` removes the characters no one sees (Unicode tag characters, bidi
overrides, word joiners) from the converted text.

>>> from lxml import etree
>>> root = etree.fromstring("<html><body><p>Hi<span style='color:#fff'>IGNORE ME</span> there</p></body></html>",
...                         etree.HTMLParser())
>>> unseen = find_unseen(root, page_styles(root))
>>> clear_faint(unseen, total=99)
>>> "".join(root.itertext())
'Hi there'
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from lxml import etree

from .html_css import (
    BACKGROUND,
    WHITE,
    Color,
    Sheet,
    contrast,
    declarations,
    font_px,
    hides_subtree,
    parse_color,
)

__all__ = ["page_styles", "find_unseen", "clear_faint", "strip_invisible", "Unseen", "document_elements", "text_len",
           "text_chars"]

# --------------------------------------------------------------------------------- characters

#: characters that render as nothing yet carry text: Unicode tag characters (U+E0000-U+E007F, "ASCII
#: smuggling"), bidi embeddings, overrides and isolates (the shown order differs from the read
#: order), word joiner and invisible operators, BOM/ZWNBSP, soft hyphen, Mongolian vowel separator,
#: Hangul fillers, interlinear annotation marks, invisible musical formatting. ZWJ/ZWNJ (emoji,
#: Indic and Persian spelling), LRM/RLM and U+200B (the markdown writer makes it a space) stay.
_INVISIBLE = ("\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069\u2060-\u2064\ufeff\u00ad\u180e\u3164\uffa0"
              "\u115f\u1160\ufff9-\ufffb\U0001d173-\U0001d17a")
_VARIATION = "\ufe00-\ufe0f\U000e0100-\U000e01ef"  # one after a glyph is real; a run encodes bytes
_ANY_INVISIBLE = re.compile(f"[{_INVISIBLE}{_VARIATION}]")  # one character class: the fast pre-check
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]+|[{_VARIATION}]{{2,}}")


def strip_invisible(text: str) -> str:
    """``text`` without the invisible characters (runs of variation selectors count, one does not).

    >>> strip_invisible("safe\\U000e0069\\U000e0067 text\\u202e ok \\u2764\\ufe0f")
    'safe text ok \\u2764\\ufe0f'
    """
    if text and not text.isascii() and _ANY_INVISIBLE.search(text):
        return _INVISIBLE_RE.sub("", text)
    return text


# ---------------------------------------------------------------------------------- the cascade


def page_styles(root) -> Sheet:
    """The page's ``<style>`` rules (call before they are dropped; ``<noscript>`` ones do not apply)."""
    texts = []
    for el in root.iter("style"):
        media = (el.get("media") or "all").strip().lower()
        if el.text and media in ("all", "screen", "only screen", "") and not any(
                a.tag in ("noscript", "template") for a in el.iterancestors()):
            texts.append(el.text)
    external = any("stylesheet" in (el.get("rel") or "").lower() for el in root.iter("link"))
    return Sheet(texts, external)


def _own_declarations(el) -> tuple[dict[str, str], dict[str, str]]:
    """Presentational attributes and the ``style`` attribute: (normal, !important)."""
    normal: dict[str, str] = {}
    bgcolor = el.get("bgcolor")
    if bgcolor:
        normal["background-color"] = bgcolor.strip().lower()
    if el.tag == "font" and el.get("color"):
        normal["color"] = el.get("color").strip().lower()
    elif el.tag == "body" and el.get("text"):
        normal["color"] = el.get("text").strip().lower()
    style = el.get("style")
    if not style:
        return normal, {}
    inline, important = declarations(style)
    normal.update(inline)
    return normal, important


def _cascade(rules: list, own: tuple[dict, dict]) -> dict[str, str]:
    """Rules in cascade order, then the element's own declarations, then the !important ones."""
    merged: dict[str, str] = {}
    for r in rules:
        merged.update(r.normal)
    merged.update(own[0])
    for r in rules:
        merged.update(r.important)
    merged.update(own[1])
    return merged


def _selector_keys(el) -> tuple[str, str | None, set[str]]:
    cls = el.get("class")
    return el.tag, el.get("id"), set(cls.split()) if cls else set()


# ---------------------------------------------------------------------------------- faintness

UNKNOWN = "unknown"  # a background we cannot compute (image, gradient, half-transparent, var())
FAINT_CONTRAST = 1.1  # #f4f4f4 on white is ~1.1: unreadable; light grey #ddd (1.36) is readable
TINY_FONT = 3.0  # px
RULE_SHARE = 0.15  # of the page's text: more than this hidden by one style-sheet rule is a UI state


@dataclass(frozen=True)
class _State:
    """What an element's text inherits: colour, nearest declared background, font size."""

    color: Color | None = None  # None: the browser's default (black) or unknown: never judged
    background: Color | str | None = None  # None: nothing declared, the page's white
    size: float = 16.0
    painted: bool = False  # a text-shadow, stroke or background-clip:text draws the glyphs anyway


_ROOT = _State()


def _background(decls: dict[str, str], parent: Color | str | None) -> Color | str | None:
    image = decls.get("background-image")
    if image and image != "none":
        return UNKNOWN
    value = decls.get("background-color")
    if value is None and "background" in decls:
        short = decls["background"]
        if "url(" in short or "gradient" in short or "var(" in short or "image-set" in short:
            return UNKNOWN
        tokens = re.findall(r"(?:rgba?|hsla?)\([^)]*\)|#[0-9a-f]+|[a-z-]+", short)
        colors = [c for c in (parse_color(t) for t in tokens) if c is not None]
        if not colors:
            return parent if short in ("none", "transparent", "initial", "unset", "inherit") else UNKNOWN
        color: Color | None = colors[-1]
    elif value is not None:
        if value in ("inherit", "initial", "unset", "currentcolor", "none"):
            return parent
        color = parse_color(value)
        if color is None:
            return UNKNOWN
    else:
        return parent
    if color[3] < 0.1:
        return parent  # transparent: the background behind shows
    return color if color[3] >= 0.9 else UNKNOWN


def _next_state(decls: dict[str, str], parent: _State) -> _State:
    color = parent.color
    value = decls.get("-webkit-text-fill-color") or decls.get("color")
    if value is not None and value not in ("inherit", "currentcolor"):
        color = None if value in ("initial", "unset", "revert") else parse_color(value)
    background = parent.background
    if not BACKGROUND.isdisjoint(decls):
        background = _background(decls, parent.background)
    painted = parent.painted or any(
        decls.get(k, "none").split()[0] not in ("none", "0", "0px", "initial", "unset")
        for k in ("text-shadow", "-webkit-text-stroke", "-webkit-text-stroke-width")
    ) or "text" in decls.get("background-clip", "") + decls.get("-webkit-background-clip", "")
    return _State(color, background, font_px(decls, parent.size), painted)


def _in_code(el) -> bool:
    return el.tag in ("pre", "code") or any(a.tag in ("pre", "code") for a in el.iterancestors())


def _faint(state: _State, el) -> bool:
    if state.size < TINY_FONT:
        return True
    if state.color is None or state.painted:
        return False
    if state.color[3] < 0.1:
        return True
    background = state.background
    if background == UNKNOWN or (background is None and _in_code(el)):
        return False
    return contrast(state.color, background if isinstance(background, tuple) else WHITE) < FAINT_CONTRAST


# ------------------------------------------------------------------------------------- finding

_STATE_KEYS = frozenset({"color", "-webkit-text-fill-color", "font-size", "font", "text-shadow", "-webkit-text-stroke",
                         "-webkit-text-stroke-width"}) | BACKGROUND
_DECLARING = "//*[@style or @bgcolor or self::font[@color] or self::body[@text]]"


@dataclass
class Unseen:
    """What :func:`find_unseen` found: elements to drop whole, regions whose own text is faint."""

    hidden: list = field(default_factory=list)
    faint: list = field(default_factory=list)
    states: dict = field(default_factory=dict)  # element -> _State where something inherited is declared
    sheet: Sheet = field(default_factory=lambda: Sheet([]))


def _candidates(root, sheet: Sheet) -> list:
    """Elements with declarations of their own or matched by a suspect rule, in document order.

    One pass in Python over the elements, class and id decisions cached per value: what an XPath
    (``//*[@style or @bgcolor or self::font[@color] or self::body[@text] or contains(@class,'x')
    or @id='y' or self::t ...]``, names not XPath-safe left out, past 150 names any ``@class``/``@id``)
    prefiltered and an exact check then kept (the XPath of ``contains()`` tests cost ~4 ms a page).
    """
    out = []
    if not sheet:
        for el in document_elements(root):
            names = el.keys()  # (one list of attribute names: cheaper than lookups in el.attrib)
            if names and ("style" in names or "bgcolor" in names
                          or (el.tag == "font" and "color" in names) or (el.tag == "body" and "text" in names)):
                out.append(el)
        return out
    by_class, by_id, by_tag = sheet.suspect_keys
    xpath_tags = {t for t in by_tag if _XPATH_NAME(t)}
    xpath_classes = [n for n in by_class if _XPATH_NAME(n)]
    xpath_ids = {n for n in by_id if _XPATH_NAME(n)}
    wide = len(xpath_classes) + len(xpath_ids) > 150  # the prefilter took every @class and @id
    classes: dict[str, tuple[bool, bool]] = {}  # class value -> (prefilter substring hit, exact token hit)
    for el in document_elements(root):
        tag = el.tag
        names = el.keys()
        if not names:
            if tag in xpath_tags:  # (a subset of by_tag: both tests pass)
                out.append(el)
            continue
        if "style" in names or "bgcolor" in names:
            out.append(el)
            continue
        special = el.get("color") if tag == "font" else el.get("text") if tag == "body" else None
        cls = el.get("class")
        ident = el.get("id")
        cls_hit = (False, False)
        if cls is not None:
            cls_hit = classes.get(cls)
            if cls_hit is None:
                cls_hit = classes[cls] = (wide or any(n in cls for n in xpath_classes),
                                          bool(cls) and not by_class.keys().isdisjoint(cls.split()))
        prefilter = special is not None or tag in xpath_tags or cls_hit[0] or (
            ident is not None and (wide or ident in xpath_ids))
        if prefilter and (bool(special) or tag in by_tag or cls_hit[1] or ident in by_id):
            out.append(el)
    return out


_XPATH_NAME = re.compile(r"[A-Za-z_][\w-]*$").match


def document_elements(root):
    """Every element of ``root``'s document in document order, as XPath's ``//*`` finds them: with the
    elements beside ``root`` (a page with a second ``<html>`` after the first has them)."""
    tops = (*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings())
    if len(tops) == 1:
        return root.iter(etree.Element)
    return itertools.chain.from_iterable(top.iter(etree.Element) for top in tops)


def _parent_state(el, states: dict) -> _State:
    for anc in el.iterancestors():
        state = states.get(anc)
        if state is not None:
            return state
    return _ROOT


_ANIMATED = re.compile(r"anim|fade|reveal|appear|aos|wow", re.I)
_PAGE_TAGS = ("html", "body", "main")


def _hiding_rule(rules: list) -> int:
    """The rule that hides (the last in cascade order whose own declarations do), for grouping."""
    for r in reversed(rules):
        if hides_subtree({**r.normal, **r.important}):
            return r.number
    return rules[-1].number


def _sheet_may_hide(el) -> bool:
    """A page's own rules never hide the page itself (critical CSS hides ``main`` until the full sheet
    loads) nor an element waiting for its entrance animation (``.et_animated{opacity:0}``)."""
    if el.tag in _PAGE_TAGS or (el.get("role") or "").lower() == "main":
        return False
    return not (el.get("data-aos") is not None or _ANIMATED.search(el.get("class") or ""))


def find_unseen(root, sheet: Sheet) -> Unseen:
    """Hidden elements and faint-text regions of ``root`` (nothing is changed here)."""
    out = Unseen(sheet=sheet)
    states = out.states
    sources: dict[int, int] = {}  # id(element) -> number of the style-sheet rule that hid or faded it
    for el in _candidates(root, sheet):
        rules = sheet.rules_for(*_selector_keys(el)) if sheet else []
        own = _own_declarations(el)
        decls = _cascade(rules, own)
        if not decls:
            continue
        if hides_subtree(decls):
            if not rules or hides_subtree(_cascade([], own)):
                out.hidden.append(el)
                continue
            if _sheet_may_hide(el):
                out.hidden.append(el)
                sources[id(el)] = _hiding_rule(rules)
                continue
        if _STATE_KEYS.isdisjoint(decls):
            continue
        parent = _parent_state(el, states)
        states[el] = _next_state(decls, parent)
        if rules and _faint(states[el], el) and not _faint(_next_state(_cascade([], own), parent), el):
            sources[id(el)] = rules[-1].number
    out.faint = _faint_regions(sheet, states)
    if sources:
        shown = _shown_text(root, out.hidden)
        out.hidden = _keep_ui_states(out.hidden, sources, shown)
        out.faint = _keep_ui_states(out.faint, sources, shown)
    return out


def _faint_regions(sheet: Sheet, states: dict) -> list:
    """The outermost elements whose text is faint, as declared and then as drawn over their backgrounds."""
    faint = [el for el, state in states.items() if _faint(state, el) and not _faint(_parent_state(el, states), el)]
    # cheap first (external sheets, inline backgrounds), then with the page sheet's backgrounds
    faint = [el for el in faint if _faint(_drawn_state(el, sheet, states, backdrop=False), el)]
    return [el for el in faint if _faint(_drawn_state(el, sheet, states), el)]


def _shown_text(root, hidden_els: list) -> int:
    """Characters of the page's text left once the hidden elements (outermost counted once) go."""
    body = root.find(".//body")
    total = _text_len(body if body is not None else root)
    hidden = {id(el) for el in hidden_els}
    return total - sum(_text_len(el) for el in hidden_els if not any(id(a) in hidden for a in el.iterancestors()))


def _tokens_of(el) -> set[str]:
    tag, ident, classes = _selector_keys(el)
    return {"." + c.lower() for c in classes} | ({"#" + ident.lower()} if ident else set()) | {tag}


def _doubt(node, state: _State, sheet: Sheet, unsure: dict, in_body: bool) -> _State:
    """``state`` less what rules we cannot see may change at ``node``: a complex rule of the page's
    sheet naming it, or, when the page links an external style sheet, any class or id below
    ``<body>`` (a section's dark background usually lives there). Inline declarations still win."""
    doubt = set().union(*(unsure.get(t, ()) for t in _tokens_of(node))) if unsure else set()
    if sheet.external and in_body and (node.get("class") or node.get("id")):
        doubt = {"color", "size", "background"}
    if not doubt:
        return state
    inline = _own_declarations(node)[0]
    return _State(
        None if "color" in doubt and "color" not in inline and "-webkit-text-fill-color" not in inline else state.color,
        UNKNOWN if "background" in doubt and BACKGROUND.isdisjoint(inline) else state.background,
        max(state.size, 16.0) if "size" in doubt and not {"font", "font-size"} & inline.keys() else state.size,
        state.painted,
    )


def _drawn_state(el, sheet: Sheet, states: dict, backdrop: bool = True) -> _State:
    """``el``'s state again with all we know: the style sheet's backgrounds and the rules we cannot
    match that may recolour it (read only now: most pages never get here)."""
    index, unsure = sheet.backdrop() if backdrop and sheet.rules else (None, {})
    state = _ROOT
    in_body = False
    for node in [*reversed(list(el.iterancestors())), el]:
        keys = _selector_keys(node)
        backgrounds = index.lookup(*keys) if index else []
        if backgrounds or node in states:
            rules = sorted(backgrounds + sheet.rules_for(*keys), key=lambda r: r.spec)
            state = _next_state(_cascade(rules, _own_declarations(node)), state)
        state = _doubt(node, state, sheet, unsure, in_body)
        in_body = in_body or node.tag == "body"
    return state


#: an element's text as XPath's string-value: the same characters as "".join(el.itertext()) (checked on
#: every element of the WCXB work part), concatenated in C at a third of the cost
_STRING = etree.XPath("string()")


def text_len(el) -> int:
    """Characters of ``el``'s text, surrounding whitespace left out."""
    return len(_STRING(el).strip())


def text_chars(el) -> int:
    """Characters of ``el``'s text, whitespace included: ``len("".join(el.itertext()))``."""
    return len(_STRING(el))


_text_len = text_len


def clear_faint(unseen: Unseen, total: int) -> None:
    """Clear the text drawn invisibly in each faint region (children that set a visible style again
    keep theirs). A region holding more than half of the page's ``total`` characters of text is
    left alone: a dark theme whose background lives in an external style sheet."""
    regions = [el for el in unseen.faint if not (total and _text_len(el) > total * 0.5)]
    if not regions:
        return
    states = unseen.states
    sheet = unseen.sheet
    index, unsure = sheet.backdrop() if sheet.rules else (None, {})
    for region in regions:
        drawn: dict = {}  # element -> the state its own text is drawn in
        for el in region.iter():
            if not isinstance(el.tag, str):
                continue
            if el is region:
                state = _drawn_state(el, sheet, states)
            else:
                parent = drawn[el.getparent()]
                rules = sorted((index.lookup(*_selector_keys(el)) if index else [])
                               + sheet.rules_for(*_selector_keys(el)), key=lambda r: r.spec)
                state = _next_state(_cascade(rules, _own_declarations(el)), parent) if (
                    rules or el in states) else parent
                state = _doubt(el, state, sheet, unsure, True)
            drawn[el] = state
            if _faint(state, el):
                el.text = None
                for child in el:
                    child.tail = None


def _keep_ui_states(elements: list, sources: dict, total: int) -> list:
    """``elements`` less those of a style-sheet rule whose elements hold more than :data:`RULE_SHARE`
    of the page's text (and at least 300 characters): collapsed answers, closed menus, critical CSS."""
    shares: dict[int, int] = {}
    counted: set[tuple[int, int]] = set()
    for el in elements:
        rule = sources.get(id(el))
        if rule is None or any((rule, id(a)) in counted for a in el.iterancestors()):
            continue  # text inside an element the same rule hid is counted once
        counted.add((rule, id(el)))
        shares[rule] = shares.get(rule, 0) + _text_len(el)
    big = {rule for rule, n in shares.items() if n >= 300 and n > RULE_SHARE * total}
    return [el for el in elements if sources.get(id(el)) not in big] if big else elements
