#!/usr/bin/env python3
"""cProfile of llmingest's HTML conversion on a sample of WCXB-dev's *work* part (never validation),
or with ``--docs`` on Python's own Sphinx docs (python3-doc: the path ``site`` builds take, where the
known-container rules, remove_chrome and the markdown writer do the work instead of the scorer).

cProfile's per-call overhead inflates small, often-called functions; for shares closer to the real
ones sample instead (``py-spy record -f raw -- python3 ...``).

Usage::

    nice -n 10 python3 benchmarks/html_profile.py --stride 4 --top 40
    nice -n 10 python3 benchmarks/html_profile.py --docs --stride 5 --sort tottime
"""

from __future__ import annotations

import argparse
import cProfile
import glob
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
    ap.add_argument("--docs", action="store_true", help="every Nth python3-doc page instead of WCXB")
    args = ap.parse_args()
    from llmingest.converters.html import convert

    pages = []
    if args.docs:
        root = next((Path(p) for p in sorted(glob.glob("/usr/share/doc/python3*/html")) if glob.glob(p + "/library")),
                    None)
        if root is None:
            sys.exit("no python3-doc HTML: apt-get install -y python3-doc")
        for path in sorted(root.rglob("*.html"))[::args.stride]:
            pages.append((path.read_bytes(), "https://docs.python.org/3/" + path.relative_to(root).as_posix()))
    else:
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
