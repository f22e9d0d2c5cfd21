"""The `demensforlop` command."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from app.config import get_settings
from app.db import Database
from app.errors import DomainError, Invalid, PreconditionFailed
from app.models.base import Role, Scope
from app.models.transfer import MunicipalityExport
from app.security import new_password
from app.services import api_clients, identity, invitations, transfer
from app.services.access import SYSTEM
from app.services.seed import DEMO_USERS, seed

cli = typer.Typer(
    help="Demensforløp: dementia care pathways for Norwegian municipalities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _database() -> Database:
    return Database(get_settings().database_url)


def _fail(error: DomainError) -> None:
    message = error.detail
    if isinstance(error, Invalid):
        message = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
    if isinstance(error, PreconditionFailed):
        message += f" (the current version is {error.current_version})"
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT or 8000)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=settings.trust_proxy_headers,
        server_header=False,
        log_level=settings.log_level.lower(),
    )


@cli.command()
def migrate() -> None:
    """Upgrade the database schema to the newest migration."""
    from app.migrate import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database is at the newest migration")


@cli.command("seed")
def seed_command(
    demo: Annotated[
        bool, typer.Option("--demo", help="Also load the Troms demo content and demo users")
    ] = False,
) -> None:
    """Load the catalogues and all municipalities (and, with --demo, example data)."""
    database = _database()
    with database.session(write=True) as session:
        report = seed(session, demo=demo, examples=demo)
    typer.echo(
        f"seeded: {report.phases} phases, {report.offering_types} offering types, "
        f"{report.checklist_items} checklist items, {report.regions} regions, "
        f"{report.municipalities} municipalities, {report.demo_municipalities} demo "
        f"municipalities, {len(report.demo_users)} demo users, {report.demo_content} "
        f"municipalities with example content, {report.demo_networks} example networks"
        + ("" if report.changed else " (nothing new)")
    )


@cli.command("demo-logins")
def demo_logins() -> None:
    """Print the demo sign-ins (they work only while DEMO=true)."""
    for user in DEMO_USERS:
        typer.echo(f"  {user.role.value:<12} {user.email:<42} {user.password}")


@cli.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in e-mail")],
    role: Annotated[Role, typer.Option(help="admin, adviser or coordinator")],
    municipality: Annotated[
        list[str] | None, typer.Option(help="Municipality number (repeat for several)")
    ] = None,
    region: Annotated[list[str] | None, typer.Option(help="Region slug (repeat)")] = None,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    invite: Annotated[
        bool, typer.Option("--invite", help="E-mail an invitation link instead of a password")
    ] = False,
) -> None:
    """Create a user. Without --password-stdin a one-time password is printed; with
    --invite the person gets an invitation by e-mail (as from the users page) instead."""
    database = _database()
    if invite:
        with database.session(write=True) as session:
            try:
                invited = invitations.invite(
                    session,
                    SYSTEM,
                    email=email,
                    role=role,
                    base_url=get_settings().public_url,
                    name=name,
                    municipalities=municipality or [],
                    regions=region or [],
                )
            except DomainError as error:
                _fail(error)
                return
        typer.echo(f"invited {invited.role} {invited.email}")
        return
    password = sys.stdin.readline().rstrip("\n") if password_stdin else new_password()
    with database.session(write=True) as session:
        try:
            user = identity.create_user(
                session,
                SYSTEM,
                email=email,
                role=role,
                password=password,
                name=name,
                municipalities=municipality or [],
                regions=region or [],
            )
        except DomainError as error:
            _fail(error)
            return
    typer.echo(f"created {user.role} {user.email}")
    if not password_stdin:
        typer.echo(f"one-time password: {password}")


@cli.command("create-token")
def create_token(
    name: Annotated[str, typer.Option(help="Name of the API client")],
    scope: Annotated[Scope, typer.Option(help="read or write")],
    municipality: Annotated[
        list[str] | None, typer.Option(help="Municipality number (repeat for several)")
    ] = None,
    region: Annotated[list[str] | None, typer.Option(help="Region slug (repeat)")] = None,
    expires: Annotated[
        str | None, typer.Option(help="Expiry date, YYYY-MM-DD (default: never)")
    ] = None,
) -> None:
    """Create an API client with a token. Prints only the token; it is not shown again."""
    expires_at = None
    if expires:
        try:
            expires_at = datetime.fromisoformat(expires).replace(tzinfo=UTC)
        except ValueError:
            typer.echo("error: --expires must be a date like 2026-12-31", err=True)
            raise typer.Exit(code=2) from None
    database = _database()
    with database.session(write=True) as session:
        try:
            issued = api_clients.create_token(
                session,
                SYSTEM,
                name=name,
                scope=scope,
                municipalities=municipality or [],
                regions=region or [],
                expires_at=expires_at,
            )
        except DomainError as error:
            _fail(error)
            return
    typer.echo(issued.token)


@cli.command("list-tokens")
def list_tokens() -> None:
    """List API tokens (never the tokens themselves): id, client, scope, prefix, state."""
    database = _database()
    with database.session() as session:
        for token in api_clients.list_tokens(session, SYSTEM):
            state = (
                "revoked"
                if token.revoked_at
                else f"expires {token.expires_at:%Y-%m-%d}"
                if token.expires_at
                else "active"
            )
            typer.echo(
                f"{token.id:>5}  {token.client:<30} {token.scope:<6} {token.prefix}…  {state}"
            )


@cli.command("revoke-token")
def revoke_token(
    token_id: Annotated[int, typer.Argument(help="Token id from list-tokens")],
) -> None:
    """Revoke an API token at once."""
    database = _database()
    with database.session(write=True) as session:
        try:
            api_clients.revoke_token(session, SYSTEM, token_id)
        except DomainError as error:
            _fail(error)
            return
    typer.echo(f"token {token_id} revoked")


@cli.command("export")
def export_command(
    number: Annotated[str, typer.Argument(help="Municipality number")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default: stdout)")
    ] = None,
) -> None:
    """Export one municipality as JSON. Its version (what `import --if-match` takes) is
    written to stderr."""
    database = _database()
    with database.session() as session:
        try:
            exported = transfer.export_municipality(session, SYSTEM, number)
        except DomainError as error:
            _fail(error)
            return
    text = json.dumps(exported.document, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)
    typer.echo(f"{number} exported at version {exported.version}", err=True)


@cli.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="An export file, or - for stdin")],
    if_match: Annotated[
        int | None,
        typer.Option(
            "--if-match",
            help="The municipality's current version here (as `export` reports it); the "
            "import is refused if it has changed since",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Import over whatever version is current")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change, and change nothing")
    ] = False,
) -> None:
    """Import a municipality export: objects are matched by id, created, changed or removed
    to match the file. Prints what changed, as JSON."""
    if (if_match is None) == (not force):
        typer.echo(
            "error: give --if-match VERSION (the version `demensforlop export` reported), "
            "or --force to import over whatever is there now",
            err=True,
        )
        raise typer.Exit(code=2)
    raw = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    try:
        document = MunicipalityExport.model_validate_json(raw)
    except ValueError as error:
        typer.echo(f"error: not a municipality export: {error}", err=True)
        raise typer.Exit(code=2) from None
    database = _database()
    with database.session(write=True) as session:
        try:
            result = transfer.import_municipality(
                session,
                SYSTEM,
                document.municipality.number,
                document,
                if_match,
                dry_run=dry_run,
            )
        except DomainError as error:
            _fail(error)
            return
    typer.echo(result.model_dump_json(indent=2))


@cli.command("backup")
def backup_command(
    output: Annotated[Path | None, typer.Argument(help="Backup file to write")] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto (SQLite file for SQLite, dump for PostgreSQL), sqlite or json",
        ),
    ] = "auto",
) -> None:
    """Back up the whole database while the app keeps running."""
    from app.backup import BackupError, backup, sqlite_path

    url = get_settings().database_url
    if output is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kind = fmt if fmt != "auto" else ("sqlite" if sqlite_path(url) else "json")
        output = (
            Path("backups") / f"demensforlop-{stamp}.{'db' if kind == 'sqlite' else 'jsonl.gz'}"
        )
    try:
        info = backup(url, output, fmt)
    except BackupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(
        f"backup written to {info.path} ({info.format}, schema {info.revision}, "
        f"{info.tables} tables, {info.rows} rows)"
    )


@cli.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file made by `demensforlop backup`")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace a database that already has content")
    ] = False,
) -> None:
    """Replace the database's content with a backup, then migrate to the newest schema.
    Stop the app first."""
    from app.backup import BackupError, backup_revision, check_revision, has_content, restore

    url = get_settings().database_url
    if not file.exists():
        typer.echo(f"error: no file {file}", err=True)
        raise typer.Exit(code=2)
    try:
        check_revision(backup_revision(file))
        engine = _database().engine
        occupied = has_content(engine)
        engine.dispose()
        if occupied and not yes:
            typer.echo(
                "error: the database has content; restoring replaces all of it. "
                "Run again with --yes to go ahead.",
                err=True,
            )
            raise typer.Exit(code=2)
        info = restore(url, file)
    except BackupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"restored {info.rows} rows in {info.tables} tables from {info.path}")


@cli.command("send-mail")
def send_mail() -> None:
    """Send what is due in the outbox, once (for a cron job, or when the app's own sender
    thread is off with MAIL_SENDER_THREAD=false)."""
    from app.mailer import send_once

    database = _database()
    try:
        sent = send_once(get_settings(), database)
    finally:
        database.dispose()
    typer.echo(f"sent {sent} message(s)")


@cli.command("notify")
def notify(
    today: Annotated[
        str | None, typer.Option(help="Act as if it were this day (YYYY-MM-DD); default today")
    ] = None,
) -> None:
    """Queue the notification e-mails that are due: deadlines passed, months without a
    number, conversations and gatherings coming up, and the weekly digest. Run it daily;
    running it again never sends the same notice twice."""
    from app.services import notices

    day = None
    if today is not None:
        try:
            day = date.fromisoformat(today)
        except ValueError:
            typer.echo(f"--today: not a date: {today}", err=True)
            raise typer.Exit(code=2) from None
    database = _database()
    try:
        with database.session(write=True) as session:
            summary = notices.run(session, today=day)
    finally:
        database.dispose()
    typer.echo(f"queued {summary.immediate} notification e-mail(s) and {summary.digests} digest(s)")


@cli.command("send-webhooks")
def send_webhooks() -> None:
    """Send the webhook deliveries that are due, once (when WEBHOOK_SENDER_THREAD=false)."""
    from app.webhook_sender import send_once

    database = _database()
    try:
        sent = send_once(get_settings(), database)
    finally:
        database.dispose()
    typer.echo(f"delivered {sent} webhook message(s)")


@cli.command("prune-events")
def prune_events() -> None:
    """Delete change-feed events older than 180 days (run daily, e.g. from cron)."""
    from app.services import changes

    database = _database()
    try:
        with database.session(write=True) as session:
            removed = changes.prune(session)
    finally:
        database.dispose()
    typer.echo(f"removed {removed} event(s) older than {changes.RETENTION.days} days")


def main() -> None:
    cli()
