"""Pure converters: bytes or text in, markdown out. No network, no disk beyond their input.

The registry maps an extension or media type to the converter that reads it, so a new format is
one module and one line (DESIGN rule 3). Converters are imported lazily by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

#: extension or media type -> "module:function"; the function takes (data, **kw) and returns a Document
REGISTRY: dict[str, str] = {
    ".ipynb": "notebook:convert",
    "application/x-ipynb+json": "notebook:convert",
    ".pdf": "pdf:convert",
    "application/pdf": "pdf:convert",
    ".html": "html:convert",
    ".htm": "html:convert",
    "text/html": "html:convert",
}


def register(key: str, target: str) -> None:
    REGISTRY[key.lower()] = target


def converter_for(key: str) -> Callable | None:
    """The converter for an extension (``.pdf``) or media type (``application/pdf``), or None."""
    target = REGISTRY.get(key.lower())
    if target is None:
        return None
    module, func = target.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), func)
