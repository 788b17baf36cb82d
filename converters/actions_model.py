"""Click-to-curl decision: a small logistic model over the ranker's features picks the operation and
says how sure it is.

Why a model: the ranker (:mod:`.actions_match`) orders operations well, but hand-set confidence
formulas were not calibrated: wrong calls came out at 0.80-0.88 on APIs never seen, right ones at
0.2-0.4. Here each of the ranker's top :data:`K` candidates is described by features that name a
*class* of API, never a product (how much of the path the task covers, whether the verb fits, whether
the path is item-scoped while the steps edit an existing item, whether the path sits under a scope such
as ``admin`` or ``accounts`` the steps never mention, RPC-style method paths...), and a logistic model
gives each candidate the probability that it is the call. The same model orders the candidates (a
conditional logit over them and "none of these": it ranks by its own evidence, not by the ranker's
position) and says how sure it is. The best candidate is emitted when that probability reaches the
threshold; the probability *is* the confidence.

Features that matter most on unseen products describe the shape of a path against the heading: which
segment is the heading's object, whether it is one existing item (``/sites/{site_id}``) or a
collection, whether the heading's object is a *field* of a resource ("Add a custom domain" sets
``custom_domain`` on the site: an update of it), whether an actions sub-resource's ``type`` enum names
the heading's action, whether the heading's place is the call's parent ("to a playlist"). Classes of
wrong call with no exception in the dev set are vetoes (:data:`VETOES`): such a candidate leaves the
race, its share going to the others and to "none".

The weights (``actions_model.json``, shipped in the package) are trained by
``benchmarks/actions_train.py`` on the dev set, and the figures the README reports come from
leave-one-product-out runs (each product scored by a model that never saw it). Pure: no I/O but
reading that JSON once.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .actions_detect import Step
from .actions_match import (
    _PLACE_PREPS,
    GENERIC_VERBS,
    LIGHT_VERBS,
    MEMBERSHIP_VERBS,
    STATE_WORDS,
    _spec_resources,
    _spec_verbs,
    build_query,
    confidence,
    heading_enum_value,
    object_terms,
    op_kind,
    place_agreement,
    title_action,
    title_agreement,
    title_place,
)
from .actions_words import NEUTRAL_SEGMENTS, verb_class
from .openapi import STOPWORDS, Operation, SpecIndex, stem, terms, words

#: rule signals with no exception in the dev set (0 right calls among the candidates they flag), each
#: a class of wrong call, never a product's quirk: a flagged candidate is out of the race (its share
#: goes to the others and to "none"; shown last, with a capped probability) in training as at use
VETOES = {"nested_elsewhere": 1.0, "title_mismatch": 0.5,
          # "Add an SSH key" is never PUT /sshkeys/{sshKeyId}; "Add a song to a playlist" never creates
          # the playlist; "Add a custom domain" never creates the site whose field it is; a heading
          # about the product's own interface ("... in the list view") has no API call
          "create_x_item_update": 1.0, "place_is_created": 1.0, "field_phrase_x_create": 1.0, "ui_heading": 1.0,
          # "Leave a team" is never "Create a team" (nor "Leave a comment" surely a create: left manual)
          "membership_x_create": 1.0,
          # "... for all your meetings" is a default over every item, never a call on one of them
          "all_of_them_x_one": 1.0,
          # ``/user/gpg_keys`` for "Add an SSH key", ``lock_settings`` for the settings: the resource's
          # own rare qualifier, never said in the steps, makes it a look-alike
          "qualifier_unmentioned": 1.0,
          # a create/change/remove heading is never a GET; a create/change one never a DELETE
          "explicit_conflict": 1.0,
          # ``/issuetypescheme/.../issuetype/move`` for "Move an issue": a resource about issues, not one
          "meta_object": 1.0,
          # "Change the repository description" is never PATCH /user/settings: the heading edits a field
          # of a resource it names, and the call is not under that resource
          "owner_elsewhere": 1.0,
          # "Add an SSH key" is never ``/user/gpg_keys``: the heading's kind of key is not the path's
          "qualifier_conflict": 1.0,
          # a heading that only names a page ("## Team settings") with no "New"/"Create"/"Add" button is
          # never a create (no dev task has one; the class comes from the mini-spec regression tests)
          "create_unasked": 1.0,
          # ``/orgs/{org}/repos`` for "Create a repository" while ``/user/repos`` is a candidate too: the
          # same call under a scope or parent the steps never name, beside one they account for
          "scoped_twin": 1.0,
          # "Turn on two-step verification" is never ``PUT /users/{user_id}``: nothing of the switched
          # thing is in the call (path, parameters, enum values)
          "toggle_target_absent": 1.0,
          # "Power off **a** Droplet" is never ``POST /droplets/actions`` (every droplet with a tag)
          # while ``POST /droplets/{id}/actions`` has the same action: the bulk twin of an item's action
          "bulk_action_twin": 1.0,
          # "Update your profile bio" is never ``PATCH /users/{user_id}`` when ``PATCH /me`` is there
          "caller_twin": 1.0}
VETO_CAP = 0.3
K = 10  # candidates the model looks at (recall@10 of the ranker bounds what it can pick)
#: how deep below the top :data:`K` an operation whose ``type``/``action`` enum names the heading's
#: action is still brought into the pool (``POST /droplets/{id}/actions`` with ``type: snapshot``
#: shares few words with "Take a snapshot of a Droplet", so the lexical ranker puts it low)
POOL_DEPTH = 60

#: path words that put an operation in a scope: whose settings, whose keys (the caller's, an
#: account's, an organisation's, a site administrator's)
SCOPE_WORDS = {"admin", "administrator", "account", "user", "me", "profile", "organization", "workspace",
               "team", "enterprise", "group", "member", "site", "global", "instance", "tenant", "owner"}
#: words in steps that name the caller's own scope ("your profile", "my settings")
PERSONAL_WORDS = {"your", "my", "me", "personal", "profile", "own", "yourself"}
#: path words meaning "the caller" (``/me``, ``/user/keys``, ``/profile``)
PERSONAL_SCOPE = {"me", "user", "profile", "self", "current", "my"}
ADMIN_WORDS = {"admin", "administrator", "administration", "enterprise", "superuser"}
#: words that say the steps work on an item that already exists
EDIT_WORDS = {"edit", "change", "rename", "update", "modify", "existing", "adjust", "replace"}
#: words of pages where existing things are configured ("Site configuration > Domain management")
SETTINGS_WORDS = {"settings", "configuration", "configure", "manage", "management", "preferences", "details"}
#: words of a heading about the product's own interface, which an API rarely configures
UI_PLACES = {"view", "portal", "client", "desktop", "browser", "keyboard", "shortcut", "shortcuts", "theme",
             "display", "sidebar", "dashboard", "layout", "interface", "ui", "screen", "window", "menu"}
#: words that name a piece of the product's own software wherever they stand in a heading
UI_ONLY = {"keyboard", "shortcut", "shortcuts", "desktop", "browser", "hotkey", "hotkeys"}
#: articles, possessives and prepositions: a heading with one is a task, not a page's name
_PHRASE_WORDS = {"a", "an", "the", "your", "my", "our", "their", "its", "this", "that", "to", "for", "of", "in", "on",
                 "from", "with", "into", "by", "at", "as"}
_DOTTED = re.compile(r"^[A-Za-z]+(\.[A-Za-z]+)+$")

FEATURES = [
    "bias", "log_lex", "lex_rel", "compat", "coverage", "object", "named",
    "fields", "agree", "margin", "verb_match", "heading_verb_in_op", "heading_nouns", "item_scoped",
    "edit_x_item", "edit_x_collection_create", "create_x_item", "create_x_collection_create",
    "scope_unmentioned", "scope_mentioned", "admin_unmentioned", "personal_x_personal_scope",
    "personal_x_other_scope", "rpc_style", "special_verb_unnamed", "deprecated", "depth", "n_path_params",
    "lex_strength", "top_lex_strength", "top_coverage", "top_named", "personal_unmentioned", "get_x_nonread",
    "delete_x_nondelete", "verb_class_conflict", "head_is_object", "head_is_field", "create_x_head_not_object",
    "unmentioned_parents", "rule_confidence", "place_mismatch", "title_mismatch",
    "nested_elsewhere", "settings_x_item", "settings_x_collection_create", "field_x_item",
    "field_x_collection_create", "create_x_update_verb", "update_x_create_verb",
    # second generation (issue 14): resource nouns against path shape, enum-named actions
    "object_unmentioned", "head_phrase_object", "heading_nouns_path", "noun_item", "place_parent",
    "place_is_created", "enum_action", "method_fits", "method_conflict", "field_phrase_x_item",
    "field_phrase_x_create", "pool_extra", "ui_heading", "qualifier_unmentioned", "create_x_item_update",
    "heading_resources", "membership_x_create", "named_resource_elsewhere", "all_of_them_x_one", "bulk_twin",
    "explicit_conflict", "meta_object",
    # third generation (session 5): words the spec says only in its prose, and whose field it is
    "alias_object", "owner_elsewhere", "qualifier_conflict", "create_unasked",
    # fourth generation (session 6): the same call under another scope or parent; a toggle whose
    # target the call never names
    "scoped_twin", "toggle_target_absent", "bulk_action_twin", "caller_twin",
]


_GROUP = {"create": "write", "update": "write", "upsert": "write", "delete": "delete", "read": "read"}


def _op_terms(op: Operation) -> set[str]:
    return {t for seg in op.literal_segments for t in terms(seg)}


def _is_item_scoped(op: Operation) -> bool:
    """The path ends in an item's id (``/sites/{site_id}``, ``/Numbers/{Sid}.json``): it acts on one
    existing thing, never makes a new one."""
    segs = op.segments
    return bool(segs) and segs[-1].startswith("{")


def _is_rpc(op: Operation) -> bool:
    """A method-name path (``/conversations.setTopic``, ``/sendMessage``): one literal segment that
    reads as a call, not a resource."""
    lits = op.literal_segments
    if len(op.segments) != 1 or len(lits) != 1:
        return False
    seg = lits[-1]
    ws = words(seg)
    return bool(_DOTTED.match(seg)) or (len(ws) >= 2 and bool(verb_class(ws[0]) or ws[0] in GENERIC_VERBS))


def rpc_kind(op: Operation) -> tuple[str, str] | None:
    """(kind, verb) read from a method-name path (``/conversations.setTopic`` -> update, set):
    there the method is always POST, so the name says what the call does."""
    if not _is_rpc(op):
        return None
    ws = words(op.literal_segments[-1].split(".")[-1])
    if not ws:
        return None
    cls = verb_class(ws[0]) or verb_class(stem(ws[0]))
    return (cls or "action"), ws[0]


class TaskContext:
    """What every candidate's features need from one task, computed once."""

    def __init__(self, title: str, steps: list[Step], spec: SpecIndex | None = None) -> None:
        self.spec = spec
        self.title = title
        self._read_spec(spec)
        query, all_terms = build_query(title, steps)
        self.terms = all_terms | {stem(w) for s in steps for w in words(s.text)}
        self.raw_words = {w for w in words(title)} | {w for s in steps for w in words(s.text)}
        verb, nouns = title_action(title)
        self.heading_verb = stem(verb) if verb else ""
        self.heading_nouns = [n for n in nouns if n]
        self.heading_class = _heading_class(title, verb, nouns)
        self._read_cues(steps)
        self.title_all = words(title)
        self._read_place(title)
        nouns = [n for n in [*self.heading_nouns, self.place] if n]
        self.heading_resources = (sum(1 for n in nouns if n in self.resources or _hit(n, self.resources))
                                  / len(nouns)) if nouns else 0.5
        self.ui_heading = _ui_heading(title, self.title_all, self.resources)
        self._read_aliases(spec, nouns)

    def _read_place(self, title: str) -> None:
        """The parent the heading names as the place ("to a playlist"), and whether it says every one."""
        self.place = outer_place(title)
        # "... for your own **meetings**", "... for all new **Linodes**": a default over every item
        tail = [w for w in words(title) if stem(w) == self.place]
        self.place_plural = bool(tail) and tail[-1] != self.place and len(tail[-1]) > 3

    def _read_aliases(self, spec: SpecIndex | None, nouns: list[str]) -> None:
        """The heading's words the spec says only in its prose, in the spec's path words, and whose
        thing the heading changes."""
        # "audience" in a spec whose paths say ``/lists``: the word its prose ties to a path word
        self.aliases = {n: spec_alias(spec, n) for n in nouns if spec is not None and not _hit(n, self.resources)}
        # whose thing the heading changes: "the **repository** description", "... of an **audience**"
        owners = [*self.heading_nouns[:-1], self.place]
        self.owners = [({n} if _hit(n, self.resources) else self.aliases.get(n, set())) for n in owners if n]
        self.owners = [o for o in self.owners if o]
        # ... and the steps say the spec's word too: "to your audience" is "to your list"
        self.terms |= {t for al in self.aliases.values() for t in al}
        if self.place in self.aliases and len(self.aliases[self.place]) == 1:
            self.place = next(iter(self.aliases[self.place]))
        # "Add a **song** to a playlist" in a spec whose paths say ``/tracks``: the heading's head noun
        # in the spec's words, when its prose ties it to one path word (a modifier, "**SSH** key", stays:
        # it tells one kind of key from another)
        head = self.heading_nouns[-1] if self.heading_nouns else ""
        if len(self.aliases.get(head, ())) == 1:
            self.heading_nouns[-1] = next(iter(self.aliases[head]))

    def _read_spec(self, spec: SpecIndex | None) -> None:
        """The spec's verbs, resources and path-word counts, and the largest idf it can give."""
        self.spec_verbs = _spec_verbs(spec) if spec is not None else set()
        # BM25 scores grow with the spec's size (rarer words weigh more among 900 operations than
        # among 8): lexical features are divided by the largest idf the spec can give
        n = len(spec.operations) if spec is not None else 100
        self.idf_max = math.log(1 + (max(n, 2) - 0.5) / 1.5)
        self.resources = _spec_resources(spec) if spec is not None else set()
        self.path_df = _path_df(spec) if spec is not None else {}

    def _read_cues(self, steps: list[Step]) -> None:
        """Whether the task's words say edit, settings, create ("New ..." buttons too), personal, admin."""
        # labels that switch something ("Enable SAML authentication"): see _toggle_target_absent
        self.switch_labels = [lab for s in steps for lab, _ in s.labels if words(lab)[:1]
                              and words(lab)[0] in SWITCH_WORDS]
        self.edit_cue = bool(self.raw_words & EDIT_WORDS) or self.heading_class == "update"
        self.settings_cue = bool(self.raw_words & SETTINGS_WORDS)
        self.create_cue = self.heading_class == "create" or any(
            words(lab)[:1] and words(lab)[0] in {"new", "create", "add"} for s in steps for lab, _ in s.labels)
        self.personal = bool(self.raw_words & PERSONAL_WORDS)
        self.admin = bool(self.raw_words & ADMIN_WORDS)
        # a heading that is only a page's name ("## Team settings", "## Notifications"): a few nouns with
        # no article or preposition (a task says "Pin **a** message", "Reboot **a** Linode"), ending in a
        # settings word or a thing the spec has paths for, and no verb class
        tw = words(self.title)
        self.page_heading = 0 < len(tw) <= 3 and not set(tw) & _PHRASE_WORDS and not verb_class(tw[0]) and (
            tw[-1] in SETTINGS_WORDS or stem(tw[-1]) in self.resources)


def _heading_class(title: str, verb: str, nouns: list[str]) -> str | None:
    """The heading's verb class, with the phrasings whose verb says otherwise."""
    cls = verb_class(verb) if verb else None
    if words(title)[:2] in (["save", "a"], ["save", "an"]):
        cls = "create"  # "Save a filter" makes a saved one; "Save the settings" does not
    elif words(title)[-1:] and words(title)[-1] in STATE_WORDS and verb in ("make", "set", "mark"):
        cls = "update"  # "Make a project public" changes one
    elif cls is None and verb in LIGHT_VERBS and nouns:
        cls = "create"  # "Take a snapshot" makes one
    return cls


def _ui_heading(title: str, title_all: list[str], resources: set[str]) -> int:
    """How many words say the heading is about the UI itself ("... in the list view", "... of the web
    portal", "Use keyboard shortcuts"), not counting words the spec has endpoints for (a "views" API)."""
    parts = re.split(r"(?i)\b(?:in|of|on|from|within|inside)\b", title)
    ui_words = {w for w in title_all if w in UI_ONLY} | (
        {w for w in words(parts[-1]) if w in UI_PLACES} if len(parts) > 1 else set())
    return sum(1 for w in ui_words if stem(w) not in resources)


def _path_df(spec: SpecIndex) -> dict[str, int]:
    """In how many operations' paths each word appears (a word in few paths qualifies a resource:
    ``gpg`` in ``/user/gpg_keys``, ``lock`` in ``lock_settings``)."""
    cached = getattr(spec, "_path_df", None)
    if cached is None:
        cached = {}
        for op in spec.operations:
            for t in {t for seg in op.literal_segments for t in terms(seg)}:
                cached[t] = cached.get(t, 0) + 1
        try:
            object.__setattr__(spec, "_path_df", cached)
        except Exception:  # noqa: BLE001 - a frozen/slotted index just recomputes
            pass
    return cached


def outer_place(title: str) -> str:
    """The outermost container the heading names: the head noun of its last place phrase ("Enable
    waiting room for all users **in the account**" -> account; "Add a tag to a droplet" ->
    droplet). The innermost (``title_place``) may be a group of things the call never takes."""
    place = title_place(title)
    ws = words(title)
    for i, w in enumerate(ws):
        if i > 1 and w in _PLACE_PREPS:
            later = title_place(" ".join(["x", "y", *ws[i:]]))
            place = later or place
    return place


def _mentioned(t: str, pool: set[str]) -> bool:
    return t in pool or stem(t) in pool or any(
        len(t) >= 5 and len(q) >= 5 and q[:5] == t[:5] and not _compound(t, q) for q in pool)


#: endings that keep a word's meaning (deploy/deployment, message/messaging)
_SAME_WORD_ENDINGS = ("ment", "ments", "ing", "ings", "ion", "ions", "ation", "ations", "er", "ers", "ed", "es", "s",
                      "al", "ity", "ive", "or", "ors", "y", "ies", "e")


def _compound(a: str, b: str) -> bool:
    """``issuetype`` is ``issue`` and another word: not the same thing as an issue."""
    short, long_ = sorted((a, b), key=len)
    if not long_.startswith(short):
        return False
    rest = long_[len(short):]
    return len(rest) >= 3 and rest not in _SAME_WORD_ENDINGS


def _hit(t: str, pool: set[str]) -> bool:
    """``t`` is said in ``pool`` or the other way round (``key``/``keys``, ``repository``/``repo``)."""
    return _mentioned(t, pool) or any(_mentioned(q, {t}) for q in pool)


#: words that make a field's name say "not": exempt from, skip, disable...
NEGATING = {"exempt", "skip", "disable", "disabled", "no", "not", "without", "ignore", "exclude", "excluded",
            "opt", "suppress", "mute", "unless"}
#: verbs that switch something on or off: an API may do that with a DELETE (``DELETE .../pages``)
TOGGLE_VERBS = {"disable", "enable", "turn", "toggle", "switch", "unset", "clear", "deactivate", "stop"}


def enum_action(title_words: list[str], op: Operation) -> bool:
    """An allowed value of the operation's ``type``/``action``/``status`` field is the heading's action
    ("Power off a Droplet" -> ``type: power_off``; "Close a topic" -> ``status: closed``): an actions
    sub-resource or a status endpoint that does what the heading says."""
    if not title_words or op.method == "GET":  # a GET's enums filter what is listed
        return False
    return any(heading_enum_value(title_words, p) is not None for p in [*op.params, *op.body])


def _enum_action_here(ctx: TaskContext, op: Operation) -> bool:
    """:func:`enum_action`, on a call about the heading's thing: "Configure two-factor authentication"
    is not ``PATCH .../code-scanning/default-setup`` with ``state: configured`` (an enum that names
    the heading's verb on a call whose path and summary say none of the heading's nouns)."""
    if not enum_action(ctx.title_all, op):
        return False
    nouns = [n for n in [*ctx.heading_nouns, ctx.place] if n and len(n) > 1]
    said = _op_terms(op) | {stem(w) for w in words(op.summary or "")}
    return not nouns or any(_hit(n, said) for n in nouns)


def _caller_words(op: Operation) -> set[str]:
    """Raw words of the literal segments not followed by an id: ``/user/keys`` is the caller's."""
    segs = op.segments
    return {w for i, seg in enumerate(segs) if not seg.startswith("{")
            and not (i + 1 < len(segs) and segs[i + 1].startswith("{")) for w in words(seg)}


def _named_items(op: Operation, nouns: list[str]) -> set[str]:
    """Words of the segments whose item id is named after one of ``nouns``."""
    segs = op.segments
    out: set[str] = set()
    for i, seg in enumerate(segs[:-1]):
        if not seg.startswith("{") and segs[i + 1].startswith("{"):
            own = set(terms(segs[i + 1].strip("{}"))) - {"id", "uuid", "sid", "gid", "key", "name"}
            if any(n and _hit(n, own) for n in nouns):
                out |= set(terms(seg))
    return out


def _item_terms(op: Operation) -> set[str]:
    """Words of the literal segments followed by an id (``/droplets/{id}``): things the call acts on
    one existing item of."""
    segs = op.segments
    out: set[str] = set()
    for i, seg in enumerate(segs[:-1]):
        if not seg.startswith("{") and segs[i + 1].startswith("{"):
            out |= set(terms(seg))
            # ``/instances/{linodeId}``: the id's own name says what the item is
            out |= {t for t in terms(segs[i + 1].strip("{}")) if t not in ("id", "uuid", "sid", "gid", "key", "name")}
    return out


_STOP_ALIAS = {"id", "name", "type", "new", "default", "setting", "settings"}


def _prose_index(spec: SpecIndex) -> list[str]:
    """The prose of every operation, lower case: summary, description, tags and the descriptions of
    its parameters and fields (joined once per spec; searched per word by :func:`spec_alias`, which
    costs far less than indexing every word of 1,200 operations' prose on each run)."""
    cached = getattr(spec, "_prose_index", None)
    if cached is None:
        cached = [" ".join([op.summary, op.description, " ".join(op.tags),
                            *(p.description for p in [*op.params, *op.body])]).lower() for op in spec.operations]
        try:
            object.__setattr__(spec, "_prose_index", cached)
        except Exception:  # noqa: BLE001 - a frozen/slotted index just recomputes
            pass
    return cached


def _word_forms(word: str) -> re.Pattern[str]:
    """A word and its plurals as whole words (``audience``/``audiences``, ``reply``/``replies``)."""
    w = stem(word)
    forms = {word, w, w + "s", w + "es"} | ({w[:-1] + "ies"} if w.endswith("y") else set())
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, forms))) + r")\b")


def _is_field(ctx: TaskContext, op: Operation) -> bool:
    """The heading's head noun is one of the call's fields (``description``, ``from_name``)."""
    head = ctx.heading_nouns[-1] if ctx.heading_nouns else ""
    return bool(head) and any(head in {stem(w) for w in words(p.name.split(".")[-1])}
                              for p in [*op.params, *op.body] if p.location != "path")


def _owner_elsewhere(ctx: TaskContext, op: Operation, op_t: set[str]) -> bool:
    """"Change the **repository** description" against ``PATCH /user/settings`` (which has a
    ``description`` too); "Change the default from name of an **audience**" against
    ``PATCH /campaigns/{id}``: the heading edits a field of a resource it names (or names by the word
    the spec's prose ties to a path, :func:`spec_alias`), and this call's path is not under that
    resource (an RPC method path names no resource: its ``channel`` is a field). A default
    for all items ("... for all new Linodes") names no one owner."""
    if ctx.heading_class != "update" or not ctx.owners or _is_rpc(op) or not _is_field(ctx, op):
        return False
    owners = ctx.owners if not ctx.place_plural else [o for o in ctx.owners if ctx.place not in o]
    return any(not any(_hit(t, op_t) for t in o) for o in owners)


def _spec_items(spec: SpecIndex) -> set[str]:
    """Path words followed by an id somewhere in the spec: things with items (``lists``)."""
    cached = getattr(spec, "_items", None)
    if cached is None:
        cached = {t for op in spec.operations for t in _item_terms(op)}
        try:
            object.__setattr__(spec, "_items", cached)
        except Exception:  # noqa: BLE001 - a frozen/slotted index just recomputes
            pass
    return cached


def spec_alias(spec: SpecIndex, word: str) -> set[str]:
    """The path words a spec's own prose ties ``word`` to when no path says it: Mailchimp's paths say
    ``/lists`` and its descriptions "audience"; a music API's paths ``/tracks``, a description "song".
    Among the operations whose prose says the word, the path words at least half of them carry,
    ignoring words that are in more than half of all paths anyway. A class of API (the UI's name for
    a thing differs from the API's), learned from the spec itself: no list of synonyms."""
    w = stem(word)
    if len(w) < 3 or w in _STOP_ALIAS or verb_class(w):
        return set()
    index = _prose_index(spec)
    pattern = _word_forms(word)
    hits = [_op_terms(op) for op, prose in zip(spec.operations, index, strict=True) if pattern.search(prose)]
    if not hits:
        return set()
    counts: dict[str, int] = {}
    for path in hits:
        for t in path:
            counts[t] = counts.get(t, 0) + 1
    df = _path_df(spec)
    n_ops = max(len(index), 1)
    items = _spec_items(spec)  # ``/lists/{list_id}``: "list" is a thing here, not the verb
    # a scope (``admin``, ``accounts``, ``user``) is where a thing lives, a method name's verb
    # (``conversations.rename``) what is done to it: neither is what a UI word means
    best = [t for t, c in counts.items() if c * 2 >= len(hits) and t not in NEUTRAL_SEGMENTS
            and t not in _STOP_ALIAS and t not in SCOPE_WORDS and t not in ADMIN_WORDS
            and t not in PERSONAL_SCOPE and (not verb_class(t) or t in items) and df.get(t, 0) * 2 <= n_ops]
    return set(best)


def candidate_pool(ctx: TaskContext, ranked: list[tuple[float, Operation, dict[str, Any]]]
                   ) -> list[tuple[float, Operation, dict[str, Any]]]:
    """The ranker's top :data:`K`, plus the few operations further down whose action enum names the
    heading's action (see :data:`POOL_DEPTH`)."""
    pool = list(ranked[:K])
    for r in ranked[K:POOL_DEPTH]:
        if len(pool) >= K + 3:
            break
        if _enum_action_here(ctx, r[1]):
            pool.append(r)
    return pool


@dataclass
class _Candidate:
    """What the features read of one candidate operation against the task, derived once."""

    op: Operation
    kind: str  # the operation's verb class (create, read, update, delete, upsert, action)
    overb: str  # the operation's own verb ("Sets" -> set)
    op_t: set[str]  # the operation's terms
    op_words: set[str]  # raw words of its literal segments
    scope: set[str]  # scope words of its path (``/user``, ``/orgs``, admin)
    personal_scope: bool  # the caller's own (``/user``, ``/me``)
    scope_unmentioned: int
    scope_mentioned: int
    item: bool  # acts on one existing item
    collection_create: bool  # POST to a collection that creates
    heading_verb_in_op: bool
    nouns_hit: float  # share of the heading's nouns the operation says
    special: bool  # a verb of its own the steps never say
    op_class: str | None
    obj: set[str]  # the operation's object terms
    head: str  # the heading's head noun
    head_is_object: bool
    head_is_field: bool
    unmentioned_parents: int


def _op_verb(op: Operation) -> tuple[str, str]:
    """The operation's kind and own verb, the verb stemmed when only its stem has a class ("Sets")."""
    kind, overb = rpc_kind(op) or op_kind(op)
    overb = stem(overb) if overb and verb_class(stem(overb)) and not verb_class(overb) else overb  # "Sets" -> set
    return kind, overb


def _scope_counts(ctx: TaskContext, op: Operation, op_t: set[str], op_words: set[str]
                  ) -> tuple[set[str], bool, int, int]:
    """The path's scope words, whether one is the caller's own, and how many the task does not/does say."""
    scope = {t for t in op_t if t in SCOPE_WORDS} | ({"admin"} if op_words & ADMIN_WORDS else set())
    # ``/linode/instances/{linodeId}`` for "Resize a Linode": an item the heading names is no scope
    scope -= _named_items(op, [*ctx.heading_nouns, ctx.place])
    # ``/user``, ``/me`` are the caller; ``/users/{selected_user}`` is someone the steps must name
    caller = _caller_words(op)
    scope_unmentioned = sum(1 for t in scope if not _mentioned(t, ctx.terms) and not (
        t in PERSONAL_SCOPE and t in caller))
    scope_mentioned = sum(1 for t in scope if _mentioned(t, ctx.terms))
    return scope, bool(caller & PERSONAL_SCOPE), scope_unmentioned, scope_mentioned


def _heading_verb_in_op(ctx: TaskContext, op: Operation, op_words: set[str]) -> bool:
    """The heading's verb is the operation's (only a special verb, "rename", "pin", says something
    the method does not)."""
    summary_first = words(op.summary)[:1]
    return bool(ctx.heading_verb) and ctx.heading_verb not in GENERIC_VERBS and (
        any(stem(w) == ctx.heading_verb for w in op_words) or (summary_first and stem(summary_first[0]) == ctx.heading_verb))


def _head_roles(ctx: TaskContext, op: Operation, obj: set[str]) -> tuple[str, bool, bool]:
    """The heading's head noun, whether it is the operation's object, and else whether it is a field."""
    head = ctx.heading_nouns[-1] if ctx.heading_nouns else ""
    head_is_object = bool(head) and any(_mentioned(head, {t}) or _mentioned(t, {head}) for t in obj)
    # a compound without a separator (``/sshkeys``) is the heading's two nouns ("SSH key")
    joined = "".join(ctx.heading_nouns[-2:])
    head_is_object = head_is_object or (len(ctx.heading_nouns) >= 2 and stem(joined) in obj)
    # a flag that says "not" (``is_exempt_from_login_verification``, ``skip_ci``) never turns its
    # subject on: its words do not make the heading's noun a field of the call
    field_leaves = {stem(w) for p in [*op.params, *op.body] if p.location != "path"
                    and not set(words(p.name.split(".")[-1])) & NEGATING for w in words(p.name.split(".")[-1])}
    head_is_field = bool(head) and not head_is_object and head in field_leaves
    return head, head_is_object, head_is_field


def _unmentioned_parents(ctx: TaskContext, op: Operation) -> int:
    """Parents the steps never name (``/teams/{id}/projects`` for "Create a new project")."""
    lits = [seg for seg in op.literal_segments if not verb_class(words(seg)[0] if words(seg) else "")]
    # (``/rest/api/3``, ``/v2``, ``/2010-04-01``: version prefixes are nobody's parent)
    parents = [seg for seg in lits[:-1] if not set(terms(seg)) & SCOPE_WORDS
               and not all(t in NEUTRAL_SEGMENTS or t.isdigit() for t in terms(seg))]
    return sum(1 for seg in parents if not any(_mentioned(t, ctx.terms) for t in terms(seg)))


def _describe(ctx: TaskContext, op: Operation) -> _Candidate:
    """Everything :func:`candidate_features` reads of ``op``."""
    kind, overb = _op_verb(op)
    op_t = _op_terms(op)
    op_words = {w for seg in op.literal_segments for w in words(seg)}
    scope, personal_scope, scope_unmentioned, scope_mentioned = _scope_counts(ctx, op, op_t, op_words)
    item = _is_item_scoped(op)
    collection_create = op.method == "POST" and not item and kind in ("create", "upsert")
    heading_verb_in_op = _heading_verb_in_op(ctx, op, op_words)
    nouns_hit = (sum(1 for n in ctx.heading_nouns if n in op.tf or any(_mentioned(n, {t}) for t in op_t))
                 / len(ctx.heading_nouns)) if ctx.heading_nouns else 0.5
    special = bool(overb) and overb not in GENERIC_VERBS and kind != "read" and not _mentioned(stem(overb), ctx.terms)
    op_class = verb_class(overb or "") or (kind if kind in ("create", "update", "delete", "read") and overb else None)
    obj = object_terms(op, ctx.spec_verbs)
    head, head_is_object, head_is_field = _head_roles(ctx, op, obj)
    return _Candidate(op, kind, overb, op_t, op_words, scope, personal_scope, scope_unmentioned, scope_mentioned,
                      item, collection_create, heading_verb_in_op, nouns_hit, special, op_class, obj, head,
                      head_is_object, head_is_field, _unmentioned_parents(ctx, op))


def _flag(cond: Any) -> float:
    """1.0 when ``cond`` holds, else 0.0."""
    return 1.0 if cond else 0.0


def _task_fit_features(ctx: TaskContext, c: _Candidate, ranked: list[tuple[float, Operation, dict[str, Any]]],
                       i: int) -> dict[str, float]:
    """Whether the call's object is a meta-resource of the heading's, contradicts the heading's
    class, is the bulk twin of an item call; and the task-level UI and resource signals."""
    op, head, obj, kind = c.op, c.head, c.obj, c.kind
    f: dict[str, float] = {"pool_extra": _flag(i >= K)}
    # "Move an issue" against .../issuetype/move: the call's object is a compound of the heading's
    # (issue + type), a kind of meta-resource about it, and the heading never says the other word
    f["meta_object"] = _flag(head and not c.head_is_object and any(
        t.startswith(head) and _compound(head, t) and not _mentioned(t, ctx.terms) for t in obj))
    # a heading that creates, changes or removes is never a read; one that creates or changes is
    # never a delete ("Disable alerts" may well be DELETE .../alerts: toggles are left out)
    hc = ctx.heading_class
    f["explicit_conflict"] = _flag((hc in ("create", "update", "delete") and op.method == "GET" and not _is_rpc(op)) or (
        hc in ("create", "update") and kind == "delete" and ctx.heading_verb not in TOGGLE_VERBS))
    # ``POST /droplets/actions`` (by tag) next to ``POST /droplets/{id}/actions``: the bulk variant of an
    # item's call, for a heading about one thing ("Power off **a** Droplet")
    lits = tuple(op.literal_segments)
    f["bulk_twin"] = _flag(not ctx.place_plural and any(
        o.method == op.method and tuple(o.literal_segments) == lits and len(o.path_params) > len(op.path_params)
        for _s, o, _p in ranked[:K]))
    f["ui_heading"] = float(min(ctx.ui_heading, 2))
    # task-level: a heading whose nouns name nothing the spec has paths for ("two-step verification")
    # is often something the API cannot do
    f["heading_resources"] = ctx.heading_resources
    return f


def _ranker_features(ctx: TaskContext, c: _Candidate, ranked: list[tuple[float, Operation, dict[str, Any]]],
                     i: int, lex: float) -> dict[str, float]:
    """The ranker's own score parts for this candidate, and its margin over the others."""
    score, _op, parts = ranked[i]
    others = [s for j, (s, _o, _p) in enumerate(ranked[:K]) if j != i]
    best_other = max(others, default=0.0)
    max_lex = max((p.get("lexical", 0.0) / ctx.idf_max for _s, _o, p in ranked[:K]), default=lex) or 1e-9
    return {
        "bias": 1.0,
        "log_lex": math.log1p(lex),
        "lex_rel": lex / max_lex,
        "compat": parts.get("compat", 0.0),
        "coverage": parts.get("coverage", 0.0),
        "object": parts.get("object", 0.0),
        "named": parts.get("named", 1.0),
        "fields": parts.get("fields", 0.0),
        "agree": parts.get("agree", 1.0),
        "margin": (score - best_other) / (score or 1e-9),
        "verb_match": _flag(parts.get("verb") and c.overb and stem(parts["verb"]) == stem(c.overb)),
    }


def _cue_features(ctx: TaskContext, c: _Candidate) -> dict[str, float]:
    """The task's cues (edit, settings, create, personal, admin) against the call's shape and scope."""
    op, item, collection_create = c.op, c.item, c.collection_create
    changes_item = item and op.method not in ("DELETE", "GET")
    return {
        "heading_verb_in_op": _flag(c.heading_verb_in_op),
        "heading_nouns": c.nouns_hit,
        "item_scoped": _flag(item),
        "edit_x_item": _flag(ctx.edit_cue and changes_item),
        "edit_x_collection_create": _flag(ctx.edit_cue and collection_create),
        "settings_x_item": _flag(ctx.settings_cue and changes_item),
        "settings_x_collection_create": _flag(ctx.settings_cue and collection_create),
        "create_x_item": _flag(ctx.create_cue and item),
        "create_x_collection_create": _flag(ctx.create_cue and collection_create),
        "scope_unmentioned": float(c.scope_unmentioned),
        "scope_mentioned": float(c.scope_mentioned),
        "admin_unmentioned": _flag((c.op_words & ADMIN_WORDS) and not ctx.admin),
        "personal_x_personal_scope": _flag(ctx.personal and c.personal_scope),
        "personal_x_other_scope": _flag(ctx.personal and c.scope and not c.personal_scope),
    }


def _strength_features(ctx: TaskContext, c: _Candidate, ranked: list[tuple[float, Operation, dict[str, Any]]],
                       i: int, lex: float) -> dict[str, float]:
    """The call's style and size, how strong this and the top candidate are, and the hand-written
    rules' confidence."""
    op, parts = c.op, ranked[i][2]
    return {
        "rpc_style": _flag(_is_rpc(op)),
        "special_verb_unnamed": _flag(c.special),
        "deprecated": _flag(op.deprecated),
        "depth": min(len(op.segments), 8) / 8.0,
        "n_path_params": min(len(op.path_params), 4) / 4.0,
        "lex_strength": min(1.0, lex / 3.0),
        "top_lex_strength": min(1.0, ranked[0][2].get("lexical", 0.0) / ctx.idf_max / 3.0),
        "top_coverage": ranked[0][2].get("coverage", 0.0),
        "top_named": ranked[0][2].get("named", 1.0),
        # /user/settings for "Change the repository description": the caller's own scope, unasked
        "personal_unmentioned": _flag(c.personal_scope and not ctx.personal and not c.scope_mentioned),
        # the hand-written rules' own confidence for this candidate against its strongest rival
        "rule_confidence": confidence([ranked[i], max((r for j, r in enumerate(ranked[:K]) if j != i),
                                                      key=lambda r: r[0], default=(0.0, op, parts))]),
    }


def _place_and_head_features(ctx: TaskContext, c: _Candidate) -> dict[str, float]:
    """Where the call lives against the heading's place, and what the heading's head noun is to it."""
    op, head_is_field = c.op, c.head_is_field
    return {
        # "Add a tag to a droplet" against /firewalls/{id}/tags; "Duplicate a project" against POST /projects
        "place_mismatch": _flag(ctx.spec is not None and place_agreement(op, ctx.title, ctx.spec) < 1),
        # ... and nested under another resource the steps never name: the call lives elsewhere
        "nested_elsewhere": _flag(c.unmentioned_parents and ctx.spec is not None
                                  and place_agreement(op, ctx.title, ctx.spec) < 1),
        "title_mismatch": 1.0 - title_agreement(op, ctx.title, ctx.spec_verbs),
        "head_is_object": _flag(c.head_is_object),
        "head_is_field": _flag(head_is_field),
        # "Add a custom domain" is editing the site that has a custom_domain field, not creating a site
        "field_x_item": _flag(head_is_field and c.item and op.method not in ("DELETE", "GET")),
        "field_x_collection_create": _flag(head_is_field and c.collection_create),
        "create_x_head_not_object": _flag(c.collection_create and c.head and not c.head_is_object),
        "unmentioned_parents": float(min(c.unmentioned_parents, 3)),
    }


def _verb_features(ctx: TaskContext, c: _Candidate) -> dict[str, float]:
    """The heading's verb class against the call's method, kind and own verb."""
    hc, op_class = ctx.heading_class, c.op_class
    return {
        # "Send your campaign" is never GET .../send-checklist: a heading with a verb that is not a read
        "get_x_nonread": _flag(c.op.method == "GET" and ctx.heading_verb and hc != "read"),
        "delete_x_nondelete": _flag(c.kind == "delete" and hc != "delete"),
        # "Rename a folder" against "Restore folder": the operation's own verb says another thing
        # (create and update are near: "Set a reminder" may well be reminders.add)
        "verb_class_conflict": _flag((hc and op_class and _GROUP.get(op_class) != _GROUP.get(hc))
                                     or (hc and c.overb and not op_class and c.special)),
        "create_x_update_verb": _flag(hc == "create" and op_class == "update"),
        "update_x_create_verb": _flag(hc == "update" and op_class == "create"),
    }


def _twin_key(c: _Candidate) -> tuple[str, tuple[str, ...], bool] | None:
    """What makes two operations the same call under different owners: the method, the words of
    the path's last literal segment (an RPC method's last two dotted parts) and whether it acts on
    one item (``/orgs/{org}/repos`` and ``/user/repos``; ``/admin.conversations.create`` and
    ``/conversations.create``; ``/teams/{id}/projects`` and ``/projects``)."""
    lits = c.op.literal_segments
    if not lits:
        return None
    last = lits[-1]
    if "." in last.strip("."):
        last = ".".join(last.split(".")[-2:])
    ws = tuple(stem(w) for w in words(last))
    return (c.op.method, ws, c.item) if ws else None


def _burden(ctx: TaskContext, c: _Candidate) -> int:
    """How much of the path the steps never account for: scopes and parents they do not name ("your
    own meetings" accounts for a user's scope, ``/users/{userId}``)."""
    personal = 1 if ctx.personal and c.scope & PERSONAL_SCOPE and c.scope_unmentioned else 0
    return c.scope_unmentioned - personal + c.unmentioned_parents + (1 if c.op_words & ADMIN_WORDS else 0)


def _scoped_twin(ctx: TaskContext, ranked: list[tuple[float, Operation, dict[str, Any]]], i: int,
                 c: _Candidate) -> bool:
    """``POST /orgs/{org}/hooks/{id}/deliveries/{id}/attempts`` beside the repository's own, for steps
    about a repository; ``/admin.conversations.create`` beside ``/conversations.create``;
    ``/teams/{id}/projects`` beside ``/projects``: the same call exists among the candidates with
    less of its path unaccounted for, so this one is the look-alike."""
    key = _twin_key(c)
    if key is None:
        return False
    mine = _burden(ctx, c)
    if mine == 0:
        return False
    cache = ctx.__dict__.setdefault("_described", {})
    for j, (_s, other, _p) in enumerate(ranked):
        if j == i or other is c.op:
            continue
        d = cache.get(id(other))
        if d is None:
            d = cache[id(other)] = _describe(ctx, other)
        if _twin_key(d) == key and _burden(ctx, d) < mine:
            return True
    return False


def candidate_features(ctx: TaskContext, ranked: list[tuple[float, Operation, dict[str, Any]]],
                       i: int) -> dict[str, float]:
    """Features of the i-th ranked candidate (0-based) for the logistic model."""
    _score, op, parts = ranked[i]
    lex = parts.get("lexical", 0.0) / ctx.idf_max
    c = _describe(ctx, op)
    f = _shape_features(ctx, op, c.kind, c.obj, c.op_t, c.item, c.collection_create, c.head_is_object, c.special)
    f |= _task_fit_features(ctx, c, ranked, i)
    f |= _ranker_features(ctx, c, ranked, i, lex)
    f |= _cue_features(ctx, c)
    f |= _strength_features(ctx, c, ranked, i, lex)
    f |= _place_and_head_features(ctx, c)
    f |= _verb_features(ctx, c)
    f["scoped_twin"] = _flag(_scoped_twin(ctx, ranked, i, c))
    f["toggle_target_absent"] = _flag(_toggle_target_absent(ctx, c))
    f["bulk_action_twin"] = _flag(f["bulk_twin"] and f["enum_action"])
    f["caller_twin"] = _flag(_caller_twin(ctx, op))
    return f


_SOMEONES = re.compile(r"/users?/\{[^}/]+\}")


def _spec_calls(spec: SpecIndex) -> set[tuple[str, str]]:
    """Every (method, path) of the spec; cached on the index."""
    cached = getattr(spec, "_calls", None)
    if cached is None:
        cached = {(o.method, o.path) for o in spec.operations}
        try:
            object.__setattr__(spec, "_calls", cached)
        except Exception:  # noqa: BLE001 - a frozen/slotted index just recomputes
            pass
    return cached


def _caller_twin(ctx: TaskContext, op: Operation) -> bool:
    """"Update your profile bio" against ``PATCH /users/{user_id}`` when ``PATCH /me`` exists: the
    spec has the caller's own form of the same call (``/me``, ``/user``), and the steps speak of the
    caller's own things or name no user, so the one that needs someone's id is the look-alike."""
    if ctx.spec is None or not _SOMEONES.search(op.path):
        return False
    if not ctx.personal and "user" in ctx.terms:
        return False
    calls = _spec_calls(ctx.spec)
    return any((op.method, _SOMEONES.sub(alias, op.path, count=1)) in calls for alias in ("/me", "/user"))



#: first words of a heading that switches something on or off ("Turn on two-step verification")
SWITCH_WORDS = {"turn", "enable", "disable", "toggle", "switch", "activate", "deactivate"}


def _switched_things(ctx: TaskContext) -> list[list[str]]:
    """What the task switches on or off, each as its words: the heading's nouns when the heading
    starts with a switch ("Turn on two-step verification"), else a ticked label's ("Tick **Enable
    SAML authentication**")."""
    if ctx.title_all and ctx.title_all[0] in SWITCH_WORDS:
        target = [n for n in ctx.heading_nouns if len(n) > 2 and n not in {"off", "on"}]
        return [target] if target else []
    out = []
    for lab in ctx.switch_labels:
        ws = words(lab)
        target = [stem(w) for w in ws[1:] if len(w) > 2 and w not in STOPWORDS and w not in {"off", "on"}
                  and not verb_class(w)]
        if target:
            out.append(target)
    return out


def _toggle_target_absent(ctx: TaskContext, c: _Candidate) -> bool:
    """"Turn on two-step verification for your login" against ``PUT /users/{user_id}``: the task
    switches a thing on or off (its heading, or a label it ticks: "Enable SAML authentication"), and
    a word of that thing is in none of the call's path, its parameters or its enum values ("dark
    mode" is not ``/sql_mode``; ``waiting_room`` is a field of ``/users/{userId}/settings``): the
    call has nothing to switch (a flag that says "not", ``is_exempt_from_login_verification``,
    switches nothing on)."""
    things = _switched_things(ctx)
    if not things:
        return False
    op = c.op
    have = set(c.op_t)
    for p in [*op.params, *op.body]:
        if set(words(p.name.split(".")[-1])) & NEGATING:
            continue
        have |= {stem(w) for w in words(p.name)}
        have |= {stem(w) for v in (p.enum or []) for w in words(str(v))}
    return all(not all(_hit(n, have) for n in target) for target in things)


def _own_words(ctx: TaskContext, obj: set[str]) -> tuple[float, bool]:
    """Share of the resource's own words the steps never say (``gpg_keys`` for "Add an SSH key",
    ``lock_settings``), and whether one of them is a rare qualifier (``gpg`` keys, ``lock`` settings,
    ``ssh`` keys for "Add a deploy key"): a look-alike of the resource the steps mean, not a synonym."""
    own = [t for t in obj if t not in NEUTRAL_SEGMENTS and t not in GENERIC_VERBS and not verb_class(t)
           and t != ctx.heading_verb and len(t) > 1]
    unmentioned = sum(1 for t in own if not _hit(t, ctx.terms)) / len(own) if own else 0.0
    common = max((ctx.path_df.get(t, 0) for t in own), default=0)
    qualifier = len(own) >= 2 and any(not _hit(t, ctx.terms) and ctx.path_df.get(t, 0) * 2 <= common for t in own)
    return unmentioned, qualifier


def _qualifier_conflict(ctx: TaskContext, obj: set[str]) -> bool:
    """"Add an **SSH** key" against ``/user/gpg_keys``: the heading qualifies its object (ssh) and
    the resource has a qualifier of its own (gpg, a word in few paths) that the heading does not say,
    while the heading's is not in the resource: another kind of the same thing (the steps may well
    say both, "SSH / GPG Keys", so the heading decides)."""
    nouns = ctx.heading_nouns
    if len(nouns) < 2:
        return False
    head, mods = nouns[-1], [n for n in nouns[:-1] if len(n) > 1]
    if not mods or not _hit(head, obj) or any(_hit(m, obj) for m in mods):
        return False
    common = max((ctx.path_df.get(t, 0) for t in obj), default=0)
    title = {stem(w) for w in ctx.title_all}
    return any(not _hit(t, {head}) and t not in title and t not in NEUTRAL_SEGMENTS and not verb_class(t)
               and ctx.path_df.get(t, 0) * 2 <= common for t in obj)


def _field_phrase(ctx: TaskContext, op: Operation, obj: set[str], op_t: set[str], head_is_object: bool) -> bool:
    """"Add a custom domain" where custom_domain is a field, and no path of the spec is about domains:
    setting a property of a resource (of this very one: "Change the language of the web portal" is
    no field of /users/{id}), so the "add" is an update of it."""
    leaves = {tuple(stem(w) for w in words(p.name)) for p in op.body if "." not in p.name}
    phrase = tuple(ctx.heading_nouns)
    place = ctx.place
    return bool(phrase) and not head_is_object and phrase[-1] not in ctx.resources and (
        not place or _hit(place, op_t)) and (
        phrase in leaves or (len(phrase) >= 2 and phrase[1:] in leaves and _hit(phrase[0], obj)))


def _method_fit(op: Operation, hc: str | None, item: bool, special: bool) -> tuple[float, float]:
    """Whether the call's method (or RPC verb) fits the heading's class, and whether it contradicts it."""
    rk = rpc_kind(op)
    if hc is None:
        return 0.5, 0.0
    if rk is not None:
        fits = 1.0 if _GROUP.get(rk[0]) == _GROUP.get(hc) else 0.0
        conflict = 1.0 if rk[0] in ("read", "delete") and rk[0] != hc else 0.0
        return fits, conflict
    m = op.method
    fits = 1.0 if ((hc == "create" and m == "POST" and not item) or (hc == "update" and (
        m in ("PATCH", "PUT") or (m == "POST" and item))) or (hc == "delete" and m == "DELETE")
        or (hc == "read" and m == "GET")) and not special else 0.0  # "Copy folder" is no rename
    conflict = 1.0 if (m == "DELETE" and hc != "delete") or (m == "GET" and hc != "read") else 0.0
    return fits, conflict


def _create_on_server_id(ctx: TaskContext, op: Operation, field_phrase: bool) -> bool:
    """"Add an SSH key" is never PUT /sshkeys/{sshKeyId} with a body: that edits a key the server
    numbered (a PUT named by the caller, /secrets/{secret_name}, may well create)."""
    last = op.segments[-1] if op.segments else ""
    server_id = last.startswith("{") and (words(last)[-1:] or [""])[0] in {"id", "sid", "uuid", "gid", "key"}
    return ctx.create_cue and not field_phrase and server_id and op.method in ("PUT", "PATCH") and bool(op.body)


def _membership_create(ctx: TaskContext, op: Operation, kind: str, head_is_object: bool) -> bool:
    """Joining a group ("Add a member to a team") against creating the group itself (``POST /teams``);
    adding a member may well be a join when the call's own verb is the heading's."""
    own_verb = (rpc_kind(op) or op_kind(op))[1]
    return ctx.heading_verb in MEMBERSHIP_VERBS and kind in ("create", "upsert") and head_is_object and not (
        own_verb and stem(own_verb) == ctx.heading_verb)


def _shape_features(ctx: TaskContext, op: Operation, kind: str, obj: set[str], op_t: set[str], item: bool,
                    collection_create: bool, head_is_object: bool, special: bool) -> dict[str, float]:
    """Resource nouns against the path's shape: which segment the heading's object is, whether it is
    one existing item (followed by an id), whether the heading's object is a field of the resource."""
    nouns = ctx.heading_nouns
    unmentioned, qualifier = _own_words(ctx, obj)
    head_phrase = sum(1 for n in nouns if _hit(n, obj)) / len(nouns) if nouns else 0.0
    in_path = sum(1 for n in nouns if _hit(n, op_t)) / len(nouns) if nouns else 0.0
    items = _item_terms(op)
    place = ctx.place
    noun_item = bool(nouns) and not ctx.create_cue and any(_hit(n, items) for n in nouns)
    # "Add a song **to a playlist**": the place is an existing parent (``/playlists/{id}/tracks``), not
    # the thing the call acts on (``PATCH /meetings/{id}`` for "... in meetings")
    place_parent = bool(place) and _hit(place, items) and not _hit(place, obj)
    place_created = bool(place) and collection_create and _hit(place, obj)
    field_phrase = _field_phrase(ctx, op, obj, op_t, head_is_object)
    hc = ctx.heading_class
    if field_phrase and hc == "create":
        hc = "update"
    fits, conflict = _method_fit(op, hc, item, special)
    create_update = _create_on_server_id(ctx, op, field_phrase)
    membership = _membership_create(ctx, op, kind, head_is_object)
    # the heading names resources the spec has endpoints for ("the **repository** description"), and
    # this path has none of them (``/user/settings``): it acts on something else
    named = [n for n in [*nouns, place] if n and n in ctx.resources]
    elsewhere = bool(named) and not any(_hit(n, op_t) for n in named)
    aliases = {t for al in ctx.aliases.values() for t in al}
    return {
        # the heading's word for the thing is, in the spec's prose, this path's word ("audience": lists)
        "alias_object": _flag(aliases and any(_hit(t, op_t) for t in aliases)),
        # the heading changes something of a resource ("the repository description", "... of an
        # audience") and this path is not under it (``/user/settings``, ``/campaigns/{id}``)
        "owner_elsewhere": _flag(_owner_elsewhere(ctx, op, op_t)),
        # ... and the call acts on one of them (``PATCH /meetings/{meetingId}``)
        "all_of_them_x_one": _flag(ctx.place_plural and _hit(place, items)),
        "named_resource_elsewhere": _flag(elsewhere),
        "membership_x_create": _flag(membership),
        "qualifier_unmentioned": _flag(qualifier),
        "qualifier_conflict": _flag(_qualifier_conflict(ctx, obj)),
        # "## Team settings ... Toggle **Allow guests**" against ``POST /teams``: the heading names a page
        # (no verb) and no button asks for a new thing, yet the call makes one
        "create_unasked": _flag(collection_create and ctx.page_heading and not ctx.create_cue),
        "create_x_item_update": _flag(create_update),
        "object_unmentioned": unmentioned,
        "head_phrase_object": head_phrase,
        "heading_nouns_path": in_path,
        "noun_item": _flag(noun_item),
        "place_parent": _flag(place_parent),
        "place_is_created": _flag(place_created),
        "enum_action": _flag(_enum_action_here(ctx, op)),
        "method_fits": fits,
        "method_conflict": conflict,
        # an update of one existing thing: PATCH/PUT (``/me`` too), or a POST on an item's path
        "field_phrase_x_item": _flag(field_phrase and (op.method in ("PATCH", "PUT") or (
            op.method == "POST" and item))),
        "field_phrase_x_create": _flag(field_phrase and collection_create),
    }


def vetoed(feats: dict[str, float]) -> bool:
    """Whether a rule with no exception rules the candidate out (see :data:`VETOES`)."""
    return any(feats.get(name, 0.0) >= at for name, at in VETOES.items())


class Model:
    """Logistic weights over :data:`FEATURES` (standardised with the training means/scales)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.features: list[str] = list(doc["features"])
        self.weights: list[float] = [float(w) for w in doc["weights"]]
        self.mean: list[float] = [float(x) for x in doc.get("mean", [0.0] * len(self.features))]
        self.scale: list[float] = [float(x) or 1.0 for x in doc.get("scale", [1.0] * len(self.features))]
        self.threshold: float = float(doc.get("threshold", 0.5))
        self.meta: dict[str, Any] = dict(doc.get("meta", {}))

    def scores(self, feats: dict[str, float]) -> float:
        """A candidate's score; the bias weight is not part of it (it is the "none" score)."""
        z = 0.0
        for name, w, m, s in zip(self.features, self.weights, self.mean, self.scale, strict=True):
            if name != "bias":
                z += w * (feats.get(name, 0.0) - m) / s
        return z

    def probabilities(self, candidates: list[dict[str, float]]) -> list[float]:
        """Each candidate's probability of being the call, against its rivals and against "none of
        these" (whose score is the bias weight): they sum to at most 1. A vetoed candidate is out of
        the race (its share goes to the others and to "none"); it keeps a capped probability of its
        own for display only."""
        none = self.weights[self.features.index("bias")] if "bias" in self.features else 0.0
        scores = [self.scores(f) for f in candidates]
        out_of_race = [vetoed(f) for f in candidates]
        top = max([none, *scores])
        exps = [math.exp(s - top) for s in scores]
        total_all = sum(exps) + math.exp(none - top)
        total = sum(e for e, v in zip(exps, out_of_race, strict=True) if not v) + math.exp(none - top)
        return [min(e / total_all, VETO_CAP) if v else e / total for e, v in zip(exps, out_of_race, strict=True)]


@functools.lru_cache(maxsize=1)
def default_model() -> Model:
    """The shipped weights (``actions_model.json`` next to this module)."""
    text = resources.files(__package__).joinpath("actions_model.json").read_text(encoding="utf-8")
    return Model(json.loads(text))


def decide(spec: SpecIndex, title: str, steps: list[Step],
           ranked: list[tuple[float, Operation, dict[str, Any]]], model: Model | None = None
           ) -> list[tuple[float, Operation, dict[str, Any]]]:
    """The ranker's top :data:`K` re-scored as probabilities, best first: (p, op, parts)."""
    if not ranked:
        return []
    model = model or default_model()
    ctx = TaskContext(title, steps, spec)
    pool = candidate_pool(ctx, ranked)
    feats = [candidate_features(ctx, pool, i) for i in range(len(pool))]
    probs = model.probabilities(feats)
    out = [(p, pool[i][1], {**pool[i][2], "rank": i, "features": feats[i]}) for i, p in enumerate(probs)]
    # a vetoed candidate (a class of wrong call with no exception) comes after every other one, so
    # it is never the call even at threshold 0, and never the first candidate an agent is shown
    out.sort(key=lambda x: (vetoed(x[2]["features"]), -x[0], x[2]["rank"]))
    return out


_WHY = [  # (feature, condition, words): the reasons worth telling an agent, strongest first
    ("admin_unmentioned", lambda v: v > 0, "an admin operation, and the steps never say admin"),
    ("ui_heading", lambda v: v > 0, "the heading is about the product's own interface"),
    ("field_phrase_x_item", lambda v: v > 0, "what the heading sets is a field of this existing resource"),
    ("field_phrase_x_create", lambda v: v > 0, "creates a new resource, but the heading sets a field of one"),
    ("enum_action", lambda v: v > 0, "one of its action types is the heading's action"),
    ("create_x_item_update", lambda v: v > 0, "edits an existing numbered item, but the steps add one"),
    ("place_is_created", lambda v: v > 0, "creates the very thing the steps add something to"),
    ("place_parent", lambda v: v > 0, "works inside the existing item the heading names"),
    ("all_of_them_x_one", lambda v: v > 0, "acts on one item, but the heading is about all of them"),
    ("membership_x_create", lambda v: v > 0, "creates the group the steps join or leave"),
    ("qualifier_unmentioned", lambda v: v > 0, "a look-alike: its name has a word the steps never say"),
    ("explicit_conflict", lambda v: v > 0, "its method does the opposite of the heading's action"),
    ("meta_object", lambda v: v > 0, "acts on a different kind of thing named like the heading's"),
    ("coverage", lambda v: v >= 0.99, "the steps name every resource in its path"),
    ("coverage", lambda v: v < 0.5, "the steps name little of its path"),
    ("verb_match", lambda v: v > 0, "its verb is the steps' verb"),
    ("heading_verb_in_op", lambda v: v > 0, "the heading's action is its method name"),
    ("edit_x_item", lambda v: v > 0, "edits one existing item, as the steps do"),
    ("edit_x_collection_create", lambda v: v > 0, "creates a new item, but the steps edit an existing one"),
    ("create_x_item", lambda v: v > 0, "acts on an existing item, but the steps create one"),
    ("field_x_item", lambda v: v > 0, "what the heading adds is a field of an existing item it edits"),
    ("field_x_collection_create", lambda v: v > 0, "what the heading adds is a field, yet this creates a new item"),
    ("create_x_head_not_object", lambda v: v > 0, "creates something other than what the heading names"),
    ("scope_unmentioned", lambda v: v > 0, "sits under a scope the steps never name"),
    ("personal_unmentioned", lambda v: v > 0, "acts on the caller's own settings, which the steps never mention"),
    ("personal_x_personal_scope", lambda v: v > 0, "the caller's own scope, as the steps say (your/profile)"),
    ("unmentioned_parents", lambda v: v > 0, "nested under a resource the steps never name"),
    ("fields", lambda v: v >= 0.5, "the form's labels are its fields"),
    ("get_x_nonread", lambda v: v > 0, "only reads, but the steps change something"),
    ("verb_class_conflict", lambda v: v > 0, "its own verb says another action"),
    ("nested_elsewhere", lambda v: v > 0, "lives under another resource than the one the heading works in"),
    ("title_mismatch", lambda v: v >= 0.5, "does something else than the heading's action"),
]


def explain(features: dict[str, float]) -> str:
    """A short why for a candidate, from its features (for agents choosing among candidates)."""
    skip = {"create_x_item", "field_x_item"} if features.get("field_phrase_x_item") else set()
    out = [text for name, cond, text in _WHY if name in features and name not in skip and cond(features[name])]
    return "; ".join(out[:4]) or "shares words with the steps"
