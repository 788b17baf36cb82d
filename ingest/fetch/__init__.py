"""Fetch: the only code that touches the network or reads the user's disk (DESIGN rule 4).

:mod:`.http` (one guarded fetcher: limits, redirects, SSRF guard), :mod:`.crawl` (a docs site,
politely), :mod:`.git_remote` (clones and cached checkouts), :mod:`.walk` (which files of a tree a
digest reads), :mod:`.browser` (``--render`` in headless Chromium, same guards) and :mod:`.cache`
(results on disk).
"""
