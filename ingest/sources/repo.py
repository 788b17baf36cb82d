"""A repository (folder, git URL, forge URL) becomes a Bundle of its files.

Pipeline: locate (local folder, or a cached clone via :mod:`llmingest.fetch.git_remote`) -> select
(:mod:`llmingest.fetch.walk`, git's own file list) -> read and decode (:mod:`llmingest.textio`) ->
convert notebooks, PDFs and documents (:mod:`llmingest.converters`' dispatcher) -> count tokens and
find secrets (cached by content hash; :mod:`llmingest.scanpool`) -> redact -> fit the budget. One unreadable file is a Skipped entry, never a failed digest.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from llmingest import converters, progress, scanpool, tokens
from llmingest.errors import LimitExceeded, SourceNotFound, redact
from llmingest.fetch.walk import Entry, _check, confine, select
from llmingest.languages import language_for
from llmingest.model import Bundle, Document, Redaction, Skipped
from llmingest.options import Options
from llmingest.scanpool import ScanPool
from llmingest.sources import parse as sources


@dataclass
class _Located:
    root: Path  # folder to walk
    display: str
    name: str
    subpath: str | None = None  # prefix for paths (repo-relative) when narrowed
    single: str | None = None  # one file, relative to root
    git_root: Path | None = None
    ref: str | None = None
    commit: str | None = None
    checkout: object | None = None  # a git_remote.Checkout to discard when caching is off


def _git(root: Path, *args: str) -> str | None:
    from llmingest.fetch.walk import local_git_env

    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60,
                             env=local_git_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def _local_git_facts(path: Path) -> tuple[Path | None, str | None, str | None]:
    top = _git(path, "rev-parse", "--show-toplevel")
    if not top:
        return None, None, None
    commit = (_git(path, "rev-parse", "--verify", "-q", "HEAD") or "").strip() or None
    branch = (_git(path, "symbolic-ref", "--short", "-q", "HEAD") or "").strip() or None
    return Path(top.strip()), branch, commit


def _locate(src: sources.Source, options: Options) -> _Located:
    if isinstance(src, sources.LocalDir):
        if not src.path.exists():
            raise SourceNotFound(f"no such folder: {src.path}")
        if options.ref:
            from llmingest.fetch.git_remote import checkout_local_ref

            co = checkout_local_ref(src.path, options.ref, options)
            loc = _from_checkout(co, src.path.name, f"{src.path}@{options.ref}")
            if loc.subpath and not loc.single:
                loc.subpath = None  # paths relative to the folder given, exactly as without --ref
            return loc
        top, branch, commit = _local_git_facts(src.path)
        return _Located(src.path, str(src.path), src.path.name, git_root=top, ref=branch, commit=commit)
    if isinstance(src, sources.LocalFile):
        if not src.path.is_file():
            raise SourceNotFound(f"no such file: {src.path}")
        top, branch, commit = _local_git_facts(src.path.parent)
        return _Located(src.path.parent, str(src.path), src.path.parent.name or src.path.name, single=src.path.name, git_root=top,
                        ref=branch, commit=commit)
    if isinstance(src, sources.GitRepo):
        from llmingest.fetch.git_remote import checkout

        co = checkout(src, options)
        return _from_checkout(co, src.name, redact(src.display()))
    raise SourceNotFound(f"{src.display()} is not a repository", hint="use `llmingest page` for web pages")


def _from_checkout(co, name: str, display: str) -> _Located:
    loc = _from_checkout_paths(co, name, display)
    loc.checkout = co
    return loc


def _from_checkout_paths(co, name: str, display: str) -> _Located:
    if co.subpath:
        # a symlinked folder or file on the way must not lead out of the checkout (OutsideTree)
        real = confine(co.root, co.subpath)
        if not os.path.lexists(real):
            raise SourceNotFound(f"path {co.subpath!r} does not exist at {co.ref or co.commit[:12]}")
        if co.blob or not real.is_dir():  # a /blob/ URL, or a link to a file in the repository
            parent, _, fname = co.subpath.rpartition("/")
            return _Located(confine(co.root, parent) if parent else co.root, display, name, subpath=parent or None,
                            single=fname, git_root=co.root, ref=co.ref, commit=co.commit)
        return _Located(real, display, name, subpath=co.subpath, git_root=co.root, ref=co.ref, commit=co.commit)
    return _Located(co.root, display, name, git_root=co.root, ref=co.ref, commit=co.commit)


_OPEN_FLAGS = getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_READ_WHOLE = 1 << 20  # larger files are sniffed on their first 8 KB before the rest is read


def _read_rest(fd: int, size: int) -> bytes:
    """Everything left in ``fd``; ``size`` (from the walk's stat) is a hint, a file that grew or
    shrank since is still read to its end."""
    first = os.read(fd, min(size + 1, 1 << 30))
    more = os.read(fd, 1 << 20) if first else b""
    if not more:
        return first
    chunks = [first, more]
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _read_bytes(entry: Entry, options: Options, fmt: converters.Format | None
                ) -> tuple[bytes, converters.Format | None] | Skipped:
    """The file's bytes and format (a binary file under another name is known by its bytes), or
    why it is skipped: not a regular file, binary, unreadable."""
    from llmingest.textio import sniff_binary

    sniff = fmt is None
    try:
        # never follow a link at the last step (the walk resolved and checked it) and never block:
        # a file swapped for a FIFO after the walk opens at once and is refused by its fstat
        fd = os.open(entry.abspath, os.O_RDONLY | _OPEN_FLAGS)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return Skipped(entry.path, "not a regular file (not read)", entry.size)
            # os.read straight into one bytes object: a third of the time of a buffered file's
            # head-then-rest reads and their concatenation, over thousands of small files
            if sniff and entry.size > _READ_WHOLE:
                head = os.read(fd, 8192)
                reason = sniff_binary(head)
                if reason:  # a huge binary is rejected after 8 KB, never read whole
                    return Skipped(entry.path, reason, entry.size)
                data = head + _read_rest(fd, entry.size)
            else:
                data = _read_rest(fd, entry.size)
                reason = sniff_binary(data[:8192]) if sniff else None
                if reason:  # binary: a document under another name (or none) is known by its bytes
                    fmt = converters.sniff(None, data)
                    if fmt is None or not fmt.in_trees or (fmt.name == "pdf" and not options.convert_pdfs):
                        return Skipped(entry.path, reason, entry.size)
        finally:
            os.close(fd)
    except OSError as exc:
        return Skipped(entry.path, f"cannot read: {exc.strerror or exc}", entry.size)
    return data, fmt


def _converted(entry: Entry, data: bytes, fmt: converters.Format) -> tuple[Document | None, Skipped | None, bytes]:
    """A document format (notebook, PDF, office file...) converted to text; one that fails to
    convert is skipped, never sinks the digest."""
    try:
        doc = converters.convert(data, fmt, name=entry.path).document  # a digest is text: attachments dropped
    except converters.MissingExtra as exc:
        return None, Skipped(entry.path, f"not converted: {exc.render()}", len(data)), b""
    except Exception as exc:  # one bad notebook/PDF/document never sinks the digest
        return None, Skipped(entry.path, f"conversion failed: {redact(str(exc))}", len(data)), b""
    doc.path, doc.size = entry.path, len(data)
    return doc, None, data


def _text_document(entry: Entry, data: bytes, legacy, sniffed: bool) -> tuple[Document | None, Skipped | None, bytes]:
    """A source file as text (decoded, CRLF normalised), or skipped when it does not decode."""
    from llmingest.textio import decode

    text, how = decode(data, legacy, sniffed=sniffed)
    if text is None:
        return None, Skipped(entry.path, how, len(data)), b""
    if "\r" in text:  # one-character search (memchr) first: a tenth of the cost of looking for "\r\n"
        text = text.replace("\r\n", "\n")
    meta = {"encoding": how} if how != "utf-8" else {}
    return Document(entry.path, text, language=language_for(entry.path), kind="code", size=len(data),
                    metadata=meta), None, data


def _read(entry: Entry, options: Options, legacy=None) -> tuple[Document | None, Skipped | None, bytes]:
    """The file as a Document (or why it is skipped), and the bytes it was made from."""
    fmt = converters.sniff(entry.path)  # by name, before a byte is read
    fmt = fmt if fmt is not None and fmt.in_trees else None  # HTML in a repository is source text
    sniffed = fmt is None
    read = _read_bytes(entry, options, fmt)
    if isinstance(read, Skipped):
        return None, read, b""
    data, fmt = read
    if fmt is not None and (fmt.name != "pdf" or options.convert_pdfs):  # PDFs only when asked
        return _converted(entry, data, fmt)
    return _text_document(entry, data, legacy, sniffed)


class _Counting:
    """Token counts and secret scans of the files read (see :mod:`llmingest.scanpool`).

    Content already in the token cache (``[tokens, clean]`` under its hash) is neither counted nor
    scanned again, so a warm run starts no worker and builds no tokenizer. State is real (cache,
    pool, which document is which job), hence a class.
    """

    def __init__(self, options: Options) -> None:
        self.encoding = options.encoding
        self.redacting = options.redact_secrets
        self.cache = tokens.TokenCache(options.encoding, options.cache_dir, enabled=options.cache,
                                       name=f"{options.encoding}.scan")
        self.keys: list[str] = []
        self.known: list = []
        self.jobs: dict[int, int] = {}  # document index -> pool job
        self.redacted: dict[int, tuple[str, int | None, int | None]] = {}  # index -> (key, cached count, job)
        self.pool: ScanPool | None = None

    def add(self, doc: Document, raw: bytes) -> None:
        """Queue ``doc`` (made from ``raw``) unless the cache knows it. The key hashes the file's
        bytes, which fix its text (decoding is deterministic): no re-encoding of every text.

        The pool finds secrets at once, so a text that will be redacted has its redacted form
        counted by the same worker too (this process then never builds a tokenizer)."""
        key = "file:" + self.cache.key(raw)
        known = self.cache.get(key)
        if not (isinstance(known, list) and len(known) == 2 and isinstance(known[0], int)):
            known = None  # absent, or written by something else: count and scan again
        scan = self.redacting and (known is None or not known[1])  # PDFs too: their text is in the digest
        if known is None or scan:
            if self.pool is None:
                self.pool = ScanPool(self.encoding)
            job = self.jobs[len(self.keys)] = self.pool.submit(doc.path, doc.content, scan, tokens=known is None)
            hits = self.pool.hits(job)
            if hits:
                from llmingest.transforms.secrets import apply

                text = apply(doc.path, doc.content, hits)[0]
                rkey = self.cache.key(text.encode("utf-8", "surrogatepass"))
                rknown = self.cache.get(rkey)
                cached = rknown[0] if isinstance(rknown, list) and rknown and isinstance(rknown[0], int) else None
                self.redacted[len(self.keys)] = (rkey, cached,
                                                 None if cached is not None else self.pool.submit(doc.path, text, False))
        self.keys.append(key)
        self.known.append(known)

    def guess_legacy(self, data: bytes) -> tuple[str | None, str]:
        """:func:`textio.guess_legacy` with its verdict cached by content hash: charset detection
        costs milliseconds a file, and the same files come back on every run."""
        from llmingest.textio import guess_legacy

        key = "encoding:" + self.cache.key(data)
        known = self.cache.get(key)
        if isinstance(known, str):
            try:  # decoded exactly as guess_legacy decodes (cp1252 with undefined bytes replaced)
                return data.decode(known, "replace" if known == "cp1252" else "strict"), known
            except (UnicodeDecodeError, LookupError):
                pass
        text, how = guess_legacy(data)
        if text is not None:
            self.cache.put(key, how)
        return text, how

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def _scan_and_count(docs: list[Document], options: Options, counting: _Counting) -> list[Redaction]:
    """Take the counts and secret findings, redact, and remember both in the cache.

    The counts are of the text as read; a file whose text changes by redaction is counted again
    (or found in the cache under its redacted text's hash).
    """
    from llmingest.transforms.secrets import apply

    cache, keys, known = counting.cache, counting.keys, counting.known
    results = counting.pool.results() if counting.pool is not None else []
    redactions: list[Redaction] = []
    changed: list[int] = []
    for i, key in enumerate(keys):
        job = counting.jobs.get(i)
        if job is None:  # everything cached
            docs[i].tokens = known[i][0]
            continue
        count, hits = results[job]
        if count is None:  # only re-scanned: the count is the cached one
            count = known[i][0]
        scanned = counting.redacting
        # a text never scanned is not known clean: a later run that redacts must still scan it
        clean = not hits if scanned else bool(known[i] and known[i][1])
        cache.put(key, [count, clean])
        docs[i].tokens = count
        if hits:
            docs[i].content, found = apply(docs[i].path, docs[i].content, hits)
            redactions.extend(found)
            changed.append(i)
    for i in changed:
        # the redacted text was counted once (at add) and is cached under its own hash (clean=False,
        # so a file with that very content is still scanned): a warm run of a repo with secrets in
        # it then counts nothing at all
        rkey, cached, job = counting.redacted[i]
        docs[i].tokens = cached if job is None else results[job][0]
        if job is not None:
            cache.put(rkey, [docs[i].tokens, False])
    cache.save()
    return redactions


def _redact_paths(docs: list[Document], skipped: list[Skipped]) -> list[Redaction]:
    """A token in a file's name shows in the tree, the headers and the skipped list: replace it
    there too (line 0 in the report: the name, not the content)."""
    from llmingest.transforms.secrets import redact_path

    found: list[Redaction] = []
    for item in [*docs, *skipped]:
        path, kinds = redact_path(item.path)
        if kinds:
            item.path = path
            found.extend(Redaction(path, 0, kind) for kind in kinds)
    return found


def _history(loc: _Located, options: Options) -> dict[str, str]:
    out: dict[str, str] = {}
    root = loc.git_root
    if root is None:
        return out
    if options.git_log:
        log = _git(root, "log", f"-n{int(options.git_log)}", "--date=short", "--format=%h %ad %an: %s", "--stat=100",
                   "--stat-graph-width=20")
        if log:
            log = log.strip() + "\n"
            if options.redact_secrets:  # commit messages leak keys too
                from llmingest.transforms.secrets import redact as redact_secrets

                log, _ = redact_secrets("git log", log)
            out["git_log"] = log
    if options.diff:
        diff = _git(root, "diff", "HEAD", "--no-color", "--no-ext-diff") or _git(root, "diff", "--cached", "--no-color")
        if diff:
            if options.redact_secrets:
                from llmingest.transforms.secrets import redact as redact_secrets

                diff, _ = redact_secrets("diff", diff)
            out["diff"] = diff
    return out


def _select_entries(loc: _Located, options: Options, facts: dict[str, object]
                    ) -> tuple[list[Entry], list[Skipped], list[tuple[Document, bytes]]]:
    """The files to read, those skipped, and (with --diff-ref) documents already read from git:
    what changed between two refs, one file, or the walked tree with its submodules."""
    if options.diff_ref:  # only what changed between two refs, read from git, not the work tree
        from llmingest.sources.repo_git import diff_ref_documents

        changed, skipped, found = diff_ref_documents(loc.root, options, loc.subpath)
        facts.update(found)
        return [], skipped, changed
    if loc.single:
        entry, skip = _check(loc.root, loc.single, options, within=loc.git_root)
        return ([entry] if entry else []), ([skip] if skip else []), []
    entries, skipped, _ = select(loc.root, options, within=loc.git_root if loc.checkout is not None else None)
    if loc.git_root is not None:
        from llmingest.sources.repo_git import submodules

        fetch = loc.checkout is not None and options.allow_private and not options.isolate_git
        entries, skipped, subs = submodules(loc.root, options, entries, skipped, fetch=fetch)
        if subs:
            facts["submodules"] = {f"{loc.subpath}/{k}" if loc.subpath else k: v for k, v in subs.items()}
    return entries, skipped, []


def _check_file_limit(loc: _Located, entries: list[Entry], options: Options) -> None:
    """A server's limit on the number of files, checked before a single file is read."""
    limit = options.max_files
    if limit and len(entries) > limit:
        raise LimitExceeded(f"{loc.display} has {len(entries):,} files, over this server's limit of {limit:,}",
                            hint="narrow it with --include/--exclude or a /tree/<ref>/<dir> URL")


def _read_documents(entries: list[Entry], changed: list[tuple[Document, bytes]], skipped: list[Skipped],
                    options: Options, counting: _Counting) -> tuple[list[Document], list[Redaction]]:
    """Read every entry (a skip goes to ``skipped``), then redact secrets and count tokens."""
    docs: list[Document] = []
    with progress.task(options, "Reading files", total=len(entries)) as bar:
        for entry in entries:
            doc, skip, raw = _read(entry, options, counting.guess_legacy)
            bar.advance()
            if skip:
                skipped.append(skip)
            else:
                counting.add(doc, raw)
                docs.append(doc)
        for doc, raw in changed:
            counting.add(doc, raw)
            docs.append(doc)
    path_redactions = _redact_paths(docs, skipped) if options.redact_secrets else []
    with progress.task(options, "Scanning secrets and counting tokens", total=None):
        redactions = path_redactions + _scan_and_count(docs, options, counting)
    return docs, redactions


def _prestart(src: sources.Source, options: Options, counting: _Counting):
    """Start the counting worker now, before the tree is located and walked, when this run will
    count: a tree (not one file, not --diff-ref's few changes) and an empty token cache. A cold
    digest waits for the worker's last count, and the worker's interpreter and tokenizer (~60 ms)
    then load while this process runs git and walks, instead of after the first megabyte is read.
    The caller ends it in a ``finally`` if no pool adopted it (:func:`scanpool.discard`)."""
    if options.diff_ref or len(counting.cache) or not isinstance(src, (sources.LocalDir, sources.GitRepo)):
        return None
    return scanpool.prestart(options.encoding)


def _change_counts(loc: _Located, options: Options, facts: dict[str, object]) -> dict[str, int] | None:
    """With --sort-by-changes in a git repository: how often each file changed recently."""
    if not (options.sort_by_changes and loc.git_root is not None):
        return None
    from llmingest.sources.repo_git import change_counts

    churn = change_counts(loc.root, options.changes_window, loc.subpath)
    facts["sort_by_changes"] = f"most often changed in the last {options.changes_window:,} commits first"
    return churn


def _repo_metadata(loc: _Located, history: dict[str, str], facts: dict[str, object]) -> dict:
    """The bundle's metadata: name, ref, commit, subpath, then git history and the facts gathered."""
    metadata: dict = {"name": loc.name}
    if loc.ref:
        metadata["ref"] = loc.ref
    if loc.commit:
        metadata["commit"] = loc.commit
    if loc.subpath:
        metadata["subpath"] = loc.subpath
    metadata.update(history)
    metadata.update(facts)
    return metadata


def ingest_repo(src: sources.Source, options: Options) -> Bundle:
    """Digest a repository; see the module docstring for the pipeline."""
    counting = _Counting(options)  # the token cache first: an empty one means every file is counted
    spare = _prestart(src, options, counting)
    try:  # a failing locate or walk, or a run that counts nothing, ends the worker started here
        loc = _locate(src, options)
        facts: dict[str, object] = {}
        entries, skipped, changed = _select_entries(loc, options, facts)
        _check_file_limit(loc, entries, options)
        if loc.subpath:
            entries = [Entry(f"{loc.subpath}/{e.path}", e.abspath, e.size) for e in entries]
            skipped = [Skipped(f"{loc.subpath}/{s.path}", s.reason, s.size) for s in skipped]
        docs, redactions = _read_documents(entries, changed, skipped, options, counting)
    finally:
        counting.close()
        scanpool.discard(spare)
    if options.compress:
        from llmingest.transforms.compress import compress_documents, summary

        facts["compressed"] = summary(compress_documents(docs, options.encoding))
    churn = _change_counts(loc, options, facts)
    history = _history(loc, options)
    if loc.checkout is not None and not options.cache:
        from llmingest.fetch.git_remote import discard

        discard(loc.checkout)  # a temporary clone: everything needed is in memory now

    if not docs and not skipped and not options.diff_ref:
        what = "no files matched --include" if options.include else "no files to digest"
        raise SourceNotFound(f"{what} in {loc.display}", hint="check the path, --include/--exclude, or --hidden")

    bundle = Bundle(source=loc.display, kind="repo", documents=docs, skipped=sorted(skipped, key=lambda s: s.path),
                    redactions=redactions, metadata=_repo_metadata(loc, history, facts), title=loc.name,
                    encoding=options.encoding)
    if options.max_tokens:  # fitted as the renderer will lay it out, in the format asked for
        from llmingest.render import fit

        out = options.output
        fit(bundle, options.max_tokens, out.format, top=out.top, token_tree=out.token_tree, changes=churn)
    if churn is not None:
        from llmingest.sources.repo_git import sort_by_changes

        bundle.documents = sort_by_changes(bundle.documents, churn)
    return bundle
