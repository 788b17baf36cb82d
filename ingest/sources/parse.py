"""Parse what the user typed into a typed Source, once (DESIGN rule 2).

Everything after parsing switches on the Source's type, never on the string. Forge web URLs keep
the segments after ``/tree/`` or ``/blob/`` unresolved (``ref_path``): a ref may contain slashes
(``feature/x``), so only ``git ls-remote`` can say where the ref ends and the path begins
(:func:`llmingest.fetch.git_remote.resolve_ref_path`, longest match wins).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from llmingest.errors import SourceNotFound, UsageError

__all__ = [
    "Source",
    "LocalDir",
    "LocalFile",
    "GitRepo",
    "WebPage",
    "parse",
    "check_host",
    "FORGE_HOSTS",
    "split_userinfo",
    "public_url",
]

#: hosts whose web URLs we read as repositories, and the URL dialect each speaks
FORGE_HOSTS: dict[str, str] = {
    "github.com": "github",
    "www.github.com": "github",
    "gitlab.com": "gitlab",
    "codeberg.org": "gitea",
    "gitea.com": "gitea",
    "try.gitea.io": "gitea",
    "bitbucket.org": "bitbucket",
    "git.sr.ht": "sourcehut",
}

PDF_EXTENSIONS = {".pdf"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}


@dataclass(frozen=True)
class LocalDir:
    """A folder on disk, a git work tree or not."""

    path: Path

    @property
    def kind(self) -> str:
        return "repo"

    def display(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class LocalFile:
    """One file on disk; ``format`` says which converter reads it: pdf, html, text (read as a one-file
    repository digest), or a document format of :mod:`llmingest.converters` (docx, epub...), read
    like a page."""

    path: Path
    format: str  # pdf | html | text | a registered document format

    @property
    def kind(self) -> str:
        return {"pdf": "pdf", "text": "repo"}.get(self.format, "page")

    def display(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class GitRepo:
    """A remote git repository, possibly narrowed to a ref, a subpath or one file.

    ``ref_path`` holds the raw segments after ``tree``/``blob``/``src/branch`` when the ref is not
    yet known to end anywhere in particular. ``ref`` and ``subpath`` are filled once resolved (or
    directly from ``--ref``).
    """

    url: str  # clone URL, without credentials
    host: str = ""
    repo_path: str = ""  # owner/repo, or group/sub/repo on GitLab
    forge: str = "git"  # github | gitlab | gitea | bitbucket | sourcehut | git
    ref: str | None = None
    subpath: str | None = None
    target: str = "tree"  # tree | blob | commit
    ref_path: tuple[str, ...] = field(default=())
    commit: str | None = None
    # user and password from the URL (``https://user:tok@host/r.git``): they travel to git like a
    # --token (env config), never in the URL git writes to .git/config, argv or any output
    auth: tuple[str, str | None] | None = field(default=None, repr=False, compare=False)

    @property
    def kind(self) -> str:
        return "repo"

    @property
    def name(self) -> str:
        return self.repo_path.rsplit("/", 1)[-1] if self.repo_path else Path(urlsplit(self.url).path).stem

    def display(self) -> str:
        out = self.repo_path if self.host in FORGE_HOSTS else self.url
        if self.host and self.host in FORGE_HOSTS and self.host not in ("github.com", "www.github.com"):
            out = f"{self.host}/{self.repo_path}"
        if self.ref:
            out += f"@{self.ref}"
        if self.subpath:
            out += f":{self.subpath}"
        return out

    def with_ref(self, ref: str | None) -> GitRepo:
        """``--ref`` wins over the URL's ref; ``ref_path`` stays so the URL's subpath is kept."""
        return replace(self, ref=ref, commit=None) if ref else self


@dataclass(frozen=True)
class WebPage:
    """An http(s) URL that is not a repository: a page, a docs site, a PDF, a spec."""

    url: str

    @property
    def kind(self) -> str:
        return "pdf" if Path(urlsplit(self.url).path).suffix.lower() in PDF_EXTENSIONS else "page"

    def display(self) -> str:
        """The URL as shown anywhere (front matter, X-Source, errors): no userinfo, no secret query values."""
        return public_url(self.url)


#: query parameters whose values are credentials (token URLs, signed URLs); dropped from shown URLs
SECRET_QUERY_KEYS = frozenset({
    "access_token", "private_token", "token", "api_key", "apikey", "key", "password", "passwd", "secret",
    "client_secret", "sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
})


def split_userinfo(url: str) -> tuple[str, tuple[str, str | None] | None]:
    """``https://user:pw@host/x`` -> (``https://host/x``, (user, pw)); URLs without userinfo unchanged.

    >>> split_userinfo("https://x-access-token:t0k@example.org/o/r.git")
    ('https://example.org/o/r.git', ('x-access-token', 't0k'))
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    return parts._replace(netloc=hostport).geturl(), (unquote(user), unquote(password) if sep else None)


def public_url(url: str) -> str:
    """``url`` fit to be shown: userinfo removed, secret-looking query parameters dropped.

    >>> public_url("http://alice:pw@example.org/p?token=abc&page=2")
    'http://example.org/p?page=2'
    """
    if "://" not in url:
        return url
    url, _ = split_userinfo(url)
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in SECRET_QUERY_KEYS]
    if len(kept) == len(pairs):
        return url
    return parts._replace(query=urlencode(kept)).geturl()


@dataclass(frozen=True)
class Stdin:
    """Bytes piped in (``llmingest page -``): an edge that reads stdin passes this, never the bytes."""

    @property
    def kind(self) -> str:
        return "page"

    def display(self) -> str:
        return "-"


Source = LocalDir | LocalFile | GitRepo | WebPage | Stdin

_SCP_LIKE = re.compile(r"^(?P<user>[A-Za-z0-9._-]+@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>(?!//)[^\s]+)$")
_BARE_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d+)?$")
_SHA = re.compile(r"^[0-9a-fA-F]{7,40}$")
_OWNER_REPO = re.compile(r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?$")


def _strip_git(name: str) -> str:
    return name[:-4] if name.endswith(".git") else name


def _is_bare_repo(path: Path) -> bool:
    return (not (path / ".git").exists() and (path / "HEAD").is_file() and (path / "objects").is_dir()
            and (path / "refs").is_dir())


_MAX_SNIFFED_ZIP = 64 << 20  # a nameless ZIP larger than this is not opened to see what it holds


def _file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PDF_EXTENSIONS:
        return "pdf"
    if suffix in HTML_EXTENSIONS:
        return "html"
    from llmingest.converters import sniff

    fmt = sniff(path.name)
    if fmt is None or not fmt.document:
        try:  # a document without its name (downloads, temp files) is known by its bytes: %PDF-, a ZIP...
            with open(path, "rb") as fh:
                head = fh.read(1024)
                if head.startswith(b"PK\x03\x04") and path.stat().st_size <= _MAX_SNIFFED_ZIP:
                    head += fh.read()
            fmt = fmt or sniff(None, head)
        except OSError:
            pass
    return fmt.name if fmt is not None and fmt.document else "text"


def parse(text: str, *, ref: str | None = None, cwd: Path | None = None) -> Source:
    """Turn a source string into a typed Source; anything malformed is a :class:`UsageError`.

    A caller (the web service above all) may pass any string a stranger typed: a bad port
    (``git@127.0.0.1:o/r``), a host IDNA cannot encode (``a..b``), a NUL byte, a 5,000-character
    path. None of these may escape as ``ValueError``/``UnicodeError``/``OSError``: every edge
    renders ``IngestError`` as a one-line 4xx, anything else as a 500.

    >>> parse("octocat/Hello-World").url
    'https://github.com/octocat/Hello-World.git'
    >>> parse("https://github.com/a/b/tree/feature/x/docs").ref_path
    ('feature', 'x', 'docs')
    """
    if not isinstance(text, str):
        raise UsageError(f"a source must be text, not {type(text).__name__}")
    try:
        return _parse(text, ref=ref, cwd=cwd)
    except (ValueError, UnicodeError, OSError, OverflowError) as exc:  # UnicodeError is a ValueError; said for clarity
        raise UsageError(f"malformed source {_shown(text)}: {type(exc).__name__}",
                         hint="give a path, a git URL, owner/repo or an http(s) URL") from None


def _shown(text: str) -> str:
    """The source for an error line: printable, one line, not unbounded."""
    clean = "".join(c if c.isprintable() else "?" for c in text.strip())
    return repr(clean[:120] + ("..." if len(clean) > 120 else ""))


def check_host(host: str | None, port_text: str | None = None, *, what: str = "URL") -> str:
    """The lower-cased host of a URL, or :class:`UsageError` when it is not one a resolver could take.

    Checked here so a malformed host never reaches ``socket.getaddrinfo`` (IDNA ``UnicodeError``)
    or ``urlsplit(...).port`` (``ValueError``) deep inside a fetch.
    """
    host = (host or "").strip().lower()
    if not host:
        raise UsageError(f"the {what} has no host")
    if host.startswith("[") or ":" in host:  # an IPv6 literal
        import ipaddress

        try:
            ipaddress.IPv6Address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            raise UsageError(f"the {what} has a malformed IPv6 host") from None
    else:
        if any(c.isspace() or not c.isprintable() or c in "\\/?#@%<>\"'`^{}|" for c in host):
            raise UsageError(f"the {what} has a malformed host")
        try:
            encoded = host.encode("idna")
        except UnicodeError:
            raise UsageError(f"the {what} has a malformed host (empty or over-long label)") from None
        if len(encoded) > 253 or any(not 0 < len(label) <= 63 for label in encoded.rstrip(b".").split(b".")):
            raise UsageError(f"the {what} has a malformed host (empty or over-long label)")
    if port_text is not None and port_text != "":
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise UsageError(f"the {what} has a malformed port {_shown(port_text)}")
    return host


def _check_netloc(parts, what: str = "URL") -> None:
    """:func:`check_host` over a ``urlsplit`` result (its port read without ``.port``'s ValueError)."""
    hostport = parts.netloc.rsplit("@", 1)[-1]
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else (None if not rest else "x")
    else:
        host, sep, port = hostport.partition(":")
        port = port if sep else None
    check_host(host, port, what=what)


def _on_disk(text: str, base: Path) -> Source | None:
    """Things on disk win: "docs/api" is a folder if it exists, not a GitHub repo."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return None
    candidate = Path(os.path.expanduser(text))
    candidate = candidate if candidate.is_absolute() else base / candidate
    if os.path.lexists(candidate):
        from llmingest.fetch.walk import confine_local  # a symlink in a repository may not lead out of it

        confine_local(candidate)
    if candidate.is_dir():
        if _is_bare_repo(candidate):  # a bare repository has no work tree to walk: clone it
            return GitRepo(url=candidate.resolve().as_uri(), repo_path=_strip_git(candidate.resolve().name))
        return LocalDir(candidate.resolve())
    if candidate.is_file():
        return LocalFile(candidate.resolve(), _file_format(candidate))
    return None


def _file_url(text: str, base: Path) -> Source | None:
    """A file:// URL: a repository (work tree or bare), a file or a folder; nothing there is an error."""
    if not text.startswith("file://"):
        return None
    path = Path(unquote(urlsplit(text).path))
    if os.path.lexists(path):
        from llmingest.fetch.walk import confine_local

        confine_local(path)
    if path.is_dir() and ((path / ".git").exists() or (path / "HEAD").is_file()):
        return GitRepo(url=text, host="", repo_path=_strip_git(path.name), forge="git")
    if path.is_file():
        return LocalFile(path, _file_format(path))
    if path.is_dir():
        return LocalDir(path)
    raise SourceNotFound(f"no such file or repository: {path}")


def _scp_address(text: str, base: Path) -> Source | None:
    """An scp-like git address: ``git@github.com:owner/repo.git``."""
    m = _SCP_LIKE.match(text)
    if not (m and "/" in m.group("path") and not text.startswith(("http:", "https:")) and "." in m.group("host")):
        return None
    host = m.group("host").lower()
    repo_path = _strip_git(m.group("path").strip("/"))
    check_host(host, what="git address")
    return GitRepo(url=text, host=host, repo_path=repo_path, forge=FORGE_HOSTS.get(host, "git"))


def _ssh_url(text: str, base: Path) -> Source | None:
    """An ssh://, git:// or git+ssh:// URL (a password in it is dropped: ssh never uses it)."""
    if not re.match(r"^(ssh|git|git\+ssh)://", text):
        return None
    parts = urlsplit(text)
    _check_netloc(parts, "git URL")
    host = (parts.hostname or "").lower()
    repo_path = _strip_git(parts.path.strip("/"))
    url = text.replace("git+ssh://", "ssh://")
    if parts.password is not None:  # ssh never uses a password from the URL; never show or store it
        bare, auth = split_userinfo(url)
        url = bare.replace("://", f"://{(auth or ('', ''))[0]}@", 1) if auth and auth[0] else bare
    return GitRepo(url=url, host=host, repo_path=repo_path, forge=FORGE_HOSTS.get(host, "git"))


def _http_url(text: str, base: Path) -> Source | None:
    """An http(s) URL: a forge repository (or a ref or path in it), else a web page."""
    return _parse_http(text) if re.match(r"^https?://", text, re.I) else None


def _bare_host(text: str, base: Path) -> Source | None:
    """Bare host/path forms: github.com/a/b, gitlab.com/g/r."""
    first = text.split("/", 1)[0].lower()
    if first in FORGE_HOSTS or (_BARE_HOST.match(first) and text.count("/") >= 2
                                and not first.endswith((".md", ".py"))):
        return _parse_http("https://" + text)
    return None


def _owner_repo(text: str, base: Path) -> Source | None:
    """``owner/repo``: a GitHub repository."""
    m = _OWNER_REPO.match(text)
    if not m:
        return None
    return GitRepo(
        url=f"https://github.com/{m.group('owner')}/{m.group('repo')}.git",
        host="github.com",
        repo_path=f"{m.group('owner')}/{m.group('repo')}",
        forge="github",
    )


#: the source forms, tried in order; the first that recognises the text decides (or raises)
_SOURCE_RULES = (_on_disk, _file_url, _scp_address, _ssh_url, _http_url, _bare_host, _owner_repo)


def _parse(text: str, *, ref: str | None = None, cwd: Path | None = None) -> Source:
    text = text.strip()
    if not text:
        raise UsageError("empty source", hint="give a path, a git URL, owner/repo or an http(s) URL")
    base = cwd or Path.cwd()
    for rule in _SOURCE_RULES:
        found = rule(text, base)
        if found is not None:
            return found.with_ref(ref) if isinstance(found, GitRepo) else found
    raise SourceNotFound(f"no such file or directory: {text}", hint=_missing_hint(text))


def _missing_hint(text: str) -> str:
    """A name with a file suffix (``x.html``, ``paper.pdf``) is a mistyped path, not a repository."""
    from llmingest.converters import sniff

    if Path(text).suffix.lower() in (".md", ".markdown", ".txt", ".rst", ".json", ".yaml", ".yml", *HTML_EXTENSIONS) \
            or getattr(sniff(text), "document", False):
        return "check the path, or give an http(s) URL"
    return "give an existing path, a git URL, owner/repo or an http(s) URL"


def _parse_http(url: str) -> Source:
    parts = urlsplit(url)
    _check_netloc(parts)
    host = (parts.hostname or "").lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    forge = FORGE_HOSTS.get(host)

    if forge is None:
        # any https://host/path.git is a repository; so is a self-hosted forge URL with a marker
        for i, seg in enumerate(segments):
            if seg.endswith(".git"):
                clean = parts._replace(path="/" + "/".join(segments[: i + 1]), query="", fragment="")
                bare, auth = split_userinfo(clean.geturl())
                return GitRepo(url=bare, host=host, repo_path=_strip_git("/".join(segments[: i + 1])), auth=auth)
        if "-" in segments and any(s in segments for s in ("tree", "blob", "commit")):
            forge = "gitlab"
        elif "src" in segments and any(s in segments for s in ("branch", "tag", "commit")):
            forge = "gitea"
        elif len(segments) >= 4 and segments[2] in ("tree", "blob", "commit"):
            forge = "github"
        else:
            return WebPage(url)

    return _parse_forge(parts, host, forge, segments)


def _split_repo(forge: str, segments: list[str]) -> tuple[list[str], list[str]]:
    """The URL path's repository segments and what follows them: GitLab groups nest, so its
    repository ends at ``/-/``; elsewhere it is owner/name."""
    if forge != "gitlab":
        return segments[:2], segments[2:]
    if "-" in segments:
        i = segments.index("-")
        return segments[:i], segments[i + 1 :]
    return segments, []


def _github_target(src: GitRepo, kind: str, tail: tuple[str, ...]) -> Source | None:
    """GitHub and GitLab: /tree|blob/<ref>/<path>, /commit/<sha>, /commits/<ref or sha>."""
    if kind in ("tree", "blob") and tail:
        return replace(src, target=kind, ref_path=tail)
    if kind == "commit" and tail:
        return replace(src, target="commit", ref=tail[0], commit=tail[0])
    if kind == "commits" and tail:  # the history of a branch (ref may contain slashes)
        if _SHA.match(tail[0]):
            return replace(src, target="commit", ref=tail[0], commit=tail[0])
        return replace(src, target="tree", ref_path=tail)
    return None


def _gitea_target(src: GitRepo, kind: str, tail: tuple[str, ...]) -> Source | None:
    """Gitea/Forgejo: /src/branch/<ref>/<path>, /src/tag/<ref>/..., /src/commit/<sha>/..., /commit/<sha>."""
    if kind == "src" and len(tail) >= 2 and tail[0] in ("branch", "tag", "commit"):
        if tail[0] == "commit":
            return replace(src, target="tree", ref=tail[1], commit=tail[1], subpath="/".join(tail[2:]) or None)
        return replace(src, target="tree", ref_path=tail[1:])
    if kind == "commit" and tail:
        return replace(src, target="commit", ref=tail[0], commit=tail[0])
    return None


def _bitbucket_target(src: GitRepo, kind: str, tail: tuple[str, ...]) -> Source | None:
    """Bitbucket: /src/<ref>/<path>, /commits/<sha> (or /commit/<sha>)."""
    if kind == "src" and tail:
        return replace(src, target="tree", ref_path=tail)
    if kind in ("commits", "commit") and tail:
        return replace(src, target="commit", ref=tail[0], commit=tail[0])
    return None


def _sourcehut_target(src: GitRepo, kind: str, tail: tuple[str, ...]) -> Source | None:
    """SourceHut: /tree/<ref>, /tree/<ref>/item/<path>, /commit/<sha>."""
    if kind == "tree" and tail:
        if len(tail) >= 2 and tail[1] == "item":
            return replace(src, target="tree", ref=tail[0], subpath="/".join(tail[2:]) or None)
        return replace(src, target="tree", ref=tail[0])
    if kind == "commit" and tail:
        return replace(src, target="commit", ref=tail[0], commit=tail[0])
    return None


#: per forge, the rule that reads what a web URL points at inside the repository (None: not a ref)
_FORGE_TARGETS = {
    "github": _github_target,
    "gitlab": _github_target,
    "gitea": _gitea_target,
    "bitbucket": _bitbucket_target,
    "sourcehut": _sourcehut_target,
}


def _parse_forge(parts, host: str, forge: str, segments: list[str]) -> Source:
    """A forge web URL: the repository, a ref/path/commit in it, or a page about it."""
    base = f"{parts.scheme}://{parts.netloc.split('@')[-1]}"
    repo_segments, rest = _split_repo(forge, segments)
    if len(repo_segments) < 2:
        # github.com/about, github.com/owner: not a repository
        return WebPage(parts.geturl())
    repo_path = _strip_git("/".join(repo_segments))
    clone = f"{base}/{repo_path}.git"
    src = GitRepo(url=clone, host=host, repo_path=repo_path, forge=forge, auth=split_userinfo(parts.geturl())[1])
    if not rest:
        return src
    kind, tail = rest[0], tuple(rest[1:])
    rule = _FORGE_TARGETS.get(forge)
    target = rule(src, kind, tail) if rule else None
    if target is not None:
        return target
    if kind in _REPO_PAGES and not tail:
        return src  # /o/r/tree, /o/r/src: the repository itself
    # issues, pulls, merge_requests, wiki, releases, actions, stargazers...: pages about the repo
    return WebPage(parts.geturl())


#: web URL segments after owner/repo that still mean "the repository" when nothing follows them
_REPO_PAGES = {"tree", "blob", "src", "commits", "commit", "-", "branches", "tags"}
