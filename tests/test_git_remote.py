"""Remote repositories become checkouts: real bare repos over git daemon, file:// and smart HTTP.

Every test talks to a git server on 127.0.0.1 (fixtures in conftest.py) through
``Options.host_map``, exactly as a user's ``https://github.com/...`` URL would be cloned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import free_port, git
from llmingest.cli import app
from llmingest.errors import AuthRequired, BlockedAddress, NetworkError, SourceNotFound, UsageError
from llmingest.fetch import git_remote
from llmingest.fetch.git_remote import checkout, checkout_local_ref, resolve_ref_path
from llmingest.options import Options
from llmingest.sources.parse import parse
from typer.testing import CliRunner


def opts(tmp_path: Path, daemon: dict, **kw) -> Options:
    host_map = {h: daemon["url"] for h in ("github.com", "gitlab.com", "codeberg.org", "bitbucket.org")}
    return Options(cache_dir=tmp_path / "cache", host_map=host_map, **kw)


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)


# ---- forge URLs -> the right ref, commit and subpath --------------------------------------------


def test_tree_url_with_slash_branch_is_sparse_and_partial(tmp_path, git_daemon):
    co = checkout(parse("https://github.com/o/r/tree/feature/x/docs"), opts(tmp_path, git_daemon))
    assert (co.ref, co.subpath, co.blob, co.cached) == ("feature/x", "docs", False, False)
    assert co.commit == git_daemon["feature"]
    assert files(co.root) == ["docs/a.md", "docs/feature.md", "docs/guide/b.md"]  # sparse: no README, no src
    assert git("config", "remote.origin.partialclonefilter", cwd=co.root) == "blob:none"
    assert git("rev-parse", "--is-shallow-repository", cwd=co.root) == "true"
    assert co.root.is_relative_to(tmp_path / "cache" / "repos")


def test_default_branch_full_checkout_from_owner_repo(tmp_path, git_daemon):
    co = checkout(parse("o/r", cwd=tmp_path), opts(tmp_path, git_daemon))
    assert (co.ref, co.subpath, co.commit) == ("main", None, git_daemon["main"])
    assert files(co.root) == ["README.md", "docs/a.md", "docs/guide/b.md", "src/[x].py", "src/app.py"]
    assert git("rev-list", "--count", "HEAD", cwd=co.root) == "1"  # shallow: one commit


def test_blob_url_gives_one_file(tmp_path, git_daemon):
    co = checkout(parse("https://github.com/o/r/blob/main/src/app.py"), opts(tmp_path, git_daemon))
    assert (co.subpath, co.blob, co.ref) == ("src/app.py", True, "main")
    assert files(co.root) == ["src/app.py"]
    assert co.path.read_text() == "print('app')\n"


def test_blob_with_glob_characters_in_name(tmp_path, git_daemon):
    co = checkout(parse("https://github.com/o/r/blob/main/src/[x].py"), opts(tmp_path, git_daemon))
    assert co.blob and files(co.root) == ["src/[x].py"]


def test_commit_url_full_and_short_sha(tmp_path, git_daemon):
    first = git_daemon["first"]
    co = checkout(parse(f"https://github.com/o/r/commit/{first}"), opts(tmp_path, git_daemon))
    assert (co.commit, co.ref) == (first, None)
    assert (co.root / "README.md").read_text() == "# Demo\n\nfirst\n"
    assert files(co.root) == ["README.md", "docs/a.md"]
    short = checkout(parse(f"https://github.com/o/r/commit/{first[:9]}"), opts(tmp_path, git_daemon, cache=False))
    assert short.commit == first and files(short.root) == ["README.md", "docs/a.md"]


def test_old_server_that_only_serves_ref_tips(tmp_path, git_daemon, monkeypatch):
    # protocol v0 upload-pack refuses a sha that is not a ref tip: we fall back to fetching history
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "protocol.version")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "0")
    first = git_daemon["first"]
    co = checkout(parse(f"https://github.com/o/r/commit/{first}"), opts(tmp_path, git_daemon))
    assert co.commit == first and files(co.root) == ["README.md", "docs/a.md"]
    with pytest.raises(SourceNotFound, match="commit 0+ not found"):
        checkout(parse("https://github.com/o/r/commit/" + "0" * 40), opts(tmp_path, git_daemon))


def test_ref_option_picks_tag_branch_or_commit(tmp_path, git_daemon):
    src = parse("github.com/o/r")
    assert checkout(src, opts(tmp_path, git_daemon, ref="v1")).commit == git_daemon["first"]
    v2 = checkout(src, opts(tmp_path, git_daemon, ref="v2"))  # annotated tag: peeled to its commit
    assert (v2.ref, v2.commit) == ("v2", git_daemon["main"])
    sha = checkout(src, opts(tmp_path, git_daemon, ref=git_daemon["first"]))
    assert (sha.ref, sha.commit) == (None, git_daemon["first"])


def test_ref_option_beats_url_ref_and_keeps_subpath(tmp_path, git_daemon):
    src = parse("https://github.com/o/r/tree/main/docs", ref="feature/x")
    co = checkout(src, opts(tmp_path, git_daemon, ref="feature/x"))
    assert (co.ref, co.subpath) == ("feature/x", "docs")
    assert "docs/feature.md" in files(co.root)


def test_longest_ref_match_wins(tmp_path, git_daemon):
    o = opts(tmp_path, git_daemon)
    url = git_daemon["url"] + "o/r.git"
    assert resolve_ref_path(url, ("release", "1.0", "docs"), o) == ("release/1.0", "docs")
    assert resolve_ref_path(url, ("release", "docs"), o) == ("release", "docs")
    assert resolve_ref_path(url, ("feature", "x"), o) == ("feature/x", None)
    assert resolve_ref_path(url, (git_daemon["first"], "docs"), o) == (git_daemon["first"], "docs")
    co = checkout(parse("https://github.com/o/r/tree/release/1.0/docs"), o)
    assert (co.ref, co.subpath, co.commit) == ("release/1.0", "docs", git_daemon["first"])


@pytest.mark.parametrize("url, ref, subpath, blob", [
    ("https://gitlab.com/o/r/-/tree/feature/x/docs/guide", "feature/x", "docs/guide", False),
    ("https://gitlab.com/o/r/-/blob/main/src/app.py", "main", "src/app.py", True),
    ("https://codeberg.org/o/r/src/branch/feature/x/docs", "feature/x", "docs", False),
    ("https://codeberg.org/o/r/src/tag/release/1.0/README.md", "release/1.0", "README.md", True),
    ("https://bitbucket.org/o/r/src/release/1.0/docs", "release/1.0", "docs", False),
    ("git@github.com:o/r.git", "main", None, False),
])
def test_every_forge_form_clones(tmp_path, git_daemon, url, ref, subpath, blob):
    co = checkout(parse(url), opts(tmp_path, git_daemon))
    assert (co.ref, co.subpath, co.blob) == (ref, subpath, blob)
    assert co.path.exists()


def test_gitea_commit_path_url(tmp_path, git_daemon):
    first = git_daemon["first"]
    co = checkout(parse(f"https://codeberg.org/o/r/src/commit/{first}/docs"), opts(tmp_path, git_daemon))
    assert (co.commit, co.ref, co.subpath) == (first, None, "docs")
    assert files(co.root) == ["docs/a.md"]


def test_file_url_and_ref(tmp_path, git_daemon):
    url = "file://" + str(git_daemon["bare"])
    co = checkout(parse(url), Options(cache_dir=tmp_path / "c"))
    assert (co.ref, co.commit) == ("main", git_daemon["main"])
    co = checkout(parse(url, ref="feature/x"), Options(cache_dir=tmp_path / "c", ref="feature/x"))
    assert (co.ref, co.commit) == ("feature/x", git_daemon["feature"])


def test_clone_url_host_map_forms():
    http = Options(host_map={"github.com": "http://127.0.0.1:9418/", "gitlab.com": "git://127.0.0.1:9/"})
    assert git_remote.clone_url(parse("https://github.com/o/r.git"), http) == "http://127.0.0.1:9418/o/r.git"
    assert git_remote.clone_url(parse("git@github.com:o/r.git"), http) == "http://127.0.0.1:9418/o/r.git"
    assert git_remote.clone_url(parse("https://www.github.com/o/r"), http) == "http://127.0.0.1:9418/o/r.git"
    assert git_remote.clone_url(parse("https://gitlab.com/g/s/r/-/tree/x"), http) == "git://127.0.0.1:9/g/s/r.git"
    assert git_remote.clone_url(parse("https://codeberg.org/o/r"), http) == "https://codeberg.org/o/r.git"


def test_ref_path_matching_rules():
    refs = git_remote.parse_ls_remote(
        "ref: refs/heads/main\tHEAD\n" + "\n".join(f"{c * 40}\t{n}" for c, n in [
            ("a", "HEAD"), ("a", "refs/heads/main"), ("b", "refs/heads/feature/x"), ("c", "refs/heads/deadbeef"),
            ("d", "refs/tags/v1"), ("e", "refs/tags/v2"), ("f", "refs/tags/v2^{}")]))
    assert (refs.head, refs.head_commit, refs.tags["v2"]) == ("main", "a" * 40, "f" * 40)  # peeled
    m = git_remote.match_ref_path
    assert m(refs, ("feature", "x", "a", "b.md")) == ("feature/x", "a/b.md")
    assert m(refs, ("deadbeef", "docs")) == ("deadbeef", "docs")  # a branch, though it looks like a sha
    assert m(refs, ("abc1234", "docs")) == ("abc1234", "docs")  # nothing matches: a short sha
    assert m(refs, ("feature", "docs")) is None


# ---- the clone cache ---------------------------------------------------------------------------


def test_second_run_is_served_from_cache(tmp_path, git_daemon):
    o = opts(tmp_path, git_daemon)
    src = parse("https://github.com/o/r/tree/feature/x/docs")
    before = git_daemon["requests"]()
    first = checkout(src, o)
    filled = git_daemon["requests"]()
    assert filled - before == 3  # ls-remote, fetch of commit + trees, fetch of the sparse blobs
    stat = first.root.stat()
    again = checkout(src, o)
    assert again.cached and not first.cached
    assert again.root == first.root
    assert git_daemon["requests"]() - filled == 1  # only the ls-remote that resolves the commit
    assert (again.root.stat().st_mtime_ns, again.root.stat().st_ino) == (stat.st_mtime_ns, stat.st_ino)
    # a full checkout of that commit serves the narrower request too; no fetch either
    full = checkout(parse("https://github.com/o/r", ref="feature/x"), opts(tmp_path, git_daemon, ref="feature/x"))
    narrow = checkout(parse("https://github.com/o/r/tree/feature/x/src"), o)
    assert narrow.cached and narrow.root == full.root and narrow.subpath == "src"


def test_sparse_folder_serves_a_folder_or_file_below_it(tmp_path, git_daemon):
    o = opts(tmp_path, git_daemon)
    docs = checkout(parse("https://github.com/o/r/tree/main/docs"), o)
    guide = checkout(parse("https://github.com/o/r/tree/main/docs/guide"), o)
    page = checkout(parse("https://github.com/o/r/blob/main/docs/guide/b.md"), o)
    assert guide.cached and page.cached and guide.root == page.root == docs.root
    assert page.blob and page.path.read_text() == "# B\n"
    assert not checkout(parse("https://github.com/o/r/tree/main/src"), o).cached  # not inside docs


def test_known_commit_cache_hit_needs_no_network(tmp_path, git_daemon):
    o = opts(tmp_path, git_daemon, ref=git_daemon["first"])
    src = parse("o/r", cwd=tmp_path)
    checkout(src, o)
    before = git_daemon["requests"]()
    co = checkout(src, o)
    assert co.cached and git_daemon["requests"]() == before


def test_no_cache_bypasses_cache(tmp_path, git_daemon):
    o = opts(tmp_path, git_daemon, cache=False)
    a = checkout(parse("o/r", cwd=tmp_path), o)
    b = checkout(parse("o/r", cwd=tmp_path), o)
    assert not a.cached and not b.cached and a.root != b.root
    assert not (tmp_path / "cache" / "repos").exists()


def test_unusable_cache_dir_still_clones(tmp_path, git_daemon):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    o = Options(cache_dir=blocker, host_map={"github.com": git_daemon["url"]})
    co = checkout(parse("o/r", cwd=tmp_path), o)
    assert not co.cached and (co.root / "README.md").is_file()


def test_git_log_deepens_the_clone(tmp_path, git_daemon):
    co = checkout(parse("o/r", cwd=tmp_path), opts(tmp_path, git_daemon, ref="feature/x", git_log=2))
    assert git("rev-list", "--count", "HEAD", cwd=co.root) == "2"


def test_full_sha_with_tree_url_still_resolves_the_subpath(tmp_path, git_daemon):
    o = opts(tmp_path, git_daemon, ref=git_daemon["main"])
    checkout(parse("o/r", cwd=tmp_path), o)  # a full checkout of that sha is now cached
    co = checkout(parse("https://github.com/o/r/tree/main/docs", ref=git_daemon["main"]), o)
    assert (co.subpath, co.commit, co.cached) == ("docs", git_daemon["main"], True)


def test_two_concurrent_runs_clone_once(tmp_path, git_daemon):
    o = opts(tmp_path, git_daemon)
    src = parse("https://github.com/o/r/tree/main/src")
    before = git_daemon["requests"]()
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(checkout(src, o))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0].root == results[1].root
    assert sorted(r.cached for r in results) == [False, True]
    assert git_daemon["requests"]() - before == 4  # two ls-remotes, one fill (commit + sparse blobs)


def test_cache_is_bounded(tmp_path, git_daemon, monkeypatch):
    monkeypatch.setattr(git_remote, "CACHE_MAX_ENTRIES", 2)
    o = opts(tmp_path, git_daemon)
    roots = [checkout(parse("o/r", cwd=tmp_path), opts(tmp_path, git_daemon, ref=r)).root
             for r in ("v1", "main", "feature/x")]
    assert not roots[0].exists() and roots[1].exists() and roots[2].exists()
    entries = [p for p in (tmp_path / "cache" / "repos").iterdir() if p.is_dir()]
    assert len(entries) == 2
    assert checkout(parse("o/r", cwd=tmp_path), o).cached  # main is still there


# ---- errors ------------------------------------------------------------------------------------


def test_unknown_ref_names_it_and_lists_branches(tmp_path, git_daemon):
    with pytest.raises(SourceNotFound) as err:
        checkout(parse("https://github.com/o/r/tree/nope/docs"), opts(tmp_path, git_daemon))
    assert "'nope'" in str(err.value) and "feature/x" in err.value.hint and "main" in err.value.hint
    with pytest.raises(SourceNotFound, match="unknown ref 'v9'"):
        checkout(parse("o/r", cwd=tmp_path), opts(tmp_path, git_daemon, ref="v9"))


def test_missing_repo_empty_repo_and_missing_path(tmp_path, git_daemon):
    with pytest.raises(SourceNotFound, match="repository not found"):
        checkout(parse("https://github.com/o/missing"), opts(tmp_path, git_daemon))
    with pytest.raises(SourceNotFound, match="repository is empty"):
        checkout(parse("https://github.com/o/empty"), opts(tmp_path, git_daemon))
    with pytest.raises(SourceNotFound, match="'docs/nothing' not found"):
        checkout(parse("https://github.com/o/r/tree/main/docs/nothing"), opts(tmp_path, git_daemon))
    with pytest.raises(SourceNotFound, match="commit 0+ not found"):
        checkout(parse("https://github.com/o/r/commit/" + "0" * 40), opts(tmp_path, git_daemon))
    assert not list((tmp_path / "cache" / "repos").glob(".tmp-*"))  # failed fills leave nothing


def test_connection_refused_is_network_error(tmp_path):
    o = Options(cache_dir=tmp_path, host_map={"github.com": f"git://127.0.0.1:{free_port()}/"})
    with pytest.raises(NetworkError):
        checkout(parse("o/r", cwd=tmp_path), o)


def test_server_mode_refuses_local_and_private_addresses(tmp_path, git_daemon):
    server = Options(cache_dir=tmp_path / "c", allow_private=False)
    for text in (f"git://127.0.0.1:{git_daemon['port']}/o/r.git", "file://" + str(git_daemon["bare"]),
                 "git@github.com:o/r.git", "http://127.0.0.1:1/o/r.git"):
        with pytest.raises(BlockedAddress):
            checkout(parse(text), server)
    # a mirror the operator configured is trusted
    mapped = opts(tmp_path, git_daemon, allow_private=False)
    assert checkout(parse("o/r", cwd=tmp_path), mapped).commit == git_daemon["main"]


def test_discard_removes_an_uncached_checkout(tmp_path, git_daemon):
    co = checkout(parse("o/r", cwd=tmp_path), opts(tmp_path, git_daemon, cache=False))
    assert co.root.exists()
    git_remote.discard(co)
    assert not co.root.exists()
    cached = checkout(parse("o/r", cwd=tmp_path), opts(tmp_path, git_daemon))
    git_remote.discard(cached)  # never touches the cache
    assert cached.root.exists()


@pytest.mark.parametrize("stderr, kind, text", [  # what git and the forges really print
    ("git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.",
     AuthRequired, "Permission denied (publickey)"),
    ("Host key verification failed.\nfatal: Could not read from remote repository.", AuthRequired, "known_hosts"),
    ("fatal: unable to access 'https://nohost.invalid/o/r.git/': Could not resolve host: nohost.invalid",
     NetworkError, "Could not resolve host"),
    ("remote: Repository not found.\nfatal: repository 'https://github.com/o/x.git/' not found",
     SourceNotFound, "repository not found"),
    ("fatal: unable to access 'https://h/o/r.git/': The requested URL returned error: 403", AuthRequired, "--token"),
    ("fatal: unable to access 'https://h/o/r.git/': The requested URL returned error: 502", NetworkError, "502"),
    ("fatal: could not read Username for 'https://github.com': terminal prompts disabled", AuthRequired,
     "not found or private"),
])
def test_git_failures_map_to_typed_errors(stderr, kind, text):
    err = git_remote._classify(stderr, "o/r", token=False)
    assert type(err) is kind and text in err.render() and "\n" not in err.render()


# ---- private repositories over smart HTTP -------------------------------------------------------


@pytest.fixture
def private(tmp_path, git_http_private, monkeypatch):
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "GL_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return git_http_private


def test_private_repo_without_token_is_auth_required(tmp_path, private):
    o = Options(cache_dir=tmp_path, host_map={"github.com": private["url"]})
    with pytest.raises(AuthRequired) as err:
        checkout(parse("https://github.com/o/private"), o)
    assert "--token" in err.value.render() and "GITHUB_TOKEN" in err.value.render()


def test_private_repo_with_token_and_token_never_leaks(tmp_path, private):
    token = private["token"]
    o = Options(cache_dir=tmp_path, host_map={"github.com": private["url"]}, token=token)
    co = checkout(parse("https://github.com/o/private/tree/feature/x/docs"), o)
    assert co.commit == private["feature"] and "docs/feature.md" in files(co.root)
    stored = "".join(p.read_text(errors="replace") for p in (co.root / ".git").glob("*") if p.is_file())
    assert token not in stored  # not in .git/config, FETCH_HEAD, ...


def test_token_from_environment(tmp_path, private, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", private["token"])
    o = Options(cache_dir=tmp_path, host_map={"github.com": private["url"]})
    assert checkout(parse("github.com/o/private"), o).commit == private["main"]


@pytest.mark.parametrize("where", ["wrong", "refused"])
def test_token_never_appears_in_errors(tmp_path, private, where):
    fake = "ghp_NEVERshowTHIS0123456789abcdefghijkl"
    mirror = private["url"] if where == "wrong" else f"http://127.0.0.1:{free_port()}/"
    o = Options(cache_dir=tmp_path, host_map={"github.com": mirror}, token=fake)
    with pytest.raises((AuthRequired, NetworkError)) as err:
        checkout(parse("https://github.com/o/private"), o)
    text = err.value.render() + repr(err.value.args)
    assert fake not in text and "NEVERshow" not in text
    assert isinstance(err.value, AuthRequired if where == "wrong" else NetworkError)


def test_missing_repo_with_valid_token_is_not_found(tmp_path, private):
    o = Options(cache_dir=tmp_path, host_map={"github.com": private["url"]}, token=private["token"])
    with pytest.raises(SourceNotFound):
        checkout(parse("https://github.com/o/nothere"), o)


# ---- a local repository at another ref ----------------------------------------------------------


def test_local_ref_leaves_the_users_repo_alone(tmp_path, git_daemon):
    work = tmp_path / "mine"
    git("clone", "-q", str(git_daemon["bare"]), str(work))
    (work / "README.md").write_text("uncommitted\n")
    state = (git("status", "--porcelain", cwd=work), git("rev-parse", "HEAD", cwd=work),
             git("for-each-ref", cwd=work), (work / ".git" / "index").read_bytes())
    o = Options(cache_dir=tmp_path / "cache")
    co = checkout_local_ref(work, "v1", o)
    assert (co.ref, co.commit, co.subpath) == ("v1", git_daemon["first"], None)
    assert (co.root / "README.md").read_text() == "# Demo\n\nfirst\n"
    assert state == (git("status", "--porcelain", cwd=work), git("rev-parse", "HEAD", cwd=work),
                     git("for-each-ref", cwd=work), (work / ".git" / "index").read_bytes())
    again = checkout_local_ref(work, "v1", o)
    assert again.cached and again.root == co.root
    sub = checkout_local_ref(work / "docs", "origin/feature/x", o)
    assert (sub.subpath, sub.commit) == ("docs", git_daemon["feature"])
    assert files(sub.root) == ["docs/a.md", "docs/feature.md", "docs/guide/b.md"]
    bare = checkout_local_ref(work, git_daemon["first"][:10], o)
    assert (bare.ref, bare.commit) == (None, git_daemon["first"])


def test_local_ref_errors(tmp_path, git_daemon, monkeypatch):
    work = tmp_path / "mine"
    git("clone", "-q", str(git_daemon["bare"]), str(work))
    with pytest.raises(SourceNotFound) as err:
        checkout_local_ref(work, "no-such-branch", Options(cache_dir=tmp_path / "c"))
    assert "no-such-branch" in str(err.value) and "main" in err.value.hint
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # the temp dir may sit inside a repo
    assert subprocess.run(["git", "-C", str(plain), "rev-parse"], capture_output=True).returncode != 0
    with pytest.raises(UsageError, match="needs a git repository"):
        checkout_local_ref(plain, "main", Options(cache_dir=tmp_path / "c"))


# ---- end to end: the CLI on remote sources -------------------------------------------------------


def _cli(args: list[str], tmp_path: Path, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def test_cli_tree_url_with_host_map_digests_the_subpath(tmp_path, git_daemon, monkeypatch):
    url = "https://github.com/o/r/tree/feature/x/docs"
    code, out, err = _cli(["repo", url, "--host-map", f"github.com={git_daemon['url']}", "-f", "json", "-q"],
                          tmp_path, monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    assert [d["path"] for d in data["documents"]] == ["docs/a.md", "docs/feature.md", "docs/guide/b.md"]
    assert data["documents"][1]["content"] == "# Feature\n"
    assert (data["metadata"]["ref"], data["metadata"]["commit"]) == ("feature/x", git_daemon["feature"])
    code2, out2, _ = _cli(["repo", url, "--host-map", f"github.com={git_daemon['url']}", "-f", "json", "-q"],
                          tmp_path, monkeypatch)
    assert code2 == 0 and out2 == out  # served from the clone cache, byte-identical


def test_cli_blob_url_and_ref(tmp_path, git_daemon, monkeypatch):
    hm = ["--host-map", f"gitlab.com={git_daemon['url']}", "-q"]
    code, out, err = _cli(["repo", "https://gitlab.com/o/r/-/blob/main/src/app.py", "-f", "json", *hm],
                          tmp_path, monkeypatch)
    assert code == 0, err
    assert [d["path"] for d in json.loads(out)["documents"]] == ["src/app.py"]
    digest = tmp_path / "d.md"
    code, _, err = _cli(["repo", "gitlab.com/o/r", "--ref", "v1", "-o", str(digest), *hm], tmp_path, monkeypatch)
    assert code == 0, err
    text = digest.read_text()
    assert "first" in text and "second" not in text and "src/app.py" not in text


def test_cli_local_repo_at_another_ref(tmp_path, git_daemon, monkeypatch):
    work = tmp_path / "mine"
    git("clone", "-q", str(git_daemon["bare"]), str(work))
    code, out, err = _cli(["repo", str(work), "--ref", "v1", "-f", "json", "-q"], tmp_path, monkeypatch)
    assert code == 0, err
    docs = {d["path"]: d["content"] for d in json.loads(out)["documents"]}
    assert docs == {"README.md": "# Demo\n\nfirst\n", "docs/a.md": "# A\n"}


def test_cli_errors_are_one_line_with_exit_codes_and_no_token(tmp_path, git_daemon, private):
    env = {**os.environ, "LLMINGEST_CACHE_DIR": str(tmp_path / "cache"),
           "LLMINGEST_HOST_MAP": f"github.com={git_daemon['url']},gitlab.com={private['url']}"}
    env.pop("LLMINGEST_DEBUG", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        code = "from llmingest.cli import main; main()"  # exactly what the console script runs
        return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)

    cases = [
        (("o/missing",), 3, "repository not found"),
        (("https://github.com/o/r/tree/nope",), 3, "unknown ref 'nope'"),
        (("https://github.com/o/empty",), 3, "repository is empty"),
        (("https://gitlab.com/o/private",), 4, "GITLAB_TOKEN"),
        (("https://gitlab.com/o/private", "--token", "glpat-WRONGwrongWRONG12345678"), 4, "authentication failed"),
    ]
    for args, code, text in cases:
        proc = run(*args)
        assert proc.returncode == code, (args, proc.stderr)
        assert text in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
        assert "WRONGwrong" not in proc.stderr


def test_server_mode_checks_every_redirect_hop_of_a_clone(monkeypatch, tmp_path):
    """A 'public' repo URL that redirects git to a private address is refused before git connects."""
    import http.server
    import threading

    from llmingest.errors import BlockedAddress
    from llmingest.fetch import http as http_mod
    from llmingest.fetch.git_remote import checkout
    from llmingest.options import Options
    from llmingest.sources.parse import parse

    inward_hits = []

    class Inward(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # the "metadata service": must never be asked anything
            inward_hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    inward = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Inward)
    inward_port = inward.server_address[1]

    class Public(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(301)
            self.send_header("Location", f"http://127.0.0.1:{inward_port}{self.path}")
            self.end_headers()

        def log_message(self, *a):
            pass

    public = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Public)
    public_port = public.server_address[1]
    for srv in (inward, public):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    real = http_mod.check_address

    def check(url, options):  # the public server stands in for a public address; the rest is private
        if f":{public_port}/" in url:
            return None
        return real(url, options)

    monkeypatch.setattr(http_mod, "check_address", check)
    try:
        src = parse(f"http://127.0.0.1:{public_port}/o/r.git")
        with pytest.raises(BlockedAddress):
            checkout(src, Options(allow_private=False, cache=False, cache_dir=tmp_path))
        assert inward_hits == []
    finally:
        inward.shutdown()
        public.shutdown()


def test_a_killed_clones_temporary_fill_is_swept_at_the_next_start(tmp_path):
    """kill -9 during a clone left a 151 MB .tmp-* for a day; a fill whose process is gone goes at once,
    one of a live process (another run still cloning) stays."""
    import subprocess
    import sys

    from llmingest.fetch.git_remote import sweep_abandoned

    cache = tmp_path / "repos"
    cache.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    crashed = cache / f".tmp-0123456789abcdef0123-p{dead.pid}-x1"
    (crashed / "w").mkdir(parents=True)
    (crashed / "w" / "big.bin").write_bytes(b"\0" * 1024)
    live = cache / f".tmp-fedcba9876543210fedc-p{os.getppid()}-x2"
    live.mkdir()
    entry = cache / "0123456789abcdef0123456789abcdef"
    entry.mkdir()
    assert sweep_abandoned(cache) == [crashed.name]
    assert not crashed.exists() and live.exists() and entry.exists()
