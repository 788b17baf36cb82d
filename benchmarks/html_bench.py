#!/usr/bin/env python3
"""HTML pages -> markdown: llmingest vs trafilatura (vs markdownify), same inputs, same run.

Part 1 (quality, WCXB): converts ../shared/corpora/html/wcxb-docs-dev with each tool and scores the
outputs with ../shared/tools/score_html.py (word F1 against ground truth, boilerplate leaked).

Part 2 (docs fidelity and speed, python3-doc): converts Debian's python3-doc HTML (530 Sphinx
pages; `apt-get install python3-doc`) with llmingest and trafilatura, timing only the conversion,
and checks what a reader of the markdown needs (pages/s is CPU time of this process, which a
shared machine's load does not distort the way wall time does):

* pre fenced: share of the content's ``<pre>`` blocks that come out as fenced code blocks;
* right language: share of those fences whose language is the page's own (``highlight-python3`` ->
  python, ``highlight-default`` -> python since that is Sphinx's default lexer, ``pycon``...);
* links wrong: links in the output that are not ``urljoin(page URL, href)`` of a link on the page;
* GFM tables: share of content ``<table>``s that come out as GFM tables (header + ``---`` row);
* pages leaking chrome: pages whose output has a ``¶`` or Sphinx chrome ("Previous topic",
  "Show Source", "Quick search", "Report a Bug"...).

Usage::

    nice -n 10 python3 benchmarks/html_bench.py                 # both parts
    nice -n 10 python3 benchmarks/html_bench.py --limit 100     # first 100 python3-doc pages
    nice -n 10 python3 benchmarks/html_bench.py --skip-wcxb --docs /usr/share/doc/python3.11/html
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import lxml.html

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
WCXB = SHARED / "corpora" / "html" / "wcxb-docs-dev"
SCORER = SHARED / "tools" / "score_html.py"
DOCS_BASE = "https://docs.python.org/3.11/"
CHROME = ("¶", "Previous topic", "Next topic", "Show Source", "Quick search", "Report a Bug", "This Page",
          "Table of Contents", "© Copyright", "Navigation")  # leaked = in the output but not in the page's body
_FENCE_OPEN = re.compile(r"^[\s>]*(`{3,}|~{3,})([^`\s]*)\s*$")  # also inside lists and blockquotes
_MD_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(((?:[^()\s]|\([^()\s]*\))+)\)")
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1")


def llmingest_md(html: bytes, url: str) -> str:
    from llmingest.converters.html import convert

    return convert(html, url).content


def trafilatura_md(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, output_format="markdown", include_links=True,
                               include_tables=True, include_formatting=True, include_images=True) or ""


def markdownify_md(html: bytes, url: str) -> str:
    import markdownify

    return markdownify.markdownify(html.decode("utf-8", "replace"), heading_style="ATX")


TOOLS = {"llmingest": llmingest_md, "trafilatura": trafilatura_md, "markdownify": markdownify_md}


# ---- part 1: WCXB ----------------------------------------------------------------------------
def wcxb(tools: list[str]) -> list[tuple[str, str]]:
    import json

    rows = []
    pages = sorted((WCXB / "html").glob("*.html"))
    for name in tools:
        out = Path(tempfile.mkdtemp(prefix=f"wcxb-{name}-"))
        t0 = time.process_time()
        for page in pages:
            url = json.loads((WCXB / "ground-truth" / f"{page.stem}.json").read_text())["url"]
            try:
                md = TOOLS[name](page.read_bytes(), url)
            except Exception as exc:  # a tool failing on a page scores 0 for it, like an empty output
                print(f"  {name} failed on {page.name}: {exc}", file=sys.stderr)
                md = ""
            (out / f"{page.stem}.md").write_text(md, encoding="utf-8")
        elapsed = time.process_time() - t0
        score = subprocess.run([sys.executable, str(SCORER), str(WCXB), str(out)], capture_output=True,
                               text=True, check=True).stdout.splitlines()[0]
        rows.append((name, f"{score}  ({len(pages) / elapsed:.1f} pages/s)"))
    return rows


# ---- part 2: python3-doc ---------------------------------------------------------------------
def expected_lang(pre) -> str | None:
    """The page's own language for a <pre>: Sphinx's highlight-x on an ancestor, normalized."""
    el = pre
    for _ in range(6):
        el = el.getparent()
        if el is None:
            return None
        for cls in (el.get("class") or "").split():
            if cls.startswith("highlight-"):
                lang = cls[len("highlight-"):]
                return {"python3": "python", "default": "python", "py": "python", "none": "",
                        "text": "text"}.get(lang, lang)
    return None


def page_facts(html: bytes, url: str) -> dict:
    root = lxml.html.fromstring(html)
    main = (root.xpath("//div[@role='main']") or [root])[0]
    pres = [p for p in main.iter("pre") if not p.xpath("ancestor::td[contains(@class,'linenos')]")]
    # data tables: two rows and two columns at least (a one-row table of columns is page layout,
    # e.g. Sphinx's genindex, and reads better as the lists it holds)
    tables = [t for t in main.iter("table") if "highlighttable" not in (t.get("class") or "")
              and len(t.findall(".//tr")) >= 2 and max(len(tr.findall("td")) + len(tr.findall("th"))
                                                      for tr in t.iter("tr")) >= 2
              and not t.findall(".//table")]
    hrefs = {urljoin(url, a.get("href")) for a in root.iter("a") if a.get("href")}
    body_text = " ".join(" ".join(main.itertext()).split())
    chrome = [c for c in CHROME if c not in body_text or c == "¶"]
    return {"pres": [expected_lang(p) for p in pres], "tables": len(tables), "hrefs": hrefs, "chrome": chrome}


def fences(md: str) -> list[str]:
    langs, inside, fence = [], False, ""
    for line in md.splitlines():
        m = _FENCE_OPEN.match(line)
        if not inside and m:
            inside, fence = True, m.group(1)
            langs.append(m.group(2))
        elif inside and line.strip().lstrip("> ").strip() == fence:
            inside = False
    return langs


def gfm_tables(md: str) -> int:
    return sum(1 for line in md.splitlines() if re.match(r"^[\s>]*\|(\s*:?-{3,}:?\s*\|)+\s*$", line))


def docs(root_dir: Path, limit: int | None, tools: list[str]) -> list[list[str]]:
    files = sorted(glob.glob(str(root_dir / "**" / "*.html"), recursive=True))
    files = [f for f in files if "/_static/" not in f and "/_sources/" not in f][: limit or None]
    pages = [(Path(f).read_bytes(), DOCS_BASE + os.path.relpath(f, root_dir)) for f in files]
    facts = [page_facts(html, url) for html, url in pages]
    # the tools take turns page by page: this shared VM's CPU speed drifts by up to 2x within a
    # minute, and converting all pages with one tool and then all with the other let that drift
    # decide the speed ratio (2.4x to 5.4x between runs of the same code)
    outputs: dict[str, list[str]] = {name: [] for name in tools}
    elapsed_by: dict[str, float] = dict.fromkeys(tools, 0.0)
    for html, url in pages:
        for name in tools:
            t0 = time.process_time()
            outputs[name].append(TOOLS[name](html, url))
            elapsed_by[name] += time.process_time() - t0
    rows = []
    for name in tools:
        outs, elapsed = outputs[name], elapsed_by[name]
        n_pre = fenced = right = with_lang = n_tab = gfm = wrong = n_links = leaky = 0
        for md, fact in zip(outs, facts, strict=True):
            got = fences(md)
            want = fact["pres"]
            n_pre += len(want)
            fenced += min(len(got), len(want))
            for g, w in zip(got, want, strict=False):
                if w is not None:
                    with_lang += 1
                    right += (g or "") == (w or "")
            n_tab += fact["tables"]
            gfm += min(gfm_tables(md), fact["tables"])
            for link in _MD_LINK.findall(_CODE_SPAN.sub("", md)):
                n_links += 1
                wrong += link not in fact["hrefs"]
            leaky += any(c in md for c in fact["chrome"])
        rows.append([name, f"{len(pages) / elapsed:.1f}", f"{fenced / max(1, n_pre):.1%}",
                     f"{right / max(1, with_lang):.1%}", f"{wrong:,} / {n_links:,}", f"{gfm / max(1, n_tab):.1%}",
                     f"{leaky} / {len(pages)}"])
    return rows


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", default=None, help="python3-doc HTML folder (default: /usr/share/doc/python3*/html)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N python3-doc pages")
    ap.add_argument("--skip-wcxb", action="store_true")
    ap.add_argument("--skip-docs", action="store_true")
    args = ap.parse_args()

    if not args.skip_wcxb:
        if WCXB.is_dir() and SCORER.is_file():
            print("## WCXB docs-dev (91 pages): word F1 and boilerplate leaked\n")
            for name, line in wcxb(["llmingest", "trafilatura", "markdownify"]):
                print(f"- {name:12s} {line}")
            print()
        else:
            print(f"(WCXB corpus not found at {WCXB}; skipped)\n")
    if not args.skip_docs:
        root = Path(args.docs) if args.docs else next(
            (Path(p) for p in sorted(glob.glob("/usr/share/doc/python3*/html")) if glob.glob(p + "/library")), None)
        if root is None or not root.is_dir():
            print("(python3-doc not installed: apt-get install -y python3-doc; skipped)")
            return
        rows = docs(root, args.limit, ["llmingest", "trafilatura"])
        print(f"## python3-doc ({root})\n")
        print(table(["tool", "pages/s", "pre fenced", "right language", "links wrong", "GFM tables",
                     "pages leaking chrome/¶"], rows))
        ours, theirs = float(rows[0][1]), float(rows[1][1])
        print(f"\nspeed: llmingest / trafilatura = {ours / theirs:.1f}x")


if __name__ == "__main__":
    main()
