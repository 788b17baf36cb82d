"""Secrets are redacted in place; the file stays in the digest.

repomix drops a whole file when it finds a secret, losing real source. We replace only the secret
value with ``[REDACTED:<kind>]`` and report file, line and kind.

Rules: the token formats of a maintained rule set (detect-secrets, Apache-2.0, generated into
:mod:`llmingest.transforms.secret_rules` by ``scripts/update_secret_rules.py``), then our own rules for what it
lacks (whole private-key blocks, AWS secrets and session tokens written without quotes, Datadog,
Docker ``auth``, ``Authorization``/``Bearer`` headers, newer GitHub/OpenAI/Anthropic formats), then
the generic ``key = value`` rule with an entropy test, then every value of a ``.env`` file.

Speed (gitleaks' scheme): each rule has keywords, and its regex runs only when one of them occurs
in the lower-cased text. The keywords are found by a few passes, each anchored at a character that
many keywords contain (see the prefilter below), not one per keyword, so the rule set can grow
without the scan growing with it.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from llmingest.model import Redaction
from llmingest.transforms.secret_rules import RULES as _VENDORED


@dataclass(frozen=True)
class _Rule:
    kind: str
    keywords: tuple[str, ...]  # lower case; the regex runs only when one occurs in the lowered text
    pattern: str  # compiled on first use (re caches it): most rules never run on a given repo, and
    # compiling all ~50 at import cost 12 ms on every digest
    group: int | str = 0  # the part replaced
    check: Callable[[str], bool] | None = None  # a last test of the value (entropy, decoding)
    flags: int = 0

    @property
    def rx(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)


def _entropy(s: str) -> float:
    counts = Counter(s)
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _min_entropy(bits: float) -> Callable[[str], bool]:
    return lambda value: _entropy(value) >= bits


def _docker_auth(value: str) -> bool:
    """A Docker ``auth`` is base64 of ``user:password``; anything else named "auth" is left alone."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in raw and len(raw) >= 3


_ASSIGN = r"[\"']?[ \t]*(?::|=|:=|=>)[ \t]*[\"']?"  # `key = "`, `key: `, `"key": "`, `KEY=`

_OWN: list[_Rule] = [
    _Rule("private-key", ("private key",), (
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?P<s>[\s\S]+?)-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"), "s"),
    # detect-secrets wants the AWS secret in quotes; YAML, .ini and shell write it bare
    _Rule("aws-secret-access-key", ("aws_", "aws-", "aws.", "awssecret", "secretaccesskey", "secret_access_key",
                                    "secret-access-key"), (
        r"(?i)(?:aws[\w.-]{0,20}?secret|secret_?access_?key)[\w.-]{0,20}?" + _ASSIGN
        + r"(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"), "s", _min_entropy(3.5)),
    _Rule("aws-session-token", ("session_token", "sessiontoken", "security_token", "securitytoken"), (
        r"(?i)(?:session|security)_?token[\w.-]{0,10}?" + _ASSIGN + r"(?P<s>[A-Za-z0-9/+=]{100,})"), "s"),
    _Rule("github-token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), (
        r"\b(?P<s>(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,}))\b"), "s"),
    # detect-secrets' Stripe rule stops at 24 characters; today's keys are longer
    _Rule("stripe-key", ("sk_live_", "rk_live_", "sk_test_", "pk_live_"), (r"\b(?P<s>[srp]k_(?:live|test)_[A-Za-z0-9]{16,})\b"), "s"),
    _Rule("google-api-key", ("aiza",), (r"\b(?P<s>AIza[0-9A-Za-z_-]{35})\b"), "s"),
    _Rule("anthropic-key", ("sk-ant-",), (r"\b(?P<s>sk-ant-[A-Za-z0-9_-]{20,})"), "s"),
    _Rule("openai-key", ("sk-",), (r"\b(?P<s>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32,}|sk-[A-Za-z0-9]{48})(?![A-Za-z0-9_-])"), "s"),
    _Rule("npm-token", ("npm_",), (r"\b(?P<s>npm_[A-Za-z0-9]{36})\b"), "s"),
    _Rule("slack-token", ("xox",), (r"\b(?P<s>xox[baprs]-[A-Za-z0-9-]{10,})\b"), "s"),
    _Rule("jwt", ("eyj",), (r"\b(?P<s>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"), "s"),
    _Rule("url-credentials", ("://",), (r"://[^\s/:@\"']+:(?P<s>[^\s/@\"'$]{6,})@[^\s\"']+"), "s"),
    _Rule("datadog-api-key", ("datadog", "dd_api", "dd_app", "dd-api", "dd-app", "ddapi", "ddapp"), (
        r"(?i)(?:datadog|dd)[\w.-]{0,20}?(?:api|app|application)[_-]?key" + _ASSIGN + r"(?P<s>[a-f0-9]{32}(?:[a-f0-9]{8})?)\b"),
        "s", _min_entropy(3.0)),
    _Rule("docker-auth", ('"auth"', "identitytoken"), (
        r"\"(?:auth|identitytoken)\"\s*:\s*\"(?P<s>[A-Za-z0-9+/_-]{8,}={0,2})\""), "s", _docker_auth),
    _Rule("authorization-header", ("authorization", "bearer"), (
        r"(?i)(?:\bauthorization\s*[:=]\s*[\"']?\s*(?:bearer|token|basic|bot)?|\bbearer)[ \t]+(?P<s>[A-Za-z0-9._~+/-]{16,}=*)"),
        "s", lambda v: any(c.isdigit() for c in v) and _entropy(v) >= 3.5),
]


# extra tests on some vendored rules' values: detect-secrets' URL rule takes "user:pass@" too
_VENDORED_CHECKS: dict[str, Callable[[str], bool]] = {"url-credentials": lambda v: len(v) >= 6}


def _vendored() -> list[_Rule]:
    return [_Rule(kind, keywords, pattern, group, _VENDORED_CHECKS.get(kind), flags)
            for kind, keywords, pattern, flags, group in _VENDORED]


_RULES: list[_Rule] = _vendored() + _OWN

# The generic "key = 'value'" rule: the keyword prefilter below gives where these keywords are in
# the lower-cased text; the assignment is then matched right after each one. A case-insensitive
# regex alternation over the whole text was 20x slower on the CPython stdlib.
_ASSIGN_KEYWORDS = ("password", "passwd", "secret", "apikey", "api_key", "api-key", "token", "private_key")
_ASSIGN_TAIL = re.compile(r"[A-Za-z0-9_]{0,20}[\"']?[ \t]*(?::|=|:=|=>)[ \t]*(?P<q>[\"'])(?P<s>[^\"'\s]{8,})(?P=q)")
# unquoted values (``password: s3cr3t...`` in YAML, ``export TOKEN=...``): in configuration files
# only, and the value must be all that is left on its line; in code a bare right-hand side is code
_BARE_TAIL = re.compile(r"[A-Za-z0-9_]{0,20}[ \t]*(?::|=)[ \t]*(?P<s>[^\s\"'#,;(){}\[\]<>]{8,})[ \t]*(?:#.*)?$", re.M)
_CONFIG_SUFFIXES = (".yml", ".yaml", ".env", ".ini", ".cfg", ".conf", ".properties", ".toml", ".sh", ".bash", ".zsh",
                    ".envrc", ".npmrc", ".pypirc", ".netrc", ".tfvars", ".service")
_CONFIG_NAMES = ("dockerfile", "containerfile", ".envrc", ".npmrc", ".pypirc", ".netrc", "makefile", "procfile")

_NOT_SECRET_KEY = re.compile(r"(?i)^[A-Za-z0-9]*_?(?:type|types|name|names|file|path|url|uri|header|field|prefix|"
                             r"suffix|len|length|count|size|kind|id|format|style|class|mode|env|var|endpoint|expiry|expires)\b")
_PLACEHOLDER = re.compile(r"(?i)^(?:x+|\*+|\.+|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_.]*\}?|%\(?[A-Za-z_]\w*\)?s?|changeme|example.*|your[_-].*|"
                          r"dummy.*|test.*|fake.*|placeholder.*|secret|password|none|null|true|false|\{\{.*\}\}|\$\{\{.*\}\})$")


def _looks_secret(value: str) -> bool:
    """A credential value: letters and digits mixed, or long and random; not a word-like label."""
    if _PLACEHOLDER.match(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    if has_digit and has_alpha:
        return _entropy(value) >= 3.0
    return len(value) >= 24 and _entropy(value) >= 4.0


def _is_config(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(_CONFIG_SUFFIXES) or name in _CONFIG_NAMES or name.startswith((".env", "docker-compose", "compose."))


def _assignments(text: str, found: dict[str, list[int]], bare: bool) -> list[tuple[int, int]]:
    """Values assigned right after the generic keywords (at the places ``found`` says)."""
    spans: set[tuple[int, int]] = set()
    for keyword in _ASSIGN_KEYWORDS:
        for i in found.get(keyword, ()):
            after = i + len(keyword)
            if not _NOT_SECRET_KEY.match(text, after):
                m = _ASSIGN_TAIL.match(text, after) or (_BARE_TAIL.match(text, after) if bare else None)
                if m:
                    spans.add((m.start("s"), m.end("s")))
    return sorted(spans)


_ENV_LINE = re.compile(r"^(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<s>.+?)\s*$", re.M)


def _is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == ".env" or (name.startswith(".env.") and not name.endswith((".example", ".sample", ".template")))


# The keyword prefilter: which rules can match a text, and where the generic rule's keywords are.
# A regex pass whose first character is a literal is the cheapest scan ``re`` has (~20 ms over the
# stdlib's 37 M characters; a character class first costs ~4x that, ``str.find`` of a short
# keyword ~1.5x), so the keywords are found by a few such passes, not one per keyword or per first
# character. Each keyword is anchored at one of its characters: the anchors are chosen once, at
# import, as the cheapest set of characters that every keyword contains one of (a pass costs a scan
# plus a stop at every occurrence of its character; frequencies below are of lower-cased source
# code), and a pass over character ``c`` is ``c`` followed by a trie of what follows ``c`` in its
# keywords, each branch ending in a lookbehind of the whole keyword. Every match is a keyword
# occurrence, tested here against the few keywords anchored at ``c``; the next search starts one
# character later, so overlapping occurrences are all found. Measured (benchmarks/secrets_bench.py, CPU, the CPython
# stdlib, 37 M characters): 8 passes where there were 12 and a substring test, the whole scan
# 0.50 -> 0.35 s with the same hits.
_URL = "://"
_BY_KEYWORD: dict[str, list[int]] = {kw: [] for kw in _ASSIGN_KEYWORDS}
for _i, _rule in enumerate(_RULES):
    for _kw in _rule.keywords:
        _BY_KEYWORD.setdefault(_kw, []).append(_i)
_BY_KEYWORD.setdefault(_URL, [])

# per mille of the characters of the CPython stdlib, lower-cased (others: 10)
_FREQ = {"j": 0.9, "z": 1.2, "q": 2.9, "k": 3.9, "v": 4.0, "w": 5.1, "y": 5.9, ":": 6.3, "=": 6.4, '"': 7.0,
         "x": 7.6, "b": 7.8, "g": 8.2, "-": 8.7, "h": 9.7, "m": 13.6, "_": 14.0, "u": 14.9, "p": 15.4, ".": 16.0,
         "f": 19.6, "c": 20.2, "d": 21.6, "l": 28.3, "o": 30.3, "i": 31.6, "n": 32.5, "r": 35.4, "a": 37.7, "s": 44.1,
         "t": 46.7, "e": 68.9, " ": 265.6, **{d: 6.0 for d in "0123456789"}}


def _pass_cost(ch: str) -> float:
    """A pass's cost in scans: one scan, plus its stops (~22 characters' worth of scan each)."""
    return 1 + 22 * _FREQ.get(ch, 10.0) / 1000


def _plan_anchors(keywords: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Anchor character -> the keywords anchored there, each with the anchor's offset in it.

    Greedy weighted set cover (cost of a pass per keyword it newly covers), then each keyword goes
    to the rarest chosen character it contains, so a pass stops as seldom as it can."""
    having: dict[str, set[str]] = {}
    for kw in keywords:
        for ch in kw:
            having.setdefault(ch, set()).add(kw)
    left, chosen = set(keywords), []
    while left:
        best = min((ch for ch in having if having[ch] & left),
                   key=lambda ch: (_pass_cost(ch) / len(having[ch] & left), ch))
        chosen.append(best)
        left -= having[best]
    plan: dict[str, list[tuple[str, int]]] = {}
    for kw in keywords:
        ch = min((c for c in chosen if c in kw), key=lambda c: (_FREQ.get(c, 10.0), c))
        plan.setdefault(ch, []).append((kw, kw.index(ch)))
    return plan


def _anchored(ch: str, keywords: list[tuple[str, int]]) -> re.Pattern[str]:
    """``ch`` and what follows it where one of ``keywords`` (anchored at ``ch``) occurs there: a
    trie of what follows ``ch`` in them, each branch ending in a lookbehind of the whole keyword."""
    tree: dict = {}
    for kw, off in keywords:
        node = tree
        for c in kw[off + 1:]:
            node = node.setdefault(c, {})
        node.setdefault("", set()).add(kw)

    def either(alts: list[str]) -> str:
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    def emit(node: dict, at_root: bool = False) -> str:
        alts = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c]
        ends = sorted(node.get("", ()), key=lambda k: (-len(k), k))
        if ends:
            found = [f"(?<={re.escape(kw)})" for kw in ends]
            if at_root and all(len(kw) > 1 for kw in ends):  # tried at every stop: the character before first
                before = "".join(sorted({kw[-2] for kw in ends}))
                found = [f"(?<=[{re.escape(before)}]{re.escape(ch)})" + either(found)]
            alts += found
        return either(alts)

    return re.compile(re.escape(ch) + emit(tree, True))


def _candidates(keywords: list[tuple[str, int]]) -> dict[str, list[tuple[str, int]]]:
    """The keywords to test at a match, by the character after the anchor ("" for any)."""
    out: dict[str, list[tuple[str, int]]] = {}
    for kw, off in keywords:
        out.setdefault(kw[off + 1:off + 2], []).append((kw, off))
    return out


_ANCHORS = _plan_anchors(sorted(_BY_KEYWORD))
_PASSES = [(_anchored(ch, kws), _candidates(kws)) for ch, kws in sorted(_ANCHORS.items())]


def _keywords(lower: str) -> tuple[list[int], dict[str, list[int]]]:
    """The rules one of whose keywords occurs in ``lower`` (in rule order), and where each keyword
    occurs (every place, overlapping ones too)."""
    found: dict[str, list[int]] = {}
    for rx, candidates in _PASSES:
        search = rx.search
        m = search(lower)
        while m is not None:
            at = m.start()
            after = lower[at + 1:at + 2]  # "" at the end of the text: the anchor ends the keyword
            for group in (candidates.get(after), candidates.get("")) if after else (candidates.get(""),):
                for kw, off in group or ():
                    if at >= off and lower.startswith(kw, at - off):
                        found.setdefault(kw, []).append(at - off)
            m = search(lower, at + 1)  # from the next character: occurrences may overlap
    return sorted({i for kw in found for i in _BY_KEYWORD[kw]}), found


Hit = tuple[int, int, str]  # (start, end, kind) of a secret value in a text
# detect-secrets' regexes take the delimiters around a value along; a base64 value keeps its "=" tail
_TRIM_START, _TRIM_END = " \t\r\n\"'=:`;,", " \t\r\n\"'`;,"


def redact(path: str, text: str) -> tuple[str, list[Redaction]]:
    """Replace secret values in ``text``; return the new text and what was replaced where."""
    return apply(path, text, find(path, text))


def find(path: str, text: str) -> list[Hit]:
    """Where the secret values in ``text`` are, in order, never overlapping. Kept apart from
    :func:`apply` so worker processes can search while the caller keeps the text."""
    hits: list[Hit] = []
    chosen, found = _keywords(text.lower())
    for index in chosen:
        rule = _RULES[index]
        for m in rule.rx.finditer(text):
            start, end = m.span(rule.group)
            if start < 0:
                continue
            value = text[start:end]
            stripped = value.lstrip(_TRIM_START).rstrip(_TRIM_END)
            if not stripped:
                continue
            start += len(value) - len(value.lstrip(_TRIM_START))
            end = start + len(stripped)
            if _PLACEHOLDER.match(stripped) or (rule.check is not None and not rule.check(stripped)):
                continue
            hits.append((start, end, rule.kind))
    env = _is_env_file(path)  # there every value is redacted below, bare ones included
    for start, end in _assignments(text, found, _is_config(path) and not env):
        if _looks_secret(text[start:end]):
            hits.append((start, end, "generic-secret"))
    if env:
        for m in _ENV_LINE.finditer(text):
            value = m.group("s").strip("\"'")
            if value and not _PLACEHOLDER.match(value):
                start = m.start("s") + (1 if m.group("s")[:1] in "\"'" else 0)
                hits.append((start, start + len(value), "env-value"))
    return _merge(hits)


def _merge(hits: list[Hit]) -> list[Hit]:
    """In text order, never overlapping: of overlapping hits the earliest wins, at one start a
    specific rule before the generic ones and the longer before the shorter."""
    if not hits:
        return []
    generic = {"generic-secret": 1, "env-value": 2}
    hits.sort(key=lambda h: (h[0], generic.get(h[2], 0), -h[1]))
    merged: list[Hit] = []
    for start, end, kind in hits:
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:  # a longer overlapping hit: cover the union, keep the first kind
                merged[-1] = (merged[-1][0], end, merged[-1][2])
            continue
        merged.append((start, end, kind))
    return merged


def redact_path(path: str) -> tuple[str, list[str]]:
    """``path`` with any token in it replaced (a file named after a token shows in the tree), and
    the kinds replaced. Only the token formats apply: a path has no assignments or .env lines."""
    hits = [h for h in find("", path) if h[2] not in ("generic-secret", "env-value")]
    if not hits:
        return path, []
    out, pos = [], 0
    for start, end, kind in hits:
        out += [path[pos:start], f"[REDACTED:{kind}]"]
        pos = end
    out.append(path[pos:])
    return "".join(out), [h[2] for h in hits]


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
