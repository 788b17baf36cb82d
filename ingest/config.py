"""``llmingest.toml`` (or ``[tool.llmingest]`` in pyproject.toml): every option, written once.

Precedence, lowest to highest: built-in defaults < config file < command-line flags. Each table
is named after a command (``[repo]``, ``[page]``, ``[site]``, ``[pdf]``, ``[actions]``,
``[bundle]``...) and holds that command's options by their long names (``max-tokens`` or
``max_tokens``). ``[[sources]]`` lists what ``llmingest bundle`` builds with no arguments.
Click's ``default_map`` makes the file's values the defaults, so a flag always wins.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAMES = ("llmingest.toml", ".llmingest.toml")



@dataclass(frozen=True)
class RunConfig:
    """What one CLI run was configured with, handed to every command as click's ``ctx.obj``.

    A value per run instead of a module global, so two runs in one process (tests, an embedding
    program) never see each other's config file. ``bundle`` reads its ``[[sources]]`` from ``path``.
    """

    path: Path | None = None


def current(ctx: Any) -> RunConfig:
    """The :class:`RunConfig` of the command whose (click/Typer) context is ``ctx``; an empty one
    when the app runs without ``llmingest``'s own ``main`` (Typer's test runner)."""
    found = ctx.find_object(RunConfig) if ctx is not None else None
    return found or RunConfig()


def find_config(start: Path | None = None) -> Path | None:
    """The nearest llmingest.toml, or a pyproject.toml with [tool.llmingest], from ``start`` upward."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        py = folder / "pyproject.toml"
        if py.is_file():
            try:
                if "llmingest" in tomllib.loads(py.read_text("utf-8")).get("tool", {}):
                    return py
            except (tomllib.TOMLDecodeError, OSError):
                pass
        if (folder / ".git").exists():
            break  # stop at the repository root
    return None


def load(path: Path) -> dict[str, Any]:
    """The config as a dict; pyproject.toml contributes only its [tool.llmingest] table."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read config {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML in {path}: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("llmingest", {})
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the llmingest config must be a table")
    return data


def _norm(table: dict[str, Any]) -> dict[str, Any]:
    return {k.replace("-", "_"): v for k, v in table.items() if not isinstance(v, dict) or k in ("host_map",)}


def default_map(config: dict[str, Any]) -> dict[str, Any]:
    """Click ``default_map`` from a config: {command: {param: value}}, nested for sub-apps.

    Top-level scalar keys apply to every command that has a parameter of that name.
    """
    shared = {k.replace("-", "_"): v for k, v in config.items() if not isinstance(v, (dict, list))}
    out: dict[str, Any] = {}
    for name, table in config.items():
        if isinstance(table, dict):
            sub = {**shared, **_norm(table)}
            nested = {k: _norm(v) for k, v in table.items() if isinstance(v, dict) and k != "host_map"}
            out[name] = {**sub, **nested}
    out["__shared__"] = shared
    return out


def _param_names(command) -> dict[str, str]:
    """Config key -> click parameter name: long option names (``format`` -> ``fmt``) and param names."""
    names: dict[str, str] = {}
    for param in getattr(command, "params", []):
        if param.name is None:
            continue
        names[param.name] = param.name
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                names[opt[2:].replace("-", "_")] = param.name
    return names


def _coerce(command, name: str, value: Any) -> Any:
    """A single string for a repeatable option (``include = "src/**"``) becomes a one-item list."""
    for param in getattr(command, "params", []):
        if param.name == name and getattr(param, "multiple", False) and isinstance(value, str):
            return [value]
    return value


#: keys a [[sources]] entry may have besides any Options field
SOURCE_KEYS = {"source", "kind", "name", "priority", "include", "exclude", "options"}


def check_top_level(config: dict[str, Any], command) -> None:
    """Top-level keys must be an option of some command, ``sources``, or a command table."""
    known: set[str] = {"sources"}
    for sub in getattr(command, "commands", {}).values():
        known |= set(_param_names(sub))
        for inner in getattr(sub, "commands", {}).values():
            known |= set(_param_names(inner))
    for key, value in config.items():
        if isinstance(value, dict):
            continue
        if key.replace("-", "_") not in known:
            raise UsageError(f"config: no command has an option {key!r}",
                             hint="top-level keys apply to every command that has that option")
    sources = config.get("sources", [])
    if not isinstance(sources, list):
        raise UsageError("config: `sources` must be a list of tables ([[sources]])")
    from .options import Options

    fields = set(Options.__dataclass_fields__)
    for entry in sources:
        if not isinstance(entry, dict):
            continue
        for key in entry:
            if key not in SOURCE_KEYS and key.replace("-", "_") not in fields:
                raise UsageError(f"config: a [[sources]] entry has an unknown key {key!r}",
                                 hint=f"use {', '.join(sorted(SOURCE_KEYS))} or an option name")


def apply_shared(command, dmap: dict[str, Any]) -> dict[str, Any]:
    """Translate option names to parameters and give each command the shared keys it has.

    An unknown key in a command's table is a usage error (a typo should not be silently ignored).
    """
    shared = dmap.pop("__shared__", {})
    out: dict[str, Any] = {}
    unknown = sorted(set(dmap) - set(getattr(command, "commands", {})))
    if unknown:
        raise UsageError(f"config: no command named [{unknown[0]}]",
                         hint=f"tables are named after commands: {', '.join(sorted(getattr(command, 'commands', {})))}")
    for name, sub in getattr(command, "commands", {}).items():
        names = _param_names(sub)
        table = dmap.get(name, {})
        entry: dict[str, Any] = {}
        if getattr(sub, "commands", None):  # a sub-app such as `llmstxt`: recurse into its tables
            nested = {k: v for k, v in table.items() if isinstance(v, dict)}
            entry = apply_shared(sub, {**nested, "__shared__": {**shared, **{k: v for k, v in table.items() if not isinstance(v, dict)}}})
            out[name] = entry
            continue
        for key, value in shared.items():
            if key in names:
                entry[names[key]] = _coerce(sub, names[key], value)
        for key, value in table.items():
            if key in shared and key not in names:
                continue
            if key not in names:
                raise UsageError(f"config: [{name}] has no option {key!r}",
                                 hint=f"see `llmingest {name} --help` for its options")
            entry[names[key]] = _coerce(sub, names[key], value)
        if entry:
            out[name] = entry
    return out
