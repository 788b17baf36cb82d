"""Library resolution on saved registry metadata, and time to docs on a locally served site.

Part 1 resolves the saved PyPI / npm metadata of 50 popular packages (``libdocs_registry.json``,
fetched once from the public indexes; metadata only) to a docs URL, a repository and versioned
docs URLs, and compares each with the answer key checked by hand (``libdocs_expected.json``):

- ``right``: every field given is what a person reading the project's pages would say;
- ``partial``: nothing given is wrong, but the metadata names no docs site where a person would
  find one (the answer falls back to the repository's README/docs at the tag, and says so);
- ``WRONG``: a field differs from the key (a silently wrong answer). The key is the gate: 0 allowed.

Versioned docs are judged separately: ``right`` (the site's versioning scheme is among the
candidates; the exact slug is picked at run time by the page that answers and names the version),
``guess`` (candidates that probably do not exist; the run-time check refuses them), ``missed``
(the site has versioned docs the metadata URL does not reveal), ``none`` (no versioned site).

Part 2 starts a fake PyPI index and a two-version docs site on 127.0.0.1 and times
``library_docs`` for a version served from its llms.txt and one crawled, uncached then cached.

    nice python benchmarks/libdocs_bench.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def resolution_table() -> tuple[list[str], Counter, Counter]:
    from llmingest.sources.libdocs import registry_from_npm, registry_from_pypi, resolve

    data = json.loads((HERE / "libdocs_registry.json").read_text())
    key = json.loads((HERE / "libdocs_expected.json").read_text())
    rows = ["| package | latest | docs URL | repository | versioned docs (first candidate) | verdict | versioned |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    verdicts: Counter = Counter()
    versioned: Counter = Counter()
    for eco in ("pypi", "npm"):
        for name, meta in sorted(data[eco].items()):
            reg = registry_from_pypi(meta) if eco == "pypi" else registry_from_npm(meta)
            res = resolve(reg)
            want = key[f"{eco}:{name}"]
            same = (res.docs_url == want["docs_url"] and res.repository == want["repository"]
                    and res.directory == want["directory"]
                    and bool(res.versioned_docs) == (want["versioned"] in ("right", "guess")))
            verdict = want["verdict"] if same else "WRONG"
            verdicts[verdict] += 1
            versioned[want["versioned"]] += 1
            repo = (res.repository or "-") + (f" ({res.directory})" if res.directory else "")
            first = res.versioned_docs[0] if res.versioned_docs else "-"
            extra = f" (a person: {want['human_docs']})" if want.get("human_docs") else ""
            rows.append(f"| {eco}:{name} | {res.version} | {res.docs_url or '-'}{extra} | {repo} | {first} | "
                        f"{verdict} | {want['versioned']} |")
    return rows, verdicts, versioned


def _serve_fixture(root: Path) -> tuple[str, ThreadingHTTPServer]:
    page = "<!doctype html><html><head><title>{t}</title></head><body><main>{b}</main></body></html>"
    for v, llms in (("2.0.0", True), ("1.0.0", False)):
        d = root / "en" / v
        d.mkdir(parents=True)
        links = "".join(f"<a href='p{i}.html'>Page {i}</a>" for i in range(20))
        (d / "index.html").write_text(page.format(t=f"Demo {v}", b=f"<h1>Demo {v}</h1><p>Version {v}.</p>{links}"))
        for i in range(20):
            body = f"<h1>Page {i}</h1>" + "".join(f"<h2>Topic {i}.{j}</h2><p>{'retries and timeouts ' * 30}</p>"
                                                  for j in range(5))
            (d / f"p{i}.html").write_text(page.format(t=f"Page {i}", b=body))
            if llms:
                (d / f"p{i}.md").write_text(f"# Page {i}\n\n" + "retries and timeouts " * 150 + "\n")
        if llms:
            (d / "llms.txt").write_text("# Demo\n\n> Demo 2.0.0\n\n## Docs\n\n" +
                                        "".join(f"- [Page {i}](p{i}.md)\n" for i in range(20)))
    state: dict = {}

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

        def do_GET(self):  # noqa: N802
            if self.path == "/pypi/demo/json":
                body = json.dumps({"info": {"name": "demo", "version": "2.0.0", "project_urls": {
                    "Documentation": f"{state['base']}/en/stable/"}},
                    "releases": {"1.0.0": [], "2.0.0": []}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["base"] = f"http://127.0.0.1:{server.server_address[1]}"
    return state["base"], server


def timing(runs: int = 3) -> list[str]:
    from llmingest.fetch.cache import ResultCache
    from llmingest.options import Options
    from llmingest.sources.libdocs_content import library_docs, render_docs

    rows = ["| version (served from) | uncached s (median) | cached s (median) |", "| --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        base, server = _serve_fixture(Path(tmp) / "site")
        try:
            for spec in ("demo==2.0.0", "demo==1.0.0"):
                cold, warm, served = [], [], ""
                for i in range(runs):
                    cache = ResultCache(Path(tmp) / f"c{spec}{i}")
                    opts = Options(cache_dir=Path(tmp) / f"h{spec}{i}")
                    t = time.perf_counter()
                    b = library_docs(spec, opts, index=base, cache=cache, topic=True)
                    render_docs(b, "retries", 4000)
                    cold.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    b = library_docs(spec, opts, index=base, cache=cache, topic=True)
                    render_docs(b, "retries", 4000)
                    warm.append(time.perf_counter() - t)
                    served = b.metadata["served_from"]
                rows.append(f"| {spec} ({served}) | {statistics.median(cold):.3f} | {statistics.median(warm):.3f} |")
        finally:
            server.shutdown()
            server.server_close()
    return rows


def main() -> None:
    rows, verdicts, versioned = resolution_table()
    print("\n".join(rows))
    print()
    print(f"resolution: {verdicts['right']} right, {verdicts['partial']} partial, {verdicts['WRONG']} wrong "
          f"of {sum(verdicts.values())}")
    print("versioned docs: " + ", ".join(f"{versioned[k]} {k}" for k in ("right", "guess", "missed", "none")))
    print()
    print("\n".join(timing()))
    if verdicts["WRONG"] or verdicts["right"] < 45:
        sys.exit(1)


if __name__ == "__main__":
    main()
