"""An lxml element -> GitHub-flavoured markdown, with the rules documentation pages need.

Why our own writer instead of markdownify: markdownify walks BeautifulSoup trees (several times
slower than lxml on 100 KB Sphinx pages) and its generic rules are wrong for docs in the places that
matter: code languages (``highlight-python3``), ``<pre>`` inside lists and ``<dl>``, colspan
tables, admonitions, permalinks. Here block elements become a list of markdown blocks, inline
elements a string; lists, definition lists and blockquotes indent or prefix the blocks of their
children, so code fences stay intact at any depth.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin

from .html_select import drop_keeping_tail

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption", "listing", "xmp", "plaintext", "head",
}
INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "i", "img", "kbd", "mark", "q",
    "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "del",
    "ins", "strike", "tt", "font", "big", "label", "acronym", "nobr", "input",
}


def _is_block(el) -> bool:
    """Known block tags, and unknown (custom) elements that hold blocks, e.g. <doc-content><p>."""
    tag = el.tag
    if tag in BLOCK_TAGS:
        return True
    if tag in INLINE_TAGS:
        return False
    return any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS for d in el.iterdescendants())
_WS = re.compile(r"[ \t\n\r\f\v\u200b]+")
_BR = "\x00"  # a hard line break inside inline text, survives whitespace collapsing
_MAX_DEPTH = 150

ADMONITION_KINDS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
    "caution": "Caution", "danger": "Danger", "attention": "Attention", "error": "Error",
    "seealso": "See also", "info": "Info", "success": "Success", "question": "Question", "example": "Example",
    "abstract": "Abstract", "summary": "Summary", "todo": "Todo", "bug": "Bug", "failure": "Failure",
    "quote": "Quote", "deprecated": "Deprecated", "notice": "Notice", "admonition": "Note", "secondary": "Note",
    "caution-admonition": "Caution",
}
_ADMONITION_CONTAINER = re.compile(
    r"^(admonition|theme-admonition|markdown-alert|alert|callout|starlight-aside|notices?|admonitionblock|"
    r"bs-callout|panel-(?:note|warning|info))$"
)
_ADMONITION_TITLE = re.compile(r"(sidebar-title|admonition[-_]?(title|heading)|alert[-_]?(title|heading)|callout[-_]?title|"
                               r"markdown-alert-title|aside__title|(custom|hint)-(block|container)-title|^title$)", re.I)

_LANG_PREFIXES = ("language-", "lang-", "highlight-source-", "highlight-", "brush:", "sourcecode-")
_LANG_ALIASES = {
    "python3": "python", "py": "python", "py3": "python", "default": "python", "ipython3": "ipython",
    "pycon3": "pycon", "python2": "python", "sh": "sh", "js": "javascript",
    "ts": "typescript", "c++": "cpp", "yml": "yaml", "none": "", "text": "text", "plain": "text",
    "plaintext": "text", "nohighlight": "", "txt": "text", "hljs": "", "notranslate": "",
}
#: bare class tokens accepted as a language on <pre>/<code> (rustdoc writes class="rust")
_BARE_LANGS = {
    "rust", "python", "python3", "javascript", "typescript", "java", "kotlin", "scala", "go", "c", "cpp",
    "csharp", "ruby", "php", "perl", "bash", "sh", "shell", "console", "powershell", "json", "yaml", "toml",
    "xml", "html", "css", "sql", "lua", "haskell", "ocaml", "elixir", "erlang", "swift", "r", "julia",
    "dockerfile", "makefile", "ini", "diff", "graphql", "pycon", "text",
}
_NOT_LANGS = {"highlight", "notranslate", "hljs", "sourcecode", "code", "prettyprint", "literal-block",
              "codehilite", "chroma", "shiki", "line-numbers", "snippet", "example", "rust-example-rendered"}


def normalize_lang(name: str) -> str:
    name = name.strip().lower().strip(".:;")
    name = _LANG_ALIASES.get(name, name)
    return name if re.fullmatch(r"[a-z0-9_+#.-]{1,30}", name or "") else ""


def code_language(pre) -> str:
    """The fence language of a ``<pre>``, read from the page's conventions.

    Looks at the ``<pre>``, a single ``<code>`` child and up to six wrapping elements (Sphinx puts
    ``highlight-python3`` two levels up, pandoc ``sourceCode python`` on the pre itself).
    """
    chain = []
    code = pre.find("code")
    if code is not None:
        chain.append(code)
    chain.append(pre)
    parent = pre.getparent()
    for _ in range(6):  # Sphinx linenos tables put the pre five levels below highlight-x
        if parent is None:
            break
        chain.append(parent)
        parent = parent.getparent()
    for el in chain:
        for attr in ("data-lang", "data-language", "lang"):
            value = el.get(attr)
            if value and el.tag in ("pre", "code", "div") and attr != "lang":
                lang = normalize_lang(value)
                if lang:
                    return lang
        classes = (el.get("class") or "").split()
        for i, cls in enumerate(classes):
            low = cls.lower()
            for prefix in _LANG_PREFIXES:
                if low.startswith(prefix) and len(low) > len(prefix):
                    lang = normalize_lang(low[len(prefix):])
                    if lang or low[len(prefix):] in _LANG_ALIASES:
                        return lang
            if low == "sourcecode" and i + 1 < len(classes):
                return normalize_lang(classes[i + 1])
        if el.tag in ("pre", "code"):
            for cls in classes:
                low = cls.lower()
                if low in _BARE_LANGS and low not in _NOT_LANGS:
                    return normalize_lang(low)
    return ""


def fence_for(text: str, char: str = "`") -> str:
    """A fence longer than any run of ``char`` inside ``text`` (at least three)."""
    longest = max((len(m) for m in re.findall(re.escape(char) + "+", text)), default=0) if char in text else 0
    return char * max(3, longest + 1)


def _inline_code(text: str) -> str:
    text = text.replace("\n", " ")
    if not text.strip():
        return ""
    longest = max((len(m) for m in re.findall("`+", text)), default=0) if "`" in text else 0
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _classes(el) -> list[str]:
    return (el.get("class") or "").lower().split()


def _indent(text: str, prefix: str, first: str | None = None) -> str:
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        p = first if (i == 0 and first is not None) else prefix
        out.append((p + line) if line.strip() else p.rstrip())
    return "\n".join(out)


def _drop_spacer_rows(grid: list[list[str]], rows: list[list]) -> tuple[list[list[str]], list[list]]:
    """Without the empty rows after the first (spacer rows: Doxygen's memSeparator)."""
    keep = [0] + [i for i in range(1, len(grid)) if any(grid[i])]
    if len(keep) < len(grid) and len(grid) == len(rows):
        return [grid[i] for i in keep], [rows[i] for i in keep]
    return grid, rows


def _gfm_table(grid: list[list[str]], rows: list[list], width: int, headless: bool) -> list[str]:
    """The GFM table lines: rows padded to ``width``; the first row is the header when it is <th> cells
    (or in <thead>) or says something, else an empty header (and ``headless``: every row is data)."""
    for r in grid:
        r.extend([""] * (width - len(r)))
    first_row = rows[0][0].getparent()
    header_is_th = all(c.tag == "th" for c in rows[0]) or first_row.getparent().tag == "thead"
    header = grid[0]
    body = grid[1:]
    if headless and not header_is_th:  # rows under a heading row: all of them are data
        header, body = [""] * width, grid
    if not header_is_th and not any(header):
        header = [""] * width
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(["---"] * width) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return lines


class Writer:
    """Converts one content tree; holds the page's base URL and collects the links it writes.

    A class because the state is real: the base URL, the collected links and the switches are
    needed at every level of the recursion.
    """

    def __init__(self, base_url: str | None = None, *, links: bool = True, images: bool = True) -> None:
        self.base_url = base_url
        self.keep_links = links
        self.keep_images = images
        self.links: list[str] = []
        self._seen: set[str] = set()
        self._in_heading = False

    # ---- URLs ------------------------------------------------------------------------------
    def absolute(self, href: str) -> str:
        href = href.strip()
        if not self.base_url or href.startswith(("https://", "http://")):
            return href
        return _join(self.base_url, href)

    # ---- entry point -----------------------------------------------------------------------
    def convert(self, elements) -> str:
        blocks: list[str] = []
        for el in elements:
            blocks.extend(self.blocks(el, 0))
        blocks = [b for b in blocks if b.strip()]
        # rules left at the edges or doubled once chrome between them is gone say nothing
        while blocks and blocks[0] == "---":
            blocks.pop(0)
        while blocks and blocks[-1] == "---":
            blocks.pop()
        blocks = [b for i, b in enumerate(blocks) if not (b == "---" and i and blocks[i - 1] == "---")]
        text = "\n\n".join(blocks)
        return text.strip("\n") + "\n" if text.strip() else ""

    # ---- block level -----------------------------------------------------------------------
    def blocks(self, el, depth: int) -> list[str]:
        """The markdown blocks of ``el``'s children (text and inline runs become paragraphs)."""
        out: list[str] = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                para = _block_start(_finish_inline("".join(buf)))
                buf.clear()
                if para:
                    out.append(para)

        if el.text:
            buf.append(_esc(el.text))
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and _is_block(child):
                flush()
                out.extend(self.block(child, depth + 1))
            elif isinstance(tag, str):
                buf.append(self.inline(child, depth + 1))
            if child.tail:
                buf.append(_esc(child.tail))
        flush()
        return out

    def block(self, el, depth: int) -> list[str]:
        if depth > _MAX_DEPTH:
            text = _finish_inline(" ".join(el.itertext()))
            return [text] if text else []
        tag = el.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._in_heading = True  # a heading's "#anchor" link is its own permalink: text only
            try:
                text = self.inline_text(el, depth).strip().rstrip("¶#§").strip()
            finally:
                self._in_heading = False
            return [f"{'#' * int(tag[1])} {text}"] if text else []
        if tag == "p":
            text = _block_start(self.inline_text(el, depth))
            return [text] if text else []
        if tag in ("pre", "listing", "xmp", "plaintext") or (tag == "div" and el.get("class") == "fragment"):
            # (Doxygen writes code as div.fragment > div.line, no <pre>: without this every line
            # became its own paragraph, comments and blank lines lost)
            fenced = self.pre(el)
            return [fenced] if fenced else []
        if tag in ("ul", "ol", "menu", "dir"):
            return self.listing(el, depth)
        if tag == "dl":
            return self.definitions(el, depth)
        if tag == "table":
            return self.table(el, depth)
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(el, depth))
            return [_indent(inner, "> ")] if inner.strip() else []
        if tag == "hr":
            return ["---"]
        if tag in ("div", "section", "aside", "details", "article", "blockquote", "figure", "dd"):
            kind = admonition_kind(el)
            if kind:
                return self.admonition(el, kind, depth)
        if tag == "summary":
            text = self.inline_text(el, depth)
            return [f"**{text}**"] if text else []
        if tag in ("figcaption", "caption", "legend"):
            text = self.inline_text(el, depth)
            return [f"*{text}*"] if text else []
        return self.blocks(el, depth)

    def pre(self, el) -> str:
        lang = code_language(el)
        code = _pre_text(el)
        code = code.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
        code = code.strip("\n").rstrip()
        if not code.strip():
            return ""
        if "\n " in code:  # a blank line made of spaces (Doxygen's "&#160;" lines) is a blank line
            code = "\n".join("" if not line.strip() else line for line in code.split("\n"))
        fence = fence_for(code)
        return f"{fence}{lang}\n{code}\n{fence}"

    def listing(self, el, depth: int) -> list[str]:
        items = [li for li in el if getattr(li, "tag", None) == "li"]
        if items and (_is_layout_list(items) or not _LAYOUT_LIST_CLASSES.isdisjoint(_classes(el))):
            out: list[str] = []
            for li in items:
                out.extend(self.blocks(li, depth))
            return out
        ordered = el.tag == "ol"
        try:
            number = int(el.get("start", "1"))
        except ValueError:
            number = 1
        rendered = []
        for li in el:
            if getattr(li, "tag", None) != "li":
                if isinstance(li.tag, str) and li.tag in ("ul", "ol") and rendered:
                    # a list nested directly in a list (invalid but common): attach to the last item
                    nested = "\n\n".join(self.block(li, depth + 1))
                    if nested:
                        rendered[-1] = rendered[-1] + "\n" + _indent(nested, " " * 2)
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            inner = _join_item(b for b in self.blocks(li, depth) if b.strip())
            if not inner.strip():
                continue
            rendered.append(_indent(inner, " " * len(marker), first=marker))
        if not rendered:
            return []
        loose = any("\n\n" in item for item in rendered)
        return [("\n\n" if loose else "\n").join(rendered)]

    def definitions(self, el, depth: int) -> list[str]:
        """``<dl>``: each term bold, its description indented under it as a list item.

        API references (Sphinx ``dl.py.function``, Javadoc notes) nest descriptions, methods inside
        classes: a nested list keeps every level readable and any code fence intact.
        """
        items: list[str] = []
        terms: list[str] = []
        descs: list[str] = []

        def emit() -> None:
            if not terms and not descs:
                return
            head = "  \n".join(f"**{t}**" for t in terms) if terms else ""
            body = "\n\n".join(d for d in descs if d.strip())
            text = head + ("\n\n" + body if head and body else body)
            if text.strip():
                items.append(_indent(text, "  ", first="- "))
            terms.clear()
            descs.clear()

        for child in el:
            tag = getattr(child, "tag", None)
            if tag == "div":  # HTML allows <div> wrapping dt/dd groups
                for sub in child:
                    self._dl_part(sub, terms, descs, emit, depth)
                continue
            self._dl_part(child, terms, descs, emit, depth)
        emit()
        return ["\n\n".join(items)] if items else []

    def _dl_part(self, child, terms, descs, emit, depth) -> None:
        tag = getattr(child, "tag", None)
        if tag == "dt":
            if descs:
                emit()
            text = _UNESCAPED_BOLD.sub("", self.inline_text(child, depth).strip().rstrip("¶").strip())
            if text:
                terms.append(text)
        elif tag == "dd":
            descs.append("\n\n".join(b for b in self.block(child, depth + 1) if b.strip()))

    def admonition(self, el, kind: str, depth: int) -> list[str]:
        """An admonition as a labelled blockquote: ``> **Note:** text``."""
        title_el = None
        for child in el.iter():
            if child is el or not isinstance(child.tag, str):
                continue
            if child.tag == "summary" or any(_ADMONITION_TITLE.search(c) for c in _classes(child)):
                title_el = child
                break
        if title_el is None:
            title_el = _kind_paragraph(el, kind)
        label = ""
        if title_el is not None:
            label = _finish_inline(self.inline(title_el, depth)).strip().rstrip(":").strip()
            drop_keeping_tail(title_el)
        if not label:
            label = ADMONITION_KINDS.get(kind, kind.capitalize())
        elif label.lower() == kind and len(label) < 20:
            label = ADMONITION_KINDS.get(kind, label.capitalize())
        body = [b for b in self.blocks(el, depth) if b.strip()]
        lead = f"**{label}**" if label[-1] in ".!?:" else f"**{label}:**"
        if body and re.match(rf"^(\*\*|\*|__)?{re.escape(label.rstrip('.!?:'))}\s*:", body[0], re.I):
            return [_indent("\n\n".join(body), "> ")]  # MDN's notecards say "**Note:**" themselves
        if body and not re.match(r"^(```|~~~|[-*+] |\d+\. |\||#|>|!\[)", body[0]):
            body[0] = f"{lead} {body[0]}"
        else:
            body.insert(0, lead)
        return [_indent("\n\n".join(body), "> ")]

    def table(self, el, depth: int) -> list[str]:
        rows = _table_rows(el)
        if not rows:
            return self.blocks(el, depth)
        if any(_is_heading_row(r) for r in rows) and not _has_nested_table(el):
            # Doxygen's member tables: a one-cell row holding an <h2> ("Public Types") starts each
            # group; the heading goes above its rows, not into a table cell ("| ## Public Types |")
            out: list[str] = []
            group: list[list] = []
            for row in rows + [None]:
                if row is None or _is_heading_row(row):
                    if group:
                        out.extend(self._table_rows_md(el, group, depth, caption=not out, headless=bool(out)))
                    group = []
                    if row is not None:
                        out.extend(self.blocks(row[0], depth))
                else:
                    group.append(row)
            return out
        return self._table_rows_md(el, rows, depth)

    def _table_rows_md(self, el, rows: list[list], depth: int, caption: bool = True,
                       headless: bool = False) -> list[str]:
        grid, rows = _drop_spacer_rows(_grid(rows, lambda cell: self.cell_text(cell, depth)), rows)
        width = max(len(r) for r in grid)
        if width == 1 or (len(grid) == 1 and width <= 2 and not headless) or _has_nested_table(el):
            # a layout table: render its cells as plain blocks
            out: list[str] = []
            for row in rows:
                for cell in row:
                    out.extend(self.blocks(cell, depth))
            return out
        lines = _gfm_table(grid, rows, width, headless)
        out = []
        caption = el.find("caption") if caption else None
        if caption is not None:
            cap = self.inline_text(caption, depth)
            if cap:
                out.append(f"*{cap}*")
        out.append("\n".join(lines))
        return out

    def cell_text(self, cell, depth: int) -> str:
        """A table cell on one line: blocks joined by <br>, pipes escaped, code kept inline."""
        parts = []
        for b in self.blocks(cell, depth):
            if b.startswith(("```", "~~~")):
                lines = b.split("\n")[1:-1]
                parts.append("<br>".join(_inline_code(line) for line in lines if line.strip()))
            else:
                parts.append(b.replace("  \n", "<br>").replace("\n", "<br>"))
        text = "<br>".join(p for p in parts if p)
        return text.replace("|", "\\|").strip()

    # ---- inline level ----------------------------------------------------------------------
    def inline_text(self, el, depth: int) -> str:
        """All of ``el``'s content as one inline run (blocks inside are joined by spaces)."""
        return _finish_inline(self.inline_children(el, depth))

    def inline_children(self, el, depth: int) -> str:
        buf = [_esc(el.text or "")]
        for child in el:
            if isinstance(child.tag, str):
                if child.tag in BLOCK_TAGS and child.tag not in ("span",):
                    buf.append(" " + self.inline_children(child, depth + 1) + " ")
                else:
                    buf.append(self.inline(child, depth + 1))
            if child.tail:
                buf.append(_esc(child.tail))
        return "".join(buf)

    def inline(self, el, depth: int) -> str:
        tag = el.tag
        if depth > _MAX_DEPTH:
            return " ".join(el.itertext())
        if tag == "br":
            return _BR
        if tag == "img":
            return self.image(el)
        if tag in ("code", "kbd", "samp", "tt"):
            return _inline_code(_WS.sub(" ", "".join(el.itertext())))
        if tag == "a":
            return self.link(el, depth)
        text = self.inline_children(el, depth)
        if tag in ("strong", "b"):
            return _wrap(text, "**")
        if tag in ("em", "i", "cite", "dfn"):
            return _wrap(text, "*")
        if tag in ("del", "s", "strike"):
            return _wrap(text, "~~")
        if tag == "q":
            return f"“{text}”"
        if tag == "input" and (el.get("type") or "").lower() == "checkbox":
            return "[x] " if el.get("checked") is not None else "[ ] "
        return text

    def link(self, el, depth: int) -> str:
        text = self.inline_children(el, depth)
        href = (el.get("href") or "").strip()
        collapsed = _WS.sub(" ", text).strip()
        if not collapsed:
            return ""
        if not href or href.lower().startswith(("javascript:", "data:")) or not self.keep_links \
                or (self._in_heading and href.startswith("#")):
            return text
        url = self.absolute(href)
        if url not in self._seen and not url.startswith("#"):
            self._seen.add(url)
            self.links.append(url)
        url = _destination(url)
        lead = " " if text[:1].isspace() else ""
        trail = " " if text[-1:].isspace() else ""
        collapsed = collapsed.replace(_BR, " ")
        if _BRACKETED.match(collapsed):
            # a citation or footnote mark "[1]", "[Chen '20]": the brackets go around the link, so the
            # link text holds no brackets (which many markdown consumers and strippers mis-parse)
            return f"{lead}[[{collapsed[1:-1]}]({url})]{trail}"
        return f"{lead}[{collapsed}]({url}){trail}"

    def image(self, el) -> str:
        if not self.keep_images:
            return ""
        src = (el.get("src") or el.get("data-src") or "").strip()
        alt = _WS.sub(" ", el.get("alt") or "").strip()
        if _is_icon(el, src, alt):
            return ""
        if _DARK_SRC.search(src):
            return ""  # the dark-theme copy of the image before or after it (MkDocs/GitHub's #only-dark)
        if alt and _caption_repeats(el, alt):
            alt = ""
        alt = alt.replace("]", "\\]").replace("[", "\\[")
        if not src or src.startswith("data:"):
            return alt
        url = _destination(self.absolute(src))
        return f"![{alt}]({url})"


@functools.lru_cache(maxsize=8192)
def _join(base: str, href: str) -> str:
    """urljoin, cached: a docs page links to the same few hundred targets over and over."""
    try:
        return urljoin(base, href)
    except ValueError:
        return href


_ICON_WORDS = re.compile(r"(^|[-_ ])(icon|icons|emoji|logo|avatar|badge-icon|favicon)([-_ .]|$)", re.I)


def _is_icon(el, src: str, alt: str) -> bool:
    """Decorative images (icons, logos, emoji sprites) carry no content; diagrams do."""
    try:
        if int(el.get("width", "999").rstrip("px")) <= 32 and int(el.get("height", "999").rstrip("px")) <= 32:
            return True
    except ValueError:
        pass
    if _ICON_WORDS.search(el.get("class") or "") or _ICON_WORDS.search(alt):
        return True
    path = src.split("?")[0].lower()
    if _AVATAR_HOSTS.search(path):
        return True  # a person's picture (contributor lists, bylines), not a figure
    return "/icons/" in path or "/emoji/" in path or path.endswith("favicon.ico")


_AVATAR_HOSTS = re.compile(r"^(https?:)?//(avatars\d*\.githubusercontent\.com|([a-z0-9-]+\.)?gravatar\.com)/")


_DARK_SRC = re.compile(r"#(gh-)?(only-dark|dark-mode-only|dark)$", re.I)
_BRACKETED = re.compile(r"^\[[^\[\]]+\]$")


def _caption_repeats(img, alt: str) -> bool:
    """True when ``img`` sits in a figure whose caption already says what its alt text says
    (git-scm's "A commit and its tree" under "Figure 9. A commit and its tree"): the caption is
    written right below the image, so the alt would only repeat it. Figures are HTML's
    ``<figure>``/``<figcaption>``, docutils' old ``div.figure``/``p.caption`` and Asciidoctor's
    ``div.imageblock``/``div.title``.
    """
    figure = img.getparent()
    for _ in range(3):
        if figure is None or _is_figure(figure):
            break
        figure = figure.getparent()
    if figure is None or not _is_figure(figure):
        return False
    caption = next((c for c in figure.iter("figcaption", "p", "div")
                    if c.tag == "figcaption" or not _FIGURE_CAPTION.isdisjoint(_classes(c))), None)
    if caption is None:
        return False
    said = _WS.sub(" ", "".join(caption.itertext())).strip().casefold()
    return alt.casefold() in said


_FIGURE_CLASSES = {"figure", "imageblock"}
_FIGURE_CAPTION = {"caption", "title"}


def _is_figure(el) -> bool:
    return el.tag == "figure" or (el.tag == "div" and not _FIGURE_CLASSES.isdisjoint(_classes(el)))


def _destination(url: str) -> str:
    """A link destination markdown parses back intact: spaces encoded, unbalanced parens encoded."""
    url = url.replace(" ", "%20")
    if "(" not in url and ")" not in url:
        return url  # (no parens, nothing to balance)
    depth = 0
    for ch in url:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            break
    if depth != 0:
        url = url.replace("(", "%28").replace(")", "%29")
    return url


def _kind_paragraph(el, kind: str):
    """DocFX (Microsoft Learn) titles an admonition with a plain first paragraph that names its kind
    (``<div class="TIP"><p>Tip</p><p>...</p>``): that paragraph is the title, not the first line."""
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if first is None or first.tag not in ("p", "div", "h2", "h3", "h4", "h5", "h6") or len(first):
        return None
    if (el.text or "").strip():
        return None
    text = (first.text or "").strip().rstrip(":").strip().lower()
    return first if text and text in (kind, ADMONITION_KINDS.get(kind, kind).lower()) else None


def admonition_kind(el) -> str | None:
    """The admonition type of a container (note, warning...), or None if it is not one."""
    cls = el.get("class")
    if not cls:
        return None
    sidebar_first, kind = _admonition_of(el.tag, cls)
    if sidebar_first and len(el) and el[0].get("class") == "sidebar-title":
        return "sidebar"  # reST sidebar directive: a labelled aside, rendered like an admonition
    return kind


@functools.lru_cache(maxsize=4096)
def _admonition_of(tag: str, cls: str) -> tuple[bool, str | None]:
    """(the first class is ``sidebar``, the admonition type by tag and class): decided once per
    value, since every container of a page is asked and class values repeat."""
    classes = cls.lower().split()
    if not classes:
        return False, None
    container = any(_ADMONITION_CONTAINER.match(c) for c in classes)
    kind = None
    for c in classes:
        for prefix in ("theme-admonition-", "markdown-alert-", "alert-", "admonition-", "callout-",
                       "starlight-aside--", "notice-", "bs-callout-"):
            if c.startswith(prefix) and c[len(prefix):] in ADMONITION_KINDS:
                kind = c[len(prefix):]
                break
        if kind:
            break
        if c in ADMONITION_KINDS and c not in ("admonition", "secondary", "summary", "example", "quote"):
            kind = c
            break
    sidebar_first = classes[0] == "sidebar"
    if tag == "details" and kind is None and not container:
        return sidebar_first, None
    if container:
        return sidebar_first, kind or "note"
    if kind and tag in ("div", "aside", "details", "section"):
        if kind in ("info", "success", "question", "abstract", "todo", "bug", "failure", "notice") and tag != "details":
            return sidebar_first, None  # too generic as bare classes outside an admonition container
        return sidebar_first, kind
    return sidebar_first, None


_LINE_CLASSES = {"line", "token-line", "code-line", "highlight-line", "cl", "ln-code"}


def _starts_line(node) -> bool:
    if node.tag in ("div", "p", "tr", "li"):
        return True
    cls = node.get("class")
    return bool(cls) and not _LINE_CLASSES.isdisjoint(cls.split())


def _pre_text(el) -> str:
    """Text of a ``<pre>`` with ``<br>`` as newlines, everything else verbatim."""
    out: list[str] = []
    ours: set[int] = set()  # indexes of newlines we inserted (an empty line element still counts)

    def walk(node) -> None:
        if node.tag == "br":
            out.append("\n")
            return
        if node is not el and out and _starts_line(node) and (not out[-1].endswith("\n") or len(out) - 1 in ours):
            ours.add(len(out))  # Shiki/Prism line wrappers: the newline is CSS, not text
            out.append("\n")
        if node.text:
            out.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(el)
    return "".join(out)


_UNESCAPED_BOLD = re.compile(r"(?<!\\)\*\*")  # a term is bold already; ``\**`` is an escaped star + emphasis


def _esc(text: str) -> str:
    """Prose asterisks stay asterisks (``*args``), not emphasis; code is never escaped."""
    return text.replace("*", "\\*") if "*" in text else text


_BLOCK_MARKER = re.compile(r"^(#{1,6}\s|[-+*]\s|\d{1,9}[.)]\s|>|```|~~~|\||=+\s*$|-+\s*$)")


def _block_start(text: str) -> str:
    """A paragraph that starts like markdown syntax ("1. ", "# ", "> ") is escaped to stay prose.

    So is every line after a hard break: DocBook's literallayout keeps a README's "~~~~~~" underline
    as a <br> line, and unescaped it opened a code fence that swallowed the rest of the page.
    """
    if "\n" in text:
        return "\n".join(_block_start(line) for line in text.split("\n"))
    if not text or not _BLOCK_MARKER.match(text):
        return text
    ordered = re.match(r"^(\d{1,9})([.)])", text)
    if ordered:  # "1\. not a list": the escape goes before the period
        return f"{ordered.group(1)}\\{ordered.group(2)}{text[ordered.end():]}"
    return "\\" + text


_PUNCT_ONLY = re.compile(r"(\\\*|/|,)+")


def _wrap(text: str, mark: str) -> str:
    core = text.strip()
    if not core or core == _BR or _PUNCT_ONLY.fullmatch(core):
        return text  # emphasis around a lone `*`, `**` or `/` (a signature's markers) only garbles it
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    n = len(mark)
    if core.startswith(mark) and core.endswith(mark) and len(core) > 2 * n and mark not in core[n:-n] \
            and core[n] != mark[0] and core[-n - 1] != mark[0]:
        return f"{lead}{core}{trail}"  # <b><strong>x</strong></b>: bold once, not ****x****
    return f"{lead}{mark}{core}{mark}{trail}"


def _finish_inline(text: str) -> str:
    """Collapse whitespace of an inline run; hard breaks become markdown line breaks."""
    text = _WS.sub(" ", text.replace("\u00a0", " "))
    if _BR in text:
        lines = [line.strip() for line in text.split(_BR)]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        return "  \n".join(lines)
    return text.strip()


#: lists that are page layout, not enumerations (Javadoc 8 nests every block in ul.blockList)
_LAYOUT_LIST_CLASSES = {"blocklist", "blocklistlast", "details-list", "member-list", "summary-list"}
_LIST_START = re.compile(r"^(?:[-*+]|\d+\.) ")


def _join_item(blocks) -> str:
    """An item's blocks; a nested list right under a one-line text stays tight (no blank line)."""
    out = ""
    for b in blocks:
        if not out:
            out = b
        elif _LIST_START.match(b) and "\n" not in out:
            out += "\n" + b
        else:
            out += "\n\n" + b
    return out


def _is_layout_list(items) -> bool:
    """Javadoc-style lists whose items are whole sections (headings inside): not a real list."""
    for li in items:
        if next(li.iterdescendants("h1", "h2", "h3", "h4"), None) is None and li.find("section") is None:
            return False  # (one walk in C for the four headings, not four ElementPath searches)
    return True


def _has_nested_table(el) -> bool:
    for inner in el.iter("table"):
        if inner is not el:
            return True
    return False


def _is_heading_row(row: list) -> bool:
    return len(row) == 1 and any(True for _ in row[0].iter("h1", "h2", "h3", "h4", "h5", "h6"))


def _table_rows(table) -> list[list]:
    rows = []
    for tr in table.iter("tr"):
        # skip rows of nested tables
        owner = tr.getparent()
        while owner is not None and owner.tag != "table":
            owner = owner.getparent()
        if owner is not table:
            continue
        cells = [c for c in tr if getattr(c, "tag", None) in ("td", "th")]
        if cells:
            rows.append(cells)
    return rows


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 50))
    except ValueError:
        return 1


def _grid(rows, render) -> list[list[str]]:
    """Rows of cells -> a rectangular grid; colspans padded with empty cells, rowspans repeated."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows left)
    for cells in rows:
        line: list[str] = []
        col = 0
        queue = list(cells)
        while queue or any(c >= col for c in pending):
            if col in pending:
                text, left = pending[col]
                line.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            if not queue:
                break
            cell = queue.pop(0)
            text = render(cell)
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            for i in range(colspan):
                value = text if i == 0 else ""
                line.append(value)
                if rowspan > 1:
                    pending[col] = (value, rowspan - 1)
                col += 1
        grid.append(line)
    return grid
