"""Turn a documentation page into clean markdown (main content only, fenced code, absolute links).

Run:  python3 examples/python-api/html_to_markdown.py [FILE_OR_URL]   (default: page.html next to this file)
"""

from __future__ import annotations

import sys
from pathlib import Path

from llmingest import IngestError, ingest


def main(source: str) -> int:
    try:
        bundle = ingest(source, kind="page")
    except IngestError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return exc.exit_code
    page = bundle.documents[0]
    print(page.content)  # front matter (title, url, description) + the markdown body
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent / "page.html")))
