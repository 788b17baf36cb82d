"""One bundle from many sources: a repo, its docs site, a design PDF and an API spec together.

``bundle([...sources])`` ingests each source through :func:`llmingest.ingest` (the one entry
point), applies the click-to-curl rewrite to documents with UI steps when an OpenAPI spec is
given, fits everything into one token budget, and returns a Bundle of kind ``"bundle"`` whose
documents carry ``metadata["source_label"]``. A failing source is reported and skipped unless
``strict``.

Budget priority (README "Budgets"): sources in the order given (or by their ``priority`` key,
lower first), then each source's own priority (a repo's README, docs, source, tests; a site's
reading order).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmingest.config import SOURCE_KEYS
from llmingest.errors import IngestError, UsageError
from llmingest.model import Bundle, Document, Skipped
from llmingest.options import Options
from llmingest.sources import parse as src_mod

SOURCE_PREFIXES = ("repo", "page", "site", "pdf")


@dataclass
class SourceSpec:
    """One entry of ``[[sources]]`` or one positional argument (``site:https://...`` forces a kind)."""

    source: str
    kind: str | None = None
    name: str | None = None
    priority: int | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def parsed(self) -> src_mod.Source | None:
        """The source parsed once (None when it does not parse; ``parse`` then says why)."""
        try:
            return src_mod.parse(self.source)
        except IngestError:
            return None

    @classmethod
    def coerce(cls, value: str | dict | SourceSpec) -> SourceSpec:
        if isinstance(value, SourceSpec):
            return value
        if isinstance(value, str):
            m = re.match(r"^(repo|page|site|pdf):(?!//)(.+)$", value)
            return cls(m.group(2), kind=m.group(1)) if m else cls(value)
        if isinstance(value, dict):
            if "source" not in value:
                raise UsageError("a [[sources]] entry needs a `source` key")
            extra = {k.replace("-", "_"): v for k, v in value.items() if k not in SOURCE_KEYS}
            prefixed = cls.coerce(str(value["source"]))
            return cls(prefixed.source, kind=value.get("kind") or prefixed.kind, name=value.get("name"),
                       priority=value.get("priority"), include=list(value.get("include", [])),
                       exclude=list(value.get("exclude", [])), options={**extra, **value.get("options", {})})
        raise UsageError(f"cannot read source {value!r}")


def _looks_like_built_site(path: Path) -> bool:
    return (path / "index.html").is_file() and not (path / ".git").exists()


def detect_kind(spec: SourceSpec) -> str:
    """repo | page | site | pdf. An http(s) docs URL is crawled as a site; a built HTML folder too."""
    if spec.kind:
        if spec.kind not in SOURCE_PREFIXES:
            raise UsageError(f"unknown source kind {spec.kind!r}", hint=f"use one of {', '.join(SOURCE_PREFIXES)}")
        return spec.kind
    parsed = spec.parsed or src_mod.parse(spec.source)  # the second parse raises the real error
    if isinstance(parsed, src_mod.LocalDir) and _looks_like_built_site(parsed.path):
        return "site"
    if isinstance(parsed, src_mod.WebPage) and parsed.kind == "page":
        return "site"
    return parsed.kind


def _label(spec: SourceSpec, kind: str, index: int) -> str:
    if spec.name:
        return spec.name
    parsed = spec.parsed
    if isinstance(parsed, (src_mod.LocalDir, src_mod.LocalFile)):
        return parsed.path.name or f"source-{index + 1}"
    if isinstance(parsed, src_mod.GitRepo):
        return parsed.repo_path or parsed.url
    text = re.sub(r"^https?://", "", spec.source.rstrip("/"))
    return text or f"source-{index + 1}"


def _source_options(base: Options, spec: SourceSpec) -> Options:
    over: dict[str, Any] = {}
    if spec.include:
        over["include"] = spec.include
    if spec.exclude:
        over["exclude"] = spec.exclude
    known = set(Options.__dataclass_fields__)
    extra = dict(base.extra)
    for key, value in spec.options.items():
        if key in known:
            over[key] = value
        else:
            extra[key] = value
    over["extra"] = extra
    opts = base.merged(**over)
    opts.max_tokens = None  # the bundle budgets across sources, not each source alone
    return opts


def _has_ui_steps(doc: Document) -> bool:
    if doc.kind == "code" and (doc.language or "") not in ("markdown", "rst", "text", "mdx"):
        return False
    return bool(re.search(r"(?i)\b(click|select|choose|navigate to|go to|toggle|press|tap|fill in|enter|paste)\b", doc.content))


def _load_spec(openapi: str, options: Options):
    """An OpenAPI/Swagger spec from a path or URL, indexed once and cached by content hash."""
    from llmingest.sources.actions import load_index

    return load_index(openapi, options)


def _apply_actions(docs: list[Document], spec, spec_name: str, base_url: str | None) -> dict[str, int]:
    from llmingest.converters.actions import rewrite

    stats = {"documents": 0, "actions": 0, "manual": 0}
    for doc in docs:
        if not _has_ui_steps(doc):
            continue
        result = rewrite(doc.content, spec, base_url=base_url, source_name=spec_name)
        if not result.tasks:
            continue
        stats["documents"] += 1
        stats["actions"] += result.matched
        stats["manual"] += result.manual
        doc.content = result.markdown
        doc.metadata["actions"] = {"matched": result.matched, "manual": result.manual}
    return stats


def _ordered_docs(kind: str, bundle: Bundle) -> list[Document]:
    if kind == "repo":
        from llmingest.render.budget import tier

        return sorted(bundle.documents, key=lambda d: (tier(d.path), d.path.count("/"), d.tokens, d.path))
    return list(bundle.documents)


def _output_excludes(kind: str, spec: SourceSpec, outputs: list[Path]) -> list[str]:
    """Anchored excludes for our own output files inside a local repo source, so a second run
    never digests the first run's output (which would make --check stale forever)."""
    if kind != "repo" or not outputs:
        return []
    parsed = spec.parsed
    if not isinstance(parsed, src_mod.LocalDir):
        return []
    return own_output_excludes(parsed.path, outputs)


def own_output_excludes(root: Path, outputs: list[Path]) -> list[str]:
    """Anchored gitignore patterns for the outputs (files, folders or ``out.*.md`` part globs)
    that lie inside ``root``."""
    root = root.resolve()
    out = []
    for path in outputs:
        target = path.resolve()
        if target.is_relative_to(root) and target != root:
            rel = target.relative_to(root).as_posix()
            out.append(f"/{rel}/" if path.is_dir() or not path.suffix else f"/{rel}")
    return out


def _nested_local_roots(specs: list[SourceSpec]) -> dict[int, list[Path]]:
    """For each local folder source, the other local sources inside it: ``bundle . docs/`` gives
    docs/ its own section and keeps it out of ".", so nothing is bundled twice."""
    roots: dict[int, Path] = {}
    for i, spec in enumerate(specs):
        parsed = spec.parsed
        if isinstance(parsed, (src_mod.LocalDir, src_mod.LocalFile)):
            roots[i] = parsed.path.resolve()
    out: dict[int, list[Path]] = {}
    for i, root in roots.items():
        if not root.is_dir():
            continue
        inner = [other for j, other in roots.items() if j != i and other != root and other.is_relative_to(root)]
        if inner:
            out[i] = inner
    return out


@dataclass
class _Combined:
    """The sources ingested so far, combined: their report rows, documents, skips and redactions."""

    encoding: str
    results: list[dict[str, Any]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    redactions: list = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=lambda: {"documents": 0, "actions": 0, "manual": 0})

    def failed(self, entry: dict[str, Any], label: str, exc: IngestError) -> None:
        entry.update(status="failed", error=exc.render(), documents=0, tokens=0)
        entry.setdefault("label", label)
        self.skipped.append(Skipped(entry["label"], f"source failed: {exc.render()}"))
        self.results.append(entry)

    def add(self, entry: dict[str, Any], sub: Bundle, docs: list[Document]) -> None:
        label = entry["label"]
        self.documents.extend(docs)
        self.skipped.extend(Skipped(f"{label}: {s.path}", s.reason, s.size) for s in sub.skipped)
        self.redactions.extend(sub.redactions)
        entry.update(status="ok", documents=len(docs), tokens=sum(d.tokens for d in docs),
                     title=sub.title, description=sub.description,
                     **{k: v for k, v in sub.metadata.items() if k in ("ref", "commit", "subpath")})
        self.results.append(entry)

    def rewrite_actions(self, docs: list[Document], spec_index, spec_name: str, base_url: str | None) -> None:
        """Click-to-curl on the documents with UI steps; their token counts follow the new text."""
        from llmingest.tokens import count

        stats = _apply_actions(docs, spec_index, spec_name, base_url)
        for key in self.actions:
            self.actions[key] += stats[key]
        for doc in docs:
            if "actions" in doc.metadata:
                doc.tokens = count(doc.content, self.encoding)


def _ingest_one(spec: SourceSpec, i: int, opts: Options, entry: dict[str, Any], excludes: list[Path],
                base_url: str | None) -> Bundle:
    """Ingest one source with its own options (kind, label and the outputs to leave out in ``entry``)."""
    from llmingest.api import ingest

    kind = detect_kind(spec)
    entry.update(kind=kind, label=_label(spec, kind, i))
    sub_opts = _source_options(opts, spec)
    own = _output_excludes(kind, spec, excludes)
    if own:
        sub_opts.exclude = [*sub_opts.exclude, *own]
    if kind == "site" and base_url and not sub_opts.base_url:
        sub_opts.base_url = base_url
    return ingest(spec.source, sub_opts, kind=kind)


def bundle(sources: list[str | dict | SourceSpec], options: Options | None = None, *, openapi: str | None = None,
           base_url: str | None = None, strict: bool = False, name: str | None = None,
           outputs: list[Path] | None = None, **overrides: Any) -> Bundle:
    """Ingest every source and combine them into one Bundle (kind ``"bundle"``).

    >>> b = bundle([".", "site:https://docs.example.com/", "design.pdf"], max_tokens=200_000)
    """
    from llmingest import progress

    if not sources:
        raise UsageError("no sources to bundle", hint="give sources as arguments or in llmingest.toml [[sources]]")
    opts = (options or Options()).merged(**overrides) if overrides else (options or Options())
    specs = [SourceSpec.coerce(s) for s in sources]
    order = sorted(range(len(specs)), key=lambda i: (specs[i].priority if specs[i].priority is not None else 0, i))
    spec_index = _load_spec(openapi, opts) if openapi else None
    nested = _nested_local_roots(specs)
    combined = _Combined(opts.encoding)
    with progress.task(opts, "Bundling sources", total=len(specs)) as bar:
        for i in order:
            spec = specs[i]
            entry: dict[str, Any] = {"source": spec.source, "name": spec.name}
            try:
                sub = _ingest_one(spec, i, opts, entry, [*(outputs or []), *nested.get(i, [])], base_url)
            except IngestError as exc:
                if strict:
                    raise
                combined.failed(entry, _label(spec, spec.kind or "source", i), exc)
                bar.advance()
                continue
            docs = _ordered_docs(entry["kind"], sub)
            for doc in docs:
                doc.metadata["source_label"] = entry["label"]
                doc.metadata["source_kind"] = entry["kind"]
            if spec_index is not None:
                combined.rewrite_actions(docs, spec_index, Path(openapi).name if openapi else "spec", base_url)
            combined.add(entry, sub, docs)
            bar.advance()
    return _combine(combined, specs, opts, name, openapi)


def _combine(combined: _Combined, specs: list[SourceSpec], opts: Options, name: str | None,
             openapi: str | None) -> Bundle:
    results = combined.results
    if results and all(r["status"] == "failed" for r in results):
        from llmingest.errors import SourceNotFound

        raise SourceNotFound("every source failed: " + "; ".join(f"{r['label']}: {r['error']}" for r in results))
    metadata: dict[str, Any] = {"name": name or "bundle", "sources": results}
    if openapi:
        metadata["actions"] = {**combined.actions, "spec": openapi}
    out = Bundle(source=", ".join(s.source for s in specs), kind="bundle", documents=combined.documents,
                 skipped=combined.skipped, redactions=combined.redactions, metadata=metadata, title=name or "bundle",
                 encoding=opts.encoding)
    if opts.max_tokens:  # fitted as the renderer will lay it out, in the format asked for
        from llmingest.render import fit

        fit(out, opts.max_tokens, opts.output.format)
    return out
