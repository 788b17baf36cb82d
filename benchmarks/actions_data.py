"""The click-to-curl dev set on disk: products, their specs (fetched by fetch_specs.py) and tasks.

Shared by ``actions_bench.py`` (leave-one-product-out scores) and ``actions_train.py`` (the
decision model's weights), so both read the same tasks the same way.

A product file may say ``"designed_on": false``: its tasks were written blind and no feature or veto
was designed looking at them (the two former blind sets, folded in for calibration). They train the
weights like any other, but their leave-one-product-out figures are the honest estimate of how the
model does on an API nobody has looked at, so the threshold rule and the reports single them out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEV_DIR = HERE / "actions_dev"
#: where a new blind set goes (products outside the dev set, tasks written before the changes they
#: judge, never trained on); empty since its two sets were folded into the dev set
BLIND_DIR = HERE / "actions_blind"


@dataclass
class Item:
    id: str
    product: str
    spec: Path
    markdown: str
    expected: tuple[str, str] | None
    required_params: list[str]
    styles: list[str]
    #: False for a product whose tasks no feature or veto was designed on (see the module docstring)
    designed_on: bool = True


def spec_file(locator: dict) -> Path:
    from fetch_specs import spec_file as _sf

    return _sf(locator)


def load(dev_dir: Path = DEV_DIR, pattern: str = "*.json") -> list[Item]:
    """Every task of every product file matching ``pattern``, in a stable order (product, then file
    order); the pattern picks one set out of several in a folder (``x-*.json``)."""
    items = []
    for f in sorted(dev_dir.glob(pattern)):
        doc = json.loads(f.read_text())
        spec = spec_file(doc["spec"])
        for t in doc["tasks"]:
            exp = (t["expected"]["method"], t["expected"]["path"]) if t.get("expected") else None
            items.append(Item(t["id"], doc["product"], spec, t["instruction_markdown"], exp,
                              list(t.get("required_params", [])), list(t.get("styles", [])),
                              bool(doc.get("designed_on", True))))
    return items


def load_specs(items: list[Item], cache_dir: Path | None = None) -> dict[Path, object]:
    """Each spec's index once (through llmingest's cache, so later runs load in milliseconds)."""
    from llmingest.options import Options
    from llmingest.sources.actions import load_index

    opts = Options(cache_dir=cache_dir) if cache_dir else Options()
    out: dict[Path, object] = {}
    for it in items:
        if it.spec not in out:
            if not it.spec.is_file():
                raise SystemExit(f"spec missing: {it.spec} (run: python3 benchmarks/fetch_specs.py)")
            out[it.spec] = load_index(str(it.spec), opts)
    return out
