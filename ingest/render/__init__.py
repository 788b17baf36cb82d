"""Render: a Bundle in, text out. Edges call this and nothing else to produce output.

:mod:`.digest` (one source: markdown, xml, plain, json), :mod:`.bundle` (many sources in one
context file or an llms.txt set) and :mod:`.budget` (fitting a token budget by priority).
"""
