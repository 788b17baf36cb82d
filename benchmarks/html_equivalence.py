#!/usr/bin/env python3
"""Prove a speed change keeps llmingest's HTML output byte-identical: hash every page's conversion.

Converts the pages of the *work* part of ../shared/corpora/html/wcxb-dev (ids in
benchmarks/wcxb_split.json; the validation part is never read here) with
``llmingest.converters.html.convert`` and stores, per page, a SHA-256 of the markdown content and of
the metadata (JSON, sorted keys). ``--record FILE`` writes the hashes, ``--check FILE`` converts
again and lists every page whose output changed (exit status 1 when any did). Also prints CPU
seconds per page, so one run answers "is it the same" and "is it faster".

Usage::

    nice -n 10 python3 benchmarks/html_equivalence.py --record /tmp/before.json       # on the old code
    nice -n 10 python3 benchmarks/html_equivalence.py --check /tmp/before.json        # on the new code
    nice -n 10 python3 benchmarks/html_equivalence.py --check /tmp/before.json --limit 200 --stride 4
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from html_bench import _read_html, wcxb_pages  # noqa: E402  (same page list and reader as the benchmark)


def _digest(doc) -> dict[str, str]:
    meta = json.dumps(doc.metadata, sort_keys=True, ensure_ascii=False, default=str)
    return {
        "content": hashlib.sha256(doc.content.encode("utf-8", "surrogatepass")).hexdigest(),
        "meta": hashlib.sha256(f"{doc.title}\x00{doc.description}\x00{meta}".encode("utf-8", "surrogatepass")).hexdigest(),
    }


def run(limit: int, stride: int) -> tuple[dict[str, dict[str, str]], float]:
    """Hashes of every selected work page's output and the CPU seconds spent converting."""
    from llmingest.converters.html import convert

    pages = wcxb_pages("work")[::stride]
    if limit:
        pages = pages[:limit]
    out: dict[str, dict[str, str]] = {}
    cpu = 0.0
    for fid, html_path, gt_path, _ in pages:
        url = json.loads(gt_path.read_text())["url"]
        html = _read_html(html_path)
        t0 = time.process_time()
        try:
            doc = convert(html, url)
        except Exception as exc:  # a failure is an output too: it must stay the same failure
            cpu += time.process_time() - t0
            out[fid] = {"content": f"error: {type(exc).__name__}: {exc}", "meta": ""}
            continue
        cpu += time.process_time() - t0
        out[fid] = _digest(doc)
    return out, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", type=Path, help="write the hashes here")
    group.add_argument("--check", type=Path, help="compare with hashes recorded earlier")
    ap.add_argument("--limit", type=int, default=0, help="only the first N selected pages")
    ap.add_argument("--stride", type=int, default=1, help="every Nth work page")
    args = ap.parse_args()
    hashes, cpu = run(args.limit, args.stride)
    print(f"{len(hashes)} pages, {cpu:.2f} s CPU, {1000 * cpu / max(1, len(hashes)):.1f} ms/page, "
          f"{len(hashes) / max(cpu, 1e-9):.1f} pages/s")
    if args.record:
        args.record.write_text(json.dumps(hashes, indent=0, sort_keys=True))
        print(f"recorded -> {args.record}")
        return 0
    before = json.loads(args.check.read_text())
    changed = sorted(fid for fid in hashes if fid in before and before[fid] != hashes[fid])
    missing = sorted(fid for fid in hashes if fid not in before)
    for fid in changed:
        parts = [k for k in ("content", "meta") if before[fid][k] != hashes[fid][k]]
        print(f"CHANGED {fid}: {', '.join(parts)}")
    if missing:
        print(f"{len(missing)} pages not in {args.check} (recorded with another --limit/--stride)")
    same = len(hashes) - len(changed) - len(missing)
    print(f"identical: {same}/{len(hashes) - len(missing)}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
