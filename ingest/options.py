"""Options every source understands, in one place.

Edges (CLI flags, MCP arguments, HTTP query parameters, config files) fill an :class:`Options`
and hand it to :func:`llmingest.ingest`; nothing downstream reads ``sys.argv`` or the environment
except through here. Fields are grouped by the sources that use them; unknown combinations are
simply ignored by sources that do not care.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import UsageError

DEFAULT_MAX_FILE_SIZE = 1_000_000  # bytes; gitingest uses 10 MB, repomix 50 MB: larger is rarely source


@dataclass(frozen=True)
class PageOptions:
    """How one HTML page is converted (``llmingest page`` and ``ingest(url, kind="page")``)."""

    front_matter: bool = True  # YAML front matter (title, url, ...) before the body
    links: bool = True  # keep link targets (False: link text only)
    images: bool = True  # keep images
    select: bool = True  # main-content selection (False: the whole <body>)
    count_tokens: bool = True  # False: no tokenizer is built when nobody shows the count
    charset: str | None = None  # override the detected encoding
    base_url: str | None = None  # resolve a local file's links as if it were served here


@dataclass(frozen=True)
class PdfOptions:
    """How a PDF is converted (``llmingest pdf`` and ``ingest(path, kind="pdf")``)."""

    images_dir: str | Path | None = None  # extract images into this folder (DOCX/PPTX/EPUB documents too)
    images_ref: str | None = None  # how the markdown links that folder (default: images_dir itself)
    page_markers: bool = False  # a marker line before every page
    ocr: bool = False  # OCR pages without a text layer


@dataclass(frozen=True)
class CrawlOptions:
    """Knobs of the crawler and the site builder beyond the common site fields of :class:`Options`."""

    backoff: float = 0.5  # seconds before the first retry of a transient failure (doubles each time)
    retries: int | None = None  # retries of a transient failure (None: the crawler's default)
    workers: int | None = None  # conversion processes of a site build (None: up to 8; a batch sets 1)
    login_start: str | None = None  # --header/--cookie go to this URL's host only (llmstxt commands)
    optional: bool = True  # an expanded llms.txt (kind "llms-ctx") reads its Optional section too
    refresh: bool = False  # revalidate every cached page, even one its Cache-Control max-age still covers


@dataclass(frozen=True)
class OutputOptions:
    """The output a ``max_tokens`` budget is fitted to: its format's overhead, the tree's summary."""

    format: str = "markdown"  # markdown | xml | plain | json
    top: int = 10  # largest files listed in the summary
    token_tree: bool = False  # token counts in the directory tree


_GROUPS: dict[str, type] = {"page": PageOptions, "pdf": PdfOptions, "crawl": CrawlOptions, "output": OutputOptions}

#: the old ``Options.extra`` string keys -> (group, field) they now live in; read once, in __post_init__
_LEGACY_KEYS: dict[str, tuple[str, str]] = {
    **{k: ("page", k) for k in ("front_matter", "links", "images", "select", "count_tokens", "charset", "base_url")},
    **{k: ("pdf", k) for k in ("images_dir", "images_ref", "page_markers", "ocr")},
    **{k: ("crawl", k) for k in ("backoff", "retries", "workers", "login_start")},
    **{k: ("output", k) for k in ("format", "top", "token_tree")},
}


@dataclass
class Options:
    # ---- common ------------------------------------------------------------------------------
    encoding: str = "o200k_base"
    max_tokens: int | None = None  # fit the bundle into this many tokens (documented priority)
    token: str | None = None  # credentials for private repos / sites; never printed
    timeout: float = 30.0  # seconds per network request
    cache: bool = True  # clone cache, token-count cache, HTTP cache
    cache_dir: Path | None = None
    allow_private: bool = True  # False in server mode: refuse loopback/private addresses (SSRF)
    host_map: dict[str, str] = field(default_factory=dict)  # forge host -> mirror base URL
    # server mode (serve, mcp --http): git runs with an empty HOME and no user/system config, so no
    # credential helper, netrc, SSH key or extraHeader of the operator's lends a caller access
    isolate_git: bool = False
    progress: bool = False  # show Rich progress on stderr
    redact_secrets: bool = True
    on_progress: Callable[[str, int, int | None], None] | None = None  # (what, done, total)

    # ---- repositories ------------------------------------------------------------------------
    ref: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    hidden: bool = False
    default_ignores: bool = True
    git_log: int = 0
    diff: bool = False
    convert_pdfs: bool = False
    # code for agents (issue 19): typed here, not in ``extra``
    compress: bool = False  # source files as signatures, docstrings and types; bodies left out
    diff_ref: str | None = None  # "A..B": only the files changed between two refs, with the diff
    with_context: bool = False  # with diff_ref: the full new version of each changed file too
    sort_by_changes: bool = False  # most often changed files first (and first in a budget's tier)
    changes_window: int = 100  # commits --sort-by-changes counts
    submodules: bool = False  # include initialised submodules (shallow-cloned in a remote checkout)

    # ---- pages, sites, PDFs (filled in by their issues) ---------------------------------------
    pages: str | None = None  # PDF page ranges "1-5,9"
    password: str | None = None  # encrypted PDFs
    # sites (llmingest site): include/exclude above are URL globs there
    max_pages: int | None = None  # stop after this many pages
    depth: int | None = None  # link depth from the start page (None: unlimited)
    concurrency: int = 8  # requests in flight
    per_host: int = 4  # politeness: requests in flight to one host (robots.txt Crawl-delay also honoured)
    base_url: str | None = None  # where a local built-HTML folder (or the outputs) are served
    respect_robots: bool = True
    # markdown first: ask for text/markdown and use a page's markdown alternate instead of its HTML
    prefer_markdown: bool = True
    render: bool = False  # load pages in headless Chromium (JavaScript-rendered sites; extra "render")
    # sites behind a login: sent only to the start URL's host, scrubbed from every output like tokens
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)  # "name=value" each

    # ---- limits (a server sets them from serve/mcp flags; the CLI from --max-page-size) --------
    max_page_size: int | None = None  # bytes of one fetched page, PDF or llms.txt (lowers the built-in cap)
    max_files: int | None = None  # files in one repository digest: refused before any is read

    # ---- per-kind groups ---------------------------------------------------------------------
    page: PageOptions = field(default_factory=PageOptions)
    pdf: PdfOptions = field(default_factory=PdfOptions)
    crawl: CrawlOptions = field(default_factory=CrawlOptions)
    output: OutputOptions = field(default_factory=OutputOptions)
    #: the old untyped knobs, still accepted from Python callers, config [[sources]] and batch
    #: manifests: known keys move into the typed fields above when the Options is made; the rest
    #: stay here, read by nothing
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, kind in _GROUPS.items():  # a table in a config file or a manifest arrives as a dict
            value = getattr(self, name)
            if isinstance(value, dict):
                unknown = set(value) - {f.name for f in fields(kind)}
                if unknown:
                    raise UsageError(f"unknown {name} option(s): {', '.join(sorted(unknown))}")
                setattr(self, name, kind(**value))
        if self.extra:
            self._absorb_extra()

    def _absorb_extra(self) -> None:
        """Move known ``extra`` keys into their typed fields (``max_page_bytes`` was the server's name)."""
        rest = dict(self.extra)
        groups: dict[str, dict[str, Any]] = {}
        for key, (group, name) in _LEGACY_KEYS.items():
            if key in rest:
                groups.setdefault(group, {})[name] = rest.pop(key)
        for group, values in groups.items():
            setattr(self, group, replace(getattr(self, group), **values))
        caps = [int(v) for v in (rest.pop("max_page_size", None), rest.pop("max_page_bytes", None)) if v]
        if caps:
            self.max_page_size = min([*caps, *([self.max_page_size] if self.max_page_size else [])])
        if "max_files" in rest:
            self.max_files = rest.pop("max_files")
        self.extra = rest

    def merged(self, **overrides: Any) -> Options:
        """A copy with ``overrides`` applied; unknown names are a usage error, not silently lost."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise UsageError(f"unknown option(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def resolved_token(self, host: str = "") -> str | None:
        """The token for ``host``: ``--token`` first, then the forge's usual environment variable.

        Hosts are matched exactly (github.com and its subdomains, gitlab.com and its subdomains):
        a substring match would hand GITHUB_TOKEN to ``github.evil.example``.
        """
        if self.token:
            return self.token
        host = host.lower().split(":")[0].rstrip(".")

        def under(domain: str) -> bool:
            return host == domain or host.endswith("." + domain)

        if under("gitlab.com"):
            return os.environ.get("GITLAB_TOKEN") or os.environ.get("GL_TOKEN")
        if under("github.com") or under("githubusercontent.com"):
            return os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
        return None


def parse_host_map(value: str | list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """``github.com=http://127.0.0.1:9418/,gitlab.com=...`` -> dict (also reads LLMINGEST_HOST_MAP).

    ``value`` may be one comma-separated string or a list of them (a repeated ``--host-map``).
    """
    out: dict[str, str] = {}
    values = [value] if isinstance(value, str) else list(value or [])
    for text in filter(None, [os.environ.get("LLMINGEST_HOST_MAP"), *values]):
        for item in text.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" not in item:
                raise UsageError(f"bad host map entry {item!r}", hint="use host=URL, e.g. github.com=http://127.0.0.1:9418/")
            host, url = item.split("=", 1)
            out[host.strip().lower()] = url.strip()
    return out


#: the output formats every edge accepts (``llms.txt`` is written by the site and bundle commands)
FORMATS = ("markdown", "xml", "plain", "json")


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    """A format name as a user typed it (``md``, ``txt``, ``XML``) -> its canonical name, or a UsageError.

    In the core, not in ``commands/``: the CLI and the web service (``?format=``) both parse it.
    """
    fmt = fmt.lower()
    aliases = {"md": "markdown", "txt": "plain", "text": "plain"}
    fmt = aliases.get(fmt, fmt)
    if fmt not in allowed:
        raise UsageError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(allowed)}")
    return fmt


def parse_size(text: str | int) -> int:
    """``500k``, ``10MB``, ``1_000_000`` -> bytes."""
    if isinstance(text, int):
        return text
    s = text.strip().lower().replace("_", "")
    mult = 1
    for suffix, m in (("kib", 1024), ("mib", 1024**2), ("gib", 1024**3), ("kb", 1000), ("mb", 1000**2),
                      ("gb", 1000**3), ("k", 1000), ("m", 1000**2), ("g", 1000**3), ("b", 1)):
        if s.endswith(suffix):
            s, mult = s[: -len(suffix)], m
            break
    try:
        return int(float(s) * mult)
    except ValueError:
        raise UsageError(f"bad size {text!r}", hint="e.g. 500k, 10MB, 1000000") from None


def parse_headers(values: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """``--header 'Name: value'`` (repeatable) -> dict; every value is registered as a secret."""
    from .errors import register_secret

    out: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition(":")
        if not sep or not name.strip() or any(c in name for c in " \t\r\n") or any(c in value for c in "\r\n"):
            raise UsageError(f"bad header {item.split(':')[0][:40]!r}", hint="use --header 'Name: value'")
        out[name.strip()] = value.strip()
        register_secret(value.strip())
    return out


def parse_cookies(values: list[str] | tuple[str, ...] | None) -> list[str]:
    """``--cookie 'name=value'`` (repeatable; ``a=1; b=2`` also splits) -> ["name=value", ...], registered as secrets."""
    from .errors import register_secret

    out: list[str] = []
    for item in values or []:
        for part in item.split(";"):
            name, sep, value = part.strip().partition("=")
            if not part.strip():
                continue
            if not sep or not name.strip() or any(c in part for c in "\r\n"):
                raise UsageError(f"bad cookie {name[:40]!r}", hint="use --cookie 'name=value'")
            out.append(f"{name.strip()}={value.strip()}")
            register_secret(value.strip())
    return out
