"""Secret scanning alone: CPU time of :func:`llmingest.transforms.secrets.find` over a tree, and every hit.

The digest's own timing mixes reading, tokenizing and rendering; this isolates the scan, so a rule
set change is judged by its cost and by what it redacts on code that holds no secrets (false
positives). The texts are read exactly as a digest reads them (``ingest`` with redaction off, no
cache), then each is scanned ``--runs`` times and the median CPU time is printed, with the hits by
kind and (``--show``) each hit's path, line and the text around it.

    nice python3 benchmarks/secrets_bench.py /path/to/stdlib --runs 3 --show 50
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from llmingest import Options, ingest
from llmingest.transforms.secrets import find


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", help="a folder (a git repo or not)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--show", type=int, default=0, help="print up to N hits with their context")
    ap.add_argument("--hidden", action="store_true")
    args = ap.parse_args()
    bundle = ingest(args.root, Options(cache=False), redact_secrets=False, hidden=args.hidden)
    texts = [(d.path, d.content) for d in bundle.documents]
    size = sum(len(t) for _p, t in texts)
    times, hits = [], []
    for _ in range(args.runs):
        start = time.process_time()
        hits = [(path, text, h) for path, text in texts for h in find(path, text)]
        times.append(time.process_time() - start)
    print(f"{len(texts)} texts, {size / 1e6:.1f} M characters")
    print(f"scan CPU: median {statistics.median(times):.3f} s of {args.runs} runs ({', '.join(f'{t:.3f}' for t in times)})")
    print(f"hits: {len(hits)} in {len({p for p, _t, _h in hits})} files")
    for kind, n in Counter(h[2] for _p, _t, h in hits).most_common():
        print(f"  {n:5d} {kind}")
    for path, text, (start, end, kind) in hits[: args.show]:
        line = text.count("\n", 0, start) + 1
        around = text[max(0, start - 40):min(len(text), end + 20)].replace("\n", "\\n")
        print(f"{path}:{line} {kind}: {around[:160]}")


if __name__ == "__main__":
    main()
