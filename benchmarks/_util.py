"""Shared helpers for the benchmark scripts: measure a command, take medians, print tables.

Why a sampler and not only ``/usr/bin/time -v``: the anchors we compare against spawn helpers
(node worker threads, Python subprocesses), and what a user's machine has to hold is the sum of
the whole process tree at its peak, not the largest single process. We sample the tree's RSS with
psutil every few milliseconds and also take the kernel's exact ``ru_maxrss`` of the command from
``wait4``; the reported peak is the larger of the two, so a peak between two samples is still
seen for the biggest process. Without psutil only the ``wait4`` number is used.

Figures that cannot flatter: every measured command runs on the same cores (``taskset -c``, the
set this process may use, or ``BENCH_CPUS``), with CPU time next to wall time (``Run.cores`` says
how many cores a tool kept busy on average), and with its caches under ``benchmarks/.work``
(``XDG_CACHE_HOME`` points there unless a script sets its own), never in ``~/.cache``. Scripts
interleave the tools round-robin (run i of every tool before run i+1 of any).

Other benchmark scripts import this module; keep its functions small and their signatures stable.
"""

from __future__ import annotations

import os
import shlex
import signal
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

try:  # optional: only for the process-tree sum
    import psutil
except ImportError:  # pragma: no cover - documented in benchmarks/README.md
    psutil = None

SAMPLE_SECONDS = 0.01
WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".work")
#: the cores every measured command is pinned to: the same set for every tool
CPUS = os.environ.get("BENCH_CPUS") or ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))


def cores_note() -> str:
    """A line for a report: which cores every tool got, and how the load looked."""
    n = len(CPUS.split(",")) if "-" not in CPUS else CPUS
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"every tool pinned to the same {n} core(s) (taskset -c {CPUS}) of {os.cpu_count()}; "
            f"load average {load}; caches under {WORK}")


def pinned(cmd: Sequence[str]) -> list[str]:
    """``cmd`` under ``taskset -c CPUS`` (as is where taskset is missing)."""
    import shutil

    return ["taskset", "-c", CPUS, *cmd] if shutil.which("taskset") else list(cmd)


@dataclass
class Run:
    """One measured run of one command."""

    wall: float  # seconds
    peak_rss: int  # bytes, whole process tree
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    cmd: list[str] = field(default_factory=list)
    cpu: float = 0.0  # user+system seconds of the command and every descendant it waited for

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def cores(self) -> float:
        """Cores kept busy on average (CPU time / wall time)."""
        return self.cpu / self.wall if self.wall else 0.0


def _tree_rss(proc) -> int:
    """Sum of RSS over ``proc`` and all its descendants (0 for ones that vanished meanwhile)."""
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def measure(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float | None = None,
    capture: bool = True,
    pin: bool = True,
) -> Run:
    """Run ``cmd`` once; return wall time, peak RSS of its process tree and its output.

    stdout/stderr go to temporary files rather than pipes so a chatty tool can never block on a
    full pipe while we sample (and so reading them costs the tool nothing). ``pin``: on
    :data:`CPUS` (see the module docstring); caches default to ``benchmarks/.work/xdg-cache``.
    """
    import tempfile

    full_env = dict(os.environ)
    full_env["XDG_CACHE_HOME"] = os.path.join(WORK, "xdg-cache")
    if env:
        full_env.update(env)
    shown = list(cmd)
    if pin:
        cmd = pinned(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        popen = subprocess.Popen(
            list(cmd), env=full_env, cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL, stderr=err if capture else subprocess.DEVNULL,
            start_new_session=True,
        )
        ps = psutil.Process(popen.pid) if psutil is not None else None
        peak = 0
        timed_out = False
        while True:
            pid, status, usage = os.wait4(popen.pid, os.WNOHANG)
            if pid:
                break
            if ps is not None:
                peak = max(peak, _tree_rss(ps))
            if timeout is not None and time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(popen.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(popen.pid, 0)
                break
            time.sleep(SAMPLE_SECONDS)
        wall = time.perf_counter() - start
        popen.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
        peak = max(peak, usage.ru_maxrss * 1024)  # ru_maxrss is KiB on Linux
        texts = []
        for fh in (out, err):
            fh.seek(0)
            texts.append(fh.read().decode("utf-8", "replace"))
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, peak, popen.returncode, texts[0], texts[1], timed_out, shown, cpu)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def repeat(cmd: Sequence[str], n: int, **kwargs) -> list[Run]:
    """``n`` measured runs of ``cmd``; stops early on the first failure (no point timing errors)."""
    runs = []
    for _ in range(n):
        run = measure(cmd, **kwargs)
        runs.append(run)
        if not run.ok:
            break
    return runs


def summarize(runs: Sequence[Run]) -> dict:
    """Median wall time, CPU time and peak RSS of the successful runs.

    On a shared machine wall time depends on the neighbours; CPU time (user+system of the whole
    tree) does much less, so reports give both.
    """
    good = [r for r in runs if r.ok]
    return {
        "ok": bool(good) and len(good) == len(runs),
        "runs": len(good),
        "wall": median([r.wall for r in good]),
        "cpu": median([r.cpu for r in good]),
        "rss": median([r.peak_rss for r in good]),
        "cores": median([r.cores for r in good]),
    }


def fmt_seconds(s: float) -> str:
    if s != s:  # nan
        return "-"
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def fmt_bytes(n: float) -> str:
    if n != n:
        return "-"
    mib = n / (1024 * 1024)
    return f"{mib:.0f} MiB" if mib >= 10 else f"{mib:.1f} MiB"


def fmt_ratio(x: float) -> str:
    return "-" if x != x else f"{x:.1f}x"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-markdown table, columns padded so it also reads well in a terminal."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    if any(len(r) != len(headers) for r in cells):
        raise ValueError(f"every row needs {len(headers)} cells")
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def show(cmd: Sequence[str]) -> str:
    return shlex.join(list(cmd))
