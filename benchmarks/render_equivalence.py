"""Before/after check for refactors of the render and output code: every output, hashed.

Runs the installed ``llmingest`` (whatever checkout the current interpreter imports) over fixed
inputs and writes one SHA-256 per output file to a JSON file; ``--compare`` diffs two such files.
A refactor that claims "no behaviour change" runs it on the old and the new code:

    python benchmarks/render_equivalence.py --out /tmp/before.json        # on the old commit
    python benchmarks/render_equivalence.py --out /tmp/after.json         # on the new one
    python benchmarks/render_equivalence.py --compare /tmp/before.json /tmp/after.json

Inputs (all local, no network): a sample repository (a clone of this project at a fixed commit)
as a digest in every format, with a budget, split and compressed; a ``site`` build of a subset of
``/usr/share/doc/python3.11/html`` (Debian's python3.11-doc); a ``bundle`` of two sources in every
format and as an llms.txt set; the MkDocs plugin on ``examples/mkdocs-site`` and on a fresh
``mkdocs new`` project; the Sphinx extension on ``examples/sphinx-project``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_COMMIT = "ef11deb"  # a commit of this repository: the sample repo's content never moves
PYDOC = Path("/usr/share/doc/python3.11/html")
PYDOC_BASE = "https://docs.python.org/3/"


def _run(args: list[str], cwd: Path, out: Path | None = None, check: bool = True) -> int:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "LLMINGEST_CACHE_DIR": str(cwd / ".cache")}
    with (open(out, "w") if out else open(os.devnull, "w")) as fh:
        proc = subprocess.run(args, cwd=cwd, stdout=fh, stderr=subprocess.PIPE, env=env, text=True)
    if check and proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return proc.returncode


def _hash_tree(root: Path, prefix: str, hashes: dict[str, str]) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".cache" not in path.parts:
            hashes[f"{prefix}/{path.relative_to(root).as_posix()}"] = hashlib.sha256(path.read_bytes()).hexdigest()


def _sample_repo(tmp: Path) -> Path:
    repo = tmp / "sample"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", SAMPLE_COMMIT], check=True)
    return repo


def collect(tmp: Path) -> dict[str, str]:
    cli = [sys.executable, "-m", "llmingest"]
    hashes: dict[str, str] = {}
    repo = _sample_repo(tmp)
    out = tmp / "out"
    out.mkdir()
    # 1. digests of one repository
    digest = out / "digest"
    digest.mkdir()
    for fmt in ("markdown", "xml", "plain", "json"):
        _run([*cli, "repo", str(repo), "-f", fmt, "-q"], tmp, digest / f"full.{fmt}")
        _run([*cli, "repo", str(repo), "-f", fmt, "-q", "--max-tokens", "40000"], tmp, digest / f"budget.{fmt}")
    _run([*cli, "repo", str(repo), "-q", "--max-tokens", "30000", "--compress"], tmp, digest / "compress.md")
    _run([*cli, "repo", str(repo), "-q", "--split-tokens", "60000", "-o", str(digest / "split.md")], tmp)
    _run([*cli, "repo", str(repo), "-q", "-i", "ingest/render/*"], tmp, digest / "subset.md")
    # the Python API: render() of a repo Bundle
    code = ("import sys; from llmingest import ingest, render; b = ingest(sys.argv[1], include=['ingest/render/*']);"
            "sys.stdout.write(render(b, 'markdown'))")
    _run([sys.executable, "-c", code, str(repo)], tmp, digest / "api.md")
    # 2. a site build of a python3-doc subset (a folder of built HTML served at a base URL)
    if PYDOC.is_dir():
        site_src = tmp / "pydoc"
        shutil.copytree(PYDOC / "tutorial", site_src / "tutorial")
        shutil.copytree(PYDOC / "_static", site_src / "_static")
        for name in ("index.html", "contents.html", "glossary.html"):
            shutil.copy(PYDOC / name, site_src / name)
        base = ["--base-url", PYDOC_BASE, "-q"]
        _run([*cli, "site", str(site_src), *base, "-o", str(out / "site")], tmp)
        _run([*cli, "site", str(site_src), *base, "-o", str(out / "site_budget"), "--max-tokens", "30000"], tmp)
        _run([*cli, "site", str(site_src), *base], tmp, out / "site_stdout.txt")
        _run([*cli, "site", str(site_src), *base, "-o", str(out / "site_twins"), "--md-twins"], tmp)
        rc = _run([*cli, "site", str(site_src), *base, "-o", str(out / "site"), "--check"], tmp, check=False)
        hashes["site --check exit code"] = str(rc)
        # 3. a bundle of two sources
        bundle = out / "bundle"
        bundle.mkdir()
        srcs = [str(repo / "ingest" / "render"), f"site:{site_src}", "--base-url", PYDOC_BASE, "-q", "--name", "eq"]
        for fmt in ("markdown", "xml", "plain", "json"):
            _run([*cli, "bundle", *srcs, "-f", fmt], tmp, bundle / f"bundle.{fmt}")
        _run([*cli, "bundle", *srcs, "--max-tokens", "20000", "-o", str(bundle / "budget.md")], tmp)
        _run([*cli, "bundle", *srcs, "--split-tokens", "20000", "-o", str(bundle / "split.md")], tmp)
        _run([*cli, "bundle", *srcs, "--llms-txt", str(out / "bundle_llms")], tmp)
        rc = _run([*cli, "bundle", *srcs, "--llms-txt", str(out / "bundle_llms"), "--check"], tmp, check=False)
        hashes["bundle --check exit code"] = str(rc)
    # 4. the MkDocs plugin: the project's example and a fresh `mkdocs new`
    mk = tmp / "mkdocs-example"
    shutil.copytree(ROOT / "examples" / "mkdocs-site", mk)
    _run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out / "mkdocs_example")], mk)
    fresh = tmp / "fresh"
    _run([sys.executable, "-m", "mkdocs", "new", str(fresh)], tmp)
    with open(fresh / "mkdocs.yml", "a") as fh:
        fh.write("site_url: https://fresh.example.org/\nplugins:\n  - llmingest\n")
    _run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out / "mkdocs_fresh")], fresh)
    # 5. the Sphinx extension
    sphinx_src = ROOT / "examples" / "sphinx-project" / "docs"
    if sphinx_src.is_dir():
        _run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(sphinx_src), str(out / "sphinx")], tmp)
    _hash_tree(out, "out", hashes)
    # HTML pages carry build-time noise (search index, dates): keep only what llmingest writes
    return {k: v for k, v in hashes.items()
            if not (k.startswith(("out/mkdocs_", "out/sphinx/")) and not k.endswith((".md", ".txt")))}


def compare(before: Path, after: Path) -> int:
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    for key in bad:
        print(f"DIFFERS: {key}: {a.get(key, 'missing')[:12]} -> {b.get(key, 'missing')[:12]}")
    print(f"{len(a)} outputs before, {len(b)} after, {len(bad)} differ")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the hashes here (JSON)")
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder (for diffing by hand)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    # one fixed folder, not a random temp name: paths (the sample repo's) appear in the digests
    tmp = Path(tempfile.gettempdir()) / "llmingest-render-equivalence"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        hashes = collect(tmp)
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(tmp / "out", args.keep)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(hashes, indent=1, sort_keys=True) + "\n"
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    print(f"{len(hashes)} outputs hashed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
