"""Render a Bundle as text: markdown, xml, plain (gitingest's layout) or json.

Renderers are generators of chunks, so the CLI can stream a digest of a huge repository straight
to its output file without holding it in memory twice. Everything here is deterministic: sorted
paths, no timestamps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from llmingest.errors import UsageError
from llmingest.model import Bundle, Document

FORMATS = ("markdown", "xml", "plain", "json")


# ---------------------------------------------------------------------------------------------- tree
def _nest(paths: Iterable[str]) -> dict:
    root: dict = {}
    for path in paths:
        node = root
        parts = path.split("/")
        for part in parts[:-1]:
            node = node.setdefault(part + "/", {})
        node[parts[-1]] = None
    return root


def _dir_tokens(node: dict, prefix: str, tokens: dict[str, int], out: dict[str, int]) -> int:
    total = 0
    for name, child in node.items():
        path = prefix + name
        if child is None:
            total += tokens.get(path, 0)
        else:
            total += _dir_tokens(child, path, tokens, out)
    out[prefix] = total
    return total


def tree_lines(paths: list[str], root_name: str, tokens: dict[str, int] | None = None) -> list[str]:
    """``└── src/`` style tree (directories first, then files, each sorted)."""
    nested = _nest(paths)
    dir_totals: dict[str, int] = {}
    if tokens is not None:
        _dir_tokens(nested, "", tokens, dir_totals)
    suffix = (lambda p: f" ({dir_totals.get(p, tokens.get(p, 0) if tokens else 0):,} tokens)") if tokens is not None else (lambda p: "")
    lines = [f"{root_name.rstrip('/')}/" + suffix("")]

    def walk(node: dict, indent: str, prefix: str) -> None:
        items = sorted(node.items(), key=lambda kv: (kv[1] is None, kv[0].lower(), kv[0]))
        for i, (name, child) in enumerate(items):
            last = i == len(items) - 1
            lines.append(f"{indent}{'└── ' if last else '├── '}{name}{suffix(prefix + name)}")
            if child is not None:
                walk(child, indent + ("    " if last else "│   "), prefix + name)

    walk(nested, "", "")
    return lines


# ---------------------------------------------------------------------------------------------- helpers
_BACKTICKS = re.compile(r"```+")  # a literal prefix: re scans for it at memchr speed


def fence_for(text: str, minimum: int = 3) -> str:
    """A backtick fence longer than any run of three or more backticks inside ``text``."""
    # a one-character search (memchr) rules out most files at a tenth of the cost of "```" in text
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0) if "`" in text else 0
    return "`" * max(minimum, longest + 1)


SKIPPED_SHOWN = 50


def skipped_list(skipped: list, template: str, limit: int = SKIPPED_SHOWN) -> str:
    """The first ``limit`` skipped entries, then a count, so a budget cut never floods the digest."""
    lines = [template.format(path=s.path, reason=s.reason) + "\n" for s in skipped[:limit]]
    if len(skipped) > limit:
        lines.append(f"- ... and {len(skipped) - limit:,} more (the json format lists them all)\n")
    return "".join(lines)


def _fmt_tokens(n: int) -> str:
    return f"{n:,}"


def _root_name(bundle: Bundle) -> str:
    name = bundle.metadata.get("name") or bundle.title or Path(bundle.source.rstrip("/")).name or "repo"
    return str(name)


def summary_lines(bundle: Bundle, top: int = 10) -> list[str]:
    """The facts a reader (or model) wants first: what, which commit, how big, what was left out."""
    md = bundle.metadata
    lines = [f"- Source: {bundle.source}"]
    if md.get("subpath"):
        lines.append(f"- Subpath: {md['subpath']}")
    if md.get("commit"):
        ref = md.get("ref") or "HEAD"
        lines.append(f"- Ref: {ref} @ {md['commit'][:12]}")
    lines.append(f"- Files: {len(bundle.documents):,}" + (f" ({len(bundle.skipped):,} skipped)" if bundle.skipped else ""))
    lines.append(f"- Tokens: {_fmt_tokens(bundle.total_tokens)} ({bundle.encoding})")
    if md.get("diff_ref"):
        lines.append(f"- Changes: {md['diff_ref']}: {md.get('changes', '')}".rstrip(": "))
    if md.get("compressed"):
        lines.append(f"- Compressed: {md['compressed']}")
    if md.get("sort_by_changes"):
        lines.append(f"- Order: {md['sort_by_changes']}")
    if md.get("budget"):
        lines.append(f"- Budget: {md['budget']}")
    if bundle.redactions:
        lines.append(f"- Secrets redacted: {len(bundle.redactions)}")
    return lines


def tree_paths(bundle: Bundle) -> list[str]:
    """The paths the directory tree shows: every document, and each submodule left out, marked
    (a reader should know the code is there even when it is not in the digest)."""
    paths = [d.path for d in bundle.documents]
    for sub, status in sorted((bundle.metadata.get("submodules") or {}).items()):
        if status != "submodule, included":
            paths.append(f"{sub} ({status})")
    return paths


def _top(bundle: Bundle, n: int) -> list[Document]:
    if n <= 0 or len(bundle.documents) < 2:
        return []
    return sorted(bundle.documents, key=lambda d: (-d.tokens, d.path))[:n]


def inline_markdown(doc: Document) -> bool:
    """Markdown we produced ourselves (pages, PDFs): balanced fences, safe to inline unfenced.
    Everything else (the user's files, notebooks) is fenced, so an unclosed fence can't swallow
    the next file."""
    return doc.kind in ("page", "pdf")


_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^(#{1,6})(\s+.*)$")


def embed_markdown(text: str, under: int = 3) -> str:
    """Our own markdown (a page, a PDF) placed under a level-``under`` heading of a digest.

    Its headings move down so its top level sits one below ``under`` (a PDF's ``# 1 Overview``
    must not become an H1 of the bundle); levels past 6 become bold lines. Its YAML front matter,
    which a markdown reader would take for a setext heading, becomes a fenced ``yaml`` block.
    Nothing inside code fences is touched.
    """
    head, lines = _front_matter_as_yaml(text.split("\n"))
    levels = [len(h.group(1)) for line, code in _fenced(lines) if not code and (h := _ATX.match(line))]
    shift = max(0, under + 1 - min(levels)) if levels else 0
    out: list[str] = []
    for line, code in _fenced(lines):
        if not code and shift and (h := _ATX.match(line)):
            level = len(h.group(1)) + shift
            title = h.group(2).strip()
            line = f"{'#' * level} {title}" if level <= 6 else f"**{title}**"
        out.append(line)
    return "\n".join([*head, *([""] if head else []), *out])


def _front_matter_as_yaml(lines: list[str]) -> tuple[list[str], list[str]]:
    """(a leading ``---`` front matter as a fenced ``yaml`` block, the lines after it)."""
    if not lines or lines[0] != "---":
        return [], lines
    end = next((i for i in range(1, len(lines)) if lines[i] == "---"), None)
    if end is None:
        return [], lines
    rest = lines[end + 1 :]
    while rest and not rest[0].strip():
        rest.pop(0)
    return ["```yaml", *lines[1:end], "```"], rest


def _fenced(lines: list[str]) -> Iterator[tuple[str, bool]]:
    """Each line, and whether it is code: a fence line or inside a fenced block."""
    fence: str | None = None
    for line in lines:
        m = _FENCE_LINE.match(line)
        if m:
            fence = None if fence and m.group(1).startswith(fence) else (fence or m.group(1))
            yield line, True
        else:
            yield line, fence is not None


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def code_span(text: str) -> str:
    """``text`` as inline code that survives backticks and newlines in file names."""
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    ticks = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (ticks + 1)
    pad = " " if ticks or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _single(bundle: Bundle) -> bool:
    return bundle.kind in ("page", "pdf", "actions") and len(bundle.documents) == 1


# ---------------------------------------------------------------------------------------------- formats
def _markdown(bundle: Bundle, top: int, token_tree: bool, part: tuple[int, int] | None = None,
              docs: list[Document] | None = None, head: bool = True) -> Iterator[str]:
    if _single(bundle) and part is None:
        yield bundle.documents[0].content
        return
    docs = bundle.documents if docs is None else docs
    title = f"# {_root_name(bundle)}" + (f" (part {part[0]} of {part[1]})" if part else "")
    yield title + "\n\n"
    if head:
        yield from _markdown_head(bundle, top, token_tree)
    yield "## Files\n\n"
    for doc in docs:
        yield from _markdown_file(doc)
    if head:
        yield from _markdown_history(bundle)


def _markdown_head(bundle: Bundle, top: int, token_tree: bool) -> Iterator[str]:
    """Summary, top files, directory tree, what was skipped or redacted: part 1 of a digest."""
    yield "\n".join(summary_lines(bundle, top)) + "\n\n"
    tops = _top(bundle, top)
    if tops:
        yield f"## Top {len(tops)} files by tokens\n\n| File | Tokens |\n| --- | ---: |\n"
        yield "".join(f"| {_cell(code_span(d.path))} | {_fmt_tokens(d.tokens)} |\n" for d in tops) + "\n"
    tokens = {d.path: d.tokens for d in bundle.documents} if token_tree else None
    tree = "\n".join(tree_lines(tree_paths(bundle), _root_name(bundle), tokens))
    yield f"## Directory tree\n\n{fence_for(tree)}text\n{tree}\n{fence_for(tree)}\n\n"
    if bundle.skipped:
        yield "## Skipped\n\n" + skipped_list(bundle.skipped, "- `{path}`: {reason}") + "\n"
    if bundle.redactions:
        yield "## Redacted secrets\n\n" + "".join(f"- `{r.path}` line {r.line}: {r.kind}\n" for r in bundle.redactions) + "\n"


def _markdown_file(doc: Document) -> Iterator[str]:
    yield f"### {code_span(doc.path)}\n\n"
    if inline_markdown(doc):
        yield embed_markdown(doc.content).rstrip("\n") + "\n\n"
        return
    fence = fence_for(doc.content)
    # the content is yielded as it is, not formatted into a new string: no copy of every file
    yield f"{fence}{doc.language or ''}\n"
    yield doc.content
    yield f"\n{fence}\n\n" if doc.content and not doc.content.endswith("\n") else f"{fence}\n\n"


def _markdown_history(bundle: Bundle) -> Iterator[str]:
    """``--git-log`` and ``--diff``: after the files."""
    changes = f"Changes {bundle.metadata['diff_ref']}" if bundle.metadata.get("diff_ref") else "Uncommitted changes"
    for key, heading, lang in (("git_log", "Recent commits", "text"), ("diff", changes, "diff")):
        if bundle.metadata.get(key):
            text = bundle.metadata[key]
            fence = fence_for(text)
            yield f"## {heading}\n\n{fence}{lang}\n{text.rstrip()}\n{fence}\n\n"


# what XML 1.0 cannot carry at all: C0 controls but tab, newline and carriage return; U+FFFE/FFFF
_XML_BAD_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))
_XML_BAD_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone surrogates (broken file names, JSON escapes)


def _xml_text(text: str) -> str:
    """Escape for XML 1.0 and drop the characters it cannot carry at all (form feed, NUL...)."""
    # bytes.translate on ASCII text (most files) and one regex otherwise: str.translate with a
    # map, and a Python loop looking for surrogates, were 0.4 s and 1.4 s of a stdlib digest
    if text.isascii():
        raw = text.encode("ascii")
        kept = raw.translate(None, _XML_BAD_BYTES)
        if len(kept) != len(raw):
            text = kept.decode("ascii")
    else:
        text = _XML_BAD_RE.sub("", text)
        if _SURROGATE.search(text):
            text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: object) -> str:
    # imported here, not at the top: it imports urllib, http and email (~15 ms of every run)
    from xml.sax.saxutils import quoteattr

    return quoteattr(_xml_text(str(value)).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def _xml(bundle: Bundle, top: int, token_tree: bool, part: tuple[int, int] | None = None,
         docs: list[Document] | None = None, head: bool = True) -> Iterator[str]:
    md = bundle.metadata
    docs = bundle.documents if docs is None else docs
    attrs = {"source": bundle.source, "kind": bundle.kind, "files": len(bundle.documents),
             "tokens": bundle.total_tokens, "encoding": bundle.encoding}
    attrs.update({key: md[key] for key in ("ref", "commit") if md.get(key)})
    if part:
        attrs["part"] = f"{part[0]}/{part[1]}"
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield "<digest " + " ".join(f"{k}={_attr(v)}" for k, v in attrs.items()) + ">\n"
    if head:
        yield from _xml_head(bundle, top, token_tree)
    yield "<files>\n"
    for doc in docs:
        extra = f" language={_attr(doc.language)}" if doc.language else ""
        extra += ' truncated="true"' if doc.truncated else ""
        yield f"<file path={_attr(doc.path)} tokens=\"{doc.tokens}\"{extra}>\n{_xml_text(doc.content)}\n</file>\n"
    yield "</files>\n"
    if head:
        yield from _xml_tail(bundle)
    yield "</digest>\n"


def _xml_head(bundle: Bundle, top: int, token_tree: bool) -> Iterator[str]:
    yield "<summary>\n" + _xml_text("\n".join(summary_lines(bundle, top))) + "\n</summary>\n"
    tops = _top(bundle, top)
    if tops:
        yield "<top_files>\n" + "".join(f"<file path={_attr(d.path)} tokens=\"{d.tokens}\"/>\n" for d in tops) + "</top_files>\n"
    tokens = {d.path: d.tokens for d in bundle.documents} if token_tree else None
    tree = "\n".join(tree_lines(tree_paths(bundle), _root_name(bundle), tokens))
    yield f"<directory_structure>\n{_xml_text(tree)}\n</directory_structure>\n"


def _xml_tail(bundle: Bundle) -> Iterator[str]:
    """What was skipped or redacted, ``--git-log`` and ``--diff``: after the files."""
    if bundle.skipped:
        yield "<skipped>\n" + "".join(f"<file path={_attr(s.path)} reason={_attr(s.reason)}/>\n" for s in bundle.skipped) + "</skipped>\n"
    if bundle.redactions:
        yield "<redactions>\n" + "".join(
            f"<secret path={_attr(r.path)} line=\"{r.line}\" kind={_attr(r.kind)}/>\n" for r in bundle.redactions) + "</redactions>\n"
    for key in ("git_log", "diff"):
        if bundle.metadata.get(key):
            yield f"<{key}>\n{_xml_text(bundle.metadata[key])}\n</{key}>\n"


_SEP = "=" * 48


def _plain(bundle: Bundle, top: int, token_tree: bool, part: tuple[int, int] | None = None,
           docs: list[Document] | None = None, head: bool = True) -> Iterator[str]:
    """gitingest's layout: summary, 'Directory structure:', then FILE blocks between ==== rules."""
    if _single(bundle) and part is None:
        yield bundle.documents[0].content
        return
    docs = bundle.documents if docs is None else docs
    md = bundle.metadata
    if head:
        yield from _plain_head(bundle, top, token_tree, part)
    elif part:
        yield f"Repository: {bundle.source}\nPart: {part[0]} of {part[1]}\n\n"
    for doc in docs:
        yield f"{_SEP}\nFILE: {doc.path}\n{_SEP}\n{doc.content}"
        yield "\n\n" if doc.content.endswith("\n") else "\n\n\n"
    if head:
        changes = f"CHANGES {md['diff_ref']}" if md.get("diff_ref") else "UNCOMMITTED CHANGES"
        for key, heading in (("git_log", "RECENT COMMITS"), ("diff", changes)):
            if md.get(key):
                yield f"{_SEP}\n{heading}\n{_SEP}\n{md[key].rstrip()}\n\n"


def _plain_head(bundle: Bundle, top: int, token_tree: bool, part: tuple[int, int] | None) -> Iterator[str]:
    """gitingest's summary block, the tree, then our budget, top files, skips and redactions."""
    md = bundle.metadata
    lines = [f"Repository: {bundle.source}"]
    for key, label in (("commit", "Commit"), ("ref", "Branch"), ("subpath", "Subpath")):
        if md.get(key):
            lines.append(f"{label}: {md[key]}")
    lines.append(f"Files analyzed: {len(bundle.documents)}")
    lines.append(f"Estimated tokens: {bundle.total_tokens:,}")
    if part:
        lines.append(f"Part: {part[0]} of {part[1]}")
    yield "\n".join(lines) + "\n\n"
    tokens = {d.path: d.tokens for d in bundle.documents} if token_tree else None
    tree = tree_lines(tree_paths(bundle), _root_name(bundle), tokens)
    yield "Directory structure:\n" + "\n".join("└── " + tree[0] if i == 0 else "    " + line
                                               for i, line in enumerate(tree)) + "\n\n"
    if md.get("budget"):
        yield f"Budget: {md['budget']}\n\n"
    tops = _top(bundle, top)
    if tops:
        yield "Top files by tokens:\n" + "".join(f"  {d.tokens:>9,}  {d.path}\n" for d in tops) + "\n"
    if bundle.skipped:
        yield "Skipped:\n" + skipped_list(bundle.skipped, "- {path}: {reason}") + "\n"
    if bundle.redactions:
        yield "Redacted secrets:\n" + "".join(f"- {r.path} line {r.line}: {r.kind}\n" for r in bundle.redactions) + "\n"


def _json(bundle: Bundle, top: int, token_tree: bool, part: tuple[int, int] | None = None,
          docs: list[Document] | None = None, head: bool = True) -> Iterator[str]:
    data = bundle.to_dict()
    if docs is not None:
        data["documents"] = [d.to_dict() for d in docs]
    if part:
        data["part"] = {"index": part[0], "of": part[1]}
    if bundle.kind == "repo" and head:
        data["tree"] = "\n".join(tree_lines(tree_paths(bundle), _root_name(bundle)))
        data["top_files"] = [{"path": d.path, "tokens": d.tokens} for d in _top(bundle, top)]
    yield json_text(data)


def json_text(data: object, *, sort_keys: bool = False) -> str:
    """The one JSON dump every edge writes: two-space indent, UTF-8 kept, a final newline.

    ``render(bundle, "json")`` keeps the Bundle's field order; the ``page`` and ``pdf`` commands
    have always sorted the keys of ``Bundle.to_dict()`` (:func:`bundle_json`), and keep doing so.
    """
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=sort_keys) + "\n"


def bundle_json(bundle: Bundle) -> str:
    """``Bundle.to_dict()`` with sorted keys: what ``llmingest page|pdf --format json`` print."""
    return json_text(bundle.to_dict(), sort_keys=True)


_RENDERERS = {"markdown": _markdown, "xml": _xml, "plain": _plain, "json": _json}


def render_chunks(bundle: Bundle, fmt: str = "markdown", *, top: int = 10, token_tree: bool = False) -> Iterator[str]:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise UsageError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}") from None
    return renderer(bundle, top, token_tree)


def render(bundle: Bundle, fmt: str = "markdown", *, top: int = 10, token_tree: bool = False) -> str:
    return "".join(render_chunks(bundle, fmt, top=top, token_tree=token_tree))


# ---------------------------------------------------------------------------------------------- split
def part_path(output: Path, index: int, total: int) -> Path:
    """``out.3.md``; numbers are zero-padded to the width of the last one (``out.03.md`` of 12), so
    a plain name sort (``ls``, globbing, ``cat out.*.md``) keeps the parts in order."""
    suffix = output.suffix or ".md"
    return output.with_name(f"{output.stem}.{index:0{len(str(total))}d}{suffix}")


def split_parts(bundle: Bundle, fmt: str, max_tokens: int, output: Path, *, top: int = 10,
                token_tree: bool = False) -> Iterator[tuple[Path, Iterator[str]]]:
    """Numbered parts that each fit ``max_tokens``; part 1 carries the summary and tree.

    A file too large for one part is cut at line ends into pieces marked ``(piece k of m)``, so
    nothing is lost. Each part is counted after rendering; the budget per part leaves room for
    headers, and a part that would still overflow is re-packed with a smaller budget.
    """
    from llmingest.render.budget import pack_parts
    from llmingest.tokens import count

    if max_tokens < 200:
        raise UsageError("--split-tokens must be at least 200")
    head_tokens = count("".join(_RENDERERS[fmt](bundle, top, token_tree, (2, 2), [], False)), bundle.encoding)
    head_full = count("".join(_RENDERERS[fmt](bundle, top, token_tree, (1, 1), [], True)), bundle.encoding)

    def render_part(i: int, total: int, docs: list[Document]) -> str:
        return "".join(_RENDERERS[fmt](bundle, top, token_tree, (i + 1, total), docs, i == 0))

    texts = pack_parts(bundle.documents, max_tokens, bundle.encoding, render_part, first_head=head_full,
                       head=head_tokens, per_doc=40, min_room=41,
                       too_small=f"--split-tokens {max_tokens} is too small for the summary and tree ({head_full:,} tokens)")
    for i, text in enumerate(texts):
        yield part_path(output, i + 1, len(texts)), iter([text])
