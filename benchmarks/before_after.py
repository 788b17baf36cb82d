"""Cold digests by two llmingest installs (before/after a change) and repomix, round-robin, same cores.

On a shared machine the load shifts between minutes, so the two versions are compared within each
round (run i of every command before run i+1 of any), on the same pinned cores, each llmingest run
on an empty token cache; printed per round and as medians: wall, CPU (the whole process tree),
peak RSS, and the anchor's wall/CPU over each version's.

    nice python benchmarks/before_after.py --before /tmp/base/.venv/bin/llmingest --runs 5
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _util  # noqa: E402
import repo_bench  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="the llmingest executable of the old code")
    ap.add_argument("--after", default=str(Path(sys.executable).parent / "llmingest"))
    ap.add_argument("--anchor", default=shutil.which("repomix") or "repomix")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", type=Path, default=repo_bench.DEFAULT_WORK)
    args = ap.parse_args(argv)
    work = args.work.resolve()
    repo = repo_bench.build_stdlib(work)
    for exe in (args.before, args.after):  # both compiled alike, or the comparison measures that
        repo_bench.byte_compile(exe)
    out = work / "out" / "before_after"
    out.mkdir(parents=True, exist_ok=True)
    cmds = {"before": [args.before, "repo", str(repo), "-o", str(out / "before.md")],
            "after": [args.after, "repo", str(repo), "-o", str(out / "after.md")],
            "repomix": repo_bench.command("repomix", args.anchor, repo, out / "repomix.md")}
    runs: dict[str, list[_util.Run]] = {name: [] for name in cmds}
    print(_util.cores_note(), flush=True)
    for i in range(args.runs):
        for name, cmd in cmds.items():
            cache = work / "cache" / "before_after" / name
            shutil.rmtree(cache, ignore_errors=True)
            run = _util.measure(cmd, env={"LLMINGEST_CACHE_DIR": str(cache), "NO_COLOR": "1", "CI": "1"}, timeout=600)
            if not run.ok:
                raise SystemExit(f"{name} failed: {run.stderr[-500:]}")
            runs[name].append(run)
        b, a, r = (runs[n][-1] for n in cmds)
        print(f"round {i + 1}: before {b.wall:.2f} s / {b.cpu:.2f} CPU / {b.peak_rss / 2**20:.0f} MiB; "
              f"after {a.wall:.2f} / {a.cpu:.2f} / {a.peak_rss / 2**20:.0f}; repomix {r.wall:.2f} / {r.cpu:.2f} / "
              f"{r.peak_rss / 2**20:.0f}; repomix/before wall {r.wall / b.wall:.2f} CPU {r.cpu / b.cpu:.2f}; "
              f"repomix/after wall {r.wall / a.wall:.2f} CPU {r.cpu / a.cpu:.2f}", flush=True)
    med = _util.median
    for name in ("before", "after"):
        pairs = list(zip(runs["repomix"], runs[name], strict=True))
        print(f"{name}: median wall {med([x.wall for x in runs[name]]):.2f} s, CPU {med([x.cpu for x in runs[name]]):.2f} s, "
              f"RSS {med([x.peak_rss for x in runs[name]]) / 2**20:.0f} MiB; per-round medians: repomix wall / {name} "
              f"{med([r.wall / x.wall for r, x in pairs]):.2f}x, CPU {med([r.cpu / x.cpu for r, x in pairs]):.2f}x, "
              f"{name} RSS / repomix {med([x.peak_rss / r.peak_rss for r, x in pairs]):.2f}")
    same = (out / "before.md").read_bytes() == (out / "after.md").read_bytes()
    print(f"before and after digests {'byte-identical' if same else 'DIFFER'}; {_util.cores_note()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
