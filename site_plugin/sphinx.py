"""Sphinx extension: ``sphinx-build -b html`` also writes llms.txt, llms-full.txt and a .md per page.

Add one line to ``conf.py``::

    extensions = ["llmingest.site_plugin.sphinx"]
    # all optional:
    llmingest_base_url = "https://example.org/docs/"    # default: html_baseurl
    llmingest_summary = "One line about the project."   # default: the root page's first sentence
    llmingest_details = "Start with the User guide."    # paragraph under the summary (default: a page count)
    llmingest_full_text = True                          # write llms-full.txt
    llmingest_sections = ["User guide", "API"]          # only these toctree captions (or {Name: [globs]})
    llmingest_optional = ["changelog", "legal/*"]       # docname globs or captions -> "## Optional"
    llmingest_exclude = ["drafts/*"]                    # never published
    llmingest_copy_button = True                        # "Copy page as Markdown" + <link rel=alternate>
    llmingest_openapi = "openapi.yaml"                  # "click here" steps also get a runnable curl

Why from the built HTML: that is Sphinx's own final output, with every role, directive and
cross-reference already resolved; reading it back through llmingest's HTML converter gives fenced
code with its language, admonitions as labelled quotes and every link absolute, with the same
rules ``llmingest page`` uses on any other site. Sections follow the root document's toctrees:
one H2 per ``:caption:``, pages in toctree (reading) order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.util import logging

from .. import __version__
from ..converters.llmstxt import OPTIONAL, mirror_path
from ..model import Document
from .common import (
    DEFAULT_SECTION,
    absolute_url,
    actions_rewriter,
    alternate_link,
    assign_sections,
    build_outputs,
    ensure_title,
    inject_alternate,
    inject_copy_button,
    main_only,
    matches,
    normalize_base_url,
    page_document,
    relative_href,
    strip_copy_button,
    write_outputs,
)

logger = logging.getLogger(__name__)

BUILDERS = ("html", "dirhtml")
META_KEY = "llmingest"  # file-wide field ``:llmingest: optional`` or ``:llmingest: exclude``


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("llmingest_base_url", None, "html", types=(str, type(None)))
    app.add_config_value("llmingest_summary", None, "html", types=(str, type(None)))
    app.add_config_value("llmingest_details", None, "html", types=(str, type(None)))
    app.add_config_value("llmingest_full_text", True, "html", types=(bool,))
    app.add_config_value("llmingest_sections", None, "html", types=(list, dict, type(None)))
    app.add_config_value("llmingest_optional", [], "html", types=(list,))
    app.add_config_value("llmingest_exclude", [], "html", types=(list,))
    app.add_config_value("llmingest_copy_button", False, "html", types=(bool,))
    app.add_config_value("llmingest_openapi", None, "html", types=(str, type(None)))
    app.add_config_value("llmingest_api_base_url", None, "html", types=(str, type(None)))
    app.connect("config-inited", check_config)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", build_finished)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


def check_config(app: Any, config: Any) -> None:
    """Fail before the build, with one clear line, on options we cannot use (and load the
    OpenAPI spec once, so a bad spec path does not cost a whole build to find out)."""
    from sphinx.errors import ConfigError

    sections = config.llmingest_sections
    if isinstance(sections, dict) and not all(isinstance(v, list) for v in sections.values()):
        raise ConfigError("llmingest_sections as a mapping needs a list of docname globs per section, "
                          "e.g. {'Guide': ['guide/*']}")
    app.llmingest_actions = None
    if config.llmingest_openapi:
        try:
            app.llmingest_actions = actions_rewriter(
                Path(app.confdir) / config.llmingest_openapi, config.llmingest_api_base_url,
                lambda msg: logger.warning(f"llmingest: {msg}", type="llmingest"))
        except ValueError as exc:
            raise ConfigError(f"llmingest_openapi: {exc}") from None


def page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Put the markdown hint (``<link rel="alternate" type="text/markdown">``) into the page as
    Sphinx writes it, so :func:`build_finished` rewrites no page (a write per page, a third of its
    own time apart from converting). Themes without ``{{ metatags }}`` get it injected there as before;
    the copy button, which goes into the body, is always injected there."""
    if (doctree is None or app.builder.name not in BUILDERS or app.config.llmingest_copy_button
            or pagename not in app.env.found_docs or _excluded(app, pagename)):
        return
    target = app.builder.get_target_uri(pagename)
    context["metatags"] = context.get("metatags", "") + alternate_link(relative_href(target, mirror_path("/" + target)))


def build_finished(app: Any, exception: Exception | None) -> None:
    """Write the outputs once the HTML is on disk (never after a failed build)."""
    if exception is not None or app.builder.name not in BUILDERS:
        return
    cfg = app.config
    base = normalize_base_url(cfg.llmingest_base_url or cfg.html_baseurl)
    if base is None:  # info, not a warning: `sphinx-build -W` must not fail over it
        logger.info("llmingest: no llmingest_base_url or html_baseurl: llms.txt links will be relative")
    actions = getattr(app, "llmingest_actions", None)
    pages: list[Document] = []
    for docname, section in reading_order(app):
        page = _page(app, docname, section, base)
        if page is not None and actions is not None:
            page.content = actions(page.content, docname)
        if page is not None:
            pages.append(page)
    pages = assign_sections(pages, cfg.llmingest_sections, cfg.llmingest_optional)
    summary = cfg.llmingest_summary or _root_summary(pages, cfg.root_doc)
    files = build_outputs(cfg.project, summary, pages, base, full_text=cfg.llmingest_full_text,
                          details=cfg.llmingest_details)
    write_outputs(Path(app.outdir), files)
    logger.info(f"llmingest: wrote llms.txt{', llms-full.txt' if cfg.llmingest_full_text else ''} "
                f"and {len(pages)} page mirror(s)")


def _excluded(app: Any, docname: str) -> bool:
    meta = app.env.metadata.get(docname, {})
    return matches(docname, app.config.llmingest_exclude) or str(meta.get(META_KEY, "")).strip().lower() == "exclude"


def reading_order(app: Any) -> list[tuple[str, str]]:
    """(docname, section) in the order a reader meets them: the root document, then each toctree
    of the root (its caption is the section) depth-first; documents no toctree reaches come last,
    as Optional (Sphinx calls them orphans)."""
    env = app.env
    root = app.config.root_doc
    order: list[tuple[str, str]] = []
    seen: set[str] = set()

    def visit(docname: str, section: str) -> None:
        if docname in seen or docname not in env.found_docs:
            return
        seen.add(docname)
        if not _excluded(app, docname):
            order.append((docname, section))
        for child in env.toctree_includes.get(docname, []):
            visit(child, section)

    from sphinx import addnodes

    toctrees = list(env.get_doctree(root).findall(addnodes.toctree)) if root in env.found_docs else []
    first = next((t.get("caption") for t in toctrees if t.get("caption")), None) or DEFAULT_SECTION
    seen.add(root)
    if not _excluded(app, root):
        order.append((root, first))
    for toctree in toctrees:
        section = toctree.get("caption") or DEFAULT_SECTION
        for _title, ref in toctree.get("entries", []):
            if ref in env.found_docs:
                visit(ref, section)
    for docname in sorted(env.found_docs):
        if docname not in seen and not _excluded(app, docname):
            order.append((docname, OPTIONAL))
    return order


def _page(app: Any, docname: str, section: str, base: str | None) -> Document | None:
    from ..converters.html import convert

    builder = app.builder
    target = builder.get_target_uri(docname)
    output_path = getattr(builder, "get_output_path", None)  # Sphinx >= 8.1: the Path itself
    html_file = output_path(docname) if output_path else Path(builder.get_outfilename(docname))
    try:
        raw = html_file.read_text(encoding="utf-8")
    except OSError as exc:
        logger.warning(f"llmingest: {docname}: no built page to read ({exc.strerror})", type="llmingest")
        return None
    mirror = mirror_path("/" + target)
    href = relative_href(target, mirror)
    hint = alternate_link(href)
    # the hint page_context wrote is taken out by hand: the page then holds nothing else of ours
    # and strip_copy_button returns at once instead of running its four patterns over it
    clean = strip_copy_button(raw.replace(hint, "", 1) if hint in raw else raw)
    url = absolute_url(base, target) if base else target
    try:
        doc = convert(main_only(clean), url if base else None)
    except Exception as exc:  # one page the converter cannot read is left out, not the whole build
        logger.warning(f"llmingest: {docname}: not converted ({exc})", type="llmingest")
        if clean != raw:  # no mirror: no link to it either
            html_file.write_text(clean, encoding="utf-8")
        return None
    if app.config.llmingest_copy_button:
        injected = inject_copy_button(clean, href)
    elif _only_the_hint(raw, clean, hint):  # written by page_context: the page is as it should be
        injected = raw
    else:  # the markdown hint for agents, without the button
        injected = inject_alternate(clean, href)
    if injected != raw:
        html_file.write_text(injected, encoding="utf-8")
    title_node = app.env.titles.get(docname)
    title = (title_node.astext() if title_node is not None else "") or doc.title or docname
    meta = app.env.metadata.get(docname, {})
    description = meta.get("description") or None
    return page_document(
        title=title, url=url, mirror=mirror, markdown=ensure_title(doc.content, title), section=section,
        description=str(description) if description else None,
        optional=str(meta.get(META_KEY, "")).strip().lower() == "optional", key=docname,
    )


def _only_the_hint(raw: str, clean: str, hint: str) -> bool:
    """True when all llmingest put in the page ``raw`` is the alternate link ``hint``."""
    return hint in raw and raw.replace(hint, "", 1) == clean


def _root_summary(pages: list[Document], root: str) -> str | None:
    from ..converters.llmstxt import first_sentence

    page = next((p for p in pages if p.path == root), None)
    return first_sentence(page.content) or None if page else None


__all__ = ["setup", "build_finished", "page_context", "reading_order"]
