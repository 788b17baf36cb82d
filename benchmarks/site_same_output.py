"""Prove a speed change to ``llmingest site`` left its output folder byte-identical, cold and warm.

    # on the old code: build the reference folder once
    python benchmarks/site_same_output.py --save benchmarks/.work/site-same/before
    # on the new code: build cold, rebuild warm (same cache, same folder), compare both with it
    python benchmarks/site_same_output.py --check benchmarks/.work/site-same/before

    # the same over HTTP (the folder served on 127.0.0.1:PORT, HTTP/1.1 keep-alive, Last-Modified)
    python benchmarks/site_same_output.py --http --save benchmarks/.work/site-same/before-http
    python benchmarks/site_same_output.py --http --check benchmarks/.work/site-same/before-http

A run builds python3-doc's HTML folder (or ``--docs DIR``) with ``--base-url`` into a fresh folder
on an empty cache (cold), snapshots every file's bytes, runs again on the same cache into the same
folder (warm: nothing changed) and snapshots again; then one page is touched (same bytes, new
mtime) and a third run must still give the same folder. ``--check`` fails (exit 1) on any file
missing, extra or different, in any of the three, and also when a warm run changed a file's
mtime (an unchanged file must not be rewritten). With ``--http`` the folder is crawled over HTTP
instead (``--port``, the same for both sides: the URLs are in the output): the warm run is all 304s,
and the touched page answers 200 with the same bytes. Caches live under ``benchmarks/.work``.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "site-same"
BASE_URL = "https://docs.python.org/3/"


def find_docs() -> Path:
    for cand in sorted(glob.glob("/usr/share/doc/python3*/html")):
        if os.path.isfile(os.path.join(cand, "index.html")):
            return Path(cand).resolve()
    sys.exit("python3-doc is not installed: apt-get install -y python3-doc")


def build(docs: Path, out: Path, cache: Path, url: str | None = None) -> None:
    """One ``site`` build of ``docs`` (or of ``url``, where it is served) into ``out``."""
    env = {**os.environ, "LLMINGEST_CACHE_DIR": str(cache), "LLMINGEST_NO_PROGRESS": "1", "NO_COLOR": "1"}
    what = [url] if url else [str(docs), "--base-url", BASE_URL]
    subprocess.run([sys.executable, "-m", "llmingest.cli", "site", *what, "-o", str(out), "-q"], env=env, check=True)


def serve(docs: Path, port: int):
    """``docs`` on http://127.0.0.1:PORT/ (http.server, HTTP/1.1 keep-alive); returns (url, stop)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(docs)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return f"http://127.0.0.1:{port}/", stop


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """relative name -> (sha256, mtime_ns) of every file under ``folder``."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                         path.stat().st_mtime_ns)
    return out


def compare(name: str, ref: dict, got: dict) -> list[str]:
    problems = [f"{name}: missing {k}" for k in sorted(ref.keys() - got.keys())]
    problems += [f"{name}: extra {k}" for k in sorted(got.keys() - ref.keys())]
    problems += [f"{name}: differs {k}" for k in sorted(ref.keys() & got.keys()) if ref[k][0] != got[k][0]]
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--save", type=Path, help="build the reference folder here (on the old code)")
    what.add_argument("--check", type=Path, help="compare cold, warm and touched rebuilds with this reference")
    ap.add_argument("--docs", type=Path, default=None, help="the built HTML folder (default: python3-doc's)")
    ap.add_argument("--http", action="store_true", help="crawl the folder over HTTP instead of reading it")
    ap.add_argument("--port", type=int, default=18765, help="with --http: the port (the same for --save and --check)")
    args = ap.parse_args()
    docs = (args.docs or find_docs()).resolve()
    work = WORK / ("http" if args.http else "folder")
    if args.save:
        shutil.rmtree(args.save, ignore_errors=True)
        shutil.rmtree(work / "cache-save", ignore_errors=True)
        url, stop = serve(docs, args.port) if args.http else (None, lambda: None)
        try:
            build(docs, args.save, work / "cache-save", url)
        finally:
            stop()
        print(f"reference: {args.save} ({len(snapshot(args.save))} files)")
        return
    ref = snapshot(args.check)
    shutil.rmtree(work, ignore_errors=True)
    out, cache = work / "out", work / "cache"
    # a copy of the docs, so a page can be touched without touching the system's files
    tree = work / "docs"
    shutil.copytree(docs, tree, symlinks=True)
    url, stop = serve(tree, args.port) if args.http else (None, lambda: None)
    try:
        build(tree, out, cache, url)
        cold = snapshot(out)
        build(tree, out, cache, url)
        warm = snapshot(out)
        page = tree / "library" / "os.html"
        os.utime(page)  # same bytes, new mtime: the stat check (a 304) misses, the content check must still hit
        build(tree, out, cache, url)
        touched = snapshot(out)
    finally:
        stop()
    problems = compare("cold", ref, cold) + compare("warm", ref, warm) + compare("touched", ref, touched)
    problems += [f"warm rewrote {k} (mtime changed)" for k in sorted(cold.keys() & warm.keys())
                 if cold[k][1] != warm[k][1]]
    print(f"reference {len(ref)} files; cold {len(cold)}, warm {len(warm)}, touched {len(touched)}")
    if problems:
        print("\n".join(problems[:50]))
        sys.exit(1)
    print("byte-identical: cold, warm and touched rebuilds equal the reference; warm rewrote nothing")


if __name__ == "__main__":
    main()
