"""The ``llmingest`` command line: subcommands, the source-sniffing default, and the error edge.

``llmingest <source>`` picks the subcommand from the source itself (a folder or git URL is a repo,
``*.pdf`` a PDF, any other http(s) URL a page). Errors are rendered here and only here: one line on
stderr, a documented exit code, and the traceback only with ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import sys

import click
import typer

from . import __version__
from .errors import EXIT_CODES, IngestError

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
)

#: command modules under llmingest.commands; each exposes register(app)
COMMANDS = ["repo"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmingest {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    """Turn repositories, docs and PDFs into LLM-ready text."""


for _name in COMMANDS:
    importlib.import_module(f"{__package__}.commands.{_name}").register(app)


def _command_names() -> set[str]:
    group = typer.main.get_command(app)
    return set(getattr(group, "commands", {}))


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
    return [_kind_for(first, names), *argv]


def _kind_for(text: str, names: set[str]) -> str:
    from .sources import parse

    kind = parse(text).kind
    return kind if kind in names else "repo"


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and render errors once."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("LLMINGEST_DEBUG"))
    args = [a for a in args if a != "--debug"]
    try:
        args = _infer(args)
        command = typer.main.get_command(app)
        rc = command.main(args=args, prog_name="llmingest", standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except IngestError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc.render()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        if debug:
            raise
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else 1)
    except click.exceptions.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # the edge: an unexpected bug still gets one line
        if debug:
            raise
        from .errors import redact

        typer.echo(f"error: internal error: {redact(str(exc)) or type(exc).__name__} (run with --debug for the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
