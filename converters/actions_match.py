"""Click-to-curl grounding: which operation of a spec does what a task's steps do, and with which fields.

Every operation sharing a word with the task is scored: BM25 over its path, names, summary, tags and
parameters, times a prior from the task's action verb to the operation's kind (create->POST,
change->PATCH/PUT, remove->DELETE), times how much of its path the task talks about, times whether
the submit button names its resource; the head is reranked by how many form labels are its
fields. :func:`confidence` turns the result into 0..1 so callers can abstain. Then the chosen
operation's fields are filled from labels and the values the steps give. Pure.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .actions_curl import env_name
from .actions_detect import _CODE, _LINK, Step
from .actions_words import (
    CREATE,
    DELETE,
    GENERIC_PARAM_WORDS,
    LABEL_NOISE,
    NAV_VERBS,
    NEUTRAL_BUTTONS,
    NEUTRAL_SEGMENTS,
    PATH_VERBS,
    READ,
    SYNONYMS,
    UI_NOISE,
    UPDATE,
    VERB_SYNONYMS,
    verb_class,
)
from .openapi import STOPWORDS, Operation, Param, SpecIndex, stem, terms, words

RERANK = 20  # how many top operations get the (slower) form-field check




def op_kind(op: Operation) -> tuple[str, str]:
    """(kind, verb) of an operation: its summary's verb when it has one, else its method and shape."""
    summary_words = words(op.summary)
    oid = op.operation_id.split("/")[-1]
    verb = summary_words[0] if summary_words else (words(oid)[0] if words(oid) else "")
    text = " ".join(summary_words[:4] or words(oid)[:4])
    last_is_param = op.path.rstrip("/").endswith("}")
    structural = {"GET": "read", "DELETE": "delete", "PATCH": "update", "PUT": "upsert"}.get(
        op.method, "update" if last_is_param else "create")
    if "create or update" in text or "add or update" in text:
        return "upsert", verb
    cls = verb_class(verb) if verb not in ("get", "post", "put", "patch", "delete") else None
    if verb in ("get", "post", "put", "patch", "delete") or not verb:
        return structural, verb
    if cls is None:
        # an unknown verb ("Save an address", "Subscribe a URL") on a plain resource path is the
        # method's usual meaning; on a path ending in an action ("/cancel") it is that action
        lits = op.literal_segments
        last = words(lits[-1]) if lits else []
        is_action = len(last) == 1 and (last[0] in PATH_VERBS or stem(last[0]) == stem(verb))
        return ("action" if is_action else structural), verb
    if cls in ("update", "create") and op.method == "PUT":
        return "upsert", verb  # PUT creates or replaces, whatever its summary's verb
    return (cls or "action"), verb


_COMPAT = {
    ("create", "create"): 1.0, ("create", "upsert"): 0.85, ("create", "update"): 0.3, ("create", "action"): 0.5,
    ("create", "read"): 0.1, ("create", "delete"): 0.02,
    ("update", "update"): 1.0, ("update", "upsert"): 0.85, ("update", "create"): 0.35, ("update", "action"): 0.5,
    ("update", "read"): 0.1, ("update", "delete"): 0.05,
    ("delete", "delete"): 1.0, ("delete", "action"): 0.4, ("delete", "update"): 0.2,
    ("read", "read"): 1.0, ("read", "action"): 0.3,
    ("action", "action"): 0.7, ("action", "create"): 0.75, ("action", "update"): 0.5, ("action", "upsert"): 0.5,
    ("action", "read"): 0.15, ("action", "delete"): 0.05,
}


#: verbs that say nothing beyond create/read/update/delete; any other verb on an operation
#: ("rename", "transfer", "ping") is a special action the task should name to get it
GENERIC_VERBS = {"create", "add", "new", "update", "set", "edit", "change", "delete", "remove", "get", "list",
                 "post", "put", "patch", "retrieve", "replace", "modify", "upsert", "generate", "register",
                 "enable", "disable", "initiate", "perform", "execute", "invoke", "request"}


def compat(intent: str, intent_verb: str, op: Operation, task_terms: set[str] = frozenset(),
           kind_verb: tuple[str, str] | None = None) -> float:
    """How well the operation's kind fits the task's action (create->POST, remove->DELETE...)."""
    kind, verb = kind_verb or op_kind(op)
    if intent_verb and verb and stem(intent_verb) == stem(verb):
        return 1.0
    special = 1.0
    if verb and verb not in GENERIC_VERBS and kind != "read" and stem(verb) not in task_terms:
        special = 0.7
    return special * _compat(intent, intent_verb, op, kind)


def _compat(intent: str, intent_verb: str, op: Operation, kind: str) -> float:
    if intent == "action" and intent_verb:
        # "refund" a payment is creating a refund: the verb names the resource the call creates
        base = stem(intent_verb)
        if any(base == t or (len(base) >= 4 and t.startswith(base)) for s in op.literal_segments for t in terms(s)):
            return 1.0 if kind in ("create", "action") else 0.6
    if intent == "unknown":  # steps that click something rarely just read: reads and deletes need a verb
        return {"delete": 0.2, "read": 0.4}.get(kind, 0.8)
    return _COMPAT.get((intent, kind), 0.2)


def _label_verbs(label: str) -> list[str]:
    return [w for w in words(label) if w not in NEUTRAL_BUTTONS]


def intent_of(title: str, steps: list[Step], spec_verbs: set[str]) -> tuple[str, str, set[str]]:
    """What the task does and to what: the verb and nouns on its last meaningful button (the
    one that submits), else its heading's verb."""
    known = CREATE | UPDATE | DELETE | READ | spec_verbs
    for step in reversed(steps):
        for label, _off in reversed(step.labels):
            ws = _label_verbs(label)
            if not ws or len(words(label)) > 8:
                continue
            first = ws[0]
            if first in known and first not in ("list", "set", "check", "open", "view", "find", "search", "start"):
                cls = verb_class(first)
                nouns = {stem(w) for w in ws[1:] if w not in STOPWORDS and w not in UI_NOISE and not verb_class(w)}
                return (cls or "action"), first, nouns
    head = words(title)
    for w in head[:3]:
        if w in STOPWORDS:
            continue
        cls = verb_class(w)
        if w == "make" and head[-1] in STATE_WORDS:
            return "update", w, set()
        if cls:
            return cls, w, set()
        if w in spec_verbs:
            return "action", w, set()
        if w.startswith("re") and w[2:] in spec_verbs:
            return "action", w[2:], set()
        break
    return "unknown", "", set()


#: words after "make <thing>" that name a state, so the task changes a thing ("Make a repo public")
STATE_WORDS = {"public", "private", "internal", "default", "primary", "visible", "invisible", "hidden",
               "available", "unavailable", "active", "inactive", "readonly", "admin", "owner", "archived"}
#: where a heading's object phrase ends ("Add a member **to** a project")
_PHRASE_END = {"to", "from", "for", "with", "as", "in", "on", "into", "of", "by", "via", "using", "at",
               "and", "or", "so", "that", "when", "if", "without", "between", "under", "over", "you", "we",
               "they", "it", "which", "who", "whose", "where", "once", "after", "before", "while", "no", "not"}


#: verbs about belonging to a thing ("Join a team", "Leave a team"): never a plain update of it
#: ("Leave a comment" is a create, so creates are exempt)
MEMBERSHIP_VERBS = {"join", "leave"}


def title_action(title: str) -> tuple[str, list[str]]:
    """The heading's own verb and the nouns of its object phrase, in order ("Add a project member"
    -> ("add", [project, member])): what the task says it does, checked against the chosen
    operation so that a call on the right resource but doing something else abstains."""
    ws = [w for w in words(title) if len(w) > 1 or w.isdigit()]
    while ws and ws[0] in STOPWORDS:
        ws = ws[1:]
    if not ws:
        return "", []
    verb, nouns = ws[0], []
    for w in ws[1:]:
        if w in _PHRASE_END:
            if not nouns:  # "Unsubscribe from team emails": the object comes after the preposition
                continue
            break
        if (w not in STOPWORDS and w not in UI_NOISE and not verb_class(w) and w not in PATH_VERBS
                and w not in STATE_WORDS):
            nouns.append(stem(w))
    return verb, nouns


_PLACE_PREPS = {"to", "from", "in", "into", "for", "of"}  # not "on": "on every push" names an event, not a container


def title_place(title: str) -> str:
    """The head noun after the heading's object ("Add a tag **to a droplet**" -> droplet): the
    resource the task works inside, if it names one."""
    ws = [w for w in words(title) if len(w) > 1]
    seen_obj, after, head = False, False, ""
    for w in ws[1:]:
        if w in _PHRASE_END:
            if after and head:
                break
            if seen_obj and w in _PLACE_PREPS:
                after = True
            continue
        if w in STOPWORDS or w in UI_NOISE or verb_class(w) or w in STATE_WORDS:
            continue
        if after:
            head = stem(w)
        else:
            seen_obj = True
    return head


def _spec_resources(spec: SpecIndex) -> set[str]:
    """Every word of every literal path segment of the spec: the things it has endpoints for."""
    cached = getattr(spec, "_resources", None)
    if cached is None:
        cached = {t for op in spec.operations for seg in op.literal_segments for t in terms(seg)}
        try:
            object.__setattr__(spec, "_resources", cached)
        except Exception:  # noqa: BLE001 - a frozen/slotted index just recomputes
            pass
    return cached


def place_agreement(op: Operation, title: str, spec: SpecIndex) -> float:
    """0.6 when the heading works inside a resource the spec has endpoints for ("to a
    **droplet**") but this operation's path is under something else (``/firewalls/{id}/tags``)."""
    place = title_place(title)
    if not place or place not in _spec_resources(spec):
        return 1.0
    mine = {t for seg in op.literal_segments for t in terms(seg)}
    return 1.0 if _term_matches(place, mine) or any(_term_matches(t, {place}) for t in mine) else 0.6


def _in_op(term: str, op: Operation, object_terms: set[str]) -> bool:
    return (term in op.tf or _term_matches(term, object_terms) or any(_term_matches(t, {term}) for t in object_terms)
            or any(_term_matches(term, {t}) for t in op.tf))


def title_agreement(op: Operation, title: str, spec_verbs: set[str]) -> float:
    """0..1: whether the operation does what the heading says. A heading verb that names a special
    action ("Duplicate", "Archive", "Move") the operation never mentions means the call does
    something else (0.5); a create/update/delete/read heading whose head noun ("project
    **member**") the operation never mentions loses a quarter."""
    verb, nouns = title_action(title)
    if not verb:
        return 1.0
    obj = object_terms(op, spec_verbs)
    if not verb_class(verb):
        # only when the heading acts on the very resource a plain create/read/update/delete call
        # handles: "Duplicate a project" is not POST /projects, but "Send push events to CI" may
        # well be POST /hooks (the button says so), and "Stop a parcel" may be .../cancel
        op_verb = op_kind(op)[1]
        plain = not op_verb or op_verb in GENERIC_VERBS
        on_resource = any(_term_matches(n, obj) or any(_term_matches(t, {n}) for t in obj) for n in nouns)
        special = verb in PATH_VERBS or (verb in MEMBERSHIP_VERBS and op_kind(op)[0] != "create")
        if plain and on_resource and special and not _in_op(stem(verb), op, obj):
            return 0.5
        return 1.0
    if not nouns:
        return 1.0
    head = nouns[-1]
    if op.method == "DELETE" and not (_term_matches(head, obj) or any(_term_matches(t, {head}) for t in obj)):
        # a delete destroys its path's resource: "Remove a member from a team" or "Unsubscribe
        # from team emails" is never DELETE /teams/{id}, whatever else they share
        return 0.5
    if _in_op(head, op, obj):
        return 1.0
    return 0.75  # the head noun ("project **member**", "CI/CD **variable**") is what the task makes


def _delete_named(op: Operation, title: str, parts: dict[str, Any], spec_verbs: set[str]) -> bool:
    """A delete destroys something, so the task must name what: its button ("Delete **team**") or
    a heading that starts with the verb ("Delete a team"). A bare **Remove** or **Unsubscribe**
    under "Team settings" may be about anything on that page."""
    if parts.get("object", 0.0) > 0:
        return True
    verb, nouns = title_action(title)
    if verb_class(verb) != "delete" or not nouns:
        return False
    obj = object_terms(op, spec_verbs)
    return _term_matches(nouns[-1], obj) or any(_term_matches(t, {nouns[-1]}) for t in obj)


def _is_verb_segment(seg: str, op: Operation, spec_verbs: set[str]) -> bool:
    ws = words(seg)
    if len(ws) != 1:
        return False
    return (bool(verb_class(ws[0])) or ws[0] in spec_verbs or ws[0] in PATH_VERBS
            or stem(ws[0]) == stem(op_kind(op)[1] or "-"))


def object_terms(op: Operation, spec_verbs: set[str]) -> set[str]:
    """Words of the resource the operation acts on: its last path segment that is not a verb."""
    lits = op.literal_segments
    while lits and len(lits) > 1 and _is_verb_segment(lits[-1], op, spec_verbs):
        lits = lits[:-1]
    return set(terms(lits[-1])) if lits else set()


def object_match(op: Operation, nouns: set[str], spec_verbs: set[str], seg_terms: set[str] | None = None) -> float:
    """Share of the submit button's nouns ("Add **build hook**") found in the resource the
    operation acts on: the button names the object."""
    if not nouns:
        return 0.0
    seg_terms = object_terms(op, spec_verbs) if seg_terms is None else seg_terms
    if not seg_terms:
        return 0.0
    hits = [n for n in nouns if _term_matches(n, seg_terms) or any(_term_matches(t, {n}) for t in seg_terms)]
    return len(hits) / len(nouns)


def _term_matches(t: str, query: set[str]) -> bool:
    if t in query:
        return True
    for q in query:
        if len(t) >= 4 and len(q) > len(t) and q.endswith(t):
            return True
        if len(t) >= 5 and len(q) >= 5 and (q.startswith(t) or t.startswith(q)):
            return True
        if len(t) >= 6 and len(q) >= 6 and t[:6] == q[:6] and _shared_stem(t, q):
            return True
    return False


def _shared_stem(a: str, b: str) -> bool:
    """``messaging``/``message``, ``redeemed``/``redemption``: a common prefix of 80% of the shorter."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 0.8 * min(len(a), len(b))


def coverage_segments(op: Operation, spec_verbs: set[str] = frozenset()) -> list[list[str]]:
    """The path's resource words per segment, as :func:`coverage` compares them (static per op)."""
    out: list[list[str]] = []
    prev_terms: set[str] = set()
    segs = op.segments
    last_literal = max((i for i, s in enumerate(segs) if not s.startswith("{")), default=-1)
    for i, seg in enumerate(segs):
        is_param = seg.startswith("{")
        ts = [t for t in terms(seg.strip("{}")) if t not in NEUTRAL_SEGMENTS]
        if is_param:
            ts = [t for t in ts if t not in GENERIC_PARAM_WORDS and t not in prev_terms]
        if not ts:
            continue
        prev_terms = set(ts) | {stem(t) for t in ts}
        if i == last_literal and i > 0 and _is_verb_segment(seg, op, spec_verbs):
            continue
        nouns = [t for t in ts if not verb_class(t)]
        if nouns and not is_param:
            ts = nouns  # RPC-style "pins.add", "conversations.create": the verb is not the resource
        out.append(ts)
    return out


def coverage(op: Operation, query: set[str], spec_verbs: set[str] = frozenset(),
             segments: list[list[str]] | None = None, matches=None) -> float:
    """How much of the operation's path the task talks about (scope words like ``user`` excepted).

    A look-alike operation usually lives under a resource the task never mentions
    (``/charges/{charge}/refunds`` for a task about payments), so this separates near-twins that
    lexical scores cannot. A trailing action segment (``/send``, ``/rename``) is the verb, not
    the resource, and does not count. The resource acted on (the last one) counts double:
    parents are often left unsaid ("delete the label" under ``/projects/{id}/labels/{label_id}``).
    """
    segs = coverage_segments(op, spec_verbs) if segments is None else segments
    if not segs:
        return 0.5
    match = matches or (lambda t: _term_matches(t, query))
    total = weight = 0.0
    for i, ts in enumerate(segs):
        w = 2.0 if i == len(segs) - 1 else 1.0
        total += w * sum(1 for t in ts if match(t)) / len(ts)
        weight += w
    return total / weight


def _expand(query: dict[str, float], vocab: set[str], prefixes: dict[str, list[str]] | None = None) -> dict[str, float]:
    """Add the parts of compounds the spec knows (``webhook`` -> ``hook``, ``rebuild`` -> ``build``)
    and the spec's words that share a long stem (``messaging`` -> ``message``)."""
    out = dict(query)
    for q, w in query.items():
        if len(q) < 6:
            continue
        for v in (prefixes or {}).get(q[:6], ()):
            if v != q and _shared_stem(q, v):
                out[v] = max(out.get(v, 0.0), w * 0.7)
        for i in range(2, len(q) - 3):
            tail = q[i:]
            if tail in vocab and (q[:i] in vocab or i <= 3):
                out[tail] = max(out.get(tail, 0.0), w * 0.6)
                break
    return out


def build_query(title: str, steps: list[Step]) -> tuple[dict[str, float], set[str]]:
    """Weighted terms of a task (heading and labels weigh more) and the set of all its terms."""
    query: dict[str, float] = {}

    def add(text: str, weight: float, noise: float = 0.0) -> None:
        for w in words(text):
            if w in STOPWORDS or w in NAV_VERBS or len(w) < 2:
                continue
            # "section", "page", "field" are usually where to click, but a heading ("Add a
            # section") or a button ("Add section") may name a resource called just that
            weight_here = weight * noise if w in UI_NOISE else weight
            if not weight_here:
                continue
            t = stem(w)
            if verb_class(w) and w not in ("list",):
                weight_here *= 0.3
            old = query.get(t, 0.0)
            query[t] = min(max(old, weight_here) + 0.35 * min(old, weight_here), 3.0 * max(old, weight_here))

    add(title, 2.0, noise=1.0)
    for step in steps:
        text = _CODE.sub(" ", _LINK.sub(lambda m: m.group(1), step.text))
        add(text, 1.0)
        for label, _ in step.labels:
            add(label, 1.5, noise=0.5)
    # the same action under another name ("Rerun" a job is POST .../retry), a little lighter
    for t, w in list(query.items()):
        for syn in VERB_SYNONYMS.get(t, ()):
            query[syn] = max(query.get(syn, 0.0), 0.8 * w)
    all_terms = set(query) | {stem(w) for w in words(title)}
    return query, all_terms


@dataclass
class _OpFeatures:
    kind: str
    verb: str
    segments: list[list[str]]
    object_terms: set[str]


def _features(spec: SpecIndex) -> tuple[list[_OpFeatures], dict[str, list[int]], dict[str, list[str]]]:
    """Per-operation facts that never change for a spec, and term -> operations postings;
    computed once per loaded index so each document costs milliseconds."""
    cached = getattr(spec, "_features_cache", None)
    if cached is not None:
        return cached
    verbs = _spec_verbs(spec)
    feats = []
    postings: dict[str, list[int]] = {}
    for i, op in enumerate(spec.operations):
        kind, verb = op_kind(op)
        feats.append(_OpFeatures(kind, verb, coverage_segments(op, verbs), object_terms(op, verbs)))
        for t in op.tf:
            postings.setdefault(t, []).append(i)
    prefixes: dict[str, list[str]] = {}
    for t in sorted(spec.df):
        if len(t) >= 6:
            prefixes.setdefault(t[:6], []).append(t)
    cached = (feats, postings, prefixes)
    try:
        object.__setattr__(spec, "_features_cache", cached)
    except Exception:  # noqa: BLE001 - an index that refuses attributes just recomputes
        pass
    return cached


def prepare(spec: SpecIndex) -> SpecIndex:
    """Compute the per-operation grounding facts now (so they are cached with the index)."""
    _features(spec)
    return spec


@dataclass
class _RankTask:
    """What every operation is scored against: the task's query terms, intent, verb and button
    nouns, the spec's verbs, and memos shared across operations (term matches, object scores)."""

    qset: set[str]
    all_terms: set[str]
    intent: str
    verb: str
    nouns: set[str]
    spec_verbs: set[str]
    memo: dict[str, bool] = field(default_factory=dict)
    obj_memo: dict[frozenset[str], float] = field(default_factory=dict)

    def matches(self, t: str) -> bool:
        hit = self.memo.get(t)
        if hit is None:
            hit = self.memo[t] = _term_matches(t, self.qset)
        return hit

    def object_score(self, op: Operation, f: _OpFeatures) -> float:
        key = frozenset(f.object_terms)
        obj = self.obj_memo.get(key)
        if obj is None:
            obj = self.obj_memo[key] = object_match(op, self.nouns, self.spec_verbs, f.object_terms)
        return obj


def _nouns_named(op: Operation, f: _OpFeatures, nouns: set[str]) -> float:
    """The share of the button's nouns ("Enable **SAML authentication**") that appear somewhere in
    the operation; when none does, it is about something else (used by confidence)."""
    if not nouns:
        return 1.0
    return sum(1 for n in nouns if n in op.tf or any(_term_matches(t, {n}) or _term_matches(n, {t})
                                                     for t in f.object_terms)) / len(nouns)


def _score_operation(op: Operation, f: _OpFeatures, lex: float, task: _RankTask) -> tuple[float, dict[str, Any]]:
    """An operation's score (lexical x verb compatibility x coverage x object match, deprecated
    ones lower) and its parts."""
    c = compat(task.intent, task.verb, op, task.all_terms, kind_verb=(f.kind, f.verb))
    cov = coverage(op, task.qset, segments=f.segments, matches=task.matches)
    if task.verb and f.verb and f.verb not in GENERIC_VERBS and stem(f.verb) == stem(task.verb):
        cov = 0.5 + 0.5 * cov  # the task names the operation's own special verb ("Redeliver")
    obj = task.object_score(op, f)
    score = lex * c * (0.25 + 0.75 * cov) * (1.0 + 0.6 * obj) * (0.6 if op.deprecated else 1.0)
    named = _nouns_named(op, f, task.nouns)
    return score, {"lexical": lex, "compat": c, "coverage": cov, "object": obj, "named": named,
                   "intent": task.intent, "verb": task.verb}


def _agreement(op: Operation, spec: SpecIndex, title: str, parts: dict[str, Any], spec_verbs: set[str],
               form_labels: list[str], hits: set[tuple[int, int]]) -> float:
    """How well the operation agrees with the heading and place, lower for a DELETE the task does
    not name and for an update that has none of the fields the steps change."""
    agree = title_agreement(op, title, spec_verbs) * place_agreement(op, title, spec)
    if op.method == "DELETE" and not _delete_named(op, title, parts, spec_verbs):
        agree *= 0.5
    if op.method in ("PATCH", "PUT") and parts["intent"] != "create" and form_labels and not hits:
        # the steps change fields ("Allow guests") the update does not have: it cannot do it
        # (a PUT that creates, an upsert such as "New repository secret", is left alone)
        agree *= 0.6
    return agree


def _rerank_head(head: list[tuple[float, Operation, dict[str, Any]]], spec: SpecIndex, title: str,
                 steps: list[Step], spec_verbs: set[str]) -> list[tuple[float, Operation, dict[str, Any]]]:
    """Rerank the head by form fields: labels the steps fill in ("Default branch") that are fields
    of the operation (default_branch) tell twins apart that share every resource word."""
    n_labels = len({lab for s in steps for lab, _ in s.labels}) or 1
    form_labels = [lab for s in steps for lab, _ in s.labels
                   if not _is_button(lab) and not any(lab in crumb for crumb in s.crumbs)]
    out = []
    for score, op, parts in head:
        path_names = {p.name for p in op.params if p.location == "path"}
        hits = {(id(st), pos) for name, (sc, st, pos) in field_matches(op, title, steps).items()
                if sc >= 0.7 and st is not None and name not in path_names}
        frac = min(1.0, len(hits) / n_labels)
        parts["fields"] = frac
        parts["agree"] = _agreement(op, spec, title, parts, spec_verbs, form_labels, hits)
        out.append((score * (1.0 + 0.5 * frac), op, parts))
    out.sort(key=lambda x: (-x[0], len(x[1].path), x[1].path, x[1].method))
    return out


def rank(spec: SpecIndex, title: str, steps: list[Step]) -> list[tuple[float, Operation, dict[str, float]]]:
    """Every operation that shares a term with the task, scored, best first, with its score's parts."""
    query, all_terms = build_query(title, steps)
    feats, postings, prefixes = _features(spec)
    query = _expand(query, set(spec.df), prefixes)
    spec_verbs = _spec_verbs(spec)
    intent, verb, nouns = intent_of(title, steps, spec_verbs)
    task = _RankTask(set(query), all_terms, intent, verb, nouns, spec_verbs)
    candidates = sorted({i for t in query for i in postings.get(t, ())})
    lexical = [(spec.bm25(spec.operations[i], query), i) for i in candidates]
    # the other factors move a score by at most ~5x, so far weaker lexical matches cannot win
    floor = max((lx for lx, _ in lexical), default=0.0) / 8
    out = []
    for lex, i in lexical:
        if lex <= 0 or lex < floor:
            continue
        score, parts = _score_operation(spec.operations[i], feats[i], lex, task)
        out.append((score, spec.operations[i], parts))
    out.sort(key=lambda x: (-x[0], len(x[1].path), x[1].path, x[1].method))
    return _rerank_head(out[:RERANK], spec, title, steps, spec_verbs) + out[RERANK:]


def _spec_verbs(spec: SpecIndex) -> set[str]:
    cached = getattr(spec, "_verbs", None)
    if cached is None:
        cached = {op_kind(op)[1] for op in spec.operations} - {"", "get", "post", "put", "patch", "delete"}
        try:
            object.__setattr__(spec, "_verbs", cached)
        except Exception:  # noqa: BLE001 - a frozen/slotted index just recomputes
            pass
    return cached


def confidence(ranked: list[tuple[float, Operation, dict[str, float]]]) -> float:
    """0..1: how sure the top operation is right (coverage, verb agreement, margin, strength)."""
    if not ranked:
        return 0.0
    top, op, parts = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    margin = (top - second) / top if top > 0 else 0.0
    strength = min(1.0, parts["lexical"] / 12.0)
    conf = parts["coverage"] * (0.45 + 0.2 * margin + 0.35 * strength) * min(1.0, parts["compat"] + 0.2)
    special = parts["verb"] and stem(parts["verb"]) == stem(op_kind(op)[1] or "-") and parts["verb"] not in GENERIC_VERBS
    if not special:  # a task that names the operation's own special verb ("Redeliver") needs no nouns
        conf *= 0.6 + 0.4 * parts.get("named", 1.0)
    conf *= parts.get("agree", 1.0)
    return round(max(0.0, min(1.0, conf)), 3)


# ---------------------------------------------------------------------------------------------
# parameters: form labels and values in the steps -> the operation's fields


@functools.lru_cache(maxsize=65536)
def _leaf_terms(name: str) -> tuple[str, ...]:
    leaf = name.split(".")[-1]
    ts = tuple(stem(w) for w in words(leaf) if w not in STOPWORDS)
    non_id = tuple(t for t in ts if t != "id")
    return non_id or ts


@functools.lru_cache(maxsize=65536)
def _phrase_terms(text: str) -> frozenset[str]:
    return frozenset({stem(w) for w in words(text) if w not in STOPWORDS})


def _match_label(param: Param, label: str) -> float:
    """How well a UI label names an API field: 'Payload URL' ~ config.url, 'Title' ~ name."""
    return _match_label_cached(param.name, param.description, label)


@functools.lru_cache(maxsize=65536)
def _match_label_cached(name: str, description: str, label: str) -> float:
    lt = _phrase_terms(label) - LABEL_NOISE
    pt = _leaf_terms(name)
    if not lt and not pt:  # fields named by a stopword alone: Twilio's "To" and "From"
        return 1.0 if words(label) == words(name.split(".")[-1]) else 0.0
    if not lt or not pt:
        return 0.0
    if set(pt) == lt:
        return 1.0
    hits = [t for t in pt if _term_matches(t, lt)]
    if hits:
        frac = len(hits) / len(pt)
        if frac == 1.0:
            return 0.6 + 0.3 * min(1.0, len(pt) / len(lt))
        if any(len(h) >= 4 and h not in GENERIC_PARAM_WORDS for h in hits) and frac >= 0.5:
            return 0.6
    if len(pt) == 1 and len(lt) == 1 and next(iter(lt)) in SYNONYMS.get(pt[0], set()):
        return 0.7
    if len(lt) >= 3 and description:
        dt = _phrase_terms(description)
        overlap = len(lt & dt) / len(lt)
        if overlap >= 0.6:
            return 0.55
    sm = difflib.SequenceMatcher(None, " ".join(pt), " ".join(sorted(lt)))
    return 0.5 if sm.real_quick_ratio() >= 0.85 and sm.quick_ratio() >= 0.85 and sm.ratio() >= 0.85 else 0.0


def _mentioned(param: Param, text_terms: set[str], label_terms: set[str]) -> bool:
    pt = _leaf_terms(param.name)
    raw = [w for w in words(param.name.split(".")[-1]) if w != "id"]
    if not pt or len(pt) < len(raw) and len(pt) == 1:
        return False  # "send_at" is not mentioned by "send": its other word was a stopword
    if len(pt) == 1:
        t = pt[0]
        if t in {"type", "id", "data", "object", "item", "kind", "number", "value"}:
            return t in label_terms
        if t in GENERIC_PARAM_WORDS:
            return t in text_terms or any(s in text_terms for s in SYNONYMS.get(t, ()))
        return _strict_match(t, text_terms) or (t in SYNONYMS and bool(SYNONYMS[t] & text_terms))
    hits = [t for t in pt if _strict_match(t, text_terms)]
    # half the words will do, but never without the last one, which names the thing: "domain" says
    # custom_domain, not domain_aliases
    return len(hits) == len(pt) or (len(hits) * 2 >= len(pt) and pt[-1] in hits and any(
        len(h) >= 4 and h not in GENERIC_PARAM_WORDS for h in hits))


_MINOR_UNITS = re.compile(r"(?i)\bcents?\b|smallest currency unit|minor unit")
_MIME = re.compile(r"(application|text|image|audio|video|multipart)/[\w.+-]+")
_NEGATIVE = re.compile(r"(?i)\b(uncheck(ed)?|untick(ed)?|unselect(ed)?|clear(ed)?|disable[ds]?|turn(ed)? off|"
                       r"not checked|leave [^.]*unchecked|do not|don't|off)\b")


def _coerce(param: Param, value: str, labels: list[str]) -> Any:
    """A step's value in the field's type and, for enums, the spec's spelling of it."""
    if param.enum:
        options = [str(e) for e in param.enum]
        cands = [value, *labels]
        for cand in cands:
            norm = re.sub(r"[^a-z0-9]+", "_", cand.lower()).strip("_")
            for e in options:
                if cand == e or norm == re.sub(r"[^a-z0-9]+", "_", e.lower()).strip("_"):
                    return e
        for e in options:
            if len(e) >= 3 and re.search(r"(?i)(?<![a-z0-9])" + re.escape(e) + r"(?![a-z0-9])", value):
                return e
    t = param.item_type if param.type == "array" else param.type
    if t in ("integer", "number"):
        try:
            num = float(value.replace(",", "").lstrip("$€£¥"))
            if t == "integer" and "." in value and _MINOR_UNITS.search(param.description or ""):
                return int(round(num * 100))  # "15.00" for a field "in cents" is 1500
            return int(num) if num.is_integer() else num
        except ValueError:
            return value
    if t == "boolean":
        return value.lower() in ("true", "yes", "on", "1")
    return value


@dataclass
class _Filled:
    params: dict[str, Any]  # dotted name -> value (literal or "$PLACEHOLDER")
    placeholders: dict[str, str]  # placeholder -> field name
    notes: list[str]


def _placeholder(name: str, taken: dict[str, str]) -> str:
    leaf = name.split(".")[-1]
    for cand in (leaf, name):
        var = "$" + env_name(cand)
        if var not in taken or taken[var] == name:
            taken[var] = name
            return var
    return var


def _strict_match(t: str, pool: set[str]) -> bool:
    """Term equality, or a shared stem of 5+ letters (``percent``/``percentage``); no compounds."""
    if t in pool:
        return True
    return len(t) >= 5 and any(len(q) >= 5 and (q.startswith(t) or t.startswith(q)) for q in pool)


def _task_terms(title: str, steps: list[Step]) -> tuple[set[str], set[str]]:
    labels = [lab for s in steps for lab, _ in s.labels]
    label_terms = set().union(*[_phrase_terms(lab) for lab in labels]) if labels else set()
    text_terms = set(label_terms) | _phrase_terms(title)
    for s in steps:
        text_terms |= _phrase_terms(_CODE.sub(" ", s.text))
    return text_terms, label_terms


def _is_button(label: str) -> bool:
    """A submit button ("Create promotion code", "Save") names the action, never a field."""
    ws = words(label)
    return bool(ws) and (ws[0] in NEUTRAL_BUTTONS or ws[0] in CREATE | DELETE | PATH_VERBS | {"update"})


_CHOICE_VERBS = {"select", "choose", "pick", "filter", "set", "check", "tick", "mark"}


def _picked_option(options: set[str], steps: list[Step]) -> tuple[Step, int] | None:
    """A label that is one of a field's allowed values, chosen with a choice verb ("select
    **Done**", "filter by **Open**"); clicking a button that happens to be called "Done" is not."""
    for s in steps:
        for lab, off in s.labels:
            if lab.lower() not in options:
                continue
            at = s.text.lower().find(lab.lower())
            before = [w for w in words(s.text[:at]) if w in UI_VERBS_FLAT] if at >= 0 else []
            if before and before[-1] in _CHOICE_VERBS:
                return s, off + len(lab)
    return None


UI_VERBS_FLAT = _CHOICE_VERBS | {"click", "press", "tap", "open", "go", "navigate", "enter", "type", "paste",
                                 "toggle", "hover", "expand"}


def _form_fields(op: Operation) -> list[Param]:
    """The fields a form label can name: path and query parameters and body fields, less a nested
    field named like a top-level one (an echo such as published_deploy.site_id is never what a
    form label means)."""
    fields = [p for p in op.params if p.location in ("path", "query")] + list(op.body)
    top_names = {p.name for p in fields if "." not in p.name}
    return [p for p in fields if "." not in p.name or p.name.rsplit(".", 1)[1] not in top_names]


def _input_labels(steps: list[Step]) -> list[tuple[Step, str, int]]:
    """Labels that may name form inputs: breadcrumbs say where to go, buttons what to do, so neither."""
    return [(s, lab, off) for s in steps for lab, off in s.labels
            if not _is_button(lab) and not any(lab in crumb for crumb in s.crumbs)]


def _body_envelope(op: Operation) -> str | None:
    """{"data": {...}}: a body whose only field is an object is an envelope, not a thing to name."""
    tops = [b for b in op.body if "." not in b.name]
    return tops[0].name if len(tops) == 1 and tops[0].type == "object" else None


def _nesting_penalty(p: Param, envelope: str | None, text_terms: set[str]) -> float:
    """Nested fields score a little lower, and more when the steps never name their parent object."""
    depth = p.name.count(".")
    penalty = 0.05 * depth
    top = p.name.split(".")[0]
    if depth and top != envelope and not all(_strict_match(t, text_terms) for t in _leaf_terms(top)):
        penalty += 0.1  # the parent object is never named: prefer fields the steps place
    return penalty


def _labelled_fields(op: Operation, fields: list[Param], parents: set[str], steps: list[Step],
                     text_terms: set[str]) -> dict[str, tuple[float, Step | None, int]]:
    """Fields named by a form label, best pairs first: each label names at most one field."""
    label_list = _input_labels(steps)
    envelope = _body_envelope(op)
    pairs = []
    for p in fields:
        if p.name in parents:
            continue  # a form label names an input, not the object that groups inputs
        depth = p.name.count(".")
        penalty = _nesting_penalty(p, envelope, text_terms)
        for li, (_s, lab, _off) in enumerate(label_list):
            sc = _match_label(p, lab) - penalty
            if sc >= 0.5:
                pairs.append((sc, -depth, -len(p.name), p.name, li))
    pairs.sort(key=lambda x: (-x[0], -x[1], -x[2], x[3], x[4]))
    out: dict[str, tuple[float, Step | None, int]] = {}
    used_labels: set[int] = set()
    for sc, _d, _l, name, li in pairs:
        if name in out or li in used_labels:
            continue
        s, lab, off = label_list[li]
        out[name] = (sc, s, off + len(lab))
        used_labels.add(li)
    return out


def _add_media_type_field(fields: list[Param], parents: set[str], steps: list[Step],
                          out: dict[str, tuple[float, Step | None, int]]) -> None:
    """A media type typed in a step (`application/json`) fills the field named for media types."""
    mime = next(((st, off) for st in steps for v, off in st.values if _MIME.fullmatch(v)), None)
    if not mime:
        return
    for p in fields:
        leaf = set(_leaf_terms(p.name))
        if p.name not in out and p.name not in parents and (
                {"content", "type"} <= leaf or leaf & {"mime", "media", "format"}):
            out[p.name] = (0.7, mime[0], mime[1])
            break


def _add_enum_fields(fields: list[Param], steps: list[Step],
                     out: dict[str, tuple[float, Step | None, int]]) -> None:
    """Enum fields one of whose allowed values a step types, or picks by its label."""
    for p in fields:
        if p.name in out or not p.enum:
            continue
        # a value typed in a step that is one of the field's allowed values names the field
        options = {str(e).lower() for e in p.enum if isinstance(e, str) and len(str(e)) >= 3}
        hit = next(((s, off) for s in steps for v, off in s.values if v.lower() in options), None)
        if not hit:  # an option picked by its label: "select **Done**" is status=done
            hit = _picked_option(options, steps)
        if hit:
            out[p.name] = (0.8, hit[0], hit[1])


def _add_mentioned_fields(fields: list[Param], steps: list[Step], text_terms: set[str], label_terms: set[str],
                          out: dict[str, tuple[float, Step | None, int]]) -> None:
    """Top-level query and body fields the task's text names, though no label does."""
    for p in fields:
        if p.name in out or p.location == "path" or "." in p.name:
            continue
        if _mentioned(p, text_terms, label_terms):
            st, pos = _mention_step(p, steps)
            out[p.name] = (0.5, st, pos)


def field_matches(op: Operation, title: str, steps: list[Step]) -> dict[str, tuple[float, Step | None, int]]:
    """Which of the operation's fields the steps fill in, and where: each UI label names at most
    one field (the best: top-level before nested), and top-level fields the text names count too."""
    text_terms, label_terms = _task_terms(title, steps)
    fields = _form_fields(op)
    parents = {p.name.rsplit(".", 1)[0] for p in fields if "." in p.name}
    out = _labelled_fields(op, fields, parents, steps, text_terms)
    _add_media_type_field(fields, parents, steps, out)
    _add_enum_fields(fields, steps, out)
    _add_mentioned_fields(fields, steps, text_terms, label_terms, out)
    return out


@dataclass
class _FillContext:
    """What every field's value is drawn from: the task, the values its steps give, and the
    placeholders handed out so far (``$VAR`` -> field name; filled in order, so names stay unique)."""

    title: str
    steps: list[Step]
    values: dict[str, list[Any]]
    taken: dict[str, str]


def _chosen_fields(fields: list[Param], matched: dict[str, tuple[float, Step | None, int]],
                   named_enums: dict[str, Any]) -> dict[str, tuple[float, Step | None, int]]:
    """The fields the call carries: those the steps name, the heading's action enum, and the
    required ones (a required nested field only when its parent is wanted)."""
    chosen: dict[str, tuple[float, Step | None, int]] = {}
    for p in fields:
        if p.location == "header":
            continue
        if p.name in matched:
            chosen[p.name] = matched[p.name]
        elif p.name in named_enums:
            chosen[p.name] = (0.9, None, -1)
        elif p.required:
            parent = p.name.rsplit(".", 1)[0] if "." in p.name else None
            if parent is None or parent in matched or any(q.name == parent and q.required for q in fields):
                chosen[p.name] = (0.0, None, -1)
    return chosen


def _with_parents(chosen: dict[str, tuple[float, Step | None, int]]) -> set[str]:
    """The chosen field names plus their parents: a wanted nested field brings its parent object along."""
    names = set(chosen)
    for name in list(chosen):
        parent = name.rsplit(".", 1)[0] if "." in name else None
        if parent and parent not in names:
            names.add(parent)
    return names


def _stated_value(p: Param, step: Step | None, ctx: _FillContext) -> Any:
    """The value the steps give for ``p`` (a file is always a placeholder curl reads), or None."""
    if p.type == "file":
        return "@" + _placeholder(p.name, ctx.taken)  # -F file=@$FILE: curl reads the file
    if p.type == "boolean":
        return _boolean(p, step, ctx.title)
    if p.name in ctx.values:
        given = ctx.values[p.name]
        if p.type == "array":
            return [_coerce(p, v, []) for v in given]
        labels_here = [lab for lab, _ in step.labels] if step else []
        return _coerce(p, given[0], labels_here)
    return None


def _picked_enum(p: Param, step: Step, pos: int, steps: list[Step]) -> Any:
    """The allowed value of ``p`` a label of its step names, the nearest to where the field was found
    ("click **Done**, then pick **Open**"), else one any step's labels coerce to; or None."""
    options = {re.sub(r"[^a-z0-9]+", "_", str(e).lower()).strip("_"): e for e in p.enum}
    near = sorted(step.labels, key=lambda lo: abs(lo[1] + len(lo[0]) - pos) if pos >= 0 else 0)
    here = [options[k] for k in (re.sub(r"[^a-z0-9]+", "_", lab.lower()).strip("_")
                                 for lab, _o in near) if k in options]
    if not here:
        here = [e for e in (_coerce(p, "", [lab for s2 in steps for lab, _ in s2.labels]),)
                if str(e) in {str(x) for x in p.enum}]
    if here:
        return here if p.type == "array" else here[0]
    return None


def _default_value(p: Param, taken: dict[str, str]) -> Any:
    """A value the steps do not give: the only allowed one, the spec's default, or a placeholder."""
    if p.required and p.enum and len(p.enum) == 1:
        return p.enum[0]
    if p.required and p.default is not None and p.type != "object":
        return p.default
    if p.type == "array":
        return [_placeholder(p.name, taken)]
    return _placeholder(p.name, taken)


def _field_value(p: Param, sc: float, step: Step | None, pos: int, ctx: _FillContext) -> Any:
    """The value one field gets in the call: path parameters a sure value or a placeholder; other
    fields the stated value, an enum option the labels pick, or a default."""
    if p.location == "path":
        given = ctx.values.get(p.name)
        return given[0] if given and sc >= 0.9 else _placeholder(p.name, ctx.taken)
    value = _stated_value(p, step, ctx)
    if value is None and p.enum and step is not None:
        value = _picked_enum(p, step, pos, ctx.steps)
    if value is None:
        value = _default_value(p, ctx.taken)
    return value


def _short_description(text: str) -> str:
    """A field's description as a note: links unwrapped, first sentence, at most ~100 characters."""
    desc = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text or "").strip()
    desc = re.split(r"(?<=[.!?])\s", desc, maxsplit=1)[0]
    if len(desc) > 100:
        desc = desc[:100].rsplit(" ", 1)[0] + "…"
    return desc


def _placeholder_notes(fields: list[Param], taken: dict[str, str]) -> list[str]:
    """One note per placeholder of a non-path field: its field, type and what it is."""
    by_name = {p.name: p for p in fields}
    notes: list[str] = []
    for var, name in taken.items():
        p = by_name.get(name)
        if p is None or p.location == "path":
            continue  # path placeholders get their own note (where the value comes from)
        desc = _short_description(p.description)
        kind = f"{p.type}{', required' if p.required else ''}"
        notes.append(f"`{var}`: `{name}` ({kind})" + (f": {desc}" if desc else ""))
    return notes


def fill_parameters(op: Operation, spec: SpecIndex, title: str, steps: list[Step]) -> _Filled:
    """Required fields, plus the fields the steps name, with the values the steps give."""
    fields = [p for p in op.params if p.location in ("path", "query", "header")] + list(op.body)
    matched = field_matches(op, title, steps)
    # an actions sub-resource's type the heading names ("Power off" -> type: power_off)
    title_words = words(title)
    named_enums = {p.name: v for p in fields if p.location != "path" and p.name not in matched
                   and (v := heading_enum_value(title_words, p)) is not None}
    chosen = _chosen_fields(fields, matched, named_enums)
    names = _with_parents(chosen)
    values = _assign_values([p for p in fields if p.name in names], chosen, steps)
    _heading_field_value(fields, names, values, title, steps)
    for name, v in named_enums.items():
        values.setdefault(name, [v])
    ctx = _FillContext(title, steps, values, {})
    params: dict[str, Any] = {}
    for p in fields:
        if p.name not in names:
            continue
        if p.type == "object" and any(n.startswith(p.name + ".") for n in names):
            continue  # rendered through its children
        sc, step, pos = chosen.get(p.name, (0.0, None, -1))
        params[p.name] = _field_value(p, sc, step, pos, ctx)
    return _Filled(params, dict(ctx.taken), _placeholder_notes(fields, ctx.taken))


#: enum fields whose values name what a call does (an actions sub-resource's ``type``)
ACTION_FIELDS = {"type", "action", "status", "state", "event", "command", "operation", "kind"}
#: verbs that only carry their noun ("**Take** a snapshot", "**Make** a copy"): the noun is the action
LIGHT_VERBS = {"take", "make", "do", "perform", "run", "initiate", "trigger", "execute", "create", "start"}


def _same_word(a: str, b: str) -> bool:
    """Words of an enum value against a heading's (``closed``/``close``, ``power``/``power``)."""
    if a == b or stem(a) == stem(b):
        return True
    return len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)) and abs(len(a) - len(b)) <= 2


def heading_enum_value(title_words: list[str], param: Param) -> Any | None:
    """The value of an action-like enum field (``type``, ``action``, ``status``...) that is the heading's
    action ("Power off a Droplet" -> ``power_off``, "Take a snapshot" -> ``snapshot``, "Close a
    topic" -> ``closed``), or None. The value must carry the heading's verb, or after a light verb its
    noun: a value that is only the place ("droplet") names a kind of thing, not an action."""
    if not param.enum or param.location == "path" or not title_words:
        return None
    leaf = words(param.name.split(".")[-1])
    if not leaf or leaf[-1] not in ACTION_FIELDS:
        return None
    verb, nouns = title_action(" ".join(title_words))
    keys = [k for k in [verb, *(nouns[:1] if verb in LIGHT_VERBS else [])] if k]
    return next((e for e in param.enum if isinstance(e, str) and _names_action(words(e), title_words, keys)), None)


def _names_action(ew: list[str], title_words: list[str], keys: list[str]) -> bool:
    """An enum value's words (at most three, not all stopwords) are all in the heading, and one
    of them is the heading's verb (or, after a light verb, its noun)."""
    if not ew or len(ew) > 3 or all(w in STOPWORDS for w in ew):
        return False
    return all(any(_same_word(w, tw) for tw in title_words) for w in ew) and any(
        _same_word(w, k) for w in ew for k in keys)


def _heading_field_value(fields: list[Param], names: set[str], values: dict[str, list[str]], title: str,
                         steps: list[Step]) -> None:
    """"Add a custom domain ... enter `www.example.com`": the field the heading names (custom_domain)
    takes the one value the steps type that no other field took, wherever it stands."""
    _verb, nouns = title_action(title)
    if not nouns:
        return
    phrase = tuple(nouns)
    target = [p for p in fields if p.name in names and p.name not in values and "." not in p.name
              and p.location == "body" and p.type == "string" and (
                  (leaf := tuple(stem(w) for w in words(p.name))) == phrase or (len(phrase) >= 2 and leaf == phrase[1:]))]
    used = {v for vs in values.values() for v in vs}
    free = [v for st in steps for v, _off in st.values if v not in used]
    if len(target) == 1 and len(free) == 1:
        values[target[0].name] = free


def _assign_values(fields: list[Param], chosen: dict[str, tuple[float, Step | None, int]],
                   steps: list[Step]) -> dict[str, list[str]]:
    """Give each value a step types in (`SPRING25`, a URL) to the field named closest to it in the
    same step; closest pairs first, each value used once (arrays take all values of their step)."""
    pairs = []
    for p in fields:
        if p.type in ("boolean", "object", "file"):  # a file is uploaded from a path, never typed
            continue
        _sc, step, pos = chosen.get(p.name, (0.0, None, -1))
        if step is None:
            continue
        for i, (_v, off) in enumerate(step.values):
            d = abs(off - pos)
            if d <= 90:
                pairs.append((d, p.name, step.line, i, p.type == "array"))
    pairs.sort()
    out: dict[str, list[str]] = {}
    used: set[tuple[int, int]] = set()
    step_by_line = {s.line: s for s in steps}
    for _d, name, line, i, is_array in pairs:
        if name in out or (line, i) in used:
            continue
        st = step_by_line[line]
        if is_array:
            picked = [j for j in range(len(st.values)) if (line, j) not in used]
            out[name] = [st.values[j][0] for j in picked]
            used |= {(line, j) for j in picked}
        else:
            out[name] = [st.values[i][0]]
            used.add((line, i))
    return out


def _mention_step(p: Param, steps: list[Step]) -> tuple[Step | None, int]:
    pt = _leaf_terms(p.name)
    for s in steps:
        lower = s.text.lower()
        for t in pt:
            i = lower.find(t[:5])
            if i >= 0:
                return s, i + len(t)
    return None, -1


def _boolean(p: Param, step: Step | None, title: str) -> Any:
    if step is None:
        return True if p.default is None else p.default
    text = step.text
    leaf = p.name.split(".")[-1]
    negative = bool(_NEGATIVE.search(text))
    value = not negative
    # "leave Allow write access unchecked" says read_only: a negated "write" is a positive "read"
    if "read" in leaf and "write" in text.lower():
        value = negative
    return value
