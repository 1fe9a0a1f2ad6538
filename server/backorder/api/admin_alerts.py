"""The admin REST API for restock alerts: store settings, sign-ups, campaigns, the delivery log, erasure."""

from flask import g

from .. import schemas
from ..exports import csv_response
from ..services import campaigns, outbox, products, stores, subscriptions
from .admin_api import bp
from .auth import token_required
from .spec import arguments, body, csv_too, other_responses, response


def _page(rows, limit):
    """A page of rows, newest first, with the id to pass as ?after= for the next (None on the last)."""
    return {"items": rows, "next_after": rows[-1].id if len(rows) == limit else None}


@bp.get("/store")
@token_required
@response(schemas.StoreOut, 200, "The store's settings")
def get_store():
    """The store's settings: widget wording, sender, notification policy."""
    return g.store


@bp.patch("/store")
@token_required
@response(schemas.StoreOut, 200, "The changed settings")
@body(schemas.StoreSettings)
def update_store(fields):
    """Change some of the store's settings (the widget sees them within a few seconds)."""
    return stores.update_store(g.store, fields)


@bp.get("/subscriptions")
@token_required
@other_responses({404: "No product with this sku"})
@csv_too
@response(schemas.SubscriptionList, 200, "One page of sign-ups, newest first")
@arguments(schemas.SubscriptionListQuery)
def list_subscriptions(query):
    """The store's back-in-stock sign-ups with their consent records, filtered by sku, email, status or search."""
    limit = query.pop("limit")
    if query.pop("format") == "csv":
        query.pop("after", None)
        rows = map(schemas.SubscriptionRow().dump, subscriptions.all_subscriptions(g.store, **query))
        return csv_response("subscriptions", schemas.SubscriptionRow, rows)
    return _page(subscriptions.list_subscriptions(g.store, limit=limit, **query), limit)


@bp.post("/erasures")
@token_required
@response(schemas.ErasureOut, 200, "What was deleted")
@body(schemas.ErasureIn, "The address to forget (GDPR Art. 17)")
def erase_address(fields):
    """Delete an address's sign-ups and emails; its links stop working. A suppression stays, hashed."""
    return subscriptions.erase_address(g.store, fields["email"])


@bp.post("/products/<sku:sku>/campaigns")
@token_required
@other_responses({404: "No product with this sku", 409: "The product cannot be bought now (not_sellable)"})
@response(schemas.CampaignOut, 202, "The campaign (a running one is returned rather than a second started)")
def start_campaign(sku):
    """Send restock emails now to the product's waiting shoppers, in waves as the store's settings say."""
    campaign = campaigns.start_manual_campaign(g.store, products.get_product(g.store, sku))
    return campaigns.describe_campaigns([campaign])[0], 202


@bp.get("/campaigns")
@token_required
@other_responses({404: "No product with this sku"})
@response(schemas.CampaignList, 200, "The latest campaigns, newest first")
@arguments(schemas.SkuQuery)
def list_campaigns(query):
    """Restock campaigns with their progress and every decision taken (and why not)."""
    product = products.get_product(g.store, query["sku"]) if "sku" in query else None
    return {"items": campaigns.describe_campaigns(campaigns.campaigns_of(g.store, product))}


@bp.get("/campaigns/<int:campaign_id>")
@token_required
@other_responses({404: "No such campaign"})
@response(schemas.CampaignOut, 200, "The campaign and its progress")
def get_campaign(campaign_id):
    """One campaign: sent / total, its waves, and each decision with its reason."""
    return campaigns.describe_campaigns([campaigns.campaign_of(g.store, campaign_id)])[0]


@bp.get("/messages")
@token_required
@response(schemas.MessageList, 200, "One page of the delivery log, newest first")
@arguments(schemas.MessageQuery)
def list_messages(query):
    """Every email with its status, attempts and the reason for anything not sent."""
    limit = query.pop("limit")
    return _page(outbox.messages_of(g.store, limit=limit, **query), limit)


@bp.post("/messages/<int:message_id>/retry")
@token_required
@other_responses({404: "No such message"})
@response(schemas.MessageOut, 200, "The message, queued again if it had failed or been skipped")
def retry_message(message_id):
    """Queue a failed or skipped email again."""
    return outbox.retry_message(g.store, message_id)
