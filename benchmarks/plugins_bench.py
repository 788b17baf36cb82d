"""Docs plugins side by side: llmingest's MkDocs plugin vs mkdocs-llmstxt, its Sphinx extension
vs sphinx-llms-txt, on the same generated projects in one run.

For each generator the script builds the same project three ways (no llms plugin, llmingest, the
anchor), round-robin ``--runs`` times, and prints median wall and CPU time and each plugin's CPU
cost over the plain build (CPU, because wall time on a shared machine mostly measures the
neighbours), and the plugin's own CPU (its import and setup and every event handler it registered,
timed inside the build: the whole-build difference moves by +-0.3 s between identical builds on a
busy machine, more than either plugin costs), plus what ended up in ``llms-full.txt`` (the one output both
tools write): pages present, snippets expanded, code fenced with its language, generator syntax
leaked (``!!!``, ``===``, ``.. note::``), relative links left, HTML leaked, and whether llms.txt
parses with the reference ``llms-txt`` parser and lists every page.

Install the anchors first (once): ``pip install mkdocs-llmstxt sphinx-llms-txt`` (plus the
``[mkdocs]``/``[sphinx]``/``[test]`` extras). Run, niced, on a shared machine:

    nice -n 10 python3 benchmarks/plugins_bench.py --pages 120 --runs 3
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sys
import textwrap
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import fmt_seconds, measure, median, table  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work" / "plugins"
SECTIONS = 4


# ---------------------------------------------------------------------------------------------
# generated projects


def mkdocs_project(root: Path, pages: int, plugin: str) -> Path:
    docs = root / "docs"
    per = max(1, pages // SECTIONS)
    nav = []
    for s in range(SECTIONS):
        items = []
        for j in range(per):
            i = s * per + j
            rel = f"sec-{s}/page-{j}.md"
            nxt = f"page-{(j + 1) % per}.md"
            path = docs / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(f"""\
                # Page {i}

                PAGEMARK-{i} explains topic {i}. See [the next page]({nxt}) and
                [details elsewhere](../sec-{(s + 1) % SECTIONS}/page-0.md#details).

                !!! note "Remember"
                    A note with `code` and a [link]({nxt}).

                ## Details

                ```python
                def f{i}(x):
                    return x + {i}
                ```

                --8<-- "shared.md"

                | Key | Value |
                | --- | --- |
                | k{i} | v{i} |

                === "Tab A"

                    Text in tab A of page {i}.
                """))
            items.append(rel)
        nav.append({f"Section {s}": items})
    (docs / "index.md").write_text("# Bench\n\nPAGEMARK-home A generated site.\n")
    (root / "snippets").mkdir(parents=True, exist_ok=True)
    (root / "snippets" / "shared.md").write_text("SNIPPET-MARKER: a paragraph shared by every page.\n")
    plugins: list = ["search"]
    if plugin == "llmingest":
        plugins.append("llmingest")
    elif plugin == "anchor":
        plugins.append({"llmstxt": {"full_output": "llms-full.txt", "sections": {
            "Home": ["index.md"], **{f"Section {s}": [f"sec-{s}/*.md"] for s in range(SECTIONS)}}}})
    cfg = {
        "site_name": "Bench", "site_description": "A generated site.", "site_url": "https://bench.example.org/",
        "theme": {"name": "material"}, "nav": [{"Home": "index.md"}, *nav], "plugins": plugins,
        "markdown_extensions": ["admonition", "pymdownx.superfences", {"pymdownx.tabbed": {"alternate_style": True}},
                                {"pymdownx.snippets": {"base_path": [str(root / "snippets")]}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return root


def sphinx_project(root: Path, pages: int, plugin: str) -> Path:
    src = root / "src"
    per = max(1, pages // SECTIONS)
    toctrees = []
    for s in range(SECTIONS):
        names = []
        for j in range(per):
            i = s * per + j
            name = f"sec{s}/page{j}"
            path = src / f"{name}.rst"
            path.parent.mkdir(parents=True, exist_ok=True)
            title = f"Page {i}"
            path.write_text(textwrap.dedent(f"""\
                {title}
                {"=" * len(title)}

                PAGEMARK-{i} explains topic {i}. See :doc:`page{(j + 1) % per}` and
                :ref:`details of page 0 <details-{s}-0>`.

                .. note::

                   A note with ``code``.

                .. _details-{s}-{j}:

                Details
                -------

                .. code-block:: python

                   def f{i}(x):
                       return x + {i}

                ======  ======
                Key     Value
                ======  ======
                {f"k{i}":<6}  v{i}
                ======  ======
                """))
            names.append(name)
        toctrees.append(f".. toctree::\n   :caption: Section {s}\n\n" + "\n".join(f"   {n}" for n in names) + "\n")
    (src / "index.rst").write_text("Bench\n=====\n\nPAGEMARK-home A generated project.\n\n" + "\n".join(toctrees))
    ext = {"none": [], "llmingest": ["llmingest.site_plugin.sphinx"], "anchor": ["sphinx_llms_txt"]}[plugin]
    (src / "conf.py").write_text(f'project = "Bench"\nextensions = {ext!r}\n'
                                 'html_baseurl = "https://bench.example.org/"\n')
    return root


# ---------------------------------------------------------------------------------------------
# what ended up in the outputs


def quality(out: Path, pages: int, generator: str) -> dict[str, object]:
    import llms_txt

    full_path = out / "llms-full.txt"
    full = full_path.read_text() if full_path.exists() else ""
    marks = set(re.findall(r"PAGEMARK-(\d+|home)", full))
    fenced = len(re.findall(r"^```python\s*$", full, re.M))
    if generator == "mkdocs":
        leaked = len(re.findall(r"^\s*(!!!|\?\?\?|===) ", full, re.M))
    else:
        leaked = len(re.findall(r"^\s*\.\. [a-z-]+::|:(doc|ref):`", full, re.M))
    links = re.findall(r"\]\(([^)\s]+)\)", full)
    relative = sum(1 for u in links if not re.match(r"^(https?:|mailto:|#)", u))
    html = len(re.findall(r"<(div|span|p|a|table|pre|code)\b", full))
    listed = "no llms.txt"
    if (out / "llms.txt").exists():
        try:
            ref = llms_txt.parse_llms_file((out / "llms.txt").read_text())
            n = sum(len(v) for v in ref.sections.values())
            listed = f"{n}/{pages + 1}"
        except Exception as exc:  # the reference parser raises on malformed files
            listed = f"parse error ({type(exc).__name__})"
    mirrors = sum(1 for _ in out.rglob("*.md"))
    return {
        "pages in full": f"{len(marks)}/{pages + 1}",
        "snippets": full.count("SNIPPET-MARKER") if generator == "mkdocs" else "-",
        "```python": fenced,
        "syntax leaked": leaked,
        "relative links": relative,
        "HTML tags": html,
        "llms.txt lists": listed,
        ".md mirrors": mirrors,
    }


# Each build runs through this runner: the generator in-process, with the CPU spent in the one
# plugin's own code (its import and setup, and every event handler it registered) added up and
# printed as the last line. A whole build's CPU varies by +-0.3 s between identical runs on a busy
# machine, more than either plugin costs; the plugin's own share varies only with itself.
_RUNNER = r"""
import json, sys, time
generator, plugin, module, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
own = {"load": 0.0, "events": 0.0}

def timed(fn, key):
    def run(*a, **k):
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            own[key] += time.process_time() - t
    if hasattr(fn, "mkdocs_priority"):  # MkDocs orders a plugin's handlers by it
        run.mkdocs_priority = fn.mkdocs_priority
    return run

def ours(fn):
    return (getattr(fn, "__module__", "") or "").split(".")[0] == module

if generator == "sphinx":
    import sphinx.application as sa
    from sphinx.cmd.build import build_main
    setup_extension, connect = sa.Sphinx.setup_extension, sa.Sphinx.connect
    sa.Sphinx.setup_extension = lambda self, name: (timed(setup_extension, "load") if name == plugin else setup_extension)(self, name)
    sa.Sphinx.connect = lambda self, event, fn, priority=500: connect(self, event, timed(fn, "events") if ours(fn) else fn, priority)
    rc = build_main(args)
else:
    from mkdocs.__main__ import cli
    from mkdocs.config import config_options
    from mkdocs.plugins import PluginCollection
    load, register = config_options.Plugins.load_plugin, PluginCollection._register_event
    config_options.Plugins.load_plugin = lambda self, name, config: (timed(load, "load") if name == plugin else load)(self, name, config)
    PluginCollection._register_event = lambda self, event, method, plugin_name=None: register(
        self, event, timed(method, "events") if ours(method) else method, plugin_name)
    try:
        cli.main(args, standalone_mode=False)
        rc = 0
    except SystemExit as exc:
        rc = exc.code or 0
print(json.dumps({"own_cpu": own["load"] + own["events"], **own}))
sys.exit(rc)
"""
#: (name the generator loads the plugin by, the top-level module its handlers live in)
_PLUGIN_NAMES = {("sphinx", "none"): ("-", "-"),
                 ("sphinx", "llmingest"): ("llmingest.site_plugin.sphinx", "llmingest"),
                 ("sphinx", "anchor"): ("sphinx_llms_txt", "sphinx_llms_txt"),
                 ("mkdocs", "none"): ("-", "-"),
                 ("mkdocs", "llmingest"): ("llmingest", "llmingest"),
                 ("mkdocs", "anchor"): ("llmstxt", "mkdocs_llmstxt")}


def _own_cpu(stdout: str) -> float | None:
    import json

    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line).get("own_cpu")
    return None


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


PLUGINS = ("none", "llmingest", "anchor")


def bench(generator: str, pages: int, runs: int) -> list[list[object]]:
    """Build each configuration ``runs`` times, round-robin (so a busy moment on the shared
    machine hits all three alike), and report median wall and CPU time (CPU is what the plugin
    itself costs; wall also counts waiting for the other tenants)."""
    setups = {}
    for plugin in PLUGINS:
        root = WORK / generator / plugin
        shutil.rmtree(root, ignore_errors=True)
        runner = [sys.executable, "-c", _RUNNER, generator, *_PLUGIN_NAMES[generator, plugin]]
        if generator == "mkdocs":
            mkdocs_project(root, pages, plugin)
            out = root / "site"
            cmd = [*runner, "build", "-q", "-f", str(root / "mkdocs.yml")]
        else:
            sphinx_project(root, pages, plugin)
            out = root / "html"
            cmd = [*runner, "-q", "-E", "-b", "html", str(root / "src"), str(out)]
        setups[plugin] = (root, out, cmd)
    walls: dict[str, list[float]] = {p: [] for p in PLUGINS}
    cpus: dict[str, list[float]] = {p: [] for p in PLUGINS}
    owns: dict[str, list[float]] = {p: [] for p in PLUGINS}
    failed: set[str] = set()
    for _ in range(runs):
        for plugin in PLUGINS:
            if plugin in failed:
                continue
            root, out, cmd = setups[plugin]
            shutil.rmtree(out, ignore_errors=True)
            before = _cpu_children()
            run = measure(cmd, cwd=str(root), env={"NO_MKDOCS_2_WARNING": "1"}, timeout=1800)
            cpu = _cpu_children() - before
            if not run.ok:
                print(f"{generator}/{plugin} failed: {run.stderr[-2000:]}", file=sys.stderr)
                failed.add(plugin)
                continue
            walls[plugin].append(run.wall)
            cpus[plugin].append(cpu)
            own = _own_cpu(run.stdout)
            if own is not None:
                owns[plugin].append(own)
    rows = []
    total = (pages // SECTIONS) * SECTIONS
    base_cpu = median(cpus["none"]) if cpus["none"] else None
    for plugin in PLUGINS:
        name = {"none": "no plugin", "llmingest": "llmingest",
                "anchor": "mkdocs-llmstxt" if generator == "mkdocs" else "sphinx-llms-txt"}[plugin]
        if plugin in failed or not walls[plugin]:
            rows.append([generator, name, "failed", "", "", "", *[""] * 8])
            continue
        own_cpu = "-" if plugin == "none" or not owns[plugin] else fmt_seconds(median(owns[plugin]))
        cpu = median(cpus[plugin])
        delta = None if plugin == "none" or base_cpu is None else cpu - base_cpu
        extra = "-" if delta is None else ("+" if delta >= 0 else "-") + fmt_seconds(abs(delta))
        q = quality(setups[plugin][1], total, generator) if plugin != "none" else {}
        rows.append([generator, name, fmt_seconds(median(walls[plugin])), fmt_seconds(cpu), extra, own_cpu,
                     *[q.get(k, "-") for k in ("llms.txt lists", "pages in full", "snippets", "```python",
                                               "syntax leaked", "relative links", "HTML tags", ".md mirrors")]])
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=120, help="pages per project (rounded down to 4 sections)")
    ap.add_argument("--runs", type=int, default=3, help="builds per configuration (median)")
    ap.add_argument("--only", choices=["mkdocs", "sphinx"], help="run one generator only")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for generator in ("mkdocs", "sphinx"):
        if args.only and args.only != generator:
            continue
        rows += bench(generator, args.pages, args.runs)
    headers = ["generator", "plugin", "wall (median)", "CPU (median)", "plugin CPU", "plugin's own CPU", "llms.txt lists", "pages in llms-full",
               "snippets expanded", "```python fences", "syntax leaked", "relative links", "HTML tags", ".md mirrors"]
    print(f"{args.pages} pages, {args.runs} runs each, cpu count {os.cpu_count()}\n")
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
