"""llmingest: repositories, HTML docs, PDFs and click-through instructions, made ready for LLMs.

>>> from llmingest import ingest
>>> bundle = ingest(".")                    # a local folder or git repo
>>> print(bundle.total_tokens, len(bundle.documents))
"""

from __future__ import annotations

__version__ = "0.1.0"

# The package ``llmingest.render`` (and its submodules) is imported before the function of the same
# name is bound: importing a submodule sets it as a package attribute, so a later first import of it
# (by a test or a plugin) would otherwise replace ``llmingest.render`` the function with the package.
from llmingest.render import digest as _render_module  # noqa: E402, F401
from llmingest.sources.bundle import bundle  # noqa: E402

from .api import ingest, render  # noqa: E402
from .batch import batch  # noqa: E402  (the function; the module stays importable as llmingest.batch)
from .errors import IngestError  # noqa: E402
from .model import Bundle, Document, Skipped  # noqa: E402
from .options import Options  # noqa: E402

__all__ = ["ingest", "bundle", "batch", "render", "Bundle", "Document", "Skipped", "Options", "IngestError", "__version__"]
