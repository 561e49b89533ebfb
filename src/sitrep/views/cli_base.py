"""What every command shares: the typer app, the error handling, the common options and opening the database.

The conventions (datasette and sqlite-utils are the models): `-h` and `--help`, `--version`, flags shown plainly
(`--quiet`, not `--quiet <bool>`), `--format` wherever a command prints data, and a failed command exits with
status 1 and one line, `Error: <message>`, on standard error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ..errors import Errors, InputError, SitrepError
from ..settings import Settings, load_settings
from ..store import Store, database_url, open_store

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

app = typer.Typer(
    help="Sitrep: conflict news to a sourced, geolocated event record (ACLED data model).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: flags without a type, no boxes
    context_settings=CONTEXT,
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="SQLite file or postgresql:// URL (default sitrep.db, or SITREP_DB).")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="A TOML settings file.")]
CreateOption = Annotated[bool, typer.Option("--create", help="Make the database if it does not exist.")]


def sitrep_version() -> str:
    try:
        return version("sitrep")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        console.print(f"sitrep {sitrep_version()}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Sitrep: conflict news to a sourced, geolocated event record (ACLED data model)."""


def command(
    *args: Any, group: typer.Typer | None = None, **kwargs: Any
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`app.command` (or `group.command`), with a `SitrepError` shown as `Error: <message>` on stderr and exit
    status 1."""

    def decorator(func: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(func)
        def wrapper(*a: Any, **k: Any) -> None:
            try:
                func(*a, **k)
            except SitrepError as e:
                fail(str(e))

        (group or app).command(*args, **kwargs)(wrapper)
        return wrapper

    return decorator


def fail(message: str) -> None:
    """Print `Error: <message>` on standard error and exit with status 1."""
    err_console.print(f"Error: {message}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(1)


def settings_from(config: Path | None = None, **overrides: object) -> Settings:
    return load_settings(config, **overrides)


def open_db(settings: Settings, *, create: bool = False) -> Store:
    """Open the database of the settings; a SQLite file that does not exist is an error unless `create`.

    Raises:
        StoreError: No such file (E029), or the database cannot be opened.
    """
    url = database_url(settings.db)
    if not create and url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path not in ("", ":memory:") and not Path(path).exists():
            raise InputError(Errors.E029.format(path=path))
    return open_store(settings.db)


__all__ = [
    "CONTEXT",
    "ConfigOption",
    "CreateOption",
    "DbOption",
    "app",
    "command",
    "console",
    "err_console",
    "fail",
    "open_db",
    "settings_from",
]
