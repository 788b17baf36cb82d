"""The result cache (TTL, size bound, corrupt entries), paging, rate limits and per-key locks."""

from __future__ import annotations

import os
import threading
import time

import pytest
from llmingest.errors import LimitExceeded, UsageError
from llmingest.fetch.cache import ResultCache, bundle_from_json, bundle_to_json, make_key
from llmingest.mcp_server.limits import KeyedLocks, Limits, RateLimiter
from llmingest.mcp_server.service import paginate
from llmingest.model import Bundle, Document, Redaction, Skipped
from llmingest.tokens import count


def _bundle(text: str = "hello world", n: int = 1) -> Bundle:
    docs = [Document(path=f"f{i}.md", content=text, tokens=count(text), size=len(text), metadata={"i": i})
            for i in range(n)]
    return Bundle(source="o/r", kind="repo", documents=docs, skipped=[Skipped("big.bin", "binary", 10)],
                  redactions=[Redaction("f0.md", 1, "aws")], metadata={"commit": "abc"}, title="r")


def test_bundle_json_round_trip_is_exact():
    b = _bundle()
    again = bundle_from_json(bundle_to_json(b))
    assert again.to_dict() == b.to_dict()
    assert bundle_to_json(again) == bundle_to_json(b)


def test_make_key_is_stable_and_order_sensitive():
    assert make_key("a", {"x": 1, "y": 2}) == make_key("a", {"y": 2, "x": 1})
    assert make_key("a", "b") != make_key("b", "a")


def test_cache_hit_from_disk_in_a_new_instance(tmp_path):
    c1 = ResultCache(tmp_path)
    c1.put("k1", _bundle("one"))
    c2 = ResultCache(tmp_path)  # nothing in memory: must read the file
    got = c2.get("k1")
    assert got is not None and got.documents[0].content == "one"
    assert c2.hits == 1
    assert c2.get("missing") is None and c2.misses == 1


def test_cache_ttl_expires_entries(tmp_path):
    cache = ResultCache(tmp_path, ttl=60)
    cache.put("k", _bundle())
    path = next(tmp_path.glob("*/*.json"))
    old = time.time() - 120
    os.utime(path, (old, old))
    fresh = ResultCache(tmp_path, ttl=60)
    assert fresh.get("k") is None
    assert not path.exists()  # an expired entry is removed, not kept forever


def test_cache_size_bound_evicts_least_recently_used(tmp_path):
    big = "x" * 4000
    cache = ResultCache(tmp_path, max_bytes=10_000)
    for i, key in enumerate(["a", "b", "c", "d"]):
        cache.put(key, _bundle(big))
        stamp = time.time() - 100 + i  # a is oldest
        for p in tmp_path.glob(f"*/{make_key_path(key)}"):
            os.utime(p, (stamp, stamp))
    cache.evict()
    total = sum(p.stat().st_size for p in tmp_path.glob("*/*.json"))
    assert total <= 10_000
    names = {p.stem for p in tmp_path.glob("*/*.json")}
    assert "d" in names and "a" not in names


def make_key_path(key: str) -> str:
    return f"{key}.json"


def test_corrupt_entry_is_a_miss(tmp_path):
    cache = ResultCache(tmp_path)
    cache.put("kk", _bundle())
    path = next(tmp_path.glob("*/*.json"))
    path.write_text("{not json")
    assert ResultCache(tmp_path).get("kk") is None


def test_disabled_cache_never_stores(tmp_path):
    cache = ResultCache(tmp_path, enabled=False)
    cache.put("k", _bundle())
    assert cache.get("k") is None
    assert not list(tmp_path.glob("*/*.json"))


def test_paginate_pages_cover_the_text_exactly():
    text = "".join(f"line {i}: " + "word " * 30 + "\n" for i in range(200))
    pages, cursor = [], None
    while True:
        page = paginate(text, 300, cursor)
        assert page.tokens <= 300
        assert page.total_tokens == count(text)
        pages.append(page.text)
        if page.next_cursor is None:
            assert page.tokens_left_out == 0
            break
        assert page.tokens_left_out == count(text[len("".join(pages)):])
        assert "tokens left out" in page.with_trailer() and page.next_cursor in page.with_trailer()
        cursor = page.next_cursor
    assert "".join(pages) == text
    assert len(pages) > 5


def test_paginate_rejects_bad_and_stale_cursors():
    text = "a\n" * 2000
    page = paginate(text, 200)
    with pytest.raises(UsageError):
        paginate(text, 200, "nonsense")
    with pytest.raises(UsageError, match="older version"):
        paginate(text + "changed", 200, page.next_cursor)


def test_limits_refuse_too_many_files_and_bytes():
    with pytest.raises(LimitExceeded, match="over this server's limit"):
        Limits(max_files=2).check_bundle(_bundle(n=3))
    with pytest.raises(LimitExceeded, match="bytes"):
        Limits(max_total_bytes=10).check_bundle(_bundle("x" * 50))
    Limits(max_files=0, max_total_bytes=0).check_bundle(_bundle(n=10))  # 0 switches a limit off


def test_rate_limiter_allows_a_burst_then_asks_to_wait():
    rl = RateLimiter(rate_per_minute=60, burst=3)
    assert [rl.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = rl.acquire("a")
    assert 0 < wait <= 1.0
    assert rl.acquire("b") == 0.0  # per client
    assert RateLimiter(0, 1).acquire("a") == 0.0  # 0 disables


def test_keyed_locks_serialise_one_key_and_clean_up():
    locks = KeyedLocks()
    inside, peak = [0], [0]
    guard = threading.Lock()

    def worker():
        with locks.hold("repo@main"):
            with guard:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.01)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 1
    assert len(locks) == 0


def test_rendering_memo_follows_a_refreshed_bundle(tmp_path):
    from llmingest.mcp_server.service import Service
    from llmingest.options import Options

    svc = Service(options=Options(cache_dir=tmp_path), cache=ResultCache(tmp_path / "r"))
    old = Bundle(source="o/r", kind="page", documents=[Document(path="p", content="old text", tokens=2)])
    new = Bundle(source="o/r", kind="page", documents=[Document(path="p", content="new text", tokens=2)])
    assert svc.rendered(old, "k")[0] == "old text"
    assert svc.rendered(old, "k")[0] == "old text"
    assert svc.rendered(new, "k")[0] == "new text"  # same key, re-ingested after the TTL: not stale


def test_search_over_pages_without_indexable_words_finds_nothing(tmp_path):
    from llmingest.mcp_server.service import Service
    from llmingest.options import Options

    svc = Service(options=Options(cache_dir=tmp_path), cache=ResultCache(tmp_path / "r"))
    empty = Bundle(source="s", kind="site", documents=[Document(path="a", content="a b c"), Document(path="b", content="")])
    assert svc.search(empty, "k-empty", "anything at all", 5) == []
    site = Bundle(source="s", kind="site", documents=[Document(path="x", content="proxy timeout settings"),
                                                      Document(path="y", content="install with pip")])
    hits = svc.search(site, "k-site", "pip install", 5)
    assert [d.path for d, _ in hits] == ["y"]
    with pytest.raises(UsageError):
        svc.search(site, "k-site", "   ", 5)
