"""`llmingest site` over Python's own docs (Debian python3-doc, 530 Sphinx pages) served on 127.0.0.1.

Prerequisite: ``apt-get install -y python3-doc`` (the HTML lands in /usr/share/doc/python3*/html).

Three runs, in one process tree, on the same served copy:

1. llmingest cold: ``llmingest site http://127.0.0.1:PORT/ -o OUT --no-cache`` (crawl, convert,
   write llms.txt + llms-full.txt + 530 mirrors); target < 30 s.
2. llmingest warm: the same command with a cache that the cold run filled (every page a 304).
3. the anchor: trafilatura's markdown extraction over the same HTML files read from disk (no
   crawling at all, so the ratio flatters trafilatura), for pages/s side by side.

Run:  nice -n 10 python3 benchmarks/site_bench.py [--limit N] [--skip-anchor]
"""

from __future__ import annotations

import argparse
import glob
import http.server
import os
import shutil
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
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
    def log_message(self, *args) -> None:
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="--max-pages for a quicker run (default: all)")
    ap.add_argument("--skip-anchor", action="store_true", help="do not run trafilatura")
    args = ap.parse_args()
    docs = find_docs()
    pages_on_disk = len([f for f in glob.glob(str(docs / "**" / "*.html"), recursive=True) if "/_" not in f[len(str(docs)):]])
    httpd, url = serve(docs)
    work = Path(tempfile.mkdtemp(prefix="site_bench."))
    try:
        out = work / "out"
        cache = work / "cache"
        env = {"LLMINGEST_CACHE_DIR": str(cache), "LLMINGEST_NO_PROGRESS": "1"}
        cmd = [sys.executable, "-m", "llmingest.cli", "site", url, "-o", str(out), "-q"]
        if args.limit:
            cmd += ["--max-pages", str(args.limit)]
        cold = measure(cmd, env=env, timeout=900)
        if cold.returncode != 0:
            sys.exit(f"llmingest failed ({cold.returncode}): {cold.stderr[-2000:]}")
        mirrors = [p for p in out.rglob("*.md")]
        pages = len(mirrors)
        full = (out / "llms-full.txt").stat().st_size
        warm = measure(cmd, env=env, timeout=900)
        rows = [
            ["llmingest site (cold)", pages, fmt_seconds(cold.wall), f"{pages / cold.wall:.1f}", fmt_bytes(cold.peak_rss)],
            ["llmingest site (warm, 304s)", pages, fmt_seconds(warm.wall), f"{pages / warm.wall:.1f}", fmt_bytes(warm.peak_rss)],
        ]
        anchor = None
        if not args.skip_anchor:
            n = args.limit or pages_on_disk
            anchor = measure([sys.executable, "-c", ANCHOR, str(docs) + "/", str(n)], timeout=1800)
            if anchor.returncode == 0:
                done = int(anchor.stdout.strip().splitlines()[-1])
                rows.append(["trafilatura extract (files, no crawl)", done, fmt_seconds(anchor.wall),
                             f"{done / anchor.wall:.1f}", fmt_bytes(anchor.peak_rss)])
            else:
                print(f"anchor failed: {anchor.stderr[-500:]}", file=sys.stderr)
                anchor = None
        print(f"corpus: {docs} ({pages_on_disk} HTML pages), served from {url}")
        print(f"outputs: llms.txt, llms-full.txt ({fmt_bytes(full)}), {pages} .md mirrors")
        print(table(["run", "pages", "wall", "pages/s", "peak RSS"], rows))
        print(f"cold run under 30 s: {'yes' if cold.wall < 30 else 'NO'} ({fmt_seconds(cold.wall)})")
        if anchor is not None:
            print(f"pages/s ratio llmingest cold (crawl+convert+write) / trafilatura (convert only): "
                  f"{fmt_ratio((pages / cold.wall) / (done / anchor.wall))}")
    finally:
        httpd.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
