"""Click-to-curl body check: the JSON body a curl would send, validated against the operation's
request schema before the curl is emitted.

Why: an agent runs what it is given, so a call whose body the API will reject (a required field
missing, ``"thirty"`` for an integer, ``"Admin"`` where the enum says ``"admin"``) is a wrong call.
The schema is rebuilt from the indexed fields (:class:`~llmingest.converters.openapi.Param`:
dotted names, types, required flags, enums) and checked by :func:`validate`, a validator for exactly
the JSON Schema subset that rebuild uses (``type``, ``properties``, ``required``, ``enum``, ``items``),
with jsonschema's messages. Why not ``jsonschema`` itself: importing it costs 100-200 ms on every CLI
run that emits a body, for keywords this schema never has; the tests check both agree.

The design: a **named placeholder** (``"$TOPIC"``) stands for a value the caller fills in, so it
satisfies "required" and is not type- or enum-checked (its note says the type and the allowed
values); every **literal** value the steps gave is checked. A body that fails is not emitted: the task
stays manual with the reason. Pure.
"""

from __future__ import annotations

import re
from typing import Any

from .openapi import Operation

_PLACEHOLDER = re.compile(r"^@?\$[A-Z_][A-Z0-9_]*$")
_JSON_TYPES = {"string", "integer", "number", "boolean", "array", "object"}
#: the spec index keeps at most this many values of an enum (:mod:`.openapi`): a list that long may
#: be cut short (Stripe's ``enabled_events`` has 200+), so it cannot prove a value wrong
ENUM_KEPT = 50


def is_placeholder(value: Any) -> bool:
    """``"$NAME"`` (or ``"@$FILE"`` for uploads): a value left for the caller."""
    return isinstance(value, str) and bool(_PLACEHOLDER.match(value))


def _node(root: dict[str, Any], dotted: str) -> dict[str, Any]:
    """The schema node for a dotted field, creating object parents (``a.b`` -> a's properties)."""
    cur = root
    for part in dotted.split(".")[:-1]:
        props = cur.setdefault("properties", {})
        nxt = props.setdefault(part, {"type": "object"})
        if nxt.get("type") == "array":  # a field of an array of objects lives in its items
            nxt = nxt.setdefault("items", {"type": "object"})
        cur = nxt
    return cur


def request_schema(op: Operation) -> dict[str, Any]:
    """A JSON Schema of the operation's body from its indexed fields (required, types, enums)."""
    root: dict[str, Any] = {"type": "object"}
    for p in sorted(op.body, key=lambda b: b.name.count(".")):
        parent = _node(root, p.name)
        leaf = p.name.split(".")[-1]
        sch: dict[str, Any] = parent.setdefault("properties", {}).setdefault(leaf, {})
        t = "string" if p.type == "file" else p.type
        if t in _JSON_TYPES and "type" not in sch:
            sch["type"] = t
        if t == "array" and p.item_type in _JSON_TYPES:
            sch.setdefault("items", {}).setdefault("type", p.item_type)
            if p.enum and len(p.enum) < ENUM_KEPT:
                sch["items"]["enum"] = list(p.enum)
        elif p.enum and len(p.enum) < ENUM_KEPT:
            sch["enum"] = list(p.enum)
        if p.required:
            req = parent.setdefault("required", [])
            if leaf not in req:
                req.append(leaf)
    return root


def _relax(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """The schema with every node whose value is a placeholder made permissive."""
    if is_placeholder(value):
        return {}
    out = dict(schema)
    if isinstance(value, dict) and "properties" in schema:
        out["properties"] = {k: (_relax(s, value[k]) if k in value else s) for k, s in schema["properties"].items()}
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        if any(is_placeholder(v) for v in value):
            out["items"] = {}
        elif value and isinstance(value[0], dict):
            out["items"] = _relax(schema["items"], value[0])
    return out


_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "number": (int, float),
                                       "boolean": (bool,), "array": (list,), "object": (dict,)}


def _is_type(value: Any, t: str) -> bool:
    if t in ("integer", "number") and isinstance(value, bool):
        return False  # JSON true is not a number
    if t == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(t, (object,)))


def _repr(value: Any) -> str:
    return repr(value)


def validate(schema: dict[str, Any], value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """(path, message) for every way ``value`` breaks ``schema`` (the subset :func:`request_schema`
    builds), messages as jsonschema words them."""
    errors: list[tuple[tuple[str, ...], str]] = []
    t = schema.get("type")
    if t and not _is_type(value, t):
        return [(path, f"{_repr(value)} is not of type {t!r}")]
    if "enum" in schema and value not in schema["enum"]:
        errors.append((path, f"{_repr(value)} is not one of {schema['enum']!r}"))
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errors.append((path, f"{name!r} is a required property"))
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                errors += validate(sub, value[name], (*path, name))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors += validate(schema["items"], item, (*path, str(i)))
    return errors


def body_problems(op: Operation, body: Any) -> list[str]:
    """Why ``body`` (the nested JSON the curl sends) would be rejected; empty when it validates.

    >>> from llmingest.converters.openapi import Operation, Param
    >>> op = Operation("POST", "/x", body=[Param("role", "body", True, "string", enum=["admin", "member"])])
    >>> body_problems(op, {"role": "owner"})
    ["role: 'owner' is not one of ['admin', 'member']"]
    >>> body_problems(op, {"role": "$ROLE"})
    []
    """
    if not op.body or op.body_ref:
        return []
    schema = request_schema(op)
    instance = body[0] if op.body_is_array and isinstance(body, list) and body else body
    errors = validate(_relax(schema, instance), instance)
    return [f"{'.'.join(p) or 'body'}: {msg}" for p, msg in sorted(errors)]


def misfit_fields(op: Operation, body: Any) -> list[str]:
    """The body fields (dotted, as indexed) whose literal values break their type or enum: a value
    the steps typed that was given to the wrong field (``443`` for an array of rule objects, a
    message text for an integer id). The caller puts a placeholder there (or leaves an optional field
    out), so the call itself is not lost for one misplaced value; missing required fields are not
    misfits (placeholders already stand for them).

    >>> from llmingest.converters.openapi import Operation, Param
    >>> op = Operation("POST", "/x", body=[Param("reply_to", "body", False, "integer")])
    >>> misfit_fields(op, {"reply_to": "Build passed"})
    ['reply_to']
    """
    if not op.body or op.body_ref:
        return []
    schema = request_schema(op)
    instance = body[0] if op.body_is_array and isinstance(body, list) and body else body
    names = {p.name for p in op.body}
    out: list[str] = []
    for path, msg in validate(_relax(schema, instance), instance):
        if msg.endswith("is a required property"):
            continue
        dotted = [part for part in path if not part.isdigit()]
        while dotted and ".".join(dotted) not in names:
            dotted.pop()
        if dotted and ".".join(dotted) not in out:
            out.append(".".join(dotted))
    return out
