#!/usr/bin/env python3
"""Split WCXB's development set into a work part and a validation part (ids only).

Why: rules written against the pages one looks at score far better there than on unseen pages
(0.951 vs 0.791). Tuning and training use only the *work* part; the *validation* part is scored in
aggregate at checkpoints and never looked at page by page, so its figure predicts held-out data.

The split is stratified by page type and grouped by domain (every page of a domain lands on one
side, so a site's template cannot be learned on one side and "predicted" on the other), seeded and
deterministic: the same metadata.json always gives the same benchmarks/wcxb_split.json.

Usage::

    python3 benchmarks/wcxb_split.py                      # writes benchmarks/wcxb_split.json
    python3 benchmarks/wcxb_split.py --corpus DIR --validation 0.35 --seed 13
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = next((p / "shared" for p in HERE.parents if (p / "shared" / "corpora").is_dir()), Path("/work/shared"))
CORPUS = SHARED / "corpora" / "html" / "wcxb-dev"
OUT = HERE / "wcxb_split.json"


def split(files: dict[str, dict], share: float, seed: int) -> dict[str, list[str]]:
    """Greedy domain-grouped, type-stratified split: each domain (in a seeded random order) goes to
    the validation side when that keeps its page types at or under their validation targets."""
    by_domain: dict[str, list[str]] = defaultdict(list)
    for fid, meta in sorted(files.items()):
        by_domain[meta["domain"]].append(fid)
    totals = Counter(meta["page_type"] for meta in files.values())
    target = {t: share * n for t, n in totals.items()}
    domains = sorted(by_domain)
    random.Random(seed).shuffle(domains)
    val_counts: Counter[str] = Counter()
    validation: list[str] = []
    work: list[str] = []
    for domain in domains:
        ids = by_domain[domain]
        need = Counter(files[i]["page_type"] for i in ids)
        # fits when no page type of this domain would overshoot its target by more than half a page
        fits = all(val_counts[t] + n <= target[t] + 0.5 for t, n in need.items())
        if fits:
            validation += ids
            val_counts.update(need)
        else:
            work += ids
    return {"work": sorted(work), "validation": sorted(validation)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--validation", type=float, default=0.35)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    files = json.loads((Path(args.corpus) / "metadata.json").read_text())["files"]
    parts = split(files, args.validation, args.seed)
    doc = {"corpus": "wcxb-dev", "seed": args.seed, "validation_share": args.validation,
           "note": "ids of WCXB (CC-BY-4.0, Murrough Foley) development split; grouped by domain, "
                   "stratified by page type. Never inspect validation pages page by page.",
           **parts}
    Path(args.out).write_text(json.dumps(doc, indent=1) + "\n")
    for part in ("work", "validation"):
        types = Counter(files[i]["page_type"] for i in parts[part])
        print(part, len(parts[part]), dict(sorted(types.items())))
    doms = [{files[i]["domain"] for i in parts[p]} for p in ("work", "validation")]
    assert not (doms[0] & doms[1]), "a domain on both sides"


if __name__ == "__main__":
    main()
