"""Click-to-curl detection: which parts of a document are steps for a person clicking a UI.

Numbered/bulleted steps and sentences with UI verbs, breadcrumbs (``Settings > Webhooks``), bold,
italic, quoted and ``<kbd>`` labels, values to type (code spans, URLs) and links; consecutive steps
under one heading are one task. Pure: text in, blocks and steps out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .actions_words import NEUTRAL_BUTTONS, UI_VERBS, verb_class

_UI_VERB_RE = re.compile(r"(?i)(?<![\w-])(" + "|".join(re.escape(v) for v in UI_VERBS) + r")(?![\w-])")

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(\d+[.)]|[-*+])\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)([^*]+?)\*(?![*\w])|(?<![_\w])_(?!\s)([^_]+?)_(?![_\w])")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{1,60})[\"”]|(?<!\w)'([^'\n]{1,40})'(?!\w)")
_KBD = re.compile(r"<kbd>(.*?)</kbd>", re.I)
#: a quoted string right after these words is what to type, not a label to click
_TYPED_BEFORE = re.compile(r"(?i)\b(?:type|enter|paste|write|input|put)\s+(?:in\s+)?$")
_CODE = re.compile(r"`([^`]+)`")
#: a link or image; the destination may hold balanced parentheses (``.../wiki/Foo_(bar)``)
_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))+)>?(?:\s+\"[^\"]*\")?\s*\)")
_URL = re.compile(r"https?://[^\s)>\]`'\"]+")
_IMPLICIT = re.compile(r"(?i:\b(click|select|choose|press|tap|pick|tick|check|open|go to|navigate to|toggle|type|"
                       r"enter|fill in|paste|optional|optionally|set)"
                       r"\s+(?:on\s+)?)([A-Z][\w'&+-]*(?:[ ][A-Za-z][\w'&+-]*){0,4})")
_CRUMB_SEP = re.compile(r"\s*(?:>|→|›|»|->)\s*")
_PLAIN_CRUMB = re.compile(r"(?:[A-Z+][\w&'+./-]*(?:[ ][\w&'+./-]+){0,5})(?:\s*(?:>|→|›|»)\s*[A-Za-z+][\w&'+./-]*(?:[ ][\w&'+./-]+){0,5})+")


@dataclass
class Step:
    line: int
    text: str
    labels: list[tuple[str, int]] = field(default_factory=list)  # (label, char offset)
    crumbs: list[list[str]] = field(default_factory=list)
    values: list[tuple[str, int]] = field(default_factory=list)  # code spans / URLs given to type in
    links: list[tuple[str, str]] = field(default_factory=list)
    ui: bool = False


def clean_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _add_links(step: Step, text: str) -> None:
    """The step's links; a screenshot is not something the step downloads."""
    for m in _LINK.finditer(text):
        if not m.group(0).startswith("!"):
            step.links.append((m.group(1), m.group(2)))


def _formatted_labels(step: Step, bare: str) -> list[tuple[str, int]]:
    """Bold, ``<kbd>``, italic and quoted labels with their offsets (one label per place); a quoted
    string after "type"/"enter" is a value to type, added to ``step.values`` instead."""
    found: list[tuple[str, int]] = []
    for rx in (_BOLD, _KBD, _ITALIC, _QUOTED):
        for m in rx.finditer(bare):
            label = clean_text(next(g for g in m.groups() if g is not None) if m.groups() else m.group(0))
            label = label.strip("*_ ")
            if rx is _QUOTED and _TYPED_BEFORE.search(bare, 0, m.start()):
                step.values.append((label, m.start()))  # 'Type "Rex" in the "Name" box': a value
                continue
            if label and not any(o <= m.start() < o + len(lab) + 4 for lab, o in found):
                found.append((label, m.start()))
    return found


def _add_labels(step: Step, found: list[tuple[str, int]]) -> None:
    """The labels in reading order; a label that is a breadcrumb (``**Settings > Webhooks**``)
    is split into its parts, each a label too."""
    for label, off in sorted(found, key=lambda x: x[1]):
        parts = [p.strip(" *_") for p in _CRUMB_SEP.split(label) if p.strip(" *_")]
        if len(parts) > 1:
            step.crumbs.append(parts)
            for p in parts:
                step.labels.append((p, off))
        else:
            step.labels.append((label, off))


def _add_plain_crumbs(step: Step, unformatted: str) -> None:
    """Breadcrumbs in plain text: "Then navigate to Billing > Plans and choose Pro": the path is
    Billing > Plans."""
    for m in _PLAIN_CRUMB.finditer(unformatted):
        parts = [p.strip() for p in _CRUMB_SEP.split(m.group(0)) if p.strip()]
        if parts:
            parts[0] = re.split(r"(?i)\b(?:to|in|under|open|opens|select|click|choose|visit|from)\s+", parts[0])[-1]
            parts[-1] = re.split(r"(?i)[.,;:!?]|\s+(?:and|then|to|or)\s+", parts[-1])[0]
            parts = [p.strip() for p in parts if p.strip()]
        if len(parts) > 1 and parts not in step.crumbs:
            step.crumbs.append(parts)
            for p in parts:
                step.labels.append((p, m.start()))


def _add_implicit_labels(step: Step, unformatted: str) -> None:
    """Labels of a plain-text step: "click Use this template", or a bare button name "Add secret."."""
    for m in _IMPLICIT.finditer(unformatted):
        step.labels.append((m.group(2).strip(), m.start(2)))
    clause = unformatted.strip().rstrip(".!")
    first = clause.split(" ", 1)[0] if clause else ""
    if clause and len(clause.split()) <= 6 and first[:1].isupper() and (
            verb_class(first.lower()) or first.lower() in NEUTRAL_BUTTONS):
        step.labels.append((clause, 0))


def _add_values(step: Step, bare: str) -> None:
    """Values to type: code spans, and URLs outside them; then all values in reading order."""
    for m in _CODE.finditer(bare):
        step.values.append((m.group(1).strip(), m.start()))
    code_free = _CODE.sub(lambda m: " " * len(m.group(0)), bare)
    for m in _URL.finditer(code_free):
        step.values.append((m.group(0).rstrip(".,;:"), m.start()))
    step.values.sort(key=lambda v: v[1])


def parse_step(text: str, line: int) -> Step:
    """Labels, breadcrumbs, values and links of one step (a list item or a sentence)."""
    step = Step(line, text)
    _add_links(step, text)
    bare = _LINK.sub(lambda m: m.group(1), text)
    _add_labels(step, _formatted_labels(step, bare))
    unformatted = _CODE.sub(" ", _BOLD.sub(" ", bare))
    _add_plain_crumbs(step, unformatted)
    if not step.labels:
        _add_implicit_labels(step, unformatted)
    _add_values(step, bare)
    step.ui = bool(_UI_VERB_RE.search(bare)) or bool(step.crumbs)
    return step


_IMPERATIVE_EXTRA = ("change", "add", "create", "remove", "delete", "save", "update", "edit", "rename",
                     "give", "write", "specify", "provide", "make", "turn", "add", "invite", "generate",
                     "configure", "install", "log in", "sign in", "visit", "refresh", "wait", "download",
                     "submit", "publish", "review", "keep", "assign", "drag", "return", "browse", "locate")
_LEAD = r"(?:(?:then|next|first|finally|now|optionally|also|and|to\s+\w+\s+it,?)\s+)?"
_IMPERATIVE_START = re.compile(r"(?i)^" + _LEAD + r"(" + "|".join(re.escape(v) for v in UI_VERBS + _IMPERATIVE_EXTRA)
                               + r")(?![\w-])")
_IMPERATIVE_CLAUSE = re.compile(r"(?i)(?:[,;:]|\b(?:and|then|or))\s+" + _LEAD + r"(" + "|".join(
    re.escape(v) for v in UI_VERBS + _IMPERATIVE_EXTRA) + r")(?![\w-])\s+(?:on\s+|to\s+|in\s+)?"
                                r"(?:the\s+|a\s+|an\s+|your\s+)?[\w*\"“'`\[+]")


def _imperative(step: Step) -> bool:
    """Whether a step tells the reader to do something (and does not just talk about a UI)."""
    text = _LINK.sub(lambda m: m.group(1), step.text)
    text = re.sub(r"\([^()]*\)|\"[^\"]*\"|“[^”]*”", " ", text)  # quoted or aside examples are not orders
    text = re.sub(r"^[\s>*_#(]*", "", text)
    if _IMPERATIVE_START.match(text) or _IMPERATIVE_CLAUSE.search(text):
        return True
    return bool(step.crumbs) and text.lstrip("*_").startswith(step.crumbs[0][0])


def _sentences(text: str) -> list[str]:
    """Split a paragraph into steps at ``;`` and sentence ends (not inside code or URLs)."""
    parts = re.split(r"(?<=[.;!])\s+(?=[A-Z(\"*])|;\s*", text)
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _Block:
    start: int  # 0-based line index
    end: int  # inclusive
    kind: str  # list | para
    items: list[tuple[int, str]]  # (line index, text)
    heading: str
    heading_line: int | None
    last_num: int | None = None  # number of the last item of a numbered list ("3." -> 3)


def _resumed_list(blocks: list[_Block], num: int | None, heading_line: int | None) -> _Block | None:
    """The numbered list under the same heading that a list starting at ``num`` (> 1) continues."""
    if not num or num < 2:
        return None
    for b in reversed(blocks):
        if b.heading_line != heading_line:
            return None
        if b.kind == "list":
            return b if b.last_num == num - 1 else None
    return None


#: a thematic break ("---", "* * *"): not a list item
_THEMATIC_BREAK = re.compile(r"^\s*[-*_](\s*[-*_]){2,}\s*$")


@dataclass
class _BlockScanner:
    """The state of the line-by-line scan that cuts a document into blocks: the blocks so far, the
    open one, the heading above, whether inside a code fence (and whether that fence belongs to a
    list item: then it is part of that item's task), and how many blank lines came last."""

    blocks: list[_Block] = field(default_factory=list)
    cur: _Block | None = None
    heading: str = ""
    heading_line: int | None = None
    in_fence: bool = False
    fence_in_list: bool = False
    blank_run: int = 0

    def close(self) -> None:
        if self.cur is not None:
            self.blocks.append(self.cur)
        self.cur = None

    def fence(self, i: int, raw: str) -> None:
        """A fence line opens or closes a code block; one indented under a list item stays in it."""
        if not self.in_fence:
            self.fence_in_list = self.cur is not None and self.cur.kind == "list" and raw[:1] in (" ", "\t")
            if not self.fence_in_list:
                self.close()
        self.in_fence = not self.in_fence
        if self.fence_in_list and self.cur is not None:
            self.cur.end = i
            self.blank_run = 0

    def fenced(self, i: int) -> None:
        """A line inside a code block: part of the list item's task when the fence is in a list."""
        if self.fence_in_list and self.cur is not None:
            self.cur.end = i

    def blank(self) -> None:
        """A blank line ends a paragraph (a list may go on after one blank line)."""
        self.blank_run += 1
        if self.cur is not None and self.cur.kind == "para":
            self.close()

    def heading_at(self, i: int, h: re.Match) -> None:
        self.close()
        self.heading, self.heading_line = clean_text(h.group(2)), i
        self.blank_run = 0

    def list_item(self, i: int, item: re.Match) -> None:
        """A list item: goes on with the open list, resumes the list it continues, or starts one."""
        num = int(item.group(2)[:-1]) if item.group(2)[:-1].isdigit() else None
        if self.cur is None or self.cur.kind != "list" or self.blank_run > 1:
            self.close()
            resumed = _resumed_list(self.blocks, num, self.heading_line)
            if resumed is not None:
                # "2." after a paragraph that interrupts "1.": the same task, not a new one
                # (two tasks would each get the same POST, and an agent would run both)
                self.cur = resumed
                self.blocks[:] = [b for b in self.blocks if b.start < resumed.start]
            else:
                self.cur = _Block(i, i, "list", [], self.heading, self.heading_line)
        self.cur.items.append((i, item.group(3)))
        self.cur.end = i
        self.cur.last_num = num
        self.blank_run = 0

    def text(self, i: int, raw: str) -> None:
        """Any other line: the rest of a list item (indented, or right below it), or paragraph text."""
        cur = self.cur
        if cur is not None and cur.kind == "list" and (raw.startswith((" ", "\t")) or self.blank_run == 0):
            li, txt = cur.items[-1]
            cur.items[-1] = (li, txt + " " + raw.strip())
            cur.end = i
        else:
            if cur is None or cur.kind != "para":
                self.close()
                cur = self.cur = _Block(i, i, "para", [], self.heading, self.heading_line)
            cur.items.append((i, raw.strip()))
            cur.end = i
        self.blank_run = 0


def _blocks(lines: list[str]) -> list[_Block]:
    """The document's lists and paragraphs (outside code fences), each with its heading."""
    scan = _BlockScanner()
    for i, raw in enumerate(lines):
        if _FENCE.match(raw):
            scan.fence(i, raw)
        elif scan.in_fence:
            scan.fenced(i)
        elif not raw.strip():
            scan.blank()
        elif h := _HEADING.match(raw):
            scan.heading_at(i, h)
        elif (item := _ITEM.match(raw)) and not _THEMATIC_BREAK.match(raw):
            scan.list_item(i, item)
        else:
            scan.text(i, raw)
    scan.close()
    return scan.blocks


def _block_steps(block: _Block) -> list[Step]:
    """A list's items, or a paragraph's sentences, as steps."""
    if block.kind == "list":
        return [parse_step(text, i + 1) for i, text in block.items]
    para = " ".join(t for _, t in block.items)
    return [parse_step(s, block.start + 1) for s in _sentences(para)]


def _is_task(block: _Block, steps: list[Step]) -> bool:
    """Do the steps read as a UI task? Labelled UI steps, enough of them, and at least one
    imperative ("Click ...", "In **Name**, type ...", "Settings > Webhooks; ..."), which prose
    about UIs never is."""
    ui = [s for s in steps if s.ui]
    labelled = [s for s in ui if s.labels or s.crumbs or s.links]
    if block.kind == "list":
        is_task = len(labelled) >= 1 and (len(ui) >= 2 or len(steps) == 1 or len(ui) * 2 >= len(steps))
    else:
        is_task = bool(labelled) and (any(s.crumbs for s in steps) or len(ui) >= 2
                                      or any(_UI_VERB_RE.match(s.text.strip("*_ ")) for s in labelled))
    return is_task and any(_imperative(s) for s in steps)


def detect(markdown: str) -> list[tuple[_Block, list[Step]]]:
    """The UI tasks of a document: blocks of steps a person would click through; a task right
    below another under the same heading (nothing but blank lines between) is the same task."""
    lines = markdown.splitlines()
    found: list[tuple[_Block, list[Step]]] = []
    for block in _blocks(lines):
        steps = _block_steps(block)
        if not _is_task(block, steps):
            continue
        if found and found[-1][0].heading_line == block.heading_line and \
                all(not lines[j].strip() for j in range(found[-1][0].end + 1, block.start)):
            prev, prev_steps = found[-1]
            prev.end = block.end
            prev.items.extend(block.items)
            prev_steps.extend(steps)
            continue
        found.append((block, steps))
    return found
