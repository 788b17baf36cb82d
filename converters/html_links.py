"""What a crawler needs from an HTML page besides its markdown: every link, the title, the site name.

Pure (a parsed tree in, plain values out). The site crawl used to parse every page a second time
with lxml just for these; the HTML converter now reads them off the tree it parses anyway
(``convert(..., crawl_facts=True)``), and the crawl's own fallback parse calls the same function,
so both give the same facts.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin

__all__ = ["crawl_facts", "join"]

_SKIP = ("mailto:", "javascript:", "tel:", "data:")
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 15)
def _join_relative(folder: str, href: str) -> str:
    return urljoin(folder, href)


def join(base: str, folder: str | None, href: str) -> str:
    """``urljoin(base, href)``, cached across pages for relative links.

    A relative reference with a path (no scheme, not starting with ``?``, ``#``, ``;`` or ``//``) resolves
    against the base's folder alone, so pages of one folder share their navigation's results
    (python3-doc links ~23,000 times to ~500 pages). ``folder`` is ``urljoin(base, ".")``, or None
    to skip the cache. Raises ValueError as ``urljoin`` does.
    """
    if folder is not None and ":" not in href and href[0] not in "?#;" and not href.startswith("//"):
        return _join_relative(folder, href)
    return urljoin(base, href)


def crawl_facts(root, url: str) -> tuple[list[str], str | None, str | None, str | None]:
    """(absolute link targets in page order, <title>, site name, meta description) of a parsed page.

    Links: every ``<a href>`` of the whole page (navigation included: that is how a crawl finds the
    other pages), fragments dropped, duplicates and ``mailto:``/``javascript:``/``tel:``/``data:``
    left out, resolved against ``<base href>``. A description equal to the title is dropped
    (texinfo repeats the <title> there).
    """
    base = url
    for href in root.xpath("//base/@href")[:1]:
        base = urljoin(url, href.strip())
    try:
        folder = urljoin(base, ".") if base else None
    except ValueError:
        folder = None
    links: list[str] = []
    # index pages hold tens of thousands of links to a few hundred pages: drop fragments and
    # duplicates before the (slow) URL joining
    for href in dict.fromkeys(h.split("#", 1)[0].strip() for h in root.xpath("//a/@href")):
        if not href or href.startswith(_SKIP):
            continue
        try:
            links.append(join(base, folder, href))
        except ValueError:
            continue
    title = None
    for t in root.xpath("//title/text()")[:1]:
        title = _SPACE.sub(" ", t).strip() or None
    site_name = None
    for v in root.xpath("//meta[@property='og:site_name']/@content | //meta[@name='application-name']/@content")[:1]:
        site_name = v.strip() or None
    desc = None
    for v in root.xpath("//meta[@name='description']/@content | //meta[@property='og:description']/@content")[:1]:
        desc = _SPACE.sub(" ", v).strip() or None
    if desc and title and desc.casefold() == title.casefold():
        desc = None  # texinfo repeats the <title> as the description
    return links, title, site_name, desc
