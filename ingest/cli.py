"""The ``llmingest`` command line: subcommands, the source-sniffing default, and the error edge.

``llmingest <source>`` picks the subcommand from the source itself (a folder or git URL is a repo,
``*.pdf`` a PDF, any other http(s) URL a page). Errors are rendered here and only here: one line on
stderr, a documented exit code, and the traceback only with ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

import typer

try:  # Typer >= 0.26 vendors its own click; its classes are the ones in play here
    from typer import _click as click
except ImportError:  # pragma: no cover - older Typer uses the click package
    import click

from . import __version__
from .errors import EXIT_CODES, IngestError

_DEBUG = {"on": bool(os.environ.get("LLMINGEST_DEBUG"))}


class _Group(typer.core.TyperGroup):
    """Renders IngestError once, here, for every subcommand (also under CliRunner and MCP-less use)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IngestError as exc:
            if _DEBUG["on"]:
                raise
            click.echo(f"error: {exc.render()}", err=True)
            raise typer.Exit(exc.exit_code) from None


EPILOG = "Exit codes: " + "; ".join(f"{code} {text}" for code, text in EXIT_CODES.items())

app = typer.Typer(
    name="llmingest",
    help=(
        "Turn repositories, HTML docs, PDFs and click-through instructions into text LLM agents can use.\n\n"
        "Example: llmingest .  |  llmingest https://github.com/owner/repo/tree/main/docs -o digest.md"
    ),
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    cls=_Group,
)

#: command modules under llmingest.commands; each exposes register(app)
COMMANDS = ["repo", "page", "site", "pdf", "actions", "llmstxt", "bundle", "batch", "init", "mcp", "serve", "docs"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmingest {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
    config: str = typer.Option(None, "--config", help="Config file (default: llmingest.toml or pyproject.toml's tool.llmingest, found upward).", show_default=False),
) -> None:
    """Turn repositories, docs and PDFs into LLM-ready text."""
    if debug:
        _DEBUG["on"] = True


for _name in COMMANDS:
    importlib.import_module(f"{__package__}.commands.{_name}").register(app)


def _group():
    """The click group of ``app``, built once per run: Typer resolves every command's type hints
    to build it (~9 ms), and both the source sniffing and the run itself need it."""
    if _BUILT.get("app") is not app:
        _BUILT["app"], _BUILT["group"] = app, typer.main.get_command(app)
    return _BUILT["group"]


_BUILT: dict = {}


def _command_names() -> set[str]:
    return set(getattr(_group(), "commands", {}))


def _infer(argv: list[str]) -> list[str]:
    """Insert the subcommand when the user typed ``llmingest <source> ...``."""
    if not argv:
        return argv
    names = _command_names()
    first = argv[0]
    if first in names or first.startswith("-"):
        if first.startswith("-") and first not in ("-h", "--help", "--version"):
            positional = next((a for a in argv if not a.startswith("-")), None)
            if positional and positional not in names:
                return [_kind_for(positional, names), *argv]
        return argv
    _refuse_unknown_command(first, names)
    return [_kind_for(first, names), *argv]


#: words people type for a command that is an option here
_OPTION_WORDS = {"version": "--version", "help": "--help"}


def _refuse_unknown_command(word: str, names: set[str]) -> None:
    """A bare word that is no path and no source is a mistyped command, not a repository.

    A source always has a ``/``, ``.`` or ``:`` (``owner/repo``, ``x.pdf``, a URL) or exists on
    disk, so ``pgae`` can only be a command typed wrong; say which one was meant.
    """
    import difflib
    from pathlib import Path

    from .errors import SourceNotFound, UsageError

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", word) or Path(os.path.expanduser(word)).exists():
        return
    if word.lower() in _OPTION_WORDS:
        raise UsageError(f"unknown command {word!r}; did you mean '{_OPTION_WORDS[word.lower()]}'?")
    close = difflib.get_close_matches(word.lower(), sorted(names), n=1, cutoff=0.6)
    if close:
        raise UsageError(f"unknown command {word!r}; did you mean {close[0]!r}?")
    raise SourceNotFound(f"no such command, file or folder: {word}",
                         hint=f"commands: {', '.join(sorted(names))}; a source is a path, a URL or owner/repo")


def _kind_for(text: str, names: set[str]) -> str:
    from llmingest.sources.parse import parse

    kind = parse(text).kind
    return kind if kind in names else "repo"


def _pop_config(args: list[str]) -> tuple[list[str], str | None]:
    """Take ``--config FILE`` out of the arguments (it is global, valid anywhere)."""
    for i, arg in enumerate(args):
        if arg == "--config":
            if i + 1 >= len(args):
                from .errors import UsageError

                raise UsageError("--config needs a file")
            return args[:i] + args[i + 2 :], args[i + 1]
        if arg.startswith("--config="):
            return args[:i] + args[i + 1 :], arg.split("=", 1)[1]
    return args, os.environ.get("LLMINGEST_CONFIG")


def _config_path(path_text: str | None):
    """The config file this run uses: ``--config FILE``, else the nearest one from the cwd upward."""
    from pathlib import Path

    from . import config

    return Path(path_text) if path_text else config.find_config()


def _config_defaults(command, path) -> dict | None:
    """Defaults from the run's llmingest.toml / [tool.llmingest] (``path``: see :func:`_config_path`)."""
    from . import config

    if path is None:
        return None
    if not path.is_file():
        from .errors import UsageError

        raise UsageError(f"config file not found: {path}")
    data = config.load(path)
    config.check_top_level(data, command)
    return config.apply_shared(command, config.default_map(data))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: infer the subcommand, run the app, render errors once."""
    from .errors import run_scope

    with run_scope():  # the run's tokens are scrubbed from every message of the run, then forgotten
        _run(argv)


def _run(argv: list[str] | None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("LLMINGEST_DEBUG"))
    args = [a for a in args if a != "--debug"]
    _DEBUG["on"] = debug
    try:
        args, config_path = _pop_config(args)
        args = _infer(args)
        command = _group()
        from .config import RunConfig

        run = RunConfig(path=_config_path(config_path))  # ctx.obj: the commands read it, no global
        defaults = _config_defaults(command, run.path)
        command.main(args=args, prog_name="llmingest", standalone_mode=True, default_map=defaults, obj=run)
    except IngestError as exc:  # raised while inferring the command, before the group runs
        if debug:
            raise
        typer.echo(f"error: {exc.render()}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # the edge: an unexpected bug still gets one line
        if debug:
            raise
        from .errors import redact

        typer.echo(f"error: internal error: {redact(str(exc)) or type(exc).__name__} "
                   "(run with --debug for the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
