"""Build PDF/markdown twins of generator families other than Texinfo into benchmarks/.work/twins/.

The shared twin set (``shared/corpora/pdf-twins``) is four R manuals, all Texinfo. Rules tuned on
them alone would memorise Texinfo; these twins come from other generators, same text twice:

* ``doc11-sphinx-click-a`` / ``doc12-sphinx-click-b``: Click 8.1.7's documentation (PyPI sdist), built by
  Sphinx (system ``python3 -m sphinx``) to LaTeX -> PDF (``latexmk``, sphinxmanual class) and to
  single-page HTML -> GitHub markdown (``pandoc``), external links kept as the PDF keeps them. Part a
  is for work, part b for validation.
* ``doc13-pandoc-attrs-a`` / ``doc14-pandoc-attrs-b``: attrs 23.2.0's Markdown docs (PyPI sdist) through
  pandoc -> LaTeX article class (numbered sections) -> PDF; ground truth is the same Markdown
  through pandoc -> GitHub markdown.
* ``doc15-office-attrs-a`` / ``doc16-office-attrs-b``: other attrs pages through pandoc -> .docx ->
  LibreOffice Writer's PDF export (a Word/LibreOffice export); ground truth as above.
* ``doc19-latexbook-changes-a`` / ``doc20-latexbook-changes-b``: attrs' changelog (nested lists of
  entries with links) through pandoc -> LaTeX book class (chapters, twoside) -> PDF.
* ``doc17-texinfo-rfaq-a`` / ``doc18-texinfo-rexts-b``: two more Texinfo manuals (R FAQ, Writing R
  Extensions; ``r-doc-pdf`` / ``r-doc-html``), cut and cleaned as the shared pdf-twins were.
* ``doc21-texinfo-rints-a`` / ``doc22-texinfo-rexts-b``, ``doc27-texinfo-rints-a`` /
  ``doc28-texinfo-rexts-b``: R Internals chapters 1 and 2-6 (C structs with aligned roman
  comments) and Writing R Extensions chapters 5 and 6 (C interfaces, the C API), the same way.
* ``doc23-office-click-a`` / ``doc24-office-click-b``: Click pages the Sphinx twins leave out, from
  reStructuredText through pandoc -> .docx -> LibreOffice (a second source for the office family).
* ``doc25-sphinx-jinja-a`` / ``doc26-sphinx-jinja-b``: Jinja 3.1.4's documentation (PyPI sdist),
  built by Sphinx as the Click twins are (highlighted Jinja/HTML/Django listings).

Work part: odd numbers; validation part: even numbers (with the shared set's doc01/doc03 work,
doc02/doc04 validation).

Needs: ``apt-get install -y pandoc latexmk texlive-latex-recommended texlive-latex-extra
texlive-fonts-recommended tex-gyre libreoffice-writer-nogui`` and Sphinx. Nothing here is committed: outputs go to
``benchmarks/.work/twins/{pdf,md}`` (scored as the "built" set of ``pdf_bench.py``; the scorer wants names starting "doc").

    python3 benchmarks/make_pdf_twins.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / ".work" / "twins"
SRC = HERE / ".work" / "twins-src"

CLICK = "click==8.1.7"
ATTRS = "attrs==23.2.0"
CLICK_PARTS = {"doc11-sphinx-click-a": ["why", "quickstart", "parameters", "options", "arguments"],
               "doc12-sphinx-click-b": ["commands", "prompts", "documentation", "advanced", "utils"]}
JINJA = "jinja2==3.1.4"
JINJA_PARTS = {"doc25-sphinx-jinja-a": ["tricks", "switching", "faq", "nativetypes"],
               "doc26-sphinx-jinja-b": ["extensions", "sandbox", "integration"]}
ATTRS_PARTS = {"doc13-pandoc-attrs-a": ["overview", "why", "examples"],
               "doc14-pandoc-attrs-b": ["init", "hashing", "extending"]}
OFFICE_PARTS = {"doc15-office-attrs-a": ["comparison", "how-does-it-work", "names"],
                "doc16-office-attrs-b": ["types", "glossary", "why"]}
#: Click pages the Sphinx twins leave out, as reStructuredText through pandoc -> .docx -> LibreOffice
OFFICE_RST_PARTS = {"doc23-office-click-a": ["complex", "testing", "unicode-support"],
                    "doc24-office-click-b": ["shell-completion", "setuptools", "upgrading"]}


def run(cmd: list[str], cwd: Path | None = None) -> None:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-2000:] + res.stderr[-2000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")


def sdist(spec: str) -> Path:
    """Download and unpack a source distribution from PyPI (pip's ordinary client)."""
    SRC.mkdir(parents=True, exist_ok=True)
    name, version = spec.split("==")
    folder = SRC / f"{name}-{version}"
    if not folder.exists():
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(SRC), spec])
        with tarfile.open(SRC / f"{name}-{version}.tar.gz") as tar:
            tar.extractall(SRC, filter="data")
    return folder


def _sphinx_rst(text: str) -> str:
    """Click's own directives (pallets-sphinx-themes) as plain Sphinx: examples are code blocks,
    recorded runs are dropped from both builds alike."""
    text = text.replace(".. click:example::", ".. code-block:: python")
    out: list[str] = []
    skip = False
    for line in text.splitlines():
        if re.match(r"\.\. (click:run|tabs|tab|group-tab|code-tab|jinja:nodes)::", line.strip()):
            skip = True
            continue
        if skip:
            if line.strip() and not line.startswith((" ", "\t")):
                skip = False
            else:
                continue
        out.append(line)
    return "\n".join(out) + "\n"


def _lang(name: str) -> str:
    return {"default": "text", "none": "text", "shell-session": "console"}.get(name, name)


def _md_cleanup(md: str) -> str:
    md = re.sub(r"\[¶\]\([^)]*\)", "", md)
    md = re.sub(r"^<div[^>]*>\s*$|^</div>\s*$", "", md, flags=re.M)
    md = re.sub(r"^(\s*)``` (\w[\w-]*)$", r"\1```\2", md, flags=re.M)
    md = re.sub(r"\n{3,}", "\n\n", md)
    return md.strip() + "\n"


def sphinx_twins() -> None:
    for spec, title, parts in ((CLICK, "Click", CLICK_PARTS), (JINJA, "Jinja", JINJA_PARTS)):
        docs = sdist(spec) / "docs"
        for name, pages in parts.items():
            _sphinx_twin(name, docs, pages, title)


def _sphinx_twin(name: str, docs: Path, pages: list[str], title: str) -> None:
    """One Sphinx project of ``pages`` built twice: LaTeX -> PDF and single-page HTML -> markdown."""
    proj = SRC / name
    shutil.rmtree(proj, ignore_errors=True)
    proj.mkdir(parents=True)
    if (docs / "examples").is_dir():  # literalinclude targets
        shutil.copytree(docs / "examples", proj / "examples")
    for page in pages:
        (proj / f"{page}.rst").write_text(_sphinx_rst((docs / f"{page}.rst").read_text()))
    (proj / "index.rst").write_text(f"{title}\n{'=' * len(title)}\n\n.. toctree::\n   :maxdepth: 2\n\n"
                                    + "".join(f"   {p}\n" for p in pages))
    (proj / "conf.py").write_text(
        f'project = "{title}"\nauthor = "Pallets"\nextensions = []\nmaster_doc = "index"\n'
        f'latex_documents = [("index", "twin.tex", "{title}", "Pallets", "manual")]\n'
        "latex_elements = {'tableofcontents': '', 'printindex': '', 'maketitle': ''}\n"
        "latex_domain_indices = False\n")  # the HTML page has no module index either
    run([sys.executable, "-m", "sphinx", "-q", "-b", "latex", ".", "_latex"], cwd=proj)
    run(["latexmk", "-pdf", "-interaction=nonstopmode", "-quiet", "twin.tex"], cwd=proj / "_latex")
    run([sys.executable, "-m", "sphinx", "-q", "-b", "singlehtml", ".", "_html"], cwd=proj)
    html = (proj / "_html" / "index.html").read_text()
    body = html.split('<div class="body" role="main">', 1)[1].rsplit('<div class="sphinxsidebar"', 1)[0]
    body = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", body)
    body = re.sub(rf"<h1>{title}</h1>", "", body)  # the index page's own title: not in the PDF
    # highlighted listings -> <pre class=lang> (fenced in gfm); links and spans -> their text
    body = re.sub(r'<div class="highlight-([\w+-]+) notranslate"><div class="highlight"><pre>(.*?)</pre></div>\s*</div>',
                  lambda m: f'<pre class="{_lang(m.group(1))}">{m.group(2)}</pre>', body, flags=re.S)
    # external links are in the PDF too (hyperref annotations): kept, as the pandoc twins keep
    # theirs; internal references (page numbers in print) and spans are reduced to their text
    body = re.sub(r'<a class="reference external" href="(https?://[^"]+)">(.*?)</a>',
                  lambda m: f"\x00{m.group(1)}\x01{m.group(2)}\x02", body, flags=re.S)
    body = re.sub(r"</?(a|span)\b[^>]*>", "", body)
    body = re.sub("\x00([^\x01]*)\x01([^\x02]*)\x02", lambda m: f'<a href="{m.group(1)}">{m.group(2)}</a>', body)
    md = subprocess.run(["pandoc", "-f", "html", "-t", "gfm", "--wrap=none"], input=body,
                        capture_output=True, text=True, check=True).stdout
    (OUT / "md").mkdir(parents=True, exist_ok=True)
    (OUT / "pdf").mkdir(parents=True, exist_ok=True)
    (OUT / "md" / f"{name}.md").write_text(_md_cleanup(md))
    shutil.copy(proj / "_latex" / "twin.pdf", OUT / "pdf" / f"{name}.pdf")


def _attrs_markdown(pages: list[str]) -> str:
    """attrs' MyST pages as plain pandoc Markdown (doctest blocks are Python listings; directives,
    roles and targets reduced to what every writer understands)."""
    docs = sdist(ATTRS) / "docs"
    text = "\n\n".join(re.sub(r"^```\{(doctest|code-block)\}.*$", "```python", (docs / f"{p}.md").read_text(),
                              flags=re.M)
                       for p in pages)
    text = re.sub(r"^```\{[^}]*\}[^\n]*\n.*?^```\s*$", "", text, flags=re.M | re.S)  # myst directives
    text = re.sub(r"\{(\w+)\}`([^`]*)`", r"`\2`", text)  # myst roles -> code
    return re.sub(r"^\(([\w-]+)\)=\s*$", "", text, flags=re.M)  # myst targets


def _write_twin(name: str, work: Path, pdf: Path, source: str = "in.md", fmt: str = "markdown") -> None:
    md = subprocess.run(["pandoc", source, "-f", fmt, "-t", "gfm", "--wrap=none"],
                        capture_output=True, text=True, check=True, cwd=work).stdout
    (OUT / "md").mkdir(parents=True, exist_ok=True)
    (OUT / "pdf").mkdir(parents=True, exist_ok=True)
    (OUT / "md" / f"{name}.md").write_text(_md_cleanup(md))
    shutil.copy(pdf, OUT / "pdf" / f"{name}.pdf")


def pandoc_twins() -> None:
    for name, pages in ATTRS_PARTS.items():
        work = SRC / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "in.md").write_text(_attrs_markdown(pages))
        run(["pandoc", "in.md", "-f", "markdown", "--number-sections", "-V", "geometry:margin=1in",
             "--pdf-engine=pdflatex", "-o", "twin.pdf"], cwd=work)
        _write_twin(name, work, work / "twin.pdf")


#: attrs' changelog (lists of entries, each with an issue link), lines [a, b) of CHANGELOG.md
BOOK_PARTS = {"doc19-latexbook-changes-a": (15, 250), "doc20-latexbook-changes-b": (250, 426)}


def book_twins() -> None:
    """LaTeX book class (twoside, "Chapter N" labels, chapters on odd pages): a part of attrs'
    changelog through pandoc with releases as chapters. Headings lose their links in both twins
    (the scorer compares heading text); links elsewhere stay."""
    lines = (sdist(ATTRS) / "CHANGELOG.md").read_text().splitlines()
    for name, (a, b) in BOOK_PARTS.items():
        text = "\n".join(lines[a - 1:b - 1])
        text = re.sub(r"^(#+) \[([^]]*)\]\([^)]*\)", r"\1 \2", text, flags=re.M)
        text = re.sub(r"^#(#+) ", r"\1 ", text, flags=re.M)  # releases are the chapters
        work = SRC / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "in.md").write_text(text.replace("\u2264", "<=").replace("\u2265", ">=") + "\n")
        run(["pandoc", "in.md", "-f", "markdown", "--top-level-division=chapter", "-V", "documentclass=book",
             "--pdf-engine=pdflatex", "-o", "twin.pdf"], cwd=work)
        _write_twin(name, work, work / "twin.pdf")


def office_twins() -> None:
    """Word/LibreOffice exports: the Markdown through pandoc to .docx (Heading styles, List
    Paragraphs, "Source Code" paragraphs), then LibreOffice Writer's PDF export (bookmarks from
    the headings). Skipped when ``soffice`` is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("(no soffice: office twins skipped; apt-get install -y libreoffice-writer-nogui)")
        return
    click_docs = sdist(CLICK) / "docs"
    parts = [(name, "in.md", "markdown", _attrs_markdown(pages)) for name, pages in OFFICE_PARTS.items()]
    parts += [(name, "in.rst", "rst", "\n\n".join(_sphinx_rst((click_docs / f"{p}.rst").read_text()) for p in pages))
              for name, pages in OFFICE_RST_PARTS.items()]
    for name, source, fmt, text in parts:
        work = SRC / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / source).write_text(text)
        run(["pandoc", source, "-f", fmt, "-o", "twin.docx"], cwd=work)
        run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
             'pdf:writer_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"}}', "twin.docx"], cwd=work)
        _write_twin(name, work, work / "twin.pdf", source, fmt)


#: Texinfo manuals shipped by Debian as PDF and HTML (r-doc-pdf, r-doc-html): name -> (manual,
#: first page, last page (1-based, kept), title of the heading that opens the page after them)
TEXINFO_PARTS = {"doc17-texinfo-rfaq-a": ("R-FAQ", 5, 29, "6 R and Emacs"),
                 "doc18-texinfo-rexts-b": ("R-exts", 122, 141, "5 System and foreign language interfaces"),
                 "doc21-texinfo-rints-a": ("R-ints", 6, 30, "2 `.Internal` vs `.Primitive`"),
                 "doc22-texinfo-rexts-b": ("R-exts", 142, 188, "6 The R API: entry points for C code"),
                 "doc27-texinfo-rints-a": ("R-ints", 31, 54, "7 GUI consoles"),
                 "doc28-texinfo-rexts-b": ("R-exts", 189, 214, "7 Generic functions and methods")}
_TEXI_LEVEL = {"chapter": 1, "unnumbered": 1, "appendix": 1, "chapheading": 1, "majorheading": 1,
               "section": 2, "unnumberedsec": 2, "appendixsec": 2, "heading": 2,
               "subsection": 3, "unnumberedsubsec": 3, "appendixsubsec": 3, "subheading": 3,
               "subsubsection": 4, "unnumberedsubsubsec": 4, "appendixsubsubsec": 4, "subsubheading": 4}


def _texinfo_gt(html: str, first: str, stop: str) -> str:
    """Ground truth from texi2any's HTML, made as the shared pdf-twins were (their SOURCES.md):
    navigation, tables of contents, menus, footnotes and indices out; links and superscripts
    unwrapped; @table (<dl>) as term paragraphs and bodies; heading levels from texinfo's class;
    then pandoc to GitHub markdown, cut from ``first`` up to (not with) ``stop``."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for sel in ("div.header", "hr", "div.contents", "div.shortcontents", "table.menu", "ul.section-toc",
                "ul.mini-toc", "div.footnote", "div.footnotes-segment", "table.index-cp", "table.index-fn",
                "table.cp-entries-printindex", "table.fn-entries-printindex", "div.printindex", "h1.settitle",
                "h2.contents-heading", "h2.shortcontents-heading"):
        for el in soup.select(sel):
            el.decompose()
    for el in soup.find_all(["a", "sup", "span"]):
        el.unwrap()
    for box in soup.select("table.cartouche"):  # @cartouche: a frame drawn around an example
        cells = box.find_all("td")
        box.replace_with(*[c for cell in cells for c in list(cell.contents)]) if cells else box.decompose()
    for dl in soup.find_all("dl"):
        parts = []
        for child in dl.find_all(["dt", "dd"], recursive=False):
            if child.name == "dt":
                child.name = "p"
            else:
                child.name = "div"
            parts.append(child)
        dl.replace_with(*parts) if parts else dl.decompose()
    for h in soup.find_all(["h1", "h2", "h3", "h4", "h5"]):
        cls = next((c for c in (h.get("class") or []) if c in _TEXI_LEVEL), None)
        if cls:
            h.name = f"h{_TEXI_LEVEL[cls]}"
            h.attrs = {}
    body = str(soup.body or soup)
    md = subprocess.run(["pandoc", "-f", "html", "-t", "gfm", "--wrap=none"], input=body,
                        capture_output=True, text=True, check=True).stdout
    lines = md.splitlines()
    norm = lambda t: re.sub(r"\s+", " ", t.lstrip("#").strip().replace("`", ""))  # noqa: E731
    start = next(i for i, ln in enumerate(lines) if ln.startswith("#") and norm(ln) == norm(first))
    end = next(i for i, ln in enumerate(lines) if i > start and ln.startswith("#") and norm(ln) == norm(stop))
    return _md_cleanup("\n".join(lines[start:end]))


def texinfo_twins() -> None:
    """Texinfo manuals: a page range of the Debian PDF (outline of the kept pages re-attached)
    and its HTML twin's text over the same headings. Skipped without r-doc-pdf/r-doc-html."""
    import pymupdf

    base = Path("/usr/share/R/doc/manual")
    for name, (manual, first, last, stop) in TEXINFO_PARTS.items():
        pdf, html = base / f"{manual}.pdf", base / f"{manual}.html"
        if not pdf.exists() or not html.exists():
            print(f"(no {pdf} / {html}: {name} skipped; apt-get install -y r-doc-pdf r-doc-html)")
            continue
        src = pymupdf.open(pdf)
        out = pymupdf.open()
        out.insert_pdf(src, from_page=first - 1, to_page=last - 1)
        toc = [[lv, title, p - first + 1] for lv, title, p in src.get_toc() if first <= p <= last]
        if toc:
            top = min(lv for lv, _, _ in toc)
            fixed, prev = [], top - 1
            for lv, title, p in toc:  # the outline must not jump levels down
                lv = min(lv - top + 1, prev + 1)
                fixed.append([lv, title, p])
                prev = lv
            out.set_toc(fixed)
        (OUT / "pdf").mkdir(parents=True, exist_ok=True)
        (OUT / "md").mkdir(parents=True, exist_ok=True)
        out.save(OUT / "pdf" / f"{name}.pdf")
        heading = toc[0][1] if toc else ""
        (OUT / "md" / f"{name}.md").write_text(_texinfo_gt(html.read_text(errors="replace"), heading, stop))


if __name__ == "__main__":
    sphinx_twins()
    pandoc_twins()
    office_twins()
    texinfo_twins()
    book_twins()
    print(f"twins in {OUT}: " + ", ".join(sorted(p.stem for p in (OUT / "pdf").glob("*.pdf"))))
