"""Prove a speed change left the digests byte-identical: digest a corpus, then compare with a reference.

    # before the change (on the old code): keep the digests as the reference
    python benchmarks/same_output.py --save benchmarks/.work/same/before
    # after it: digest again and diff against the reference (exit 1 on any difference)
    python benchmarks/same_output.py --check benchmarks/.work/same/before

Each format is digested twice, cold (empty token cache) and warm (on that cache), by the
``llmingest`` next to this interpreter, and each digest must equal the reference byte for byte
(the warm one too: counts from the cache must equal counts made fresh). The corpus defaults to
repo_bench's CPython stdlib (built there once); ``--repo`` digests any other folder.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMATS = ("markdown", "xml", "plain", "json")


def digest(exe: str, repo: Path, fmt: str, out: Path, cache: Path) -> None:
    env = {**os.environ, "LLMINGEST_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    subprocess.run([exe, "repo", str(repo), "-f", fmt, "-o", str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_difference(a: Path, b: Path) -> str:
    x, y = a.read_bytes(), b.read_bytes()
    at = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
    line = x.count(b"\n", 0, at) + 1
    return f"first difference at byte {at:,} (line {line}): {x[at:at + 60]!r} vs {y[at:at + 60]!r}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path, help="write the reference digests here")
    mode.add_argument("--check", type=Path, help="compare against the reference digests here")
    ap.add_argument("--repo", type=Path, help="folder to digest (default: repo_bench's stdlib corpus)")
    ap.add_argument("--format", action="append", choices=FORMATS, help="default: all")
    ap.add_argument("--exe", default=str(Path(sys.executable).parent / "llmingest"))
    args = ap.parse_args(argv)
    if args.repo is None:
        sys.path.insert(0, str(HERE))
        import repo_bench

        args.repo = repo_bench.build_stdlib(repo_bench.DEFAULT_WORK)
    formats = args.format or list(FORMATS)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            cache = Path(tmp) / f"cache-{fmt}"
            for run in ("cold", "warm"):
                out = Path(tmp) / f"{fmt}.{run}"
                digest(args.exe, args.repo, fmt, out, cache)
                name = f"{fmt}.{run}"
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(out, args.save / name)
                    print(f"saved    {name}: {out.stat().st_size:,} bytes, sha256 {sha(out)[:16]}")
                    continue
                ref = args.check / name
                if sha(ref) == sha(out):
                    print(f"same     {name}: {out.stat().st_size:,} bytes, sha256 {sha(out)[:16]}")
                else:
                    failed += 1
                    print(f"DIFFERS  {name}: {first_difference(ref, out)}")
    if args.check:
        print("byte-identical" if not failed else f"{failed} digest(s) differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
