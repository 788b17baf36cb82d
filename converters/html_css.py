"""The little CSS that hidden-text detection needs: values, declarations, the page's own rules.

Pure functions over strings, used by :mod:`.html_hidden`. No cascade engine: colours, lengths and
font sizes are computed when they are literal (``#fff``, ``rgba(...)``, ``-9999px``, ``0.01em``)
and reported unknown otherwise (``var(--x)``, ``calc()``), and an unknown value never hides text.

Style sheets are read for what can hide, fast: a page often inlines 100-300 KB of framework CSS
(thousands of rules) of which a handful matter, so only rules whose body holds a *suspect* value
(``display:none``, a near-white colour, a tiny font...) are parsed, and only those whose selector is
one simple compound (``p``, ``.x``, ``#id``, ``div.a.b``) are applied. Everything else is read on
demand: the other rules that mention a suspect rule's class, id or tag (a rule that shows it in some
state cancels the hiding), and the backgrounds, which only matter once some text looks invisible.

>>> sheet = Sheet([".x{display:none} .open > .y{display:block} .y{display:none} p{margin:0}"])
>>> [(r.classes, r.normal) for r in sheet.rules_for("span", None, {"x", "y"})]
[(frozenset({'x'}), {'display': 'none'})]
"""

from __future__ import annotations

import bisect
import colorsys
import re
from dataclasses import dataclass, field

__all__ = ["Color", "WHITE", "parse_color", "contrast", "length_px", "font_px", "declarations",
           "hides_subtree", "Sheet", "Rule", "INHERITED"]

# ------------------------------------------------------------------------------------- values

Color = tuple[float, float, float, float]  # r, g, b in 0..255, alpha in 0..1
WHITE: Color = (255.0, 255.0, 255.0, 1.0)
#: light colours by name (the ones that hide text on white), then the common others
_LIGHT_NAMES = {
    "white": "fff", "snow": "fffafa", "ivory": "fffff0", "whitesmoke": "f5f5f5", "ghostwhite": "f8f8ff",
    "floralwhite": "fffaf0", "azure": "f0ffff", "mintcream": "f5fffa", "honeydew": "f0fff0",
    "seashell": "fff5ee", "linen": "faf0e6", "oldlace": "fdf5e6", "aliceblue": "f0f8ff",
    "lavenderblush": "fff0f5", "lightyellow": "ffffe0", "lightcyan": "e0ffff", "cornsilk": "fff8dc",
    "beige": "f5f5dc",
}
_NAMED = {
    **_LIGHT_NAMES, "black": "000", "silver": "c0c0c0", "gray": "808080", "grey": "808080",
    "lightgray": "d3d3d3", "lightgrey": "d3d3d3", "gainsboro": "dcdcdc", "darkgray": "a9a9a9",
    "darkgrey": "a9a9a9", "dimgray": "696969", "dimgrey": "696969", "red": "f00", "green": "008000",
    "blue": "00f", "navy": "000080", "yellow": "ff0", "orange": "ffa500", "purple": "800080",
    "maroon": "800000", "teal": "008080", "olive": "808000", "lime": "0f0", "aqua": "0ff", "cyan": "0ff",
    "fuchsia": "f0f", "magenta": "f0f", "darkblue": "00008b", "darkred": "8b0000", "darkgreen": "006400",
    "darkslategray": "2f4f4f", "darkslategrey": "2f4f4f", "midnightblue": "191970",
}
_HEX = re.compile(r"#([0-9a-f]{3,8})$")
_FUNC = re.compile(r"(rgba?|hsla?)\(([^()]*)\)$")
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z%]*)$")


def parse_color(value: str) -> Color | None:
    """A CSS colour as (r, g, b, alpha), or None when it is not one we can compute.

    >>> parse_color("rgba(0, 0, 0, 0)"), parse_color("#FFF"), parse_color("hsl(0 0% 100% / 50%)")
    ((0.0, 0.0, 0.0, 0.0), (255.0, 255.0, 255.0, 1.0), (255.0, 255.0, 255.0, 0.5))
    """
    v = value.strip().lower()
    if v == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    v = "#" + _NAMED[v] if v in _NAMED else v
    m = _HEX.match(v)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) not in (6, 8):
            return None
        alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return (float(int(h[0:2], 16)), float(int(h[2:4], 16)), float(int(h[4:6], 16)), alpha)
    m = _FUNC.match(v)
    if not m:
        return None
    nums = []
    for p in (p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p):
        n = _NUMBER.match(p)
        if not n or n.group(2) not in ("", "%", "deg"):
            return None
        nums.append((float(n.group(1)), n.group(2)))
    if len(nums) not in (3, 4):
        return None
    alpha = 1.0
    if len(nums) == 4:
        alpha = nums[3][0] / 100 if nums[3][1] == "%" else nums[3][0]
    if m.group(1).startswith("rgb"):
        rgb = [min(255.0, max(0.0, n * 2.55 if u == "%" else n)) for n, u in nums[:3]]
    else:
        (h, _), (s, _), (lum, _) = nums[:3]
        r, g, b = colorsys.hls_to_rgb((h % 360) / 360, min(max(lum, 0), 100) / 100, min(max(s, 0), 100) / 100)
        rgb = [round(r * 255, 3), round(g * 255, 3), round(b * 255, 3)]
    return (rgb[0], rgb[1], rgb[2], max(0.0, min(1.0, alpha)))


def _luminance(c: Color) -> float:
    def channel(x: float) -> float:
        x /= 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours: 1 when identical, 21 for black on white."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


_FONT_KEYWORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
                  "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0}
_UNITS = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
          "rem": 16.0}
_RELATIVE = {"em": 1.0, "%": 0.01, "ex": 0.5, "ch": 0.5}


def length_px(value: str, em: float = 16.0) -> float | None:
    """A CSS length in px (``em`` and ``%`` relative to ``em``), None when not computable here.

    >>> length_px("0.01em"), length_px("-9999px"), length_px("0.5pt"), length_px("0"), length_px("1vw")
    (0.16, -9999.0, 0.6666666666666666, 0.0, None)
    """
    m = _NUMBER.match(value.strip().lower())
    if not m:
        return None
    n, unit = float(m.group(1)), m.group(2)
    if n == 0:
        return 0.0
    if unit in _UNITS:
        return n * _UNITS[unit]
    if unit in _RELATIVE:
        return n * _RELATIVE[unit] * em
    return None


def font_px(decls: dict[str, str], parent: float) -> float:
    """The font size (px) that an element's declarations give it; the parent's when none.

    A size we cannot compute (``calc()``, ``var()``, ``vw``) counts as readable.
    """
    value = decls.get("font-size")
    if value is None and "font" in decls:  # shorthand: "0/0 a", "bold 12px/1.5 sans-serif"
        for token in decls["font"].split():
            size = token.split("/")[0]
            if size in _FONT_KEYWORDS or _NUMBER.match(size):
                value = size
                break
    if value is None:
        return parent
    value = value.strip().lower()
    if value in _FONT_KEYWORDS:
        return _FONT_KEYWORDS[value]
    if value in ("smaller", "larger"):
        return parent * (0.83 if value == "smaller" else 1.2)
    if value in ("inherit", "unset"):
        return parent
    px = length_px(value, parent)
    return max(parent, 16.0) if px is None else px


# ------------------------------------------------------------------------------- declarations

_DECL_SPLIT = re.compile(r";(?![^(]*\))")
_IMPORTANT = re.compile(r"\s*!\s*important\s*$", re.I)


def declarations(style: str) -> tuple[dict[str, str], dict[str, str]]:
    """(normal, !important) declarations of a style attribute or rule body; lowercased."""
    normal: dict[str, str] = {}
    important: dict[str, str] = {}
    for part in _DECL_SPLIT.split(style):
        name, sep, value = part.partition(":")
        if not sep:
            continue
        name = name.strip().lower()
        value = value.strip()
        if not name or not value:
            continue
        if "!" in value and _IMPORTANT.search(value):
            important[name] = _IMPORTANT.sub("", value).lower()
        else:
            normal[name] = value.lower()
    return normal, important


_OFFSETS = ("left", "top", "right", "bottom", "margin-left", "margin-top", "text-indent")
OFF_SCREEN = -1000.0  # px: "left:-9999px", "text-indent:-9999px"; no layout puts read text there
_SCALE = re.compile(r"\b(scale[xyz3d]*)\(([^)]*)\)")
_TRANSLATE = re.compile(r"\btranslate[xy3d]*\(([^)]*)\)")
_RECT = re.compile(r"rect\(([^)]*)\)")
_INSET = re.compile(r"inset\(\s*([\d.]+)%")
_ZERO_SHAPE = re.compile(r"(?:circle|ellipse)\(\s*0(?:px|%)?(?:[\s)]|$)")
_OPACITY_FILTER = re.compile(r"opacity\(\s*0*(?:\.0*)?%?\s*\)")


def _near_zero(value: str) -> bool:
    px = length_px(value)
    if px is not None:
        return abs(px) <= 1.0
    m = _NUMBER.match(value.strip())
    return bool(m) and float(m.group(1)) == 0


def _cut_away(decls: dict[str, str]) -> bool:
    """No height (or width) and overflow hidden: what is inside is cut away."""
    if not any(decls.get(k, "").split()[:1] in (["hidden"], ["clip"]) for k in ("overflow", "overflow-y", "overflow-x")):
        return False
    return any(_near_zero(decls[k]) for k in ("height", "max-height", "width", "max-width") if k in decls)


def _transformed_away(transform: str) -> bool:
    for name, args in _SCALE.findall(transform):
        values = [a for a in re.split(r"[\s,]+", args.strip()) if a]
        if any(_near_zero(v) and length_px(v) == 0.0 for v in (values[:2] if name == "scale3d" else values)):
            return True
    for args in _TRANSLATE.findall(transform):
        for a in re.split(r"[\s,]+", args.strip()):
            px = length_px(a)
            if px is not None and abs(px) >= -OFF_SCREEN:
                return True
    return False


def _clipped_away(decls: dict[str, str]) -> bool:
    m = _RECT.search(decls.get("clip", ""))
    if m:
        edges = [length_px(p) for p in re.split(r"[\s,]+", m.group(1).strip()) if p]
        if len(edges) == 4 and None not in edges:
            top, right, bottom, left = edges
            if bottom - top <= 1 or right - left <= 1:
                return True
    path = decls.get("clip-path") or decls.get("-webkit-clip-path") or ""
    m = _INSET.search(path)
    return bool(m and float(m.group(1)) >= 50) or bool(_ZERO_SHAPE.search(path))


def hides_subtree(decls: dict[str, str]) -> bool:
    """True when these declarations make an element, and all it holds, invisible.

    >>> hides_subtree({"position": "absolute", "left": "-9999px"}), hides_subtree({"opacity": "0.5"})
    (True, False)
    """
    if decls.get("display") == "none" or decls.get("visibility") in ("hidden", "collapse"):
        return True
    if decls.get("content-visibility") == "hidden":
        return True
    if "will-change" in decls or "animation" in decls or "animation-name" in decls:
        # an entrance animation's first frame (Framer's "appear": opacity 0.001 and a transform,
        # carousels slid aside): the script shows it, so opacity and transforms say nothing here
        decls = {k: v for k, v in decls.items() if k not in ("opacity", "transform", "scale", "filter")}
    opacity = decls.get("opacity")
    if opacity is not None:
        m = _NUMBER.match(opacity)
        if m and float(m.group(1)) / (100 if m.group(2) == "%" else 1) <= 0.05:
            return True
    if "filter" in decls and _OPACITY_FILTER.search(decls["filter"]):
        return True
    if "transform" in decls and _transformed_away(decls["transform"]):
        return True
    if "scale" in decls and any(length_px(v) == 0.0 for v in decls["scale"].split()[:2]):
        return True
    if ("clip" in decls or "clip-path" in decls or "-webkit-clip-path" in decls) and _clipped_away(decls):
        return True
    for key in _OFFSETS:
        if key in decls:
            px = length_px(decls[key])
            if px is not None and px <= OFF_SCREEN:
                return True
    return _cut_away(decls)


# ----------------------------------------------------------------------------------- the sheet

#: properties read by the hidden-text rules; the inherited ones (colour, size) a child can set back
INHERITED = frozenset({"color", "-webkit-text-fill-color", "font-size", "font", "text-shadow", "-webkit-text-stroke",
                       "-webkit-text-stroke-width"})
BACKGROUND = frozenset({"background", "background-color", "background-image", "background-clip",
                        "-webkit-background-clip"})
RELEVANT = frozenset({
    "display", "visibility", "opacity", "content-visibility", "filter", "transform", "scale", "clip",
    "clip-path", "-webkit-clip-path", "left", "top", "right", "bottom", "margin-left", "margin-top",
    "text-indent", "height", "max-height", "width", "max-width", "overflow", "overflow-x", "overflow-y",
    "will-change", "animation", "animation-name",
}) | INHERITED | BACKGROUND
_LIGHT = "|".join(_LIGHT_NAMES)
#: a rule body that may hide or fade text (a superset: the rule is then parsed and judged exactly)
_SUSPECT = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*(?:0|0?\.0\d*)\s*%?\s*(?:[;!]|$)"
    r"|content-visibility\s*:\s*hidden|opacity\(\s*0|clip\s*:\s*rect|clip-path\s*:\s*(?:inset|circle|ellipse)"
    r"|scale[xyz3d]*\(\s*0*\.?0*\s*[,)]|(?<![-\w])scale\s*:\s*0|translate[^;]*-?\d{4}"
    r"|:\s*-\d{3,}|:\s*-\d{2,}(?:\.\d*)?r?em|(?:height|width)\s*:\s*[01](?:\.0*)?(?:px)?\s*(?:[;!]|$)"
    r"|font(?:-size)?\s*:[^;]*?(?<![\w.-])(?:0?\.\d+|[0-2](?:\.\d+)?)(?:px|pt|r?em|%|/|\s|;|!|$)"
    rf"|(?<![-\w])color\s*:\s*(?:#[ef]|transparent|rgba|hsla|rgb\(\s*2[2-5]\d|hsl\(|{_LIGHT})",
    re.I,
)
#: the same pattern for ASCII text already lowercased: case-sensitive, and led by a lookahead on the
#: first letters of its alternatives, so most positions fail on one character test (3x faster)
_SUSPECT_LOWER = re.compile(r"(?=[dvocstfh:w])(?:" + _SUSPECT.pattern + ")")
assert _SUSPECT_LOWER.pattern.lower() == _SUSPECT_LOWER.pattern  # (it relies on a lowercase pattern)


def _suspect(body: str) -> bool:
    """``_SUSPECT.search(body)``, fast: an ASCII body lowercased matches the lowercase pattern exactly
    where the case-insensitive one matches (other text takes the case-insensitive pattern)."""
    if body.isascii():
        return _SUSPECT_LOWER.search(body.lower()) is not None
    return _SUSPECT.search(body) is not None


_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_NAME_CHAR = re.compile(r"[\w-]").match
_FLAT_AT_RULES = frozenset({"font-face", "page", "property", "counter-style", "font-palette-values", "viewport",
                            "font-feature-values", "color-profile", "position-try"})
_SIMPLE = re.compile(r"^([a-z][a-z0-9-]*)?((?:[.#][\w-]+)*)$", re.I)
_PIECE = re.compile(r"([.#])([\w-]+)")
_PSEUDO_OR_ATTR = re.compile(r"::?[\w-]+(?:\([^)]*\))?|\[[^\]]*\]")
_TOKEN = re.compile(r"(?<![\w-])([.#]?)([a-z][\w-]*)", re.I)
_SCREEN = re.compile(r"^\s*(?:only\s+)?(?:screen|all)\s*$", re.I)
_COLOURING = INHERITED | BACKGROUND
_INHERITED_GROUPS = {"color": "color", "-webkit-text-fill-color": "color", "font-size": "size", "font": "size"}


def _tokens(selector: str) -> set[str]:
    """Class (``.x``), id (``#x``) and tag (``x``) names a selector mentions, pseudo parts removed."""
    return {kind + name.lower() for kind, name in _TOKEN.findall(_PSEUDO_OR_ATTR.sub(" ", selector))}


def _relevant(body: str) -> tuple[dict[str, str], dict[str, str]]:
    normal, important = declarations(body)
    return ({k: v for k, v in normal.items() if k in RELEVANT}, {k: v for k, v in important.items() if k in RELEVANT})


@dataclass
class Rule:
    """One simple-selector rule: what it matches, where it sorts in the cascade, what it declares."""

    tag: str | None
    ident: str | None
    classes: frozenset[str]
    spec: tuple[int, int, int, int]  # (ids, classes, tags, source order)
    normal: dict[str, str]
    important: dict[str, str]
    number: int = 0  # the source rule it came from (one per selector list)

    def matches(self, tag: str, ident: str | None, classes: set[str]) -> bool:
        return ((self.tag is None or self.tag == tag) and (self.ident is None or self.ident == ident)
                and self.classes <= classes)

    @property
    def tokens(self) -> set[str]:
        out = {"." + c.lower() for c in self.classes}
        if self.ident:
            out.add("#" + self.ident.lower())
        if self.tag:
            out.add(self.tag)
        return out


@dataclass
class _Index:
    by_class: dict[str, list[Rule]] = field(default_factory=dict)
    by_id: dict[str, list[Rule]] = field(default_factory=dict)
    by_tag: dict[str, list[Rule]] = field(default_factory=dict)

    def add(self, rule: Rule) -> None:
        if rule.classes:
            for c in rule.classes:
                self.by_class.setdefault(c, []).append(rule)
        elif rule.ident:
            self.by_id.setdefault(rule.ident, []).append(rule)
        elif rule.tag:
            self.by_tag.setdefault(rule.tag, []).append(rule)

    def lookup(self, tag: str, ident: str | None, classes: set[str]) -> list[Rule]:
        found: dict[int, Rule] = {}
        for c in classes:
            for r in self.by_class.get(c, ()):
                found[id(r)] = r
        for r in self.by_id.get(ident, ()) if ident else ():
            found[id(r)] = r
        for r in self.by_tag.get(tag, ()):
            found[id(r)] = r
        return sorted((r for r in found.values() if r.matches(tag, ident, classes)), key=lambda r: r.spec)

    def __bool__(self) -> bool:
        return bool(self.by_class or self.by_id or self.by_tag)


class Sheet:
    """The page's own style sheets, read for what can hide text (see the module docstring)."""

    def __init__(self, css_texts: list[str], external: bool = False):
        #: the page also links a style sheet we cannot read (or @imports one)
        self.external = external or any("@import" in css for css in css_texts)
        #: every rule as (number, prelude, body, applies): at-rules other than @media screen/all,
        #: @supports and @layer do not apply, but their rules still count as "shown sometimes"
        self.rules: list[tuple[int, str, str, bool]] = []
        for css in css_texts:
            self._read(_COMMENT.sub("", css))
        self._suspect = _Index()
        self._settled: set[int] = set()  # id() of suspect rules already checked against the others
        self._joined: tuple[str, list[int]] | None = None
        self._named: dict[str, set[int]] = {}  # name -> numbers of the rules naming it (see _naming)
        self._others: dict[int, set[str]] = {}  # rule number -> what it shows (see _shows)
        self._token_sets: dict[int, set[str]] = {}  # rule number -> its selector's tokens
        self._backdrop: tuple[_Index, dict[str, set[str]]] | None = None
        for number, prelude, body, applies in self.rules:
            if applies and _suspect(body):
                for rule in self._simple(number, prelude, None):  # declarations read when it matches
                    self._suspect.add(rule)

    def __bool__(self) -> bool:
        return bool(self._suspect)

    def _read(self, css: str) -> None:
        """Split ``css`` into rules with ``str.find`` (a regex tokenizer went quadratic on the
        base64 fonts that pages inline in ``@font-face``)."""
        stack: list[bool] = []  # does each open block (at-rule, nesting rule) apply
        pos, n = 0, len(css)
        while pos < n:
            opening = css.find("{", pos)
            closing = css.find("}", pos)
            if opening < 0 or 0 <= closing < opening:  # a block ends before the next begins
                if closing < 0:
                    return
                if stack:
                    stack.pop()
                pos = closing + 1
                continue
            prelude = css[pos:opening].rsplit(";", 1)[-1].strip()  # after "@import ...;" statements
            applies = all(stack)
            end = css.find("}", opening + 1)
            end = n if end < 0 else end
            if prelude.startswith("@"):
                name, _, query = prelude[1:].partition(" ")
                name = name.lower()
                if name in _FLAT_AT_RULES:  # @font-face, @page...: declarations, no rules
                    pos = end + 1
                    continue
                stack.append(name in ("supports", "layer") or (name == "media" and bool(_SCREEN.match(query))))
                pos = opening + 1
                continue
            nested = css.find("{", opening + 1)
            if 0 <= nested < end:  # CSS nesting: inner rules are descendant selectors, not applied
                stack.append(False)
                pos = opening + 1
                continue
            self.rules.append((len(self.rules), prelude, css[opening + 1:end], applies))
            pos = end + 1

    @staticmethod
    def _simple(number: int, prelude: str, body: str | None) -> list[Rule]:
        """The simple selectors of a rule as Rules (declarations read later when ``body`` is None)."""
        normal, important = _relevant(body) if body is not None else ({}, {})
        if body is not None and not normal and not important:
            return []
        out = []
        for order, selector in enumerate(prelude.split(",")):
            m = _SIMPLE.match(selector.strip())
            if not m or not selector.strip():
                continue
            pieces = _PIECE.findall(m.group(2))
            ids = [name for kind, name in pieces if kind == "#"]
            if len(ids) > 1:
                continue
            tag = (m.group(1) or "").lower() or None
            classes = frozenset(name for kind, name in pieces if kind == ".")
            spec = (len(ids), len(classes), 1 if tag else 0, number * 1000 + order)
            out.append(Rule(tag, ids[0] if ids else None, classes, spec, dict(normal), dict(important), number))
        return out

    def _naming(self, names: set[str]) -> set[int]:
        """Numbers of the rules whose selector names any of ``names`` (one regex over all selectors)."""
        if self._joined is None:
            starts, pos = [], 0
            for _, prelude, _, _ in self.rules:
                starts.append(pos)
                pos += len(prelude) + 1
            self._joined = ("\n".join(prelude for _, prelude, _, _ in self.rules), starts)
        joined, starts = self._joined
        found: set[int] = set()
        for name in names:
            numbers = self._named.get(name)
            if numbers is None:
                if len(name) <= 3:  # a tag (p, ul, q): a regex, since the letters alone are everywhere; the
                    # name leads so the scan jumps between its occurrences, then the char before is checked
                    escaped = re.escape(name)
                    hits = [m.start() for m in re.finditer(escaped + r"(?<![\w.#-]" + escaped + r")(?![\w-])", joined)]
                else:  # a class or id: str.find is much faster than a regex scan over every selector
                    hits, pos = [], joined.find(name)
                    while pos >= 0:
                        end = pos + len(name)
                        if (pos == 0 or not _NAME_CHAR(joined[pos - 1])) and (end == len(joined) or not _NAME_CHAR(joined[end])):
                            hits.append(pos)
                        pos = joined.find(name, end)
                numbers = self._named[name] = {bisect.bisect_right(starts, h) - 1 for h in hits}
            found |= numbers
        return found

    def _shows(self, number: int) -> set[str]:
        """The properties rule ``number`` sets that a hiding or colouring rule naming the same element
        cannot be trusted against (read once per sheet)."""
        props = self._others.get(number)
        if props is None:
            normal, important = _relevant(self.rules[number][2])
            props = {k for d in (normal, important) for k, v in d.items() if not hides_subtree({k: v})}
            props |= {k for k in (*normal, *important) if k in INHERITED}
            self._others[number] = props
        return props

    def _selector_tokens(self, number: int) -> set[str]:
        tokens = self._token_sets.get(number)
        if tokens is None:
            tokens = self._token_sets[number] = _tokens(self.rules[number][1])
        return tokens

    def _settle(self, rule: Rule) -> None:
        """Drop what another rule naming the same class, id or tag sets too: an element shown in some
        state (``.tab.active``, ``.open > .menu``, ``:hover``) or recoloured by a rule we cannot
        match (``.dark .x``) is not reliably hidden. Done once per rule, when it first matches."""
        if id(rule) in self._settled:
            return
        self._settled.add(id(rule))
        rule.normal, rule.important = _relevant(self.rules[rule.number][2])
        if not rule.normal and not rule.important:
            return
        other: set[str] = set()
        names = set(rule.classes) | {n for n in (rule.ident, rule.tag) if n}  # as written: class names are case-sensitive
        tokens = rule.tokens
        for number in self._naming(names) - {rule.number}:
            if not tokens.isdisjoint(self._selector_tokens(number)):
                other |= self._shows(number)
        if other:
            rule.normal = {k: v for k, v in rule.normal.items() if k not in other or k in BACKGROUND}
            rule.important = {k: v for k, v in rule.important.items() if k not in other or k in BACKGROUND}

    def rules_for(self, tag: str, ident: str | None, classes: set[str]) -> list[Rule]:
        """The suspect simple rules matching an element, in cascade order, each settled."""
        if not self._suspect:
            return []
        rules = self._suspect.lookup(tag, ident, classes)
        for rule in rules:
            self._settle(rule)
        return [r for r in rules if r.normal or r.important]

    @property
    def suspect_keys(self) -> tuple[dict, dict, dict]:
        return self._suspect.by_class, self._suspect.by_id, self._suspect.by_tag

    # -- backgrounds, read only when some text looks invisible -------------------------------

    def backdrop(self) -> tuple[_Index, dict[str, set[str]]]:
        """(simple rules declaring colours, backgrounds or font sizes; token -> {"color", "size",
        "background"} that some rule we cannot match sets for it): what may change how an
        element's text is drawn, beyond the suspect rules."""
        if self._backdrop is None:
            index = _Index()
            unsure: dict[str, set[str]] = {}
            for number, prelude, body, applies in self.rules:
                if "background" not in body and "color" not in body and "font" not in body:
                    continue
                normal, important = _relevant(body)
                props = {*normal, *important}
                groups = {_INHERITED_GROUPS[p] for p in props if p in _INHERITED_GROUPS}
                if props & BACKGROUND:
                    groups.add("background")
                if not groups:
                    continue
                for selector in prelude.split(","):
                    selector = selector.strip()
                    m = _SIMPLE.match(selector) if applies else None
                    if m and selector:
                        for rule in self._simple(number, selector, body):
                            rule.normal = {k: v for k, v in rule.normal.items() if k in _COLOURING}
                            rule.important = {k: v for k, v in rule.important.items() if k in _COLOURING}
                            index.add(rule)
                    elif not m:
                        for token in _tokens(selector):
                            unsure.setdefault(token, set()).update(groups)
            self._backdrop = (index, unsure)
        return self._backdrop
