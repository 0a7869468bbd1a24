"""The command line: one Typer app, each guard adding its own sub-command group.

`main(argv) -> int` owns exit codes: 0 nothing found at high or above, 1 something high or
critical, 2 bad input or usage. Library code never prints or exits.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import typer

from heistguard import __version__
from heistguard.cli_support import AppState, err
from heistguard.errors import HeistGuardError

app = typer.Typer(
    name="heistguard",
    help="Stop Lazarus-style heists: phishing mail, booby-trapped code, malicious signing, laundering.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"heistguard {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB store file (default: $HEISTGUARD_DB, else the user data directory).", dir_okay=False
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Profile heistguard.toml (default: $HEISTGUARD_CONFIG, else none)."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    ctx.obj = AppState(db=db, config=config)


def _register_guards() -> None:
    """One line per step of the heist, in its order."""
    from heistguard.artifacts.cli import scan_command
    from heistguard.chain.cli import chain_app
    from heistguard.intel.cli import intel_app
    from heistguard.mail.cli import mail_app
    from heistguard.txguard.cli import tx_app

    app.add_typer(mail_app, name="mail")
    app.command("scan")(scan_command)
    app.add_typer(tx_app, name="tx")
    app.add_typer(chain_app, name="chain")
    app.add_typer(intel_app, name="intel")


_register_guards()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, prog_name="heistguard", standalone_mode=False)
    except HeistGuardError as exc:
        err(exc.one_line())
        return 2
    except typer.Abort:
        err("interrupted")
        return 130
    except typer.TyperException as exc:  # usage errors: unknown option, bad choice, missing argument
        err(exc.format_message())
        return 2
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    return result if isinstance(result, int) else 0


def main_entry() -> None:
    """The console script: exit with what `main` returns."""
    sys.exit(main())
