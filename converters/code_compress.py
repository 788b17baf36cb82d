"""Source code reduced to what an agent needs to navigate it, and its outline, from one parse.

``compress(text, path)`` keeps imports, class and function signatures with their docstrings,
doc comments and decorators, type definitions and constants, and replaces every function body
of more than one line by a marker saying how many lines were left out (and so every data
literal, a table or a long string assigned to a name, of more than ``LITERAL_LINES`` lines) (repomix's ``--compress``,
but the file keeps its shape: everything outside function bodies stays, in place and in order).
``outline(text, path)`` lists the symbols (classes, functions, methods, types) with their line
ranges. Both are pure: text in, text or symbols out; they never raise on bad input. A file whose
language has no grammar here, or whose parse has errors, is returned whole with the reason.

Grammars come from ``tree-sitter-language-pack`` (0.x: every grammar inside the wheel, nothing
downloaded at run time) and are imported on first use only, so a digest without ``--compress``
never pays for them. Parsers are per thread (a tree-sitter parser is not thread-safe); languages
and queries are shared.

>>> compress("def f(x):\\n    y = x\\n    return y\\n", "a.py").text
'def f(x):\\n    ...  # 2 lines omitted\\n'
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Compressed", "Symbol", "compress", "outline", "language_of", "SUPPORTED"]

#: file extension -> tree-sitter grammar name
_EXT = {
    "py": "python", "pyi": "python", "js": "javascript", "mjs": "javascript", "cjs": "javascript",
    "jsx": "javascript", "ts": "typescript", "mts": "typescript", "cts": "typescript", "tsx": "tsx",
    "go": "go", "rs": "rust", "java": "java", "c": "c", "h": "c", "cc": "cpp", "cpp": "cpp", "cxx": "cpp",
    "c++": "cpp", "hpp": "cpp", "hh": "cpp", "hxx": "cpp", "h++": "cpp", "cs": "csharp", "rb": "ruby",
    "rake": "ruby", "gemspec": "ruby", "php": "php", "kt": "kotlin", "kts": "kotlin", "swift": "swift",
    "scala": "scala",
}
SUPPORTED = tuple(sorted(set(_EXT.values())))

_JS_FUNCS = ("function_declaration", "function_expression", "function", "generator_function_declaration",
             "generator_function", "method_definition", "arrow_function")
#: node types whose ``body`` is a function body (replaced by a marker)
_FUNCS: dict[str, tuple[str, ...]] = {
    "python": ("function_definition",),
    "javascript": _JS_FUNCS, "typescript": _JS_FUNCS, "tsx": _JS_FUNCS,
    "go": ("function_declaration", "method_declaration", "func_literal"),
    "rust": ("function_item", "closure_expression"),
    "java": ("method_declaration", "constructor_declaration", "lambda_expression", "compact_constructor_declaration"),
    "c": ("function_definition",),
    "cpp": ("function_definition", "lambda_expression"),
    "csharp": ("method_declaration", "constructor_declaration", "destructor_declaration", "local_function_statement",
               "operator_declaration", "conversion_operator_declaration", "accessor_declaration"),
    "ruby": ("method", "singleton_method"),
    "php": ("function_definition", "method_declaration", "anonymous_function", "anonymous_function_creation_expression"),
    "kotlin": ("function_declaration", "anonymous_function", "secondary_constructor"),
    "swift": ("function_declaration", "init_declaration", "deinit_declaration"),
    "scala": ("function_definition",),
}
_JS_DEFS = {"class_declaration": "class", "abstract_class_declaration": "class", "class": "class",
            "interface_declaration": "interface", "type_alias_declaration": "type", "enum_declaration": "enum",
            "internal_module": "namespace", "module": "namespace", "function_declaration": "function",
            "generator_function_declaration": "function", "method_definition": "method",
            "variable_declarator": "function"}
#: node types listed in an outline, and the kind they are
_DEFS: dict[str, dict[str, str]] = {
    "python": {"class_definition": "class", "function_definition": "function"},
    "javascript": _JS_DEFS, "typescript": _JS_DEFS, "tsx": _JS_DEFS,
    "go": {"function_declaration": "function", "method_declaration": "method", "type_spec": "type"},
    "rust": {"function_item": "function", "struct_item": "struct", "enum_item": "enum", "trait_item": "trait",
             "impl_item": "impl", "mod_item": "module", "type_item": "type", "union_item": "union",
             "macro_definition": "macro"},
    "java": {"class_declaration": "class", "interface_declaration": "interface", "enum_declaration": "enum",
             "record_declaration": "record", "annotation_type_declaration": "annotation",
             "method_declaration": "method", "constructor_declaration": "constructor"},
    "c": {"function_definition": "function", "struct_specifier": "struct", "union_specifier": "union",
          "enum_specifier": "enum", "type_definition": "type"},
    "cpp": {"function_definition": "function", "struct_specifier": "struct", "union_specifier": "union",
            "enum_specifier": "enum", "class_specifier": "class", "namespace_definition": "namespace",
            "type_definition": "type", "alias_declaration": "type"},
    "csharp": {"class_declaration": "class", "struct_declaration": "struct", "interface_declaration": "interface",
               "enum_declaration": "enum", "record_declaration": "record", "namespace_declaration": "namespace",
               "method_declaration": "method", "constructor_declaration": "constructor",
               "property_declaration": "property", "delegate_declaration": "delegate"},
    "ruby": {"class": "class", "module": "module", "method": "method", "singleton_method": "method"},
    "php": {"class_declaration": "class", "interface_declaration": "interface", "trait_declaration": "trait",
            "enum_declaration": "enum", "function_definition": "function", "method_declaration": "method"},
    "kotlin": {"class_declaration": "class", "object_declaration": "object", "function_declaration": "function"},
    "swift": {"class_declaration": "class", "protocol_declaration": "protocol", "function_declaration": "function"},
    "scala": {"class_definition": "class", "object_definition": "object", "trait_definition": "trait",
              "function_definition": "function"},
}
_JS_LITERALS = ("object", "array", "string", "template_string")
#: literal node types: data spanning more than ``LITERAL_LINES`` lines is left out like a body
_LITERALS: dict[str, tuple[str, ...]] = {
    "python": ("dictionary", "list", "set", "tuple", "string", "concatenated_string"),
    "javascript": _JS_LITERALS, "typescript": _JS_LITERALS, "tsx": _JS_LITERALS,
    "go": ("literal_value",), "rust": ("array_expression",), "java": ("array_initializer",),
    "c": ("initializer_list",), "cpp": ("initializer_list",), "csharp": ("initializer_expression",),
    "ruby": ("hash", "array"), "php": ("array_creation_expression",),
}
_STRINGS = {"string", "concatenated_string", "template_string"}
#: node types that make a literal code rather than data (it is then kept, and its functions compressed)
_NOT_DATA = {"call", "call_expression", "lambda", "arrow_function", "function_expression", "function",
             "method_definition", "new_expression", "object_creation_expression", "method_invocation",
             "invocation_expression", "func_literal", "closure_expression", "lambda_expression",
             "anonymous_function", "function_call_expression", "member_call_expression", "scoped_call_expression",
             "generator_expression", "list_comprehension", "dictionary_comprehension", "set_comprehension",
             "await_expression", "macro_invocation", "template_substitution", "interpolation", "jsx_element"}
LITERAL_LINES = 10
_CONTAINERS = {"class", "interface", "struct", "trait", "impl", "module", "namespace", "enum", "record", "object",
               "protocol"}
_HASH_COMMENT = {"python", "ruby"}
_NAME_LEAVES = {"identifier", "field_identifier", "type_identifier", "qualified_identifier", "operator_name",
                "destructor_name", "name", "constant", "property_identifier", "scoped_identifier",
                "simple_identifier", "template_function", "private_property_identifier"}


@dataclass
class Compressed:
    """The compressed text and what happened to it (``reason`` says why a file was kept whole)."""

    text: str
    language: str | None
    changed: bool = False
    bodies: int = 0  # function bodies replaced by a marker
    omitted_lines: int = 0
    reason: str | None = None


@dataclass
class Symbol:
    """One definition of a file: ``start_line``/``end_line`` are 1-based and inclusive."""

    name: str
    kind: str
    start_line: int
    end_line: int
    depth: int = 0
    signature: str = ""
    children: list[Symbol] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "start_line": self.start_line, "end_line": self.end_line,
                "signature": self.signature, "children": [c.to_dict() for c in self.children]}


def language_of(path: str) -> str | None:
    """The grammar for ``path`` by its extension, or None when this module has none for it."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in ("rakefile", "gemfile"):
        return "ruby"
    return _EXT.get(os.path.splitext(name)[1][1:])


# ---------------------------------------------------------------------------------------------- grammars
_lock = threading.Lock()
_queries: dict[str, Any] = {}  # language -> Query over its function and definition node types (or None)
_local = threading.local()


def _query(lang: str) -> Any:
    """One query capturing every function and definition node of ``lang``; built once, shared."""
    with _lock:
        if lang in _queries:
            return _queries[lang]
    from tree_sitter import Query
    from tree_sitter_language_pack import get_language

    language = get_language(lang)  # type: ignore[arg-type]
    types = []
    for node_type in dict.fromkeys([*_FUNCS.get(lang, ()), *_DEFS.get(lang, {}), *_LITERALS.get(lang, ())]):
        try:  # a type this grammar version does not know is left out, not an error
            Query(language, f"({node_type}) @n")
            types.append(node_type)
        except Exception:
            continue
    query = Query(language, "[" + " ".join(f"({t})" for t in types) + "] @n") if types else None
    with _lock:
        _queries[lang] = query
    return query


def _parser(lang: str) -> Any:
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(lang)
    if parser is None:
        from tree_sitter_language_pack import get_parser

        parser = parsers[lang] = get_parser(lang)  # type: ignore[arg-type]
    return parser


def _parse(data: bytes, lang: str) -> tuple[Any, str] | tuple[None, str]:
    """(root node, language) of a clean parse, or (None, why not). A C header that C cannot parse is
    tried as C++ (``.h`` is both)."""
    try:
        tree = _parser(lang).parse(data)
    except Exception as exc:  # a missing grammar or a broken wheel: the file is kept whole
        return None, f"no {lang} grammar ({type(exc).__name__})"
    if tree.root_node.has_error and lang == "c":
        return _parse(data, "cpp")
    if tree.root_node.has_error:
        return None, "parse errors"
    return tree.root_node, lang


def _nodes(root: Any, lang: str) -> list[Any]:
    from tree_sitter import QueryCursor

    query = _query(lang)
    if query is None:
        return []
    nodes = QueryCursor(query).captures(root).get("n", [])
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


# ---------------------------------------------------------------------------------------------- compress
def _docstring_end(body: Any) -> int | None:
    """End byte of a Python body's docstring (its first statement, a string), else None."""
    first = body.named_children[0] if body.named_child_count else None
    if first is None:
        return None
    if first.type in ("string", "concatenated_string"):  # newer grammars: the string is the statement
        return first.end_byte
    if first.type == "expression_statement" and first.named_child_count == 1 \
            and first.named_children[0].type in ("string", "concatenated_string"):
        return first.end_byte
    return None


def _line_start(data: bytes, pos: int) -> int:
    return data.rfind(b"\n", 0, pos) + 1


def _elision(data: bytes, fn: Any, lang: str) -> tuple[int, int, bytes, int] | None:
    """(start, end, replacement, lines omitted) for one function's body, or None to keep it."""
    body = fn.child_by_field_name("body")
    if body is None:
        return None
    text_start, text_end = body.start_byte, body.end_byte
    first, last = body.start_point[0], body.end_point[0]
    if data[text_start:text_start + 1] == b"{" and data[text_end - 1:text_end] == b"}":
        lines = last - first - 1
        if lines < 2:
            return None
        return text_start, text_end, f"{{ /* {lines} lines omitted */ }}".encode(), lines
    if lang == "python":
        doc_end = _docstring_end(body)
        indent = data[_line_start(data, text_start):text_start]
        if not indent.strip():
            pad = indent
        else:  # `def f(): stmt` on one line
            pad = b" " * (fn.start_point[1] + 4)
        if doc_end is not None:
            lines = last - fn.start_point[0] - (data.count(b"\n", text_start, doc_end) + 1)
            if lines < 2:
                return None
            return doc_end, text_end, b"\n" + pad + f"...  # {lines} lines omitted".encode(), lines
        lines = last - first + 1
        if lines < 2:
            return None
        return text_start, text_end, f"...  # {lines} lines omitted".encode(), lines
    lines = last - first + 1
    if lines < 2:
        return None
    marker = f"# {lines} lines omitted" if lang in _HASH_COMMENT else f"/* {lines} lines omitted */"
    return text_start, text_end, marker.encode(), lines


def _is_data(node: Any) -> bool:
    """A literal made of literals (strings, numbers, names, nested collections): no calls, no
    functions, no interpolation. Walked with a cursor: large tables have many nodes."""
    cursor = node.walk()
    while True:
        if cursor.node.type in _NOT_DATA:
            return False
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent() or cursor.node == node:
                return True


def _literal_elision(data: bytes, node: Any, lang: str) -> tuple[int, int, bytes, int] | None:
    """(start, end, replacement, lines omitted) for a long data literal outside any function body
    (a lookup table, a generated dict, a long string assigned to a name), or None to keep it."""
    first, last = node.start_point[0], node.end_point[0]
    lines = last - first - 1
    if lines < LITERAL_LINES:
        return None
    parent = node.parent
    if node.type in _STRINGS and (parent is None or parent.type not in ("assignment", "variable_declarator")):
        return None  # a docstring, or an argument: part of the code's surface
    if lang == "python" and parent is not None and parent.type == "assignment":
        left = parent.child_by_field_name("left")
        if left is not None and data[left.start_byte:left.end_byte] == b"__all__":
            return None  # the public names: exactly what a reader wants
    if not _is_data(node):
        return None
    text = data[node.start_byte:node.end_byte]
    if node.type in _STRINGS:
        quote = text[:1] if text[:1] in (b'"', b"'", b"`") else b'"'
        inner = quote + b"..." + quote
    else:
        opener = text[:1] if text[:1] in (b"{", b"[", b"(") else b""
        closer = {b"{": b"}", b"[": b"]", b"(": b")"}.get(opener, b"")
        inner = opener + b"..." + closer
    if lang not in _HASH_COMMENT:
        marker = inner[:1] + f" /* {lines} lines omitted */ ".encode() + inner[-1:] if node.type not in _STRINGS \
            else inner + f" /* {lines} lines omitted */".encode()
        return node.start_byte, node.end_byte, marker, lines
    eol = data.find(b"\n", node.end_byte)
    rest = data[node.end_byte:eol if eol >= 0 else len(data)]
    if rest.strip() == b"":
        return node.start_byte, node.end_byte, inner + f"  # {lines} lines omitted".encode(), lines
    return node.start_byte, node.end_byte, inner, lines


def compress(text: str, path: str, language: str | None = None) -> Compressed:
    """``text`` (the file at ``path``) with function bodies replaced by markers; never raises."""
    lang = language or language_of(path)
    if lang is None:
        return Compressed(text, None, reason="no grammar for this file type")
    try:
        data = text.encode("utf-8", "surrogatepass")
        root, used = _parse(data, lang)
        if root is None:
            return Compressed(text, lang, reason=used)
        funcs, literals = set(_FUNCS.get(used, ())), set(_LITERALS.get(used, ()))
        cuts: list[tuple[int, int, bytes, int]] = []
        end = -1
        for node in _nodes(root, used):
            if node.start_byte < end:
                continue  # inside a body already left out
            if node.type in funcs:
                cut = _elision(data, node, used)
            elif node.type in literals:
                cut = _literal_elision(data, node, used)
            else:
                continue  # a definition: kept, its functions are compressed
            if cut is not None:
                cuts.append(cut)
                end = cut[1]
        if not cuts:
            return Compressed(text, used)
        out: list[bytes] = []
        pos = 0
        for start, stop, replacement, _ in cuts:
            out += [data[pos:start], replacement]
            pos = stop
        out.append(data[pos:])
        new = b"".join(out).decode("utf-8", "surrogatepass")
        return Compressed(new, used, changed=True, bodies=len(cuts), omitted_lines=sum(c[3] for c in cuts))
    except Exception as exc:  # never let one odd file sink a digest: keep it whole
        return Compressed(text, lang, reason=f"compression failed ({type(exc).__name__})")


# ---------------------------------------------------------------------------------------------- outline
def _name_of(node: Any, data: bytes, kind: str) -> str | None:
    if node.type == "variable_declarator":  # const f = () => ... / function () {}: only functions
        value = node.child_by_field_name("value")
        if value is None or value.type not in ("arrow_function", "function_expression", "function"):
            return None
    if node.type in ("struct_specifier", "union_specifier", "enum_specifier", "class_specifier") \
            and node.child_by_field_name("body") is None:
        return None  # `struct point p;` uses a type, it does not define one
    name = node.child_by_field_name("name")
    if name is None and node.type == "impl_item":
        typ, trait = node.child_by_field_name("type"), node.child_by_field_name("trait")
        if typ is not None:
            text = data[typ.start_byte:typ.end_byte].decode("utf-8", "replace")
            return f"{data[trait.start_byte:trait.end_byte].decode('utf-8', 'replace')} for {text}" if trait else text
    if name is None:
        decl = node.child_by_field_name("declarator")  # C/C++: int *f(int x) -> f
        while decl is not None and decl.type not in _NAME_LEAVES:
            decl = decl.child_by_field_name("declarator") or (decl.named_children[0] if decl.named_child_count else None)
        name = decl
    if name is None:
        return None
    return data[name.start_byte:name.end_byte].decode("utf-8", "replace")


def _signature(node: Any, data: bytes) -> str:
    """The definition's head (up to its body), on one line, cut at 200 characters."""
    body = node.child_by_field_name("body")
    if node.type == "variable_declarator":
        value = node.child_by_field_name("value")
        body = value.child_by_field_name("body") if value is not None else None
    stop = body.start_byte if body is not None and body.start_byte > node.start_byte else node.end_byte
    head = data[node.start_byte:stop].decode("utf-8", "replace").split("{", 1)[0]
    head = " ".join(head.split()).rstrip(":= ").removesuffix("=>").rstrip()
    return head if len(head) <= 200 else head[:199] + "…"


def outline(text: str, path: str, language: str | None = None) -> list[Symbol] | None:
    """The definitions of ``text`` as a tree of :class:`Symbol` (None when it cannot be parsed).

    Definitions inside function bodies are not listed: an outline is the file's navigable surface.
    """
    lang = language or language_of(path)
    if lang is None:
        return None
    try:
        data = text.encode("utf-8", "surrogatepass")
        root, used = _parse(data, lang)
        if root is None:
            return None
        kinds, funcs = _DEFS.get(used, {}), set(_FUNCS.get(used, ()))
        top: list[Symbol] = []
        stack: list[tuple[int, Symbol | None]] = []  # (end byte, symbol; None for a function body)
        for node in _nodes(root, used):
            while stack and node.start_byte >= stack[-1][0]:
                stack.pop()
            if stack and stack[-1][1] is None:
                continue  # inside a function body
            kind = kinds.get(node.type)
            name = _name_of(node, data, kind) if kind else None
            start = node.parent if node.parent is not None and node.parent.type == "decorated_definition" else node
            if kind and name:
                parent = next((s for _, s in reversed(stack) if s is not None), None)
                if kind == "function" and parent is not None and parent.kind in _CONTAINERS:
                    kind = "method"
                if node.type == "type_spec":
                    inner = node.child_by_field_name("type")
                    kind = {"struct_type": "struct", "interface_type": "interface"}.get(inner.type, "type") if inner else "type"
                sym = Symbol(name, kind, start.start_point[0] + 1, node.end_point[0] + 1, len(stack), _signature(node, data))
                (parent.children if parent is not None else top).append(sym)
                stack.append((node.end_byte, sym))
            body = node.child_by_field_name("body") if node.type in funcs else None
            if node.type == "variable_declarator" and node.child_by_field_name("value") is not None:
                body = node.child_by_field_name("value")
            if body is not None:
                stack.append((body.end_byte, None))
        return top
    except Exception:
        return None


def outline_lines(symbols: list[Symbol], indent: str = "") -> list[str]:
    """``- class Cart (lines 3-40)`` lines, nested by two spaces per level."""
    lines: list[str] = []
    for sym in symbols:
        lines.append(f"{indent}- {sym.kind} {sym.name} (lines {sym.start_line}-{sym.end_line})"
                     + (f": `{sym.signature}`" if sym.signature else ""))
        lines += outline_lines(sym.children, indent + "  ")
    return lines
