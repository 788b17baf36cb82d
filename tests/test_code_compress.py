"""converters/code_compress: real files in each language, parsed with the packaged grammars.

Each sample has a function body of several lines; compressing keeps imports, signatures, doc
comments, types and constants and replaces the body by a marker with its line count. Broken
syntax and unknown file types come back whole. Outlines list the symbols with their line ranges.
"""

from __future__ import annotations

import pytest
from llmingest.converters.code_compress import compress, language_of, outline

SAMPLES = {
    "a.py": ('''import os
from typing import Any

MAX = 10


@decorator(x=1)
def top(a: int, b: str = "x") -> bool:
    """Say hello."""
    c = a + 1
    d = c * 2
    return d > 0


class Cart(Base):
    """A cart."""

    limit: int = 3

    def add(self, item):
        self.items.append(item)
        self.total += item.price
        return self
''', ["import os", "MAX = 10", "@decorator(x=1)", "def top(a: int, b: str = \"x\") -> bool:", '"""Say hello."""',
      "class Cart(Base):", '"""A cart."""', "limit: int = 3", "def add(self, item):"],
        ["c = a + 1", "self.total += item.price"], {"top", "Cart", "add"}),
    "a.ts": ('''import { x } from "./x";
export const MAX = 10;
/** Adds two numbers. */
export function add(a: number, b: number): number {
  const c = a + b;
  return c;
}
export interface Shape { area(): number; }
export type Id = string | number;
export class Cart<T> extends Base {
  private items: T[] = [];
  total(): number {
    let t = 0;
    return t;
  }
}
''', ['import { x } from "./x";', "export const MAX = 10;", "/** Adds two numbers. */",
      "export function add(a: number, b: number): number", "export interface Shape { area(): number; }",
      "export type Id = string | number;", "export class Cart<T> extends Base", "total(): number"],
        ["const c = a + b", "let t = 0"], {"add", "Shape", "Id", "Cart", "total"}),
    "a.js": ('''const fs = require("fs");
/** Reads. */
function read(path) {
  const data = fs.readFileSync(path);
  return data.toString();
}
module.exports = { read };
''', ['const fs = require("fs");', "/** Reads. */", "function read(path)", "module.exports = { read };"],
        ["readFileSync"], {"read"}),
    "a.go": ('''package main

import "fmt"

// Cart holds items.
type Cart struct {
	Items []int
}

const Max = 3

// Add adds an item.
func (c *Cart) Add(i int) {
	c.Items = append(c.Items, i)
	fmt.Println(i)
}
''', ['import "fmt"', "// Cart holds items.", "type Cart struct {", "Items []int", "const Max = 3",
      "// Add adds an item.", "func (c *Cart) Add(i int)"], ["fmt.Println(i)"], {"Cart", "Add"}),
    "a.rs": ('''use std::fmt;
/// A cart.
pub struct Cart { items: Vec<u32> }
impl Cart {
    /// Make one.
    pub fn new() -> Self {
        let v = Vec::new();
        Cart { items: v }
    }
}
''', ["use std::fmt;", "/// A cart.", "pub struct Cart { items: Vec<u32> }", "/// Make one.",
      "pub fn new() -> Self"], ["Vec::new()"], {"Cart", "new"}),
    "A.java": ('''package app;
import java.util.List;
/** Cart. */
public class Cart {
    public static final int MAX = 3;
    /** Total. */
    public int total(List<Integer> xs) {
        int t = 0;
        return t;
    }
}
''', ["import java.util.List;", "/** Cart. */", "public class Cart {", "public static final int MAX = 3;",
      "public int total(List<Integer> xs)"], ["int t = 0"], {"Cart", "total"}),
    "a.c": ('''#include <stdio.h>
#define MAX 3
struct point { int x; int y; };
/* Adds. */
static int add(int a, int b) {
    int c = a + b;
    return c;
}
''', ["#include <stdio.h>", "#define MAX 3", "struct point { int x; int y; };", "/* Adds. */",
      "static int add(int a, int b)"], ["int c = a + b"], {"point", "add"}),
    "a.cpp": ('''#include <vector>
namespace app {
class Cart {
 public:
  int total() const {
    int t = 0;
    return t;
  }
};
}
''', ["#include <vector>", "namespace app {", "class Cart {", "int total() const"], ["int t = 0"],
        {"app", "Cart", "total"}),
    "A.cs": ('''using System;
namespace App {
  /// <summary>Cart</summary>
  public class Cart {
    public const int Max = 3;
    public int Add(int a, int b) {
      var c = a + b;
      return c;
    }
  }
}
''', ["using System;", "/// <summary>Cart</summary>", "public class Cart {", "public const int Max = 3;",
      "public int Add(int a, int b)"], ["var c = a + b"], {"App", "Cart", "Add"}),
    "a.rb": ('''require 'json'
# A greeter.
class Greeter
  MAX = 3
  def greet(name)
    msg = "hi #{name}"
    puts msg
  end
end
''', ["require 'json'", "# A greeter.", "class Greeter", "MAX = 3", "def greet(name)", "end"],
        ['msg = "hi'], {"Greeter", "greet"}),
    "a.php": ('''<?php
namespace App;
use Foo\\Bar;
/** Adds. */
function add(int $a, int $b): int {
    $c = $a + $b;
    return $c;
}
class Cart extends Base {
    const MAX = 3;
}
''', ["namespace App;", "use Foo\\Bar;", "/** Adds. */", "function add(int $a, int $b): int",
      "class Cart extends Base {", "const MAX = 3;"], ["$c = $a + $b"], {"add", "Cart"}),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_signatures_kept_bodies_replaced(name):
    text, kept, gone, symbols = SAMPLES[name]
    result = compress(text, name)
    assert result.changed and result.reason is None, result.reason
    assert result.bodies >= 1 and result.omitted_lines >= 2
    for piece in kept:
        assert piece in result.text, f"{name}: {piece!r} lost"
    for piece in gone:
        assert piece not in result.text, f"{name}: body line {piece!r} kept"
    assert "lines omitted" in result.text
    assert len(result.text) < len(text)
    names = set()

    def walk(syms):
        for s in syms:
            names.add(s.name)
            assert 1 <= s.start_line <= s.end_line <= text.count("\n") + 1
            walk(s.children)

    walk(outline(text, name) or [])
    assert symbols <= names, f"{name}: outline has {names}"


def test_marker_counts_the_lines_left_out():
    text = "def f(x):\n    a = 1\n    b = 2\n    return a + b\n"
    assert compress(text, "m.py").text == "def f(x):\n    ...  # 3 lines omitted\n"
    go = "package m\n\nfunc F() int {\n\ta := 1\n\tb := 2\n\treturn a + b\n}\n"
    assert "func F() int { /* 3 lines omitted */ }" in compress(go, "m.go").text


def test_one_line_bodies_are_kept_whole():
    text = "class A:\n    def size(self):\n        return 1\n"
    result = compress(text, "a.py")
    assert result.text == text and not result.changed


def test_nested_functions_go_with_their_outer_body():
    text = "def outer():\n    def inner():\n        x = 1\n        return x\n    return inner\n"
    result = compress(text, "n.py")
    assert result.bodies == 1 and "inner" not in result.text


@pytest.mark.parametrize("name,text", [
    ("bad.py", "def broken(:\n    x = = 1\n    return\n"),
    ("bad.ts", "export function f( {\n  let = ;\n  return }\n"),
    ("bad.go", "package m\nfunc F( {\n\tx := \n}\n"),
    ("bad.java", "public class { void f( { int x = ; } }\n"),
])
def test_syntax_errors_are_kept_whole(name, text):
    result = compress(text, name)
    assert result.text == text and not result.changed
    assert result.reason == "parse errors"
    assert outline(text, name) is None


def test_unknown_languages_and_docs_are_untouched():
    for name, text in (("README.md", "# Title\n\ntext\n"), ("conf.yaml", "a: 1\n"), ("x.unknownext", "def f():\n  1\n  2\n")):
        result = compress(text, name)
        assert result.text == text and result.language is None and result.reason
    assert language_of("src/a.tsx") == "tsx" and language_of("Rakefile") == "ruby" and language_of("a.md") is None


def test_never_raises_on_odd_input():
    for text in ("", "\0\0\0", "\ud800 lone surrogate", "def f(:\n" * 1000):
        result = compress(text, "odd.py")
        assert isinstance(result.text, str)


def test_h_files_fall_back_to_cpp():
    text = "class A {\n public:\n  int f() {\n    int x = 1;\n    return x;\n  }\n};\n"
    result = compress(text, "a.h")
    assert result.changed and result.language == "cpp" and "int x = 1" not in result.text


def test_long_data_literals_are_left_out_but_code_and_public_names_stay():
    table = "".join(f'    "k{i}": {i},\n' for i in range(15))
    names = "".join(f'    "n{i}",\n' for i in range(15))
    routes = "".join(f'    path("x{i}", view{i}),\n' for i in range(15))
    text = f"__all__ = [\n{names}]\nTABLE = {{\n{table}}}\nROUTES = [\n{routes}]\n"
    result = compress(text, "data.py")
    assert "TABLE = {...}  # 15 lines omitted" in result.text and '"k3": 3' not in result.text
    assert '"n14",' in result.text  # __all__ kept
    assert 'path("x14", view14)' in result.text  # a list of calls is code, not data
    js = "const T = {\n" + "".join(f"  k{i}: {i},\n" for i in range(15)) + "};\n"
    assert compress(js, "t.js").text == "const T = { /* 15 lines omitted */ };\n"
    doc = 'def f():\n    """' + "line\n" * 20 + '    """\n    return 1\n'
    assert compress(doc, "d.py").text == doc  # a long docstring is not data
