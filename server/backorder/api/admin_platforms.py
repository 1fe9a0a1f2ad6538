"""The admin REST API for platform connections: credentials, webhook secret, sync, BigCommerce widget.

The API never returns a credential; a webhook secret only in the answer that sets it. The REST
base URL is derived from the shop (only the `backorder platform credentials --api-url` command may
point it elsewhere), so an API token cannot aim the worker at an arbitrary host.
"""

from flask import g

from .. import schemas
from ..db import db
from ..services import platform_sync, platforms
from ..services.platform_tasks import queue_task
from .admin_api import bp
from .auth import token_required
from .spec import body, other_responses, response

PLATFORM = "<platform:platform>"


def _described(platform):
    return platforms.describe_connection(g.store, platform, platforms.connection_of(g.store, platform))


@bp.get("/platforms")
@token_required
@response(schemas.PlatformList, 200, "Each platform: its webhook URL and what is set (never a secret)")
def list_platforms():
    """The store's connections to BigCommerce, Shopify and WooCommerce."""
    found = platforms.connections_of(g.store)
    return {"items": [platforms.describe_connection(g.store, name, row) for name, row in found.items()]}


@bp.put(f"/platforms/{PLATFORM}/credentials")
@token_required
@response(schemas.PlatformOut, 200, "What is set now (the credentials are stored encrypted, never shown again)")
@body(schemas.PlatformCredentialsIn)
def set_credentials(fields, platform):
    """Store the platform's API credentials and shop."""
    try:
        platforms.set_credentials(g.store, platform, fields, shop=fields.pop("shop"))
    except ValueError as error:
        raise schemas.ValidationError({"_schema": [str(error)]}) from None
    return _described(platform)


@bp.post(f"/platforms/{PLATFORM}/webhook-secret")
@token_required
@response(schemas.WebhookSecretOut, 200, "The new secret, shown this once")
@body(schemas.WebhookSecretIn, "Leave out the body to have a secret made (BigCommerce, WooCommerce)", required=False)
def set_webhook_secret(fields, platform):
    """Set or rotate the secret webhooks are checked with; the old one stops working at once."""
    try:
        secret = platforms.set_webhook_secret(g.store, platform, fields.get("secret"))
    except ValueError as error:
        raise schemas.ValidationError({"secret": [str(error)]}) from None
    return {"platform": platform, "webhook_url": platforms.webhook_url(g.store, platform), "webhook_secret": secret}


@bp.post(f"/platforms/{PLATFORM}/sync")
@token_required
@other_responses({409: "No API credentials are set for this platform"})
@response(schemas.PlatformTaskOut, 202, "Queued: the worker pulls the catalogue and stock")
def sync_platform(platform):
    """Queue a sync of products, variants and stock from the platform."""
    platforms.credentials_of(platforms.connection_of(g.store, platform))
    task = queue_task(g.store.id, platform, {"task": "sync"})
    db.session.commit()
    return task or {"status": "queued"}, 202


@bp.post("/platforms/bigcommerce/webhooks")
@token_required
@other_responses({409: "No BigCommerce credentials or webhook secret", 502: "BigCommerce did not answer"})
@response(schemas.WebhooksOut, 200, "The webhooks now registered (created, or updated when they existed)")
def register_webhooks():
    """Create the store's BigCommerce webhooks through its API (BigCommerce has no page for them)."""
    return {"webhooks": platform_sync.register_bigcommerce_webhooks(g.store)}


@bp.post("/platforms/bigcommerce/widget")
@token_required
@other_responses({409: "No BigCommerce credentials", 502: "BigCommerce did not answer"})
@response(schemas.WidgetOut, 200, "Installed (once: a second call changes nothing)")
def install_widget():
    """Add the widget to the BigCommerce storefront through the Scripts API."""
    return {"installed": True, "script_id": platform_sync.install_widget(g.store)}


@bp.delete("/platforms/bigcommerce/widget")
@token_required
@other_responses({409: "Not installed through the Scripts API", 502: "BigCommerce did not answer"})
@response(schemas.WidgetOut, 200, "Removed")
def remove_widget():
    """Remove the widget's script from the BigCommerce storefront."""
    platform_sync.remove_widget(g.store)
    return {"installed": False, "script_id": None}
