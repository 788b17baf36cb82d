"""`llmingest site` over Python's own docs (Debian python3-doc, ~530 Sphinx pages) against trafilatura.

Prerequisite: ``apt-get install -y python3-doc`` (the HTML lands in /usr/share/doc/python3*/html).

The commands, interleaved round-robin ``--runs`` times (run i of each before run i+1 of any), every
one pinned to the same cores (``taskset``, see ``_util``), medians of wall time, CPU time (the
command and all its children) and peak RSS of the process tree:

1. llmingest cold: ``llmingest site http://127.0.0.1:PORT/ -o OUT`` on an empty cache (crawl,
   convert, write llms.txt + llms-full.txt + the mirrors);
2. llmingest warm, HTTP/1.1 keep-alive: the same command on the cache run 1 filled (every page a
   304, every request revalidated);
3. llmingest warm, HTTP/1.0: the same, the server answering HTTP/1.0 (a new connection per request);
4. llmingest warm, the server sending ``Cache-Control: max-age=600`` (as GitHub Pages does) with
   its 304s: every page is still revalidated, and the answers open a freshness window;
5. llmingest warm inside that window: no page is requested (what an HTTP cache does; ``--refresh``
   would revalidate them all);
6. llmingest cold from the folder: ``llmingest site DIR --base-url URL`` (no HTTP, like the anchor);
7. llmingest warm from the folder: the same command again on the cache and output folder run 6
   left (no file changed: a CI rebuild of an unchanged ``_build/html``);
8. the anchor: trafilatura's markdown extraction of the same HTML files read from disk, in ONE
   process; llmingest converts in a process pool on the same pinned cores, so the fair comparison
   is CPU time (which the ratios use), wall time is shown beside it.

The server is Python's ``http.server`` (``ThreadingHTTPServer``, Last-Modified and 304s, no ETag),
run in this script's process (its CPU is not counted for llmingest). It speaks HTTP/1.1 with
keep-alive, as documentation hosts do, except for run 3 (HTTP/1.0, its default: one connection per
request), which is reported beside it so neither figure hides the other; it sends no
``Cache-Control`` except in runs 4 and 5. The goal's warm figure is run 2 (every page revalidated).
Caches and outputs live under benchmarks/.work/site. llmingest's own modules are byte-compiled first
(``compileall``), as an installed wheel is: where ``PYTHONDONTWRITEBYTECODE`` is set, an editable
checkout would otherwise compile ~50 modules from source in every run (0.15 s of a warm one).

Run:  nice -n 10 python3 benchmarks/site_bench.py [--runs 3] [--limit N] [--skip-anchor]
"""

from __future__ import annotations

import argparse
import glob
import http.server
import os
import shutil
import sys
import threading
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _util  # noqa: E402
from _util import fmt_bytes, fmt_ratio, fmt_seconds, measure, table  # noqa: E402

ANCHOR = r"""
import sys, glob, os, trafilatura
root = sys.argv[1]
files = sorted(glob.glob(os.path.join(root, "**", "*.html"), recursive=True))
files = [f for f in files if "/_" not in f[len(root):]][: int(sys.argv[2])]
for f in files:
    trafilatura.extract(open(f, "rb").read(), url="http://127.0.0.1/" + f[len(root):], output_format="markdown",
                        include_links=True, include_tables=True, include_formatting=True)
print(len(files))
"""


def find_docs() -> Path:
    for cand in sorted(glob.glob("/usr/share/doc/python3*/html")):
        if os.path.isfile(os.path.join(cand, "index.html")):
            return Path(cand).resolve()
    sys.exit("python3-doc is not installed: apt-get install -y python3-doc")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """The docs folder over HTTP; the bench switches the protocol and Cache-Control between runs."""

    protocol_version = "HTTP/1.1"  # keep-alive (http.server's default is HTTP/1.0)
    max_age: int | None = None  # seconds of Cache-Control: max-age sent with every answer

    def end_headers(self) -> None:
        if self.max_age is not None:
            self.send_header("Cache-Control", f"max-age={self.max_age}")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


#: what the server does in each warm run: (protocol, max-age); cold and folder runs use the first
SERVER = {
    "llmingest site, HTTP (warm, 304s, HTTP/1.0)": ("HTTP/1.0", None),
    "llmingest site, HTTP (warm, 304s with max-age)": ("HTTP/1.1", 600),
    "llmingest site, HTTP (warm, fresh: no requests)": ("HTTP/1.1", 600),
}


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def compile_package() -> None:
    """Byte-compile llmingest's modules once, before any run is timed (see the module docstring)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("llmingest")
    roots = {Path(p).parent for p in (spec.submodule_search_locations or [])} if spec else set()
    for root in sorted(roots):
        for sub in ("ingest", "converters", "mcp_server", "site_plugin"):
            if (root / sub).is_dir():
                compileall.compile_dir(str(root / sub), quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="--max-pages for a quicker run (default: all)")
    ap.add_argument("--runs", type=int, default=3, help="round-robin runs of every command (medians)")
    ap.add_argument("--skip-anchor", action="store_true", help="do not run trafilatura")
    args = ap.parse_args()
    docs = find_docs()
    pages_on_disk = len([f for f in glob.glob(str(docs / "**" / "*.html"), recursive=True) if "/_" not in f[len(str(docs)):]])
    httpd, url = serve(docs)
    work = Path(_util.WORK) / "site"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = [sys.executable, "-m", "llmingest.cli", "site"]
    limit = ["--max-pages", str(args.limit)] if args.limit else []
    plans = {
        "llmingest site, HTTP (cold)": base + [url, "-o", str(work / "out-http"), "-q", *limit],
        "llmingest site, HTTP (warm, 304s)": base + [url, "-o", str(work / "out-http"), "-q", *limit],
        "llmingest site, HTTP (warm, 304s, HTTP/1.0)": base + [url, "-o", str(work / "out-http"), "-q", *limit],
        "llmingest site, HTTP (warm, 304s with max-age)": base + [url, "-o", str(work / "out-http"), "-q", *limit],
        "llmingest site, HTTP (warm, fresh: no requests)": base + [url, "-o", str(work / "out-http"), "-q", *limit],
        "llmingest site, folder (cold)": base + [str(docs), "--base-url", url, "-o", str(work / "out-folder"), "-q", *limit],
        "llmingest site, folder (warm)": base + [str(docs), "--base-url", url, "-o", str(work / "out-folder"), "-q", *limit],
    }
    if not args.skip_anchor:
        plans["trafilatura, files (one process)"] = [sys.executable, "-c", ANCHOR, str(docs) + "/", str(args.limit or pages_on_disk)]
    compile_package()
    runs: dict[str, list[_util.Run]] = {name: [] for name in plans}
    try:
        for i in range(args.runs):
            for name, cmd in plans.items():
                cache = work / f"cache{i}" / ("folder" if "folder" in name else "http")
                if "cold" in name:
                    shutil.rmtree(cache, ignore_errors=True)
                env = {"LLMINGEST_CACHE_DIR": str(cache), "LLMINGEST_NO_PROGRESS": "1"}
                _Quiet.protocol_version, _Quiet.max_age = SERVER.get(name, ("HTTP/1.1", None))
                run = measure(cmd, env=env, timeout=1800)
                if run.returncode != 0:
                    sys.exit(f"{name} failed ({run.returncode}): {run.stderr[-2000:]}")
                runs[name].append(run)
                print(f"  run {i + 1}: {name}: {fmt_seconds(run.wall)} wall, {fmt_seconds(run.cpu)} CPU, "
                      f"{fmt_bytes(run.peak_rss)}", flush=True)
    finally:
        httpd.shutdown()
    pages = len(list((work / "out-http").rglob("*.md")))
    full = (work / "out-http" / "llms-full.txt").stat().st_size
    done = int(runs[list(plans)[-1]][-1].stdout.strip().splitlines()[-1]) if not args.skip_anchor else pages
    stats = {name: _util.summarize(r) for name, r in runs.items()}
    rows = []
    for name, st in stats.items():
        n = done if name.startswith("trafilatura") else pages
        rows.append([name, n, fmt_seconds(st["wall"]), fmt_seconds(st["cpu"]), f"{st['cores']:.2f}",
                     f"{n / st['cpu']:.1f}", fmt_bytes(st["rss"])])
    print(f"\ncorpus: {docs} ({pages_on_disk} HTML pages), served from {url}; median of {args.runs} round-robin runs")
    print("server: Python http.server (ThreadingHTTPServer; Last-Modified, no ETag): HTTP/1.1 keep-alive, no "
          "Cache-Control, except where the run's name says HTTP/1.0 (a connection per request) or max-age (600 s)")
    print(_util.cores_note())
    print(f"outputs: llms.txt, llms-full.txt ({fmt_bytes(full)}), {pages} .md mirrors\n")
    print(table(["run", "pages", "wall", "CPU", "cores used", "pages per CPU-s", "peak RSS"], rows))
    print()
    for name in ("llmingest site, HTTP (warm, 304s)", "llmingest site, HTTP (warm, 304s, HTTP/1.0)",
                 "llmingest site, folder (warm)"):
        warm = stats[name]
        print(f"{name}: <= 1.0 s wall: {'yes' if warm['wall'] <= 1.0 else 'NO'} ({fmt_seconds(warm['wall'])}, "
              f"{fmt_seconds(warm['cpu'])} CPU); peak RSS <= 150 MiB: "
              f"{'yes' if warm['rss'] <= 150 * 2**20 else 'NO'} ({fmt_bytes(warm['rss'])})")
    if not args.skip_anchor:
        anchor = stats["trafilatura, files (one process)"]
        for name in ("llmingest site, HTTP (cold)", "llmingest site, folder (cold)"):
            ours = stats[name]
            print(f"{name} vs trafilatura, pages per CPU-second: "
                  f"{fmt_ratio((pages / ours['cpu']) / (done / anchor['cpu']))}; per wall-second: "
                  f"{fmt_ratio((pages / ours['wall']) / (done / anchor['wall']))}")


if __name__ == "__main__":
    main()
