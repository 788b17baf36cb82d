"""benchmarks/_util.py is shared by every benchmark script: its measurements must be right.

Real processes only: a child that really allocates memory, a grandchild that does, a failing
command, a command that overruns its timeout. No timing assertions (durations are only checked to
be measured at all).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import _util  # noqa: E402

MIB = 1024 * 1024
ALLOC = "import time; b = bytearray({n} * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.3)"


def test_measure_sees_the_memory_a_command_touches() -> None:
    run = _util.measure([sys.executable, "-c", ALLOC.format(n=80)])
    assert run.ok and run.returncode == 0
    assert run.peak_rss >= 80 * MIB
    assert run.wall > 0 and run.cpu > 0


def test_measure_counts_a_grandchild_in_the_tree() -> None:
    child = ALLOC.format(n=80)
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    run = _util.measure([sys.executable, "-c", parent])
    assert run.ok
    assert run.peak_rss >= 80 * MIB  # the parent alone holds far less


def test_measure_reports_failure_and_output() -> None:
    run = _util.measure([sys.executable, "-c", "import sys; print('out'); sys.exit('boom')"])
    assert not run.ok and run.returncode == 1
    assert run.stdout.strip() == "out" and "boom" in run.stderr


def test_measure_kills_a_command_past_its_timeout() -> None:
    run = _util.measure([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert run.timed_out and not run.ok


def test_repeat_stops_at_the_first_failure_and_summarize_takes_medians() -> None:
    runs = _util.repeat([sys.executable, "-c", "raise SystemExit(3)"], 3)
    assert len(runs) == 1 and runs[0].returncode == 3
    assert _util.summarize(runs)["ok"] is False
    fake = [_util.Run(w, r, 0, cpu=c) for w, r, c in ((3.0, 30, 0.5), (1.0, 10, 0.1), (2.0, 20, 0.3))]
    s = _util.summarize(fake)
    assert (s["ok"], s["runs"], s["wall"], s["rss"], s["cpu"]) == (True, 3, 2.0, 20, 0.3)


def test_table_and_formatting() -> None:
    text = _util.table(["tool", "wall"], [["llmingest", _util.fmt_seconds(1.234)], ["x", _util.fmt_seconds(12.34)]])
    lines = text.splitlines()
    assert lines[0] == "| tool      | wall   |"
    assert lines[1] == "|-----------|--------|"
    assert lines[2] == "| llmingest | 1.23 s |"
    assert lines[3] == "| x         | 12.3 s |"
    assert _util.fmt_bytes(200 * MIB) == "200 MiB" and _util.fmt_bytes(1.5 * MIB) == "1.5 MiB"
    assert _util.fmt_ratio(6.04) == "6.0x" and _util.fmt_ratio(float("nan")) == "-"
    with pytest.raises(ValueError):
        _util.table(["a", "b"], [["only one"]])


def test_measure_pins_every_command_to_the_same_cores_and_keeps_caches_in_the_work_dir() -> None:
    import shutil

    probe = "import os; print(sorted(os.sched_getaffinity(0))); print(os.environ['XDG_CACHE_HOME'])"
    run = _util.measure([sys.executable, "-c", probe])
    affinity, cache = run.stdout.splitlines()
    if shutil.which("taskset"):
        assert affinity == str(sorted(int(c) for c in _util.CPUS.split(",")))
    assert cache.startswith(_util.WORK) and ".cache" not in Path(cache).parts
    assert run.cmd[0] == sys.executable  # reported as given, without the taskset prefix
    assert run.cores >= 0 and "taskset -c" in _util.cores_note()
