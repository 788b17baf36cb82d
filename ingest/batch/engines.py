"""Engines for ``llmingest batch``: a local pool of worker processes, or Ray tasks on a cluster.

Both run the same function (:func:`llmingest.batch.run_source`) and share one scheduler here, so
the rules hold on every engine:

* **order**: site crawls (the longest jobs) start first, then the rest in the order given; results
  are reported in manifest order, and the dataset never depends on the order jobs ran in;
* **politeness across workers**: each network host has ``per_host`` request slots for the whole
  batch; a site crawl takes all of them (its crawler keeps ``per_host`` requests in flight), a page,
  PDF or clone takes one. So two workers never crawl one host at twice the rate a single crawl
  would, whatever the worker count;
* **dead workers**: a job whose worker died (killed, out of memory, a crash in native code) is
  retried up to ``retries`` times, alone (nothing else in flight), so the job that kills its
  worker is the one that fails, and the others go on.

The local engine starts workers from a forkserver (never ``fork`` of a process running threads)
and warms each worker's tokenizer once; Ray reuses its worker processes, so they stay warm too.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from llmingest.batch import Job, Settings, run_source
from llmingest.errors import UsageError

ENGINES = ("local", "ray")
#: modules the forkserver imports once for the kinds in a batch, so every worker forked from it starts
#: with them loaded (measured under load: the site and PDF stacks take 0.5-0.8 s each to import)
PRELOAD = {"repo": ["llmingest.sources.repo"], "page": ["llmingest.sources.page", "llmingest.converters.html"],
           "site": ["llmingest.sources.site", "llmingest.converters.html"], "pdf": ["llmingest.sources.pdf", "llmingest.converters.pdf"]}
#: how many pending jobs the scheduler looks at to find one whose host has room (keeps it O(1))
SCAN_WINDOW = 256


class WorkerDied(Exception):
    """The process running a job went away before answering."""


def _warm(encoding: str) -> None:
    """Load the tokenizer tables once per worker process, before its first source."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    try:
        from llmingest.tokens import tokenizer

        tokenizer(encoding)
    except Exception:  # a worker that cannot warm up still counts tokens lazily
        pass


def _failed(job: Job, message: str, error_type: str, attempts: int) -> dict[str, Any]:
    from llmingest.batch import _result

    return _result(job, "failed", error=message, error_type=error_type, transient=error_type == "WorkerDied",
                   attempts=attempts, seconds={"total": 0.0}, worker=None)


class LocalExecutor:
    """A process pool on this machine; rebuilt when a worker dies (the pool is broken then)."""

    def __init__(self, workers: int, settings: Settings, kinds: set[str] | None = None) -> None:
        self.workers = workers
        self.settings = settings
        self.preload = ["llmingest.batch", "llmingest.api", "llmingest.tokens"]
        for kind in sorted(kinds or ()):
            self.preload += PRELOAD.get(kind, [])
        self.pool = self._new_pool()

    def _new_pool(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            ctx.set_forkserver_preload(self.preload)
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_warm,
                                   initargs=(self.settings.options.encoding,))

    def submit(self, job: Job) -> Any:
        fut = self.pool.submit(run_source, job, self.settings)
        fut.llmingest_pool = self.pool  # which pool: a broken old pool must not tear down its successor
        return fut

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, Any]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait(handles, timeout=timeout, return_when=FIRST_COMPLETED)
        out = []
        broken = False
        for fut in done:
            exc = None if fut.cancelled() else fut.exception()
            if fut.cancelled() or isinstance(exc, BrokenProcessPool):
                # every job in flight on a broken pool fails with it; only the current pool is rebuilt
                broken = broken or getattr(fut, "llmingest_pool", None) is self.pool
                out.append((fut, WorkerDied("a worker process died while running this source")))
            else:
                out.append((fut, exc if exc is not None else fut.result()))
        if broken:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
        return out

    def close(self, cancel: bool = False) -> None:
        if cancel:  # Ctrl-C: stop the workers now; their sources are redone by the next run
            for proc in list(getattr(self.pool, "_processes", {}).values()):
                try:
                    proc.terminate()
                except Exception:
                    pass
        self.pool.shutdown(wait=not cancel, cancel_futures=True)


def _ray_run(job: Job, settings: Settings) -> dict[str, Any]:
    """The Ray task: the same per-source function, its tokenizer warm after the first source."""
    return run_source(job, settings)


class RayExecutor:
    """Ray core tasks (one per source) on a local Ray started here, or on ``address``."""

    def __init__(self, workers: int | None, settings: Settings, address: str | None) -> None:
        try:
            import ray
        except ImportError:
            raise UsageError("--engine ray needs Ray", hint='pip install "llmingest[ray]"') from None
        self.ray = ray
        self.started = time.monotonic()
        self.owned = not ray.is_initialized()
        address = address or os.environ.get("RAY_ADDRESS") or None
        if self.owned:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "configure_logging": False}
            if address is None:
                kwargs["num_cpus"] = workers or os.cpu_count() or 1
            try:
                ray.init(address=address, **kwargs)
            except Exception as exc:  # ConnectionError, RuntimeError: no cluster at that address
                raise UsageError(f"cannot start or reach Ray ({address or 'local'}): {exc}") from None
        self.startup_seconds = time.monotonic() - self.started
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = workers or max(1, cpus)
        self.settings = settings
        # retries are the scheduler's (the same rules as the local engine), not Ray's
        self.task = ray.remote(num_cpus=1, max_retries=0)(_ray_run)

    def submit(self, job: Job) -> Any:
        return self.task.remote(job, self.settings)

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, Any]]:
        ray = self.ray
        ready, _ = ray.wait(handles, num_returns=1, timeout=timeout)
        if ready:  # collect everything else already finished too
            more, _ = ray.wait([h for h in handles if h not in ready], num_returns=len(handles) - len(ready),
                               timeout=0) if len(handles) > len(ready) else ([], [])
            ready = [*ready, *more]
        out = []
        for ref in ready:
            try:
                out.append((ref, ray.get(ref)))
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                    ray.exceptions.LocalRayletDiedError) as exc:
                out.append((ref, WorkerDied(f"the Ray worker died: {type(exc).__name__}")))
            except ray.exceptions.RayTaskError as exc:
                out.append((ref, exc.as_instanceof_cause() if hasattr(exc, "as_instanceof_cause") else exc))
            except ray.exceptions.RayError as exc:
                out.append((ref, WorkerDied(f"Ray: {type(exc).__name__}: {exc}")))
        return out

    def close(self, cancel: bool = False) -> None:
        if cancel:
            pass  # in-flight tasks are cancelled with the shutdown below (local Ray) or left to finish
        if self.owned:
            self.ray.shutdown()


def _order(job: Job) -> tuple[int, int]:
    """Start order: site crawls first (the longest jobs: started last, one would run on alone while
    the other workers idle), then the manifest's order. Results are reported in manifest order."""
    return (0 if job.kind == "site" else 1, job.index)


def schedule(jobs: list[Job], executor: Any, capacity: int, host_limit: int, retries: int,
             on_result: Callable[[dict[str, Any], int], None] | None = None) -> list[dict[str, Any]]:
    """Run every job on ``executor`` with at most ``capacity`` in flight; results in manifest order."""
    pending: list[Job] = sorted(jobs, key=_order)
    inflight: dict[Any, Job] = {}
    host_used: Counter[str] = Counter()
    died: Counter[int] = Counter()
    suspects: set[int] = set()
    results: dict[int, dict[str, Any]] = {}

    def fits(job: Job) -> bool:
        if job.index in suspects:
            return not inflight  # a job that was in flight when a worker died runs alone
        if any(j.index in suspects for j in inflight.values()):
            return False
        if job.host is None or not host_used[job.host]:
            return True
        return host_used[job.host] + min(job.slots, host_limit) <= host_limit

    while pending or inflight:
        i = 0
        while i < min(len(pending), SCAN_WINDOW) and len(inflight) < capacity:
            job = pending[i]
            if not fits(job):
                i += 1
                continue
            pending.pop(i)
            if job.host:
                host_used[job.host] += min(job.slots, host_limit)
            inflight[executor.submit(job)] = job
        if not inflight:
            continue
        for handle, outcome in executor.wait(list(inflight), timeout=0.25):
            job = inflight.pop(handle)
            if job.host:
                host_used[job.host] -= min(job.slots, host_limit)
            if isinstance(outcome, WorkerDied):
                died[job.index] += 1
                if died[job.index] <= retries:
                    suspects.add(job.index)
                    pending.insert(next((k for k, p in enumerate(pending) if _order(p) > _order(job)), len(pending)), job)
                    continue
                result = _failed(job, f"{outcome} (tried {died[job.index]} times)", "WorkerDied", died[job.index])
            elif isinstance(outcome, BaseException):
                from llmingest.errors import redact

                result = _failed(job, redact(f"internal error: {type(outcome).__name__}: {outcome}"),
                                 type(outcome).__name__, 1)
            else:
                result = outcome
                if died[job.index]:
                    result = {**result, "worker_deaths": died[job.index]}
            suspects.discard(job.index)
            results[job.index] = result
            if on_result is not None:
                on_result(result, len(inflight))
    return [results[j.index] for j in sorted(jobs, key=lambda j: j.index)]


class _Display:
    """Rich progress on stderr: sources done / failed / in flight, documents, tokens, rate, ETA."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.done = self.failed = self.skipped = self.docs = self.tokens = 0
        self.started = time.monotonic()
        self.bar = None
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=total)

    def __call__(self, result: dict[str, Any], inflight: int) -> None:
        self.done += 1
        self.failed += result["status"] == "failed"
        self.skipped += result["status"] == "skipped"
        self.docs += result.get("documents", 0) or 0
        self.tokens += result.get("tokens", 0) or 0
        if self.bar is not None:
            rate = self.done / max(time.monotonic() - self.started, 1e-6)
            text = (f"{self.failed} failed, {self.skipped} skipped, {inflight} in flight · {self.docs:,} docs · "
                    f"{self.tokens:,} tokens · {rate:.1f} src/s")
            self.bar.update(self.task, advance=1, description=text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def run_jobs(jobs: list[Job], settings: Settings, *, engine: str = "local", workers: int | None = None,
             ray_address: str | None = None, progress: bool = False) -> list[dict[str, Any]]:
    """Run ``jobs`` on ``engine``; one result per job, in manifest order."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}", hint=f"choose one of {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1")
    if engine == "ray":
        executor: Any = RayExecutor(workers, settings, ray_address)
        capacity = executor.workers
    else:
        capacity = workers or max(1, min(os.cpu_count() or 1, len(jobs)))
        executor = LocalExecutor(capacity, settings, {j.kind for j in jobs})
    display = _Display(len(jobs), progress)
    host_limit = max(1, settings.options.per_host)
    cancel = False
    try:
        return schedule(jobs, executor, capacity, host_limit, settings.retries, display)
    except BaseException:
        cancel = True
        raise
    finally:
        display.close()
        executor.close(cancel=cancel)
