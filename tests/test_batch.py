"""``llmingest batch``: a manifest of a git repo, a served docs site, a PDF and a failing source ->
per-source outputs, one dataset (read back with pyarrow), results.jsonl; resume; the Ray engine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import git, respond, serve_folder, serve_loopback

pa = pytest.importorskip("pyarrow", reason='the Parquet dataset needs pyarrow: pip install "llmingest[ray]"')
import pyarrow.parquet as pq  # noqa: E402


def _repo(root: Path) -> Path:
    repo = root / "proj"
    (repo / "src").mkdir(parents=True)
    (repo / "README.md").write_text("# Proj\n\nA small project.\n")
    (repo / "src" / "app.py").write_text("def main():\n    return 42\n")
    git("init", "-q", "-b", "main", str(repo))
    git("add", ".", cwd=repo)
    git("commit", "-qm", "first", cwd=repo)
    return repo


def _pdf(path: Path, text: str = "Batch PDF body text") -> Path:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), text)
    doc.save(path)
    return path


def _site(root: Path) -> Path:
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text('<html><head><title>Docs</title></head><body><main><h1>Docs</h1>'
                                      '<p>Welcome to the docs.</p><a href="guide.html">Guide</a></main></body></html>')
    (site / "guide.html").write_text('<html><head><title>Guide</title></head><body><main><h1>Guide</h1>'
                                      '<p>How to use it.</p></main></body></html>')
    return site


@pytest.fixture
def mixed(tmp_path):
    """A manifest (text form, relative paths) of a repo, a served site, a PDF and a 404 page."""
    repo = _repo(tmp_path)
    _pdf(tmp_path / "paper.pdf")
    base, stop = serve_folder(_site(tmp_path))
    manifest = tmp_path / "sources.txt"
    manifest.write_text(f"# a comment\nrepo:{repo.name}\n\nsite:{base}/\npdf:paper.pdf\npage:{base}/missing.html\n")
    yield manifest, base
    stop()


def _tree(root: Path, skip=("results.jsonl",)) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in skip}


def test_local_engine_mixed_manifest(mixed, tmp_path):
    from llmingest import batch

    manifest, base = mixed
    out = tmp_path / "out"
    report = batch(manifest, out, workers=2, retries=0)
    by_name = {r["name"]: r for r in report.results}
    assert [r["status"] for r in report.results] == ["ok", "ok", "ok", "failed"]
    assert by_name["proj"]["kind"] == "repo" and by_name["paper.pdf"]["kind"] == "pdf"
    failed = report.results[3]
    assert failed["error_type"] == "SourceNotFound" and "404" in failed["error"] and failed["transient"] is False

    # each source's rendered result
    assert "def main():" in (out / "proj.md").read_text()
    assert "Batch PDF body text" in (out / "paper.pdf.md").read_text()
    site_dir = out / report.results[1]["name"]
    assert {"llms.txt", "llms-full.txt", "guide.md"} <= {p.name for p in site_dir.iterdir()}

    # one dataset of documents, read back with pyarrow
    table = pq.read_table(out / "dataset.parquet")
    assert table.column_names == ["source", "name", "kind", "path", "url", "title", "markdown", "tokens", "sha256",
                                  "version", "doc_kind", "language", "metadata"]
    rows = table.to_pylist()
    assert [r["kind"] for r in rows] == ["repo", "repo", "site", "site", "pdf"]  # manifest order
    assert {r["path"] for r in rows if r["kind"] == "repo"} == {"README.md", "src/app.py"}
    commit = git("rev-parse", "HEAD", cwd=tmp_path / "proj")
    assert all(r["version"] == f"main@{commit}" for r in rows if r["kind"] == "repo")
    assert {r["url"] for r in rows if r["kind"] == "site"} == {f"{base}/", f"{base}/guide.html"}
    assert all(r["tokens"] > 0 and len(r["sha256"]) == 64 for r in rows)
    assert rows[4]["version"].startswith("sha256:")
    assert isinstance(json.loads(rows[0]["metadata"]), dict)
    assert report.documents == 5

    # results.jsonl: one line per source with status, error and timings
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [x["status"] for x in lines] == ["ok", "ok", "ok", "failed"]
    assert all("total" in x["seconds"] for x in lines)

    # a rerun skips what is complete and gives the same bytes
    before = _tree(out)
    again = batch(manifest, out, workers=2, retries=0)
    assert [r["status"] for r in again.results] == ["skipped", "skipped", "skipped", "failed"]
    assert _tree(out) == before

    # a changed source is redone, the others still skipped
    (tmp_path / "proj" / "README.md").write_text("# Proj\n\nChanged.\n")
    third = batch(manifest, out, workers=1, retries=0)
    assert [r["status"] for r in third.results] == ["ok", "skipped", "skipped", "failed"]
    assert "Changed." in (out / "proj.md").read_text()

    # a page that left the site takes its mirror along; nothing else in OUT is touched
    site_src = tmp_path / "site"
    (site_src / "guide.html").unlink()
    (site_src / "index.html").write_text("<html><head><title>Docs</title></head><body><main><h1>Docs</h1>"
                                         "<p>Welcome to the docs, now on one page.</p></main></body></html>")
    (out / "notes.md").write_text("mine")
    fourth = batch(manifest, out, workers=1, retries=0)
    assert [r["status"] for r in fourth.results] == ["skipped", "ok", "skipped", "failed"]
    assert not (site_dir / "guide.md").exists() and (site_dir / "llms.txt").is_file()
    assert (out / "notes.md").read_text() == "mine"
    assert [r["path"] for r in pq.read_table(out / "dataset.parquet").to_pylist() if r["kind"] == "site"] == ["/"]


def test_rows_with_line_separators_inside(tmp_path):
    """A document holding U+2028 or NEL is one row, not two (JSON Lines split on \\n only)."""
    from llmingest import batch

    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "notes.md").write_text("one\u2028two\x85three\n", encoding="utf-8")
    report = batch([f"repo:{repo}"], tmp_path / "out", workers=1, dataset_format="jsonl")
    lines = (tmp_path / "out" / "dataset.jsonl").read_text("utf-8").split("\n")
    assert report.documents == 1 and len(lines) == 2 and lines[1] == ""
    assert json.loads(lines[0])["markdown"] == "one\u2028two\x85three\n"


def test_output_to_a_pyarrow_filesystem_uri(tmp_path):
    """``-o file:///...`` goes through pyarrow's filesystem layer, as ``s3://`` on a cluster does."""
    from llmingest import batch

    pdf = _pdf(tmp_path / "one.pdf", "uri output")
    report = batch([f"pdf:{pdf}"], f"file://{tmp_path / 'store'}", workers=1, dataset_format="jsonl")
    assert report.count("ok") == 1
    rows = [json.loads(x) for x in (tmp_path / "store" / "dataset.jsonl").read_text().splitlines()]
    assert rows[0]["name"] == "one.pdf" and "uri output" in rows[0]["markdown"]
    assert "uri output" in (tmp_path / "store" / "one.pdf.md").read_text()
    again = batch([f"pdf:{pdf}"], f"file://{tmp_path / 'store'}", workers=1, dataset_format="jsonl")
    assert again.count("skipped") == 1


def test_cli_jsonl_manifest_and_dataset(tmp_path):
    repo = _repo(tmp_path)
    _pdf(tmp_path / "a.pdf", "first pdf")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(x) for x in [
        {"source": str(repo), "name": "only-docs", "include": ["*.md"]},
        {"source": "a.pdf", "kind": "pdf"},
        {"source": "pdf:does-not-exist.pdf"},
    ]) + "\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "llmingest", "batch", str(manifest), "-o", str(out),
                           "--dataset-format", "jsonl", "--workers", "1", "--strict"],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 1, proc.stderr  # --strict: the missing PDF fails the run, at the end
    assert "1 of 3 source(s) failed" in proc.stderr
    rows = [json.loads(x) for x in (out / "dataset.jsonl").read_text().splitlines()]
    assert [(r["name"], r["path"]) for r in rows] == [("only-docs", "README.md"), ("a.pdf", "a.pdf")]
    assert (out / "only-docs.md").is_file()
    statuses = [json.loads(x)["status"] for x in (out / "results.jsonl").read_text().splitlines()]
    assert statuses == ["ok", "ok", "failed"]


def test_manifest_forms_and_names(tmp_path):
    from llmingest.batch import plan, read_manifest

    (tmp_path / "docs").mkdir()
    (tmp_path / "llmingest.toml").write_text('[[sources]]\nsource = "docs"\nname = "results"\n\n'
                                             '[[sources]]\nsource = "site:https://docs.example.com/guide/"\n'
                                             'max_pages = 5\n\n[[sources]]\nsource = "docs"\n')
    specs = read_manifest(tmp_path / "llmingest.toml")
    assert specs[0]["source"] == str((tmp_path / "docs").resolve())  # relative to the manifest
    jobs = plan(specs)
    assert [j.name for j in jobs] == ["results-source", "docs.example.com-guide", "docs"]
    assert jobs[1].kind == "site" and jobs[1].host == "docs.example.com" and jobs[1].slots == 4
    assert jobs[1].options == {"max_pages": 5}
    text = tmp_path / "m.txt"
    text.write_text("docs\ndocs\n::not a source::\n")
    jobs = plan(read_manifest(text))
    assert [j.name for j in jobs][:2] == ["docs", "docs-2"]
    assert jobs[2].error  # planned as a failure, not an exception


class _FakeExecutor:
    """Runs jobs instantly in submission order; records what was in flight together."""

    def __init__(self, die_once: set[int] | None = None):
        self.inflight: dict[int, object] = {}
        self.together: list[list[int]] = []
        self.die_once = set(die_once or ())
        self.n = 0

    def submit(self, job):
        self.n += 1
        self.inflight[self.n] = job
        self.together.append(sorted(j.index for j in self.inflight.values()))
        return self.n

    def wait(self, handles, timeout):
        from llmingest.batch.engines import WorkerDied

        handle = min(handles)
        job = self.inflight.pop(handle)
        if job.index in self.die_once:
            self.die_once.discard(job.index)
            return [(handle, WorkerDied("killed"))]
        return [(handle, {"index": job.index, "name": job.name, "status": "ok"})]


def test_scheduler_shares_host_limits_and_isolates_dead_workers():
    from llmingest.batch import Job
    from llmingest.batch.engines import schedule

    jobs = [Job(0, "s", "site", "a", host="h", slots=4), Job(1, "p", "page", "b", host="h"),
            Job(2, "r", "repo", "c"), Job(3, "p2", "page", "d", host="h"), Job(4, "p3", "page", "e", host="h")]
    ex = _FakeExecutor(die_once={2})
    results = schedule(jobs, ex, capacity=3, host_limit=4, retries=1)
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4] and all(r["status"] == "ok" for r in results)
    for group in ex.together:
        hosts = [jobs[i] for i in group if jobs[i].host == "h"]
        assert sum(min(j.slots, 4) for j in hosts) <= 4  # the crawl never shares its host's slots
    retried = [g for g in ex.together if 2 in g]
    assert retried[-1] == [2]  # after its worker died, job 2 ran alone
    # a job that kills its worker every time fails alone; the others are fine
    ex = _FakeExecutor(die_once={1})
    ex.die_once = {1}
    results = schedule(jobs[:3], ex, capacity=2, host_limit=4, retries=0)
    assert [r["status"] for r in results] == ["ok", "failed", "ok"]
    assert results[1]["error_type"] == "WorkerDied"


class _Slow(BaseHTTPRequestHandler):
    release = threading.Event()
    entered = threading.Event()

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        respond(self, 200, b"", "text/html", ETag='"v1"')

    def do_GET(self):
        _Slow.entered.set()
        _Slow.release.wait(120)
        respond(self, 200, b"<html><head><title>Slow</title></head><body><main><h1>Slow</h1><p>Finally here."
                           b"</p></main></body></html>", "text/html", ETag='"v1"')


def test_resume_after_killed_run(tmp_path):
    """Kill the whole run (driver and workers) while a source is in flight: a rerun redoes only that one."""
    from llmingest import batch

    repo = _repo(tmp_path)
    _pdf(tmp_path / "p.pdf")
    base, stop = serve_loopback(_Slow)
    manifest = tmp_path / "m.txt"
    manifest.write_text(f"{repo}\n{tmp_path / 'p.pdf'}\npage:{base}/slow.html\n")
    out = tmp_path / "out"
    _Slow.release.clear()
    proc = subprocess.Popen([sys.executable, "-m", "llmingest", "batch", str(manifest), "-o", str(out),
                             "--workers", "1", "-q"], start_new_session=True)
    try:
        state = out / ".llmingest-batch"
        deadline = time.monotonic() + 180
        while not ((state / "proj.json").exists() and (state / "p.pdf.json").exists()):
            assert proc.poll() is None and time.monotonic() < deadline, "the first two sources never completed"
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert not (out / "dataset.parquet").exists()
        _Slow.release.set()
        report = batch(manifest, out, workers=1)
        assert [r["status"] for r in report.results] == ["skipped", "skipped", "ok"]
        fresh = batch(manifest, tmp_path / "fresh", workers=1)
        assert [r["status"] for r in fresh.results] == ["ok", "ok", "ok"]
        assert (out / "dataset.parquet").read_bytes() == (tmp_path / "fresh" / "dataset.parquet").read_bytes()
        assert "Finally here." in (out / f"{report.results[2]['name']}.md").read_text()
    finally:
        _Slow.release.set()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        stop()


def test_ray_engine_matches_local(mixed, tmp_path, monkeypatch):
    """The same manifest on a local Ray with 2 CPUs: byte-identical outputs to the local engine,
    also when the output is a pyarrow filesystem URI (what a cluster writes to)."""
    pytest.importorskip("ray", reason='the Ray engine needs the extra: pip install "llmingest[ray]"')
    from llmingest import batch

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # Ray keeps its auth token under ~/.ray
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    manifest, _ = mixed
    local = batch(manifest, tmp_path / "local", workers=2, retries=0)
    ray_report = batch(manifest, f"file://{tmp_path / 'ray'}", engine="ray", workers=2, retries=0)
    assert [r["status"] for r in ray_report.results] == [r["status"] for r in local.results]
    assert _tree(tmp_path / "ray") == _tree(tmp_path / "local")
    assert pq.read_table(tmp_path / "ray" / "dataset.parquet").num_rows == local.documents == 5


def test_killed_worker_is_retried_alone(tmp_path):
    """SIGKILL the local pool's worker while it fetches: the pool is rebuilt, the source is retried
    and succeeds, the other sources are unaffected."""
    psutil = pytest.importorskip("psutil", reason="finding the pool's worker processes needs psutil")
    from llmingest import batch

    _pdf(tmp_path / "p.pdf")
    base, stop = serve_loopback(_Slow)
    _Slow.release.clear()
    _Slow.entered.clear()
    box: dict = {}

    def run() -> None:
        box["report"] = batch([f"page:{base}/slow.html", f"pdf:{tmp_path / 'p.pdf'}", f"page:{base}/slow2.html"],
                              tmp_path / "out", workers=2, retries=1)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert _Slow.entered.wait(120), "the worker never fetched the page"
        # the forkserver is our child; the pool's workers are its children: kill one of them
        workers = sorted((p for c in psutil.Process().children() for p in c.children()), key=lambda p: p.pid)
        assert workers
        workers[0].kill()
        _Slow.release.set()
        thread.join(180)
        report = box["report"]
        assert [r["status"] for r in report.results] == ["ok", "ok", "ok"]
        assert sum(r.get("worker_deaths", 0) for r in report.results) >= 1  # whatever was in flight, retried
        assert "Finally here." in (tmp_path / "out" / f"{report.results[0]['name']}.md").read_text()
    finally:
        _Slow.release.set()
        thread.join(60)
        stop()
