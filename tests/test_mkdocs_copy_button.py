"""The "Copy page as Markdown" button in a real browser (headless Debian chromium via playwright).

A real mkdocs-material site (with instant navigation, which swaps pages without reloading scripts)
is served by http.server on 127.0.0.1; clicking the button must put the page's .md mirror on the
clipboard, also after an instant-navigation hop to another page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import chromium, serve_folder
from playwright.sync_api import expect
from test_mkdocs_plugin import build, make_site


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    site = build(make_site(tmp_path_factory.mktemp("mkdocs-browser")))
    base, stop = serve_folder(site)
    yield site, base
    stop()


def _copy_and_read(page) -> str:
    button = page.locator("button.llmingest-copy")
    expect(button).to_have_count(1)
    button.click()
    expect(button).to_have_text("Copied!", timeout=15_000)
    return page.evaluate("navigator.clipboard.readText()")


def test_button_copies_the_mirror_also_after_instant_navigation(served_site):
    site, base = served_site
    with chromium() as browser:
        context = browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        page.goto(base + "/guide/install/")
        alternate = page.locator('link[rel="alternate"][type="text/markdown"]')
        assert alternate.evaluate("e => e.href") == base + "/guide/install/index.md"
        assert _copy_and_read(page) == (site / "guide" / "install" / "index.md").read_text()

        page.click('a.md-nav__link[href$="usage/"]')  # instant navigation: no full reload
        page.wait_for_url(base + "/guide/usage/")
        copied = _copy_and_read(page)
        assert copied == (site / "guide" / "usage" / "index.md").read_text()
        assert "SNIPPET-EXPANDED" in copied


def test_button_falls_back_to_opening_the_mirror_without_clipboard(served_site):
    site, base = served_site
    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/")
        page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
        with context.expect_page() as popup:
            page.locator("button.llmingest-copy").click()
        opened = popup.value
        opened.wait_for_load_state()
        assert opened.url == base + "/index.md"
        assert Path(site / "index.md").read_text().strip().startswith(opened.inner_text("body").strip()[:40])
