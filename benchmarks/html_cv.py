#!/usr/bin/env python3
"""Out-of-fold scores of the learned HTML scorer on the *work* part of WCXB's dev split.

Why: the shipped weights are trained on every work page, so the work part's benchmark figures are
in-sample (0.68 on product pages there, 0.50 on the validation part). To compare two designs
without opening the validation part, the work pages are cut into 3 folds grouped by domain; each
fold is converted with weights trained on the other two (``train_html_scorer.fit``) and scored with
the shared metric, trafilatura beside it (its outputs cached by ``html_bench.py`` in
benchmarks/.work, computed here when missing).

Usage (needs scikit-learn, like the trainer)::

    nice python3 benchmarks/html_cv.py                 # features cached by the trainer
    nice python3 benchmarks/html_cv.py --rebuild       # after a feature change
    nice python3 benchmarks/html_cv.py --reuse         # same fold weights (a change after the model)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import html_bench as bench  # noqa: E402
import train_html_scorer as trainer  # noqa: E402
from llmingest.converters import html_blocks as hb  # noqa: E402

CV_DIR = HERE / ".work" / "cv"


def folds(ids: list[str], meta: dict, k: int = 3) -> list[set[str]]:
    """Pages grouped by domain into k folds of similar size (deterministic: sorted domains, largest first)."""
    by_domain: dict[str, list[str]] = {}
    for fid in ids:
        by_domain.setdefault(meta[fid]["domain"], []).append(fid)
    out: list[set[str]] = [set() for _ in range(k)]
    for _dom, pages in sorted(by_domain.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        min(out, key=len).update(pages)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rebuild", action="store_true", help="recompute the block features")
    ap.add_argument("--reuse", action="store_true", help="reuse the fold weights in benchmarks/.work/cv")
    ap.add_argument("--trees", type=int, default=120)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--leaf", type=int, default=40)
    ap.add_argument("--balance", type=float, default=0.5)
    ap.add_argument("--dir", default=str(CV_DIR), help="where the fold weights go")
    ap.add_argument("--json", default=None, help="write per-page rows here (work part only)")
    args = ap.parse_args()
    meta = json.loads((bench.WCXB_DEV / "metadata.json").read_text())["files"]
    ids = json.loads(bench.SPLIT.read_text())["work"]
    parts = folds(ids, meta)
    cv_dir = Path(args.dir)
    cv_dir.mkdir(parents=True, exist_ok=True)
    data = None if args.reuse else trainer.load_features(args.rebuild)
    score = bench._scorer()
    pages = {p[0]: p for p in bench.wcxb_pages("work")}
    rows: dict[str, list] = {"llmingest": [], "trafilatura": []}
    cache_dir = HERE / ".work" / "wcxb-trafilatura"
    spent = 0.0
    for k, part in enumerate(parts):
        path = cv_dir / f"fold{k}.json"
        if not args.reuse:
            mask = ~np.isin(data["page"], sorted(part))
            trainer.write_model(trainer.fit(data, mask, args.trees, args.depth, rate=args.rate, leaf=args.leaf,
                                                          balance=args.balance), str(path))
        original = hb.load_model.__wrapped__
        model = original(str(path))
        hb.load_model = lambda path=None, _m=model: _m  # learned_main asks the module for its model
        for fid in sorted(part):
            _, html_path, gt_path, ptype = pages[fid]
            doc = json.loads(gt_path.read_text())
            html = bench._read_html(html_path)
            gt = doc["ground_truth"]
            t0 = time.process_time()
            try:
                md = bench.llmingest_md(html, doc["url"])
            except Exception as exc:  # noqa: BLE001 - a failing page scores 0, like an empty output
                print(f"  llmingest failed on {fid}: {exc}", file=sys.stderr)
                md = ""
            spent += time.process_time() - t0
            cached = cache_dir / f"work-{fid}.md"
            if cached.exists():
                tmd = cached.read_text(encoding="utf-8")
            else:
                tmd = bench.trafilatura_md(html, doc["url"])
                cache_dir.mkdir(parents=True, exist_ok=True)
                cached.write_text(tmd, encoding="utf-8")
            for name, out in (("llmingest", md), ("trafilatura", tmd)):
                pred = score.strip_md(out)
                p, r, f = score.word_f1(pred, gt.get("main_content") or "")
                leaked = score.snippets(pred, gt.get("without") or [])
                rows[name].append((fid, ptype, p, r, f, leaked))
        hb.load_model = trainer.hb.load_model = _restore(original)
        print(f"fold {k}: {len(part)} pages", flush=True)
    result = {"part": "work (out-of-fold)", "pages": len(ids), "tools": {}}
    for name, rs in rows.items():
        types = ["all"] + sorted({r[1] for r in rs})
        result["tools"][name] = {"pages_per_s": len(rs) / spent if name == "llmingest" and spent else None,
                                 "types": {t: bench._summary([r for r in rs if t == "all" or r[1] == t]) for t in types}}
    by_id = {r[0]: r for r in rows["trafilatura"]}
    result["lost"] = sum(1 for r in rows["llmingest"] if r[3] < 0.2 <= 0.8 <= by_id[r[0]][3])
    print(bench.wcxb_table(result))
    if args.json:
        Path(args.json).write_text(json.dumps({"llmingest": rows["llmingest"], "trafilatura": rows["trafilatura"]}))


def _restore(original):
    import functools

    return functools.lru_cache(maxsize=1)(original)


if __name__ == "__main__":
    main()
