"""Platforms: connect the store to BigCommerce, Shopify or WooCommerce.

Per platform: the exact webhook URL, the webhook secret (made or pasted, shown once), the API
credentials (stored encrypted, never shown again), a sync now or on a schedule, the recent platform
tasks, and for BigCommerce its webhooks and the widget through its API. Same services as the
admin REST API and `backorder platform`.
"""

from flask import flash, g, redirect, render_template, url_for

from ..db import db
from ..models import PLATFORMS
from ..schemas import PlatformCredentialsIn, SyncScheduleIn, WebhookSecretIn
from ..services import platform_sync, platforms
from ..services.errors import DomainError
from ..services.platform_tasks import queue_task, tasks_of
from . import bp
from .forms import Form
from .settings import snippet

NAMES = {"bigcommerce": "BigCommerce", "shopify": "Shopify", "woocommerce": "WooCommerce"}
CREDENTIALS = {"bigcommerce": ["shop", "access_token", "client_secret"], "shopify": ["shop", "access_token"],
               "woocommerce": ["shop", "consumer_key", "consumer_secret"]}
SECRET_FIELDS = ("access_token", "client_secret", "consumer_secret", "secret")


def _forms(platform, connection):
    return {
        "credentials": Form(PlatformCredentialsIn(), CREDENTIALS[platform], {"shop": connection and connection.shop}),
        "secret": Form(WebhookSecretIn(), ["secret"]),
        "schedule": Form(SyncScheduleIn(), ["sync_every_minutes"],
                         {"sync_every_minutes": connection and connection.sync_every_minutes}),
    }


def _page(platform, forms=None, new_secret=None, error=None, status=200):
    found = platforms.connections_of(g.store)
    rows = [platforms.describe_connection(g.store, name, connection) for name, connection in found.items()]
    forms = forms or _forms(platform, found[platform])
    for form in forms.values():  # what was typed into a secret box is never sent back
        form.values.update({name: "" for name in SECRET_FIELDS if name in form.values})
    tasks = [task for task in tasks_of(g.store) if (task.payload or {}).get("platform") == platform][:10]
    return render_template("admin/platforms.html", rows=rows, platform=platform, names=NAMES,
                           current=next(row for row in rows if row["platform"] == platform), forms=forms,
                           new_secret=new_secret, error=error, tasks=tasks, snippet=snippet(g.store)), status


def _platform(platform):
    if platform not in PLATFORMS:
        platforms.check_platform(platform)  # UnknownPlatform: the error page says which exist
    return platform


@bp.get("/platforms", endpoint="platforms")
def platforms_page():
    """Every platform's webhook URL and what is set; BigCommerce's forms first."""
    return _page("bigcommerce")


@bp.get("/platforms/<platform>")
def platforms_detail(platform):
    """One platform's webhook URL, secret, credentials, sync and tasks."""
    return _page(_platform(platform))


@bp.post("/platforms/<platform>/credentials")
def platforms_credentials(platform):
    """Store the API credentials (encrypted); errors stay next to their fields."""
    forms = _forms(_platform(platform), platforms.connection_of(g.store, platform))
    data = forms["credentials"].load(partial=True)  # an empty optional box means "not given"
    if data is not None:
        try:
            platforms.set_credentials(g.store, platform, data, shop=data.pop("shop"))
        except ValueError as error:
            forms["credentials"].fail(str(error))
        else:
            flash(f"{NAMES[platform]} credentials saved. They are stored encrypted and will not be shown again.")
            return redirect(url_for("admin.platforms_detail", platform=platform))
    return _page(platform, forms, status=422)


@bp.post("/platforms/<platform>/secret")
def platforms_secret(platform):
    """Make (or take) a new webhook secret and show it this once."""
    forms = _forms(_platform(platform), platforms.connection_of(g.store, platform))
    data = forms["secret"].load(partial=True)
    if data is not None:
        try:
            return _page(platform, new_secret=platforms.set_webhook_secret(g.store, platform, data.get("secret")))
        except ValueError as error:
            forms["secret"].fail(str(error), "secret")
    return _page(platform, forms, status=422)


@bp.post("/platforms/<platform>/schedule")
def platforms_schedule(platform):
    """Have the worker sync on a schedule (or never)."""
    forms = _forms(_platform(platform), platforms.connection_of(g.store, platform))
    data = forms["schedule"].load()
    if data is None:
        return _page(platform, forms, status=422)
    platforms.set_sync_schedule(g.store, platform, data["sync_every_minutes"])
    flash("Sync schedule saved." if data["sync_every_minutes"] else "Scheduled sync turned off.")
    return redirect(url_for("admin.platforms_detail", platform=platform))


def _action(platform, call, done):
    """Run a platform action; its refusal (no credentials, the platform down) is shown on the page."""
    try:
        message = done(call())
    except DomainError as error:
        return _page(platform, error=error.message, status=409 if error.code != "platform_unavailable" else 502)
    flash(message)
    return redirect(url_for("admin.platforms_detail", platform=platform))


@bp.post("/platforms/<platform>/sync")
def platforms_sync(platform):
    """Queue a sync of products, variants and stock; the worker runs it."""
    def queue():
        platforms.credentials_of(platforms.connection_of(g.store, platform))
        queue_task(g.store.id, platform, {"task": "sync"})
        db.session.commit()

    return _action(_platform(platform), queue, lambda _: "Sync queued: the worker pulls the catalogue and stock now.")


@bp.post("/platforms/bigcommerce/webhooks")
def platforms_webhooks():
    """Create BigCommerce's webhooks through its API."""
    return _action("bigcommerce", lambda: platform_sync.register_bigcommerce_webhooks(g.store),
                   lambda count: f"{count} BigCommerce webhooks point at this store now.")


@bp.post("/platforms/bigcommerce/widget")
def platforms_widget_install():
    """Add the widget to the BigCommerce storefront through the Scripts API."""
    return _action("bigcommerce", lambda: platform_sync.install_widget(g.store),
                   lambda _: "The widget is installed on your BigCommerce storefront.")


@bp.post("/platforms/bigcommerce/widget/remove")
def platforms_widget_remove():
    """Remove the widget's script from the BigCommerce storefront."""
    return _action("bigcommerce", lambda: platform_sync.remove_widget(g.store),
                   lambda _: "The widget is removed from your BigCommerce storefront.")
