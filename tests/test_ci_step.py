"""The CI step shipped three ways, each run for real against a built static site in a temp dir.

- the composite GitHub Action (action.yml): its `run:` steps are executed exactly as written, with
  `${{ inputs.* }}` and `${{ github.action_path }}` substituted the way the runner does, in bash
  with the runner's flags. Its install step really pip-installs llmingest from a copy of this
  repository into a fresh venv (offline: the venv sees this environment's packages and pip may
  not use an index). The `uses: actions/setup-python` step is the only one not run: it needs the
  network, and the test's own Python stands in for it.
- the pre-commit hook (.pre-commit-hooks.yaml): `entry` + the example config's `args`.
- the copy-paste workflow (examples/ci-workflow/llms-txt.yml): its site build step on the example
  MkDocs project, then both of its uses of the Action with their `with:` values.
Both `--check` outcomes are tested for each.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import site
import subprocess
import sys
from pathlib import Path

import llms_txt
import pytest
import yaml
from llmingest.converters.llmstxt import validate

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
WORKFLOW = yaml.safe_load((ROOT / "examples" / "ci-workflow" / "llms-txt.yml").read_text())
PRECOMMIT = yaml.safe_load((ROOT / "examples" / "ci-workflow" / "pre-commit-config.yaml").read_text())
BASE = "https://docs.example.org/"


def _page(title: str, body: str, description: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Hugo Docs</title>'
            f'<meta name="description" content="{description}"><link rel="stylesheet" href="/css/site.css"></head>'
            '<body><header class="site-header"><nav><a href="/">Home</a> <a href="/docs/install/">Install</a>'
            f'</nav></header><main><article><h1>{title}</h1>{body}</article></main>'
            "<footer><p>© 2026 Hugo Docs. Built with Hugo.</p></footer></body></html>")


PAGES = {
    "index.html": _page("Hugo Docs", '<p>Hugo Docs explains the example tool.</p><p>Read <a href="docs/install/">'
                        "Install</a>.</p>", "Docs of the example tool."),
    "docs/install/index.html": _page("Install", '<p>Install with pip.</p><pre><code class="language-bash">'
                                     "pip install example</code></pre>"),
    "docs/usage/index.html": _page("Usage", "<p>Run <code>example --help</code> to see all flags.</p>"),
    "blog/hello/index.html": _page("Hello", "<p>Our first post.</p>"),
}
MIRRORS = ["index.md", "docs/install/index.md", "docs/usage/index.md", "blog/hello/index.md"]


def make_static_site(folder: Path) -> Path:
    """What Hugo/Docusaurus/VitePress leave in their output folder: HTML pages and assets."""
    for rel, text in PAGES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (folder / "css").mkdir(exist_ok=True)
    (folder / "css" / "site.css").write_text("body { margin: 0 }\n")
    return folder


def check_outputs(folder: Path) -> None:
    text = (folder / "llms.txt").read_text()
    assert validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Hugo Docs"
    urls = sorted(link["url"] for links in ref.sections.values() for link in links)
    assert urls == sorted(BASE + m for m in MIRRORS)
    for mirror in MIRRORS:
        body = (folder / mirror).read_text()
        assert "<" not in body.replace("<!--", "") and "Built with Hugo" not in body, mirror
    assert "pip install example" in (folder / "llms-full.txt").read_text()


# ---------------------------------------------------------------------------------------------
# the GitHub Action

_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _expand(text: str, inputs: dict[str, str], action_path: Path) -> str:
    def value(m: re.Match) -> str:
        expr = m.group(1)
        if expr == "github.action_path":
            return str(action_path)
        if expr == "steps.python.outputs.python-path":  # setup-python's interpreter: here the test's venv
            return str(action_path.parent / "venv" / "bin" / "python3")
        if expr.startswith("inputs."):
            name = expr[len("inputs."):]
            return str(inputs.get(name, ACTION["inputs"][name].get("default", "")))
        raise AssertionError(f"expression the test cannot evaluate: {expr}")

    return _EXPR.sub(value, text)


def _run_steps(steps: list[dict], inputs: dict[str, str], action_path: Path, cwd: Path,
               env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run composite `run:` steps as the runner does (bash --noprofile --norc -eo pipefail)."""
    proc = None
    for step in steps:
        if "uses" in step:
            continue
        assert step.get("shell") == "bash"  # composite steps must name their shell
        script = _expand(step["run"], inputs, action_path)
        step_env = {**env, "GITHUB_ACTION_PATH": str(action_path),
                    **{k: _expand(str(v), inputs, action_path) for k, v in step.get("env", {}).items()}}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                              env=step_env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            return proc
    assert proc is not None
    return proc


INSTALL_STEPS = [s for s in ACTION["runs"]["steps"] if "pip install" in s.get("run", "")]
MAIN_STEPS = [s for s in ACTION["runs"]["steps"] if s not in INSTALL_STEPS]


@pytest.fixture(scope="module")
def action(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The action checked out (a copy of this repo) and a Python with its install step done."""
    tmp = tmp_path_factory.mktemp("action")
    action_path = tmp / "llmingest-action"
    shutil.copytree(ROOT, action_path, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "*.egg-info", "build", "dist", ".venv", "site", ".work", ".pytest_cache",
        ".ruff_cache", "node_modules"))
    venv = tmp / "venv"
    # The venv sees this environment's packages (llmingest's dependencies, pip, setuptools) through a
    # .pth of plain paths: that works even when the tests themselves run inside a venv (where
    # --system-site-packages would only reach the base interpreter), and plain paths do not run the
    # editable install's import hook, so the venv's own llmingest is the one imported.
    # --without-pip: a venv's bundled setuptools may be too old for the PEP 639 license field.
    # PIP_NO_BUILD_ISOLATION=0 is pip's (inverted) spelling of --no-build-isolation: nothing is downloaded.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    venv_site = Path(subprocess.run([str(venv / "bin" / "python3"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                    check=True, capture_output=True, text=True, timeout=120).stdout.strip())
    outer = [p for p in [*site.getsitepackages(), site.getusersitepackages()] if Path(p).is_dir()]
    (venv_site / "_outer_env.pth").write_text("\n".join(outer) + "\n")
    # PATH stays the job's own (setup-python runs with update-environment: false): the action must
    # find its llmingest through setup-python's python-path, never through PATH.
    env = {**os.environ, "VIRTUAL_ENV": str(venv),
           "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "LLMINGEST_NO_PROGRESS": "1"}
    env.pop("PYTHONPATH", None)
    proc = _run_steps(INSTALL_STEPS, {}, action_path, tmp, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return action_path, env


def test_action_is_composite_and_keeps_inputs_out_of_scripts():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {"source", "base-url", "output", "check"}
    assert ACTION["inputs"]["source"]["required"] and ACTION["inputs"]["base-url"]["required"]
    assert INSTALL_STEPS and '"$LLMINGEST_PYTHON" -m pip install --quiet "$GITHUB_ACTION_PATH"' in INSTALL_STEPS[0]["run"]
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", "")  # values arrive as env vars: no script injection
    setup = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    # the job's own Python stays the one on PATH for the steps after the action
    assert setup["id"] == "python" and setup["with"]["update-environment"] is False


def test_action_installs_llmingest_from_its_own_path(action):
    action_path, env = action
    venv_bin = Path(env["VIRTUAL_ENV"]) / "bin"
    where = subprocess.run([str(venv_bin / "llmingest"), "--version"], env=env, capture_output=True, text=True,
                           timeout=120)
    assert where.returncode == 0 and where.stdout.startswith("llmingest ")
    assert str(venv_bin) not in env["PATH"].split(os.pathsep)  # the job's PATH was left alone
    module = subprocess.run([str(venv_bin / "python3"), "-c", "import llmingest.site_plugin.common as m; print(m.__file__)"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert module.stdout.strip().startswith(env["VIRTUAL_ENV"]), module.stdout + module.stderr  # the installed copy


def test_action_writes_then_checks_both_ways(action, tmp_path: Path):
    action_path, env = action
    site = make_static_site(tmp_path / "public")
    inputs = {"source": "public", "base-url": BASE}
    proc = _run_steps(MAIN_STEPS, inputs, action_path, tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    check_outputs(site)  # output defaults to the source folder

    ok = _run_steps(MAIN_STEPS, {**inputs, "check": "true"}, action_path, tmp_path, env)
    assert ok.returncode == 0, ok.stderr

    (site / "docs" / "usage" / "index.html").write_text(PAGES["docs/usage/index.html"].replace(
        "to see all flags", "to list every flag"))
    stale = _run_steps(MAIN_STEPS, {**inputs, "check": "true"}, action_path, tmp_path, env)
    assert stale.returncode == 1
    report = stale.stdout + stale.stderr
    assert "-Run example --help to see all flags." in report or "to see all flags" in report
    assert "out of date" in report and "Traceback" not in report
    assert "to see all flags" in (site / "docs" / "usage" / "index.md").read_text()  # --check wrote nothing


def test_action_output_folder_and_missing_source(action, tmp_path: Path):
    action_path, env = action
    make_static_site(tmp_path / "public")
    proc = _run_steps(MAIN_STEPS, {"source": "public", "base-url": BASE, "output": "llms"}, action_path, tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    check_outputs(tmp_path / "llms")
    assert not (tmp_path / "public" / "llms.txt").exists()
    missing = _run_steps(MAIN_STEPS, {"source": "nope", "base-url": BASE}, action_path, tmp_path, env)
    assert missing.returncode == 3
    assert missing.stderr.startswith("error: ") and "Traceback" not in missing.stderr


# ---------------------------------------------------------------------------------------------
# the pre-commit hook


def _hook_command(site: str, output: str, check: bool) -> list[str]:
    hook = next(h for h in HOOKS if h["id"] == "llmingest-llms-txt")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    args = next(h for repo in PRECOMMIT["repos"] for h in repo["hooks"] if h["id"] == hook["id"])["args"]
    args = [site if a == "site" else output if a == "llms" else a for a in args]
    if not check:
        args = [a for a in args if a != "--check"]
    return shlex.split(hook["entry"]) + args + hook.get("args", [])


def test_pre_commit_hook_checks_both_ways(tmp_path: Path):
    site = make_static_site(tmp_path / "site")
    # pre-commit puts its hook venv's bin first on PATH; here that is this interpreter's bin folder
    env = {**os.environ, "LLMINGEST_NO_PROGRESS": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    write = subprocess.run(_hook_command("site", "llms", check=False), cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=300)
    assert write.returncode == 0, write.stderr
    check_outputs(tmp_path / "llms")
    ok = subprocess.run(_hook_command("site", "llms", check=True), cwd=tmp_path, env=env, capture_output=True,
                        text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    (site / "blog" / "hello" / "index.html").unlink()  # the site lost a page; the committed llms.txt did not
    stale = subprocess.run(_hook_command("site", "llms", check=True), cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=300)
    assert stale.returncode == 1
    assert "blog/hello/index.md" in stale.stdout + stale.stderr


# ---------------------------------------------------------------------------------------------
# the copy-paste workflow


def test_example_workflow_builds_publishes_and_checks(action, tmp_path: Path):
    action_path, env = action
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "mkdocs-site", repo, ignore=shutil.ignore_patterns("site"))
    # the workflow's user has no llmingest plugin in mkdocs.yml (its install step only installs
    # mkdocs-material): the Action does the work, so the site must build without the plugin
    config = yaml.safe_load((repo / "mkdocs.yml").read_text())
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "llmingest" in p)]
    (repo / "mkdocs.yml").write_text(yaml.safe_dump(config))
    steps = WORKFLOW["jobs"]["build"]["steps"]
    build = next(s for s in steps if s.get("run", "").startswith("mkdocs build"))
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", build["run"]], cwd=repo,
                          env={**env, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    publish, check = [s for s in steps if "llmingest/llmingest@" in s.get("uses", "")]
    assert "if" not in publish and check["if"] == "github.event_name == 'pull_request'"

    assert not (repo / "site" / "llms.txt").exists()
    proc = _run_steps(MAIN_STEPS, publish["with"], action_path, repo, env)
    assert proc.returncode == 0, proc.stderr
    text = (repo / "site" / "llms.txt").read_text()
    assert validate(text) == [] and "](https://docs.example.org/guide/install/index.md)" in text

    committed = {**check["with"], "check": "false"}  # the maintainer commits llms/ once
    assert _run_steps(MAIN_STEPS, committed, action_path, repo, env).returncode == 0
    ok = _run_steps(MAIN_STEPS, check["with"], action_path, repo, env)
    assert ok.returncode == 0, ok.stderr
    (repo / "llms" / "llms.txt").write_text((repo / "llms" / "llms.txt").read_text().replace("Widgets", "Gadgets"))
    stale = _run_steps(MAIN_STEPS, check["with"], action_path, repo, env)
    assert stale.returncode == 1 and "llms.txt" in stale.stdout + stale.stderr
