"""``--render``: load a JavaScript-rendered page in headless Chromium, with the fetcher's guards.

An SPA docs site answers with an empty shell and scripts; only a browser gets its text. This
drives the system's Chromium (Debian's ``/usr/bin/chromium``, or ``$LLMINGEST_CHROMIUM``) through
Playwright (the optional extra ``render``; no browser download) and keeps the guards of
:mod:`llmingest.fetch.http`:

* every request the page makes (scripts, XHR, images, frames) passes a route that allows only
  http(s)/data/blob URLs and runs :func:`llmingest.fetch.http.check_address` on each, so in server mode
  a page cannot make the browser reach 127.0.0.1 or the cloud metadata address;
* the user's ``--header``/``--cookie`` go only to the start URL's host (:func:`login_headers`);
* one deadline (``Options.timeout``) for the load, a cap on requests, and the page-size cap on
  the rendered HTML.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from urllib.parse import urlsplit

from llmingest.errors import IngestError, LimitExceeded, NetworkError, UsageError
from llmingest.fetch.http import DEFAULT_MAX_BYTES, check_address, login_headers, page_cap
from llmingest.options import Options

__all__ = ["Rendered", "render_page", "chromium_path", "MAX_REQUESTS"]

MAX_REQUESTS = 400  # requests one page may make while it renders
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@dataclass
class Rendered:
    html: bytes
    url: str
    blocked: list[str]  # requests the guard refused


def chromium_path() -> str:
    """The Chromium to drive: ``$LLMINGEST_CHROMIUM``, else ``chromium`` on PATH, else a clear error."""
    path = os.environ.get("LLMINGEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path and os.access("/usr/bin/chromium", os.X_OK):
        path = "/usr/bin/chromium"
    if not path:
        raise UsageError("--render needs a Chromium and none was found",
                         hint="Debian/Ubuntu: apt-get install chromium; or set LLMINGEST_CHROMIUM to its path")
    return path


def _allowed(url: str, options: Options) -> bool:
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("data", "blob", "about"):
        return True
    if scheme not in ("http", "https"):
        return False
    try:
        check_address(url, options)
    except IngestError:
        return False
    return True


def render_page(url: str, options: Options) -> Rendered:
    """The page's HTML after its scripts ran (load + a short wait for the network to settle)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError("--render needs Playwright, which is not installed",
                         hint="pip install 'llmingest[render]' (the extra 'render'); it drives the system chromium") from None
    check_address(url, options)  # the start URL first: a clear refusal before a browser starts
    executable = chromium_path()
    blocked: list[str] = []
    seen = {"n": 0}

    def route(rt, request) -> None:  # every request of the page, frames and workers included
        target = request.url
        seen["n"] += 1
        if seen["n"] > MAX_REQUESTS or not _allowed(target, options):
            blocked.append(target)
            rt.abort("blockedbyclient")
            return
        extra = login_headers(options, target, url)
        rt.continue_(headers={**request.headers, **extra} if extra else None)

    timeout_ms = max(1000, int(options.timeout * 1000))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, headless=True, args=ARGS, timeout=timeout_ms)
            try:
                context = browser.new_context(service_workers="block", java_script_enabled=True)
                context.route("**/*", route)
                page = context.new_page()
                page.goto(url, wait_until="load", timeout=timeout_ms)
                try:
                    page.wait_for_load_state("networkidle", timeout=min(5000, timeout_ms))
                except PlaywrightError:
                    pass  # a page that polls forever: take what it shows now
                html = page.content()
                final = page.url
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NetworkError(f"cannot render {url}: {first}") from None
    data = html.encode("utf-8")
    cap = page_cap(options, DEFAULT_MAX_BYTES)
    if len(data) > cap:
        raise LimitExceeded(f"{url} rendered to {len(data):,} bytes, over the {cap:,}-byte limit")
    return Rendered(data, final, blocked)
