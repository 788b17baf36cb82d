"""HTML page -> Document with clean markdown of its main content (pure: no network, no disk).

The steps, each in its own module: decode the bytes (:mod:`.html_charset`), parse with lxml, drop
hidden elements (a prompt-injection vector), pick the main content and strip the chrome around and
inside it (:mod:`.html_select`), write markdown (:mod:`.html_markdown`). Metadata (title,
description, canonical URL, language, generator) comes from ``<head>``; every link is made absolute
against the page URL and ``<base href>``.

>>> doc = convert(b"<title>T</title><main><h1>Hi</h1><p>See <a href='x'>x</a></p></main>", "https://a.b/c/")
>>> doc.content
'# Hi\\n\\nSee [x](https://a.b/c/x)\\n'
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from ..errors import ConversionError
from ..model import Document
from .html_charset import decode
from .html_markdown import Writer
from .html_select import remove_chrome, remove_hidden, select_main

__all__ = ["convert", "front_matter", "decode"]

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TITLE_SPLIT = re.compile(r"\s+[|—–·»]\s+|\s+-\s+")


def _parse(text: str):
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise ConversionError("empty HTML document")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ConversionError(f"cannot parse HTML: {exc}") from None
    if root is None:
        raise ConversionError("cannot parse HTML: no document")
    return root


def _meta(root, *names: str) -> str | None:
    for name in names:
        for attr in ("name", "property"):
            found = root.xpath(f"//meta[translate(@{attr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                               f"'abcdefghijklmnopqrstuvwxyz')='{name}']/@content")
            for value in found:
                value = " ".join(value.split())
                if value:
                    return value
    return None


def _base_url(root, url: str | None) -> str | None:
    hrefs = root.xpath("//base/@href")
    if hrefs and hrefs[0].strip():
        return urljoin(url, hrefs[0].strip()) if url else hrefs[0].strip()
    return url


def _title(root) -> str | None:
    titles = root.xpath("//title")
    text = " ".join(titles[0].text_content().split()) if titles else ""
    if not text:
        text = _meta(root, "og:title") or ""
    if not text:
        h1 = root.xpath("//h1")
        text = " ".join(h1[0].text_content().split()).rstrip("¶#").strip() if h1 else ""
    return text or None


def _doc_path(url: str | None) -> str:
    if not url:
        return "page.html"
    path = urlsplit(url).path or "/"
    return path


def convert(data: bytes | str, url: str | None = None, *, charset: str | None = None, links: bool = True,
            images: bool = True, select: bool = True) -> Document:
    """HTML -> Document(kind="page") whose ``content`` is the markdown body (no front matter).

    ``url`` is where the page lives (links are resolved against it and ``<base href>``); without
    it relative links stay relative. ``charset`` is the HTTP header's charset, if any.
    ``select=False`` converts the whole ``<body>`` (no content selection, like markitdown).
    ``metadata`` holds ``canonical``, ``lang``, ``generator``, ``links`` (absolute, in order of
    appearance in the main content), ``container`` (which rule picked the content).
    """
    text = decode(data, charset)
    root = _parse(text)
    title = _title(root)
    description = _meta(root, "description", "og:description", "twitter:description")
    canonical = root.xpath("//link[translate(@rel, 'CANONICAL', 'canonical')='canonical']/@href")
    base = _base_url(root, url)
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    generator = _meta(root, "generator")

    remove_hidden(root)
    if select:
        elements, container = select_main(root, text)
    else:
        body = root.find(".//body")
        elements, container = [body if body is not None else root], "body"
    for el in elements:
        remove_chrome(el)
    writer = Writer(base, links=links, images=images)
    content = writer.convert(elements)
    return Document(
        path=_doc_path(url),
        url=url,
        title=title,
        description=description,
        kind="page",
        content=content,
        size=len(data.encode("utf-8") if isinstance(data, str) else data),
        metadata={
            "canonical": urljoin(base or "", canonical[0].strip()) if canonical and canonical[0].strip() else None,
            "lang": lang,
            "links": writer.links,
            "generator": generator,
            "container": container,
        },
    )


def _yaml_value(value: str) -> str:
    """A YAML scalar: plain when safe, else a JSON string (JSON strings are valid YAML)."""
    value = " ".join(value.split())
    plain = (value and not re.match(r"^[-?:,\[\]{}#&*!|>'\"%@`]", value) and ": " not in value
             and " #" not in value and not value.endswith(":")
             and value.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "~"))
    if plain:
        return value
    return json.dumps(value, ensure_ascii=False)


def front_matter(doc: Document) -> str:
    """YAML front matter with the page's title, URL and description (only the keys we know)."""
    lines = ["---"]
    for key, value in (("title", doc.title), ("url", doc.url), ("description", doc.description)):
        if value:
            lines.append(f"{key}: {_yaml_value(value)}")
    if len(lines) == 1:
        return ""
    lines.append("---")
    return "\n".join(lines) + "\n\n"
