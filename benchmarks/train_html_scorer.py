#!/usr/bin/env python3
"""Train the block scorer of converters/html_blocks.py on the *work* part of WCXB's dev split.

Each page is cleaned as ``converters.html.convert`` does (decode, parse, hidden text out), cut into
blocks, and each block labelled with the share of its words that are in the page's ground truth
(word trigrams, see ``html_blocks.labels``). Two models, stacked:

1. a logistic regression over hashed class/id/itemprop words of the block and its ancestors (and the
   page's JSON-LD types); its out-of-fold logit (folds grouped by domain) is one feature of
2. a gradient-boosted tree set (scikit-learn's HistGradientBoostingClassifier) over the dense features.

Blocks are weighted by their share of the page's words, so every page counts the same (the
benchmark macro-averages word F1 over pages). The weights are written as JSON to
converters/html_weights.json (trees as arrays; inference is numpy in the package).

Needs scikit-learn (training only, not a dependency of llmingest)::

    pip install scikit-learn
    nice python3 benchmarks/train_html_scorer.py                # features cached in benchmarks/.work
    nice python3 benchmarks/train_html_scorer.py --rebuild      # after changing the features
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from html_bench import SPLIT, WCXB_DEV  # noqa: E402
from llmingest.converters import html_blocks as hb  # noqa: E402
from llmingest.converters.html import _parse  # noqa: E402
from llmingest.converters.html_charset import decode  # noqa: E402
from llmingest.converters.html_pagetype import jsonld_facts  # noqa: E402
from llmingest.converters.html_select import doxygen_title, remove_hidden, unstream_suspense  # noqa: E402

CACHE = HERE / ".work" / "html_scorer_features.pkl"
OUT = HERE.parent / "converters" / "html_weights.json"


def page_rows(html: bytes, truth: str, url: str | None = None):
    text = decode(html, None)
    root = _parse(text)
    doxygen_title(root)
    unstream_suspense(root, text)
    jsonld = jsonld_facts(root)
    remove_hidden(root)
    _body, blocks, dense, toks, _sel, _rule = hb.page_blocks(root, text, url, jsonld)
    return dense, toks, hb.labels(blocks, truth), [len(hb._WORD.findall(b.text)) for b in blocks]


def build(ids: list[str]) -> dict:
    meta = json.loads((WCXB_DEV / "metadata.json").read_text())["files"]
    dense, toks, y, w, groups, page = [], [], [], [], [], []
    t0 = time.time()
    for n, fid in enumerate(ids):
        html = gzip.decompress((WCXB_DEV / "html" / f"{fid}.html.gz").read_bytes())
        doc = json.loads((WCXB_DEV / "ground-truth" / f"{fid}.json").read_text())
        truth = doc["ground_truth"].get("main_content") or ""
        d, t, lab, words = page_rows(html, truth, doc["url"])
        total = max(1, sum(words))
        dense += d
        toks += t
        y += lab
        w += [x / total for x in words]
        groups += [meta[fid]["domain"]] * len(d)
        page += [fid] * len(d)
        if n % 100 == 0:
            print(f"  {n}/{len(ids)} pages, {len(y)} blocks, {time.time() - t0:.0f}s", file=sys.stderr)
    return {"dense": np.asarray(dense), "toks": toks, "y": np.asarray(y), "w": np.asarray(w),
            "groups": np.asarray(groups), "page": np.asarray(page), "names": hb.DENSE_NAMES}


def token_matrix(toks):
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for t in toks:
        indices += t
        indptr.append(len(indices))
    return csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(toks), hb.N_HASH))


def export_trees(clf) -> tuple[list[dict], float]:
    trees = []
    for predictors in clf._predictors:
        nodes = predictors[0].nodes
        trees.append({
            "feature": nodes["feature_idx"].astype(int).tolist(),
            "threshold": [float(x) for x in nodes["num_threshold"]],
            "left": nodes["left"].astype(int).tolist(),
            "right": nodes["right"].astype(int).tolist(),
            "value": [round(float(x), 7) for x in nodes["value"]],
            "leaf": [bool(x) for x in nodes["is_leaf"]],
            "depth": int(nodes["depth"].max()),
        })
    return trees, float(np.ravel(clf._baseline_prediction)[0])


def type_weights(pages, power: float) -> np.ndarray:
    """Per block: (pages of all types / pages of its page's type) ** power, so the 462 articles of the
    work part do not drown the 60 shops (WCXB's page types, used for weighting only, never as a feature)."""
    meta = json.loads((WCXB_DEV / "metadata.json").read_text())["files"]
    kinds = {fid: meta[fid]["page_type"] for fid in set(pages.tolist())}
    counts: dict[str, int] = {}
    for kind in kinds.values():
        counts[kind] = counts.get(kind, 0) + 1
    mean = len(kinds) / len(counts)
    return np.array([(mean / counts[kinds[fid]]) ** power for fid in pages])


def fit(data: dict, rows=None, trees: int = 120, depth: int = 6, cv: bool = False, rate: float = 0.1,
        leaf: int = 40, balance: float = 0.0) -> dict:
    """Train both stages on the blocks ``rows`` (a boolean mask; all when None); the model as JSON-able
    dict (what html_weights.json holds). ``cv`` also prints a domain-grouped 3-fold check; ``balance``
    is the power of :func:`type_weights` (0: every page counts the same)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import GroupKFold

    X, y, w, groups = data["dense"], data["y"], data["w"], data["groups"]
    if balance:
        w = w * type_weights(data["page"], balance)
    toks = data["toks"]
    if rows is not None:
        idx = np.flatnonzero(rows)
        X, y, w, groups = X[idx], y[idx], w[idx], groups[idx]
        toks = [toks[i] for i in idx]
    target = (y >= 0.5).astype(int)
    print(f"{len(y)} blocks; positive share {np.average(target, weights=w):.3f}", flush=True)
    t0 = time.time()
    T = token_matrix(toks)
    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=3).split(T, target, groups):
        lr = SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=8, tol=None, random_state=0)
        lr.fit(T[train], target[train], sample_weight=w[train] * 1000)
        oof[test] = lr.decision_function(T[test])
    lr = SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=8, tol=None, random_state=0)
    lr.fit(T, target, sample_weight=w * 1000)
    print(f"  token model {time.time() - t0:.0f}s", flush=True)
    ti = hb.DENSE_NAMES.index("token_score")
    X = X.copy()
    X[:, ti] = oof
    clf = HistGradientBoostingClassifier(max_iter=trees, max_depth=depth, learning_rate=rate,
                                         max_leaf_nodes=31, l2_regularization=1.0, min_samples_leaf=leaf,
                                         random_state=0)
    # out-of-fold check of the stacked model (folds grouped by domain)
    scores = []
    for train, test in (GroupKFold(n_splits=3).split(X, target, groups) if cv else []):
        c = HistGradientBoostingClassifier(**clf.get_params()).fit(X[train], target[train], sample_weight=w[train])
        p = c.predict_proba(X[test])[:, 1]
        scores.append(np.average((p >= 0.5) == target[test], weights=w[test]))
    if cv:
        print("grouped 3-fold word-weighted accuracy:", [round(s, 3) for s in scores])
    clf.fit(X, target, sample_weight=w)
    print(f"  trees {time.time() - t0:.0f}s", flush=True)
    trees_out, baseline = export_trees(clf)
    model = {
        "about": "llmingest main-content block scorer. Trained on the work part of the WCXB development "
                 "split (WCXB: CC-BY-4.0, Murrough Foley), see benchmarks/train_html_scorer.py.",
        "dense_names": hb.DENSE_NAMES, "n_hash": hb.N_HASH,
        "token_weights": [round(float(x), 6) for x in lr.coef_[0]], "token_bias": round(float(lr.intercept_[0]), 5),
        "baseline": baseline, "trees": trees_out,
    }
    model["_check"] = (clf, lr, ti)
    return model


def load_features(rebuild: bool = False) -> dict:
    """Block features of the work part (cached in benchmarks/.work; ``rebuild`` after a feature change)."""
    ids = json.loads(SPLIT.read_text())["work"]  # the validation part is never read here
    if rebuild or not CACHE.exists():
        data = build(ids)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(data))
    return pickle.loads(CACHE.read_bytes())


def write_model(model: dict, out: str) -> None:
    Path(out).write_text(json.dumps({k: v for k, v in model.items() if not k.startswith("_")},
                                    separators=(",", ":")) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--trees", type=int, default=120)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--leaf", type=int, default=40, help="min_samples_leaf of the trees")
    ap.add_argument("--balance", type=float, default=0.5, help="page-type weighting power (see type_weights)")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--no-cv", action="store_true", help="skip the grouped cross-validation of the trees")
    args = ap.parse_args()
    data = load_features(args.rebuild)
    print(f"{len(data['y'])} blocks from {len(set(data['page']))} pages")
    model = fit(data, None, args.trees, args.depth, cv=not args.no_cv, rate=args.rate, leaf=args.leaf,
                balance=args.balance)
    clf, lr, ti = model["_check"]
    model["trained_with"] = (f"train_html_scorer.py --trees {args.trees} --depth {args.depth} --rate {args.rate} "
                             f"--leaf {args.leaf} --balance {args.balance}")
    write_model(model, args.out)
    # self-check: the packed numpy inference gives sklearn's probabilities
    hb.load_model.cache_clear()
    m = hb.load_model(args.out)
    sample = slice(0, 2000)
    T = token_matrix(data["toks"][sample])
    mine = hb.predict(m, data["dense"][sample].tolist(), data["toks"][sample])
    Xs = data["dense"][sample].copy()
    Xs[:, ti] = np.asarray(T @ lr.coef_[0]).ravel() + lr.intercept_[0]
    ref = clf.predict_proba(Xs)[:, 1]
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e3:.0f} kB); max |numpy - sklearn| = "
          f"{np.abs(mine - ref).max():.2e}")


if __name__ == "__main__":
    main()
