"""Load test of the URL-swap web service: bounded, loopback only, a mix of cached and uncached repos.

What it does, in one run:

1. makes ``--repos`` small git repositories (``--files`` files each) and serves them with
   ``git daemon`` on 127.0.0.1;
2. starts ``llmingest serve`` (a real uvicorn, server mode) with ``--host-map github.com=git://...``
   so ``/o/repoN`` clones from that daemon, never the internet;
3. fires ``--requests`` GETs at ``--concurrency`` (httpx, asyncio): the first request for each
   (repo, variant) is uncached (clone or clone-cache hit, walk, render); the rest hit the result
   cache. Variants are ``/o/repoN``, ``/o/repoN/tree/main/src`` and ``?format=xml``;
4. prints throughput, p50/p99 latency, errors (must be 0), the clones performed (entries in the
   clone cache, and upload-pack requests the daemon served), and the server's ingest count;
5. runs the same request list against a second server with ``--no-cache`` (bounded by
   ``--nocache-requests``) and prints the ratio, so the cache's effect is measured in the same run.

Everything is time-capped (``--time-cap`` seconds per scenario). Run it with nice on a shared box:

    nice -n 10 python3 benchmarks/load_bench.py --requests 500 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.invalid"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server on port {port} did not start")


def make_repos(base: Path, count: int, files: int) -> None:
    """``count`` bare repos ``o/repoN.git`` with a README, ``files`` Python files and some docs."""
    rnd = random.Random(7)
    words = "agent token digest render clone cache limit route page crawl budget parse".split()
    for n in range(count):
        work = base / "work" / f"repo{n}"
        (work / "src").mkdir(parents=True)
        (work / "docs").mkdir()
        (work / "README.md").write_text(f"# repo{n}\n\n" + " ".join(rnd.choices(words, k=200)) + "\n")
        for i in range(files):
            body = "".join(f"def f{i}_{j}(x):\n    return x + {j}  # {' '.join(rnd.choices(words, k=8))}\n\n"
                           for j in range(20))
            (work / "src" / f"mod{i}.py").write_text(body)
        for i in range(3):
            (work / "docs" / f"guide{i}.md").write_text(f"# Guide {i}\n\n" + " ".join(rnd.choices(words, k=300)) + "\n")
        subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True, env=GIT_ENV)
        subprocess.run(["git", "add", "."], cwd=work, check=True, env=GIT_ENV)
        subprocess.run(["git", "commit", "-qm", "init"], cwd=work, check=True, env=GIT_ENV)
        bare = base / "o" / f"repo{n}.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True, env=GIT_ENV)
        subprocess.run(["git", "config", "uploadpack.allowFilter", "true"], cwd=bare, check=True, env=GIT_ENV)


def request_paths(repos: int, total: int, seed: int = 1) -> list[str]:
    """A shuffled mix: every (repo, variant) appears, most of them many times (cache hits)."""
    variants = ["/o/repo{n}", "/o/repo{n}/tree/main/src", "/o/repo{n}?format=xml"]
    distinct = [v.format(n=n) for n in range(repos) for v in variants]
    rnd = random.Random(seed)
    paths = distinct + [rnd.choice(distinct) for _ in range(max(0, total - len(distinct)))]
    rnd.shuffle(paths)
    return paths[:total]


async def fire(base: str, paths: list[str], concurrency: int, time_cap: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    deadline = time.monotonic() + time_cap
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            path = queue.get_nowait()
            start = time.perf_counter()
            try:
                res = await client.get(base + path)
                if res.status_code != 200:
                    errors.append(f"{path}: HTTP {res.status_code} {res.text.strip()[:120]}")
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def scenario(name: str, work: Path, daemon_url: str, paths: list[str], args, extra: list[str],
             daemon_log: Path) -> dict:
    port = free_port()
    cache = work / f"cache-{name}"
    requests_before = daemon_log.read_text(errors="replace").count("Request upload-pack")
    server = subprocess.Popen(
        [sys.executable, "-m", "llmingest.cli", "serve", "--port", str(port), "--rate-limit", "0",
         "--host-map", f"github.com={daemon_url}", "--cache-dir", str(cache), "--log-level", "warning", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_port(port, server)
        latencies, errors, wall = asyncio.run(fire(f"http://127.0.0.1:{port}", paths, args.concurrency, args.time_cap))
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    time.sleep(0.3)
    upload_packs = daemon_log.read_text(errors="replace").count("Request upload-pack") - requests_before
    if "--no-cache" in extra:  # every ingest clones into a temporary folder and throws it away
        clones = health.get("ingests")
    else:  # each clone-cache entry is one clone
        clones = sum(1 for p in (cache / "repos").glob("*") if p.is_dir() and not p.name.startswith("."))
    return {
        "name": name, "requests": len(latencies), "wall": wall, "rps": len(latencies) / wall if wall else 0.0,
        "p50": percentile(latencies, 0.50) * 1000, "p99": percentile(latencies, 0.99) * 1000,
        "errors": errors, "ingests": health.get("ingests"), "clones": clones, "upload_packs": upload_packs,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--repos", type=int, default=8, help="distinct repositories (3 variants each)")
    ap.add_argument("--files", type=int, default=30, help="Python files per repository")
    ap.add_argument("--time-cap", type=float, default=180.0, help="seconds per scenario")
    ap.add_argument("--nocache-requests", type=int, default=100, help="requests for the --no-cache comparison (0: skip)")
    args = ap.parse_args()
    if not shutil.which("git"):
        raise SystemExit("git is required")

    work = Path(tempfile.mkdtemp(prefix="llmingest-load-"))
    daemon = None
    try:
        make_repos(work / "srv", args.repos, args.files)
        dport = free_port()
        daemon_log = work / "daemon.log"
        with open(daemon_log, "wb") as fh:
            daemon = subprocess.Popen(
                ["git", "daemon", "--reuseaddr", f"--base-path={work / 'srv'}", "--export-all", f"--port={dport}",
                 "--listen=127.0.0.1", "--verbose", "--log-destination=stderr"], stdout=fh, stderr=fh)
        wait_port(dport, daemon)
        daemon_url = f"git://127.0.0.1:{dport}/"
        paths = request_paths(args.repos, args.requests)
        distinct = len(set(paths))
        results = [scenario("cached", work, daemon_url, paths, args, [], daemon_log)]
        if args.nocache_requests:
            results.append(scenario("no-cache", work, daemon_url, paths[: args.nocache_requests], args,
                                    ["--no-cache"], daemon_log))
    finally:
        if daemon is not None:
            daemon.terminate()
            daemon.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nllmingest serve load test: {args.requests} requests, concurrency {args.concurrency}, "
          f"{args.repos} repos x 3 variants = {distinct} distinct digests, loopback only "
          f"(git daemon + --host-map), {os.cpu_count()} cores\n")
    print("| scenario | requests | wall s | req/s | p50 ms | p99 ms | errors | ingests | clones | upload-packs |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['name']} | {r['requests']} | {r['wall']:.1f} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p99']:.0f} | "
              f"{len(r['errors'])} | {r['ingests']} | {r['clones']} | {r['upload_packs']} |")
    if len(results) == 2 and results[1]["rps"]:
        print(f"\nthroughput, result cache on vs --no-cache: {results[0]['rps'] / results[1]['rps']:.1f}x")
    bad = [e for r in results for e in r["errors"]]
    for e in bad[:10]:
        print("error:", e)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
