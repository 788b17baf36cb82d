"""``llmingest batch``: thousands of sources into one dataset of documents, resumable, on any engine.

The work splits into what the driver does once and what a worker does per source:

* the driver reads the manifest (:func:`read_manifest`), plans one :class:`Job` per source
  (:func:`plan`: kind, a unique output name, options), hands the jobs to an engine
  (:mod:`llmingest.batch.engines`: a local process pool or Ray), then joins the per-source row
  files into ONE dataset in manifest order (:func:`write_dataset`) and writes ``results.jsonl``;
* a worker runs :func:`run_source` for one job: probe the source's version (commit, ETag, file
  hash), skip it when the outputs of the same source, options and version are complete, else
  ingest it through :func:`llmingest.ingest` (retrying transient failures with backoff), write its
  rendered outputs, its document rows and, last, its state file (the commit marker).

Because a source is complete only once its state file is written, and every file is written
atomically, a run killed at any point loses only the sources in flight; a rerun skips the rest.
The dataset depends only on the manifest and the sources, never on the engine or the scheduling,
so it is byte-identical on the local pool and on Ray.

Layout of ``OUT``::

    <name>.md                 a repo digest, a page, a PDF (markdown)
    <name>/llms.txt ...       a docs site: llms.txt, llms-full.txt and the .md mirrors
    dataset.parquet           one row per document (or dataset.jsonl)
    results.jsonl             one line per source: ok / skipped / failed, error, timings
    .llmingest-batch/         per-source state and document rows (what resume reads)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from llmingest.batch.store import Store, open_store
from llmingest.errors import IngestError, NetworkError, UsageError, redact
from llmingest.options import Options

__all__ = ["Job", "Settings", "BatchReport", "read_manifest", "plan", "run_source", "write_dataset", "batch",
           "DATASET_COLUMNS", "STATE_DIR"]

STATE_DIR = ".llmingest-batch"
#: bumped when the layout of state or rows changes: older outputs are then redone, not trusted
FORMAT_VERSION = 1
DATASET_FORMATS = ("parquet", "jsonl")
#: the dataset's columns, in order (``metadata`` is a JSON object as text: any reader takes it)
DATASET_COLUMNS = ("source", "name", "kind", "path", "url", "title", "markdown", "tokens", "sha256", "version",
                   "doc_kind", "language", "metadata")
#: names a source may not take: they are the batch's own outputs
RESERVED = {"dataset", "results", STATE_DIR}
#: option fields that never change what a source produces (or are secrets): left out of the resume key
_KEY_IGNORED = {"token", "password", "progress", "on_progress", "cache", "cache_dir"}
#: a row group of the Parquet file is closed after this many rows or markdown characters, so memory
#: stays flat on huge batches; both depend only on the data, so the file stays deterministic
ROW_GROUP_ROWS = 20_000
ROW_GROUP_CHARS = 64 << 20
#: document metadata that says how this run got the bytes, not what they are: left out of the dataset
#: (a resumed crawl answers from its cache, a fresh one from the network; the rows must not differ)
VOLATILE_METADATA = {"from_cache"}


class BatchFailed(IngestError):
    """``--strict`` and a source failed, or every source failed (exit 1, after all outputs are written)."""

    exit_code = 1
    http_status = 502


@dataclass
class Job:
    """One source of the manifest, planned: everything a worker needs, and nothing unpicklable."""

    index: int
    source: str
    kind: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)  # Options fields (unknown keys go to extra)
    host: str | None = None  # the network host it talks to (politeness is shared per host)
    slots: int = 1  # how many of the host's in-flight requests it may use
    error: str | None = None  # a source that could not even be planned (unparseable, unknown kind)


@dataclass
class Settings:
    """What every job of one batch shares."""

    out: str
    options: Options = field(default_factory=Options)
    refresh: bool = False  # redo every source even when its outputs are complete
    retries: int = 2  # extra attempts for a transient failure (network, 429/5xx, a dead worker)
    backoff: float = 0.5  # seconds before the first retry; doubled each time


@dataclass
class BatchReport:
    """What :func:`batch` returns: one result per source (manifest order) and where the dataset is."""

    out: str
    results: list[dict[str, Any]]
    dataset: str | None
    documents: int = 0
    tokens: int = 0
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r["status"] == status)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["status"] == "failed"]


# ---------------------------------------------------------------------------------------------
# the manifest


def _rebase(text: str, base: Path) -> str:
    """A relative local path in a manifest is relative to the manifest's folder, not the cwd."""
    prefix = ""
    m = re.match(r"^(repo|page|site|pdf):(?!//)(.+)$", text)
    if m:
        prefix, text = m.group(1) + ":", m.group(2)
    if "://" not in text and not text.startswith("git@") and not os.path.isabs(text):
        candidate = base / os.path.expanduser(text)
        if candidate.exists():
            text = str(candidate.resolve())
    return prefix + text


def _entry(value: Any, base: Path, where: str) -> Any:
    if isinstance(value, str):
        return _rebase(value, base)
    if isinstance(value, dict):
        if not isinstance(value.get("source"), str) or not value["source"].strip():
            raise UsageError(f"{where}: an entry needs a `source` string")
        return {**value, "source": _rebase(value["source"].strip(), base)}
    raise UsageError(f"{where}: expected a source string or an object, got {type(value).__name__}")


def read_manifest(path: str | Path) -> list[Any]:
    """The sources of a manifest file, each a string or a dict (what :func:`plan` takes).

    Three forms: a text file (one source per line, ``kind:`` prefixes as in ``bundle``, ``#``
    comments), JSON Lines (``{"source": ..., "kind": ..., "name": ..., <option>: ...}``, one per
    line), or a TOML file with ``[[sources]]`` (``llmingest.toml``).
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read manifest {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"manifest {path} is not UTF-8 text") from None
    base = path.absolute().parent
    if path.suffix == ".toml":
        from llmingest.config import load

        entries = load(path).get("sources") or []
        if not isinstance(entries, list):
            raise UsageError(f"{path}: `sources` must be a list of tables ([[sources]])")
        return [_entry(e, base, f"{path} [[sources]] #{i + 1}") for i, e in enumerate(entries)]
    lines = text.splitlines()
    first = next((ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    as_json = path.suffix in (".jsonl", ".ndjson") or first.startswith("{")
    out: list[Any] = []
    for no, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if as_json:
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(f"{path}:{no}: not a JSON object: {exc.msg}") from None
            out.append(_entry(value, base, f"{path}:{no}"))
        else:
            out.append(_entry(line, base, f"{path}:{no}"))
    return out


# ---------------------------------------------------------------------------------------------
# planning


def _slug(text: str) -> str:
    """A file name from a label: ``docs.python.org/3/`` -> ``docs.python.org-3``."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip(), flags=re.I)
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return text[:120].rstrip("-.") or "source"


def _host_of(job_source: str, parsed: Any) -> str | None:
    from llmingest.sources import parse as src_mod

    if isinstance(parsed, src_mod.WebPage):
        return (urlsplit(parsed.url).hostname or "").lower() or None
    if isinstance(parsed, src_mod.GitRepo):
        return (parsed.host or urlsplit(parsed.url).hostname or "").lower() or None
    return None


def plan(sources: list[Any], options: Options | None = None) -> list[Job]:
    """One :class:`Job` per source, in manifest order, each with a unique output name.

    A source that cannot be planned (unparseable, unknown kind) becomes a job carrying its error:
    it is reported as failed, the others go on.
    """
    from llmingest.sources.bundle import SourceSpec, _label, detect_kind

    base = options or Options()
    jobs: list[Job] = []
    taken: set[str] = set()
    for i, value in enumerate(sources):
        spec = SourceSpec.coerce(value)
        over: dict[str, Any] = dict(spec.options)
        if spec.include:
            over["include"] = list(spec.include)
        if spec.exclude:
            over["exclude"] = list(spec.exclude)
        error = None
        try:
            kind = detect_kind(spec)
        except IngestError as exc:
            kind, error = spec.kind or "unknown", exc.render()
        label = spec.name or (_label(spec, kind, i) if error is None else spec.source)
        name = _slug(label)
        if name.lower() in RESERVED or name.lower().startswith(("dataset.", "results.")):
            name = f"{name}-source"
        unique, n = name, 2
        while unique.lower() in taken:
            unique, n = f"{name}-{n}", n + 1
        taken.add(unique.lower())
        host = _host_of(spec.source, spec.parsed) if error is None else None
        per_host = int(over.get("per_host") or base.per_host or 1)
        slots = max(1, per_host) if kind == "site" and host else 1
        jobs.append(Job(i, spec.source, kind, unique, over, host, slots, error))
    return jobs


def job_options(job: Job, settings: Settings) -> Options:
    """The Options one job runs with: the batch's, then the manifest entry's (unknown keys: ``extra``)."""
    known = {f.name for f in fields(Options)}
    base = settings.options
    extra = dict(base.extra)
    over: dict[str, Any] = {}
    for key, value in job.options.items():
        key = key.replace("-", "_")
        if key in known and key != "extra":
            over[key] = value
        else:
            extra[key] = value
    if isinstance(job.options.get("extra"), dict):
        extra.update(job.options["extra"])
    try:
        opts = base.merged(**over, extra=extra)  # known extra keys land in their typed groups
    except TypeError as exc:
        raise UsageError(f"bad options for {job.source}: {exc}") from None
    if opts.crawl.workers is None:  # the batch runs sources in parallel; a site does not start its own pool
        opts.crawl = replace(opts.crawl, workers=1)
    opts.progress = False
    opts.on_progress = None
    return opts


# ---------------------------------------------------------------------------------------------
# versions: what makes a source the same as last time


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_fingerprint(root: Path, only: list[str] | None = None) -> str:
    """Sizes and mtimes of every file under ``root`` (or of the ``only`` paths): cheap, and any edit
    changes it. Used for folders that are not git checkouts and for a checkout's dirty files."""
    h = hashlib.sha256()
    if only is not None:
        items = sorted(only)
    else:
        items = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            items.extend(os.path.relpath(os.path.join(folder, f), root) for f in files)
        items.sort()
    for rel in items:
        try:
            st = os.stat(root / rel)
            h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        except OSError:
            h.update(f"{rel}\0gone\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]


def _git(root: Path, *args: str) -> str | None:
    import subprocess

    from llmingest.fetch.walk import local_git_env

    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60,
                              env=local_git_env(GIT_OPTIONAL_LOCKS="0"))
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None


_PROBE_CLIENT: Any = None


def _http_version(url: str, options: Options) -> str | None:
    """The validators of ``url`` (ETag, else Last-Modified and length) from one HEAD request."""
    import httpx
    from llmingest.fetch.http import check_address

    global _PROBE_CLIENT
    try:
        check_address(url, options)
        if _PROBE_CLIENT is None:  # one per worker: a new client builds an SSL context (~50 ms) every time
            _PROBE_CLIENT = httpx.Client(follow_redirects=True, headers={"User-Agent": "llmingest-batch"})
        resp = _PROBE_CLIENT.head(url, timeout=min(options.timeout, 15.0))
    except (httpx.HTTPError, IngestError, OSError):
        return None
    if resp.status_code >= 400:
        return None
    etag = resp.headers.get("etag")
    if etag:
        return f"etag:{etag}"
    modified = resp.headers.get("last-modified")
    if modified:
        return f"modified:{modified};{resp.headers.get('content-length', '')}"
    return None


def probe(job: Job, options: Options) -> str | None:
    """The source's version without ingesting it: a commit (plus a fingerprint of uncommitted
    changes), a file's SHA-256, a URL's ETag or Last-Modified. None when it cannot be known: the
    source is then always redone (still idempotent: unchanged outputs are not rewritten)."""
    from llmingest.sources import parse as src_mod

    try:
        parsed = src_mod.parse(job.source, ref=options.ref)
    except IngestError:
        return None
    if isinstance(parsed, src_mod.LocalFile):
        try:
            return "sha256:" + _sha256_file(parsed.path)
        except OSError:
            return None
    if isinstance(parsed, src_mod.LocalDir):
        root = parsed.path
        if (root / ".git").exists() and job.kind == "repo":
            head = _git(root, "rev-parse", "HEAD")
            status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all")
            if head is None or status is None:
                return None
            dirty = [entry[3:] for entry in status.split("\0") if len(entry) > 3]
            version = "git:" + head.strip()
            return version + (f"+dirty:{_tree_fingerprint(root, dirty)}" if dirty else "")
        return "tree:" + _tree_fingerprint(root)
    if isinstance(parsed, src_mod.GitRepo):
        from llmingest.fetch.git_remote import _resolve, clone_url, git_env, ls_remote

        try:
            url = clone_url(parsed, options)
            token = options.resolved_token(parsed.host)
            refs = ls_remote(url, git_env(url, token, timeout=options.timeout), label=parsed.display(),
                             token=bool(token), timeout=options.timeout)
            return "git:" + _resolve(parsed, refs, options, parsed.display()).commit
        except IngestError:
            return None
    if isinstance(parsed, src_mod.WebPage):
        version = _http_version(parsed.url, options)
        if version is not None and job.kind == "site":
            sitemap = urlsplit(parsed.url)._replace(path="/sitemap.xml", query="", fragment="").geturl()
            version += "|" + (_http_version(sitemap, options) or "-")
        return version
    return None


def _key(job: Job, options: Options, version: str) -> str:
    from llmingest import __version__

    opts = {f.name: getattr(options, f.name) for f in fields(Options) if f.name not in _KEY_IGNORED}
    blob = json.dumps([FORMAT_VERSION, __version__, job.source, job.kind, job.name, opts, version],
                      sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# the per-source function (the same on every engine)


def _state_name(name: str) -> str:
    return f"{STATE_DIR}/{name}.json"


def _rows_name(name: str) -> str:
    return f"{STATE_DIR}/{name}.rows.jsonl"


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def load_state(store: Store, name: str) -> dict[str, Any] | None:
    text = store.read_text(_state_name(name))
    if text is None:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        return None
    return state if isinstance(state, dict) and state.get("format") == FORMAT_VERSION else None


def complete(store: Store, state: dict[str, Any] | None, key: str) -> bool:
    """The outputs recorded in ``state`` are there, hold what was written, and were made for ``key``."""
    if not state or state.get("key") != key:
        return False
    wanted = {**state.get("files", {}), _rows_name(state["name"]): state.get("rows_sha256")}
    for rel, sha in wanted.items():
        data = store.read_bytes(rel)
        if data is None or sha is None or _digest(data) != sha:
            return False
    return True


def render_outputs(job: Job, bundle: Any, options: Options) -> dict[str, str]:
    """The files one source puts under OUT: ``<name>.md``, or ``<name>/`` with the llms.txt set."""
    if job.kind == "site":
        from llmingest.output import valid_name
        from llmingest.render.llmstxt import render_site

        files = render_site(bundle, options.base_url, max_tokens=options.max_tokens)
        return {f"{job.name}/{rel}": text for rel, text in files.items() if valid_name(rel)}
    if job.kind == "repo":
        from llmingest.render.digest import render

        return {f"{job.name}.md": render(bundle, "markdown", top=int(options.output.top))}
    text = "\n\n".join(doc.content.rstrip("\n") for doc in bundle.documents) + "\n"
    return {f"{job.name}.md": text}


def _version_label(bundle: Any, version: str | None) -> str | None:
    """The dataset's ``version`` column: ``ref@commit`` for a repository, else the ETag / hash."""
    meta = bundle.metadata or {}
    if meta.get("commit"):
        return f"{meta['ref']}@{meta['commit']}" if meta.get("ref") else meta["commit"]
    return version


def document_rows(job: Job, bundle: Any, version: str | None) -> list[dict[str, Any]]:
    """One row per document, columns as :data:`DATASET_COLUMNS`."""
    label = _version_label(bundle, version)
    rows = []
    body = None
    if job.kind == "site":  # the page's markdown without its front matter (site.py is heavy: only then)
        from llmingest.sources.site import _body as body
    for doc in bundle.documents:
        text = body(doc) if body is not None else doc.content
        rows.append({
            "source": redact(job.source), "name": job.name, "kind": job.kind, "path": doc.path, "url": doc.url,
            "title": doc.title, "markdown": text, "tokens": int(doc.tokens), "sha256": _digest(text),
            "version": label, "doc_kind": doc.kind, "language": doc.language,
            "metadata": json.dumps({k: v for k, v in doc.metadata.items() if k not in VOLATILE_METADATA}, sort_keys=True, ensure_ascii=False, default=str),
        })
    return rows


def transient(exc: BaseException) -> bool:
    """A failure worth retrying: the network, a 429 or 5xx, a timeout. Not: a 404, bad input."""
    if isinstance(exc, NetworkError):
        return True
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, IngestError):
        return bool(re.search(r"\b(429|50[0234])\b", str(exc)))
    return False


def _worker() -> dict[str, Any]:
    """Which process did the job, its peak memory and CPU time so far (results.jsonl; the benchmark reads them)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # git, the secret scanner's helpers
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss  # KiB (macOS: bytes)
    return {"pid": os.getpid(), "host": os.uname().nodename, "max_rss_mb": round(rss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime, 3)}


def _result(job: Job, status: str, **extra: Any) -> dict[str, Any]:
    return {"index": job.index, "source": redact(job.source), "name": job.name, "kind": job.kind,
            "status": status, **extra}


def run_source(job: Job, settings: Settings) -> dict[str, Any]:
    """Do one source: skip it when complete, else ingest, render, write outputs, rows and state.

    Never raises for a failure of the source (the result says ``failed`` with the error); only a
    bug or an interrupt escapes. Safe to run twice at once for different jobs of one batch: each
    job writes only its own names.
    """
    started = time.monotonic()
    timings: dict[str, float] = {}
    worker = _worker()
    if job.error:
        return _result(job, "failed", error=job.error, error_type="UsageError", transient=False, attempts=0,
                       seconds={"total": 0.0}, worker=worker)
    try:
        options = job_options(job, settings)
    except IngestError as exc:
        return _result(job, "failed", error=exc.render(), error_type=type(exc).__name__, transient=False,
                       attempts=0, seconds={"total": 0.0}, worker=worker)
    store = open_store(settings.out)
    version = probe(job, options)
    timings["probe"] = round(time.monotonic() - started, 4)
    key = _key(job, options, version or f"unknown:{time.time_ns()}")
    state = load_state(store, job.name)
    if not settings.refresh and version is not None and complete(store, state, key):
        assert state is not None
        timings["total"] = round(time.monotonic() - started, 4)
        return _result(job, "skipped", version=state.get("version"), documents=state.get("documents", 0),
                       tokens=state.get("tokens", 0), outputs=sorted(state.get("files", {})), attempts=0,
                       seconds=timings, worker=worker)

    from llmingest.api import ingest

    attempt = 0
    while True:
        attempt += 1
        t0 = time.monotonic()
        try:
            bundle = ingest(job.source, options, kind=job.kind)
            break
        except (IngestError, ConnectionError, TimeoutError) as exc:
            if transient(exc) and attempt <= settings.retries:
                time.sleep(settings.backoff * 2 ** (attempt - 1))
                continue
            timings["ingest"] = round(time.monotonic() - t0, 4)
            timings["total"] = round(time.monotonic() - started, 4)
            message = exc.render() if isinstance(exc, IngestError) else redact(f"{type(exc).__name__}: {exc}")
            return _result(job, "failed", error=message, error_type=type(exc).__name__,
                           transient=transient(exc), attempts=attempt, seconds=timings, worker=worker)
    timings["ingest"] = round(time.monotonic() - t0, 4)
    t0 = time.monotonic()
    files = render_outputs(job, bundle, options)
    rows = document_rows(job, bundle, version)
    rows_text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    for rel, text in files.items():
        store.write_text(rel, text)
    for rel, sha in (state or {}).get("files", {}).items():  # a page that left the site takes its mirror along
        ours = rel == f"{job.name}.md" or rel.startswith(f"{job.name}/")
        if rel not in files and ours and (data := store.read_bytes(rel)) is not None \
                and _digest(data) == sha:
            store.delete(rel)
    store.write_text(_rows_name(job.name), rows_text)
    tokens = sum(r["tokens"] for r in rows)
    label = _version_label(bundle, version)
    new_state = {"format": FORMAT_VERSION, "key": key, "source": redact(job.source), "kind": job.kind,
                 "name": job.name, "version": label, "documents": len(rows), "tokens": tokens,
                 "files": {rel: _digest(text) for rel, text in sorted(files.items())},
                 "rows_sha256": _digest(rows_text)}
    store.write_text(_state_name(job.name), json.dumps(new_state, indent=1, sort_keys=True) + "\n")  # last: the commit
    timings["write"] = round(time.monotonic() - t0, 4)
    timings["total"] = round(time.monotonic() - started, 4)
    return _result(job, "ok", version=label, documents=len(rows), tokens=tokens, outputs=sorted(files),
                   skipped_documents=len(bundle.skipped), attempts=attempt, seconds=timings, worker=_worker())


# ---------------------------------------------------------------------------------------------
# the dataset and results.jsonl (driver side)


def _iter_rows(store: Store, results: list[dict[str, Any]]):
    for res in results:
        if res["status"] not in ("ok", "skipped"):
            continue
        text = store.read_text(_rows_name(res["name"])) or ""
        for line in text.split("\n"):  # not splitlines(): U+2028 and NEL stay raw inside JSON strings
            if line:
                yield line


def _schema():
    import pyarrow as pa

    return pa.schema([(c, pa.int64() if c == "tokens" else pa.string()) for c in DATASET_COLUMNS])


def need_pyarrow(fmt: str) -> None:
    """Fail before any work when the Parquet dataset cannot be written."""
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise UsageError("the Parquet dataset needs pyarrow",
                             hint='pip install "llmingest[ray]" (or pyarrow), or use --dataset-format jsonl') from None


def write_dataset(store: Store, results: list[dict[str, Any]], fmt: str = "parquet") -> tuple[str, int]:
    """Join the rows of every ok/skipped source, in manifest order, into ``dataset.<fmt>``.

    Streams: rows are read source by source and Parquet row groups are closed by size, so a batch
    of millions of documents never sits in memory at once. Returns (name, rows written).
    """
    if fmt not in DATASET_FORMATS:
        raise UsageError(f"unknown dataset format {fmt!r}", hint="parquet or jsonl")
    rel = f"dataset.{fmt}"
    rows = 0
    if fmt == "jsonl":
        with store.open_atomic(rel) as fh:
            for line in _iter_rows(store, results):
                fh.write(line.encode("utf-8") + b"\n")
                rows += 1
        return rel, rows
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema()
    with store.open_atomic(rel) as fh:
        writer = pq.ParquetWriter(fh, schema, compression="zstd", use_dictionary=["source", "name", "kind",
                                  "version", "doc_kind", "language"])
        batch: list[dict[str, Any]] = []
        chars = 0

        def flush() -> None:
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema), row_group_size=len(batch))
                batch.clear()

        for line in _iter_rows(store, results):
            row = json.loads(line)
            batch.append(row)
            chars += len(row["markdown"] or "")
            rows += 1
            if len(batch) >= ROW_GROUP_ROWS or chars >= ROW_GROUP_CHARS:
                flush()
                chars = 0
        flush()
        writer.close()
    return rel, rows


def write_results(store: Store, results: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in results)
    store.write_text("results.jsonl", text)


# ---------------------------------------------------------------------------------------------
# the Python API


def batch(sources: list[Any] | str | Path, out: str | Path, *, engine: str = "local", workers: int | None = None,
          dataset_format: str = "parquet", strict: bool = False, refresh: bool = False, retries: int = 2,
          ray_address: str | None = None, options: Options | None = None, progress: bool | None = None,
          **overrides: Any) -> BatchReport:
    """Ingest many sources into ``out``: per-source outputs, one dataset, ``results.jsonl``.

    ``sources`` is a list (strings with optional ``repo:``/``site:``/``page:``/``pdf:`` prefixes,
    or dicts like ``{"source": ..., "kind": ..., "name": ..., "include": [...]}``) or the path of a
    manifest file (see :func:`read_manifest`). ``engine`` is ``"local"`` (a process pool of
    ``workers``) or ``"ray"`` (``ray_address`` or ``RAY_ADDRESS``, else a local Ray). A failing
    source is recorded in the results and the batch goes on; ``strict`` raises at the end.

    The local engine starts worker processes from a forkserver, which imports the calling script
    again: in a script, call ``batch`` under ``if __name__ == "__main__":`` (as for any
    multiprocessing code; notebooks and the CLI need nothing).

    >>> report = batch(["repo:.", "site:https://docs.example.com/", "paper.pdf"], "out/", workers=2)
    >>> report.count("ok"), report.dataset
    """
    from llmingest.batch.engines import run_jobs

    started = time.monotonic()
    if isinstance(sources, (str, Path)):
        sources = read_manifest(sources)
    if not sources:
        raise UsageError("the manifest lists no sources")
    if dataset_format not in DATASET_FORMATS:
        raise UsageError(f"unknown dataset format {dataset_format!r}", hint="parquet or jsonl")
    need_pyarrow(dataset_format)
    opts = (options or Options()).merged(**overrides) if overrides else (options or Options())
    jobs = plan(list(sources), opts)
    store = open_store(out)
    local = store.local_path()
    if local is not None:
        if local.exists() and not local.is_dir():
            raise UsageError(f"-o {out}: not a folder", hint="batch writes a folder of outputs; give a folder name")
        local.mkdir(parents=True, exist_ok=True)
    settings = Settings(out=store.root, options=opts, refresh=refresh, retries=max(0, retries))
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("LLMINGEST_NO_PROGRESS")
    results = run_jobs(jobs, settings, engine=engine, workers=workers, ray_address=ray_address, progress=progress)
    write_results(store, results)
    dataset, rows = write_dataset(store, results, dataset_format)
    report = BatchReport(out=store.root, results=results, dataset=dataset, documents=rows,
                         tokens=sum(r.get("tokens", 0) for r in results if r["status"] in ("ok", "skipped")),
                         seconds=round(time.monotonic() - started, 3))
    failed = report.failed
    if failed and (strict or len(failed) == len(results)):
        shown = "; ".join(f"{r['name']}: {r.get('error')}" for r in failed[:3]) + (" ..." if len(failed) > 3 else "")
        what = "every source failed" if len(failed) == len(results) else f"{len(failed)} of {len(results)} source(s) failed"
        error = BatchFailed(f"{what}: {shown}", hint=f"see {store.root}/results.jsonl")
        error.report = report  # type: ignore[attr-defined]
        raise error
    return report
