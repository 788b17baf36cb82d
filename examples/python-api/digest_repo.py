"""Digest a repository with the Python API: token counts, the biggest files, the markdown digest.

Run:  python3 examples/python-api/digest_repo.py [PATH_OR_URL]   (default: the examples/ folder)
"""

from __future__ import annotations

import sys
from pathlib import Path

from llmingest import IngestError, ingest, render


def main(source: str) -> int:
    try:
        bundle = ingest(source, include=["**/*.md", "**/*.py", "**/*.yml", "**/*.toml"], max_tokens=50_000)
    except IngestError as exc:  # typed errors: SourceNotFound, AuthRequired, NetworkError, ...
        print(f"error: {exc.render()}", file=sys.stderr)
        return exc.exit_code
    print(f"{len(bundle.documents)} files, {bundle.total_tokens:,} tokens")
    for doc in sorted(bundle.documents, key=lambda d: (-d.tokens, d.path))[:5]:
        print(f"  {doc.tokens:>6,}  {doc.path}")
    digest = render(bundle, "markdown")
    print(digest[:400])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent.parent)))
