"""What git history adds to a repository digest: changes between two refs, churn, submodules.

- ``--diff-ref A..B``: only the files changed between two refs, each as its diff, or (``--with-
  context``) as its full new version with the whole diff at the end (:func:`diff_ref_documents`).
- ``--sort-by-changes``: how many of the last N commits touched each file (:func:`change_counts`),
  repomix's ordering, also used by a token budget within a tier.
- ``--submodules``: initialised submodules are walked like the main tree; the others are listed
  in the tree either way (:func:`submodules`).

Paths are always relative to the folder being digested, as the walk's are. git runs with argument
lists (never a shell), and a ref is refused when it could be read as an option.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pathspec
from llmingest.errors import SourceNotFound, UsageError
from llmingest.fetch.walk import Entry, ignored_folder_reason, ignored_name_reason, is_hidden, select
from llmingest.languages import language_for
from llmingest.model import Document, Skipped
from llmingest.options import Options


def _git(root: Path, *args: str, binary: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
    from llmingest.fetch.walk import local_git_env

    try:
        return subprocess.run(["git", "-C", str(root), "-c", "core.quotepath=off", *args], capture_output=True,
                              timeout=timeout, text=not binary, env=local_git_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceNotFound(f"git failed in {root}: {exc}") from None


# ---------------------------------------------------------------------------------------------- churn
def change_counts(root: Path, window: int, prefix: str | None = None) -> dict[str, int]:
    """path -> how many of the last ``window`` commits touched it (paths relative to ``root``,
    under ``prefix`` when the digest's paths carry one). Empty outside git."""
    proc = _git(root, "log", f"-n{max(1, int(window))}", "--name-only", "--format=", "--relative", "--no-renames")
    counts: dict[str, int] = {}
    if proc.returncode != 0:
        return counts
    for line in proc.stdout.splitlines():
        if line:
            path = f"{prefix}/{line}" if prefix else line
            counts[path] = counts.get(path, 0) + 1
    return counts


def sort_by_changes(docs: list[Document], counts: dict[str, int]) -> list[Document]:
    """Most often changed first, then by path (files no commit touched keep path order at the end)."""
    return sorted(docs, key=lambda d: (-counts.get(d.path, 0), d.path))


# ---------------------------------------------------------------------------------------------- diff-ref
def parse_range(text: str) -> tuple[str, str, str]:
    """``A..B`` / ``A...B`` (from their merge base) / ``A`` (to HEAD) -> (A, B, separator)."""
    text = text.strip()
    sep = "..." if "..." in text else ".."
    a, _, b = text.partition(sep) if sep in text else (text, "", "")
    a, b = a.strip(), b.strip() or "HEAD"
    for ref in (a, b):
        if not ref or ref.startswith("-") or any(c.isspace() or c in "\0:" for c in ref):
            raise UsageError(f"bad --diff-ref {text!r}", hint="use A..B with two branches, tags or commits, e.g. v1.0..main")
    return a, b, sep


def _wanted(rel: str, options: Options, include, exclude) -> bool:
    folder, _, name = rel.rpartition("/")
    if include is not None and not include.match_file(rel):
        return False
    if exclude is not None and exclude.match_file(rel):
        return False
    if not options.hidden and (is_hidden(rel)):
        return False
    if options.default_ignores and ((folder and ignored_folder_reason(folder)) or ignored_name_reason(name)):
        return False
    return True


def _split_diff(text: str) -> list[str]:
    chunks: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("diff --git ") or not chunks:
            chunks.append(line)
        else:
            chunks[-1] += line
    return chunks


def diff_ref_documents(root: Path, options: Options, prefix: str | None = None
                       ) -> tuple[list[tuple[Document, bytes]], list[Skipped], dict[str, str]]:
    """The files changed between the two refs of ``options.diff_ref``, as (document, bytes) pairs
    for the read pipeline (secrets are scanned and tokens counted there), what was left out, and
    the facts for the summary (and, with ``with_context``, the whole diff). Documents carry
    ``prefix`` (a checkout's subpath); skipped entries do not, the caller prefixes them as it
    prefixes the walk's."""
    from llmingest.textio import decode, sniff_binary

    a, b, sep = parse_range(options.diff_ref or "")
    for ref in (a, b):
        if _git(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}").returncode != 0:
            raise SourceNotFound(f"--diff-ref: no commit {ref!r} in {root}",
                                 hint="fetch it first (a remote digest clones one commit; use a local clone)")
    spec = f"{a}{sep}{b}"
    names = _git(root, "diff", "--name-status", "-z", "--no-renames", "--relative", spec, "--")
    if names.returncode != 0:
        raise SourceNotFound(f"git diff {spec} failed: {names.stderr.strip()[:200]}")
    fields = [f for f in names.stdout.split("\0") if f]
    changes = [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]
    full = _git(root, "diff", "--no-color", "--no-ext-diff", "--no-renames", "--relative", spec, "--")
    chunks = _split_diff(full.stdout) if full.returncode == 0 else []
    if len(chunks) != len(changes):  # a path git quoted oddly: ask per file instead
        chunks = [_git(root, "diff", "--no-color", "--no-ext-diff", "--no-renames", "--relative", spec, "--",
                       path).stdout for _, path in changes]
    include = pathspec.GitIgnoreSpec.from_lines(options.include) if options.include else None
    exclude = pathspec.GitIgnoreSpec.from_lines(options.exclude) if options.exclude else None
    pairs: list[tuple[Document, bytes]] = []
    skipped: list[Skipped] = []
    kept_chunks: list[str] = []
    for (status, rel), chunk in zip(changes, chunks, strict=True):
        if not _wanted(rel, options, include, exclude):
            continue
        path = f"{prefix}/{rel}" if prefix else rel
        kept_chunks.append(chunk)
        if not options.with_context:
            data = chunk.encode("utf-8", "surrogateescape")
            pairs.append((Document(path, chunk, language="diff", kind="diff", size=len(data),
                                   metadata={"change": status[:1]}), data))
            continue
        if status.startswith("D"):
            skipped.append(Skipped(rel, f"deleted in {b}"))
            continue
        blob = _git(root, "show", f"{b}:./{rel}", binary=True)
        data = blob.stdout if blob.returncode == 0 else b""
        if blob.returncode != 0:
            skipped.append(Skipped(rel, f"cannot read at {b}"))
            continue
        if len(data) > options.max_file_size:
            skipped.append(Skipped(rel, f"larger than --max-file-size ({len(data):,} bytes)", len(data)))
            continue
        reason = sniff_binary(data[:8192])
        text, how = (None, reason) if reason else decode(data)
        if text is None:
            skipped.append(Skipped(rel, how or "binary", len(data)))
            continue
        pairs.append((Document(path, text.replace("\r\n", "\n"), language=language_for(path), kind="code",
                               size=len(data), metadata={"change": status[:1]}), data))
    adds = sum(1 for s, r in changes if s.startswith("A") and _wanted(r, options, include, exclude))
    dels = sum(1 for s, r in changes if s.startswith("D") and _wanted(r, options, include, exclude))
    facts = {"diff_ref": spec, "changes": f"{len(kept_chunks):,} file(s) changed ({adds:,} added, {dels:,} deleted)"}
    if options.with_context and kept_chunks:
        facts["diff"] = "".join(kept_chunks)
    return pairs, skipped, facts


# ---------------------------------------------------------------------------------------------- submodules
def submodule_paths(root: Path) -> list[str]:
    """Submodule folders under ``root`` (gitlinks in the index), relative to it."""
    proc = _git(root, "ls-files", "-s", "-z")
    if proc.returncode != 0:
        return []
    out = []
    for record in proc.stdout.split("\0"):
        meta, _, path = record.partition("\t")
        if meta.startswith("160000 ") and path:
            out.append(path)
    return sorted(out)


def _checked_out(folder: Path) -> bool:
    return os.path.lexists(folder / ".git") and any(p.name != ".git" for p in folder.iterdir())


def submodules(root: Path, options: Options, entries: list[Entry], skipped: list[Skipped], *, fetch: bool
               ) -> tuple[list[Entry], list[Skipped], dict[str, str]]:
    """With ``--submodules``, the files of each checked-out submodule joined to the walk's (paths
    prefixed by the submodule's folder); ``fetch`` first clones missing ones shallowly (a remote
    checkout of ours, never the user's own work tree). Returns entries, skipped, and each
    submodule's status for the tree."""
    paths = submodule_paths(root)
    status: dict[str, str] = {}
    if not paths:
        return entries, skipped, status
    for sub in paths:
        folder = root / sub
        if not options.submodules:
            status[sub] = "submodule, not included (use --submodules)"
            continue
        if not _checked_out(folder) and fetch:
            _git(root, "-c", "protocol.file.allow=never", "submodule", "update", "--init", "--depth", "1", "--", sub,
                 timeout=options.timeout * 4)
        if not (folder.is_dir() and _checked_out(folder)):
            status[sub] = "submodule, not checked out"
            continue
        sub_entries, sub_skipped, _ = select(folder, options)
        entries = entries + [Entry(f"{sub}/{e.path}", e.abspath, e.size) for e in sub_entries]
        skipped = [s for s in skipped if s.path != sub] + [Skipped(f"{sub}/{s.path}", s.reason, s.size) for s in sub_skipped]
        status[sub] = "submodule, included"
    entries.sort(key=lambda e: e.path)
    return entries, skipped, status
