"""Generate docs/cli.md from the commands' own --help, so the reference never drifts.

`make docs` rewrites the file; a test fails when it is out of date.
"""

from __future__ import annotations

import contextlib
import io
import os

import typer

__all__ = ["cli_reference"]

WIDTH = "100"


def _help_of(args: list[str]) -> str:
    from goodwill.cli.main import invoke

    buffer = io.StringIO()
    previous = {k: os.environ.get(k) for k in ("COLUMNS", "TERM", "NO_COLOR")}
    os.environ.update({"COLUMNS": WIDTH, "TERM": "dumb", "NO_COLOR": "1"})
    try:
        with contextlib.redirect_stdout(buffer):
            invoke([*args, "--help"])
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip()


def cli_reference() -> str:
    """The whole CLI reference as Markdown."""
    from goodwill.cli.main import _register, app

    _register()
    group = typer.main.get_command(app)
    commands: dict[str, object] = getattr(group, "commands", {})
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `make docs` (`python -m goodwill.cli.reference`); do not edit by hand.",
        "",
        "## goodwill",
        "",
        "```text",
        _help_of([]),
        "```",
    ]
    for path in _command_paths(commands, []):
        heading = "#" * min(len(path) + 1, 4)
        parts += ["", f"{heading} goodwill {' '.join(path)}", "", "```text", _help_of(path), "```"]
    return "\n".join(parts) + "\n"


def _command_paths(commands: dict[str, object], prefix: list[str]) -> list[list[str]]:
    """Every command and sub-command (``users add``, ``insights who``) in reading order, groups first."""
    paths: list[list[str]] = []
    for name in sorted(commands):
        path = [*prefix, name]
        paths.append(path)
        children: dict[str, object] = getattr(commands[name], "commands", {})
        paths += _command_paths(children, path)
    return paths


if __name__ == "__main__":
    print(cli_reference(), end="")
