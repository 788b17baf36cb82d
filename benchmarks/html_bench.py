#!/usr/bin/env python3
"""HTML pages -> markdown: llmingest vs trafilatura (vs markdownify), same inputs, same run.

Part 1 (quality, WCXB): converts the pages of ../shared/corpora/html/wcxb-dev's *work* and
*validation* parts (benchmarks/wcxb_split.json, from benchmarks/wcxb_split.py) and of wcxb-docs-dev
with each tool, the tools taking turns page by page, and scores them per page type with the
functions of ../shared/tools/score_html.py (word F1/precision/recall against the ground truth,
boilerplate snippets leaked). Rules and the learned scorer are tuned on the work part only; the
validation part is read in aggregate, never page by page.

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
    nice -n 10 python3 benchmarks/html_bench.py --skip-docs --parts work --cache-trafilatura --worst 20
    nice -n 10 python3 benchmarks/html_bench.py --limit 100     # first 100 python3-doc pages
    nice -n 10 python3 benchmarks/html_bench.py --skip-wcxb --docs /usr/share/doc/python3.11/html
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import lxml.html

HERE = Path(__file__).resolve().parent
SHARED = next((p / "shared" for p in HERE.parents if (p / "shared" / "corpora").is_dir()), Path("/work/shared"))
WCXB = SHARED / "corpora" / "html" / "wcxb-docs-dev"
WCXB_DEV = SHARED / "corpora" / "html" / "wcxb-dev"
SPLIT = HERE / "wcxb_split.json"
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
def _scorer():
    """The shared scorer's own functions (same metric as running it on an output folder)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("score_html", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def wcxb_pages(part: str) -> list[tuple[str, Path, Path, str]]:
    """(id, html file, ground-truth file, page type) of one part: work/validation of wcxb-dev (ids
    in benchmarks/wcxb_split.json) or docs (wcxb-docs-dev)."""

    corpus = WCXB if part == "docs" else WCXB_DEV
    meta = json.loads((WCXB_DEV / "metadata.json").read_text())["files"]
    if part == "docs":
        ids = sorted(p.name.split(".")[0] for p in (corpus / "html").iterdir())
    else:
        ids = json.loads(SPLIT.read_text())[part]
    rows = []
    for fid in ids:
        html = next(p for p in (corpus / "html" / f"{fid}.html", corpus / "html" / f"{fid}.html.gz") if p.exists())
        ptype = meta.get(fid, {}).get("page_type", "documentation" if part == "docs" else "?")
        rows.append((fid, html, corpus / "ground-truth" / f"{fid}.json", ptype))
    return rows


def _read_html(path: Path) -> bytes:
    import gzip

    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def wcxb(part: str, tools: list[str], cache: bool = False, worst: int = 0) -> dict:
    """Scores of each tool on one part, per page type; the tools take turns page by page (CPU time).

    ``cache`` reuses trafilatura's outputs from benchmarks/.work (its pages/s is then not measured).
    ``worst`` lists the N worst pages of llmingest (work and docs parts only: the validation part is
    only ever read in aggregate).
    """

    score = _scorer()
    pages = wcxb_pages(part)
    per: dict[str, list] = {name: [] for name in tools}
    elapsed: dict[str, float] = dict.fromkeys(tools, 0.0)
    timed: dict[str, int] = dict.fromkeys(tools, 0)
    cache_dir = HERE / ".work" / "wcxb-trafilatura"
    for fid, html_path, gt_path, ptype in pages:
        doc = json.loads(gt_path.read_text())
        url, gt = doc["url"], doc["ground_truth"]
        html = _read_html(html_path)
        for name in tools:
            cached = cache_dir / f"{part}-{fid}.md"
            if cache and name == "trafilatura" and cached.exists():
                md = cached.read_text(encoding="utf-8")
            else:
                t0 = time.process_time()
                try:
                    md = TOOLS[name](html, url)
                except Exception as exc:  # a tool failing on a page scores 0 for it, like an empty output
                    print(f"  {name} failed on {fid}: {exc}", file=sys.stderr)
                    md = ""
                elapsed[name] += time.process_time() - t0
                timed[name] += 1
                if name == "trafilatura":
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    cached.write_text(md, encoding="utf-8")
            pred = score.strip_md(md)
            p, r, f = score.word_f1(pred, gt.get("main_content") or "")
            leaked = score.snippets(pred, gt.get("without") or [])
            per[name].append((fid, ptype, p, r, f, leaked))
    result = {"part": part, "pages": len(pages), "tools": {}}
    for name in tools:
        rows = per[name]
        types = ["all"] + sorted({r[1] for r in rows})
        result["tools"][name] = {
            "pages_per_s": timed[name] / elapsed[name] if elapsed[name] else None,
            "types": {t: _summary([r for r in rows if t == "all" or r[1] == t]) for t in types},
        }
    if "llmingest" in per and "trafilatura" in per:
        lost = [a[0] for a, b in zip(per["llmingest"], per["trafilatura"], strict=True) if a[3] < 0.2 <= 0.8 <= b[3]]
        result["lost"] = len(lost)
        if part == "work":
            result["lost_ids"] = lost
    if worst and part != "validation" and "llmingest" in per:
        other = {r[0]: r for r in per.get("trafilatura", [])}
        hidden = set(json.loads(SPLIT.read_text())["validation"])  # wcxb-docs-dev shares pages with it
        per["llmingest"] = [r for r in per["llmingest"] if r[0] not in hidden]
        result["worst"] = [(r[0], r[1], round(r[4], 3), round(r[2], 2), round(r[3], 2),
                            round(other[r[0]][4], 3) if r[0] in other else None)
                           for r in sorted(per["llmingest"], key=lambda r: r[4] - (other[r[0]][4] if r[0] in other else 0))[:worst]]
    return result


def _summary(rows: list) -> dict:
    def mean(i: int) -> float:
        vals = [r[i] for r in rows if r[i] is not None]
        return sum(vals) / max(1, len(vals))

    return {"n": len(rows), "f1": mean(4), "p": mean(2), "r": mean(3), "leaked": mean(5)}


def wcxb_table(result: dict) -> str:
    tools = list(result["tools"])
    header = ["type", "pages"] + [f"{t} F1 / P / R / leaked" for t in tools]
    rows = []
    for ptype, first in result["tools"][tools[0]]["types"].items():
        cells = [ptype, str(first["n"])]
        for t in tools:
            s = result["tools"][t]["types"][ptype]
            cells.append(f"{s['f1']:.3f} / {s['p']:.3f} / {s['r']:.3f} / {s['leaked']:.1%}")
        rows.append(cells)
    speed = ", ".join(f"{t} {v['pages_per_s']:.1f}" for t, v in result["tools"].items() if v["pages_per_s"])
    out = table(header, rows) + f"\n\npages/s (CPU, interleaved): {speed or 'cached'}"
    if "lost" in result:
        out += f"; pages lost (llmingest R < 0.2 where trafilatura R >= 0.8): {result['lost']}"
        if result.get("lost_ids"):
            out += " " + ", ".join(result["lost_ids"][:30])
    for row in result.get("worst", []):
        out += f"\n  worst: {row}"
    return out


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
    ap.add_argument("--parts", default="work,validation,docs",
                    help="WCXB parts: work,validation (benchmarks/wcxb_split.json of wcxb-dev), docs (wcxb-docs-dev)")
    ap.add_argument("--tools", default="llmingest,trafilatura", help="comma-separated: llmingest,trafilatura,markdownify")
    ap.add_argument("--cache-trafilatura", action="store_true",
                    help="reuse trafilatura's WCXB outputs from benchmarks/.work (its pages/s is then not measured)")
    ap.add_argument("--worst", type=int, default=0, help="list llmingest's N worst pages (work/docs parts only)")
    ap.add_argument("--json", default=None, help="also write each part's scores to JSON.<part>.json")
    args = ap.parse_args()

    if not args.skip_wcxb:
        if WCXB_DEV.is_dir() and SCORER.is_file():
            for part in args.parts.split(","):
                result = wcxb(part, args.tools.split(","), cache=args.cache_trafilatura, worst=args.worst)
                print(f"## WCXB {part} ({result['pages']} pages): word F1 / precision / recall / boilerplate leaked\n")
                print(wcxb_table(result) + "\n")
                if args.json:
                    Path(args.json).with_suffix(f".{part}.json").write_text(json.dumps(result, indent=1))
        else:
            print(f"(WCXB corpus not found at {WCXB_DEV}; skipped)\n")
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
