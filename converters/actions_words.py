"""Click-to-curl vocabulary: what a person does in a UI and what an API operation does.

Word lists shared by detection (UI verbs, buttons) and grounding (verb classes, path verbs, noise
words). Kept apart so tuning a list never means reading the matching code.
"""

from __future__ import annotations

UI_VERBS = ("click", "select", "choose", "press", "tap", "toggle", "check", "uncheck", "tick", "untick",
            "enable", "disable", "navigate", "go to", "open", "fill in", "fill out", "enter", "paste", "type",
            "pick", "scroll", "expand", "set", "leave", "copy", "drag", "hover", "switch", "find", "search for",
            "confirm", "acknowledge", "upload", "name it", "sign in", "log in")

#: (nouns that are also verbs, like "issue", "draft" or "post", are left out: GitHub issues and blog
#: posts are things, and a verb class would hide them from the resource words)
CREATE = {"create", "add", "new", "generate", "register", "invite", "publish", "setup", "connect", "install",
          "provision", "subscribe", "import", "upload", "make", "start", "open", "schedule", "book"}
UPDATE = {"update", "change", "edit", "rename", "modify", "set", "configure", "enable", "disable", "switch",
          "turn", "toggle", "replace", "adjust", "patch", "put"}
DELETE = {"delete", "remove", "revoke", "disconnect", "uninstall", "unsubscribe", "destroy", "unlink", "erase",
          "release", "discard", "purge", "terminate"}
READ = {"view", "list", "find", "see", "show", "search", "browse", "get", "look", "retrieve", "fetch",
        "inspect", "check", "download", "export", "read", "access", "review", "monitor", "explore", "examine"}
#: words on buttons that submit whatever the task is about; they say nothing about its kind
NEUTRAL_BUTTONS = {"save", "ok", "okay", "done", "continue", "next", "confirm", "yes", "submit", "apply",
                   "close", "cancel", "back", "i", "understand", "finish", "proceed", "got", "it", "sure",
                   "the", "a", "an", "my", "your", "changes"}
#: verbs that REST APIs put as the last path segment (``/invoices/{id}/send``): the action, not
#: the resource, so they do not count as resource words when comparing paths
PATH_VERBS = {"send", "pay", "void", "finalize", "cancel", "capture", "confirm", "refund", "close", "approve",
              "reject", "attach", "detach", "verify", "search", "resume", "apply", "accept", "decline",
              "archive", "unarchive", "restore", "publish", "unpublish", "lock", "unlock", "merge", "rename",
              "transfer", "test", "ping", "retry", "rerun", "redeliver", "trigger", "start", "stop", "pause",
              "activate", "deactivate", "enable", "disable", "sync", "reset", "revoke", "invite", "submit",
              "dismiss", "reopen", "resolve", "duplicate", "clone", "copy", "move", "share", "upload",
              "download", "import", "export", "validate", "preview", "rollback", "generate", "regenerate",
              "rotate", "expire", "reverse", "reactivate", "suspend", "unsuspend", "subscribe", "unsubscribe",
              "star", "unstar", "follow", "unfollow", "pin", "unpin", "mute", "unmute", "favorite", "unfavorite",
              "watch", "unwatch", "block", "unblock", "print", "mark", "snooze", "hide", "unhide"}
#: navigation words that say where a person clicks, not what the task is about
UI_NOISE = {"click", "select", "choose", "press", "tap", "toggle", "tick", "untick", "navigate", "go", "open",
            "fill", "enter", "paste", "pick", "scroll", "expand", "leave", "button", "page", "tab", "menu",
            "dropdown", "drop", "down", "sidebar", "side", "bar", "section", "field", "box", "dialog", "modal",
            "screen", "icon", "link", "panel", "upper", "lower", "right", "left", "top", "bottom", "corner",
            "dashboard", "ui", "console", "portal", "then", "next", "first", "optional", "optionally", "e",
            "g", "eg", "checkbox", "radio", "option", "choice", "text", "input", "area", "form",
            "setting", "hover", "drag", "copy", "confirm", "acknowledge", "under", "beside", "visit",
            "sign", "log", "profile", "home", "overview", "window", "view", "step", "done", "type"}
#: what a person does with a mouse or keyboard: never part of what the task is about
NAV_VERBS = {"click", "select", "choose", "press", "tap", "navigate", "go", "scroll", "hover", "drag", "tick",
             "untick", "toggle", "fill", "enter", "paste", "pick", "leave", "copy", "confirm", "acknowledge",
             "type", "visit", "sign", "log", "expand", "e", "g", "eg"}
#: words in a label that name the widget, not the field
LABEL_NOISE = {"button", "page", "tab", "menu", "dropdown", "field", "box", "checkbox", "section", "option",
               "icon", "link", "the", "a", "an", "your"}
#: path segments that name the caller's own scope; a task rarely says "user" when it means "mine"
NEUTRAL_SEGMENTS = {"user", "me", "my", "self", "account", "api", "rest", "current", "v1", "v2", "v3", "v4"}
GENERIC_PARAM_WORDS = {"id", "sid", "guid", "gid", "uid", "ref", "name", "type", "key", "value", "title", "description", "slug", "uuid",
                       "number", "owner", "username", "data", "info", "object", "item", "kind"}
#: form labels and API field names that mean the same thing in most products
SYNONYMS = {
    "name": {"title", "label"}, "title": {"name", "label"}, "label": {"name", "title"},
    "body": {"note", "content", "message", "text"}, "note": {"body", "description"},
    "url": {"uri", "link", "endpoint", "address"}, "endpoint": {"url"},
    "description": {"note", "summary"},
    "private": {"visibility"}, "public": {"visibility"}, "visibility": {"private", "public"},
}

#: action verbs that APIs name differently, each group one action ("Rerun" in the UI, ``/retry`` in the
#: path); only near-universal equivalences, never a product's own vocabulary
_VERB_GROUPS = [("rerun", "retry"), ("restart", "reboot"), ("resend", "redeliver"), ("duplicate", "clone", "copy"),
                ("revert", "rollback"), ("unarchive", "restore")]
VERB_SYNONYMS = {v: tuple(x for x in group if x != v) for group in _VERB_GROUPS for v in group}


def verb_class(verb: str) -> str | None:
    v = verb.lower()
    for name, group in (("create", CREATE), ("update", UPDATE), ("delete", DELETE), ("read", READ)):
        if v in group:
            return name
    return None
