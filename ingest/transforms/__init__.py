"""Transforms: steps that rewrite converted documents in a Bundle before it is rendered.

:mod:`.secrets` (redaction in place), :mod:`.compress` (signatures kept, bodies dropped) and
:mod:`.outline` (a repository's symbols with line ranges).
"""
