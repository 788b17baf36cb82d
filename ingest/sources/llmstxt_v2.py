"""What ``llmstxt validate`` knows of the llms.txt v2 additions: subpath files and ``describedby``.

Here in ``sources/``, not in ``converters/``: it fetches (the folder page, to find who points at
the file), and converters stay pure.

v2 lets a site publish llms.txt files below its root (``/docs/llms.txt`` describes ``/docs/``;
a root llms.txt may link them) and lets pages point at their llms.txt with
``Link: </llms.txt>; rel="describedby"`` or ``<link rel="describedby" href="/llms.txt">``. None of
this is an error of the file itself, so these are notes (``info``), never failures; and a page URL
given to ``validate`` is followed to the llms.txt it declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from llmingest.errors import IngestError
from llmingest.fetch.http import Response, fetch
from llmingest.options import Options

__all__ = ["describedby", "notes", "Note"]


@dataclass
class Note:
    line: int | None
    message: str


def describedby(resp: Response) -> list[str]:
    """The llms.txt URLs a page declares with ``rel="describedby"`` (Link header first, then <link>)."""
    from llmingest.sources.page import linked

    return list(dict.fromkeys(url for _how, url in linked(resp, "describedby")))


def _folder(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def notes(url: str | None, text: str, options: Options | None = None) -> list[Note]:
    """v2 facts about an llms.txt: where it applies, the llms.txt files it links, who points at it."""
    from llmingest.converters import llmstxt

    out: list[Note] = []
    parsed = llmstxt.parse(text)
    nested = [e.url for entries in parsed["sections"].values() for e in entries
              if urlsplit(e.url).path.endswith("/llms.txt") or e.url == "llms.txt"]
    if nested:
        out.append(Note(None, f"links {len(nested)} subpath llms.txt file(s) (v2): {', '.join(nested[:3])}"
                              + (" ..." if len(nested) > 3 else "")))
    if not url or not url.startswith(("http://", "https://")):
        return out
    folder = _folder(url)
    if urlsplit(folder).path != "/":
        out.append(Note(None, f"a subpath llms.txt (v2): it describes {folder}"))
    try:
        page = fetch(folder, options or Options(), check=False)
    except IngestError:
        return out
    if page.status == 200:
        declared = describedby(page)
        if url in declared:
            out.append(Note(None, f"{folder} points to it with rel=\"describedby\" (v2 discovery)"))
        elif declared:
            out.append(Note(None, f"{folder} declares another llms.txt with rel=\"describedby\": {declared[0]}"))
        else:
            out.append(Note(None, f"{folder} does not point to it (add <link rel=\"describedby\" "
                                  f"href=\"{urlsplit(url).path}\"> or a Link header so agents find it)"))
    return out
