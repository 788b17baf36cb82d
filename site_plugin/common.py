"""What the MkDocs plugin and the Sphinx extension share: pages in, the three outputs out.

Both generators end up with the same list of pages, as Documents (:func:`page_document`: title, URL, markdown, section) in reading order, in a Bundle
(:func:`site_bundle`); from there :func:`build_outputs` makes ``llms.txt``, ``llms-full.txt``
and the ``.md`` mirrors with the project's one llms.txt assembler
(:mod:`llmingest.render.llmstxt`), so a site built by a plugin and a site read by
``llmingest site`` look alike. The markdown helpers here
(link rewriting, admonitions, tabs) are pure text functions: no disk, no network.
"""

from __future__ import annotations

import fnmatch
import html
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..converters.llmstxt import OPTIONAL
from ..model import Bundle, Document
from ..output import write_atomic
from ..render.llmstxt import ROOT_SECTION, absolute_url, plugin_files, twin_path  # noqa: F401  (this API since it began)

__all__ = [
    "DEFAULT_SECTION",
    "page_document",
    "site_bundle",
    "absolute_url",
    "actions_rewriter",
    "assign_sections",
    "build_outputs",
    "copy_button_snippet",
    "ensure_title",
    "inject_copy_button",
    "matches",
    "normalize_base_url",
    "normalize_markdown",
    "relative_href",
    "rewrite_links",
    "strip_copy_button",
    "alternate_link",
    "write_outputs",
]

#: the H2 for pages that sit at the top of the nav, outside any section
DEFAULT_SECTION = ROOT_SECTION


def page_document(title: str, url: str, mirror: str, markdown: str, section: str = DEFAULT_SECTION,
                  description: str | None = None, optional: bool = False, key: str = "") -> Document:
    """One page of a built site as a :class:`Document`, as both generators describe it.

    ``url`` is where the HTML page is served (absolute when a base URL is known), ``mirror`` the
    path of its ``.md`` mirror relative to the site root (``metadata["mirror"]``), ``markdown`` the
    mirror's text (``content``), ``key`` its source path (MkDocs src_uri, Sphinx docname: what
    the ``optional``/``sections`` globs match; ``path``).
    """
    return Document(path=key, content=markdown, title=title, url=url, kind="markdown", description=description,
                    metadata={"mirror": mirror, "section": section, "optional": optional})


# ---------------------------------------------------------------------------------------------
# URLs


def normalize_base_url(url: str | None) -> str | None:
    """``https://x.org/docs`` -> ``https://x.org/docs/``: urljoin drops the last segment otherwise."""
    if not url or not url.strip():
        return None
    url = url.strip()
    return url if url.endswith("/") else url + "/"


def relative_href(from_page_url: str, to_path: str) -> str:
    """A link from the page served at ``from_page_url`` (site-relative) to ``to_path`` (site-relative).

    Relative links keep working under ``mkdocs serve``, on a sub-path deploy and from ``file://``.
    """
    page_dir = from_page_url.rsplit("/", 1)[0] if "/" in from_page_url else ""
    rel = posixpath.relpath("/" + to_path, "/" + page_dir)
    return rel


def matches(key: str, patterns: Iterable[str]) -> bool:
    """True when ``key`` (a source path like ``guide/install.md``) matches one of the globs."""
    key = key.lstrip("/")
    return any(fnmatch.fnmatchcase(key, p.lstrip("/")) or key == p.lstrip("/") for p in patterns)


# ---------------------------------------------------------------------------------------------
# markdown text

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_INLINE_LINK = re.compile(
    r"(?P<head>!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*)"
    r"(?:<(?P<angle>[^<>\n]+)>|(?P<target>[^()\s<>]+(?:\([^()\s]*\)[^()\s<>]*)*))"
    r"(?P<tail>(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\))"
)
_REF_DEF = re.compile(r"^(?P<head>[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*<?)(?P<target>[^\s>]+)(?P<tail>.*)$")
_HTML_ATTR = re.compile(r"(?P<head>\b(?:href|src)\s*=\s*(?P<q>[\"']))(?P<target>[^\"'\s]+)(?P=q)")


def _split_code_spans(line: str) -> list[tuple[bool, str]]:
    """``[(is_code, text)]``: backtick code spans must never be rewritten."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in re.finditer(r"(`+)(.+?)(?<!`)\1(?!`)", line):
        if m.start() > pos:
            out.append((False, line[pos:m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    if pos < len(line):
        out.append((False, line[pos:]))
    return out


def _outside_fences(markdown: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to every line that is not inside a fenced code block."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        m = _FENCE_OPEN.match(line)
        if fence is None:
            if m:
                fence = m.group("fence")
                out.append(line)
                continue
            out.append(fn(line))
        else:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) <= {fence[0]}:
                fence = None
            out.append(line)
    return "\n".join(out)


def rewrite_links(markdown: str, resolve: Callable[[str], str | None]) -> str:
    """Replace every link and image target outside code with ``resolve(target)`` (None: keep).

    Covers inline links and images, reference definitions and ``href``/``src`` attributes of raw
    HTML, so a mirror read far from its site still points at the right pages and images.
    """

    def fix(target: str) -> str:
        new = resolve(target)
        return target if new is None else new

    def inline(text: str) -> str:
        def link(m: re.Match) -> str:
            if m.group("angle") is not None:
                return m.group("head") + "<" + fix(m.group("angle")) + ">" + m.group("tail")
            return m.group("head") + fix(m.group("target")) + m.group("tail")

        text = _INLINE_LINK.sub(link, text)
        return _HTML_ATTR.sub(lambda m: m.group("head") + fix(m.group("target")) + m.group("q"), text)

    def line_fn(line: str) -> str:
        ref = _REF_DEF.match(line)
        if ref:
            return ref.group("head") + fix(ref.group("target")) + ref.group("tail")
        return "".join(part if is_code else inline(part) for is_code, part in _split_code_spans(line))

    return _outside_fences(markdown, line_fn)


_ADMONITION = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?P<classes>(?:[ \t]+[\w-]+)*)"
                         r"(?:[ \t]+\"(?P<title>[^\"]*)\")?[ \t]*$")
_TAB = re.compile(r"^(?P<indent>[ \t]*)===!?\+?[ \t]+\"(?P<title>[^\"]*)\"[ \t]*$")
_BLOCK_START = re.compile(r"^([ \t]|#|>|[-*+][ \t]|\d+[.)][ \t]|```|~~~|\||<|!\[|\*\*[^*]+\*\*$)")
_ATTR_VALUE = r"(?:[#.][\w-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s}]+))"
#: ``[Next](x.md){ .md-button }``, ``![logo](l.png){ width=100 }``: attr_list styling of a link or image
_INLINE_ATTR_LIST = re.compile(r"\)\{:?[ \t]*" + _ATTR_VALUE + r"(?:[ \t]+" + _ATTR_VALUE + r")*[ \t]*\}")
_ATTR_LIST_HEADING = re.compile(r"^(#{1,6}[ \t].*?)[ \t]*\{:?[ \t]*(?:[#.][\w-]+|[\w-]+=\S+)(?:[ \t]+[^}]*)?\}[ \t]*$")


def _block_end(lines: list[str], start: int, indent: str) -> int:
    """Index after the indented body that starts at ``start`` (body = deeper than ``indent``)."""
    body_indent = indent + "    "
    j = start
    while j < len(lines):
        line = lines[j]
        if line.strip() == "":
            j += 1
            continue
        if line.startswith(body_indent) or line.startswith(indent + "\t"):
            j += 1
            continue
        break
    while j > start and lines[j - 1].strip() == "":
        j -= 1
    return j


def _dedent(lines: list[str], indent: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line.startswith(indent + "    "):
            out.append(line[len(indent) + 4:])
        elif line.startswith(indent + "\t"):
            out.append(line[len(indent) + 1:])
        else:
            out.append(line if line.strip() else "")
    return out


def _block(lines: list[str], i: int, m: re.Match, out: list[str]) -> int:
    """An admonition (``!!! note``, ``???``) or a content tab (``=== "Python"``) starting at line
    ``i``, written to ``out`` as plain markdown; the index after its body."""
    indent = m.group("indent")
    end = _block_end(lines, i + 1, indent)
    body = normalize_markdown("\n".join(_dedent(lines[i + 1:end], indent))).strip("\n")
    if out and out[-1].strip():
        out.append("")  # a block glued to the line above (tab after tab) still starts a block
    if m.re is _ADMONITION:
        kind = m.group("kind").replace("-", " ").replace("_", " ").capitalize()
        title = m.group("title")
        label = f"**{kind}:**" if title is None or title == "" else f"**{kind}: {title.strip()}**"
        first, _, rest = body.partition("\n")
        if label.endswith(":**") and first and not _BLOCK_START.match(first):
            label, body = f"{label} {first}", rest.lstrip("\n")  # "> **Note:** text", as the HTML converter writes it
        out.append(f"{indent}> {label}")
        if body:
            out.append(f"{indent}>")
            out.extend(f"{indent}> {b}".rstrip() for b in body.split("\n"))
    else:
        out.append(f"{indent}**{m.group('title')}**")
        if body:
            out.append("")
            out.extend(f"{indent}{b}".rstrip() for b in body.split("\n"))
    if end < len(lines) and lines[end].strip():
        out.append("")  # else the next paragraph would be read as a lazy line of the quote
    return end


def normalize_markdown(markdown: str) -> str:
    """MkDocs dialect -> plain markdown an agent reads anywhere.

    ``!!! note "Title"`` admonitions (and collapsible ``???``) become labelled blockquotes, as the
    HTML converter writes them; Material content tabs (``=== "Python"``) become a bold label over
    their body; ``{ #id .class }`` attribute lists on headings are dropped. Code fences are left
    alone.
    """
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    fence: str | None = None
    out_fence_start = 0
    while i < len(lines):
        line = lines[i]
        m_f = _FENCE_OPEN.match(line)
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) <= {fence[0]}:
                fence = None
                while out and out[-1].strip() == "" and out_fence_start < len(out) - 1:
                    out.pop()  # a snippet's trailing newline would leave a blank last code line
            out.append(line)
            i += 1
            continue
        if m_f:
            fence = m_f.group("fence")
            out_fence_start = len(out)
            out.append(line)
            i += 1
            continue
        block = _ADMONITION.match(line) or _TAB.match(line)
        if block:
            i = _block(lines, i, block, out)
            continue
        if not line.strip():
            out.append("")  # an indented snippet's last, empty line leaves only spaces behind
            i += 1
            continue
        heading = _ATTR_LIST_HEADING.match(line)
        line = heading.group(1) if heading else line
        if "){" in line:
            line = "".join(part if is_code else _INLINE_ATTR_LIST.sub(")", part)
                           for is_code, part in _split_code_spans(line))
        out.append(line)
        i += 1
    return "\n".join(out)


def ensure_title(markdown: str, title: str) -> str:
    """The mirror opens with ``# Title``: MkDocs pages often take their title from the nav or meta."""
    text = markdown.lstrip("\n")
    if re.match(r"#[ \t]+\S", text):
        return text
    return f"# {title}\n\n{text}" if text.strip() else f"# {title}\n"


# ---------------------------------------------------------------------------------------------
# sections and outputs


def assign_sections(pages: list[Document], sections: list[str] | dict[str, list[str]] | None,
                    optional: Iterable[str]) -> list[Document]:
    """Apply the ``sections`` filter and the ``optional`` patterns; return the pages to publish.

    ``sections`` as a list keeps only those sections (by H2 name), in that order; as a mapping of
    section name -> globs on source paths it regroups pages (first match wins, unmatched pages
    are left out); None keeps the generator's own sections. ``optional`` holds globs on source
    paths or section names; those pages (and pages flagged by their front matter) go to
    ``## Optional`` and are kept by any filter: marking a page optional is asking for it.
    """
    optional = list(optional)

    def explicit(page: Document) -> bool:
        md = page.metadata
        return md["optional"] or md["section"] in optional or matches(page.path, optional)

    kept: list[Document] = []
    order: list[str] = []
    if isinstance(sections, dict):
        order = list(sections)
        for page in pages:
            name = next((n for n, globs in sections.items() if matches(page.path, globs or [])), None)
            if name is not None:
                page.metadata["section"] = name
                kept.append(page)
            elif explicit(page):
                kept.append(page)
    elif sections:
        order = list(sections)
        kept = [p for p in pages if p.metadata["section"] in order or explicit(p)]
    else:
        kept = list(pages)
    for page in kept:
        if explicit(page) or page.metadata["section"] == OPTIONAL:
            page.metadata["optional"] = True
    if order:  # sort by the order the user gave, keeping reading order inside a section
        rank = {name: i for i, name in enumerate(order)}
        kept.sort(key=lambda p: rank.get(p.metadata["section"], len(rank)))
    return kept


def site_bundle(site_name: str, summary: str | None, pages: list[Document], base_url: str | None,
                *, generator: str = "", details: str | None = None) -> Bundle:
    """The Bundle of a site a plugin builds (kind ``site``, built by ``generator``): what
    :func:`llmingest.render.render` turns into its llms.txt and llms-full.txt, as
    :func:`build_outputs` does."""
    return Bundle(source=base_url or site_name, kind="site", documents=list(pages), title=site_name,
                  description=summary, metadata={"built_by": generator or "plugin", "base_url": base_url,
                                                 "details": details})


def build_outputs(site_name: str, summary: str | None, pages: list[Document], base_url: str | None,
                  *, full_text: bool = True, details: str | None = None, twins: bool = True) -> dict[str, str]:
    """``llms.txt`` (+ ``llms-full.txt`` when ``full_text``) and one ``.md`` mirror per page.

    Links in llms.txt point at the mirrors (absolute under ``base_url`` when known), so an agent
    reads markdown, not HTML; llms-full.txt keeps each page's own URL as its source. ``twins``
    also writes each page's ``page.html.md`` twin next to its HTML (llms.txt v2), the same text
    as its mirror. See :func:`llmingest.render.llmstxt.plugin_files`.
    """
    return plugin_files(site_bundle(site_name, summary, pages, base_url, details=details), base_url,
                        full_text=full_text, twins=twins)


def write_outputs(root: Path, files: dict[str, str]) -> list[Path]:
    """Write every file under ``root`` atomically, in sorted order; return the paths written."""
    written: list[Path] = []
    root = Path(root)
    real_root = root.resolve()
    folders: dict[str, Path] = {}  # a folder's resolved path, once per folder (hundreds of pages share a few)
    for rel in sorted(files):
        folder, _, name = rel.rpartition("/")
        path = root / rel
        if name in ("", ".", "..") or Path(rel).is_absolute() or path.is_symlink():
            target = path.resolve()  # the rare odd name: resolved whole, as it always was
        else:
            if folder not in folders:
                folders[folder] = (root / folder).resolve() if folder else real_root
            target = folders[folder] / name
        if real_root not in target.parents:
            continue  # mirror_path never yields this; refuse anyway rather than write outside the site
        write_atomic(target, files[rel])
        written.append(target)
    return written


def actions_rewriter(spec_file: Path, api_base_url: str | None,
                     warn: Callable[[str], None]) -> Callable[[str, str], str]:
    """``(markdown, page name) -> markdown`` with click-to-curl applied against ``spec_file``.

    Raises ``ValueError`` with a one-line reason when the spec cannot be read or loaded; the
    plugins turn it into their generator's config error. A page the rewriter trips on keeps its
    text (``warn`` says so): one odd page must not fail a docs build.
    """
    from ..converters.actions import rewrite
    from ..converters.openapi import load_spec

    try:
        data = Path(spec_file).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read the OpenAPI spec {spec_file}: {exc.strerror}") from None
    try:
        spec = load_spec(data, name=Path(spec_file).name)
    except Exception as exc:
        raise ValueError(f"cannot load the OpenAPI spec {spec_file}: {exc}") from None

    def apply(markdown: str, name: str) -> str:
        try:
            return rewrite(markdown, spec, base_url=api_base_url, source_name=name).markdown
        except Exception as exc:
            warn(f"{name}: click-to-curl rewrite skipped ({exc})")
            return markdown

    return apply


# ---------------------------------------------------------------------------------------------
# the copy button

COPY_LABEL = "Copy page as Markdown"

_COPY_SCRIPT = """<script>(function(){if(window.__llmingestCopy)return;window.__llmingestCopy=1;
document.addEventListener("click",function(e){var b=e.target.closest&&e.target.closest(".llmingest-copy");if(!b)return;
e.preventDefault();var label=b.textContent,href=b.getAttribute("data-md");
fetch(href).then(function(r){if(!r.ok)throw new Error(r.status);return r.text();})
.then(function(t){return navigator.clipboard.writeText(t);})
.then(function(){b.textContent="Copied!";setTimeout(function(){b.textContent=label;},2000);})
.catch(function(){window.open(href,"_blank");});});})();</script>"""

_COPY_STYLE = ("<style>.llmingest-copy{float:right;margin:0 0 .5em 1em;padding:.2em .8em;font-size:.8em;"
               "cursor:pointer;border:1px solid currentColor;border-radius:.2em;background:none;color:inherit}</style>")


def copy_button_snippet(md_href: str) -> str:
    """The button markup (one line, so the Sphinx extension can find and strip it again)."""
    href = html.escape(md_href, quote=True)
    return (f'<button type="button" class="llmingest-copy md-button" data-md="{href}" '
            f'title="{COPY_LABEL}">{COPY_LABEL}</button>')


def inject_alternate(page_html: str, md_href: str) -> str:
    """Only the ``<link rel="alternate" type="text/markdown">`` hint (no button): every built page
    tells agents where its markdown is. A page that already has one is returned unchanged."""
    if re.search(r'<link\b[^>]*type="text/markdown"', page_html) or "</head>" not in page_html:
        return page_html
    return page_html.replace("</head>", alternate_link(md_href) + "</head>", 1)


def alternate_link(md_href: str) -> str:
    """The ``<link rel="alternate" type="text/markdown">`` tag :func:`inject_alternate` adds (and
    :func:`strip_copy_button` removes): a generator that writes it into the page itself saves
    rewriting every page afterwards."""
    href = html.escape(md_href, quote=True)
    return f'<link rel="alternate" type="text/markdown" href="{href}" data-llmingest="">'


def head_snippet(md_href: str) -> str:
    href = html.escape(md_href, quote=True)
    return f'<link rel="alternate" type="text/markdown" href="{href}">{_COPY_STYLE}'


_BUTTON_ANCHORS = (
    re.compile(r"<article\b[^>]*\bclass=\"[^\"]*\bmd-content__inner\b[^\"]*\"[^>]*>"),  # mkdocs-material
    re.compile(r"<div\b[^>]*\brole=\"main\"[^>]*>"),  # mkdocs/readthedocs themes, Sphinx themes
    re.compile(r"<main\b[^>]*>"),
    re.compile(r"<body\b[^>]*>"),
)


def inject_copy_button(page_html: str, md_href: str) -> str:
    """Add the alternate link and style to <head>, the button at the top of the main content, and
    the click handler before </body>. A page that already has the button is returned unchanged."""
    if 'class="llmingest-copy' in page_html:
        return page_html
    if "</head>" in page_html:
        page_html = page_html.replace("</head>", head_snippet(md_href) + "</head>", 1)
    for anchor in _BUTTON_ANCHORS:
        m = anchor.search(page_html)
        if m:
            page_html = page_html[: m.end()] + copy_button_snippet(md_href) + page_html[m.end():]
            break
    idx = page_html.rfind("</body>")
    if idx != -1:
        page_html = page_html[:idx] + _COPY_SCRIPT + page_html[idx:]
    else:
        page_html += _COPY_SCRIPT
    return page_html


_INJECTED = (
    re.compile(r'<link rel="alternate" type="text/markdown" href="[^"]*" data-llmingest="">'),
    re.compile(r'<link rel="alternate" type="text/markdown" href="[^"]*">' + re.escape(_COPY_STYLE)),
    re.compile(r'<button type="button" class="llmingest-copy md-button" data-md="[^"]*" '
               + re.escape(f'title="{COPY_LABEL}">{COPY_LABEL}</button>')),
    re.compile(re.escape(_COPY_SCRIPT)),
)


def strip_copy_button(page_html: str) -> str:
    """Undo :func:`inject_copy_button` exactly: a page converted again must not show the button."""
    if "llmingest" not in page_html:  # every injected piece names it: one search instead of four regexes
        return page_html
    for pattern in _INJECTED:
        page_html = pattern.sub("", page_html)
    return page_html


_MAIN = re.compile(r"<(div|article|main|section)\b[^>]*\brole=[\"']main[\"'][^>]*>")


def main_only(page_html: str) -> str:
    """The page with its ``<body>`` cut down to the element marked ``role="main"`` (every Sphinx
    theme marks the document body so), the ``<head>`` kept whole.

    Why: each built page repeats the site's whole navigation (a 120-page project: ~100 links per
    page), which the converter parses and throws away; handing it only the part it would select
    anyway made the extension's conversions 3x cheaper, with the same markdown (checked page by
    page on the python3-doc build and the plugins benchmark's project). Found by tag counting,
    not a parser; the page as it is whenever the marker or its balanced end is not found.
    """
    m = _MAIN.search(page_html)
    body = page_html.find("<body")
    if m is None or body < 0 or body > m.start():
        return page_html
    tag = m.group(1)
    opener, closer = re.compile(rf"<{tag}\b"), f"</{tag}>"
    pos, depth = m.end(), 1
    while depth:
        end = page_html.find(closer, pos)
        if end < 0:
            return page_html
        nested = opener.search(page_html, pos, end)
        if nested is not None:
            depth, pos = depth + 1, nested.end()
        else:
            depth, pos = depth - 1, end + len(closer)
    return page_html[:body] + "<body>" + page_html[m.start():pos] + "</body></html>"
