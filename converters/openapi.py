"""OpenAPI 3.x / Swagger 2.0 specs parsed into one small, picklable index of operations.

Why a model of our own: grounding a "click here" task needs, per operation, only its method, path,
names, summary, parameters and body fields, plus a term index to rank operations against the
task's words. Keeping exactly that (and not the 13 MB document) makes the index fast to build,
cheap to pickle into the cache, and lets Swagger 2.0 and OpenAPI 3.x share every later step.

Pure: bytes or text in, :class:`SpecIndex` out. No network, no disk.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..errors import ConversionError

METHODS = ("get", "post", "put", "patch", "delete")
INDEX_VERSION = 13  # bump when the index layout or term weights change (invalidates caches)

# ---------------------------------------------------------------------------------------------
# terms: one tokenizer for specs and for documentation text, so both sides meet in the middle

STOPWORDS = frozenset("""
a an the and or of to in on for with by from as at is are be been it its this that these those
your you we our their them they his her can will may must should would could not no yes if then
than so such any all each every some into onto out up down over under via per using use used
also only just more most other when where which who whom what how why there here do does did
has have had i me my mine us about after before again between both same own too very s t
""".split())

#: common API abbreviations, mapped both ways to one spelling so "repo" meets "repositories"
ABBREVIATIONS = {
    "repo": "repository", "org": "organization", "organisation": "organization", "env": "environment",
    "config": "configuration", "var": "variable", "msg": "message", "doc": "document",
    "cert": "certificate", "perm": "permission", "admin": "administrator", "info": "information",
    "param": "parameter", "attr": "attribute", "dir": "directory", "img": "image",
}

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_TAGS = re.compile(r"<[^>]+>")
#: shared hosting domains: the product is not the host's name there
_HOSTING = {"amazonaws.com", "herokuapp.com", "azurewebsites.net", "swagger.io", "apiary.io", "github.io",
            "googleapis.com", "cloudfunctions.net", "vercel.app", "netlify.app", "ngrok.io", "example.com",
            "example.org", "localhost.localdomain"}
_SUFFIX = re.compile(r"\.(json|xml|csv|yaml|yml|txt|html)$", re.I)
_VERSIONISH = re.compile(r"v?\d+([.-]\d+)*([.-]?(alpha|beta)\d*)?", re.I)


@functools.lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """A deliberately light stemmer: plurals only, so ``hooks``/``hook`` and ``deliveries``/
    ``delivery`` meet while verbs and nouns that differ in meaning stay apart."""
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("sses", "xes", "ches", "shes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return ABBREVIATIONS.get(w, w)


def words(text: str) -> list[str]:
    """Raw lower-case words of ``text`` with camelCase and snake_case split (no stemming)."""
    out: list[str] = []
    for raw in _WORD.findall(_CAMEL.sub(" ", text or "")):
        out.append(raw.lower())
    return out


def terms(text: str) -> list[str]:
    """Index terms: split words, stopwords dropped, plurals and abbreviations normalised."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def strip_html(text: str) -> str:
    return _TAGS.sub(" ", text or "")


# ---------------------------------------------------------------------------------------------
# the model


@dataclass
class Param:
    """A path/query/header parameter or a body field (``name`` dotted for nested fields)."""

    name: str
    location: str  # path | query | header | cookie | body
    required: bool = False
    type: str = "string"
    description: str = ""
    enum: list[Any] = field(default_factory=list)
    default: Any = None
    item_type: str | None = None  # element type for arrays


@dataclass
class Operation:
    method: str  # upper case
    path: str
    operation_id: str = ""
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    deprecated: bool = False
    params: list[Param] = field(default_factory=list)
    body: list[Param] = field(default_factory=list)
    body_media: str | None = None  # application/json, application/x-www-form-urlencoded, ...
    body_is_array: bool = False  # the body is a JSON array of objects with ``body`` fields
    body_ref: str | None = None  # the body schema is an external $ref (another file): fields unknown
    security: list[dict[str, list[str]]] | None = None  # None: inherit the spec's global security
    tf: dict[str, float] = field(default_factory=dict)  # weighted term frequencies
    length: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def segments(self) -> list[str]:
        """Path segments without format suffixes (``Messages.json``) and version/date segments."""
        out = []
        for s in self.path.strip("/").split("/"):
            s = _SUFFIX.sub("", s)
            if s and not _VERSIONISH.fullmatch(s):
                out.append(s)
        return out

    @property
    def literal_segments(self) -> list[str]:
        return [s for s in self.segments if not s.startswith("{")]

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)


@dataclass
class SpecIndex:
    """Everything grounding needs from one spec, plus a BM25 index over its operations."""

    title: str
    name: str  # what the user called it (file name or URL), for messages
    version: str  # "3.0.3" / "2.0"
    servers: list[str]
    security_schemes: dict[str, dict[str, Any]]
    security: list[dict[str, list[str]]]
    operations: list[Operation]
    df: dict[str, int]
    avgdl: float
    spec_hash: str = ""
    index_version: int = INDEX_VERSION

    @property
    def product(self) -> str:
        """The product's name for env-var placeholders: the API host's domain (``api.github.com``
        -> ``GITHUB``; titles like "Email Activity (beta)" name a part, not the product), else the
        first word of the title (``Swagger Petstore`` -> ``PETSTORE``)."""
        from urllib.parse import urlsplit

        host = urlsplit(self.servers[0]).hostname if self.servers else None
        labels = (host or "").split(".")
        if len(labels) >= 2 and not labels[-1].isdigit() and host not in ("localhost",):
            label = labels[-3] if len(labels) >= 3 and labels[-2] in ("co", "com", "org", "net", "gov", "ac") \
                and len(labels[-1]) == 2 else labels[-2]
            domain = ".".join(labels[-2:])
            if domain not in _HOSTING and label and label not in ("example", "local"):
                return re.sub(r"[^A-Z0-9]", "_", label.upper())
        for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", self.title or self.name or ""):
            if w.lower() not in STOPWORDS and w.lower() not in {"api", "openapi", "swagger", "rest", "official"}:
                return re.sub(r"[^A-Z0-9]", "", w.upper()) or "API"
        return "API"

    def idf(self, term: str) -> float:
        n = len(self.operations)
        df = self.df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def bm25(self, op: Operation, query: dict[str, float], k1: float = 1.2, b: float = 0.75) -> float:
        score = 0.0
        norm = k1 * (1 - b + b * op.length / (self.avgdl or 1.0))
        for term, qw in query.items():
            tf = op.tf.get(term)
            if tf:
                score += qw * self.idf(term) * tf * (k1 + 1) / (tf + norm)
        return score

    def vocabulary(self) -> set[str]:
        return set(self.df)


# ---------------------------------------------------------------------------------------------
# parsing


def parse_document(data: bytes | str, name: str | None = None) -> dict[str, Any]:
    """JSON or YAML text -> dict; anything else is a ConversionError naming the spec."""
    label = name or "the spec"
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConversionError(f"{label} is not UTF-8 text, so not an OpenAPI spec") from None
    else:
        text = data
    stripped = text.lstrip()
    doc: Any = None
    if stripped.startswith(("{", "[")):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise ConversionError(f"{label} is not valid JSON: {exc}") from None
    else:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            doc = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConversionError(f"{label} is neither JSON nor valid YAML: {first}") from None
    if not isinstance(doc, dict) or not ("openapi" in doc or "swagger" in doc):
        raise ConversionError(f"{label} is not an OpenAPI spec (no 'openapi' or 'swagger' field)",
                              hint="pass an OpenAPI 3.x or Swagger 2.0 document, JSON or YAML")
    if not isinstance(doc.get("paths"), dict):
        raise ConversionError(f"{label} has no 'paths' object, so no operations to match")
    return doc


class _Resolver:
    """Follows local ``$ref`` pointers; cycles end in an empty schema instead of a recursion."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.cache: dict[str, Any] = {}

    def pointer(self, ref: str) -> Any:
        if ref in self.cache:
            return self.cache[ref]
        if not ref.startswith("#"):
            return {}  # external refs are not followed (pure converter, no disk/network)
        node: Any = self.doc
        for part in ref[1:].lstrip("/").split("/"):
            if not part:
                continue
            # a fragment is URI-encoded ("~1v2~1domains~1%7Bdomain_name%7D"), then JSON-pointer escaped
            part = unquote(part).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                node = {}
                break
        self.cache[ref] = node
        return node

    def deref(self, node: Any, seen: frozenset[str] = frozenset()) -> tuple[Any, frozenset[str]]:
        """Resolve a chain of $refs; returns the target and the refs walked (for cycle checks)."""
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen or hops > 32:
                return {}, seen
            seen = seen | {ref}
            node = self.pointer(ref)
            hops += 1
        return node, seen


def _schema_type(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    if t == "string" and schema.get("format") == "binary":
        return "file"  # an upload: curl sends it with -F name=@path
    if t:
        return str(t)
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _merged_object(res: _Resolver, schema: Any, seen: frozenset[str]) -> tuple[dict[str, Any], set[str], frozenset[str]]:
    """Properties and required names of an object schema, through allOf/oneOf/anyOf."""
    schema, seen = res.deref(schema, seen)
    if not isinstance(schema, dict):
        return {}, set(), seen
    props: dict[str, Any] = {}
    required: set[str] = set(x for x in schema.get("required", []) or [] if isinstance(x, str))
    for key in ("allOf",):
        for part in schema.get(key, []) or []:
            p, r, _ = _merged_object(res, part, seen)
            props.update(p)
            required |= r
    for key in ("oneOf", "anyOf"):
        for part in schema.get(key, []) or []:
            p, _r, _ = _merged_object(res, part, seen)
            for k, v in p.items():
                props.setdefault(k, v)
    if isinstance(schema.get("properties"), dict):
        props.update(schema["properties"])
    return props, required, seen


def _typed_part(res: _Resolver, psch: dict[str, Any], pseen: frozenset[str]) -> dict[str, Any]:
    """The first part of an untyped schema's anyOf/oneOf/allOf that has a type or properties, else the schema."""
    for key in ("anyOf", "oneOf", "allOf"):
        for part in psch.get(key, []) or []:
            part, _ = res.deref(part, pseen)
            if isinstance(part, dict) and (part.get("type") or part.get("properties")):
                return part
    return psch


def _effective_schema(res: _Resolver, psch: dict[str, Any], pseen: frozenset[str]) -> dict[str, Any]:
    """The schema that says what a property is: an allOf of refs is an object made of its parts
    (Asana's ProjectRequest); an untyped composite is its first typed part."""
    alt = psch
    if not psch.get("type") and not psch.get("properties") and psch.get("allOf"):
        merged, _r, _s = _merged_object(res, psch, pseen)
        if merged:
            alt = {"type": "object", **psch}
    if alt is psch and _schema_type(psch) == "string" and not psch.get("type"):
        alt = _typed_part(res, psch, pseen)
    return alt


def _body_field(res: _Resolver, name: str, psch: dict[str, Any], alt: dict[str, Any], pseen: frozenset[str],
                required: bool) -> tuple[Param, Any]:
    """One body field, and the (dereferenced) schema of its items when it is an array."""
    ptype = _schema_type(alt)
    item_type = None
    items = None
    if ptype == "array":
        items, _ = res.deref(alt.get("items", {}), pseen)
        item_type = _schema_type(items) if isinstance(items, dict) else "string"
    enum = alt.get("enum") or (items.get("enum") if isinstance(items, dict) else None) or []
    desc = strip_html(str(psch.get("description") or alt.get("description") or ""))[:300]
    param = Param(name, "body", required, ptype, desc, [e for e in enum if e is not None][:50],
                  psch.get("default", alt.get("default")), item_type)
    return param, items


def _flatten(res: _Resolver, schema: Any, prefix: str, required_parent: bool, seen: frozenset[str],
             depth: int, out: list[Param]) -> None:
    """Append the writable fields of an object schema to ``out``, dotted, two levels of nesting deep
    (objects and arrays of objects), at most ~400 fields."""
    props, required, seen = _merged_object(res, schema, seen)
    for pname, psch in sorted(props.items()):
        if not isinstance(pname, str):
            continue
        psch, pseen = res.deref(psch, seen)
        if not isinstance(psch, dict):
            psch = {}
        if psch.get("readOnly"):
            continue
        alt = _effective_schema(res, psch, pseen)
        name = f"{prefix}{pname}"
        is_req = pname in required and required_parent
        param, items = _body_field(res, name, psch, alt, pseen, is_req)
        out.append(param)
        if depth < 2 and len(out) < 400:
            if param.type == "object":
                _flatten(res, alt, name + ".", is_req, pseen, depth + 1, out)
            elif param.type == "array" and isinstance(items, dict) and param.item_type == "object":
                _flatten(res, items, name + ".", is_req, pseen, depth + 1, out)


def _param(res: _Resolver, raw: Any) -> dict[str, Any] | None:
    node, _ = res.deref(raw)
    return node if isinstance(node, dict) and node.get("name") and node.get("in") else None


def _servers(doc: dict[str, Any]) -> list[str]:
    if "swagger" in doc:
        host = doc.get("host")
        if not host:
            return [doc.get("basePath", "") or ""] if doc.get("basePath") else []
        schemes = doc.get("schemes") or ["https"]
        scheme = "https" if "https" in schemes else schemes[0]
        return [f"{scheme}://{host}{doc.get('basePath', '') or ''}".rstrip("/")]
    out = []
    for server in doc.get("servers", []) or []:
        if not isinstance(server, dict) or not server.get("url"):
            continue
        url = str(server["url"])
        for var, spec in (server.get("variables") or {}).items():
            default = spec.get("default") if isinstance(spec, dict) else None
            if default is not None:
                url = url.replace("{" + var + "}", str(default))
        out.append(url.rstrip("/") if url != "/" else "")
    return out


def _security_schemes(doc: dict[str, Any], res: _Resolver) -> dict[str, dict[str, Any]]:
    raw = (doc.get("components") or {}).get("securitySchemes") or doc.get("securityDefinitions") or {}
    out: dict[str, dict[str, Any]] = {}
    for name, scheme in raw.items():
        scheme, _ = res.deref(scheme)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type", "")
        if kind == "basic":  # Swagger 2.0 spelling
            scheme = {"type": "http", "scheme": "basic"}
        out[str(name)] = {k: scheme.get(k) for k in ("type", "scheme", "in", "name", "bearerFormat") if scheme.get(k)}
    return out


_FIELD_WEIGHTS = {"path": 3.0, "summary": 3.0, "operation_id": 2.0, "tags": 1.0, "description": 1.0,
                  "params": 1.0}


def _terms_for(op: Operation) -> Counter[str]:
    tf: Counter[str] = Counter()

    def add(text: str, weight: float) -> None:
        for t in terms(text):
            tf[t] += weight

    add(" ".join(op.literal_segments), _FIELD_WEIGHTS["path"])
    add(" ".join(op.path_params), 1.0)
    add(op.summary, _FIELD_WEIGHTS["summary"])
    add(op.operation_id, _FIELD_WEIGHTS["operation_id"])
    add(" ".join(op.tags), _FIELD_WEIGHTS["tags"])
    add(op.description[:400], _FIELD_WEIGHTS["description"])
    names = {p.name for p in op.params if p.location in ("path", "query")} | {b.name for b in op.body}
    add(" ".join(sorted(names)), _FIELD_WEIGHTS["params"])
    return tf


def _declared_params(res: _Resolver, item: dict[str, Any], op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The path item's parameters overridden by the operation's, by (location, name)."""
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in list(item.get("parameters", []) or []) + list(op.get("parameters", []) or []):
        p = _param(res, raw)
        if p:
            params[(p["in"], p["name"])] = p
    return params


def _bare_operation(path: str, method: str, op: dict[str, Any]) -> Operation:
    """The operation's identity and texts, without its parameters and body yet."""
    return Operation(method.upper(), path, str(op.get("operationId") or ""),
                     strip_html(str(op.get("summary") or "")).strip(),
                     strip_html(str(op.get("description") or "")).strip()[:1000],
                     [str(t) for t in op.get("tags", []) or []], bool(op.get("deprecated")),
                     security=op.get("security") if isinstance(op.get("security"), list) else None)


def _plain_param(res: _Resolver, loc: str, name: str, p: dict[str, Any]) -> Param:
    """A path, query, header or cookie parameter (its type from its schema, or Swagger 2.0's own keys)."""
    schema, _ = res.deref(p.get("schema", p))
    schema = schema if isinstance(schema, dict) else {}
    ptype = _schema_type(schema) if (schema.get("type") or schema.get("items")) else str(p.get("type") or "string")
    return Param(name, loc, bool(p.get("required")) or loc == "path", ptype,
                 strip_html(str(p.get("description") or ""))[:300],
                 list(schema.get("enum") or p.get("enum") or [])[:50],
                 schema.get("default", p.get("default")))


def _form_param(p: dict[str, Any]) -> Param:
    """A Swagger 2.0 ``formData`` parameter, as a body field."""
    return Param(p["name"], "body", bool(p.get("required")), str(p.get("type") or "string"),
                 strip_html(str(p.get("description") or ""))[:300], list(p.get("enum") or [])[:50],
                 p.get("default"))


def _swagger_body_media(doc: dict[str, Any], op: dict[str, Any]) -> str:
    """A Swagger 2.0 ``in: body`` parameter's media type: JSON when the API consumes it."""
    consumes = op.get("consumes") or doc.get("consumes") or ["application/json"]
    return "application/json" if "application/json" in consumes else consumes[0]


def _form_media(doc: dict[str, Any], op: dict[str, Any]) -> str:
    """Swagger 2.0 form fields' media type: multipart when the API consumes it, else urlencoded."""
    consumes = op.get("consumes") or doc.get("consumes") or ["application/x-www-form-urlencoded"]
    return "multipart/form-data" if "multipart/form-data" in consumes else "application/x-www-form-urlencoded"


def _request_body(res: _Resolver, raw: Any) -> tuple[Any, str] | None:
    """An OpenAPI 3 requestBody's (schema, media type): JSON, else a form, else the first by name."""
    rb, _seen = res.deref(raw)
    content = rb.get("content", {}) if isinstance(rb, dict) else {}
    if not (isinstance(content, dict) and content):
        return None
    preferred = [m for m in ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
                 if m in content]
    media = preferred[0] if preferred else sorted(content)[0]
    return (content.get(media) or {}).get("schema", {}), media


def _add_body_fields(res: _Resolver, body_schema: Any, out: Operation) -> None:
    """The body schema's fields into ``out.body`` (an array body's item fields; an external $ref kept)."""
    raw_ref = body_schema.get("$ref") if isinstance(body_schema, dict) else None
    if isinstance(raw_ref, str) and not raw_ref.startswith("#"):
        out.body_ref = raw_ref
    schema, seen = res.deref(body_schema)
    if isinstance(schema, dict) and _schema_type(schema) == "array":
        out.body_is_array = True
        schema, seen = res.deref(schema.get("items", {}), seen)
    _flatten(res, schema, "", True, seen, 0, out.body)


def _operation(res: _Resolver, doc: dict[str, Any], path: str, method: str, item: dict[str, Any],
               op: dict[str, Any], swagger: bool) -> Operation:
    """One operation with its parameters, body fields and BM25 term frequencies."""
    out = _bare_operation(path, method, op)
    body_schema = None
    media = None
    form_fields: list[dict[str, Any]] = []
    for (loc, name), p in sorted(_declared_params(res, item, op).items()):
        if swagger and loc == "body":
            body_schema, media = p.get("schema", {}), _swagger_body_media(doc, op)
        elif swagger and loc == "formData":
            form_fields.append(p)
        else:
            out.params.append(_plain_param(res, loc, name, p))
    if not swagger and op.get("requestBody"):
        found = _request_body(res, op["requestBody"])
        if found:
            body_schema, media = found
    if form_fields:
        media = _form_media(doc, op)
        out.body.extend(_form_param(p) for p in form_fields)
    if body_schema is not None:
        _add_body_fields(res, body_schema, out)
    out.body_media = media
    tf = _terms_for(out)
    out.tf = dict(tf)
    out.length = float(sum(tf.values()))
    return out


def spec_hash(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def build_index(doc: dict[str, Any], *, name: str | None = None, digest: str = "") -> SpecIndex:
    """Normalise a parsed OpenAPI 3.x or Swagger 2.0 document into a :class:`SpecIndex`."""
    swagger = "swagger" in doc and "openapi" not in doc
    res = _Resolver(doc)
    operations: list[Operation] = []
    for path in sorted(doc["paths"]):
        item, _ = res.deref(doc["paths"][path])
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                operations.append(_operation(res, doc, str(path), method, item, op, swagger))
    if not operations:
        raise ConversionError(f"{name or 'the spec'} declares no operations under 'paths'")
    df: Counter[str] = Counter()
    for op in operations:
        df.update(op.tf.keys())
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    security = doc.get("security") if isinstance(doc.get("security"), list) else []
    return SpecIndex(
        title=str(info.get("title") or name or "API"), name=name or str(info.get("title") or "spec"),
        version=str(doc.get("openapi") or doc.get("swagger")), servers=_servers(doc),
        security_schemes=_security_schemes(doc, res), security=security, operations=operations,
        df=dict(df), avgdl=sum(op.length for op in operations) / len(operations), spec_hash=digest,
    )


def load_spec(data: bytes | str, *, name: str | None = None) -> SpecIndex:
    """Parse and index an OpenAPI 3.x or Swagger 2.0 spec given as JSON or YAML text.

    >>> idx = load_spec('{"openapi": "3.0.0", "info": {"title": "Pets"}, "paths": {"/pets": {"get": {}}}}')
    >>> [op.key for op in idx.operations]
    ['GET /pets']
    """
    return build_index(parse_document(data, name), name=name, digest=spec_hash(data))
