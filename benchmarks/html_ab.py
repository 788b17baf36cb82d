#!/usr/bin/env python3
"""Same-process A/B of the HTML converter: another commit's ``converters/`` against the working tree's.

A speed change on a loaded, shared machine is hard to see in two separate runs (the load moves
between them); here both versions convert the same *work* pages of WCXB-dev (benchmarks/wcxb_split.json,
never validation) in one process, taking turns page by page (who goes first alternates), and the CPU
seconds of each are summed. Every page's output (markdown, title, description, metadata) must be the
same; ``--scores`` also compares the learned scorer's inputs and outputs (dense feature rows, hashed
token rows, probabilities) bit for bit, ``--parts`` times the scorer's stages on each side.

The reference ``converters/`` is taken with ``git archive REF converters`` into a temporary folder and
loaded as the package ``llmingest._ab_ref`` (the converters import each other relatively, and
``..errors`` resolves to the installed llmingest, shared by both sides).

Usage::

    nice -n 10 python3 benchmarks/html_ab.py --ref main --stride 2 --rounds 2 --parts
    nice -n 10 python3 benchmarks/html_ab.py --ref HEAD~1 --stride 1 --scores
    nice -n 10 python3 benchmarks/html_ab.py --ref main --no-gc --parts   # stage times without GC pauses
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from html_bench import _read_html, wcxb_pages  # noqa: E402

STAGES = ("segment_blocks", "features", "add_type_features", "predict", "prune")


def load_ref(ref: str, tmp: Path):
    """``converters/`` of git revision ``ref`` as the package ``llmingest._ab_ref``."""
    import llmingest

    data = subprocess.run(["git", "-C", str(HERE.parent), "archive", ref, "converters"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(tmp, filter="data")
    path = str(tmp / "converters")
    spec = importlib.util.spec_from_file_location("llmingest._ab_ref", path + "/__init__.py",
                                                  submodule_search_locations=[path])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["llmingest._ab_ref"] = mod
    llmingest._ab_ref = mod
    spec.loader.exec_module(mod)
    return importlib.import_module("llmingest._ab_ref.html"), importlib.import_module("llmingest._ab_ref.html_blocks")


def _output(convert, html: bytes, url: str) -> tuple:
    try:
        doc = convert(html, url)
    except Exception as exc:  # noqa: BLE001  (a failure is an output too: it must stay the same failure)
        return ("error", type(exc).__name__, str(exc))
    return (doc.content, doc.title, doc.description, json.dumps(doc.metadata, sort_keys=True, default=str))


def _record_predict(mod, sink: list) -> None:
    import numpy as np

    orig = mod.predict

    def predict(model, dense, toks):
        out = orig(model, dense, toks)
        sink.append((np.asarray(dense, dtype=np.float64).tobytes(), [list(t) for t in toks], out.tobytes()))
        return out

    mod.predict = predict


def _time_stages(mod, side: str, spent: dict) -> None:
    for name in STAGES:
        orig = getattr(mod, name)

        def timed(*args, _orig=orig, _key=(side, name), **kwargs):
            t0 = time.process_time()
            try:
                return _orig(*args, **kwargs)
            finally:
                spent[_key] = spent.get(_key, 0.0) + time.process_time() - t0

        setattr(mod, name, timed)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", default="main", help="git revision whose converters/ is side A")
    ap.add_argument("--stride", type=int, default=2, help="every Nth work page")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--scores", action="store_true", help="also compare the scorer's features and scores")
    ap.add_argument("--parts", action="store_true", help="CPU time of the scorer's stages per side")
    ap.add_argument("--no-gc", action="store_true", help="collector off (GC pauses land in whatever stage runs)")
    args = ap.parse_args()

    import llmingest.converters.html as new_html
    import llmingest.converters.html_blocks as new_blocks

    with tempfile.TemporaryDirectory(prefix="html_ab_") as tmp:
        ref_html, ref_blocks = load_ref(args.ref, Path(tmp))
        sides = {"A": (ref_html, ref_blocks), "B": (new_html, new_blocks)}
        sinks: dict = {"A": [], "B": []}
        spent: dict = {}
        if args.scores:
            for side, (_, blocks) in sides.items():
                _record_predict(blocks, sinks[side])
        if args.parts:
            for side, (_, blocks) in sides.items():
                _time_stages(blocks, side, spent)
        pages = [(fid, _read_html(h), json.loads(g.read_text())["url"]) for fid, h, g, _ in
                 wcxb_pages("work")[::args.stride]]
        for html_mod, _ in sides.values():  # models and caches loaded outside the timing
            _output(html_mod.convert, pages[0][1], pages[0][2])
        spent.clear()
        sinks["A"].clear()
        sinks["B"].clear()
        if args.no_gc:
            gc.disable()
        cpu = {"A": 0.0, "B": 0.0}
        diffs: list[str] = []
        score_diffs: list[str] = []
        for r in range(args.rounds):
            for i, (fid, html, url) in enumerate(pages):
                order = ("A", "B") if (i + r) % 2 == 0 else ("B", "A")
                outs = {}
                for side in order:
                    t0 = time.process_time()
                    outs[side] = _output(sides[side][0].convert, html, url)
                    cpu[side] += time.process_time() - t0
                if outs["A"] != outs["B"]:
                    diffs.append(fid)
                if args.scores:
                    if sinks["A"] != sinks["B"]:
                        score_diffs.append(fid)
                    sinks["A"].clear()
                    sinks["B"].clear()
    n = len(pages) * args.rounds
    print(f"{len(pages)} work pages x {args.rounds}: {args.ref} {cpu['A']:.2f} s CPU ({1000 * cpu['A'] / n:.1f} ms/page), "
          f"working tree {cpu['B']:.2f} s ({1000 * cpu['B'] / n:.1f} ms/page): {cpu['A'] / max(cpu['B'], 1e-9):.3f}x")
    print(f"pages whose output differs: {len(diffs)} {' '.join(diffs[:20])}")
    if args.scores:
        print(f"pages whose features or scores differ: {len(score_diffs)} {' '.join(score_diffs[:20])}")
    for name in STAGES if args.parts else ():
        a, b = spent.get(("A", name), 0.0), spent.get(("B", name), 0.0)
        print(f"  {name:18s} {1000 * a / n:6.2f} -> {1000 * b / n:6.2f} ms/page  {a / max(b, 1e-9):.2f}x")
    return 1 if diffs or score_diffs else 0


if __name__ == "__main__":
    sys.exit(main())
