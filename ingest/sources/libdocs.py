"""A library's name (and version) -> where its docs and source live, from the registry's metadata.

``llmingest docs requests==2.31.0`` and the MCP ``resolve_library`` tool start here. Resolution is
in two steps so the second one is pure and testable on saved metadata (the benchmark does that):

1. :func:`load_registry` asks the package index once (PyPI's JSON API, the npm registry, or
   ``git ls-remote`` for a GitHub ``owner/repo``) through the guarded fetcher; the index URL is
   configurable (``--index-url``, ``LLMINGEST_PYPI_URL``, ``LLMINGEST_NPM_URL``) for private
   mirrors and tests;
2. :func:`resolve` picks the version (exact, or the newest release with that prefix; "latest"
   when none was asked) and reads the docs URL, the source repository and the versioned docs
   URLs out of ``project_urls`` / ``homepage`` / ``repository``.

A version that does not exist is a :class:`SourceNotFound` naming the versions that do, never a
silent fallback to the latest. Versioned docs URLs are *candidates* (Read the Docs ``/en/<v>/``,
a ``/stable/`` segment swapped for the version): :mod:`llmingest.sources.libdocs_content` keeps only one
that answers and mentions the version.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from llmingest.errors import ConversionError, SourceNotFound, UsageError
from llmingest.options import Options

__all__ = ["LibrarySpec", "Registry", "Resolution", "parse_spec", "load_registry", "resolve",
           "registry_from_pypi", "registry_from_npm", "index_url", "ECOSYSTEMS"]

ECOSYSTEMS = ("pypi", "npm", "github")
DEFAULT_INDEX = {"pypi": "https://pypi.org", "npm": "https://registry.npmjs.org"}
INDEX_ENV = {"pypi": "LLMINGEST_PYPI_URL", "npm": "LLMINGEST_NPM_URL"}
FORGES = {"github.com", "gitlab.com", "codeberg.org", "bitbucket.org"}
VERSIONS_IN_HINT = 12
#: registry JSON is small; a 20 MB cap still holds npm's largest packuments (typescript ~ 15 MB)
MAX_REGISTRY_BYTES = 40_000_000

_NAME = re.compile(r"^(?:@[a-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*$")


@dataclass
class LibrarySpec:
    """What the user typed: ``requests``, ``requests==2.31``, ``npm:react@18``, ``owner/repo@v1``."""

    name: str
    version: str | None = None
    ecosystem: str | None = None  # None: try PyPI, then npm


@dataclass
class Registry:
    """One package as its index describes it: versions (oldest first) and labelled URLs per version."""

    ecosystem: str
    name: str
    versions: list[str]
    latest: str | None
    urls: dict[str, str] = field(default_factory=dict)  # label -> URL (project_urls, homepage, ...)
    repository: str | None = None  # npm's repository field, raw
    directory: str | None = None  # npm's repository.directory (monorepos)
    index: str = ""


@dataclass
class Resolution:
    """Where one version's docs are: what :func:`resolve` found and how (every field printable)."""

    name: str
    ecosystem: str
    version: str  # the version served
    requested: str | None  # what was asked (None: latest)
    latest: str | None
    docs_url: str | None  # the project's docs (usually the latest/stable ones)
    docs_from: str | None  # which metadata field said so
    repository: str | None  # https URL of the source repository
    directory: str | None = None  # package folder inside a monorepo
    versioned_docs: list[str] = field(default_factory=list)  # candidates, best first
    tags: list[str] = field(default_factory=list)  # git tags that would hold this version
    versions: int = 0  # how many versions the index lists

    @property
    def is_latest(self) -> bool:
        return self.latest is not None and self.version == self.latest

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---- what the user typed ---------------------------------------------------------------------------


def parse_spec(text: str, ecosystem: str | None = None) -> LibrarySpec:
    """``NAME``, ``NAME==VERSION``, ``NAME@VERSION``, ``pypi:NAME``, ``npm:@scope/name@1``, ``owner/repo``.

    >>> parse_spec("requests==2.31.0")
    LibrarySpec(name='requests', version='2.31.0', ecosystem=None)
    >>> parse_spec("npm:@angular/core@17")
    LibrarySpec(name='@angular/core', version='17', ecosystem='npm')
    >>> parse_spec("pallets/flask@3.0.0")
    LibrarySpec(name='pallets/flask', version='3.0.0', ecosystem='github')
    """
    raw = text.strip()
    eco = ecosystem.lower() if ecosystem else None
    if eco is not None and eco not in ECOSYSTEMS:
        raise UsageError(f"unknown ecosystem {ecosystem!r}", hint=f"choose one of {', '.join(ECOSYSTEMS)}")
    prefix, colon, rest = raw.partition(":")
    if colon and prefix.lower() in ECOSYSTEMS:
        eco, raw = prefix.lower(), rest.strip()
    version = None
    if "==" in raw:
        raw, version = (s.strip() for s in raw.split("==", 1))
    else:
        at = raw.rfind("@")
        if at > 0:
            raw, version = raw[:at].strip(), raw[at + 1:].strip()
    if version is not None and (not version or version.lower() == "latest"):
        version = None
    if raw.count("/") == 1 and not raw.startswith("@"):
        if eco not in (None, "github"):
            raise UsageError(f"{raw!r} is not a {eco} package name", hint="owner/repo names a GitHub repository")
        owner, repo = raw.split("/")
        if not (_NAME.match(owner) and _NAME.match(repo)):
            raise UsageError(f"{text!r} is not a library name")
        return LibrarySpec(raw, version, "github")
    if eco == "github":
        raise UsageError(f"{raw!r} is not owner/repo", hint="a GitHub library is named owner/repo")
    if not _NAME.match(raw):
        raise UsageError(f"{text!r} is not a library name", hint="e.g. requests, requests==2.31.0, npm:react@18")
    if raw.startswith("@"):
        if eco == "pypi":
            raise UsageError(f"{raw!r} is an npm scope name, not a PyPI package")
        eco = "npm"
    return LibrarySpec(raw, version, eco)


# ---- the index ----------------------------------------------------------------------------------------


def index_url(ecosystem: str, override: str | None = None) -> str:
    """The index base URL: ``--index-url``, else the ecosystem's environment variable, else the public one."""
    url = (override or os.environ.get(INDEX_ENV.get(ecosystem, ""), "") or DEFAULT_INDEX[ecosystem]).strip()
    url = url.rstrip("/")
    if ecosystem == "pypi":
        for suffix in ("/simple", "/pypi"):  # a pip-style index URL names the same server
            url = url.removesuffix(suffix)
    return url


def _get_json(url: str, options: Options, what: str) -> dict[str, Any] | None:
    """The JSON at ``url``, or None on 404 (an unknown package); other failures raise typed errors."""
    from llmingest.fetch.http import fetch

    resp = fetch(url, options, max_bytes=MAX_REGISTRY_BYTES, headers={"Accept": "application/json"}, check=False)
    if resp.status in (404, 410):
        return None
    if resp.status >= 400:
        from llmingest.fetch.http import raise_for_status

        raise_for_status(resp.status, url)
    try:
        data = json.loads(resp.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ConversionError(f"{what} at {url} is not JSON", hint="is --index-url the index's base URL?") from None
    if not isinstance(data, dict):
        raise ConversionError(f"{what} at {url} is not a JSON object")
    return data


def registry_from_pypi(data: dict[str, Any], index: str = "") -> Registry:
    """A Registry from PyPI's ``/pypi/<name>/json`` answer (also used on saved metadata)."""
    info = data.get("info") or {}
    versions = sorted((v for v, files in (data.get("releases") or {}).items() if files is not None), key=version_key)
    urls: dict[str, str] = {}
    for label, url in (info.get("project_urls") or {}).items():
        if isinstance(url, str) and url.strip():
            urls[str(label)] = url.strip()
    for label, key in (("Homepage", "home_page"), ("docs_url", "docs_url")):
        value = info.get(key)
        if isinstance(value, str) and value.strip() and value.strip() not in urls.values():
            urls.setdefault(label if label not in urls else f"{label} ({key})", value.strip())
    latest = info.get("version") or (versions[-1] if versions else None)
    if latest and latest not in versions:
        versions.append(latest)
    return Registry("pypi", info.get("name") or "", versions, latest, urls, index=index)


def registry_from_npm(data: dict[str, Any], index: str = "", version: str | None = None) -> Registry:
    """A Registry from an npm packument (``/<name>``); URLs come from ``version``'s manifest if given."""
    tags = data.get("dist-tags") or {}
    all_versions = data.get("versions") or {}
    versions = sorted(all_versions, key=version_key)
    latest = tags.get("latest") or (versions[-1] if versions else None)
    manifest = all_versions.get(version or latest or "") or {}
    urls: dict[str, str] = {}
    homepage = manifest.get("homepage") or data.get("homepage")
    if isinstance(homepage, str) and homepage.strip():
        urls["homepage"] = homepage.strip()
    repo = manifest.get("repository") or data.get("repository")
    directory = None
    if isinstance(repo, dict):
        directory = repo.get("directory")
        repo = repo.get("url")
    return Registry("npm", data.get("name") or "", versions, latest, urls,
                    repository=repo if isinstance(repo, str) else None,
                    directory=directory if isinstance(directory, str) else None, index=index)


def _github_registry(spec: LibrarySpec, options: Options) -> Registry:
    """``owner/repo``: versions are the repository's tags (``v1.2.0`` -> ``1.2.0``)."""
    tags = remote_tags(f"https://github.com/{spec.name}", options)
    versions = sorted({_strip_v(t) for t in tags if re.match(r"^v?\d", t)}, key=version_key)
    stable = [v for v in versions if not _prerelease(v)]
    latest = (stable or versions or [None])[-1]
    url = f"https://github.com/{spec.name}"
    return Registry("github", spec.name, versions, latest, {"Source": url}, repository=url)


def load_registry(spec: LibrarySpec, options: Options, index: str | None = None) -> Registry:
    """Ask the index about ``spec.name``; without an ecosystem, PyPI first, then npm."""
    if spec.ecosystem == "github":
        return _github_registry(spec, options)
    tried = [spec.ecosystem] if spec.ecosystem else ["pypi", "npm"]
    for eco in tried:
        base = index_url(eco, index)
        if base != DEFAULT_INDEX[eco]:
            # a mirror the operator configured (flag or environment; never a tool argument) may sit on
            # a private address; the docs URLs it names are still fetched under the caller's guard
            opts = options.merged(allow_private=True)
        else:
            opts = options
        if eco == "pypi":
            data = _get_json(f"{base}/pypi/{quote(spec.name, safe='')}/json", opts, "PyPI metadata")
            if data is not None:
                return registry_from_pypi(data, base)
        else:
            name = quote(spec.name, safe="@")  # @scope/name -> @scope%2Fname, as the registry wants
            data = _get_json(f"{base}/{name}", opts, "npm metadata")
            if data is not None:
                reg = registry_from_npm(data, base)
                if spec.version:  # that version's own homepage/repository
                    try:
                        wanted = match_version(reg, spec.version)
                    except SourceNotFound:
                        return reg
                    return registry_from_npm(data, base, wanted)
                return reg
    where = " or ".join(f"{e} ({index_url(e, index)})" for e in tried)
    raise SourceNotFound(f"no package named {spec.name!r} on {where}",
                         hint="check the spelling; pypi:NAME or npm:NAME picks the index; owner/repo reads a GitHub repository")


def remote_tags(repo_url: str, options: Options) -> list[str]:
    """The tags of a git repository (``git ls-remote``; the host map and the server guard apply)."""
    from llmingest.fetch.git_remote import clone_url, git_env, guard, ls_remote
    from llmingest.sources import parse as sources

    src = sources.parse(repo_url)
    if not isinstance(src, sources.GitRepo):
        raise UsageError(f"{repo_url} is not a git repository")
    url = clone_url(src, options)
    guard(src, url, options)
    env = git_env(url, timeout=options.timeout, isolated=options.isolate_git)
    return sorted(ls_remote(url, env, label=src.display(), timeout=options.timeout).tags)


# ---- versions -----------------------------------------------------------------------------------------


def _strip_v(text: str) -> str:
    return text[1:] if len(text) > 1 and text[0] in "vV" and text[1].isdigit() else text


_VERSION = re.compile(r"^[vV]?(\d+(?:\.\d+)*)(.*)$")
_PRE = re.compile(r"^[-_.]?(a|b|c|rc|alpha|beta|pre|preview|dev|canary|next|nightly|experimental|insiders)", re.I)


def version_key(text: str) -> tuple:
    """Sort key for PEP 440 and semver strings alike: numbers compared as numbers (1.0 == 1.0.0),
    pre-releases (``rc1``, ``-beta.2``, ``.dev0``) before their release, post-releases after.

    No dependency on ``packaging``: npm's semver strings are not PEP 440 anyway.

    >>> sorted(["1.10.0", "1.2.0", "1.2.0rc1", "1.2.0.post1", "2.0.0-beta.1"], key=version_key)
    ['1.2.0rc1', '1.2.0', '1.2.0.post1', '1.10.0', '2.0.0-beta.1']
    """
    m = _VERSION.match(text.strip())
    if not m:
        return (0, (), 0, text)
    nums = [int(n) for n in m[1].split(".")]
    while len(nums) > 1 and nums[-1] == 0:
        nums.pop()
    rest = m[2]
    rank = 1 if not rest else (0 if _PRE.match(rest) else 2)
    tail = tuple((0, int(n), "") if n.isdigit() else (1, 0, n.lower()) for n in re.findall(r"\d+|[A-Za-z]+", rest))
    return (1, tuple(nums), rank, tail)


def _prerelease(text: str) -> bool:
    return version_key(text)[2] == 0


def match_version(reg: Registry, wanted: str | None) -> str:
    """The version to serve: exact, else the newest release starting with ``wanted.``; never a guess.

    >>> match_version(Registry("pypi", "x", ["1.0", "1.2.0", "1.2.3", "2.0"], "2.0"), "1.2")
    '1.2.3'
    """
    if not reg.versions and not reg.latest:
        raise SourceNotFound(f"{reg.name} lists no versions on {reg.ecosystem}")
    if wanted is None:
        assert reg.latest is not None or reg.versions
        return reg.latest or reg.versions[-1]
    want = _strip_v(wanted.strip())
    if want in reg.versions:
        return want
    # a series (react@18, django==5.1) means its newest release, as npm ranges and docs sites read it
    prefixed = [v for v in reg.versions if v.startswith(want + ".") or v.startswith(want + "-")]
    stable = [v for v in prefixed if not _prerelease(v)]
    if stable or prefixed:
        return (stable or prefixed)[-1]
    for v in reg.versions:  # 1.0.0 == 1.0 (PEP 440 equality)
        if version_key(v)[0] and version_key(v) == version_key(want):
            return v
    raise SourceNotFound(f"{reg.name} has no version {wanted} on {reg.ecosystem}",
                         hint=f"versions found: {_versions_hint(reg.versions, want)}")


def _versions_hint(versions: list[str], want: str) -> str:
    import difflib

    near = difflib.get_close_matches(want, versions, n=4, cutoff=0.5)
    newest = [v for v in versions if not _prerelease(v)][-VERSIONS_IN_HINT:] or versions[-VERSIONS_IN_HINT:]
    shown = list(dict.fromkeys(sorted(near, key=version_key) + newest))
    more = len(versions) - len(shown)
    return ", ".join(shown) + (f" (and {more} more)" if more > 0 else "")


# ---- URLs ---------------------------------------------------------------------------------------------


def repo_url(text: str | None) -> tuple[str | None, str | None]:
    """npm/PyPI repository strings -> (https URL of the repository, folder inside it) or (None, None).

    >>> repo_url("git+https://github.com/a/b.git")
    ('https://github.com/a/b', None)
    >>> repo_url("github:reduxjs/redux")
    ('https://github.com/reduxjs/redux', None)
    >>> repo_url("https://github.com/socketio/socket.io/tree/main/packages/socket.io#readme")
    ('https://github.com/socketio/socket.io', 'packages/socket.io')
    """
    if not text or not isinstance(text, str):
        return None, None
    s = text.strip()
    short = re.match(r"^(github|gitlab|bitbucket):([\w.-]+/[\w.-]+)$", s)
    if short:
        host = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}[short[1]]
        return f"https://{host}/{short[2].removesuffix('.git')}", None
    if re.match(r"^[\w.-]+/[\w.-]+$", s):  # npm's "owner/repo" shorthand means GitHub
        return f"https://github.com/{s.removesuffix('.git')}", None
    s = s.removeprefix("git+")
    scp = re.match(r"^[\w.-]+@([\w.-]+):(.+)$", s)  # git@github.com:o/r.git
    if scp:
        s = f"https://{scp[1]}/{scp[2]}"
    parts = urlsplit(s)
    host = (parts.hostname or "").lower().removeprefix("www.")
    segs = [p for p in parts.path.split("/") if p]
    if host in FORGES:
        if len(segs) < 2:
            return None, None
        if segs[0] in ("sponsors", "orgs", "apps", "marketplace", "topics"):
            return None, None
        base = f"https://{host}/{segs[0]}/{segs[1].removesuffix('.git')}"
        directory = None
        if len(segs) > 4 and segs[2] == "tree":  # a folder; a /blob/ link names a file (a changelog)
            directory = "/".join(segs[4:]) or None
        return base, directory
    if parts.scheme in ("git", "ssh", "http", "https") and segs and (parts.scheme in ("git", "ssh") or
                                                                       segs[-1].endswith(".git")):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), None
    return None, None


def _norm_label(label: str) -> str:
    return re.sub(r"[^a-z]", "", label.lower())


def _is_repo_link(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return host in FORGES


_DOCS_LABELS = ("documentation", "docs", "doc", "docsrtd", "rtd", "readthedocs", "apireference", "reference",
                "manual", "userguide", "guide")
_REPO_LABELS = ("source", "sourcecode", "code", "repository", "repo", "github", "gitlab", "githubrepo", "git",
                "homepage", "home")
_NOT_DOCS = ("changelog", "changes", "release", "issue", "tracker", "bug", "funding", "donate", "chat", "ci",
             "coverage", "download", "security", "forum", "sponsor", "contact", "mastodon", "tidelift", "twitter")


def _docs_url(reg: Registry) -> tuple[str | None, str | None]:
    """(docs URL, the metadata field it came from): a docs label, else a homepage that is no forge page."""
    items = list(reg.urls.items())
    for label, url in items:
        key = _norm_label(label)
        if any(word in key for word in _NOT_DOCS) and "docs" not in key.removeprefix("docs"):
            continue
        if key in _DOCS_LABELS or key.startswith(("docs", "documentation")) or "readthedocs" in url:
            if not _is_repo_link(url) and "pythonhosted.org" not in url:
                return _clean(url), label
    for label, url in items:
        if _norm_label(label) in ("homepage", "home", "homepagehomepage", "website") and not _is_repo_link(url):
            if "pypi.org" not in url:
                return _clean(url), label
    for label, url in items:  # PyPI's old docs_url field (pythonhosted.org): stale, but said by the project
        if _norm_label(label) == "docsurl":
            return _clean(url), label
    return None, None


def _clean(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return urlunsplit((parts.scheme or "https", parts.netloc, path, parts.query, ""))


def _repository(reg: Registry) -> tuple[str | None, str | None, str | None]:
    """(repository URL, folder in it, the field it came from)."""
    if reg.repository:
        url, directory = repo_url(reg.repository)
        if url:
            return url, reg.directory or directory, "repository"
    ranked = sorted(reg.urls.items(), key=lambda kv: (_norm_label(kv[0]) not in _REPO_LABELS[:-2],
                                                      _norm_label(kv[0]) not in _REPO_LABELS))
    for label, raw in ranked:
        key = _norm_label(label)
        if any(word in key for word in ("issue", "tracker", "bug", "funding", "sponsor", "ci", "changelog")):
            continue
        url, directory = repo_url(raw)
        if url and (key in _REPO_LABELS or _is_repo_link(raw)):
            return url, reg.directory or directory, label
    return None, None, None


_RTD_PATH = re.compile(r"^/(?P<lang>[a-z]{2}(?:[-_][a-z]{2,4})?)/(?P<slug>[^/]+)/")
_VERSION_SEGMENT = {"stable", "latest", "current", "master", "main", "dev", "devdocs"}


def _rtd(url: str, reg: Registry) -> bool:
    """Is ``url`` served by Read the Docs (``*.readthedocs.io``, an ``rtd`` label, or /en/stable/ links)?"""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith((".readthedocs.io", ".readthedocs.org", ".rtfd.io")):
        return True
    for label, other in reg.urls.items():
        o = urlsplit(other)
        if (o.hostname or "").lower() != host:
            continue
        if "rtd" in _norm_label(label) or "readthedocs" in _norm_label(label):
            return True
        m = _RTD_PATH.match(o.path or "/")
        if m and m["slug"] in ("stable", "latest"):
            return True
    return False


def version_candidates(version: str) -> list[str]:
    """How docs sites spell a version in their URLs: 2.31.0, v2.31.0, 2.31, 2.31.x."""
    v = _strip_v(version)
    nums = v.split(".")
    out = [v, f"v{v}"]
    if len(nums) >= 2:
        out += [".".join(nums[:2]), ".".join(nums[:2]) + ".x"]
    return list(dict.fromkeys(out))


def versioned_docs(docs_url: str | None, version: str, reg: Registry) -> list[str]:
    """Candidate URLs of ``version``'s docs, best first (checked before use by the fetcher)."""
    if not docs_url:
        return []
    parts = urlsplit(docs_url)
    root = f"{parts.scheme}://{parts.netloc}"
    spells = version_candidates(version)
    m = _RTD_PATH.match(parts.path if parts.path.endswith("/") else parts.path + "/")
    if _rtd(docs_url, reg):
        lang = m["lang"] if m else "en"
        return [f"{root}/{lang}/{s}/" for s in spells]
    segs = parts.path.split("/")
    for i, seg in enumerate(segs):
        if seg.lower() in _VERSION_SEGMENT:
            base = "/".join(segs[:i])
            return [f"{root}{base}/{s}/" for s in spells]
    return []


def resolve(reg: Registry, wanted: str | None = None) -> Resolution:
    """The version to serve and where its docs and source are (pure: no network)."""
    version = match_version(reg, wanted)
    docs, docs_from = _docs_url(reg)
    repo, directory, _ = _repository(reg)
    for label, url in reg.urls.items():  # a homepage like github.com/o/r/tree/main/packages/x names the folder
        if _norm_label(label) not in ("homepage", "home", "source", "sourcecode", "code", "repository"):
            continue
        other, folder = repo_url(url)
        if repo and other == repo and folder and not directory:
            directory = folder
    if reg.ecosystem == "github":
        docs, docs_from = None, None
    tags = [f"v{version}", version]
    if reg.ecosystem == "npm":
        tags += [f"{reg.name}@{version}", f"{reg.name.rsplit('/', 1)[-1]}@{version}"]
    else:
        tags += [f"{reg.name}-{version}", f"release-{version}"]
    return Resolution(name=reg.name, ecosystem=reg.ecosystem, version=version, requested=wanted, latest=reg.latest,
                      docs_url=docs, docs_from=docs_from, repository=repo, directory=directory,
                      versioned_docs=versioned_docs(docs, version, reg), tags=list(dict.fromkeys(tags)),
                      versions=len(reg.versions))
