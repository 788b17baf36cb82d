"""``llmingest repo --compress`` vs ``repomix --compress`` on the same repositories, and the latency
of the MCP tool ``search_repository`` over Django.

Corpora (built once under the work dir, reused after):
  stdlib  the running interpreter's standard library, committed to a fresh git repo (repo_bench.py);
  django  the Django sdist from PyPI, committed to a fresh git repo (repo_bench.py);
  rxjs    a TypeScript project: the ``src/`` of the rxjs package from npm (``npm pack rxjs``);
  gin     a Go project: gin's sources from Debian's ``golang-github-gin-gonic-gin-dev`` (the Go
          module proxy is not reachable here; Debian ships the same tree).

Per corpus, each tool runs N times round-robin (the order alternates between rounds) and the
medians are reported: wall time, peak RSS of the process tree, tokens of the written digest
(o200k, counted here the same way for both), tokens of the source files alone (the part
--compress acts on), and the share of the original's top-level functions and classes (Python
``ast``; ``function``/``class``/``interface``/``type``/``enum`` declarations in TS/JS; ``func``
and ``type`` in Go) whose definition line is still in the file's section of the digest.
llmingest runs cold (``--no-cache``). Run it with ``nice``, the machine is shared:

    nice -n 10 python3 benchmarks/compress_bench.py --runs 3
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _util  # noqa: E402
import repo_bench  # noqa: E402

HERE = Path(__file__).resolve().parent
CODE_EXT = (".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".go", ".rs", ".java", ".c", ".h", ".cc",
            ".cpp", ".hpp", ".cs", ".rb", ".php")


# ---------------------------------------------------------------- corpora
def build_rxjs(work: Path) -> Path:
    root = work / "corpora" / "rxjs"
    if repo_bench._ready(root):
        return root
    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    if not glob.glob(str(dl / "rxjs-*.tgz")):
        subprocess.run(["npm", "pack", "rxjs", "--silent", "--pack-destination", str(dl)], check=True,
                       stdout=subprocess.DEVNULL)
    tgz = sorted(glob.glob(str(dl / "rxjs-*.tgz")))[-1]
    shutil.rmtree(root, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(dir=work))
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp, filter="data")
    root.mkdir(parents=True)
    shutil.copytree(tmp / "package" / "src", root / "src")
    for name in ("package.json", "README.md", "LICENSE.txt"):
        if (tmp / "package" / name).exists():
            shutil.copy(tmp / "package" / name, root / name)
    shutil.rmtree(tmp)
    repo_bench._git_commit_all(root)
    return root


def build_gin(work: Path) -> Path:
    root = work / "corpora" / "gin"
    if repo_bench._ready(root):
        return root
    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    if not glob.glob(str(dl / "golang-github-gin-gonic-gin-dev_*.deb")):
        subprocess.run(["apt-get", "download", "golang-github-gin-gonic-gin-dev"], cwd=dl, check=True,
                       capture_output=True)
    deb = sorted(glob.glob(str(dl / "golang-github-gin-gonic-gin-dev_*.deb")))[-1]
    tmp = Path(tempfile.mkdtemp(dir=work))
    subprocess.run(["dpkg", "-x", deb, str(tmp)], check=True)
    (src,) = [Path(p) for p in glob.glob(str(tmp / "usr/share/gocode/src/github.com/gin-gonic/gin"))]
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(src, root, symlinks=False)
    shutil.rmtree(tmp)
    repo_bench._git_commit_all(root)
    return root


CORPORA = {"stdlib": repo_bench.build_stdlib, "django": repo_bench.build_django, "rxjs": build_rxjs, "gin": build_gin}


# ---------------------------------------------------------------- outputs
def sections(text: str, tool: str) -> dict[str, str]:
    """path -> that file's part of a markdown digest (llmingest: ``### `path```; repomix: ``## File: path``)."""
    pattern = re.compile(r"^### `(.+)`$" if tool == "llmingest" else r"^## File: (.+)$", re.M)
    marks = list(pattern.finditer(text))
    out = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out[m.group(1)] = text[m.end():end]
    return out


_TS_DEF = re.compile(r"^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?"
                     r"(function\*?|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)", re.M)
_GO_DEF = re.compile(r"^(func)\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)|^(type)\s+([A-Za-z_]\w*)", re.M)


def top_level_names(path: str, text: str) -> list[tuple[str, str]]:
    """(keyword, name) of the top-level functions and classes (and TS/Go types) of one file."""
    if path.endswith(".py"):
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return []
        return [("class" if isinstance(n, ast.ClassDef) else "def", n.name) for n in tree.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if path.endswith((".ts", ".tsx", ".js", ".mjs")):
        return [(m.group(1).rstrip("*"), m.group(2)) for m in _TS_DEF.finditer(text)]
    if path.endswith(".go"):
        return [(m.group(1) or m.group(3), m.group(2) or m.group(4)) for m in _GO_DEF.finditer(text)]
    return []


def kept(keyword: str, name: str, section: str) -> bool:
    if keyword == "func":  # Go: func Name( or func (r *T) Name(
        return re.search(rf"^\s*func\s+(?:\([^)]*\)\s*)?{re.escape(name)}\b", section, re.M) is not None
    return re.search(rf"\b{re.escape(keyword)}\*?\s+{re.escape(name)}\b", section) is not None


def names_report(repo: Path, text: str, tool: str) -> tuple[int, int, list[str]]:
    """(found, total, a few misses) of the top-level names of every source file in the digest."""
    parts = sections(text, tool)
    files = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, text=True).stdout.split("\0")
    found = total = 0
    misses: list[str] = []
    for rel in files:
        if not rel.endswith((".py", ".ts", ".tsx", ".js", ".mjs", ".go")):
            continue
        if rel not in parts:
            continue  # a file the tool left out whole (binary, size, ignore rules): not a compression loss
        try:
            original = (repo / rel).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for keyword, name in top_level_names(rel, original):
            total += 1
            if kept(keyword, name, parts[rel]):
                found += 1
            elif len(misses) < 5:
                misses.append(f"{rel}: {keyword} {name}")
    return found, total, misses


def code_tokens(text: str, tool: str) -> int:
    from llmingest.tokens import count_many

    parts = sections(text, tool)
    return sum(count_many([s for p, s in parts.items() if p.endswith(CODE_EXT)]))


# ---------------------------------------------------------------- runs
def command(name: str, exe: str, repo: Path, out: Path) -> list[str]:
    if name == "llmingest":
        return [exe, "repo", str(repo), "--compress", "--no-cache", "-q", "-o", str(out)]
    return [exe, str(repo), "--compress", "--style", "markdown", "--quiet", "-o", str(out)]


def bench_corpus(corpus: str, repo: Path, runs: int, work: Path, timeout: float) -> list[list[object]]:
    from llmingest.tokens import count

    out_dir = work / "out" / f"compress-{corpus}"
    out_dir.mkdir(parents=True, exist_ok=True)
    exes = {name: repo_bench.find_tool(name, work) for name in ("llmingest", "repomix")}
    missing = [n for n, e in exes.items() if e is None]
    if missing:
        raise SystemExit(f"not installed: {', '.join(missing)} (see benchmarks/README.md)")
    measured: dict[str, list[_util.Run]] = {name: [] for name in exes}
    env = {"NO_COLOR": "1", "CI": "1"}
    for i in range(runs):
        order = list(exes) if i % 2 == 0 else list(reversed(list(exes)))
        for name in order:
            out = out_dir / f"{name}.md"
            run = _util.measure(command(name, exes[name], repo, out), env=env, timeout=timeout)
            if not run.ok:
                raise SystemExit(f"{name} failed on {corpus}: {run.stderr[-500:]}")
            measured[name].append(run)
    rows = []
    for name in exes:
        text = (out_dir / f"{name}.md").read_text("utf-8")
        found, total, misses = names_report(repo, text, name)
        summary = _util.summarize(measured[name])
        rows.append([corpus, name, count(text), code_tokens(text, name), f"{found}/{total} ({100 * found / max(total, 1):.1f}%)",
                     _util.fmt_seconds(summary["wall"]), _util.fmt_seconds(summary["cpu"]), _util.fmt_bytes(summary["rss"]),
                     misses])
    return rows


# ---------------------------------------------------------------- search latency
def _git_daemon(repo: Path) -> tuple[subprocess.Popen, str]:
    """``git daemon`` on 127.0.0.1 serving ``repo``: the source an agent gives as a URL, whose
    digest the server caches (a local work tree is read again whenever git says it changed)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(["git", "daemon", "--reuseaddr", f"--base-path={repo.parent}", "--export-all",
                             f"--port={port}", "--listen=127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    return proc, f"git://127.0.0.1:{port}/{repo.name}"


def search_latency(repo: Path, runs: int, work: Path) -> dict[str, float]:
    """p50 seconds of search_repository on ``repo``: cold (a new server and cache: ingest + index +
    query) and warm (different queries), for the local path and for a git URL of it."""
    proc, url = _git_daemon(repo)
    try:
        local = _latency(str(repo), runs, work)
        remote = _latency(url, runs, work)
    finally:
        proc.terminate()
        proc.wait(10)
    return {**{f"local_{k}": v for k, v in local.items()}, **{f"url_{k}": v for k, v in remote.items()}}


def _latency(source: str, runs: int, work: Path) -> dict[str, float]:
    from fastmcp import Client
    from llmingest.fetch.cache import ResultCache
    from llmingest.mcp_server.limits import Limits
    from llmingest.mcp_server.server import create_server
    from llmingest.mcp_server.service import Service
    from llmingest.options import Options

    queries = ["queryset filter exclude", "csrf token middleware", "migration autodetector rename field",
               "template loader cache", "password hasher pbkdf2", "select related prefetch", "url resolver reverse",
               "form field validation error", "admin changelist search", "database transaction atomic"]

    async def one(server, query: str) -> float:
        async with Client(server) as client:
            start = time.perf_counter()
            await client.call_tool("search_repository", {"source": source, "query": query})
            return time.perf_counter() - start

    cold = []
    for i in range(runs):
        cache = Path(tempfile.mkdtemp(dir=work))
        server = create_server(Service(options=Options(cache_dir=cache), cache=ResultCache(cache / "r"),
                                       limits=Limits(max_files=0)))  # Django has 5,435 files: over the default 5,000
        cold.append(asyncio.run(one(server, queries[i % len(queries)])))
        shutil.rmtree(cache, ignore_errors=True)
    cache = Path(tempfile.mkdtemp(dir=work))
    server = create_server(Service(options=Options(cache_dir=cache), cache=ResultCache(cache / "r"),
                                       limits=Limits(max_files=0)))  # Django has 5,435 files: over the default 5,000
    asyncio.run(one(server, "warm up"))
    warm = [asyncio.run(one(server, q)) for q in queries * 2]
    shutil.rmtree(cache, ignore_errors=True)
    return {"cold_p50": statistics.median(cold), "warm_p50": statistics.median(warm), "cold_n": len(cold),
            "warm_n": len(warm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="default: all")
    parser.add_argument("--work", type=Path, default=repo_bench.DEFAULT_WORK)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--no-search", action="store_true", help="skip the search latency part")
    parser.add_argument("--search-only", action="store_true", help="only the search latency part")
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for corpus in [] if args.search_only else args.corpus or list(CORPORA):
        repo = CORPORA[corpus](work)
        rows += bench_corpus(corpus, repo, args.runs, work, args.timeout)
    headers = ["corpus", "tool", "digest tokens", "source tokens", "top-level names kept", "wall (median)", "CPU",
               "peak RSS"]
    if rows:
        print(_util.table(headers, [r[:-1] for r in rows]))
        print()
    for i in range(0, len(rows), 2):
        ours, theirs = rows[i], rows[i + 1]
        print(f"{ours[0]}: tokens {ours[2] / theirs[2]:.2f}x of repomix's (source files {ours[3] / max(theirs[3], 1):.2f}x)")
        for row in (ours, theirs):
            if row[-1]:
                print(f"  {row[1]} misses e.g.: {'; '.join(row[-1])}")
    if not args.no_search:
        lat = search_latency(CORPORA["django"](work), max(3, args.runs), work)
        for where, what in (("local", "a local git work tree, read again when it changed"),
                            ("url", "a git:// URL on 127.0.0.1, digest cached")):
            print(f"search_repository over django ({what}): cold p50 {lat[where + '_cold_p50']:.2f} s "
                  f"({lat[where + '_cold_n']} runs: new server, ingest + query), warm p50 "
                  f"{lat[where + '_warm_p50'] * 1000:.0f} ms ({lat[where + '_warm_n']} queries)")


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
