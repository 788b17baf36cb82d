"""PDF -> markdown: llmingest against pymupdf4llm (layout and legacy modes) and markitdown.

Two measurements, same run, same inputs for every tool:

1. quality on the ground-truth corpus (``../shared/corpora/pdf``: pdflatex and PyMuPDF-Story
   renderings, one and two columns, of documents whose markdown we know), scored by
   ``../shared/tools/score_pdf.py`` (needs rapidfuzz);
2. speed and peak RSS on real PDFs from Debian packages (R manuals, gnuplot, asymptote, LaTeX
   guides, ReportLab's user guide, ACM/IEEE-style papers), each cut to its first ``--pages``
   pages so the slow layout mode finishes on a shared machine; plus llmingest alone on a long
   document (``--long`` pages of R's reference manual) for memory flatness.

Every tool runs in its own subprocess (``_util.measure``: wall time, CPU time and peak RSS of the
process tree, pinned to the same cores), round-robin ``--runs`` times in the speed part (medians);
the worker also reports its own conversion time, import time excluded, which the pages/s figures
use; the process's CPU time, imports included, is shown beside it.

    pip install -e ".[bench]"
    apt-get install -y r-doc-pdf gnuplot-doc asymptote-doc texlive-latex-base-doc \
        python-reportlab-doc texlive-publishers-doc
    nice -n 10 python3 benchmarks/pdf_bench.py                 # everything
    nice -n 10 python3 benchmarks/pdf_bench.py --skip-speed    # corpus scores only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
WORK = HERE / ".work" / "pdf"
SHARED = HERE.parent.parent / "shared"
TOOLS = ["llmingest", "pymupdf4llm-layout", "pymupdf4llm-legacy", "markitdown"]

#: real PDFs (Debian doc packages); missing ones are skipped with a note
REAL = [
    "/usr/share/R/doc/manual/R-intro.pdf",
    "/usr/share/R/doc/manual/R-FAQ.pdf",
    "/usr/share/doc/gnuplot/gnuplot.pdf",
    "/usr/share/doc/asymptote/asymptote.pdf",
    "/usr/share/doc/texlive-doc/latex/base/usrguide.pdf",
    "/usr/share/doc/texlive-doc/latex/base/clsguide.pdf",
    "/usr/share/doc/python-reportlab-doc/reportlab-userguide.pdf",
    "/usr/share/doc/texlive-doc/latex/acmart/samples/sample-sigconf.pdf",
    "/usr/share/doc/texlive-doc/latex/ieeeconf/IEEEconf.pdf",
    "/usr/share/doc/texlive-doc/latex/acmart/samples/sample-acmsmall.pdf",
    "/usr/share/doc/texlive-doc/latex/elsarticle/elsdoc.pdf",
]
LONG = "/usr/share/R/doc/manual/fullrefman.pdf"


# ------------------------------------------------------------------------------------------ worker


def _worker(tool: str, outdir: Path, files: list[str]) -> None:
    """Convert ``files`` with ``tool`` into ``outdir/<stem>.md``; print pages and seconds as JSON."""
    import pymupdf

    if tool == "llmingest":
        from llmingest.converters.pdf import convert

        def run(path: str) -> str:
            return convert(Path(path).read_bytes(), name=Path(path).name).content
    elif tool.startswith("pymupdf4llm"):
        import pymupdf4llm

        pymupdf4llm.use_layout(tool.endswith("layout"))

        def run(path: str) -> str:
            return pymupdf4llm.to_markdown(path)
    elif tool == "markitdown":
        from markitdown import MarkItDown

        md = MarkItDown()

        def run(path: str) -> str:
            return md.convert(path).text_content
    else:
        raise SystemExit(f"unknown tool {tool}")
    outdir.mkdir(parents=True, exist_ok=True)
    pages = 0
    start = time.perf_counter()
    failures = []
    for path in files:
        with pymupdf.open(path) as d:
            pages += d.page_count
        try:
            text = run(path)
        except Exception as exc:  # an anchor failing on one file is a result, not a crash
            failures.append(f"{Path(path).name}: {exc}")
            text = ""
        (outdir / (Path(path).stem + ".md")).write_text(text, encoding="utf-8")
    print(json.dumps({"pages": pages, "seconds": time.perf_counter() - start, "failures": failures}))


# ------------------------------------------------------------------------------------------ driver


def _measure(tool: str, outdir: Path, files: list[str], timeout: float) -> dict:
    from _util import measure

    run = measure([sys.executable, str(Path(__file__).resolve()), "--worker", tool, str(outdir), *files],
                  timeout=timeout)
    if not run.ok:
        return {"ok": False, "wall": run.wall, "cpu": run.cpu, "rss": run.peak_rss, "error": (run.stderr or "timeout")[-400:]}
    info = json.loads(run.stdout.strip().splitlines()[-1])
    return {"ok": True, "wall": run.wall, "cpu": run.cpu, "rss": run.peak_rss, **info}


def _round_robin(tools: list[str], outdir: Path, files: list[str], timeout: float, runs: int) -> dict[str, dict]:
    """Each tool ``runs`` times, interleaved (run i of every tool before run i+1 of any), so a
    busy minute of a shared machine falls on all tools alike; medians per tool (a tool that fails
    once is reported failed)."""
    from _util import median

    got: dict[str, list[dict]] = {t: [] for t in tools}
    for _ in range(runs):
        for tool in tools:
            if got[tool] and not got[tool][-1]["ok"]:
                continue
            got[tool].append(_measure(tool, outdir / tool, files, timeout))
    out: dict[str, dict] = {}
    for tool, rs in got.items():
        if not all(r["ok"] for r in rs):
            out[tool] = next(r for r in rs if not r["ok"])
            continue
        out[tool] = {**rs[-1], **{k: median([r[k] for r in rs]) for k in ("wall", "cpu", "rss", "seconds")}}
    return out


def _subset(src: str, pages: int) -> Path:
    """The first ``pages`` pages of ``src`` as a PDF under .work (the same input for every tool)."""
    import pymupdf

    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / "real" / f"{Path(src).stem}-p{pages}.pdf"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with pymupdf.open(src) as doc:
        if doc.page_count <= pages:
            out.write_bytes(Path(src).read_bytes())
        else:
            part = pymupdf.open()
            part.insert_pdf(doc, from_page=0, to_page=pages - 1)
            part.save(out, garbage=3, deflate=True)
    return out


def _find_shared() -> Path:
    """``shared/`` beside the checkout (main) or beside the worktree's parent (helpers' worktrees)."""
    env = os.environ.get("LLMINGEST_SHARED")
    if env:
        return Path(env)
    for base in HERE.parents:
        if (base / "shared" / "corpora").is_dir():
            return base / "shared"
    return SHARED


#: quality sets: name -> corpus folder under shared/corpora; twins get a bookmarks-stripped variant.
#: "built": twins of other generators (Sphinx LaTeX, pandoc LaTeX) made by make_pdf_twins.py
SETS = {"synthetic": "pdf", "twins": "pdf-twins", "built": str(HERE / ".work" / "twins")}


def _strip_bookmarks(src: Path, dst: Path) -> None:
    """The same PDF without its outline (PyMuPDF ``set_toc([])``): headings must come from typography."""
    import pymupdf

    with pymupdf.open(src) as doc:
        doc.set_toc([])
        doc.save(dst, garbage=1)


def _inputs(name: str, corpus: Path, tmp: Path, docs: list[str]) -> list[str]:
    """The PDFs of one set named ``<doc>_<variant>.pdf`` (the scorer's convention), in ``tmp``."""
    out = []
    for pdf in sorted((corpus / "pdf").glob("*.pdf")):
        doc = pdf.stem.split("_")[0]
        if docs and not any(doc.startswith(d) for d in docs):
            continue
        if "_" in pdf.stem:  # synthetic set: variants are already in the names
            out.append(str(pdf))
            continue
        shipped = tmp / f"{pdf.stem}_shipped.pdf"
        shipped.symlink_to(pdf)
        stripped = tmp / f"{pdf.stem}_nobookmarks.pdf"
        _strip_bookmarks(pdf, stripped)
        out += [str(shipped), str(stripped)]
    return out


def _per_doc(outroot: Path, tools: list[str]) -> None:
    """Per document and variant rows from the scorer's ``_scores.json``."""
    from _util import table

    path = outroot / "_scores.json"
    if not path.exists():
        return
    per = json.loads(path.read_text())["per_doc"]
    keys = ["head_R", "head_P", "list_R", "code_det", "code_exact", "tokF1", "edit_sim"]
    rows = []
    for key in sorted(per, key=lambda k: (k.split("/")[2], k.split("/")[1], tools.index(k.split("/")[0])
                                          if k.split("/")[0] in tools else 99)):
        tool, variant, doc = key.split("/")
        v = per[key]
        rows.append([doc, variant, tool, *("-" if v[k] is None else f"{v[k]:.2f}" for k in keys)])
    print(table(["doc", "variant", "tool", *keys], rows))


def quality(tools: list[str], timeout: float, sets: list[str], docs: list[str]) -> None:
    import tempfile

    shared = _find_shared()
    scorer = shared / "tools" / "score_pdf.py"
    for name in sets:
        corpus = Path(SETS[name]) if Path(SETS[name]).is_absolute() else shared / "corpora" / SETS[name]
        if not corpus.is_dir() or not scorer.exists():
            print(f"(no corpus at {corpus}: quality set {name} skipped"
                  + ("; run benchmarks/make_pdf_twins.py" if name == "built" else "") + ")")
            continue
        with tempfile.TemporaryDirectory(prefix=f"pdfbench-{name}-") as tmp:
            files = _inputs(name, corpus, Path(tmp), docs)
            outroot = WORK / name
            print(f"## Quality, {name} set: {len(files)} PDFs from {corpus}, scored by {scorer.name}\n")
            speeds = {}
            for tool in tools:
                shutil.rmtree(outroot / tool, ignore_errors=True)
                res = _measure(tool, outroot / tool, files, timeout)
                speeds[tool] = res
                if not res["ok"]:
                    print(f"{tool}: FAILED {res.get('error')}")
        ok = [t for t in tools if speeds[t]["ok"]]
        subprocess.run([sys.executable, str(scorer), str(corpus / "md"), str(outroot), *ok], check=False)
        print()
        _per_doc(outroot, ok)
        print()
        for tool, res in speeds.items():
            if res["ok"]:
                print(f"{tool}: {res['pages']} pages in {res['seconds']:.1f} s ({res['pages'] / res['seconds']:.1f} "
                      f"pages/s), CPU {res['cpu']:.1f} s, peak RSS {res['rss'] / 1e6:.0f} MB")
        ours = speeds.get("llmingest", {})
        for tool, res in speeds.items():
            if tool != "llmingest" and res["ok"] and ours.get("ok"):
                print(f"llmingest vs {tool} by CPU: {res['cpu'] / max(ours['cpu'], 1e-6):.1f}x")
        print()


def speed(tools: list[str], pages: int, long_pages: int, timeout: float, runs: int = 3) -> None:
    from _util import cores_note, fmt_bytes, fmt_seconds, table

    files = [str(_subset(p, pages)) for p in REAL if Path(p).exists()]
    missing = [p for p in REAL if not Path(p).exists()]
    if missing:
        print(f"(not installed, skipped: {', '.join(Path(m).name for m in missing)})")
    if not files:
        print("(no real PDFs installed: speed part skipped)")
        return
    print(f"## Speed: {len(files)} real PDFs, first {pages} pages of each; median of {runs} round-robin runs\n")
    print(cores_note() + "\n")
    results = _round_robin(tools, WORK / "real-out", files, timeout, runs)
    ours = results.get("llmingest", {})
    rows = []
    for tool, r in results.items():
        if not r["ok"]:
            rows.append([tool, "-", "-", "-", "-", "-", fmt_bytes(r["rss"]), "failed: " + r.get("error", "")[-80:]])
            continue
        pps = r["pages"] / r["seconds"]
        ratio = (ours["pages"] / ours["seconds"]) / pps if ours.get("ok") and tool != "llmingest" else float("nan")
        cpu_ratio = r["cpu"] / ours["cpu"] if ours.get("ok") and tool != "llmingest" else float("nan")
        rows.append([tool, r["pages"], f"{r['seconds']:.1f} s", fmt_seconds(r["wall"]), fmt_seconds(r["cpu"]),
                     f"{pps:.1f}", fmt_bytes(r["rss"]),
                     "-" if ratio != ratio else f"llmingest {ratio:.1f}x faster (CPU incl. imports: {cpu_ratio:.1f}x)"])
    print(table(["tool", "pages", "convert time", "process wall", "process CPU", "pages/s", "peak RSS", "ratio"], rows))
    print()
    if ours.get("ok"):  # by CPU: a shared machine's wall time varies with the neighbours' load
        for tool, r in results.items():
            if tool != "llmingest" and r["ok"]:
                print(f"by CPU seconds (process tree): llmingest {ours['cpu']:.1f} s, {tool} {r['cpu']:.1f} s: "
                      f"{r['cpu'] / max(ours['cpu'], 1e-6):.1f}x")
        print()
    for tool, need in (("pymupdf4llm-layout", 10.0), ("pymupdf4llm-legacy", 3.0)):
        r = results.get(tool)
        if r and r["ok"] and ours.get("ok"):
            ratio = (ours["pages"] / ours["seconds"]) / (r["pages"] / r["seconds"])
            print(f"target >= {need:g}x {tool}: {ratio:.1f}x {'PASS' if ratio >= need else 'MISS'}")
    if ours.get("ok"):
        print(f"target peak RSS < 250 MB: {fmt_bytes(ours['rss'])} {'PASS' if ours['rss'] < 250e6 else 'MISS'}")
    if long_pages and Path(LONG).exists():
        big = _subset(LONG, long_pages)
        r = _measure("llmingest", WORK / "long-out", [str(big)], timeout * 4)
        if r["ok"]:
            print(f"\nllmingest alone on {r['pages']} pages of {Path(LONG).name}: {r['seconds']:.1f} s "
                  f"({r['pages'] / r['seconds']:.1f} pages/s), peak RSS {fmt_bytes(r['rss'])} "
                  f"{'PASS' if r['rss'] < 250e6 else 'MISS'} (< 250 MB)")
        else:
            print(f"\nllmingest on the long document failed: {r.get('error')}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], Path(sys.argv[3]), sys.argv[4:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ", ".join(TOOLS))
    ap.add_argument("--pages", type=int, default=20, help="first N pages of each real PDF (default 20)")
    ap.add_argument("--long", type=int, default=2000, help="pages of the long document for llmingest alone (0: skip)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool run")
    ap.add_argument("--runs", type=int, default=3, help="round-robin runs per tool in the speed part (medians)")
    ap.add_argument("--sets", default="synthetic,twins,built", help="quality sets: " + ", ".join(SETS))
    ap.add_argument("--docs", default="", help="comma-separated doc name prefixes (e.g. doc01,doc03: a work part)")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    print(f"# PDF benchmark ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]})\n")
    if not args.skip_quality:
        quality(tools, args.timeout, [x for x in args.sets.split(",") if x],
                [x for x in args.docs.split(",") if x])
    if not args.skip_speed:
        speed(tools, args.pages, args.long, args.timeout, args.runs)


if __name__ == "__main__":
    main()
