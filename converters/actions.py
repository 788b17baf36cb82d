"""Click-to-curl: UI instructions in docs rewritten into API calls an agent can run.

Three steps, all pure (text and a :class:`~llmingest.converters.openapi.SpecIndex` in, text out):

1. **detect**: numbered/bulleted steps and sentences with UI verbs ("click", "go to", "paste"),
   breadcrumbs (``Settings > Webhooks``) and bold/quoted labels, grouped into tasks under their
   heading;
2. **ground**: rank every operation of the spec against the task (BM25 over the operation's path,
   names, summary, tags, parameters; a prior from the task's action verb to the operation's kind,
   create->POST, change->PATCH/PUT, remove->DELETE; how much of the path the task talks about),
   and **abstain** when the best match is weak: a wrong curl is worse than none;
3. **rewrite**: the human steps stay (collapsed), followed by an *agent action* block with a
   runnable curl: full URL from ``servers``, auth from ``securitySchemes`` as env placeholders,
   ``$OWNER``-style path placeholders with where their values come from, and a JSON or
   form-encoded body with the required fields and the fields the steps fill in.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import shlex
from dataclasses import asdict, dataclass, field
from typing import Any

from .actions_curl import _nest, auth_args, build_curl, env_name, shell_quote, source_notes
from .actions_detect import Step, clean_text, detect, parse_step
from .actions_match import confidence, field_matches, fill_parameters, prepare, rank
from .actions_model import Model, decide, default_model, explain
from .actions_schema import body_problems, misfit_fields
from .openapi import Operation, SpecIndex, load_spec, stem, words

__all__ = ["ActionsResult", "Task", "DEFAULT_THRESHOLD", "DEFAULT_CANDIDATES", "rewrite", "ground", "candidates",
           "describe", "task_from_text", "find_operation", "operation_curl", "forms_from_html", "detect",
           "parse_step", "rank", "confidence", "prepare", "field_matches", "fill_parameters", "auth_args",
           "build_curl", "load_spec", "Step"]

#: the shipped model's calibrated threshold: in the leave-one-product-out run, calls emitted at or
#: above it were right >= 95% of the time (README, "Click to curl")
DEFAULT_THRESHOLD = default_model().threshold
#: below the threshold but at least this likely: "not sure which call" rather than "no API equivalent"
UNSURE = 0.5
#: runner-ups listed under a task (CLI --candidates, MCP): enough for the right one to be there
DEFAULT_CANDIDATES = 5

# ---------------------------------------------------------------------------------------------
# result model


@dataclass
class Task:
    """One group of UI steps and what an agent should run instead (or why it cannot)."""

    title: str
    text: str
    span: tuple[int, int]  # 1-based, inclusive line numbers in the input
    steps: list[str] = field(default_factory=list)
    operation_id: str | None = None
    method: str | None = None
    path: str | None = None
    curl: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    status: str = "manual"  # action | manual
    reason: str = ""
    summary: str | None = None
    notes: list[str] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    placeholders: dict[str, str] = field(default_factory=dict)  # "$VAR" -> the field it stands for

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d


@dataclass
class ActionsResult:
    """One document rewritten: its markdown with agent actions, and every task found in it."""

    markdown: str
    tasks: list[Task]
    matched: int
    manual: int
    source: str | None = None
    spec: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "spec": self.spec, "matched": self.matched, "manual": self.manual,
                "tasks": [t.to_dict() for t in self.tasks]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


# ---------------------------------------------------------------------------------------------
# the whole rewrite


def describe(op: Operation, probability: float | None = None, why: str = "") -> dict[str, Any]:
    """One operation as an agent chooses among them: method, path, summary, required parameters,
    the body in brief (top-level fields: type, required, allowed values) and why it was proposed."""
    required = [p.name for p in op.params if p.required and p.location in ("path", "query", "header")]
    required += [b.name for b in op.body if b.required and "." not in b.name]
    body = []
    for b in op.body:
        if "." in b.name:
            continue
        item = f"{b.name}: {b.type}" + (f" of {b.item_type}" if b.type == "array" and b.item_type else "")
        if b.required:
            item += ", required"
        if b.enum:
            item += " (" + " | ".join(map(str, b.enum[:8])) + (" | ..." if len(b.enum) > 8 else "") + ")"
        body.append(item)
    d: dict[str, Any] = {"method": op.method, "path": op.path, "operation_id": op.operation_id or None,
                         "summary": op.summary or None, "required": required, "body": body[:20]}
    if len(body) > 20:
        d["body"].append(f"... {len(body) - 20} more fields")
    if probability is not None:
        d["probability"] = round(probability, 3)
    if why:
        d["why"] = why
    return d


def candidates(spec: SpecIndex, title: str, steps: list[Step], k: int = DEFAULT_CANDIDATES,
               model: Model | None = None) -> list[tuple[float, Operation, dict[str, Any]]]:
    """The k most likely operations for a task, as (probability, operation, ranker parts)."""
    return decide(spec, title, steps, rank(spec, title, steps), model)[:max(0, k)]


def ground(spec: SpecIndex, title: str, steps: list[Step], *, base_url: str | None = None,
           threshold: float = DEFAULT_THRESHOLD, model: Model | None = None,
           k: int = DEFAULT_CANDIDATES) -> dict[str, Any]:
    """The decision for one task: the operation and curl, or why it stays manual.

    The ranker proposes, the model (:mod:`.actions_model`) gives each of its top candidates the
    probability that it is the call; the best is emitted when that reaches ``threshold`` and its body
    validates against the operation's request schema (:mod:`.actions_schema`)."""
    decided = decide(spec, title, steps, rank(spec, title, steps), model)
    cands = [describe(op, p, explain(parts["features"])) for p, op, parts in decided[:k]]
    conf = round(decided[0][0], 3) if decided else 0.0
    if not decided or conf < threshold:
        if decided and conf >= UNSURE:
            best = decided[0][1]
            reason = (f"not sure enough which call of {spec.title} does this (best: {best.method} {best.path}, "
                      f"confidence {conf:.2f} < {threshold:.2f}); choose from the candidates")
        else:
            reason = f"no API equivalent found in {spec.title}"
            if decided:
                best = decided[0][1]
                reason += f" (closest: {best.method} {best.path}, confidence {conf:.2f} < {threshold:.2f})"
        return {"status": "manual", "reason": reason, "confidence": conf, "candidates": cands}
    op = decided[0][1]
    filled = fill_parameters(op, spec, title, steps)
    body_names = {b.name for b in op.body}
    _refill_misfits(op, filled, body_names, steps)
    problems = body_problems(op, _nest({k2: v for k2, v in filled.params.items() if k2 in body_names}, op))
    if problems:
        return {"status": "manual", "confidence": conf, "candidates": cands,
                "reason": f"{op.method} {op.path} fits (confidence {conf:.2f}), but its body would not validate "
                          f"against the request schema: {'; '.join(problems[:3])}"}
    curl, notes = build_curl(spec, op, filled.params, base_url)
    notes = source_notes(op, spec, filled.params) + notes + filled.notes
    placeholders = {var: name for var, name in filled.placeholders.items()}
    for p in op.params:
        if p.location == "path":
            v = filled.params.get(p.name, "$" + env_name(p.name))
            if isinstance(v, str) and v.startswith("$"):
                placeholders.setdefault(v, p.name)
    return {"status": "action", "operation": op, "params": filled.params, "curl": curl, "notes": notes,
            "confidence": conf, "candidates": cands, "reason": "", "placeholders": placeholders}


def _labelled(name: str, steps: list[Step]) -> bool:
    """Whether a step's label names the field itself ("set **Max size** to ..." for ``MaxSize``)."""
    leaf = [stem(w) for w in words(name.split(".")[-1])]
    return any([stem(w) for w in words(label)] == leaf for s in steps for label, _ in s.labels)


def _refill_misfits(op: Operation, filled: Any, body_names: set[str], steps: list[Step]) -> None:
    """A value the steps typed that breaks the type or enum of a field no label names was given to
    the wrong field by nearness ("Type your **Message**, `Build passed`" landing in the integer
    ``reply_to_message_id``; port ``443`` in an array of rule objects): a required field gets a named
    placeholder instead, an optional one is left out, and a note says which value did not fit. A
    value for a field its label names ("set **Max size** to `thirty`") is what the user meant and
    stays: that body fails the check and the task stays manual. A wrong value is never sent."""
    for name in misfit_fields(op, _nest({k: v for k, v in filled.params.items() if k in body_names}, op)):
        if _labelled(name, steps):
            continue
        field_ = next(b for b in op.body if b.name == name)
        bad = filled.params.pop(name, None)
        for child in [k for k in filled.params if k.startswith(name + ".")]:
            filled.params.pop(child)
        if field_.required:
            var = "$" + env_name(name)
            while var in filled.placeholders and filled.placeholders[var] != name:
                var += "_"
            filled.params[name] = var
            filled.placeholders[var] = name
            filled.notes.append(f"`{var}`: `{name}` ({field_.type}, required): {bad!r} from the steps "
                                f"does not fit it")
        else:
            filled.notes.append(f"`{name}` left out: {bad!r} from the steps does not fit it ({field_.type})")


def _download_curls(steps: list[Step]) -> list[str]:
    out = []
    for s in steps:
        if not s.ui:
            continue
        for _text, url in s.links:
            if url.startswith(("http://", "https://")):
                out.append(f"curl -LO {shlex.quote(url)}")
    return out


_LINK_REASON = "a link the steps tell a person to click"


def _resolve_without_spec(task: Task, steps: list[Step]) -> None:
    """Links in click-steps become ``curl -LO``; every other task stays manual."""
    curls = _download_curls(steps)
    if curls:
        task.status, task.curl, task.method, task.confidence = "action", "\n".join(curls), "GET", 1.0
        task.reason = _LINK_REASON
    else:
        task.reason = "UI step; no OpenAPI spec given (--openapi) to find an API equivalent"


def _resolve_with_spec(task: Task, steps: list[Step], spec: SpecIndex, *, base_url: str | None, thr: float,
                       model: Model | None, k: int) -> None:
    """The spec's operation when the model is confident enough, else a download link, else manual."""
    d = ground(spec, task.title, steps, base_url=base_url, threshold=thr, model=model, k=k)
    task.confidence, task.candidates, task.reason = d["confidence"], d["candidates"], d["reason"]
    if d["status"] == "action":
        op = d["operation"]
        task.status, task.method, task.path = "action", op.method, op.path
        task.operation_id, task.summary = op.operation_id or None, op.summary or None
        task.curl, task.parameters, task.notes = d["curl"], d["params"], d["notes"]
        task.placeholders = d["placeholders"]
        return
    downloads = _download_curls(steps)
    if downloads:
        task.status, task.curl, task.method = "action", "\n".join(downloads), "GET"
        task.reason = _LINK_REASON
        task.confidence = 1.0


def _weave(lines: list[str], wraps: dict[int, int], inserts: dict[int, list[str]]) -> list[str]:
    """The document's lines with matched steps wrapped in ``<details>`` and each task's block after it."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in wraps:
            if out and out[-1].strip():
                out.append("")
            out += ["<details><summary>Steps in the web UI</summary>", ""]
        out.append(line)
        if i in inserts:
            if any(s <= i == e for s, e in wraps.items()):
                out += ["", "</details>"]
            out += inserts[i]
            if i + 1 < len(lines) and lines[i + 1].strip():
                out.append("")
    return out


def rewrite(markdown: str, spec: SpecIndex | None, *, base_url: str | None = None,
            threshold: float | None = None, source_name: str | None = None, model: Model | None = None,
            k: int = DEFAULT_CANDIDATES, show_candidates: int = 0) -> ActionsResult:
    """The document with an agent action after every UI task it can ground in ``spec``.

    Without a spec, links in click-steps become ``curl -LO`` and every other task is listed as a
    manual step. Nothing of the original text is lost: matched steps are kept in a collapsed
    ``<details>`` block, manual ones stay as they were.

    >>> r = rewrite("1. Click **Download** [here](https://x.test/a.zip).", None)
    >>> r.tasks[0].curl
    'curl -LO https://x.test/a.zip'
    """
    thr = DEFAULT_THRESHOLD if threshold is None else threshold
    lines = markdown.splitlines()
    tasks: list[Task] = []
    inserts: dict[int, list[str]] = {}  # after 0-based line index -> lines
    wraps: dict[int, int] = {}  # start -> end (0-based) wrapped in <details>
    for block, steps in detect(markdown):
        title = block.heading or ""
        text = "\n".join(lines[block.start:block.end + 1])
        task = Task(title=title, text=text, span=(block.start + 1, block.end + 1),
                    steps=[clean_text(s.text) for s in steps])
        if spec is None:
            _resolve_without_spec(task, steps)
        else:
            _resolve_with_spec(task, steps, spec, base_url=base_url, thr=thr, model=model,
                               k=max(k, show_candidates))
        tasks.append(task)
        if task.status == "action":
            wraps[block.start] = block.end
            inserts[block.end] = _action_block(task, spec) + _candidate_list(task, show_candidates)
        else:
            inserts[block.end] = (["", f"> **Manual step**: {task.reason}."]
                                  + (_candidate_list(task, show_candidates) if show_candidates else _runner_ups(task)))
    text = "\n".join(_weave(lines, wraps, inserts)) + ("\n" if markdown.endswith("\n") or not markdown else "")
    matched = sum(1 for t in tasks if t.status == "action")
    return ActionsResult(text, tasks, matched, len(tasks) - matched, source_name, spec.title if spec else None)


def _candidate_list(task: Task, n: int) -> list[str]:
    """The task's n most likely operations, one line each (CLI ``--candidates``)."""
    if n <= 0 or not task.candidates:
        return []
    out = ["", f"Candidates ({min(n, len(task.candidates))} most likely):", ""]
    for c in task.candidates[:n]:
        line = f"- `{c['method']} {c['path']}`"
        if c.get("summary"):
            line += f" {c['summary']}"
        line += f" (probability {c.get('probability', 0.0):.2f})"
        if c.get("why"):
            line += f": {c['why']}"
        out.append(line)
    return out


def _runner_ups(task: Task, n: int = 3) -> list[str]:
    """The operations an agent may pick from itself when the task stays manual."""
    if not task.candidates:
        return []
    items = [f"`{c['method']} {c['path']}` ({c.get('probability', 0.0):.2f})" for c in task.candidates[:n]]
    return [">", "> Candidates (pick one with `curl_for_operation`): " + ", ".join(items)]


def _action_block(task: Task, spec: SpecIndex | None) -> list[str]:
    if task.path:
        what = f"`{task.method} {task.path}`"
        if task.summary:
            what += f" ({task.summary})"
        head = f"**Agent action**: {what}, confidence {task.confidence:.2f}"
    else:
        head = "**Agent action**: download what the steps link to"
    block = ["", head, "", "```bash", *(task.curl or "").splitlines(), "```"]
    if task.notes:
        block.append("")
        block += [f"- {n}" for n in task.notes]
    return block


# ---------------------------------------------------------------------------------------------
# HTML forms (no spec needed): a <form> is already an API call


def _form_url(action: str, base_url: str | None) -> str:
    """Where a form posts: absolute against the page's URL; ``$BASE_URL`` for a local file."""
    from urllib.parse import urljoin

    if base_url:
        return urljoin(base_url, action)
    if action.startswith(("http://", "https://")):
        return action
    # a local file: where the page is served is unknown
    return "$BASE_URL" + (action if action.startswith("/") else "/" + action)


#: input types that send nothing of their own (a file is sent only by a multipart POST)
_UNSENT_INPUTS = ("submit", "button", "image", "reset", "file")


def _field_value(el, name: str) -> str:
    """What a field sends as the page stands: the selected option, the text, the value; else a
    ``$PLACEHOLDER`` for the user to fill."""
    if el.name == "select":
        opt = el.find("option", selected=True) or el.find("option")
        value = str(opt.get("value", opt.get_text(strip=True))) if opt else ""
    elif el.name == "textarea":
        value = el.get_text()
    else:
        value = str(el.get("value", ""))
    return value or "$" + env_name(name)


def _form_fields(form, method: str, multipart: bool) -> tuple[dict[str, Any], set[str]]:
    """The fields a form submits, by name, and the names of its file uploads."""
    fields: dict[str, Any] = {}
    files: set[str] = set()
    for el in form.find_all(["input", "select", "textarea"]):
        name = el.get("name")
        if not name:
            continue
        kind = str(el.get("type") or "text").lower()
        if kind == "file" and multipart and method != "GET":
            fields[str(name)] = "@$" + env_name(str(name))  # curl uploads the file at that path
            files.add(str(name))
            continue
        if kind in _UNSENT_INPUTS:
            continue
        if kind in ("checkbox", "radio") and not el.has_attr("checked"):
            continue
        fields[str(name)] = _field_value(el, str(name))
    return fields, files


def _form_curl(method: str, url: str, fields: dict[str, Any], files: set[str], multipart: bool) -> str:
    """The curl that submits the fields: a GET's as its query, a POST's urlencoded or multipart."""
    if method == "GET":
        if not fields:
            return f"curl {shell_quote(url)}"
        return f"curl -G {shell_quote(url)}" + "".join(
            f" \\\n  --data-urlencode {shell_quote(f'{k}={v}')}" for k, v in fields.items())
    # multipart: files with -F name=@path, text with --form-string (a leading @ stays text)
    flags = {k: ("-F" if k in files else "--form-string") if multipart else "--data-urlencode"
             for k in fields}
    return f"curl -X {method} {shell_quote(url)}" + "".join(
        f" \\\n  {flags[k]} {shell_quote(f'{k}={v}')}" for k, v in fields.items())


def forms_from_html(data: bytes | str, base_url: str | None = None) -> list[Task]:
    """Every ``<form>`` of a page as a ``curl`` with its fields (POST forms; GET forms as GET)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    tasks = []
    for n, form in enumerate(soup.find_all("form"), 1):
        method = str(form.get("method") or "get").upper()
        action = str(form.get("action") or "").strip()
        if re.match(r"(?i)[a-z][a-z0-9+.-]*:", action) and not action.lower().startswith(("http:", "https:")):
            continue  # javascript:, mailto:, data: forms are not HTTP requests
        multipart = "multipart/form-data" in str(form.get("enctype") or "").lower()
        url = _form_url(action, base_url)
        fields, files = _form_fields(form, method, multipart)
        label = form.get("aria-label") or form.get("id") or form.get("name") or f"form {n}"
        curl = _form_curl(method, url, fields, files, multipart)
        text = html_lib.unescape(form.get_text(" ", strip=True))[:200]
        tasks.append(Task(title=f"Form: {label}", text=text, span=(0, 0), steps=[], method=method,
                          path=url, curl=curl, parameters=fields, confidence=1.0, status="action",
                          reason="an HTML form is already an HTTP request"))
    return tasks


# ---------------------------------------------------------------------------------------------
# the agent decides: candidates for a described task, and the curl for the one it picked


def task_from_text(text: str) -> tuple[str, list[Step]]:
    """(title, steps) of a task an agent describes: UI steps in markdown ("## Add a webhook\\n1. Go
    to ...") as the detector reads them, or a plain sentence ("set a channel's topic") as a heading."""
    found = detect(text)
    if found:
        block, steps = found[0]
        return block.heading or clean_text(text.splitlines()[0].lstrip("#")), steps
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    title = lines[0].lstrip("#").strip() if lines else ""
    steps = [parse_step(ln, i + 1) for i, ln in enumerate(lines[1:] or lines)]
    return title, steps


def find_operation(spec: SpecIndex, ref: str) -> Operation:
    """The operation an agent names: ``"POST /repos/{owner}/{repo}/hooks"`` or its operationId."""
    ref = ref.strip()
    parts = ref.split(None, 1)
    if len(parts) == 2 and parts[0].upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        method, path = parts[0].upper(), parts[1].strip()
        for op in spec.operations:
            if op.method == method and op.path == path:
                return op
    for op in spec.operations:
        if op.operation_id and op.operation_id == ref:
            return op
    raise LookupError(ref)


def _wants_placeholder(p, values: dict[str, Any], known: set[str], fields: list) -> bool:
    """A required field without a value gets a ``$PLACEHOLDER`` when it is sent at all: top-level,
    or nested in an object the agent fills or one that is itself required."""
    parent = p.name.rsplit(".", 1)[0] if "." in p.name else None
    return p.required and p.type != "object" and (parent is None or parent in known and any(
        k == parent or k.startswith(parent + ".") for k in values) or any(
        q.name == parent and q.required for q in fields))


def _fill_params(fields: list, values: dict[str, Any], known: set[str], taken: dict[str, str]) -> dict[str, Any]:
    """The agent's values, and placeholders (recorded in ``taken``) for the required fields it left out."""
    from .actions_match import _placeholder

    params: dict[str, Any] = {}
    for p in fields:
        if p.location == "header":
            continue
        if p.name in values:
            params[p.name] = values[p.name]
        elif _wants_placeholder(p, values, known, fields):
            params[p.name] = ("@" if p.type == "file" else "") + _placeholder(p.name, taken)
    return params


def _placeholder_notes(placeholders: dict[str, str], fields: list) -> list[str]:
    """One note per placeholder: the field it stands for, its type, and its allowed values."""
    by_name = {p.name: p for p in fields}
    notes = []
    for var, name in placeholders.items():
        p = by_name[name]
        kind = p.type + (", required" if p.required else "")
        allowed = f"; one of {', '.join(map(str, p.enum[:8]))}" if p.enum else ""
        notes.append(f"`{var}`: `{name}` ({kind}{allowed})")
    return notes


def operation_curl(spec: SpecIndex, op: Operation, values: dict[str, Any] | None = None,
                   base_url: str | None = None) -> dict[str, Any]:
    """The curl for one operation with the values an agent gives (dotted names for nested body
    fields); every required field without a value becomes a named ``$PLACEHOLDER``. Raises
    ``ValueError`` for a field the operation does not have or a body that does not validate."""
    values = dict(values or {})
    fields = [p for p in op.params if p.location in ("path", "query", "header")] + list(op.body)
    known = {p.name for p in fields}
    unknown = sorted(k for k in values if k not in known)
    if unknown:
        raise ValueError(f"{op.method} {op.path} has no field {', '.join(unknown)} "
                         f"(its fields: {', '.join(sorted(known)) or 'none'})")
    taken: dict[str, str] = {}
    params = _fill_params(fields, values, known, taken)
    body_names = {b.name for b in op.body}
    problems = body_problems(op, _nest({k: v for k, v in params.items() if k in body_names}, op))
    if problems:
        raise ValueError(f"the body would not validate against {op.method} {op.path}'s request schema: "
                         + "; ".join(problems[:5]))
    curl, notes = build_curl(spec, op, params, base_url)
    placeholders = {var: name for var, name in taken.items()}
    notes += _placeholder_notes(placeholders, fields)
    return {"method": op.method, "path": op.path, "curl": curl, "notes": source_notes(op, spec, params) + notes,
            "placeholders": placeholders, "parameters": params}
