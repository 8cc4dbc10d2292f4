"""The `tthc` command: the knowledge-base commands, staff accounts (`tthc users`), `tthc pii`.

Passwords are read from a hidden prompt (typed twice) or, when stdin is not a
terminal, from its first line, so scripts can pipe them in; they are never
echoed, logged or accepted as a command-line argument (which `ps` would show).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.auth.messages import message
from api.auth.models import ROLES, ensure_tables
from api.auth.users import AccountError, UserService
from knowledge_base.cli import app

users_app = typer.Typer(help="Staff accounts (admin, support): add, list, disable.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")
console = Console(stderr=True)


def _users() -> UserService:
    from api.config import get_app_settings
    from knowledge_base.db import create_db_engine, session_factory

    engine = create_db_engine(get_app_settings().database_url)
    ensure_tables(engine)
    return UserService(session_factory(engine))


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat password", hide_input=True) != first:
        _fail(AccountError("passwords_differ"))
    return first


def _fail(error: AccountError) -> None:
    console.print(f"[red]{message(error.key, **error.values)}[/red]")
    raise typer.Exit(1)


@users_app.command("add")
def add_user(
    name: str,
    role: Annotated[str, typer.Option(help="admin or support.")] = "support",
) -> None:
    """Create a staff account; the password comes from a prompt or stdin."""
    if role not in ROLES:
        _fail(AccountError("invalid_role"))
    password = _read_password()
    try:
        user = _users().add(name, role, password)
    except AccountError as error:
        _fail(error)
    console.print(f"created {user.role} account {user.username}")


@users_app.command("list")
def list_users() -> None:
    """List staff accounts (never passwords)."""
    table = Table("username", "role", "status", "created", "last login")
    for user in _users().list():
        table.add_row(user.username, user.role, "disabled" if user.disabled else "active",
                      f"{user.created_at:%Y-%m-%d %H:%M}",
                      f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "-")
    Console().print(table)


@users_app.command("disable")
def disable_user(name: str) -> None:
    """Disable an account and end its sessions at once."""
    _set_disabled(name, True)


@users_app.command("enable")
def enable_user(name: str) -> None:
    """Re-enable a disabled account."""
    _set_disabled(name, False)


def _set_disabled(name: str, disabled: bool) -> None:
    try:
        user = _users().set_disabled(name, disabled)
    except AccountError as error:
        _fail(error)
    console.print(f"{user.username}: {'disabled' if user.disabled else 'enabled'}")


@users_app.command("passwd")
def change_password(name: str) -> None:
    """Set a new password (prompt or stdin); the account's sessions end."""
    password = _read_password()
    try:
        user = _users().set_password(name, password)
    except AccountError as error:
        _fail(error)
    console.print(f"password changed for {user.username}")


@users_app.command("export")
def export_users_command(
    file: Path,
    with_password_hashes: Annotated[bool, typer.Option(
        help="Include the argon2 password hashes (keep such a file secret).")] = False,
) -> None:
    """Write the staff accounts to a JSON backup file (no password hashes by default)."""
    from ops.users_backup import export_users

    document = export_users(_users().sessions, with_password_hashes)
    file.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"exported {len(document['users'])} accounts to {file}")


@users_app.command("restore")
def restore_users_command(file: Path) -> None:
    """Create or update staff accounts from a backup written by `tthc users export`."""
    from ops.users_backup import restore_users

    try:
        counts = restore_users(_users().sessions, json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, OSError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(f"restored accounts: {counts['created']} created, {counts['updated']} updated"
                  " (accounts without a password hash need `tthc users passwd`)")


pii_app = typer.Typer(help="Encrypted originals of messages with personal data.",
                      no_args_is_help=True)
app.add_typer(pii_app, name="pii")


@pii_app.command("purge")
def purge_pii() -> None:
    """Delete originals older than TTHC_PII_RETENTION_DAYS (the app also does this hourly)."""
    from api.config import get_app_settings
    from api.pii import PiiVault, ensure_table
    from knowledge_base.db import create_db_engine, session_factory

    settings = get_app_settings()
    engine = create_db_engine(settings.database_url)
    ensure_table(engine)  # purging needs no key
    removed = PiiVault(session_factory(engine), None, settings.pii_retention_days).purge()
    console.print(f"purged {removed} expired personal-data copies "
                  f"(retention {settings.pii_retention_days} days)")


@pii_app.command("scrub")
def scrub_pii(
    compact: Annotated[bool, typer.Option(
        help="On SQLite, checkpoint the WAL and VACUUM afterwards.")] = True,
) -> None:
    """Re-mask stored turns, handled Zalo events and Rasa's tracker events (idempotent)."""
    from api.config import get_app_settings
    from ops.scrub import scrub_all

    settings = get_app_settings()
    counts = scrub_all(settings.database_url, settings.rasa_tracker_store_url, compact)
    for count in counts:
        console.print(f"{count.table}: {count.changed} of {count.scanned} rows re-masked")
    console.print(f"scrubbed: {sum(c.changed for c in counts)} rows changed")


@pii_app.command("new-key")
def new_pii_key() -> None:
    """Print a fresh key for TTHC_PII_KEY (prepend it, comma-separated, to rotate)."""
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode("ascii"))
