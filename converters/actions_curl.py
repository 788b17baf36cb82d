"""Click-to-curl output: a runnable curl for an operation and its filled fields.

Full URL from the spec's servers (or a base URL), auth from ``securitySchemes`` as environment
placeholders, ``$VAR`` path placeholders with where their values come from, a JSON body (heredoc,
so placeholders expand) or form-encoded pairs. Pure.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

from .openapi import Operation, SpecIndex

#: variables the shell or login already sets: a ``$USER`` placeholder would silently send the
#: caller's login name instead of staying visibly unfilled
SHELL_VARS = {"USER", "HOME", "PATH", "PWD", "OLDPWD", "SHELL", "LANG", "TERM", "HOSTNAME", "HOSTTYPE",
              "OSTYPE", "UID", "EUID", "GROUPS", "IFS", "PS1", "PS2", "RANDOM", "SECONDS", "LINENO", "MAIL",
              "LOGNAME", "EDITOR", "DISPLAY", "TMPDIR", "TZ", "SHLVL", "PPID", "BASH", "COLUMNS", "LINES"}


def env_name(name: str) -> str:
    """``projectId``/``project-id`` -> ``PROJECT_ID``: the shell variable a value goes in (never
    one the shell already sets: ``user`` -> ``USER_VALUE``)."""
    out = re.sub(r"[^A-Za-z0-9]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)).strip("_").upper()
    return out + "_VALUE" if out in SHELL_VARS or not out else out


def shell_quote(text: str) -> str:
    """Double-quote for the shell but keep ``$VAR`` placeholders expandable."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
    out = re.sub(r"\$(?![A-Z_][A-Z0-9_]*)", r"\\$", out)
    return f'"{out}"'


def _json_literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _nest(params: dict[str, Any], op: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, value in params.items():
        cur = body
        parts = name.split(".")
        for part in parts[:-1]:
            nxt = cur.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                cur[part] = nxt
            cur = nxt
        cur[parts[-1]] = value
    # arrays of objects: a nested field of an array param lives inside its one element
    for p in op.body:
        if p.type == "array" and p.item_type == "object":
            node = _walk(body, p.name)
            if isinstance(node, dict):
                _set(body, p.name, [node])
    return body


def _walk(body: dict[str, Any], dotted: str) -> Any:
    cur: Any = body
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _set(body: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    cur = body
    for part in parts[:-1]:
        cur = cur[part]
    cur[parts[-1]] = value


def _json_with_placeholders(value: Any, indent: int = 0) -> str:
    """JSON text where ``$VAR`` strings stay expandable in an unquoted heredoc."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f'{pad}  {_json_literal(k)}: {_json_with_placeholders(v, indent + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_with_placeholders(v, indent) for v in value) + "]"
    if isinstance(value, str):
        if re.fullmatch(r"\$[A-Z_][A-Z0-9_]*", value):
            return f'"{value}"'
        return _json_literal(value).replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    return _json_literal(value)


def _form_pairs(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.extend(_form_pairs(f"{prefix}[{k}]" if prefix else k, v))
        return out
    if isinstance(value, list):
        out = []
        for v in value:
            out.extend(_form_pairs(f"{prefix}[]", v))
        return out
    if isinstance(value, bool):
        return [(prefix, "true" if value else "false")]
    return [(prefix, value)]


def _scheme_args(scheme: dict[str, Any], product: str) -> tuple[list[str], list[str], str]:
    kind, sch = scheme.get("type"), str(scheme.get("scheme", "")).lower()
    if kind == "http" and sch == "basic":
        var = f"{product}_API_KEY"
        return ["-u", f'"${var}:"'], [], var
    if kind in ("http", "oauth2", "openIdConnect"):
        var = f"{product}_TOKEN"
        return ["-H", f'"Authorization: Bearer ${var}"'], [], var
    if kind == "apiKey":
        name, where = str(scheme.get("name", "api_key")), scheme.get("in", "header")
        var = f"{product}_API_KEY"
        if "token" in name.lower() and "key" not in name.lower():
            var = f"{product}_TOKEN"
        if where == "query":
            return [], [f"{name}=${var}"], var
        if where == "cookie":
            return ["-b", f'"{name}=${var}"'], [], var
        return ["-H", f'"{name}: ${var}"'], [], var
    return [], [], ""


def auth_args(spec: SpecIndex, op: Operation) -> tuple[list[str], list[str], str]:
    """curl arguments for the operation's auth, query additions, and the env vars to set.

    The first requirement the spec lists is used, with every scheme it combines (Trello wants
    both ``key`` and ``token``); secrets are always ``$PRODUCT_TOKEN``/``$PRODUCT_API_KEY``.
    """
    product = spec.product
    requirements = op.security if op.security is not None else spec.security
    if not spec.security_schemes:
        if op.security == []:
            return [], [], ""
        var = f"{product}_TOKEN"
        return ["-H", f'"Authorization: Bearer ${var}"'], [], var
    if requirements == []:
        return [], [], ""
    for req in requirements or [{}]:
        names = list(req) if req else list(spec.security_schemes)[:1]
        schemes = [spec.security_schemes[n] for n in names if n in spec.security_schemes]
        if not schemes:
            continue
        args, query, env = [], [], []
        for scheme in schemes:
            a, q, v = _scheme_args(scheme, product)
            if v in env:  # two schemes, one secret name: tell them apart by the scheme's own name
                v2 = f"{product}_{re.sub(r'[^A-Z0-9]+', '_', str(scheme.get('name', '')).upper())}"
                a = [x.replace(v, v2) for x in a]
                q = [x.replace(v, v2) for x in q]
                v = v2
            args += a
            query += q
            env.append(v)
        return args, query, " ".join(env)
    return [], [], ""


def _base_url(spec: SpecIndex, base_url: str | None, notes: list[str]) -> str:
    """The URL calls start with: --base-url, else the spec's first server; ``$BASE_URL`` (with a
    note) when neither is absolute."""
    base = (base_url or (spec.servers[0] if spec.servers else "")).rstrip("/")
    if not base.startswith(("http://", "https://")):
        notes.append("`$BASE_URL`: the API's base URL (the spec names no absolute server; use --base-url)")
        base = "$BASE_URL" + base
    return base


def _filled_path(op: Operation, params: dict[str, Any]) -> str:
    """The operation's path with each ``{param}`` replaced by its value or ``$PARAM``."""
    path = op.path
    for p in op.params:
        if p.location == "path":
            v = params.get(p.name, "$" + env_name(p.name))
            path = path.replace("{" + p.name + "}", str(v))
    return path


def _query_pairs(op: Operation, params: dict[str, Any]) -> list[str]:
    """``name=value`` for each query parameter given, percent-encoded ("milk & eggs" would split
    the query), $VAR placeholders kept."""
    query = []
    for p in op.params:
        if p.location == "query" and p.name in params:
            v = params[p.name]
            text = ",".join(map(str, v)) if isinstance(v, list) else str(v)
            query.append(f"{p.name}={urllib.parse.quote(text, safe='$,')}")
    return query


def _header_lines(op: Operation) -> list[str]:
    """A ``-H`` with a ``$VAR`` for each required header parameter."""
    return ["-H " + shell_quote(f"{h.name}: ${re.sub(r'[^A-Z0-9]+', '_', h.name.upper())}")
            for h in op.params if h.location == "header" and h.required]


def _form_lines(op: Operation, body_params: dict[str, Any], media: str) -> list[str]:
    """One curl flag per form field: urlencoded, or multipart (files read, other values as text)."""
    lines = []
    files = {b.name for b in op.body if b.type == "file"}
    for key, value in _form_pairs("", _nest(body_params, op)):
        if isinstance(value, bool):
            value = "true" if value else "false"
        if media == "multipart/form-data":
            # --form-string: a typed value starting with @ or < is text, not a file to read
            flag = "-F" if key in files else "--form-string"
        else:
            flag = "--data-urlencode"
        lines.append(f"{flag} {shell_quote(f'{key}={value}')}")
    return lines


def _json_lines(op: Operation, body_params: dict[str, Any], media: str) -> tuple[list[str], str]:
    """The content type and stdin flag of a JSON body, and the heredoc that carries it."""
    body: Any = _nest(body_params, op)
    if op.body_is_array:
        body = [body]
    lines = [f"-H {shell_quote('Content-Type: ' + media)}", "--data-binary @- <<EOF"]
    return lines, _json_with_placeholders(body) + "\nEOF"


def _external_body_lines(op: Operation, notes: list[str]) -> list[str]:
    """The spec keeps this body's schema in another file, which a pure converter does not read:
    say so, and send a body the caller writes, rather than a call without one."""
    notes.append(f"`$BODY_FILE`: a file with the request body; its schema is `{op.body_ref}`, "
                 "outside the spec file (not followed)")
    return [f"-H {shell_quote('Content-Type: ' + str(op.body_media))}", '--data-binary "@$BODY_FILE"']


def build_curl(spec: SpecIndex, op: Operation, params: dict[str, Any], base_url: str | None) -> tuple[str, list[str]]:
    """A runnable curl for ``op`` with ``params`` (placeholders stay ``$VARS``), plus notes."""
    notes: list[str] = []
    base = _base_url(spec, base_url, notes)
    path = _filled_path(op, params)
    auth, query_auth, _var = auth_args(spec, op)
    query = _query_pairs(op, params) + query_auth
    url = base + path + ("?" + "&".join(query) if query else "")
    lines = ["curl" + (f" -X {op.method}" if op.method != "GET" else "") + " " + shell_quote(url)]
    if auth:
        lines.append(" ".join(auth))
    lines += _header_lines(op)
    body_names = {b.name for b in op.body}
    body_params = {k: v for k, v in params.items() if k in body_names}
    heredoc = None
    if op.body_media and body_params:
        if op.body_media in ("application/x-www-form-urlencoded", "multipart/form-data"):
            lines += _form_lines(op, body_params, op.body_media)
        else:
            json_lines, heredoc = _json_lines(op, body_params, op.body_media)
            lines += json_lines
    if op.body_media and not body_params and op.body_ref:
        lines += _external_body_lines(op, notes)
    curl = " \\\n  ".join(lines)
    if heredoc:
        curl += "\n" + heredoc
    return curl, notes


def source_notes(op: Operation, spec: SpecIndex, params: dict[str, Any]) -> list[str]:
    """Where each path placeholder comes from: the list/create call of the collection above it."""
    notes = []
    segs = op.path.strip("/").split("/")
    by_key = {(o.method, o.path): o for o in spec.operations}
    for i, seg in enumerate(segs):
        if not seg.startswith("{"):
            continue
        name = seg.strip("{}")
        value = params.get(name)
        if not (isinstance(value, str) and value.startswith("$")):
            continue
        collection = "/" + "/".join(segs[:i])
        src = by_key.get(("GET", collection)) or by_key.get(("POST", collection))
        if i > 0 and not segs[i - 1].startswith("{") and src is not None:
            field_name = "id" if name.endswith("id") or name in ("id",) else name.split("_")[-1]
            label = f" ({src.summary})" if src.summary else ""
            notes.append(f"`{value}`: from an earlier call, the `{field_name}` in the response of "
                         f"`{src.method} {src.path}`{label}")
        else:
            notes.append(f"`{value}`: the {name.replace('_', ' ')} you are working on")
    return notes
