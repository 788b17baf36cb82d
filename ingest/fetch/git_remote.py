"""Remote git sources (and local repos at another ref) become a local work tree to walk.

The flow is always the same, and every step exists for a reason:

1. ``git ls-remote`` first: it is one cheap round trip that tells us whether the repository
   exists, needs credentials or is empty, lists the refs (a ref may contain slashes, so only the
   ref list can say where ``/tree/feature/x/docs`` splits), and gives the commit we will read.
2. The clone cache is keyed by ``sha256(url)`` + commit (+ the sparse subpath and depth), so a
   second run of the same URL@commit fetches nothing: it costs that one ls-remote, and not even
   that when the user gave a full commit sha.
3. A miss fetches exactly one commit (``--depth 1``); when only a subpath is asked for, the fetch
   is partial (``--filter=blob:none``) and the checkout sparse (non-cone patterns), so reading the
   docs folder of a huge monorepo costs the docs folder. The fill happens in a temporary folder
   renamed into place (atomic), under a per-key ``fcntl`` lock (two processes clone once), and the
   cache is bounded (:data:`CACHE_MAX_ENTRIES`, :data:`CACHE_MAX_BYTES`; least recently used go).

Why ``subprocess`` and not GitPython's ``git.cmd.Git``: every call here needs a precise
environment (the token travels in ``GIT_CONFIG_*`` variables, never in argv or a URL; prompts are
disabled so nothing ever hangs), a timeout, and git's stderr verbatim to classify failures into
typed errors. Plain ``subprocess.run`` gives all three with no import cost.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from llmingest import progress
from llmingest.errors import (
    AuthRequired,
    BlockedAddress,
    IngestError,
    LimitExceeded,
    NetworkError,
    SourceNotFound,
    UsageError,
    register_secret,
)
from llmingest.options import Options
from llmingest.sources.parse import GitRepo, split_userinfo
from llmingest.tokens import default_cache_dir

try:  # POSIX only; without it two processes may clone the same key twice (still correct)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Checkout",
    "RemoteRefs",
    "checkout",
    "checkout_local_ref",
    "discard",
    "guard",
    "resolve_ref_path",
    "ls_remote",
    "clone_url",
    "cache_root",
    "CACHE_MAX_ENTRIES",
    "CACHE_MAX_BYTES",
]

#: the clone cache keeps at most this many checkouts ...
CACHE_MAX_ENTRIES = 32
#: ... and at most this many bytes on disk; the least recently used entries are evicted first
CACHE_MAX_BYTES = 5 * 1024**3
#: a whole fetch may take this long; a stalled transfer is cut much sooner by http.lowSpeedTime
FETCH_TIMEOUT = 1800.0
#: how many branch names an "unknown ref" error lists
REFS_IN_HINT = 6

_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_SHORT_SHA = re.compile(r"^[0-9a-f]{7,40}$")
_TOKEN_HINT = "use --token or set GITHUB_TOKEN / GITLAB_TOKEN"


@dataclass
class Checkout:
    """A work tree ready to walk: ``root`` (a git repo in the clone cache) narrowed to ``subpath``."""

    root: Path  # the work tree (in the clone cache) to walk
    subpath: str | None  # narrowed folder or file inside root ("docs", "src/a.py"), or None
    blob: bool  # True when subpath is a single file (/blob/ URL)
    ref: str | None  # branch/tag name (or None for a bare commit)
    commit: str  # full sha
    cached: bool  # True when served from the clone cache without fetching

    @property
    def path(self) -> Path:
        """The folder or file the digest covers."""
        return self.root / self.subpath if self.subpath else self.root


@dataclass
class RemoteRefs:
    """What ``git ls-remote`` said: the default branch and every branch and tag tip (tags peeled)."""

    head: str | None = None  # default branch name
    head_commit: str | None = None
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.branches or self.tags or self.head_commit)

    def lookup(self, name: str) -> str | None:
        """The commit a branch or tag name points at (branches win, as in git), or None."""
        for prefix, table in (("refs/heads/", self.branches), ("refs/tags/", self.tags)):
            if name.startswith(prefix) and name[len(prefix):] in table:
                return table[name[len(prefix):]]
        if name == "HEAD":
            return self.head_commit
        return self.branches.get(name) or self.tags.get(name)

    def names(self) -> set[str]:
        return set(self.branches) | set(self.tags)

    def hint(self) -> str:
        """A few existing branches (default first) and tags, for "unknown ref" errors."""
        branches = sorted(self.branches, key=lambda b: (b != self.head, b))[:REFS_IN_HINT]
        out = f"branches: {', '.join(branches) or '(none)'}"
        if self.tags:
            tags = sorted(self.tags)[-3:]
            out += f"; tags: {', '.join(tags)}"
        return out


# ---- running git ---------------------------------------------------------------------------------


def git_env(url: str, token: str | None = None, *, timeout: float = 30.0, user: str = "x-access-token",
            extra: Sequence[tuple[str, str]] = (), isolated: bool = False) -> dict[str, str]:
    """The environment for a git child: no prompts ever, and the token (if any) only in env config.

    The token becomes an ``http.<scheme://host/>.extraHeader`` set through ``GIT_CONFIG_COUNT``:
    it is scoped to the one host, never in argv (visible in ``ps``), never in the remote URL
    (written to .git/config, echoed in errors), and registered so ``redact()`` scrubs any echo.

    ``isolated`` (server mode) also cuts git off from every credential the machine holds: an empty
    ``HOME`` and ``XDG_CONFIG_HOME`` (no ~/.gitconfig, ~/.git-credentials, ~/.netrc for curl), no
    system or global config (no credential helper, ``url.*.insteadOf``, ``include.path``,
    ``http.extraHeader``, ``core.askPass``, ``core.sshCommand``), no inherited ``GIT_*``/``SSH_*``
    variables (no ``GIT_CONFIG_PARAMETERS``, agent socket or askpass), ``credential.helper`` reset,
    and ssh without config, agent or default keys. The only credentials left are ``token``: the
    server's own env token or the caller's. The CLI keeps the user's git setup (their credential
    helper and SSH keys read their private repositories, as ``git clone`` would).
    """
    if isolated:
        home = _empty_home()
        env = {k: v for k, v in os.environ.items()
               if k in _ISOLATED_KEEP or not (k.startswith(_ISOLATED_DROP_PREFIXES) or k in _ISOLATED_DROP)}
        env.update(HOME=home, XDG_CONFIG_HOME=home, CURL_HOME=home, GIT_CONFIG_NOSYSTEM="1",
                   GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull,
                   GIT_SSH_COMMAND="ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes "
                                   "-o IdentityFile=/dev/null -o IdentityAgent=none")
    else:
        env = dict(os.environ)
    env.update(GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never", GIT_ASKPASS="", SSH_ASKPASS="",
               LC_ALL="C", LANGUAGE="C")
    if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"  # never ask for a passphrase or a host key
    pairs: list[tuple[str, str]] = [
        ("http.lowSpeedLimit", "1000"),
        ("http.lowSpeedTime", str(max(10, int(timeout * 2)))),
        ("advice.detachedHead", "false"),
        *extra,
    ]
    if isolated:  # belt and braces: an empty value resets the helper list, whatever was read before
        pairs += [("credential.helper", ""), ("core.askPass", "")]
    parts = urlsplit(url)
    if token and parts.scheme in ("http", "https") and parts.hostname:
        register_secret(token)
        basic = base64.b64encode(f"{user}:{token}".encode()).decode()
        register_secret(basic)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        pairs.append((f"http.{parts.scheme}://{host}/.extraHeader", f"Authorization: Basic {basic}"))
    start = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    for i, (key, value) in enumerate(pairs, start):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    env["GIT_CONFIG_COUNT"] = str(start + len(pairs))
    return env


#: what an isolated git child does not inherit: git's own variables (config, askpass, ssh command,
#: object dirs), ssh's agent socket and askpass, Git Credential Manager settings
_ISOLATED_DROP_PREFIXES = ("GIT_", "SSH_", "GCM_")
_ISOLATED_DROP = {"HOME", "XDG_CONFIG_HOME", "CURL_HOME", "NETRC"}
#: ... except where to find git and which CAs to trust (not credentials; a corporate CA must keep working)
_ISOLATED_KEEP = {"GIT_EXEC_PATH", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH"}
_EMPTY_HOME: list[Path] = []


def _empty_home() -> str:
    """An empty, private folder used as HOME for isolated git (made once per process, removed at exit)."""
    if not _EMPTY_HOME or not _EMPTY_HOME[0].is_dir():
        path = Path(tempfile.mkdtemp(prefix="llmingest-git-home-"))
        atexit.register(_remove_tree, path)
        _EMPTY_HOME[:] = [path]
    return str(_EMPTY_HOME[0])


def _run(args: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
         timeout: float = FETCH_TIMEOUT, what: str = "git") -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git (apt-get install git) to read repositories") from None
    except subprocess.TimeoutExpired:
        raise NetworkError(f"{what}: timed out after {timeout:.0f}s") from None


def _git_line(stderr: str) -> str:
    """The most telling line of git's stderr (fatal > remote > error > last)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for prefix in ("fatal:", "remote:", "error:"):
        for ln in lines:
            if ln.lower().startswith(prefix) and len(ln) > len(prefix) + 1:
                return ln
    return lines[-1] if lines else "git failed"


_NOT_FOUND_FIRST = ("repository not found", "does not appear to be a git repository", "not exported",
                    "no such repository", "project you were looking for could not be found")
_AUTH = ("authentication failed", "could not read username", "could not read password",
         "terminal prompts disabled", "error: 403", "error: 401", " 403", " 401", "permission denied",
         "access denied", "invalid username or password", "host key verification failed",
         "http basic: access denied")
_NOT_FOUND = ("error: 404", " 404", "not found", "does not exist")
_NETWORK = ("could not resolve", "connection refused", "timed out", "failed to connect", "unreachable",
            "connection reset", "early eof", "hung up", "ssl", "gnutls", "couldn't connect", "proxy",
            "unable to access", "operation too slow", "transfer closed", "rpc failed")


def _classify(stderr: str, label: str, *, token: bool, what: str = "read") -> IngestError:
    """Map git's stderr to one typed, one-line error (redacted by IngestError itself)."""
    low = stderr.lower()
    line = _git_line(stderr)
    if any(p in low for p in _NOT_FOUND_FIRST):
        if token:
            return SourceNotFound(f"repository not found: {label}", hint="check the URL and the token's access")
        return SourceNotFound(f"repository not found: {label}",
                              hint=f"check the URL; if it is private, {_TOKEN_HINT}")
    if any(p in low for p in _AUTH):
        if "publickey" in low or "host key verification" in low:
            why = next((ln.strip() for ln in stderr.splitlines() if "publickey" in ln or "Host key" in ln), line)
            return AuthRequired(f"ssh refused access to {label} ({why})",
                                hint="check your SSH key and known_hosts (ssh -T git@host), or use the https "
                                     "URL with --token")
        if token:
            return AuthRequired(f"authentication failed for {label} ({line})",
                                hint="check that the token is valid and can read this repository")
        return AuthRequired(f"repository not found or private: {label}", hint=_TOKEN_HINT)
    if any(p in low for p in _NOT_FOUND):
        return SourceNotFound(f"repository not found: {label} ({line})")
    if any(p in low for p in _NETWORK):
        return NetworkError(f"could not {what} {label}: {line}")
    return NetworkError(f"git could not {what} {label}: {line}")


# ---- refs ----------------------------------------------------------------------------------------


def clone_url(src: GitRepo, options: Options) -> str:
    """The URL git talks to: the source's clone URL, or its mirror from ``Options.host_map``.

    ``{"github.com": "git://127.0.0.1:9418/"}`` sends ``https://github.com/o/r.git`` (and
    ``git@github.com:o/r.git``) to ``git://127.0.0.1:9418/o/r.git``.
    """
    host = (src.host or "").lower()
    base = options.host_map.get(host) or options.host_map.get(host.removeprefix("www."))
    if not base or not src.repo_path:
        return src.url
    return f"{base.rstrip('/')}/{src.repo_path}.git"


def _auth_user(forge: str) -> str:
    """The basic-auth user name each forge expects next to a token."""
    return {"gitlab": "oauth2", "bitbucket": "x-token-auth"}.get(forge, "x-access-token")


def ls_remote(url: str, env: dict[str, str], *, label: str, token: bool = False,
              timeout: float = 30.0) -> RemoteRefs:
    """Branches, tags and the default branch of ``url``; typed errors for every way it can fail."""
    proc = _run(["ls-remote", "--symref", "--", url, "HEAD", "refs/heads/*", "refs/tags/*"], env=env,
                timeout=max(timeout * 2, 10), what=f"listing refs of {label}")
    if proc.returncode != 0:
        raise _classify(proc.stderr, label, token=token)
    return parse_ls_remote(proc.stdout)


def parse_ls_remote(text: str) -> RemoteRefs:
    """Parse ``git ls-remote --symref`` output; annotated tags are peeled to their commit."""
    refs = RemoteRefs()
    peeled: dict[str, str] = {}
    for line in text.splitlines():
        left, _, name = line.partition("\t")
        if left.startswith("ref: "):
            if name == "HEAD" and left[5:].startswith("refs/heads/"):
                refs.head = left[5:].removeprefix("refs/heads/")
            continue
        sha = left.strip()
        if not _HEX40.match(sha):
            continue
        if name == "HEAD":
            refs.head_commit = sha
        elif name.startswith("refs/heads/"):
            refs.branches[name[11:]] = sha
        elif name.startswith("refs/tags/"):
            tag = name[10:]
            if tag.endswith("^{}"):
                peeled[tag[:-3]] = sha
            else:
                refs.tags[tag] = sha
    refs.tags.update({t: sha for t, sha in peeled.items()})
    if refs.head and refs.head_commit is None:
        refs.head_commit = refs.branches.get(refs.head)
    if refs.head is None and refs.head_commit:
        # servers without symref support: the default branch is the one HEAD points at
        same = sorted(b for b, sha in refs.branches.items() if sha == refs.head_commit)
        refs.head = next((b for b in ("main", "master") if b in same), same[0] if same else None)
    return refs


def match_ref_path(refs: RemoteRefs, segments: Sequence[str]) -> tuple[str, str | None] | None:
    """Split ``feature/x/docs`` into (ref, subpath): the longest prefix that names a ref wins.

    A 40-hex first segment is a commit; a 7+ hex one too, but only when no ref matches (a branch
    called ``deadbeef`` is still a branch). Returns None when nothing matches.
    """
    segs = [s for s in segments if s]
    names = refs.names()
    for i in range(len(segs), 0, -1):
        name = "/".join(segs[:i])
        if name in names:
            return name, "/".join(segs[i:]) or None
    if segs and _SHORT_SHA.match(segs[0].lower()):
        return segs[0].lower(), "/".join(segs[1:]) or None
    return None


def resolve_ref_path(url: str, segments: tuple[str, ...], options: Options) -> tuple[str, str | None]:
    """(ref or commit, subpath) for the segments after ``/tree/`` of a forge URL, via ls-remote.

    Refs may contain slashes, so the ref list decides: the longest match of leading segments wins;
    a 40-hex (or 7+ hex when nothing else matches) first segment is a commit.
    """
    url, url_auth = split_userinfo(url)
    user, token = _credentials(GitRepo(url=url, host=urlsplit(url).hostname or ""), url, url_auth, options)
    env = git_env(url, token, timeout=options.timeout, user=user, isolated=_isolated(options))
    refs = ls_remote(url, env, label=url, token=bool(token), timeout=options.timeout)
    if refs.empty:
        raise SourceNotFound(f"repository is empty: {url}")
    found = match_ref_path(refs, segments)
    if found is None:
        raise _unknown_ref(segments[0] if segments else "", url, refs, "/".join(segments))
    return found


def _unknown_ref(ref: str, label: str, refs: RemoteRefs, typed: str | None = None) -> SourceNotFound:
    shown = f"{ref!r}" + (f" (from {typed!r})" if typed and typed != ref else "")
    return SourceNotFound(f"unknown ref {shown} in {label}", hint=refs.hint())


@dataclass
class _Target:
    ref: str | None  # branch/tag name or None
    commit: str  # full sha, or a short sha still to expand
    subpath: str | None


def _resolve(src: GitRepo, refs: RemoteRefs, options: Options, label: str) -> _Target:
    """Which commit and subpath the user asked for: --ref beats the URL's ref, which beats HEAD."""
    override = options.ref
    subpath = src.subpath
    ref = src.commit or src.ref
    if src.ref_path:
        found = match_ref_path(refs, src.ref_path)
        if found is None and not override:
            raise _unknown_ref(src.ref_path[0], label, refs, "/".join(src.ref_path))
        if found is None:  # the URL's ref is gone but --ref names another: keep the URL's path
            found = (src.ref_path[0], "/".join(src.ref_path[1:]) or None)
        ref, subpath = found
    if override:
        ref = override
    if ref is None:
        if refs.head_commit is None:
            raise SourceNotFound(f"repository has no default branch: {label}", hint=f"use --ref; {refs.hint()}")
        return _Target(refs.head, refs.head_commit, subpath)
    sha = refs.lookup(ref)
    if sha is not None:
        name = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
        return _Target(refs.head if name == "HEAD" else name, sha, subpath)
    low = ref.lower()
    if _SHORT_SHA.match(low):
        tips = {s for s in [*refs.branches.values(), *refs.tags.values()] if s.startswith(low)}
        return _Target(None, tips.pop() if len(tips) == 1 else low, subpath)
    raise _unknown_ref(ref, label, refs)


def _expand_short_sha(url: str, short: str, env: dict[str, str], label: str, token: bool) -> str:
    """A short sha needs history to expand: fetch commits only (no trees, no blobs) and ask git."""
    with tempfile.TemporaryDirectory(prefix="llmingest-sha-") as tmp:
        _run(["init", "-q", tmp], env=env, timeout=60)
        proc = _run(["-C", tmp, "fetch", "-q", "--filter=tree:0", "--no-tags", "--", url,
                     "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"],
                    env=env, what=f"fetching history of {label}")
        if proc.returncode != 0:
            raise _classify(proc.stderr, label, token=token, what="fetch")
        got = _run(["-C", tmp, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{short}^{{commit}}"],
                   env=env, timeout=60)
        if got.returncode != 0 or not _HEX40.match(got.stdout.strip()):
            raise SourceNotFound(f"commit {short} not found in {label}")
        return got.stdout.strip()


# ---- the clone cache -----------------------------------------------------------------------------


def history_depth(options: Options) -> int:
    """Commits a clone fetches: one, or as many as --git-log / --sort-by-changes read."""
    return max(1, options.git_log or 1, options.changes_window if options.sort_by_changes else 1)


def cache_root(options: Options) -> Path:
    """Where checkouts live: ``<cache_dir>/repos`` (``~/.cache/llmingest/repos`` by default)."""
    return (options.cache_dir or default_cache_dir()) / "repos"


def _cache_key(url: str, commit: str, subpath: str | None, depth: int) -> str:
    key = f"{hashlib.sha256(url.encode()).hexdigest()[:20]}-{commit}"
    if subpath:
        key += "-s" + hashlib.sha256(subpath.encode()).hexdigest()[:10]
    if depth > 1:
        key += f"-d{depth}"
    return key


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if missing) for as long as the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _touch(path: Path) -> None:
    """Mark an entry as used now (the lock file's mtime is its last-use stamp; the tree is untouched)."""
    try:
        path.touch()
    except OSError:
        pass


def _tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


_TMP_OWNER = re.compile(r"^\.(?:tmp|trash)-[^-]*-p?(\d+)(?:-|$)")


def _abandoned(tmp: Path, now: float) -> bool:
    """A temporary fill whose process is gone (``kill -9`` mid-clone) or that is older than a day.

    Fills are named ``.tmp-<key>-p<pid>-…``: on this machine a dead pid means nobody will finish
    it, so it goes at the next start instead of waiting a day (a 151 MB clone lingered).
    """
    m = _TMP_OWNER.match(tmp.name)
    if m and int(m.group(1)) != os.getpid():
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            return True
        except (PermissionError, OverflowError):
            pass
    try:
        return now - tmp.stat().st_mtime > 86400
    except OSError:
        return False


def sweep_abandoned(cache: Path) -> list[str]:
    """Remove the temporary fills crashed runs left in ``cache``; returns their names."""
    try:
        children = [c for c in cache.iterdir() if c.name.startswith((".tmp-", ".trash-"))]
    except OSError:
        return []
    now = time.time()
    gone = [c.name for c in children if _abandoned(c, now)]
    for name in gone:
        _remove_tree(cache / name)
    return gone


def evict(cache: Path, keep: str | None = None, *, max_entries: int | None = None,
          max_bytes: int | None = None) -> list[str]:
    """Drop least recently used checkouts beyond the bounds; entries locked by others are kept.

    Returns the evicted keys. Also sweeps temporary fills left by crashed runs (older than a day).
    """
    max_entries = CACHE_MAX_ENTRIES if max_entries is None else max_entries
    max_bytes = CACHE_MAX_BYTES if max_bytes is None else max_bytes
    try:
        children = list(cache.iterdir())
    except OSError:
        return []
    now = time.time()
    entries: list[tuple[float, str, int]] = []
    for child in children:
        if child.name.startswith((".tmp-", ".trash-")):
            if _abandoned(child, now):
                _remove_tree(child)
            continue
        if not child.is_dir() or child.name.startswith("."):
            continue
        lock = cache / f"{child.name}.lock"
        try:
            stamp = lock.stat().st_mtime
        except OSError:
            stamp = child.stat().st_mtime
        try:
            size = int((cache / f"{child.name}.size").read_text())
        except (OSError, ValueError):
            size = 0
        entries.append((stamp, child.name, size))
    entries.sort()
    total = sum(e[2] for e in entries)
    count = len(entries)
    evicted: list[str] = []
    for _stamp, name, size in entries:
        if count <= max_entries and total <= max_bytes:
            break
        if name == keep:
            continue
        if _try_remove_entry(cache, name):
            evicted.append(name)
            count -= 1
            total -= size
    return evicted


def _try_remove_entry(cache: Path, name: str) -> bool:
    lock = cache / f"{name}.lock"
    with open(lock, "a+b") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # someone is filling or reading it right now
        trash = cache / f".trash-{name}-{os.getpid()}"
        try:
            os.replace(cache / name, trash)
        except OSError:
            return False
        _remove_tree(trash)
        for suffix in (".size",):
            try:
                (cache / f"{name}{suffix}").unlink()
            except OSError:
                pass
    try:
        lock.unlink()
    except OSError:
        pass
    return True


def _temporary_dir() -> Path:
    """A scratch checkout for ``Options.cache=False``; removed when the process exits."""
    path = Path(tempfile.mkdtemp(prefix="llmingest-clone-"))
    atexit.register(_remove_tree, path)
    return path


# ---- filling a checkout --------------------------------------------------------------------------


def _sparse_pattern(subpath: str, is_file: bool) -> str:
    """A non-cone sparse-checkout pattern for exactly one folder or file (glob characters escaped)."""
    escaped = re.sub(r"([*?\[\]\\!#])", r"\\\1", subpath)
    return f"/{escaped}" if is_file else f"/{escaped}/"


def _clean_subpath(subpath: str | None) -> str | None:
    if not subpath:
        return None
    parts = [p for p in subpath.replace("\\", "/").split("/") if p and p != "."]
    if any(p == ".." for p in parts):
        raise UsageError(f"bad path {subpath!r} inside the repository", hint="a subpath may not contain '..'")
    return "/".join(parts) or None


def _fill(dest: Path, url: str, target: _Target, env: dict[str, str], *, label: str, token: bool,
          depth: int, fetch_ref: str | None, config: Sequence[str] = (),
          max_files: int | None = None) -> tuple[str, bool]:
    """Fetch one commit into ``dest`` and check it out (sparse when a subpath is given).

    With ``max_files`` (a server's limit) the tree is counted before the checkout writes anything,
    so an oversized repository is refused without filling the disk or the clone cache.

    Returns (commit, subpath_is_file). Fetches by sha (protocol v2 servers and the big forges
    allow it) and falls back to the ref name for old servers that only serve ref tips.
    """
    cfg = [arg for c in config for arg in ("-c", c)]
    _must(_run(["init", "-q", str(dest)], env=env, timeout=60), "init")
    # a named remote, so a partial clone knows where to lazily fetch from (its promisor remote)
    _must(_run(["-C", str(dest), "remote", "add", "origin", url], env=env, timeout=60), "remote add")
    partial = ["--filter=blob:none"] if target.subpath else []
    base = [*cfg, "-C", str(dest), "fetch", "-q", "--no-tags", f"--depth={depth}", *partial, "origin"]
    proc = _run([*base, target.commit], env=env, what=f"fetching {label}")
    if proc.returncode != 0 and fetch_ref:
        proc = _run([*base, fetch_ref], env=env, what=f"fetching {label}")
    head = "FETCH_HEAD"
    if proc.returncode != 0 and _refused_sha(proc.stderr):
        # an old (protocol v0) server that only serves ref tips: fetch the history, find the commit
        proc = _run([*cfg, "-C", str(dest), "fetch", "-q", "--no-tags", "origin",
                     "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"],
                    env=env, what=f"fetching {label}")
        head = target.commit
        if proc.returncode == 0 and _run(["-C", str(dest), "cat-file", "-e", f"{head}^{{commit}}"],
                                         env=env, timeout=60).returncode != 0:
            raise SourceNotFound(f"commit {target.commit} not found in {label}")
    if proc.returncode != 0:
        if _refused_sha(proc.stderr):
            raise SourceNotFound(f"commit {target.commit} not found in {label}")
        raise _classify(proc.stderr, label, token=token, what="fetch")
    commit = _must(_run(["-C", str(dest), "rev-parse", f"{head}^{{commit}}"], env=env, timeout=60),
                   "rev-parse").stdout.strip()
    is_file = False
    if target.subpath:
        listing = _must(_run(["-C", str(dest), "ls-tree", commit, "--", target.subpath], env=env, timeout=60),
                        "ls-tree").stdout
        kind = listing.split(None, 2)[1] if listing.strip() else None
        if kind not in ("tree", "blob"):
            shown = target.ref or commit[:12]
            raise SourceNotFound(f"path {target.subpath!r} not found in {label}@{shown}")
        is_file = kind == "blob"
        _must(_run(["-C", str(dest), "sparse-checkout", "set", "--no-cone",
                    _sparse_pattern(target.subpath, is_file)], env=env, timeout=60), "sparse-checkout")
    if max_files:
        _refuse_too_many_files(dest, commit, target.subpath, env, label, max_files)
    proc = _run([*cfg, "-C", str(dest), "checkout", "-q", "--detach", commit], env=env, what=f"checking out {label}")
    if proc.returncode != 0:
        raise _classify(proc.stderr, label, token=token, what="check out")
    return commit, is_file


def _clone_file_limit(options: Options) -> int | None:
    """A server's file limit, checked on the fetched tree before checkout; not when ``include``
    globs narrow the digest (then the walk checks what they select)."""
    return None if options.include else options.max_files


def _refuse_too_many_files(dest: Path, commit: str, subpath: str | None, env: dict[str, str], label: str,
                           limit: int) -> None:
    """Count the commit's files (tree objects only: no blob is needed) and refuse past ``limit``."""
    from llmingest.errors import LimitExceeded

    args = ["-C", str(dest), "ls-tree", "-r", "-z", "--name-only", commit]
    listing = _must(_run([*args, *(["--", subpath] if subpath else [])], env=env, timeout=120), "ls-tree").stdout
    files = listing.count("\0")
    if files > limit:
        raise LimitExceeded(f"{label} has {files:,} files, over this server's limit of {limit:,}",
                            hint="narrow it with --include/--exclude or a /tree/<ref>/<dir> URL")


def _refused_sha(stderr: str) -> bool:
    """Did the server refuse (or not know) the commit we asked for by sha?"""
    low = stderr.lower()
    return any(p in low for p in ("not our ref", "couldn't find remote ref", "no such remote ref",
                                  "unadvertised object", "upload-pack: not our"))


def _must(proc: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    if proc.returncode != 0:
        raise IngestError(f"git {what} failed: {_git_line(proc.stderr)}")
    return proc


def _from_cache(cache: Path, url: str, commit: str, subpath: str | None, depth: int) -> tuple[Path, str] | None:
    """A cached work tree that holds ``subpath`` at ``commit``: the full checkout, else a sparse one
    of ``subpath`` or of a folder above it (``docs`` serves ``docs/guide``)."""
    parts = subpath.split("/") if subpath else []
    scopes = [None, *("/".join(parts[:i]) for i in range(1, len(parts) + 1))]
    for key in dict.fromkeys(_cache_key(url, commit, scope, depth) for scope in scopes):
        root = cache / key
        if (root / ".git").is_dir():
            return root, key
    return None


def _served(root: Path, subpath: str | None, target: _Target, commit: str, cached: bool, label: str) -> Checkout:
    if subpath:  # a symlink out of the checkout is refused before existence is asked (no oracle)
        from llmingest.fetch.walk import confine

        confine(root, subpath)
    if subpath and not os.path.lexists(root / subpath):
        raise SourceNotFound(f"path {subpath!r} not found in {label}@{target.ref or commit[:12]}")
    blob = bool(subpath) and (root / subpath).is_file() and not (root / subpath).is_symlink()
    return Checkout(root=root, subpath=subpath, blob=blob, ref=target.ref, commit=commit, cached=cached)


def _obtain(url: str, target: _Target, env: dict[str, str], options: Options, *, label: str, token: bool,
            fetch_ref: str | None, config: Sequence[str] = ()) -> Checkout:
    """Serve ``target`` from the clone cache, or fill the cache (atomically, once) and serve that."""
    depth = history_depth(options)
    cache = cache_root(options)
    usable = options.cache
    if usable:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            usable = os.access(cache, os.W_OK)
        except OSError:
            usable = False  # a read-only or broken cache costs speed, never the digest
    if not usable:
        dest = _temporary_dir() / "repo"
        with progress.task(options, f"cloning {label}"):
            commit, _ = _fill(dest, url, target, env, label=label, token=token, depth=depth,
                              fetch_ref=fetch_ref, config=config,
                              max_files=_clone_file_limit(options))
        return _served(dest, target.subpath, target, commit, False, label)

    hit = _from_cache(cache, url, target.commit, target.subpath, depth) if _HEX40.match(target.commit) else None
    if hit:
        _touch(cache / f"{hit[1]}.lock")
        return _served(hit[0], target.subpath, target, target.commit, True, label)

    key = _cache_key(url, target.commit, target.subpath, depth)
    sweep_abandoned(cache)  # what a killed run left, before this run adds its own
    with _locked(cache / f"{key}.lock"):
        hit = _from_cache(cache, url, target.commit, target.subpath, depth)
        if hit:  # another process filled it while we waited for the lock
            return _served(hit[0], target.subpath, target, target.commit, True, label)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key[:20]}-p{os.getpid()}-", dir=cache))
        try:
            with progress.task(options, f"cloning {label}"):
                commit, _ = _fill(tmp / "w", url, target, env, label=label, token=token, depth=depth,
                                  fetch_ref=fetch_ref, config=config,
                              max_files=_clone_file_limit(options))
            final_key = _cache_key(url, commit, target.subpath, depth)
            final = cache / final_key
            if final.exists():  # the ref moved between ls-remote and fetch onto a cached commit
                _remove_tree(tmp)
            else:
                os.replace(tmp / "w", final)
                (cache / f"{final_key}.size").write_text(str(_tree_size(final)))
                _remove_tree(tmp)
            _touch(cache / f"{final_key}.lock")
        except BaseException:
            _remove_tree(tmp)
            raise
    evict(cache, keep=final_key)
    return _served(final, target.subpath, target, commit, False, label)


# ---- the two entry points ------------------------------------------------------------------------


def guard(src: GitRepo, url: str, options: Options) -> None:
    """In server mode (``allow_private=False``) refuse clones that reach inside the server.

    A remote caller must not make the server read ``file://`` repositories, use its SSH keys, or
    reach loopback/private addresses (SSRF). Hosts the operator mapped with ``host_map`` are
    trusted: the operator chose that mirror.
    """
    if options.allow_private:
        return
    host = (src.host or "").lower()
    if host and (host in options.host_map or host.removeprefix("www.") in options.host_map):
        return
    parts = urlsplit(url)
    from llmingest.fetch.http import check_address  # lazy: httpx is not needed for local-only runs

    if parts.scheme in ("http", "https"):
        check_address(url, options)
        return
    if parts.scheme == "git" and parts.hostname:
        check_address(f"http://{parts.hostname}:{parts.port or 9418}/", options)
        return
    raise BlockedAddress(f"{parts.scheme or 'ssh'} repositories are not read in server mode: {url}",
                         hint="use the repository's https URL")


_REFS_PROBE = "/info/refs?service=git-upload-pack"


def _redirects_need_guard(src: GitRepo, url: str, options: Options) -> bool:
    if options.allow_private or urlsplit(url).scheme not in ("http", "https"):
        return False
    host = (src.host or "").lower()
    return not (host and (host in options.host_map or host.removeprefix("www.") in options.host_map))


def _follow_redirects_checked(url: str, options: Options, token: str | None, user: str = "x-access-token") -> str:
    """The repository URL after redirects, each hop checked by the SSRF guard (server mode).

    A renamed GitHub repository answers with a redirect; that still works, but only to a public
    address. Anything else (no redirect, 401 for a private repo) leaves the URL as it was.
    """
    from llmingest.fetch.http import fetch

    probe = url.rstrip("/") + _REFS_PROBE
    headers = {"Git-Protocol": "version=2"}
    if token:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
    try:
        resp = fetch(probe, options, check=False, headers=headers, max_bytes=20_000_000)
    except (NetworkError, LimitExceeded):
        return url  # git will report the network problem itself
    final = resp.url
    if final != probe and final.endswith(_REFS_PROBE):
        return final[: -len(_REFS_PROBE)]
    return url


def _isolated(options: Options) -> bool:
    """Server mode: git gets no credential of the machine's (see :func:`git_env`)."""
    return options.isolate_git or not options.allow_private


def _credentials(src: GitRepo, url: str, url_auth: tuple[str, str | None] | None,
                 options: Options) -> tuple[str, str | None]:
    """(basic-auth user, token) for ``url``: --token (or the request's header) first, then the
    userinfo the URL carried (``https://user:tok@host/``), then the forge's environment token.

    A URL with only a user name (``https://TOKEN@github.com/...``) uses it as the token. Nothing is
    sent over plain http except to this machine (see :func:`_sendable`).
    """
    user = _auth_user(src.forge)
    if not _sendable(url):
        return user, None
    if options.token:
        return user, options.token
    if url_auth:
        name, password = url_auth
        if password:
            return name or user, password
        if name:
            return user, name
    return user, options.resolved_token(src.host)


def _sendable(url: str) -> bool:
    """A token goes over https, or plain http only to this machine (a test server or local mirror)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"))


def discard(co: Checkout) -> None:
    """Remove a checkout made with ``Options.cache=False`` now (long-running servers call this)."""
    if co.root.name == "repo" and co.root.parent.name.startswith("llmingest-clone-"):
        _remove_tree(co.root.parent)


def checkout(src: GitRepo, options: Options) -> Checkout:
    """A local work tree of a remote repository at the ref/commit and subpath the user asked for.

    ``--ref`` (``Options.ref``) beats the ref in the URL, which beats the default branch. A second
    call for the same URL@commit is served from the clone cache (``Checkout.cached``); a full
    commit sha known up front needs no network at all on a hit.
    """
    url, url_auth = split_userinfo(clone_url(src, options))  # a host-map mirror may carry userinfo too
    guard(src, url, options)
    user, token = _credentials(src, url, url_auth or src.auth, options)
    register_secret(token)
    extra: list[tuple[str, str]] = []
    if _redirects_need_guard(src, url, options):
        # git follows an initial redirect without asking us; a public URL could send it to
        # 169.254.169.254. Follow redirects ourselves, every hop address-checked, then forbid git's.
        url = _follow_redirects_checked(url, options, token, user)
        extra.append(("http.followRedirects", "false"))
    env = git_env(url, token, timeout=options.timeout, user=user, extra=extra, isolated=_isolated(options))
    label = src.display() if src.host else url
    if _redirects_need_guard(src, url, options):  # git connects to the address we checked (DNS rebinding)
        from llmingest.fetch.http import pin_git_env

        pin_git_env(env, url, options)

    # a full sha from --ref or a /commit/ URL: a cache hit needs no network at all. Not on a server:
    # there the ls-remote below is what proves this caller may read the repository (another caller's
    # token may have filled the clone cache with a private commit).
    known = options.ref or src.commit
    if known and _HEX40.match(known.lower()) and options.cache and not src.ref_path and not _isolated(options):
        subpath = _clean_subpath(src.subpath)
        hit = _from_cache(cache_root(options), url, known.lower(), subpath, history_depth(options))
        if hit:
            _touch(cache_root(options) / f"{hit[1]}.lock")
            return _served(hit[0], subpath, _Target(None, known.lower(), subpath), known.lower(), True, label)

    refs = ls_remote(url, env, label=label, token=bool(token), timeout=options.timeout)
    if refs.empty:
        raise SourceNotFound(f"repository is empty: {label}")
    target = _resolve(src, refs, options, label)
    target.subpath = _clean_subpath(target.subpath)
    if not _HEX40.match(target.commit):
        target.commit = _expand_short_sha(url, target.commit, env, label, bool(token))
    fetch_ref = None
    if target.ref and refs.lookup(target.ref) == target.commit:
        fetch_ref = ("refs/heads/" if target.ref in refs.branches else "refs/tags/") + target.ref
    return _obtain(url, target, env, options, label=label, token=bool(token), fetch_ref=fetch_ref)


def checkout_local_ref(path: Path, ref: str, options: Options) -> Checkout:
    """A local git repository at ``ref`` (branch, tag, sha, ``HEAD~3``...), without touching it.

    The user's work tree, index and refs are never modified: the commit is fetched (depth 1,
    local transport, so it is a fast object copy) into the clone cache like a remote one. When
    ``path`` is a folder inside the repository, the checkout is narrowed to that folder.
    """
    path = Path(path).resolve()
    env = git_env("", None, timeout=options.timeout, isolated=_isolated(options))
    folder = path if path.is_dir() else path.parent
    top_proc = _run(["-C", str(folder), "rev-parse", "--show-toplevel"], env=env, timeout=60)
    if top_proc.returncode != 0:
        raise UsageError(f"--ref needs a git repository, and {path} is not in one",
                         hint="drop --ref, or point at a git work tree")
    top = Path(top_proc.stdout.strip()).resolve()
    got = _run(["-C", str(top), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
               env=env, timeout=60)
    if got.returncode != 0 or not _HEX40.match(got.stdout.strip()):
        heads = _run(["-C", str(top), "for-each-ref", "--format=%(refname:short)", "--sort=-committerdate",
                      f"--count={REFS_IN_HINT}", "refs/heads/"], env=env, timeout=60).stdout.split()
        raise SourceNotFound(f"unknown ref {ref!r} in {top}", hint=f"branches: {', '.join(heads) or '(none)'}")
    commit = got.stdout.strip()
    name: str | None = ref
    if _SHORT_SHA.match(ref.lower()) and commit.startswith(ref.lower()):
        name = None
    rel = path.relative_to(top).as_posix() if path != top else None
    target = _Target(name, commit, _clean_subpath(rel))
    # upload-pack runs as our child for local fetches, so -c reaches it: allow any sha and filters
    config = ("uploadpack.allowAnySHA1InWant=true", "uploadpack.allowFilter=true",
              "protocol.file.allow=always")
    return _obtain(str(top), target, env, options, label=str(top), token=False, fetch_ref=None, config=config)
