"""Fence language tags by file name, so digests highlight and models know what they read."""

from __future__ import annotations

import os

_BY_EXT = {
    "py": "python", "pyi": "python", "pyx": "cython", "ipynb": "markdown", "js": "javascript", "mjs": "javascript",
    "cjs": "javascript", "jsx": "jsx", "ts": "typescript", "tsx": "tsx", "mts": "typescript", "json": "json",
    "jsonc": "jsonc", "json5": "json5", "md": "markdown", "markdown": "markdown", "mdx": "mdx", "rst": "rst",
    "txt": "text", "html": "html", "htm": "html", "xml": "xml", "svg": "xml", "css": "css", "scss": "scss",
    "sass": "sass", "less": "less", "yml": "yaml", "yaml": "yaml", "toml": "toml", "ini": "ini", "cfg": "ini",
    "conf": "ini", "sh": "bash", "bash": "bash", "zsh": "zsh", "fish": "fish", "ps1": "powershell", "bat": "batch",
    "c": "c", "h": "c", "cc": "cpp", "cpp": "cpp", "cxx": "cpp", "hpp": "cpp", "hh": "cpp", "m": "objectivec",
    "mm": "objectivec", "cs": "csharp", "java": "java", "kt": "kotlin", "kts": "kotlin", "scala": "scala",
    "go": "go", "rs": "rust", "rb": "ruby", "php": "php", "pl": "perl", "pm": "perl", "lua": "lua", "r": "r",
    "jl": "julia", "swift": "swift", "dart": "dart", "ex": "elixir", "exs": "elixir", "erl": "erlang",
    "hs": "haskell", "ml": "ocaml", "mli": "ocaml", "fs": "fsharp", "clj": "clojure", "sql": "sql",
    "graphql": "graphql", "gql": "graphql", "proto": "protobuf", "tf": "hcl", "hcl": "hcl", "vue": "vue",
    "svelte": "svelte", "tex": "latex", "bib": "bibtex", "diff": "diff", "patch": "diff", "csv": "csv",
    "tsv": "tsv", "nix": "nix", "zig": "zig", "v": "verilog", "vhd": "vhdl", "asm": "asm", "s": "asm",
    "cmake": "cmake", "gradle": "groovy", "groovy": "groovy", "dockerfile": "dockerfile", "mk": "makefile",
    "el": "elisp", "vim": "vim", "rake": "ruby", "gemspec": "ruby",
}
_BY_NAME = {
    "dockerfile": "dockerfile", "makefile": "makefile", "gnumakefile": "makefile", "cmakelists.txt": "cmake",
    "rakefile": "ruby", "gemfile": "ruby", "vagrantfile": "ruby", "justfile": "makefile", "procfile": "text",
    ".gitignore": "gitignore", ".dockerignore": "gitignore", ".env": "dotenv", "license": "text",
}


def language_for(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith("dockerfile"):
        return "dockerfile"
    if name.startswith(".env"):
        return "dotenv"
    ext = os.path.splitext(name)[1][1:]
    return _BY_EXT.get(ext, "text" if not ext else ext)
