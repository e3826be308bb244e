"""Commands for the care desk: ``users``, ``cases``, ``corrections`` and ``serve``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.workspace import Workspace, resolve_workspace
from goodwill.errors import InputError

users_app = typer.Typer(
    help="Desk accounts: `goodwill users add NAME --role agent`, `users list`, `users token NAME`.",
    no_args_is_help=True,
)
cases_app = typer.Typer(
    help="Cases: the posts that welcome a reply, as work for the desk.", no_args_is_help=True
)
corrections_app = typer.Typer(help="Judgements corrected on the desk, as labels.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(cases_app, name="cases")
app.add_typer(corrections_app, name="corrections")


def _folder(workspace: Workspace) -> Path:
    return workspace.config_path.parent if workspace.config_path is not None else Path.cwd()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InputError("--password-stdin: no password on standard input.")
        return line.rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name: lowercase letters, digits, . - _")],
    *,
    role: Annotated[str, typer.Option("--role", help="admin, agent, ambassador or analyst.")],
    name: Annotated[str | None, typer.Option("--name", help="Name shown on the desk.")] = None,
    expertise: Annotated[
        list[str] | None,
        typer.Option("--expertise", help="A tag this person answers for (repeatable), e.g. roaming."),
    ] = None,
    capacity: Annotated[
        int | None, typer.Option("--capacity", min=0, help="Most open cases routing may give them.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Create a desk account (the password is asked twice, or read from stdin).

    An ambassador sees only public questions sharing a tag with their --expertise,
    and their answers wait for an agent's approval. An analyst reads and measures
    but cannot reply.
    """
    from goodwill.desk.accounts import add_user
    from goodwill.store import open_store

    password = _read_password(password_stdin)
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        user = add_user(
            store,
            username=username,
            password=password,
            role=role,
            display_name=name,
            expertise=expertise or (),
            capacity=capacity,
        )
        if user.expertise:
            from goodwill.desk.cases import retag_cases

            retag_cases(store)
    Console(stderr=True).print(f"Added {user.role.value} {user.username}.", markup=False)


@users_app.command("list")
def users_list(config: ConfigOption = None) -> None:
    """Every desk account with its role, expertise and capacity."""
    from goodwill.desk.accounts import list_users
    from goodwill.store import open_store

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        people = list_users(store)
    table = Table(box=None, pad_edge=False)
    for column in ("username", "name", "role", "expertise", "capacity", "active"):
        table.add_column(column)
    for u in people:
        table.add_row(
            u.username,
            u.display_name,
            u.role.value,
            ", ".join(u.expertise),
            "" if u.capacity is None else str(u.capacity),
            "yes" if u.active else "no",
        )
    Console().print(table)


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    *,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    config: ConfigOption = None,
) -> None:
    """Create a JSON API token (printed once: store it; send it as `Authorization: Bearer TOKEN`)."""
    from goodwill.desk.accounts import create_api_token
    from goodwill.store import open_store

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        token = create_api_token(store, username, name=name)
    typer.echo(token)


@cases_app.command("sync")
def cases_sync(config: ConfigOption = None) -> None:
    """Open a case for every judged post that welcomes a reply and has none (spam left out).

    Run it after `goodwill enrich --stored`; `goodwill serve` runs it on start too.
    Cases of posts their authors deleted are resolved. Then the sweep of [care]:
    escalations, reassignment of cases left unanswered past `reassign_after`, and
    an assignment round for waiting cases (run it from cron to keep that going).
    """
    from goodwill.desk.cases import sync_cases
    from goodwill.desk.sweep import sweep_cases
    from goodwill.store import open_store
    from goodwill.web.wiring import default_services

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        services = default_services(workspace.config, workspace=_folder(workspace))
        counts = sync_cases(store, versions=workspace.stage_versions(), services=services)
        swept = sweep_cases(store, workspace.config.care)
    Console(stderr=True).print(
        f"Opened {counts.created:,} cases ({counts.assigned:,} assigned); resolved {counts.closed:,} "
        f"whose post was deleted; escalated {swept.escalated:,}, reassigned {swept.reassigned:,}, "
        f"assigned {swept.assigned:,} waiting.",
        markup=False,
    )


@corrections_app.command("export")
def corrections_export(config: ConfigOption = None) -> None:
    """Write every correction as JSON Lines (post, field, value, who, when): labels for retraining."""
    from goodwill.desk.labels import iter_labels
    from goodwill.store import open_store

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        for label in iter_labels(store):
            typer.echo(json.dumps(label, ensure_ascii=False, sort_keys=True))


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8080,
    sync: Annotated[
        bool, typer.Option("--sync/--no-sync", help="Open cases for newly judged posts before serving.")
    ] = True,
    knowledge_base: Annotated[
        Path | None,
        typer.Option(
            "--knowledge-base", file_okay=False, help="A folder of Markdown files suggestions may cite."
        ),
    ] = None,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Send cookies over HTTPS only (behind a TLS proxy).")
    ] = False,
) -> None:
    """Serve the care desk: the inbox, cases, the reply composer, metrics and the JSON API.

    Log in with an account made by `goodwill users add`. The desk listens on
    127.0.0.1 unless told otherwise; put it behind HTTPS (and pass --secure-cookies)
    before opening it to a network. The API's OpenAPI document is at /api/v1/openapi.json.
    """
    import uvicorn

    from goodwill.web import DeskSettings, create_app

    workspace = resolve_workspace(config)
    err = Console(stderr=True, highlight=False)
    if host not in ("127.0.0.1", "localhost", "::1") and not secure_cookies:
        err.print(
            f"warning: serving on {host} over plain HTTP; use HTTPS and --secure-cookies.", markup=False
        )
    settings = DeskSettings(
        store_url=workspace.store_url,
        host=host,
        port=port,
        sync_on_start=sync,
        knowledge_base=knowledge_base,
        secure_cookies=secure_cookies,
        versions=workspace.stage_versions(),
        workspace=workspace.config,
        workspace_dir=_folder(workspace),
    )
    desk = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"goodwill desk on http://{shown}:{port}/ (Ctrl+C stops it)", markup=False)
    uvicorn.run(desk, host=host, port=port, log_level="warning", server_header=False)
