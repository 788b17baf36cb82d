"""llms.txt in and out (https://llmstxt.org): build, parse, validate, and one-line descriptions.

Pure text functions shared by ``llmingest site``, ``llmingest llmstxt`` and the MkDocs/Sphinx
plugins, so every llms.txt this project writes has the same shape. What we write is also shaped
for the reference parser in the ``llms-txt`` package, which is stricter than the spec: it crashes
on prose or H3s under an H2, on a ``]`` inside a link title, and on a file with only a title; it
reads only the first line of a blockquote; and without a paragraph after the blockquote it takes
the summary for the "info" text. :func:`build_llms_txt` avoids all of these and :func:`validate`
reports them.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

__all__ = [
    "Entry",
    "Section",
    "Problem",
    "OPTIONAL",
    "build_llms_txt",
    "build_llms_full",
    "mirror_path",
    "parse",
    "check",
    "validate",
    "first_sentence",
]

OPTIONAL = "Optional"


@dataclass
class Entry:
    """One ``- [Title](url): description`` line."""

    title: str
    url: str
    description: str | None = None


@dataclass
class Section:
    """An H2 and its entries; a Section named "Optional" is the spec's skippable one."""

    name: str
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """A lint finding: ``level`` is "error" (spec or reference parser breaks) or "warning"."""

    line: int
    level: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.message}"


# ---------------------------------------------------------------------------------------------
# writing


def _one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _link_title(text: str) -> str:
    # the reference parser's title pattern is [^\]]+ : brackets would end the title early
    title = _one_line(text).replace("[", "(").replace("]", ")")
    return title or "Untitled"


def _link_url(url: str) -> str:
    # the reference parser's URL pattern is [^\)]+ ; markdown ends a link at a space or ")"
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _heading(text: str) -> str:
    return _one_line(text).lstrip("#").strip() or "Untitled"


def build_llms_txt(title: str, summary: str | None, sections: list[Section], details: str | None = None) -> str:
    """The llms.txt text: H1, blockquote summary, details paragraph, one H2 per section.

    Empty sections are dropped and "Optional" always comes last (the spec's reading order: what
    can be skipped is at the end). ``details`` defaults to a one-line description of the file,
    because the reference parser needs a paragraph after the blockquote to read the summary.

    >>> print(build_llms_txt("Demo", "A demo.", [Section("Docs", [Entry("Intro", "https://d/intro/", "Start.")])]))
    # Demo
    <BLANKLINE>
    > A demo.
    <BLANKLINE>
    1 page in 1 section.
    <BLANKLINE>
    ## Docs
    <BLANKLINE>
    - [Intro](https://d/intro/): Start.
    <BLANKLINE>
    """
    kept = [s for s in sections if s.entries]
    kept = [s for s in kept if s.name != OPTIONAL] + [s for s in kept if s.name == OPTIONAL]
    out = [f"# {_heading(title)}", ""]
    summary = _one_line(summary)
    if summary:
        out += [f"> {summary}", ""]
    if details is None:
        details = _default_details(kept)
    details = "\n".join(line.rstrip() for line in details.strip().splitlines() if not line.lstrip().startswith("#"))
    if details:
        out += [details, ""]
    return "\n".join(out + _section_lines(kept))


def _default_details(kept: list[Section]) -> str:
    """"N pages in M sections." (and that Optional can be skipped, when there is one)."""
    pages = sum(len(s.entries) for s in kept)
    details = f"{pages} page{'s' if pages != 1 else ''} in {len(kept)} section{'s' if len(kept) != 1 else ''}."
    if any(s.name == OPTIONAL for s in kept):
        details += " The Optional section can be skipped when a shorter context is needed."
    return details


def _section_lines(kept: list[Section]) -> list[str]:
    """One H2 per section, names made unique (the reference parser keeps one section per name), and
    one link line per entry."""
    out: list[str] = []
    seen: set[str] = set()
    for section in kept:
        name = _heading(section.name)
        while name in seen:  # the reference parser keeps one section per name
            name += " (more)"
        seen.add(name)
        out += [f"## {name}", ""]
        for e in section.entries:
            line = f"- [{_link_title(e.title)}]({_link_url(e.url)})"
            desc = _one_line(e.description)
            if desc:
                line += f": {desc}"
            out.append(line)
        out.append("")
    return out


def _strip_leading_title(markdown: str, title: str) -> str:
    text = markdown.lstrip("\n")
    m = re.match(r"#[ \t]+(.+?)[ \t#]*\n", text + "\n")
    if m and _one_line(m.group(1)) == _one_line(title):
        return text[m.end():].lstrip("\n")
    return text


def build_llms_full(title: str, summary: str | None, pages: list[tuple[str, str, str]]) -> str:
    """Every page in the order given: ``# Page title``, ``Source: url``, then its markdown.

    A page whose markdown already opens with its title as H1 keeps one copy of it.

    >>> print(build_llms_full("Demo", None, [("Intro", "https://d/intro/", "# Intro\\n\\nHello.")]))
    # Demo
    <BLANKLINE>
    # Intro
    <BLANKLINE>
    Source: https://d/intro/
    <BLANKLINE>
    Hello.
    <BLANKLINE>
    """
    return "".join(iter_llms_full(title, summary, pages))


def iter_llms_full(title: str, summary: str | None, pages: Iterable[tuple[str, str, str]]) -> Iterator[str]:
    """:func:`build_llms_full` in pieces (its text is exactly their concatenation): a site's
    llms-full.txt can be tens of MB, written and hashed piece by piece, never held whole."""
    head = [f"# {_heading(title)}", ""]
    summary = _one_line(summary)
    if summary:
        head += [f"> {summary}", ""]
    yield "\n".join(head)
    for page_title, url, markdown in pages:
        body = _strip_leading_title(markdown, page_title).rstrip()
        part = [f"# {_heading(page_title)}", "", f"Source: {url}", ""]
        if body:
            part += [body, ""]
        yield "\n" + "\n".join(part)


_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx")


#: a path segment longer than this (UTF-8 bytes) is shortened and hashed: file systems stop at 255
_MAX_SEGMENT = 180
#: a whole mirror path longer than this is moved to ``_long/<hash>.md`` (PATH_MAX, manifest lines)
_MAX_PATH = 800


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def _safe_segment(seg: str) -> str:
    """One path segment a file system takes: control and line-break characters (NUL, newline,
    U+2028...) replaced, over-long names shortened; both get a hash of the original, so two
    different hostile names never land on one file."""
    clean = "".join(c if c.isprintable() or c == " " else "_" for c in seg)
    if clean != seg:
        clean = f"{clean}-{_digest(seg, 8)}"
    if len(clean.encode("utf-8", "surrogatepass")) > _MAX_SEGMENT:
        head = clean.encode("utf-8", "surrogatepass")[:100].decode("utf-8", "ignore")
        clean = f"{head}-{_digest(seg, 16)}"
    return clean


def mirror_path(url_path: str) -> str:
    """Where the .md mirror of the page at ``url_path`` goes, relative to the output folder.

    ``/guide/install/`` and ``/guide/install/index.html`` -> ``guide/install/index.md``;
    ``/guide/install.html`` -> ``guide/install.md``; ``/`` -> ``index.md``. Query and fragment are
    ignored and ``..`` segments dropped, so a hostile URL can never write outside the folder;
    control characters (``%00``, ``%0A``) are replaced and over-long names hashed, so it can
    never name a file the file system refuses (or a second line in the stale-file manifest).

    >>> mirror_path("/guide/install/"), mirror_path("/guide/install.html"), mirror_path("/")
    ('guide/install/index.md', 'guide/install.md', 'index.md')
    """
    path = urlsplit(url_path).path if "://" in url_path else url_path.split("#")[0].split("?")[0]
    raw = unquote(path)
    parts = [p for p in raw.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not parts or raw.endswith("/"):
        parts.append("index.md")
    else:
        stem, ext = posixpath.splitext(parts[-1])
        low = ext.lower()
        if low in _HTML_SUFFIXES:
            parts[-1] = (stem or "index") + ".md"
        elif low in (".md", ".markdown"):
            parts[-1] = stem + ".md"
        else:
            parts[-1] = parts[-1] + ".md"
    leaf = parts[-1][:-3]
    parts = [_safe_segment(p) for p in parts[:-1]] + [_safe_segment(leaf) + ".md"]
    out = "/".join(parts)
    if len(out.encode("utf-8", "surrogatepass")) > _MAX_PATH:
        out = f"_long/{_digest(raw, 16)}.md"
    return out


# ---------------------------------------------------------------------------------------------
# reading

_H = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_H_EMPTY = re.compile(r"^(#{1,6})[ \t]*$")
_LINK_ITEM = re.compile(r"^[-*+][ \t]*\[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)(?:[ \t]*:[ \t]*(?P<desc>.*))?[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")


@dataclass
class _Reading:
    """What :func:`parse` has read so far: the title, the blockquote summary, the info prose before the
    first H2 and the sections' entries."""

    title: str | None = None
    summary_lines: list[str] = field(default_factory=list)
    info_lines: list[str] = field(default_factory=list)
    sections: dict[str, list[Entry]] = field(default_factory=dict)
    current: str | None = None  # the H2 section being read (None: still in the header)
    in_fence: bool = False
    summary_done: bool = False

    def header_line(self, line: str) -> None:
        """A line between the H1 and the first H2: the blockquote summary, then info prose."""
        if self.title is None:
            return
        stripped = line.strip()
        if not self.summary_done and not self.info_lines and stripped.startswith(">"):
            self.summary_lines.append(stripped.lstrip(">").strip())
            return
        if self.summary_lines and not stripped and not self.summary_done:
            self.summary_done = True
            return
        if stripped or self.info_lines:
            self.summary_done = True
            self.info_lines.append(line.rstrip())

    def line(self, line: str) -> None:
        """One line: a fence, the H1, an H2, header prose, or a section's list item."""
        if _FENCE.match(line):
            self.in_fence = not self.in_fence
            if self.current is None and self.title is not None:
                self.info_lines.append(line)
            return
        m = None if self.in_fence else _H.match(line.strip())
        if m and len(m.group(1)) == 1 and self.title is None and self.current is None:
            self.title = m.group(2).strip()
            return
        if m and len(m.group(1)) == 2:
            self.current = m.group(2).strip()
            self.sections.setdefault(self.current, [])
            return
        if self.current is None:
            self.header_line(line)
            return
        li = _LINK_ITEM.match(line.strip())
        if li and not self.in_fence:
            desc = (li.group("desc") or "").strip() or None
            self.sections[self.current].append(Entry(li.group("title").strip(), li.group("url").strip(), desc))


def parse(text: str) -> dict:
    """Read an llms.txt leniently: ``{"title", "summary", "info", "sections": {name: [Entry]}}``.

    Unlike the reference parser this never raises: a multi-line blockquote is joined, list items
    anywhere in a section (also under an H3) become entries, other prose is ignored (``validate``
    reports it).

    >>> parse("# T\\n\\n> S\\n\\n## Docs\\n\\n- [A](https://a/): d\\n")["sections"]["Docs"][0].url
    'https://a/'
    """
    reading = _Reading()
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        reading.line(line)
    return {
        "title": reading.title,
        "summary": " ".join(s for s in reading.summary_lines if s) or None,
        "info": "\n".join(reading.info_lines).strip() or None,
        "sections": reading.sections,
    }


def check(text: str) -> list[Problem]:
    """All findings, errors and warnings, in line order (see :func:`validate`).

    One pass over the lines (:class:`_Scan`, one named check per kind of line), then the checks
    that need the whole file (:func:`_whole_file_checks`).
    """
    if not text.strip():
        return [Problem(0, "error", "the file is empty (llms.txt needs at least an H1 title)")]
    scan = _Scan.start(text)
    for i, raw in enumerate(scan.lines, start=1):
        scan.line(i, raw)
    _whole_file_checks(scan)
    scan.problems.sort(key=lambda p: (p.line, p.level, p.message))
    return scan.problems


@dataclass
class _Scan:
    """Where :func:`check` is in the file: the section it is in, what it has seen so far."""

    lines: list[str]
    first: int  # index of the first non-blank line (the title's)
    title_ok: bool  # the first line is an H1
    problems: list[Problem] = field(default_factory=list)
    section: str | None = None
    section_line: int = 0
    section_names: dict[str, int] = field(default_factory=dict)
    in_fence: bool = False
    quote_lines: list[int] = field(default_factory=list)
    header_para_after_quote: bool = False
    entries: int = 0
    section_entries: int = 0

    @classmethod
    def start(cls, text: str) -> _Scan:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        first = next(i for i, line in enumerate(lines) if line.strip())
        m = _H.match(lines[first].strip())
        scan = cls(lines, first, bool(m and len(m.group(1)) == 1))
        if not scan.title_ok:
            scan.err(first + 1, "the file must start with an H1 title ('# Project name')")
        return scan

    def err(self, line: int, msg: str) -> None:
        self.problems.append(Problem(line, "error", msg))

    def warn(self, line: int, msg: str) -> None:
        self.problems.append(Problem(line, "warning", msg))

    def line(self, i: int, raw: str) -> None:
        """Check line ``i``: a fence, a heading, the header (title, summary, info), or a section line."""
        line = raw.strip()
        if _FENCE.match(raw):
            self.fence(i)
        elif self.in_fence:
            return
        elif h := (_H.match(line) or _H_EMPTY.match(line)):
            self.heading(i, h)
        elif self.section is None:
            self.header_line(i, line)
        elif not line:
            return
        elif line.startswith(("-", "*", "+")) and "[" in line:
            self.link_item(i, line)
        else:
            self.section_prose(i, raw)

    def fence(self, i: int) -> None:
        self.in_fence = not self.in_fence
        if self.section is not None:
            self.err(i, f"code block under '## {self.section}': sections may only hold link lists")

    def heading(self, i: int, h: re.Match[str]) -> None:
        level = len(h.group(1))
        name = h.group(2).strip() if h.re is _H else ""
        if i == self.first + 1 and level == 1:
            return
        if level == 1:
            self.err(i, "a second H1: llms.txt has exactly one H1, the project name")
        elif level == 2:
            self.new_section(i, name)
        else:
            where = f"inside '## {self.section}'" if self.section else "before the first H2"
            self.err(i, f"H{level} heading {where}: llms.txt allows only H1 and H2 headings "
                        "(the reference parser reads it as a new section)")

    def new_section(self, i: int, name: str) -> None:
        self.close_section()
        if not name:
            self.err(i, "an H2 without a name")
        if name in self.section_names:
            self.err(i, f"section '## {name}' appears twice (line {self.section_names[name]}); "
                        "the reference parser keeps only the last")
        self.section_names.setdefault(name, i)
        self.section, self.section_line, self.section_entries = name, i, 0

    def close_section(self) -> None:
        if self.section is not None and self.section_entries == 0:
            self.warn(self.section_line, f"section '## {self.section}' has no links")

    def header_line(self, i: int, line: str) -> None:
        """A line between the title and the first H2: the one-line summary, then info paragraphs."""
        if i <= self.first + 1 or not line:
            return
        if not line.startswith(">"):
            self.header_para_after_quote = True
        elif self.quote_lines and self.quote_lines[-1] == i - 1:
            self.quote_lines.append(i)
        elif not self.quote_lines and not self.header_para_after_quote:
            self.quote_lines.append(i)
        else:
            self.warn(i, "another blockquote after the summary: only the first is the summary")

    def link_item(self, i: int, line: str) -> None:
        li = _LINK_ITEM.match(line)
        if li is None:
            self.err(i, _bad_link_item(line))
            return
        self.entries += 1
        self.section_entries += 1
        url = li.group("url")
        if not re.match(r"^(https?://|/|\./|\.\./|[A-Za-z0-9_.-]+)", url):
            self.warn(i, f"unusual link target {url!r}")

    def section_prose(self, i: int, raw: str) -> None:
        if raw.startswith((" ", "\t")) and self.section_entries:
            self.err(i, f"an indented line under '## {self.section}': the reference parser reads every line as a link")
        else:
            self.err(i, f"prose under '## {self.section}': sections may only hold '- [Title](url): description' lines")


def _bad_link_item(line: str) -> str:
    """Why a list item with a '[' is not a link line the reference parser reads."""
    if re.match(r"^[-*+][ \t]*\[[^\]]*\][^(]*\]\(", line) or re.match(r"^[-*+][ \t]*\[[^\]]*\[", line):
        return "a ']' or '[' inside a link title: the reference parser cuts the title there"
    if re.match(r"^[-*+][ \t]*\[[^\]]+\]\([^)]*\s[^)]*\)", line):
        return "a space inside a link URL: write it as %20"
    return "a list item that is not '- [Title](url)' or '- [Title](url): description'"


def _whole_file_checks(scan: _Scan) -> None:
    """What only the end of the file can tell: the last section, an open fence, the summary."""
    scan.close_section()
    if scan.in_fence:
        scan.err(len(scan.lines), "a code block is never closed")
    quotes, title = scan.quote_lines, scan.first + 1
    if len(quotes) > 1:
        scan.err(quotes[0], f"the summary blockquote spans {len(quotes)} lines: "
                            "the reference parser reads only the first; put it on one line")
    if quotes and not scan.header_para_after_quote:
        scan.warn(quotes[0], "no paragraph after the summary: the reference parser then reads the summary "
                             "as 'info' and reports no summary")
    if scan.title_ok and not quotes and not scan.header_para_after_quote and not scan.section_names:
        scan.err(title, "only a title: the reference parser needs a summary, a paragraph or a section after it")
    if not quotes:
        scan.warn(title, "no '> summary' blockquote after the title")
    if not scan.entries and scan.section_names:
        scan.warn(0, "no links in any section")


def validate(text: str) -> list[str]:
    """Human-readable problems that break the llmstxt.org format or the reference parser; [] if valid.

    Checks: one H1 first; the blockquote summary on one line; no headings other than H1/H2;
    sections hold only ``- [Title](url): description`` lines (no prose, no H3, no code, no ``]``
    in titles, no spaces in URLs); no duplicate section names. Warnings (see :func:`check`) are
    not included.

    >>> validate("# T\\n\\n> S\\n\\nInfo.\\n\\n## Docs\\n\\n- [A](https://a/): d\\n")
    []
    >>> validate("# T\\n\\n## Docs\\n\\nSome prose.\\n")
    ["line 5: prose under '## Docs': sections may only hold '- [Title](url): description' lines"]
    """
    return [str(p) for p in check(text) if p.level == "error"]


# ---------------------------------------------------------------------------------------------
# descriptions

_SKIP_LINE = re.compile(
    r"^(#{1,6}\s|```|~~~|\||!\[|<|>\s*\*\*|[-*_]{3,}\s*$|\[!\w+\]|:::|=+\s*$|-+\s*$|\s*[-*+]\s|\s*\d+[.)]\s)"
)
#: Opening lines that describe nothing: a short "Label: value" field (Sphinx's "Source code:",
#: field lists' "Author:"/"Release:"/"Date:") and version notes ("New in version 3.2.",
#: "Changed in version", "Deprecated since version", "Added in version").
_NOT_PROSE = re.compile(
    r"^(?:[A-Z][\w -]{0,24}:\s*\S+(?:\s+\S+){0,5}\s*$"
    r"|(?:new|added|changed|deprecated|removed)\s+(?:in|since)\s+(?:version\s+)?\d)",
    re.I)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(\[`])")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d+[.)])\s")
#: Abbreviations a period follows without ending the sentence ("incl. Markdown ones"). Single
#: capitals are not among them: "in C. Such modules" ends a sentence more often than an initial does.
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|etc|incl|vs|cf|approx|esp|resp|ca|no|nos|fig|figs|eq|sec|ch|vol|dr|mr|mrs|ms|prof|st)\.$", re.I)


def _plain(text: str) -> str:
    text = _MD_IMAGE.sub("", text)  # images first: "[![alt](img)](link)" is a button, not words
    text = _MD_LINK.sub(r"\1", text)
    spans: list[str] = []

    def keep(m: re.Match) -> str:  # code spans are literal: their "<a href>" or "*" is not markup
        spans.append(m.group(1))
        return f"\x00{len(spans) - 1}\x00"

    text = re.sub(r"`([^`]*)`", keep, text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\S)__(\S.*?\S)__(?!\S)", r"\1", text)  # not dunder names: "Lib/json/__init__.py"
    text = re.sub(r"(?<![\w*])([*_])(?![\s_*])(.+?)(?<![\s_*])\1(?![\w*])", r"\2", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)
    return _one_line(text)


def _without_front_matter(text: str) -> str:
    """The page after its ``---`` YAML front matter, if it has one."""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[end + 4:]
    return text


def _first_paragraph(text: str) -> list[str]:
    """The plain-text lines of the page's first prose paragraph (none when it has no prose)."""
    para: list[str] = []
    in_fence = in_list = False
    for raw in text.split("\n"):
        line = raw.strip()
        if in_list:
            if line and not _LIST_ITEM.match(line):
                continue  # an item's wrapped text (indented or lazy, right below it) is not prose
            in_list = False  # a blank line ends the item's text; an indented body below may be prose
        if _FENCE.match(raw):
            in_fence = not in_fence
            if para:
                break
            continue
        if in_fence:
            continue
        if not line:
            if para:
                break
            continue
        if raw.startswith(("    ", "\t")) and not para:
            continue
        if _SKIP_LINE.match(line) or line.startswith(">"):
            if para:
                break
            in_list = bool(_LIST_ITEM.match(line))
            continue
        plain = _plain(line)
        if not plain or not re.search(r"[A-Za-z]{2}", plain):
            if para:
                break
            continue
        if not para and _NOT_PROSE.match(plain):
            continue  # a field line ("Source code: Lib/json/__init__.py", "Author: ...") or a version note
        para.append(plain)
    return para


def _opening_sentence(prose: str) -> str:
    """The first sentence of at least 40 chars ("Welcome!" alone says nothing), past abbreviations."""
    sentence = prose
    for m in _SENTENCE_END.finditer(prose):
        if _ABBREVIATION.search(prose[: m.start()].rstrip("\"')]")):
            continue
        if m.start() + 1 >= 40:  # "Welcome!" alone says nothing; take sentences up to a useful length
            sentence = prose[: m.start() + 1].rstrip()
            break
    sentence = sentence.rstrip(":").strip()
    return re.sub(r"(?<=[.!?])\s+More(?:\.\.\.|…)$", "", sentence)  # Doxygen's brief "More..." link


def _clip(sentence: str, limit: int) -> str:
    """At most ``limit`` chars: cut at a word in the second half, with an ellipsis."""
    if len(sentence) > limit:
        cut = sentence[: max(1, limit - 1)]
        if " " in cut[limit // 2:]:
            cut = cut[: cut.rfind(" ")]
        sentence = cut.rstrip(" ,;:") + "…"
    return sentence


def first_sentence(markdown: str, limit: int = 160) -> str:
    """A one-line description of a page: its first prose sentence, plain text, at most ``limit`` chars.

    Headings, code, tables, lists, images, admonition labels and front matter are skipped; very
    short opening sentences ("Welcome!") are joined with the next ones up to about 40 chars; a
    sentence longer than ``limit`` is cut at a word and ends with an ellipsis. "" when the page
    has no prose.

    >>> first_sentence("---\\ntitle: X\\n---\\n# Install\\n\\nRun **pip install x** to get the tool installed. Then go.")
    'Run pip install x to get the tool installed.'
    """
    para = _first_paragraph(_without_front_matter(markdown.replace("\r\n", "\n")))
    if not para:
        return ""
    return _clip(_opening_sentence(" ".join(para)), limit)
