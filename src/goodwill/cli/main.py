"""The ``goodwill`` command: thin commands over library calls.

Every command reads JSON Lines or files and writes JSON Lines, a table or CSV
to stdout, progress to stderr. A GoodwillError becomes one line on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from goodwill import __version__
from goodwill.errors import EXIT_ERROR, GoodwillError

__all__ = ["app", "invoke", "run"]

app = typer.Typer(
    name="goodwill",
    help=(
        "Local-first social listening and care: import public posts, judge who talks about your brand, "
        "how they feel and whether a reply is welcome, and work the queue of posts that want an answer.\n\n"
        "Start with `goodwill init`, then `goodwill import posts.jsonl`, `goodwill enrich --stored` "
        "and `goodwill queue`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Workspace config (default: ./goodwill.toml when present).",
        dir_okay=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"goodwill {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Local-first social listening and care."""


def _register() -> None:
    # Importing the command modules attaches their commands to ``app``.
    from goodwill.cli import (  # noqa: F401
        commands_backup,
        commands_desk,
        commands_enrich,
        commands_export,
        commands_insights,
        commands_privacy,
        commands_review,
        commands_sources,
        commands_train,
        commands_workspace,
    )


class _Notes(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a note comes (tests swap it), as ``goodwill: ...``."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"goodwill: {record.getMessage()}\n")


def _show_notes() -> None:
    """The package's INFO notes (a model prepared on first use) on stderr, stdout staying data."""
    logger = logging.getLogger("goodwill")
    if not any(isinstance(h, _Notes) for h in logger.handlers):
        logger.addHandler(_Notes())
        logger.setLevel(logging.INFO)


def invoke(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; our errors become one line on stderr."""
    _register()
    _show_notes()
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        app(args=list(argv) if argv is not None else None, prog_name="goodwill")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_ERROR)
    except GoodwillError as exc:
        err.print(f"goodwill: error: {exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("goodwill: interrupted; what was committed is kept, rerun to finish")
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(invoke())
