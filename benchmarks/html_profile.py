#!/usr/bin/env python3
"""cProfile of llmingest's HTML conversion on a sample of WCXB-dev's *work* part (never validation).

Usage::

    nice -n 10 python3 benchmarks/html_profile.py --stride 4 --top 40
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from html_bench import _read_html, wcxb_pages  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stride", type=int, default=4, help="every Nth work page")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    ap.add_argument("--out", type=Path, help="also save the raw profile here")
    args = ap.parse_args()
    from llmingest.converters.html import convert

    pages = []
    for _, html_path, gt_path, _ in wcxb_pages("work")[::args.stride]:
        pages.append((_read_html(html_path), json.loads(gt_path.read_text())["url"]))
    convert(pages[0][0], pages[0][1])  # model and caches loaded outside the profile
    prof = cProfile.Profile()
    prof.enable()
    for html, url in pages:
        try:
            convert(html, url)
        except Exception:  # noqa: BLE001  (a failing page is still profiled up to its failure)
            pass
    prof.disable()
    if args.out:
        prof.dump_stats(args.out)
    pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
