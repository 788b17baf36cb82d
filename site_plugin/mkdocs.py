"""MkDocs plugin: every ``mkdocs build`` also writes llms.txt, llms-full.txt and a .md per page.

Add one line to ``mkdocs.yml``::

    plugins:
      - search
      - llmingest:            # all options are optional
          base_url: https://example.org/docs/   # default: site_url
          details: Read the Guide first.        # paragraph under the summary (default: a page count)
          full_text: true                       # write llms-full.txt
          sections: [Guide, Reference]          # only these nav sections (or {Name: [globs]})
          optional: [changelog.md, "about/*"]   # globs or section names -> "## Optional"
          exclude: ["drafts/*"]                 # never published
          copy_button: true                     # "Copy page as Markdown" + <link rel=alternate>
          openapi: openapi.yaml                 # "click here" steps also get a runnable curl
          api_base_url: https://api.example.org # default: the spec's servers

Why the page's own markdown and not its HTML: the author's markdown is already what agents want;
we only expand what MkDocs would have expanded (``--8<--`` snippets, includes and macros from
plugins that ran before us), turn MkDocs-only syntax (admonitions, tabs) into plain markdown and
make every relative link absolute so a mirror read on its own still points at the right place.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from ..converters.llmstxt import OPTIONAL, mirror_path
from ..model import Document
from .common import (
    DEFAULT_SECTION,
    absolute_url,
    actions_rewriter,
    assign_sections,
    build_outputs,
    ensure_title,
    inject_alternate,
    inject_copy_button,
    matches,
    normalize_base_url,
    normalize_markdown,
    page_document,
    relative_href,
    rewrite_links,
    write_outputs,
)

log = get_plugin_logger(__name__)

#: front-matter key a page can set: ``llmingest: optional`` or ``llmingest: exclude``
META_KEY = "llmingest"


class LlmingestConfig(base.Config):
    base_url = c.Optional(c.Type(str))
    summary = c.Optional(c.Type(str))
    details = c.Optional(c.Type(str))
    full_text = c.Type(bool, default=True)
    sections = c.Optional(c.Type((list, dict)))
    optional = c.ListOfItems(c.Type(str), default=[])
    exclude = c.ListOfItems(c.Type(str), default=[])
    copy_button = c.Type(bool, default=False)
    openapi = c.Optional(c.Type(str))
    api_base_url = c.Optional(c.Type(str))


class LlmingestPlugin(BasePlugin[LlmingestConfig]):
    """Collects each page's markdown while MkDocs builds, writes the three outputs at the end."""

    _dirty = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._dirty = dirty  # `build/serve --dirty` renders only changed pages; we still list them all

    def on_config(self, config: Any) -> None:
        self._base = normalize_base_url(self.config.base_url or config.site_url)
        if self._base is None:  # info, not a warning: `mkdocs build --strict` must not fail over it
            log.info("no site_url or base_url: llms.txt links will be relative and mirror links "
                     "root-relative; set site_url in mkdocs.yml for absolute links")
        sections = self.config.sections
        if isinstance(sections, dict) and not all(isinstance(v, list) for v in sections.values()):
            raise PluginError("llmingest: 'sections' as a mapping needs a list of globs per section, "
                              "e.g. sections: {Guide: ['guide/*.md']}")
        self._snippets = _snippet_expander(config)
        self._actions = None
        if self.config.openapi:
            spec = Path(self.config.openapi)
            if not spec.is_absolute():
                spec = Path(config.config_file_path or "mkdocs.yml").parent / spec
            try:
                self._actions = actions_rewriter(spec, self.config.api_base_url, log.warning)
            except ValueError as exc:
                raise PluginError(f"llmingest: {exc}") from None
        self._reset()

    def _reset(self) -> None:
        self._files: Any = None
        self._urls: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._pages: dict[str, Any] = {}
        self._nav: Any = None

    def on_pre_build(self, *, config: Any) -> None:
        self._reset()

    @event_priority(-100)  # after plugins that add or move files
    def on_files(self, files: Any, *, config: Any) -> None:
        self._files = files
        self._urls = {f.src_uri: f.url for f in files}

    def on_nav(self, nav: Any, *, config: Any, files: Any) -> None:
        self._nav = nav

    @event_priority(-100)  # last: includes, macros and other markdown rewriters have run
    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> None:
        if not self._excluded(page):
            self._sources[page.file.src_uri] = markdown

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> None:
        if page.file.src_uri in self._sources:
            self._pages[page.file.src_uri] = page  # the title is known once the page is rendered

    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        if page.file.src_uri in self._sources:
            mirror = mirror_path("/" + page.url)
            if self.config.copy_button:
                return inject_copy_button(output, relative_href(page.url, mirror))
            return inject_alternate(output, relative_href(page.url, mirror))  # the markdown hint for agents
        return output

    def on_post_build(self, *, config: Any) -> None:
        if self._dirty:
            self._read_unchanged_pages(config)
        pages = [self._page(src, section) for src, section in self._reading_order()]
        pages = assign_sections(pages, self.config.sections, self.config.optional)
        summary = self.config.summary or config.site_description
        files = build_outputs(config.site_name, summary, pages, self._base, full_text=self.config.full_text,
                              details=self.config.details)
        write_outputs(Path(config.site_dir), files)
        log.info(f"wrote llms.txt{', llms-full.txt' if self.config.full_text else ''} "
                 f"and {len(pages)} page mirror(s)")

    # -----------------------------------------------------------------------------------------

    def _read_unchanged_pages(self, config: Any) -> None:
        """A dirty build skips unchanged pages: read their source, or llms.txt would list only the
        pages just edited. (Markdown-rewriting plugins do not run on them: dirty builds are drafts.)"""
        for file in self._files.documentation_pages() if self._files is not None else []:
            page = getattr(file, "page", None)
            if page is None or file.src_uri in self._sources:
                continue
            if page.markdown is None:
                try:
                    page.read_source(config)
                except Exception as exc:  # one unreadable page must not cost the others
                    log.warning(f"{file.src_uri}: not read for llms.txt ({exc})")
                    continue
            if not self._excluded(page):
                self._sources[file.src_uri] = page.markdown
                self._pages[file.src_uri] = page

    def _excluded(self, page: Any) -> bool:
        return matches(page.file.src_uri, self.config.exclude) or _meta_flag(page) == "exclude"

    def _reading_order(self) -> list[tuple[str, str]]:
        """(src_uri, section) in nav order; pages outside the nav come last, as Optional."""
        order: list[tuple[str, str]] = []
        seen: set[str] = set()

        def walk(items: list[Any], section: str) -> None:
            for item in items:
                if getattr(item, "is_section", False):
                    walk(item.children, section if section != DEFAULT_SECTION else item.title)
                elif getattr(item, "is_page", False):
                    src = item.file.src_uri
                    if src in self._pages and src not in seen:
                        seen.add(src)
                        order.append((src, section))

        if self._nav is not None:
            walk(self._nav.items, DEFAULT_SECTION)
        order += [(src, OPTIONAL) for src in sorted(self._pages) if src not in seen]
        return order

    def _page(self, src: str, section: str) -> Document:
        page = self._pages[src]
        title = page.title or posixpath.splitext(posixpath.basename(src))[0]
        title = _TITLE_ATTR_LIST.sub("", title)  # "Install { #id }": a title read from source (dirty builds)
        page_url = absolute_url(self._base or "/", page.url)
        markdown = self._sources[src]
        if self._snippets is not None:
            try:
                markdown = self._snippets(markdown)
            except Exception as exc:  # a missing snippet must not cost the whole build
                log.warning(f"{src}: snippets not expanded in the .md mirror ({exc})")
        markdown = normalize_markdown(markdown)
        markdown = rewrite_links(markdown, _resolver(src, page_url, self._urls, self._base or "/"))
        if self._actions is not None:
            markdown = self._actions(markdown, src)
        description = page.meta.get("description") if isinstance(page.meta, dict) else None
        return page_document(
            title=title, url=page_url, mirror=mirror_path("/" + page.url), markdown=ensure_title(markdown, title),
            section=section, description=str(description) if description else None,
            optional=_meta_flag(page) == "optional", key=src,
        )


_TITLE_ATTR_LIST = re.compile(r"[ \t]*\{:?[ \t]*[#.][^}]*\}[ \t]*$")


def _meta_flag(page: Any) -> str | None:
    meta = page.meta if isinstance(getattr(page, "meta", None), dict) else {}
    value = meta.get(META_KEY)
    return str(value).strip().lower() if value else None


def _resolver(src: str, page_url: str, urls: dict[str, str], base: str) -> Callable[[str], str | None]:
    """Map a link target written in ``src`` to an absolute URL, as MkDocs would have resolved it."""
    src_dir = posixpath.dirname(src)

    def resolve(target: str) -> str | None:
        if target.startswith("#"):
            return page_url + target
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            return None  # http:, mailto:, data: ... already absolute
        suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        path = unquote(parts.path)
        if not path:
            return page_url + suffix
        if path.startswith("/"):
            return urljoin(base, path) + suffix
        doc = posixpath.normpath(posixpath.join(src_dir, path))
        if doc in urls:  # a page (-> its URL) or an asset (-> where it is copied)
            return absolute_url(base, urls[doc]) + suffix
        return urljoin(page_url, target)

    return resolve


def _snippet_expander(config: Any) -> Callable[[str], str] | None:
    """pymdownx.snippets' own preprocessor with the user's settings: ``--8<--`` expands exactly as
    in the HTML. Snippets run when markdown is rendered, after ``on_page_markdown``, so we run them."""
    if "pymdownx.snippets" not in config.markdown_extensions:
        return None
    import markdown

    md = markdown.Markdown(extensions=["pymdownx.snippets"],
                           extension_configs={"pymdownx.snippets": dict(config.mdx_configs.get("pymdownx.snippets", {}))})
    pre = md.preprocessors["snippet"]
    return lambda text: "\n".join(pre.run(text.split("\n")))
