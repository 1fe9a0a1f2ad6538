"""The `backorder` command: run | db upgrade | create-store | create-user | demo | worker | send-due | import |
refresh-answers | shell | routes."""

import json
import re
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from . import platform_cli
from .config import ConfigError
from .errors import database_problem
from .services import stores

LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")


def _origin(ctx, param, values):
    try:
        return [stores.normalize_origin(value) for value in values]
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _locale(ctx, param, value):
    if not LOCALE.match(value):
        raise click.BadParameter(f"{value!r} is not a language tag such as en, de or pt-BR")
    return value


def _name(ctx, param, value):
    if not value.strip() or len(value) > 200:
        raise click.BadParameter("give a name of 1 to 200 characters")
    return value.strip()


def _timezone(ctx, param, value):
    if not stores.valid_timezone(value):
        raise click.BadParameter(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin")
    return value


@click.command("create-store")
@click.option("--name", required=True, callback=_name, help="The shop's name, as shoppers know it.")
@click.option("--origin", "origins", multiple=True, required=True, callback=_origin,
              help="A storefront origin allowed to call the API, e.g. https://shop.example.com (repeatable).")
@click.option("--locale", default="en", show_default=True, callback=_locale,
              help="Language of the widget and emails (a language tag: en, de, pt-BR).")
@click.option("--timezone", default="UTC", show_default=True, callback=_timezone,
              help="IANA time zone: ETAs and release dates are the store's calendar days.")
@with_appcontext
def create_store_command(name, origins, locale, timezone):
    """Create a store and print its public key and admin API token as JSON (the token is shown once)."""
    store, api_token = stores.create_store(name, origins, locale, timezone)
    click.echo(json.dumps({"public_key": store.public_key, "api_token": api_token}))


@click.command("create-user")
@click.option("--store", "public_key", required=True, help="The store's public key (pk_…) this user may manage.")
@click.option("--email", required=True, help="The user's email; logs in with it.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking twice.")
@with_appcontext
def create_user_command(public_key, email, password_stdin):
    """Create an admin user for a store, or let an existing user manage one more store."""
    from .services import users
    from .services.errors import UnknownStore

    try:
        store = stores.store_by_public_key(public_key)
    except UnknownStore:
        raise click.BadParameter(f"no store has the public key {public_key!r}", param_hint="--store") from None
    password = None
    if users.user_by_email(email) is None:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        reason = users.weak_password_reason(password)
        if reason:
            raise click.BadParameter(reason, param_hint="password")
    user, created = users.create_user(store, email, password)
    click.echo(json.dumps({"email": user.email, "store": store.public_key, "created": created}))


@click.command("demo")
@with_appcontext
def demo_command():
    """Load (or reset) the demo store with products in every state and print its keys."""
    from .demo import DEMO_PASSWORD, DEMO_USER, load_demo

    public_key, api_token, skus = load_demo()
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    click.echo(json.dumps({"public_key": public_key, "api_token": api_token}))
    click.echo("Try:", err=True)
    query = "&".join(f"sku={sku}" for sku in skus)
    click.echo(f"  curl '{base}/api/v1/stores/{public_key}/availability?{query}'", err=True)
    click.echo(f"  curl -H 'Authorization: Bearer {api_token}' {base}/api/v1/admin/products", err=True)
    click.echo(f"Admin: {base}/admin/ (log in as {DEMO_USER} / {DEMO_PASSWORD})", err=True)


@click.command("worker")
@with_appcontext
def worker_command():
    """Send restock and confirmation emails until stopped (SIGTERM or Ctrl-C finish the current one)."""
    import signal
    import threading

    from .worker import run_worker

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_worker(current_app._get_current_object(), stop)


@click.command("send-due")
@with_appcontext
def send_due_command():
    """Send what is due now, once (for cron), and print what was done as JSON."""
    from .mail.transports import transport_from_url
    from .worker import one_pass, worker_name

    app = current_app._get_current_object()
    tally = one_pass(app, transport_from_url(app.config["SMTP_URL"]), worker_name())
    if tally is None:
        raise click.ClickException("the database is unavailable; nothing was sent")
    click.echo(json.dumps({"sent": tally.sent, "retried": tally.retried, "failed": tally.failed,
                           "skipped": tally.skipped}))


@click.command("refresh-answers")
@with_appcontext
def refresh_answers_command():
    """Store today's availability answer for each product lacking one (after upgrading; daily from cron)."""
    from .services.answers import refresh_lapsed_answers

    click.echo(json.dumps({"refreshed": refresh_lapsed_answers()}))


@click.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--store", "public_key", required=True, help="The store's public key (pk_…) to import into.")
@with_appcontext
def import_command(file, public_key):
    """Import products from a CSV file (columns in docs/admin.md): all rows, or none and every error."""
    from .services import imports
    from .services.errors import UnknownStore

    try:
        store = stores.store_by_public_key(public_key)
    except UnknownStore:
        raise click.BadParameter(f"no store has the public key {public_key!r}", param_hint="--store") from None
    try:
        result = imports.import_products(store, file.read())
    except imports.ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(f"row {error.row or '-'}, column {error.column or '-'}: {error.message}", err=True)
        raise click.ClickException(rejected.message) from None
    click.echo(json.dumps({"rows": result.rows, "created": result.created, "updated": result.updated}))


@click.command("run")
@click.option("--host", "-h", default="127.0.0.1", show_default=True)
@click.option("--port", "-p", default=5000, show_default=True, type=int)
@with_appcontext
def run_command(host, port):
    """Serve the app for development, with a mail worker thread (BACKORDER_RUN_WORKER=0 to leave it out)."""
    from werkzeug.serving import run_simple

    from .worker import start_worker_thread

    app = current_app._get_current_object()
    if app.config["RUN_WORKER"]:
        start_worker_thread(app)
    run_simple(host, port, app, threaded=True, use_reloader=False)


def init_app(app):
    app.cli.add_command(create_store_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(send_due_command)
    app.cli.add_command(import_command)
    app.cli.add_command(refresh_answers_command)
    platform_cli.init_app(app)


def main():
    """Entry point of the `backorder` console script."""
    from . import create_app

    cli = FlaskGroup(create_app=create_app, load_dotenv=False, set_debug_flag=False, add_default_commands=False,
                     help="backorder: availability, backorders and restock alerts for online stores.")
    from flask.cli import routes_command, shell_command

    cli.add_command(run_command)
    cli.add_command(shell_command)
    cli.add_command(routes_command)
    try:
        cli.main(prog_name="backorder")
    except ConfigError as error:  # a setting is wrong: say which, without a traceback
        click.echo(f"backorder: {error}", err=True)
        sys.exit(2)
    except OperationalError as error:  # the database is down, full or read-only: say so, without a traceback
        _status, _code, message = database_problem(error)
        click.echo(f"backorder: {message} ({str(error.orig).splitlines()[0]})", err=True)
        sys.exit(1)
