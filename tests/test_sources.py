"""URL and path parsing for every source form users type (pure: no network, no git)."""

from __future__ import annotations

import pytest
from llmingest.errors import SourceNotFound, UsageError
from llmingest.sources.parse import GitRepo, LocalDir, LocalFile, WebPage, parse

SHA = "0123456789abcdef0123456789abcdef01234567"


def repo(text: str, **kw) -> GitRepo:
    src = parse(text, **kw)
    assert isinstance(src, GitRepo), src
    return src


# ---- GitHub ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "https://github.com/o/r", "https://github.com/o/r/", "https://github.com/o/r.git", "http://github.com/o/r",
    "github.com/o/r", "github.com/o/r.git", "https://www.github.com/o/r", "o/r", "o/r.git",
])
def test_github_repo_forms(text, tmp_path):
    src = repo(text, cwd=tmp_path)
    assert (src.host.removeprefix("www."), src.repo_path, src.forge) == ("github.com", "o/r", "github")
    assert src.url.endswith("github.com/o/r.git")
    assert (src.ref, src.subpath, src.ref_path, src.target) == (None, None, (), "tree")


def test_github_tree_keeps_slashed_segments_unresolved():
    src = repo("https://github.com/o/r/tree/feature/x/docs/api")
    assert (src.target, src.ref_path, src.ref) == ("tree", ("feature", "x", "docs", "api"), None)
    assert src.url == "https://github.com/o/r.git"


def test_github_blob_and_query_string():
    src = repo("https://github.com/o/r/blob/main/src/a.py?plain=1#L10")
    assert (src.target, src.ref_path) == ("blob", ("main", "src", "a.py"))


def test_github_commit_and_commits():
    src = repo(f"https://github.com/o/r/commit/{SHA}")
    assert (src.target, src.commit, src.ref) == ("commit", SHA, SHA)
    history = repo("https://github.com/o/r/commits/feature/x")
    assert (history.commit, history.ref_path) == (None, ("feature", "x"))
    short = repo("https://github.com/o/r/commits/abc1234")
    assert short.commit == "abc1234"


def test_percent_encoded_segments():
    src = repo("https://github.com/o/r/tree/main/docs/with%20space")
    assert src.ref_path == ("main", "docs", "with space")


@pytest.mark.parametrize("url", [
    "https://github.com/o/r/issues/12", "https://github.com/o/r/pull/3", "https://github.com/o/r/pulls",
    "https://github.com/o/r/wiki/Home", "https://github.com/o/r/releases/tag/v1", "https://github.com/about",
    "https://github.com/o", "https://github.com/o/r/actions/runs/1",
])
def test_non_repo_github_pages_are_web_pages(url):
    assert isinstance(parse(url), WebPage)


# ---- GitLab ------------------------------------------------------------------------------------


def test_gitlab_nested_groups_and_dash_tree():
    src = repo("https://gitlab.com/g/sub/deeper/r/-/tree/release/2.0/docs")
    assert (src.forge, src.repo_path, src.url) == ("gitlab", "g/sub/deeper/r", "https://gitlab.com/g/sub/deeper/r.git")
    assert (src.target, src.ref_path) == ("tree", ("release", "2.0", "docs"))


def test_gitlab_blob_commit_plain_and_issue():
    assert repo("https://gitlab.com/g/r/-/blob/main/x.py").ref_path == ("main", "x.py")
    assert repo("https://gitlab.com/g/r/-/blob/main/x.py").target == "blob"
    assert repo(f"https://gitlab.com/g/sub/r/-/commit/{SHA}").commit == SHA
    plain = repo("https://gitlab.com/g/sub/r")
    assert (plain.repo_path, plain.url) == ("g/sub/r", "https://gitlab.com/g/sub/r.git")
    assert repo("gitlab.com/g/sub/r.git").repo_path == "g/sub/r"
    assert isinstance(parse("https://gitlab.com/g/r/-/issues/4"), WebPage)
    assert isinstance(parse("https://gitlab.com/g/r/-/merge_requests/4"), WebPage)


def test_self_hosted_gitlab_by_its_url_shape():
    src = repo("https://git.example.org/team/r/-/tree/main/docs")
    assert (src.forge, src.repo_path, src.ref_path) == ("gitlab", "team/r", ("main", "docs"))


# ---- Codeberg / Gitea / Forgejo ---------------------------------------------------------------


def test_codeberg_src_branch_tag_commit():
    src = repo("https://codeberg.org/o/r/src/branch/feature/x/docs")
    assert (src.forge, src.url, src.ref_path) == ("gitea", "https://codeberg.org/o/r.git", ("feature", "x", "docs"))
    assert repo("https://codeberg.org/o/r/src/tag/v1.0/README.md").ref_path == ("v1.0", "README.md")
    at_commit = repo(f"https://codeberg.org/o/r/src/commit/{SHA}/docs/a.md")
    assert (at_commit.commit, at_commit.ref, at_commit.subpath) == (SHA, SHA, "docs/a.md")
    commit = repo(f"https://codeberg.org/o/r/commit/{SHA}")
    assert (commit.target, commit.commit) == ("commit", SHA)


def test_self_hosted_gitea_by_its_url_shape():
    src = repo("https://git.example.org/o/r/src/branch/main/docs")
    assert (src.forge, src.ref_path) == ("gitea", ("main", "docs"))


# ---- Bitbucket ----------------------------------------------------------------------------------


def test_bitbucket_src_and_commits():
    src = repo("https://bitbucket.org/o/r/src/release/1.0/docs/")
    assert (src.forge, src.url, src.ref_path) == ("bitbucket", "https://bitbucket.org/o/r.git", ("release", "1.0", "docs"))
    assert repo(f"https://bitbucket.org/o/r/commits/{SHA}").commit == SHA
    assert isinstance(parse("https://bitbucket.org/o/r/pull-requests/1"), (WebPage, GitRepo))


# ---- plain git URLs -----------------------------------------------------------------------------


def test_scp_like_ssh():
    src = repo("git@github.com:o/r.git")
    assert (src.url, src.host, src.repo_path, src.forge) == ("git@github.com:o/r.git", "github.com", "o/r", "github")
    gl = repo("git@gitlab.com:g/sub/r.git")
    assert (gl.repo_path, gl.forge) == ("g/sub/r", "gitlab")


def test_ssh_and_git_urls():
    src = repo("ssh://git@github.com/o/r.git")
    assert (src.url, src.host, src.repo_path) == ("ssh://git@github.com/o/r.git", "github.com", "o/r")
    assert repo("git+ssh://git@example.org:2222/team/r.git").url == "ssh://git@example.org:2222/team/r.git"
    git = repo("git://example.org/r.git")
    assert (git.host, git.repo_path, git.forge) == ("example.org", "r", "git")


def test_any_https_dot_git_url_is_a_repo():
    src = repo("https://example.org/scm/team/r.git")
    assert (src.url, src.repo_path, src.forge) == ("https://example.org/scm/team/r.git", "scm/team/r", "git")


def test_file_url_to_a_bare_repo(tmp_path):
    bare = tmp_path / "r.git"
    bare.mkdir()
    (bare / "HEAD").write_text("ref: refs/heads/main\n")
    src = repo(f"file://{bare}")
    assert (src.url, src.repo_path, src.host) == (f"file://{bare}", "r", "")
    with pytest.raises(SourceNotFound):
        parse(f"file://{tmp_path}/missing.git")


def test_file_url_to_a_plain_folder_or_file(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    assert parse(f"file://{tmp_path}") == LocalDir(tmp_path)
    assert parse(f"file://{tmp_path}/a.pdf") == LocalFile(tmp_path / "a.pdf", "pdf")


# ---- --ref --------------------------------------------------------------------------------------


def test_ref_option_keeps_the_urls_subpath_segments():
    src = parse("https://github.com/o/r/tree/main/docs", ref="v2")
    assert (src.ref, src.ref_path) == ("v2", ("main", "docs"))
    commit = parse(f"https://github.com/o/r/commit/{SHA}", ref="main")
    assert (commit.ref, commit.commit) == ("main", None)
    assert parse("o/r", ref="dev").display() == "o/r@dev"


# ---- local paths and web pages ------------------------------------------------------------------


def test_local_folder_wins_over_owner_repo(tmp_path):
    (tmp_path / "docs" / "api").mkdir(parents=True)
    assert parse("docs/api", cwd=tmp_path) == LocalDir((tmp_path / "docs" / "api").resolve())
    assert isinstance(parse("docs/other", cwd=tmp_path), GitRepo)  # no such folder: a GitHub repo


def test_local_files_by_kind(tmp_path):
    for name, fmt in (("a.pdf", "pdf"), ("b.html", "html"), ("c.py", "text")):
        (tmp_path / name).write_text("x")
        assert parse(name, cwd=tmp_path) == LocalFile((tmp_path / name).resolve(), fmt)
    assert parse("~", cwd=tmp_path) == LocalDir(__import__("pathlib").Path.home().resolve())


def test_web_pages_and_pdfs():
    page = parse("https://docs.python.org/3/library/re.html")
    assert isinstance(page, WebPage) and page.kind == "page"
    assert parse("https://example.org/paper.pdf").kind == "pdf"


def test_bad_input_is_typed():
    with pytest.raises(UsageError):
        parse("   ")
    with pytest.raises(SourceNotFound):
        parse("./no/such/thing")
    with pytest.raises(SourceNotFound):
        parse("not a source at all")


def test_a_pdf_without_the_pdf_name_is_a_pdf(tmp_path):
    import pymupdf
    from llmingest.sources.parse import LocalFile, parse

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "hello")
    target = tmp_path / "download"
    doc.save(target)
    src = parse(str(target))
    assert isinstance(src, LocalFile) and src.kind == "pdf"
