"""Find a documentation page's main content and strip what a reader (or an LLM) must not get.

Three jobs on an lxml tree, all pure:

* :func:`remove_hidden` drops what a browser would not show (``hidden``, ``aria-hidden``, inline
  ``display:none``...): hidden text is a prompt-injection vector, so it goes before anything else.
* :func:`select_main` picks the content container: the known containers of documentation generators
  first (exact and fast), then ``<main>``/``[role=main]``/``<article>``, then the deepest element
  still holding most of the page's non-link text, and only then trafilatura as a fallback selector
  (the best general extractor, but slow and lossy as a converter, so we only use it to choose
  which of *our* elements holds the content).
* :func:`remove_chrome` then strips navigation, prev/next, breadcrumbs, "edit this page",
  permalinks and the like that themes put *inside* the content container.

The rules are generic (class/id tokens and roles), never per-site.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from lxml import etree

from .html_hidden import clear_faint, document_elements, find_unseen, page_styles, text_len

#: elements never rendered as content
DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "math-renderer", "iframe", "object", "embed",
    "canvas", "button", "input", "select", "textarea", "form", "link", "meta", "title", "base", "dialog",
}

_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$)"
    r"|font-size\s*:\s*0(?:px|em|rem|pt|%)?\s*(?:;|$)|(?:max-)?height\s*:\s*0(?:px)?\s*;[^\"]*overflow\s*:\s*hidden)",
    re.I,
)
#: class tokens that hide an element in every CSS framework we know (Bootstrap, Tailwind, themes); mdBook's
#: "boring" lines are the setup lines of a Rust example (rustdoc's "# " lines) that the page hides
_HIDDEN_CLASSES = {"hidden", "d-none", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text",
                   "screen-reader-only", "md-visually-hidden", "hide", "is-hidden", "u-hidden", "invisible",
                   "boring", "is-invisible", "is-sr-only"}

#: which generators' containers we know, in priority order (see :func:`_known_rule`)
KNOWN_GENERATORS = ("rustdoc", "mkdocs-material", "docusaurus", "readthedocs", "pydata-sphinx", "sphinx",
                    "sphinx", "mdbook", "docbook", "javadoc", "sphinx", "mkdocs", "sphinx")


_HEADERTITLE = etree.XPath("descendant::div[@class='headertitle']")  # (= iterfind(".//div[...]"), in C)


def doxygen_title(root) -> None:
    """Doxygen writes a page's title as ``div.headertitle > div.title`` above ``div.contents``: make
    it the content's ``<h1>`` (in place), so the page keeps its heading and has a title even when
    a custom Doxygen header leaves out ``<title>`` (jsoncpp's pages were titled by their file name).
    """
    for header in _HEADERTITLE(root):
        title = next((c for c in header if c.tag == "div" and c.get("class") == "title"), None)
        holder = header.getparent()
        contents = holder.getnext() if holder is not None else None
        while contents is not None and not isinstance(contents.tag, str):
            contents = contents.getnext()
        if title is None or contents is None or contents.get("class") != "contents":
            return
        title.tag = "h1"
        title.attrib.pop("class", None)
        title.tail = None
        header.remove(title)
        contents.insert(0, title)
        return


def _known_rule(el, tag: str, toks: set, ident: str | None, role: str | None) -> int | None:
    """Index into KNOWN_GENERATORS of the content-container rule ``el`` satisfies, if any.

    One Python pass over the tree with these checks is several times faster than one XPath per
    rule (XPath's class matching re-scans the whole document each time).
    """
    if ident == "main-content" and (tag == "section" or "content" in toks):
        return 0  # rustdoc
    if tag == "article" and "md-content__inner" in toks:
        return 1  # MkDocs Material
    if "theme-doc-markdown" in toks:
        return 2  # Docusaurus
    if el.get("itemprop") == "articleBody":
        return 3  # Read the Docs theme
    if "bd-article" in toks:
        return 4  # PyData Sphinx theme
    if tag == "div" and "body" in toks:
        return 5 if role == "main" else 6  # Sphinx basic/classic/alabaster
    if tag == "main":
        parent = el.getparent()
        if parent is not None and parent.get("id") == "content":
            return 7  # mdBook
    if tag == "div" and "navheader" in toks:
        return 8  # DocBook XSL: the content is the next sibling
    if tag == "div" and el.get("class") == "contentContainer":
        return 9  # Javadoc 8
    if tag == "div" and role == "main":
        return 10
    if "md-content" in toks:
        return 11
    if tag == "div" and "document" in toks:
        return 12
    return None


# class/id tokens of chrome inside content containers (whole-token or prefix matches, lowercase)
_CHROME_EXACT = {
    "breadcrumb", "breadcrumbs", "wy-breadcrumbs", "pagination", "pagination-nav", "pager", "prev-next",
    "prevnext", "nav-links", "navigation", "sidebar", "sphinxsidebar", "toc", "table-of-contents",
    "on-this-page", "onthispage", "headerlink", "anchorjs-link", "hash-link", "anchor-link", "anchorlink",
    "permalink", "header-anchor", "heading-anchor", "copybtn", "copy-button", "copybutton", "clipboard",
    "related", "rst-footer-buttons", "footer", "site-footer", "md-content__button", "md-source-file",
    "md-feedback", "edit-this-page", "editthispage", "edit-page", "edit-link", "page-edit", "edit-on-github",
    "feedback", "cookie", "cookies", "cookie-banner", "cookie-consent", "consent", "skip-link", "skiplink",
    "skip-to-content", "out-of-band", "srclink", "src", "hideme", "theme-doc-footer", "theme-doc-toc-mobile",
    "theme-doc-toc-desktop", "theme-doc-breadcrumbs", "theme-doc-version-badge", "theme-edit-this-page",
    "theme-last-updated", "nav-next", "nav-previous", "next-prev", "prev-next-links", "page-nav",
    "bottomnav", "topnav", "subnav", "navlist", "social", "share", "sharing", "advertisement", "ads",
    "ethical-ad", "newsletter", "rating", "helpful", "was-this-helpful", "last-updated", "lastupdated",
    "contributors", "page-footer", "article-footer", "doc-footer", "docs-footer", "prev", "next",
    "previous", "bd-sidebar", "bd-toc", "wy-nav-side", "local-toc", "page-toc", "toc-wrapper", "sr-only",
    "linenos", "lineno", "line-numbers-rows", "hljs-ln-numbers", "announcement", "announcement-bar",
    "nocontent", "mw-jump-link", "mw-editsection", "catlinks", "printfooter", "sitenotice", "button", "btn",
    "cta", "md-button", "version-switcher", "versionswitcher", "language-switcher", "navheader", "navfooter",
    "comments", "doccomments", "disqus_thread", "comment-section", "user-notes", "viewcode-link",
    "viewcode-back",
    # rustdoc floats each item's "since" version and [Source] link beside its signature
    "rightside",
    # the dark-theme copy of a figure (react.dev, pydata/Furo, themes' own names): the light copy is the
    # same picture (Docusaurus' themedImage--dark is in _CHROME_SUBSTR)
    "dark-image", "only-dark", "dark-only", "dark-mode-only", "img-dark", "image-dark",
    # MediaWiki: the page's translations (interlanguage links) and the "From <wiki>" tagline (#siteSub)
    "interlanguage-link", "mw-portlet-lang", "sitesub",
    # a popover menu (page actions, share via...) opened from a button
    "popover",
    # sponsor blocks and Carbon ads: advertising in a docs theme's content column
    "sponsor", "sponsors", "carbonads", "carbon-ads",
    # "Back to top" links and buttons (Django's docs theme, Hugo and Jekyll themes)
    "back-to-top", "backtotop", "scroll-to-top", "to-top", "totop",
}
_CHROME_SUBSTR = ("breadcrumb", "cookie", "edit-this", "editthis", "pagination", "sidebar", "prev-next",
                  "skip-to", "headerlink", "copy-to-clipboard", "feedback", "paginator", "footer", "switcher",
                  "banner", "popup", "modal", "newsletter", "subscribe", "signup", "themedimage--dark",
                  "related-articles", "related-posts", "related-links", "related-guides",
                  # a free-trial offer ("Try it for yourself ... $300 in free credits") is marketing
                  "free-trial")
_NAV_TOKEN = re.compile(r"^(nav|navbar|navigation|topnav|sidenav|subnav|menu|topbar)([-_].*)?$"
                        r"|[-_](nav|navbar|navigation|topbar)([-_]|$)")
#: short blocks that are docs chrome by their words, whatever their markup (a space in the pattern is any
#: run of whitespace: templates wrap "Was this page\n    helpful?" anywhere)
_CHROME_PHRASE = re.compile((
    r"^\s*(was this (page |article |content |document |section |topic |doc |guide )?(helpful|useful)\??|"
    r"(is|did you find) this (page|article|content|document|section|topic|doc|guide) (helpful|useful)\??|"
    r"did this (page|article|doc|guide) help( you)?\b|"
    r"((this )?(page|article|document) (was )?)?(last (updated|modified|edited|reviewed)( on| at)?\b)|"
    r"edit (this page|on github|page)\b|"
    r"[↑⬆^]?\s*(back|return|scroll|go) to (the )?top( of (the )?page)?\s*[↑⬆]?\s*$|"
    r"improve this (page|doc)|(give|send|leave|share) (us )?feedback|rate this (page|article)|"
    r"report an? (issue|problem|bug) with this page|skip (to (the )?(main )?content|(to )?navigation)\b|"
    r"page tools$|on this page$|"
    r"in this (article|page)$|©|copyright\s+(©|\(c\)|\d{4})|"
    r"(open|show|hide|toggle|close) (the )?(table of contents|navigation|menu|sidebar)\b)"
).replace(" ", r"\s+"), re.I)
_CHROME_ID_WORDS = {"footer", "sidebar", "breadcrumb", "breadcrumbs", "feedback", "cookie", "cookies", "navbar",
                    "toc", "pagination", "pager", "comments", "switcher", "banner", "skip", "aside"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_HEADER_IDS = {"header", "site-header", "masthead", "topbar", "top-bar"}
_PHRASE_TAGS = {"p", "div", "section", "span", "small", "a", "li", "em", "strong"}
#: pager links: "Previous", "« Prev", "NextInstallation" (label and title glued by flex layouts)
_PREV_NEXT = re.compile(r"^\s*[«‹←<⟵]?\s*(?i:previous|prev|next)(?:\b|(?=[A-Z]))")
#: version banners: "This document is for an old version of Python", "You are not reading the most recent
#: version of this documentation", Docusaurus' "This is unreleased documentation for ..."
_VERSION_BANNER = re.compile((
    r"^\s*(this (document|documentation|page|site) is for (an? |the )?"
    r"(old|older|outdated|insecure|unsupported|unreleased|development|previous) (version|release)\b|"
    r"this (document|documentation|page|site) (describes|refers to) (an? |the )?"
    r"(old|older|outdated|insecure|unsupported|unreleased|current stable) (version|release) of\b|"
    r"you are (not )?(reading|viewing|looking at) (the )?((documentation|docs) (for|of) )?(an? |the )?"
    r"(old|older|outdated|unreleased|development|previous|most recent|latest) (version|release)\b|"
    r"this is (the )?(unreleased )?documentation for\b|"
    r"this version (of the documentation )?is (no longer|not) (maintained|supported))"
).replace(" ", r"\s+"), re.I)
#: "Also read: <link>" teasers for another article, set between a tutorial's paragraphs
_READ_NEXT = re.compile(r"^\s*(also|must|follow[- ]up|recommended|suggested|related)\s+read(ing)?\s*:?\s*$|"
                        r"^\s*read\s+more\s*:\s*$", re.I)
_PAGER_LINE = re.compile(r"^\s*(?i:next|previous|prev|up)\s*:")
#: one cheap test before the three precise ones: does the text start like any chrome phrase?
_READ_NEXT_START = re.compile(r"^\s*((also|must|follow[- ]up|recommended|suggested|related)\s+read|read\s+more"
                              r"|this\s+(document|documentation|page|site|is|version)\s|you\s+are\s)", re.I)
_ANY_PHRASE = re.compile("|".join(f"(?:{p.pattern})" for p in (_CHROME_PHRASE, _PREV_NEXT, _PAGER_LINE,
                                                                 _READ_NEXT_START)), re.I)
#: the words (and signs) every phrase above starts with, as a cheaper test still: _ANY_PHRASE's
#: alternation costs about 3 us a text, this one a tenth of that and it rules out ~93% of texts
_PHRASE_WORDS = ("was", "is", "did", "this", "page", "article", "document", "last", "edit", "back", "return",
                 "scroll", "go", "improve", "give", "send", "leave", "share", "rate", "report", "skip", "on", "in",
                 "copyright", "open", "show", "hide", "toggle", "close", "prev", "next", "up", "also", "must",
                 "follow", "recommended", "suggested", "related", "read", "you")
_PHRASE_SIGNS = "©↑⬆^«‹←<⟵"
_PHRASE_FIRST = re.escape("".join(sorted({w[0] for w in _PHRASE_WORDS} | set(_PHRASE_SIGNS))))
_PHRASE_START = re.compile(rf"\s*(?=[{_PHRASE_FIRST}])(?:{'|'.join(_PHRASE_WORDS)}|[{re.escape(_PHRASE_SIGNS)}])", re.I)
#: (a dialog is a popover or modal the page opens on demand: share menus, "Need help?" prompts)
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog", "alertdialog"}
_CHROME_TAGS = {"nav", "footer", "aside"}
_PERMALINK_TEXT = {"¶", "#", "§", "🔗", "link", "permalink", "", "\uf0c1"}
_ADMONITION_HINT = re.compile(r"admonition|callout|alert|aside|note|warning|tip|hint|caution|danger|important"
                              r"|seealso|attention|notice|info", re.I)
_WORD = re.compile(r"\w+")


def _tokens(el) -> list[str]:
    return (el.get("class") or "").lower().split()


#: class substrings that may hide (case-sensitive): with the attributes below, a cheap prefilter for is_hidden
_HIDDEN_CLASS_HINTS = ("hid", "none", "sr-only", "invisible", "Hidden", "screen-reader", "boring")
_HIDING_ATTRIBUTES = frozenset({"hidden", "aria-hidden", "style", "type"})


def _hidden_candidates(root) -> list:
    """Elements with ``hidden``, ``aria-hidden``, ``style`` or ``type``, or a class holding a hint, in
    document order: one pass with the class test cached per value (an XPath of ``contains()`` tests
    cost 2-3 ms a page)."""
    out = []
    hints: dict[str, bool] = {}
    for el in document_elements(root):
        names = el.keys()  # (one list of attribute names: cheaper than four lookups in el.attrib)
        if not names:
            continue
        if not _HIDING_ATTRIBUTES.isdisjoint(names):
            out.append(el)
            continue
        cls = el.get("class")
        if cls:
            hit = hints.get(cls)
            if hit is None:
                hit = hints[cls] = any(h in cls for h in _HIDDEN_CLASS_HINTS)
            if hit:
                out.append(el)
    return out


def is_hidden(el) -> bool:
    """True when a browser would not show ``el`` (attributes and inline style only: we have no CSS)."""
    if not el.attrib:
        return False
    if el.get("hidden") is not None or el.get("aria-hidden", "").lower() == "true":
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    cls = el.get("class")
    if cls and not _HIDDEN_CLASSES.isdisjoint(cls.lower().split()):
        return True
    return el.get("type", "").lower() == "hidden"


def drop_keeping_tail(el) -> None:
    """Remove ``el`` but keep its tail text (the words after it belong to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


_STREAM_CALL = re.compile(r"""\$R([CS])\(\s*["']([A-Z]:[\w-]+)["']\s*,\s*["']([A-Z]:[\w-]+)["']""")


def unstream_suspense(root, html_text: str) -> None:
    """Put React's streamed Suspense content where the page's script would (in place).

    React 18 streaming SSR (Next.js App Router: GitBook, many docs sites) first sends a
    ``<template id="B:n">`` placeholder and later the content as ``<div hidden id="S:n">`` at the end of
    the body, with ``$RC("B:n","S:n")`` (``$RS("S:n","P:n")`` for segments) to swap it in. Without
    the swap the content is hidden text at the bottom of the page, so code blocks and lists vanished.
    """
    if next(root.iter("template"), None) is None:
        return  # (nothing to swap: asked of the tree in C, cheaper than scanning the text)
    if 'id="S:' not in html_text or "<template" not in html_text:
        return
    pairs: dict[str, str] = {}
    for kind, first, second in _STREAM_CALL.findall(html_text):
        placeholder, segment = (first, second) if kind == "C" else (second, first)
        pairs[placeholder] = segment
    segments = {el.get("id"): el for el in root.iter("div") if (el.get("id") or "").startswith("S:")}
    for template in list(root.iter("template")):
        ident = template.get("id") or ""
        if ident[:2] not in ("B:", "P:"):
            continue
        segment = segments.get(pairs.get(ident) or "S:" + ident[2:])
        parent = template.getparent()
        if segment is None or parent is None or _contains(segment, template):
            continue
        index = parent.index(template)
        for offset, child in enumerate(list(segment)):
            parent.insert(index + 1 + offset, child)  # moves it out of the hidden segment
        if segment.text and segment.text.strip():
            template.tail = segment.text + (template.tail or "")
        drop_keeping_tail(template)
        seg_parent = segment.getparent()
        if seg_parent is not None:
            seg_parent.remove(segment)


def remove_hidden(root) -> None:
    """Drop scripts, styles, forms and every element hidden by attribute, inline style or the page's
    own ``<style>`` rules, and clear text drawn invisibly (white on white, 1px): see :mod:`.html_hidden`."""
    _label_tab_panels(root)  # before <button>s go: tabs are often buttons
    _unwrap_page_wrappers(root)
    styles = page_styles(root)  # before the <style>s go
    junk = list(root.iter(etree.Comment, etree.ProcessingInstruction, *DROP_TAGS))  # filtered in C
    for el in junk:
        drop_keeping_tail(el)
    unseen = find_unseen(root, styles)
    hidden = [el for el in _hidden_candidates(root) if is_hidden(el) and not _is_tab_panel(el)]
    known = {id(el) for el in hidden}
    hidden += [el for el in unseen.hidden if id(el) not in known and not _is_tab_panel(el)]
    if not hidden and not unseen.faint:
        return
    body = root.find(".//body")
    total = _text_len(body if body is not None else root)
    for el in hidden:
        if total and _text_len(el) > total * 0.5:
            # a page-wide cloak (visibility:hidden until scripts run): the page *is* this element,
            # an injected instruction is never most of a page
            continue
        drop_keeping_tail(el)
    clear_faint(unseen, total)


_WRAPPER_TAGS = ("form", "button", "noscript", "dialog")


def _unwrap_page_wrappers(root) -> None:
    """A form, button, noscript or dialog that holds a page's worth of text is the page, not a widget:
    ASP.NET wraps every page in one ``<form>``, an unclosed ``<button>`` swallows the rest of the
    page (Investopedia), Discourse serves its posts inside ``<noscript>``. Such an element becomes a
    plain ``<div>`` so the content survives the junk removal that drops real forms and buttons."""
    wrappers = [el for el in root.iter(*_WRAPPER_TAGS) if len(el)]
    if not wrappers:
        return
    total = None  # (the whole page's text is read only when some wrapper holds 1000 characters)
    for el in wrappers:
        n = _text_len(el)
        if n < 1000:
            continue
        if total is None:
            body = root.find(".//body")
            total = _text_len(body if body is not None else root)
        paragraphs = sum(1 for _ in el.iter("p", "article"))
        if (n >= 0.4 * total or el.tag == "noscript" or paragraphs >= 3) and \
                (paragraphs or any(True for _ in el.iter("main", "h1", "h2", "li"))):
            el.tag = "div"  # (forum software wraps a thread's posts in one moderation <form>)


def _is_tab_panel(el) -> bool:
    """An inactive tab (language variants of a code sample): hidden until clicked, but content."""
    if (el.get("role") or "").lower() == "tabpanel":
        return True
    return any(t in ("tab-pane", "tabpanel", "tabbed-block", "tabs-panel", "tab-panel") for t in _tokens(el))


def _label_panel(panel, label: str) -> bool:
    """Write ``label`` as a bold paragraph at the top of ``panel`` (True when it was written)."""
    if not label or len(label) >= 60:
        return False
    para = etree.SubElement(panel, "p")
    strong = etree.SubElement(para, "strong")
    strong.text = label
    panel.remove(para)
    para.tail, panel.text = panel.text, None
    panel.insert(0, para)
    return True


_TAB_PANELS = etree.XPath("//@role[.='tabpanel']/..")  # = //*[@role='tabpanel'], reading role attributes only


def _document_tops(root) -> list:
    """``root`` and the elements beside it: what ``//`` in an XPath searches."""
    return [*root.itersiblings(preceding=True), root, *root.itersiblings()]


#: a row of CSS-only tabs: a div holding nothing but radio inputs and their labels
_RADIO_TAB_ROWS = etree.XPath("//div[label][not(*[not(self::label or self::input)])]")


def _label_radio_tabs(root) -> None:
    """CSS-only tabs (pymdownx.tabbed's alternate style in MkDocs Material, VitePress's code groups)
    write every tab name as a ``<label>`` in one row, then a sibling holding one panel per tab in
    the same order: the names came out glued ("npmpnpm") above unlabelled panels. Move the i-th
    name to the top of the i-th panel and drop the row.
    """
    if not any(next(top.iter("label"), None) is not None for top in _document_tops(root)):
        return  # (no <label>, no row: the XPath costs a test of every div)
    for row in _RADIO_TAB_ROWS(root):
        labels = [" ".join("".join(lab.itertext()).split()) for lab in row if lab.tag == "label"]
        panels_box = row.getnext()
        while panels_box is not None and not isinstance(panels_box.tag, str):
            panels_box = panels_box.getnext()
        if len(labels) < 2 or panels_box is None or panels_box.tag != "div":
            continue
        panels = [c for c in panels_box if isinstance(c.tag, str)]
        if len(panels) != len(labels) or not all(labels) or any(len(x) >= 60 for x in labels):
            continue
        for panel, label in zip(panels, labels, strict=True):
            _label_panel(panel, label)
        drop_keeping_tail(row)


def _label_tab_panels(root) -> None:
    """Put each tab's name at the top of its panel, before tabs are dropped.

    WAI-ARIA tabs tie a tab to its panel from either side: the panel's ``aria-labelledby`` (Bootstrap,
    Docusaurus, React sites) or the tab's ``aria-controls`` (Microsoft Learn/DocFX write only that).
    """
    _label_radio_tabs(root)
    panels = _TAB_PANELS(root)
    if not panels:
        return
    ids = {el.get("id"): el for el in root.xpath("//*[@id]")}
    controls = {}
    for tab in root.xpath("//*[@role='tab' and @aria-controls]"):
        controls.setdefault(tab.get("aria-controls").strip(), tab)
    labelled = set()
    for panel in panels:
        ref = panel.get("aria-labelledby", "").strip()
        tab = ids.get(ref) if ref else None  # (React ids may hold spaces: "tabs-C# (.NET)")
        if tab is None and ref:
            tab = ids.get(ref.split(" ")[0])
        if tab is None and panel.get("id"):
            tab = controls.get(panel.get("id"))
        label = " ".join("".join(tab.itertext()).split()) if tab is not None and tab is not panel else ""
        if _label_panel(panel, label):
            labelled.add(tab)
    # the row of tab buttons says nothing more once every panel carries its tab's name (it came out
    # as "PythonNode.jsPHPJava" above the panels)
    for tablist in root.xpath("//*[@role='tablist']"):
        tabs = tablist.xpath(".//*[@role='tab']")
        if tabs and all(tab in labelled for tab in tabs):
            drop_keeping_tail(tablist)


def _is_admonition_like(el) -> bool:
    cls = el.get("class") or ""
    return bool(cls and _ADMONITION_HINT.search(cls))


def _is_docutils_sidebar(el) -> bool:
    if el.get("class") == "sidebar-title":
        return True
    first = next(iter(el), None) if (el.get("class") or "").split()[:1] == ["sidebar"] else None
    return first is not None and first.get("class") == "sidebar-title"


def is_chrome(el) -> bool:
    """Navigation, footers, permalinks, edit links and friends (never the content itself).

    The verdict is the first of :data:`CHROME_RULES` that has one; an element no rule speaks for is
    content. Each rule names one class of page furniture, so a new site shape is a new rule (or a
    new word in a rule's vocabulary), not another branch in a chain.
    """
    tag = el.tag
    attrib = el.attrib
    if attrib:
        cls = attrib.get("class")
        key: object = (tag, cls, "id" in attrib, attrib.get("role"))  # (ids are mostly unique: only "has one")
    else:
        cls = None
        key = tag
    rules = _RULES_BY_KEY.get(key)
    if rules is None:
        rules = _rules_for(key)
    for rule in rules:
        verdict = rule(el, tag, cls)
        if verdict is not None:
            return verdict
    return False


_RULES_BY_KEY: dict = {}


def _rules_for(key) -> tuple:
    """The rules of :data:`CHROME_RULES` that can have a verdict on an element with this tag, class, role
    and with or without an id (each rule's :data:`_SPEAKS` test), in order; decided once per key.

    Most elements are plain paragraphs, list items and spans no rule but the phrase rule speaks
    for: asking only the rules that can answer keeps the verdict and skips the rest.
    """
    tag, cls, has_id, role = key if isinstance(key, tuple) else (key, None, False, None)
    rules = tuple(rule for rule in CHROME_RULES if _SPEAKS[rule](tag, cls, has_id, role))
    if len(_RULES_BY_KEY) > 50_000:  # (a memo, bounded for a long-running server)
        _RULES_BY_KEY.clear()
    _RULES_BY_KEY[key] = rules
    return rules


def _rst_sidebar(el, tag: str, cls: str | None) -> bool | None:
    """The reST "sidebar" directive is content set beside the text, not navigation."""
    if cls and cls.startswith("sidebar") and _is_docutils_sidebar(el):
        return False
    return None


def _structural(el, tag: str, cls: str | None) -> bool | None:
    """Elements whose tag or ARIA role says what they are: nav, footer, a site header, banners."""
    if tag in _CHROME_TAGS:
        return not (tag == "aside" and _is_admonition_like(el))
    if tag == "header":
        # a header holding the page's heading is content (Docusaurus, Material); a site header is not
        return el.find(".//h1") is None and el.find(".//h2") is None
    role = el.get("role")
    if role and role.lower() in _CHROME_ROLES:
        return True
    if tag == "div" and (el.get("id") or "").lower() in _HEADER_IDS:
        # a <div id="header"> is the old spelling of <header>: same rule (reportlab's theme puts its
        # site header, menu and login button inside Sphinx's role="main" body)
        return el.find(".//h1") is None and el.find(".//h2") is None
    if tag in _HEADINGS:
        return False  # a heading is content whatever its classes say (Docusaurus: class="anchor ...")
    return None


def _named_chrome(el, tag: str, cls: str | None) -> bool | None:
    """Widgets named for what they are: by custom tag, class or id words."""
    if "-" in tag and _class_is_chrome(tag):
        return True  # web-component platforms name widgets by tag: <devsite-feedback>, <cloud-free-trial>
    if cls and _class_is_chrome(cls):
        # MDN: <h2><a class="heading-anchor" href="#x">Heading text</a></h2> is the heading itself
        return not (tag == "a" and _is_heading_text_link(el))
    ident = el.get("id")
    if ident and tag != "section" and not (cls and "section" in cls.split()) and _id_is_chrome(ident):
        return True  # (section ids come from their headings: a section titled "Cookies" is content)
    return None


def _chrome_phrases(el, tag: str, cls: str | None) -> bool | None:
    """Short blocks whose words are furniture: "Edit this page", pagers, version banners, "Also read"."""
    if tag not in _PHRASE_TAGS:
        return None
    first = _leading_text(el)
    if not (first and _PHRASE_START.match(first) and _ANY_PHRASE.match(first)):
        return None  # every phrase is anchored at the start and _ANY_PHRASE matches all: most stop here
    text = _short_text(el, 120)
    if text is not None and _CHROME_PHRASE.match(text):
        return True
    if tag in ("p", "div"):
        return _is_pager_line(el, first) or (text is not None and _is_read_next_teaser(el, text)) \
            or _is_version_banner(el, first) or None
    if tag == "a" and text is not None and _PREV_NEXT.match(text) and _stands_alone(el):
        return True  # a "Previous: X" / "Next: Y" pager link, not a link in a sentence
    return None


def _is_pager_line(el, first: str) -> bool:
    """A texinfo/DocBook pager line: "Next: X, Previous: Y, Up: Z" (not a short texinfo section
    that merely starts with its pager: that one holds an <h3> and the text)."""
    return bool(_PAGER_LINE.match(first)) and _short_text(el, 400) is not None and not _has_heading_or_code(el)


def _is_version_banner(el, first: str) -> bool:
    """"You are reading the docs of an old version ... Please upgrade to ...!" (longer than the
    other phrases, hence its own length limit)."""
    if not _VERSION_BANNER.match(first):
        return False
    banner = _short_text(el, 300)
    return banner is not None and bool(_VERSION_BANNER.match(banner)) and not _has_heading_or_code(el)


def _stands_alone(link) -> bool:
    """The link's parent holds almost no prose of its own around it."""
    parent = link.getparent()
    prose = (parent.text or "") + "".join((c.tail or "") for c in parent) if parent is not None else ""
    return len(prose.strip()) < 20


def _permalinks(el, tag: str, cls: str | None) -> bool | None:
    """A heading's permalink (¶, #, §, an icon) and collapsed "hide me" toggles."""
    if tag == "a":
        href = el.get("href") or ""
        if href.startswith("#") and "".join(el.itertext()).strip().lower() in _PERMALINK_TEXT \
                and el.find(".//img") is None:
            return True
    if tag == "summary" and cls and "hideme" in cls.split():
        return True
    return None


#: The rules :func:`is_chrome` asks, in order; the first verdict (True chrome, False content) wins.
CHROME_RULES = (_rst_sidebar, _structural, _named_chrome, _chrome_phrases, _permalinks)

#: For each rule, from the element's tag, class, role and whether it has an id: can it have a verdict?
#: (False means the rule returns None for every such element; True may still end in None.)
_SPEAKS = {
    _rst_sidebar: lambda tag, cls, has_id, role: bool(cls) and cls.startswith("sidebar"),
    _structural: lambda tag, cls, has_id, role: (
        tag in _CHROME_TAGS or tag == "header" or tag in _HEADINGS or bool(role and role.lower() in _CHROME_ROLES)
        or (tag == "div" and has_id)),
    _named_chrome: lambda tag, cls, has_id, role: (
        has_id or ("-" in tag and _class_is_chrome(tag)) or bool(cls and _class_is_chrome(cls))),
    _chrome_phrases: lambda tag, cls, has_id, role: tag in _PHRASE_TAGS,
    _permalinks: lambda tag, cls, has_id, role: tag in ("a", "summary"),
}


def _is_read_next_teaser(el, text: str) -> bool:
    """A paragraph that is only "Also read: <one link>" (blog-style tutorials, WordPress guides): a
    pointer to another article, not this one's text."""
    links = list(el.iter("a"))
    if len(links) != 1:
        return False
    link = links[0]
    link_text = "".join(link.itertext())
    if not link_text.strip() or (link.tail or "").strip(" .\n\t"):
        return False
    before = text[: text.rfind(link_text)] if link_text in text else ""
    return bool(_READ_NEXT.match(before))


def _is_heading_text_link(a) -> bool:
    """A self-link that *is* a heading's text (not a ¶/# icon beside it): dropping it loses the heading."""
    parent = a.getparent()
    if parent is None or parent.tag not in _HEADINGS:
        return False
    text = "".join(a.itertext()).strip().lower()
    return text not in _PERMALINK_TEXT and len(text) > 1


@functools.lru_cache(maxsize=4096)
def _class_is_chrome(cls: str) -> bool:
    """Class attribute values repeat thousands of times per site: decide each one once.

    Tailwind's variant and arbitrary-value tokens (``lg:hidden``, ``[html.sidebar-filled_&]:bg-tint``)
    are styling conditions, not names of what the element is: they are skipped (GitBook's code
    blocks carry a ``...sidebar-filled...`` variant).
    """
    for tok in cls.lower().split():
        if ":" in tok or "[" in tok:
            continue
        if tok in _CHROME_EXACT or any(s in tok for s in _CHROME_SUBSTR) or _NAV_TOKEN.search(tok) \
                or _TAGS_TOKEN.search(tok):
            return True
    return False


#: a page's tag list ("Tags: automation, testing"): ``tags``, ``post-tags``, ``md-tags``, ``guide-template__tags``,
#: ``tag-list``; never WordPress's per-post ``tag-foo``/``guide-tags-foo`` classes on the article itself
_TAGS_TOKEN = re.compile(r"^(.*[-_])?tags$|^tags?[-_]?(list|cloud|links)$")


@functools.lru_cache(maxsize=4096)
def _id_is_chrome(ident: str) -> bool:
    """Ids match whole words only (``site-user-feedback-footer`` yes, ``module-http.cookies`` no)."""
    ident = ident.lower()
    if ident in _CHROME_EXACT:
        return True
    words = set(re.split(r"[-_]", ident))
    return not words.isdisjoint(_CHROME_ID_WORDS)


def _has_heading_or_code(el) -> bool:
    return any(True for _ in el.iter("h1", "h2", "h3", "h4", "h5", "h6", "pre"))


def _leading_text(el) -> str:
    """The first text of ``el`` within two levels (bounded: deep nests must stay linear)."""
    for _ in range(3):
        text = el.text
        if text and not text.isspace():  # (= text.strip(): the same whitespace)
            return text
        if not len(el):
            return ""
        el = el[0]
        if not isinstance(el.tag, str):
            return ""
    return ""


def _short_text(el, limit: int) -> str | None:
    """``el``'s text if it is shorter than ``limit`` characters, else None (without reading it all)."""
    parts, size = [], 0
    for piece in el.itertext():
        size += len(piece)
        if size >= limit:
            return None
        parts.append(piece)
    return "".join(parts)


_TOC_TOKENS = {"toc", "table-of-contents"}


def _is_chapter_toc(el) -> bool:
    """A table of contents whose links lead to *other* pages is a chapter page's content (DocBook
    chapter and part pages are an intro and this list); only a TOC of the page's own sections
    (``#anchor`` links, "On this page") repeats the headings and is chrome.
    """
    if _TOC_TOKENS.isdisjoint(_tokens(el)) or el.tag in _CHROME_TAGS:
        return False
    hrefs = [a.get("href") or "" for a in el.iter("a")]
    if len(hrefs) < 3:
        return False
    elsewhere = sum(1 for h in hrefs if h and not h.startswith("#"))
    return elsewhere >= 0.8 * len(hrefs)


def _chrome_elements(root) -> list:
    """The chrome inside ``root``, outermost only (its children go with it), with a TOC's label and
    the language labels above code blocks; code itself is never searched."""
    doomed = []
    stack = [child for child in root if isinstance(child.tag, str)]
    while stack:
        el = stack.pop()
        if is_chrome(el) and not _is_chapter_toc(el):
            doomed.append(el)
            label = _toc_label(el)
            if label is not None:
                doomed.append(label)
            continue  # its children go with it
        if el.tag in ("pre", "code"):
            if el.tag == "pre":
                doomed.extend(_language_labels(el))
            continue
        stack.extend(el.iterchildren(etree.Element))  # (its elements, in order, filtered in C)
    return doomed


def _drop_orphan_headings(root, parents) -> None:
    """Up from each box a dropped widget emptied to the one holding its heading; that box goes when
    only headings are left (Docsy's and Microsoft Learn's "Feedback")."""
    for parent in parents:
        while parent.getparent() is not None and parent.getparent() is not root \
                and not any(t.strip() for t in parent.itertext()):
            parent = parent.getparent()  # up from the emptied box to the one holding its heading
        if parent.getparent() is not None and parent is not root and _only_headings(parent):
            drop_keeping_tail(parent)  # the heading of a widget we dropped: Docsy's and Microsoft Learn's "Feedback"


def remove_chrome(root) -> None:
    """Strip chrome inside the chosen content container (in place).

    Code is never searched: highlighters put classes like ``comment`` or ``nav`` on spans.
    """
    parents = {}
    for el in _chrome_elements(root):
        parent = el.getparent()
        if parent is not None and parent is not root and el.tag in _WIDGET_BLOCKS \
                and any(t.strip() for t in el.itertext()):
            parents[id(parent)] = parent  # (a heading that only lost its ¶ link or [Source] keeps its wrapper)
        drop_keeping_tail(el)
    _drop_orphan_headings(root, parents.values())
    for el in _links_above_title(root):
        drop_keeping_tail(el)
    pager = _trailing_pager(root)  # once the chrome after it ("Last updated on...") is gone
    if pager is not None:
        drop_keeping_tail(pager)


_BLOCK_TAGS = {"div", "p", "ul", "ol", "dl", "table", "pre", "img", "figure", "section", "article", *_HEADINGS}


def _pager_link(el):
    """``el`` if it is a bare link to another page of the site (or a wrapper holding only one), else None."""
    if el.tag != "a":
        links = [c for c in el if isinstance(c.tag, str)]
        if el.tag not in ("div", "span") or len(links) != 1 or (el.text or "").strip() or (links[0].tail or "").strip():
            return None
        el = links[0]
    href = el.get("href") or ""
    if el.tag != "a" or not href or href.startswith("#") or "://" in href or href.startswith(("//", "mailto:")):
        return None
    text = " ".join("".join(el.itertext()).split())
    if not text or len(text) > 80 or any(True for d in el.iterdescendants(*_BLOCK_TAGS)):
        return None
    return el


def _trailing_pager(root):
    """A prev/next pager without the words "Previous"/"Next" (Nextra, Mintlify: two bare links to the
    neighbouring pages, side by side after the article): a ``<div>`` holding nothing but two links
    to other pages of the site, with no content after it. Two cards ("Next steps") hold more than a
    title; a sentence with two links has text around them.
    """
    last = root
    while True:  # down the last child that holds text: the pager is at the very end of the content
        kids = [c for c in last if isinstance(c.tag, str)]
        while kids and not any(t.strip() for t in kids[-1].itertext()) and not (kids[-1].tail or "").strip():
            kids.pop()  # empty spacers and icon-only leftovers
        if not kids or (kids[-1].tail or "").strip():
            return None
        candidate = kids[-1]
        if candidate.tag == "div":
            parts = [c for c in candidate if isinstance(c.tag, str)]
            if len(parts) == 2 and not (candidate.text or "").strip() \
                    and not any((c.tail or "").strip() for c in parts) and all(_pager_link(c) is not None for c in parts):
                return candidate
        if candidate.tag not in ("div", "section", "article", "main", "footer"):
            return None
        last = candidate


_WIDGET_BLOCKS = {"p", "div", "ul", "ol", "dl", "section", "nav", "aside", "footer", "form", "table"}


def _only_headings(el) -> bool:
    """True when ``el`` holds a heading and no other text (its other children were chrome)."""
    kids = [c for c in el if isinstance(c.tag, str)]
    if not kids or (el.text or "").strip() or any((c.tail or "").strip() for c in kids):
        return False
    headings = [c for c in kids if c.tag in _HEADINGS]
    if any(h.tag == "h1" for h in headings):
        return False  # the page's title stays whatever sat beside it (MediaWiki's page tools, rustdoc's Source)
    rest = [c for c in kids if c.tag not in _HEADINGS and c.tag != "hr"]
    return bool(headings) and not any(any(t.strip() for t in c.itertext()) for c in rest)


_SEPARATORS = re.compile(r"^[\s/|>»›·•:\-–—→]*$")


def _links_above_title(root) -> list:
    """A breadcrumb trail without a telling class (react.dev, Docker's docs): what sits above the page's
    ``<h1>`` inside the content is nothing but a few short links and separators. Returns those blocks."""
    h1 = next(root.iter("h1"), None)
    if h1 is None:
        return []
    blocks, node = [], h1
    while node is not root:
        parent = node.getparent()
        if parent is None:
            return []
        blocks.extend(s for s in node.itersiblings(preceding=True) if isinstance(s.tag, str))
        if not _SEPARATORS.match(parent.text or ""):
            return []
        node = parent
    links = link_chars = 0
    for block in blocks:
        if not _SEPARATORS.match(block.tail or ""):
            return []
        for el, in_link in _walk_links(block):
            if el.tag in ("img", "pre", "table", "code") and not in_link:
                return []
            if el.tag == "a" and not in_link:
                links += 1
            text = el.text or ""
            if in_link or el.tag == "a":
                link_chars += len(text.strip())
            elif not _SEPARATORS.match(text):
                return []
            tail = el.tail or ""
            if el is not block and not in_link and not _SEPARATORS.match(tail):
                return []
            if in_link:
                link_chars += len(tail.strip())
    return blocks if 0 < links <= 8 and link_chars <= 150 else []


def _walk_links(block):
    """(element, inside a link) for ``block`` and its descendants; an ``<a>``'s own text and children
    count as inside, its tail does not."""
    stack = [(block, False)]
    while stack:
        el, in_link = stack.pop()
        if not isinstance(el.tag, str):
            continue
        yield el, in_link
        stack.extend((c, in_link or el.tag == "a") for c in el)


def _code_languages(pre) -> set[str]:
    """Language names the code block's own markup gives (``language-sh``, ``data-language="sh"``)."""
    names = set()
    code = pre.find("code")
    parent = pre.getparent()
    for el in (pre, code, parent):
        if el is None:
            continue
        for attr in ("data-lang", "data-language"):
            if el.get(attr):
                names.add(el.get(attr).strip().lower())
        for tok in _tokens(el):
            for prefix in ("language-", "lang-"):
                if tok.startswith(prefix) and len(tok) > len(prefix):
                    names.add(tok[len(prefix):])
    return names


def _language_labels(pre) -> list:
    """A label beside a code block that only repeats its language (VitePress' ``span.lang`` "sh" next
    to the ``<pre>`` of a ``div.language-sh``): the fence already says it."""
    parent = pre.getparent()
    if parent is None or len(parent) < 2:
        return []
    names = None
    labels = []
    for sib in parent:
        if sib is pre or not isinstance(sib.tag, str) or sib.tag not in ("span", "div", "small", "p") or len(sib):
            continue
        text = (sib.text or "").strip().lower()
        if not text or len(text) > 20:
            continue
        if names is None:
            names = _code_languages(pre)
        if text in names:
            labels.append(sib)
    return labels


_TOC_LABEL = re.compile(r"^\s*((table of )?contents|on this page|in this (article|page|section))\s*:?\s*$", re.I)


def _toc_label(el):
    """The "Table of contents" / "On this page" label written just before a TOC we drop, if any
    (Docker's docs put it in a plain div above nav.toc): without its list it labels nothing."""
    if el.tag != "nav" and _TOC_TOKENS.isdisjoint(_tokens(el)):
        return None
    prev = el.getprevious()
    if prev is None or not isinstance(prev.tag, str) or prev.tag in ("nav", "ul", "ol", "pre", "table"):
        return None
    text = _short_text(prev, 40)
    return prev if text and _TOC_LABEL.match(text) else None


_text_len = text_len  # (len("".join(el.itertext()).strip()), computed in C: see html_hidden.text_len)


def _words(el_or_text) -> Counter:
    text = el_or_text if isinstance(el_or_text, str) else " ".join(el_or_text.itertext())
    return Counter(w.lower() for w in _WORD.findall(text))


def _f1(a: Counter, b: Counter) -> float:
    na, nb = sum(a.values()), sum(b.values())
    if not na or not nb:
        return 0.0
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / na, overlap / nb
    return 2 * p * r / (p + r)


def trafilatura_text(html_text: str) -> str | None:
    """The plain text trafilatura extracts from the page (favouring recall), or None.

    A second opinion on what the page's content is: the fallback when no rule and no model finds a
    container, and the guard's witness when our choice is a small share of the page."""
    try:
        import trafilatura
    except Exception:  # pragma: no cover - trafilatura is a dependency, but never let it sink a page
        return None
    try:
        text = trafilatura.extract(html_text, include_comments=False, include_tables=True, favor_recall=True,
                                   output_format="txt")
    except Exception:
        return None
    return text if text and len(text) >= 40 else None


def matching_element(root, text: str) -> object | None:
    """The smallest element of ``root`` whose words best match ``text`` (by word F1), holding at
    least half as much text: the subtree of our own (hidden-text-free) tree that says it."""
    target = _words(text)
    body = root.find(".//body")
    body = body if body is not None else root
    total = len(text)
    best, best_score = None, 0.0
    for el in body.iter("div", "section", "article", "main", "td", "body"):
        n = _text_len(el)
        if n < total * 0.5:
            continue
        score = _f1(_words(el), target)
        if score > best_score + 1e-9 or (abs(score - best_score) < 1e-9 and best is not None and
                                         _text_len(el) < _text_len(best)):
            best, best_score = el, score
    return best


def _by_trafilatura(root, html_text: str | None) -> object | None:
    """The element of ``root`` whose words best match what trafilatura extracts (fallback only)."""
    text = trafilatura_text(html_text if html_text is not None else etree.tostring(root, encoding="unicode"))
    return matching_element(root, text) if text else None


def _mass(el, memo: dict) -> int:
    """Characters of text *outside links* under ``el``: navigation is mostly links, prose is not.

    Filled bottom-up for the whole subtree on first use (no recursion: pages nest thousands deep).
    """
    if el in memo:  # keyed by the element itself: lxml proxies are kept alive (and unique) that way
        return memo[el]
    for node in reversed(list(el.iter(etree.Element))):  # children before parents
        total = len((node.text or "").strip()) if node.tag != "a" else 0
        for child in node:
            tag = child.tag
            if isinstance(tag, str) and tag != "a":
                mass = memo[child]
                if mass and not is_chrome(child):  # (chrome or not, a child without prose adds nothing)
                    total += mass
            tail = child.tail
            if tail:
                total += len(tail.strip())
        memo[node] = total
    return memo[el]


def _contains(ancestor, el) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


_PARAGRAPH = 300  # characters of non-link text: navigation and footers never hold a paragraph this long


def _has_paragraph(el, memo: dict) -> bool:
    """True when ``el`` holds a ``<p>`` with a paragraph's worth of prose outside any chrome."""
    stack = [el]
    while stack:
        node = stack.pop()
        if is_chrome(node):
            continue
        if node.tag == "p":
            if _mass(node, memo) >= _PARAGRAPH:
                return True
            continue
        stack.extend(c for c in node if isinstance(c.tag, str))
    return False


def _descend(body, share: float = 0.75):
    """Walk down from ``body`` while one child holds most of the prose; stop where it spreads out.

    A generic selector for pages with no known container and no ``<main>``: chrome is link-heavy
    and small, so the content is the deepest element still holding ``share`` of the page's prose.
    """
    memo: dict = {}
    current = body
    h1 = next(iter(body.iter("h1")), None)
    while True:
        own = _mass(current, memo)
        if own < 200:
            return current
        kids = [c for c in current if isinstance(c.tag, str) and c.tag not in ("p", "pre", "table", "ul", "ol", "dl")]
        best = max(kids, key=lambda c: _mass(c, memo), default=None)
        if best is None or _mass(best, memo) < own * share:
            return current
        if h1 is not None and _contains(current, h1) and not _contains(best, h1):
            return current  # the page's title sits here, above the body we would descend into
        if any(_has_paragraph(c, memo) for c in current if isinstance(c.tag, str) and c is not best):
            # a sibling holds a real paragraph (or is one): an intro above a big table, list or
            # reference section (a one-page docs site's introduction before its API)
            return current
        current = best


def _landmarks(root) -> tuple[dict[int, list], dict[str, list]]:
    """One pass over the container elements: those a known generator's rule matches (by rule
    number), and the generic landmarks (``<main>``, ``role=main``, ``<article>``)."""
    known: dict[int, list] = {}
    generic: dict[str, list] = {"main": [], "role=main": [], "article": []}
    for el in root.iter("div", "section", "article", "main"):  # tag filtering happens in C
        tag = el.tag
        attrib = el.attrib
        if tag in ("main", "article"):
            generic[tag].append(el)
        if not attrib:
            continue
        cls = attrib.get("class")
        role = attrib.get("role")
        if role == "main":
            generic["role=main"].append(el)
        rule = _known_rule(el, tag, set(cls.split()) if cls else set(), attrib.get("id"), role)
        if rule is not None:
            known.setdefault(rule, []).append(el)
    return known, generic


def _next_element(el):
    """The next sibling that is an element (DocBook's content follows its navigation header)."""
    el = el.getnext()
    while el is not None and not isinstance(el.tag, str):
        el = el.getnext()
    return el


def _known_container(known: dict[int, list], body_len: int) -> tuple[list, str] | None:
    """The first known generator's container, in rule order, that holds text (on a page that has some)."""
    for rule in sorted(known):
        generator = KNOWN_GENERATORS[rule]
        for el in known[rule]:
            if generator == "docbook":
                el = _next_element(el)
                if el is None:
                    continue
            if _text_len(el) < 20 and body_len > 500:
                continue
            if generator == "javadoc":
                prev = el.getprevious()
                if prev is not None and "header" in _tokens(prev):
                    return [prev, el], generator
            return [el], generator
    return None


def _generic_container(generic: dict[str, list], body_len: int) -> tuple[list, str] | None:
    """The biggest visible generic landmark holding a quarter of the page's text (and 200 chars);
    several sibling articles: their common parent (a listing page)."""
    for name, found in generic.items():
        found = [el for el in found if not is_hidden(el)]
        if not found:
            continue
        if name == "article" and len(found) > 1:
            # several articles: a listing page; take their common content area instead
            parent = found[0].getparent()
            if parent is not None and all(a.getparent() is parent for a in found):
                return [parent], "articles"
            continue
        el = max(found, key=_text_len)
        if _text_len(el) >= max(200, body_len * 0.25):
            return [el], name
    return None


def select_main(root, html_text: str | None = None, fallback: bool = True) -> tuple[list, str]:
    """The element(s) holding the page's content and which rule found them.

    Returns a list because Javadoc 8 splits a page into a header and a content container that are
    siblings; everything else is one element.
    """
    body = root.find(".//body")
    body = body if body is not None else root
    known, generic = _landmarks(root)
    body_len = _text_len(body) if known else 0
    found = _known_container(known, body_len)
    if found is not None:
        return found
    found = _generic_container(generic, body_len or _text_len(body))
    if found is not None:
        return found
    el = _descend(body)
    if el is not body and _mass(el, {}) >= 200:
        return [el], "density"
    el = _by_trafilatura(root, html_text) if fallback else None  # (the learned scorer needs no fallback)
    if el is not None:
        return [el], "trafilatura"
    return [body], "body"
