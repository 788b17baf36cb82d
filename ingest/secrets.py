"""Secrets are redacted in place; the file stays in the digest.

repomix drops a whole file when it finds a secret, losing real source. We replace only the secret
value with ``[REDACTED:<kind>]`` and report file, line and kind. Detection is one pass of cheap
substring prefilters, then precise regexes only on files that can contain a hit, so scanning a
37 MB tree costs little.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .model import Redaction

# (kind, prefilter substrings, regex). The regex's group "s" (or the whole match) is redacted.
_RULES: list[tuple[str, tuple[str, ...], re.Pattern[str]]] = [
    ("private-key", ("PRIVATE KEY",), re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?P<s>[\s\S]+?)-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("aws-access-key-id", ("AKIA", "ASIA"), re.compile(r"\b(?P<s>(?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("aws-secret-access-key", ("aws_secret", "AWS_SECRET", "SecretAccessKey"), re.compile(
        r"(?i)(?:aws_secret_access_key|secretaccesskey)[\"']?\s*[:=]\s*[\"']?(?P<s>[A-Za-z0-9/+=]{40})\b")),
    ("github-token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), re.compile(
        r"\b(?P<s>(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,}))\b")),
    ("gitlab-token", ("glpat-",), re.compile(r"\b(?P<s>glpat-[A-Za-z0-9_-]{20,})\b")),
    ("slack-token", ("xox",), re.compile(r"\b(?P<s>xox[baprs]-[A-Za-z0-9-]{10,})\b")),
    ("slack-webhook", ("hooks.slack.com",), re.compile(r"(?P<s>https://hooks\.slack\.com/services/[A-Za-z0-9/]+)")),
    ("stripe-key", ("sk_live_", "rk_live_", "sk_test_", "rk_test_"), re.compile(r"\b(?P<s>[sr]k_(?:live|test)_[A-Za-z0-9]{16,})\b")),
    ("google-api-key", ("AIza",), re.compile(r"\b(?P<s>AIza[0-9A-Za-z_-]{35})\b")),
    ("anthropic-key", ("sk-ant-",), re.compile(r"\b(?P<s>sk-ant-[A-Za-z0-9_-]{20,})")),
    ("openai-key", ("sk-",), re.compile(r"\b(?P<s>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32,}|sk-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{48})(?![A-Za-z0-9_-])")),
    ("npm-token", ("npm_",), re.compile(r"\b(?P<s>npm_[A-Za-z0-9]{36})\b")),
    ("pypi-token", ("pypi-",), re.compile(r"\b(?P<s>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})")),
    ("jwt", ("eyJ",), re.compile(r"\b(?P<s>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})")),
    ("url-credentials", ("://",), re.compile(r"://[^\s/:@\"']+:(?P<s>[^\s/@\"'$]{6,})@[^\s\"']+")),
]

# The generic "key = 'value'" rule: keyword occurrences are found with str.find on a lower-cased copy
# (a C-speed literal search); the assignment is then matched right after each keyword. A
# case-insensitive regex alternation over the whole text was 20x slower on the CPython stdlib.
_ASSIGN_KEYWORDS = ("password", "passwd", "secret", "apikey", "api_key", "api-key", "token", "private_key")
_ASSIGN_TAIL = re.compile(r"[A-Za-z0-9_]{0,20}[\"']?[ \t]*(?::|=|:=|=>)[ \t]*(?P<q>[\"'])(?P<s>[^\"'\s]{8,})(?P=q)")


_NOT_SECRET_KEY = re.compile(r"(?i)^[A-Za-z0-9]*_?(?:type|types|name|names|file|path|url|uri|header|field|prefix|"
                             r"suffix|len|length|count|size|kind|id|format|style|class|mode|env|var)\b")


def _looks_secret(value: str) -> bool:
    """A credential value: letters and digits mixed, or long and random; not a word-like label."""
    if _PLACEHOLDER.match(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    if has_digit and has_alpha:
        return _entropy(value) >= 3.0
    return len(value) >= 24 and _entropy(value) >= 4.0


def _assignments(text: str) -> list[tuple[int, int]]:
    lower = text.lower()
    spans: set[tuple[int, int]] = set()
    for keyword in _ASSIGN_KEYWORDS:
        i = lower.find(keyword)
        while i != -1:
            m = _ASSIGN_TAIL.match(text, i + len(keyword))
            if m and not _NOT_SECRET_KEY.match(text, i + len(keyword)):
                spans.add((m.start("s"), m.end("s")))
            i = lower.find(keyword, i + len(keyword))
    return sorted(spans)


_ENV_LINE = re.compile(r"^(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<s>.+?)\s*$", re.M)
_PLACEHOLDER = re.compile(r"(?i)^(?:x+|\*+|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|changeme|example.*|your[_-].*|"
                          r"dummy.*|test.*|fake.*|placeholder.*|secret|password|none|null|true|false|\{\{.*\}\})$")


def _entropy(s: str) -> float:
    counts = Counter(s)
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == ".env" or (name.startswith(".env.") and not name.endswith((".example", ".sample", ".template")))


def _trie(words: list[str]) -> str:
    """A regex matching any of ``words``, shared prefixes factored out (so re tries few branches)."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


# A gate tells whether ANY rule's prefilter needle (other than the very common "://") is in a file;
# most files have none, and then ~25 substring scans are skipped. Files that pass the gate get
# exactly the per-rule checks as before, so what is found does not change. Needles sharing a first
# character are one regex (a literal first character lets re skip ahead fast), the rest plain
# substring tests: 12 passes, 1.6x faster than one regex over all needles.
_GATE_NEEDLES = sorted({n for _kind, needles, _rx in _RULES for n in needles if n != "://"})
_GATE_CHECKS: list[str | re.Pattern[str]] = []
for _first in sorted({n[0] for n in _GATE_NEEDLES}):
    _group = [n for n in _GATE_NEEDLES if n[0] == _first]
    _GATE_CHECKS.append(_group[0] if len(_group) == 1 else re.compile(_trie(_group)))


def _gated(text: str) -> bool:
    return any((check in text) if isinstance(check, str) else check.search(text) is not None for check in _GATE_CHECKS)


Hit = tuple[int, int, str]  # (start, end, kind) of a secret value in a text


def redact(path: str, text: str) -> tuple[str, list[Redaction]]:
    """Replace secret values in ``text``; return the new text and what was replaced where."""
    return apply(path, text, find(path, text))


def find(path: str, text: str) -> list[Hit]:
    """Where the secret values in ``text`` are, in order, never overlapping. Kept apart from
    :func:`apply` so worker processes can search while the caller keeps the text."""
    hits: list[Hit] = []
    gated = _gated(text)
    for kind, needles, rx in _RULES:
        if (gated or "://" in needles) and any(n in text for n in needles):
            for m in rx.finditer(text):
                if kind == "url-credentials" and _PLACEHOLDER.match(m.group("s")):
                    continue
                hits.append((m.start("s"), m.end("s"), kind))
    for start, end in _assignments(text):
        if _looks_secret(text[start:end]):
            hits.append((start, end, "generic-secret"))
    if _is_env_file(path):
        for m in _ENV_LINE.finditer(text):
            value = m.group("s").strip("\"'")
            if value and not _PLACEHOLDER.match(value):
                start = m.start("s") + (1 if m.group("s")[:1] in "\"'" else 0)
                hits.append((start, start + len(value), "env-value"))
    if not hits:
        return []
    generic = {"generic-secret": 1, "env-value": 2}
    hits.sort(key=lambda h: (h[0], generic.get(h[2], 0), -h[1]))
    merged: list[Hit] = []
    for start, end, kind in hits:
        if merged and start < merged[-1][1]:
            continue  # overlapping: the earlier (more specific) rule wins
        merged.append((start, end, kind))
    return merged


def apply(path: str, text: str, hits: list[Hit]) -> tuple[str, list[Redaction]]:
    """``text`` with every hit replaced by ``[REDACTED:<kind>]``, and a report line per hit."""
    if not hits:
        return text, []
    out, pos, reports = [], 0, []
    line, line_pos = 1, 0
    for start, end, kind in hits:
        line += text.count("\n", line_pos, start)
        line_pos = start
        out.append(text[pos:start])
        out.append(f"[REDACTED:{kind}]")
        pos = end
        reports.append(Redaction(path, line, kind))
    out.append(text[pos:])
    return "".join(out), reports
