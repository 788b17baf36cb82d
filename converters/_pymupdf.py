"""PyMuPDF, imported without the layout engines that PyMuPDF 2.x loads on ``import pymupdf``.

PyMuPDF 2.x imports ``pymupdf.layout`` and ``pymupdf4llm`` (onnxruntime, a neural layout model)
whenever they are installed: most of the 1.7 s a ``llmingest pdf`` run spent importing.
llmingest does its own layout analysis and never calls them, so their import is deferred: a
program that wants them can still ``import pymupdf.layout``, and ``pymupdf.to_markdown`` still
works (it imports pymupdf4llm on first use).
"""

from __future__ import annotations

import sys

_DEFERRED = ("pymupdf.layout", "pymupdf4llm")


class _OnFirstUse:
    """Stands in for a module until an attribute is read, then imports it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        import importlib

        return getattr(importlib.import_module(self._name), attr)


def _load():
    if "pymupdf" in sys.modules:
        return sys.modules["pymupdf"]
    blocked = [name for name in _DEFERRED if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # makes its import an ImportError
    try:
        import pymupdf as module
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    if "pymupdf4llm" in blocked and getattr(module, "pymupdf4llm", 1) is None:
        module.pymupdf4llm = _OnFirstUse("pymupdf4llm")  # pymupdf.to_markdown() imports it when called
    return module


pymupdf = _load()

__all__ = ["pymupdf"]
