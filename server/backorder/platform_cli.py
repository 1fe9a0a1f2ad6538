"""`backorder sync` and `backorder platform …`: connect a store to BigCommerce, Shopify or WooCommerce.

Secrets are read from a hidden prompt when not given as options (so they stay out of shell history)
and are shown once, when set; `platform show` tells only whether they are set.
"""

import json
import sys

import click
from flask.cli import with_appcontext

from .models import PLATFORMS
from .services import platform_sync, platforms, stores
from .services.errors import DomainError

STORE = click.option("--store", "public_key", required=True, help="The store's public key (pk_…).")
PLATFORM = click.option("--platform", required=True, type=click.Choice(PLATFORMS))


def _store(public_key):
    try:
        return stores.store_by_public_key(public_key)
    except DomainError as error:
        raise click.BadParameter(error.message, param_hint="--store") from None


def _run(call, *args, **kwargs):
    """Call a service; its refusals become one line on stderr and exit status 1, never a traceback."""
    try:
        return call(*args, **kwargs)
    except (DomainError, ValueError) as error:
        raise click.ClickException(getattr(error, "message", None) or str(error)) from None


@click.command("sync")
@STORE
@PLATFORM
@with_appcontext
def sync_command(public_key, platform):
    """Pull products, variants and stock from the platform (imports a catalogue, repairs missed webhooks)."""
    store = _store(public_key)
    bar = None

    def progress(done, total):
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total or 0, label=f"Syncing {platform}", file=sys.stderr,
                                    show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        result = _run(platform_sync.sync_store, store, platform, progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(json.dumps(result))


@click.group("platform")
def platform_group():
    """Connect a store to BigCommerce, Shopify or WooCommerce: credentials, webhook secret, widget, schedule."""


@platform_group.command("show")
@STORE
@with_appcontext
def show_command(public_key):
    """Print each platform's webhook URL and what is set (never a secret) as JSON."""
    store = _store(public_key)
    found = platforms.connections_of(store)
    described = [platforms.describe_connection(store, name, connection) for name, connection in found.items()]
    click.echo(json.dumps(described, default=str, indent=2))


@platform_group.command("credentials")
@STORE
@PLATFORM
@click.option("--shop", help="BigCommerce store hash, Shopify example.myshopify.com, or the WooCommerce site URL.")
@click.option("--api-url", help="The REST base URL, when not the platform's usual one for --shop.")
@click.option("--access-token", help="BigCommerce or Shopify access token (prompted for when left out).")
@click.option("--client-secret", help="BigCommerce app client secret, to check Standard Webhooks signatures.")
@click.option("--consumer-key", help="WooCommerce REST consumer key (ck_…).")
@click.option("--consumer-secret", help="WooCommerce REST consumer secret (prompted for when left out).")
@with_appcontext
def credentials_command(public_key, platform, shop, api_url, **credentials):
    """Store the platform's API credentials, encrypted; they are never shown again."""
    store = _store(public_key)
    secret = "consumer_secret" if platform == "woocommerce" else "access_token"
    if not credentials[secret]:
        credentials[secret] = click.prompt(secret.replace("_", " ").capitalize(), hide_input=True)
    connection = _run(platforms.set_credentials, store, platform, credentials, shop=shop, api_url=api_url)
    click.echo(json.dumps({"platform": platform, "api_url": connection.api_url,
                           "credentials_hint": connection.credentials_hint}))


@platform_group.command("secret")
@STORE
@PLATFORM
@click.option("--value", help="Use this secret (Shopify: its app's client secret or the key on its Notifications "
                              "page); without it a new random one is made.")
@with_appcontext
def secret_command(public_key, platform, value):
    """Set or rotate the webhook secret and print it, this once."""
    store = _store(public_key)
    secret = _run(platforms.set_webhook_secret, store, platform, value)
    click.echo(json.dumps({"platform": platform, "webhook_url": platforms.webhook_url(store, platform),
                           "webhook_secret": secret}))


@platform_group.command("widget")
@STORE
@click.argument("action", type=click.Choice(["install", "remove"]))
@with_appcontext
def widget_command(public_key, action):
    """Install or remove the widget on a BigCommerce storefront through the Scripts API."""
    store = _store(public_key)
    if action == "install":
        click.echo(json.dumps({"installed": _run(platform_sync.install_widget, store)}))
    else:
        _run(platform_sync.remove_widget, store)
        click.echo(json.dumps({"removed": True}))


@platform_group.command("webhooks")
@STORE
@with_appcontext
def webhooks_command(public_key):
    """Create (or repair) the store's BigCommerce webhooks through its API, pointing at this server."""
    click.echo(json.dumps({"webhooks": _run(platform_sync.register_bigcommerce_webhooks, _store(public_key))}))


@platform_group.command("schedule")
@STORE
@PLATFORM
@click.option("--every", type=int, help="Minutes between syncs run by the worker (5 to 10080); leave out to stop.")
@with_appcontext
def schedule_command(public_key, platform, every):
    """Have the worker sync the store from the platform on a schedule."""
    connection = _run(platforms.set_sync_schedule, _store(public_key), platform, every)
    click.echo(json.dumps({"platform": platform, "sync_every_minutes": connection.sync_every_minutes}))


def init_app(app):
    app.cli.add_command(sync_command)
    app.cli.add_command(platform_group)
